"""How long the tests take: `make test-fast` in this checkout, and `make test` from a fresh clone.

    python tools/bench_tests.py [--fast-only] [--in-place] [--jobs auto]

1. `make test-fast`'s pytest run, in this checkout (the quick loop of someone editing it).
2. `make test` as a new user or CI runs it (docs/DESIGN: "make test in at most 6 minutes"):
   a fresh clone of the last commit into a temporary folder, then its set-up (`make setup
   data browser`: the virtual environment; the system packages are found installed) and its
   tests (`make test`), each timed. `--in-place` times only the tests, in this checkout.

Each line gives the wall time against its target (test-fast 60 s, test 360 s with its
set-up) next to the CPU seconds the whole machine spent meanwhile (meaningful on a quiet
machine only: the load average is printed first), the CPU seconds by group of tests
(tests/conftest.py's ledger: build, student runs, browser, grading, PDF, unit, ...), so
that the next cut is visible, and the slowest tests. Exits non-zero when a run fails, so
the time printed is never the time of a broken run.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from cputime import machine_cpu  # noqa: E402

TARGETS = {"test-fast": 60.0, "test": 360.0}
FAST = ["-m", "not book and not browser and not slow"]


def timed(cmd, cwd, env=None):
    """Run `cmd`; return (seconds, machine CPU seconds, completed process)."""
    t0, cpu0 = time.perf_counter(), machine_cpu()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    return time.perf_counter() - t0, machine_cpu() - cpu0, proc


def fail_unless_ok(name, proc):
    if proc.returncode != 0:
        print(proc.stdout[-6000:])
        sys.exit(f"{name}: failed (exit {proc.returncode})")


def summary_line(output: str) -> str:
    return next((ln for ln in reversed(output.splitlines())
                 if re.search(r"passed|failed|error", ln)), "").strip("= ")


def cpu_groups(output: str) -> str:
    """The line under pytest's "CPU seconds by group" header (tests/conftest.py), or ''."""
    lines = output.splitlines()
    for i, line in enumerate(lines[:-1]):
        if "CPU seconds by group" in line:
            return lines[i + 1].strip()
    return ""


def slowest(output: str) -> str:
    if "slowest 8 durations" not in output:
        return ""
    after = output.split("slowest 8 durations", 1)[1].split("\n", 1)[-1]
    return after.split("\n=", 1)[0].rstrip()


def report(name, seconds, cpu, output, setup=None):
    verdict = "ok" if seconds <= TARGETS[name] else "over"
    parts = f" (set-up {setup[0]:.1f} s, tests {seconds - setup[0]:.1f} s)" if setup else ""
    print(f"make {name:<10} {seconds:7.1f} s wall{parts}, {cpu:7.1f} CPU-s of the machine  "
          f"(target {TARGETS[name]:.0f} s: {verdict})  {summary_line(output)}", flush=True)
    groups = cpu_groups(output)
    if groups:
        print(f"  CPU seconds by group of tests: {groups}", flush=True)


def pytest_cmd(python, jobs, extra):
    return [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", jobs,
            "--dist", "worksteal", "--durations=8", *extra]


def fresh_clone_run(jobs):
    """`make test` in a fresh clone of HEAD: set-up and tests, timed apart."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.splitlines()
    note = f"; {len(dirty)} changed files of this checkout are not in it" if dirty else ""
    print(f"make test from a fresh clone of {head}{note}:", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-tests-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "CI": "true", "PYTEST_ADDOPTS": "--durations=8"}
        s_setup, c_setup, proc = timed(["make", "setup", "data", "browser"], clone, env)
        fail_unless_ok("make setup data browser (fresh clone)", proc)
        s_tests, c_tests, proc = timed(
            ["make", "test", f"JOBS={jobs}"], clone, env)
        fail_unless_ok("make test (fresh clone)", proc)
        report("test", s_setup + s_tests, c_setup + c_tests, proc.stdout, setup=(s_setup, c_setup))
        return proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-only", action="store_true", help="only the quick loop")
    parser.add_argument("--in-place", action="store_true",
                        help="time make test's tests in this checkout, not a fresh clone")
    parser.add_argument("--jobs", default="auto", help="pytest-xdist workers (default: auto)")
    args = parser.parse_args()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} CPUs (the CPU seconds are the whole machine's)", flush=True)
    seconds, cpu, proc = timed(pytest_cmd(sys.executable, args.jobs, FAST), ROOT)
    fail_unless_ok("make test-fast", proc)
    report("test-fast", seconds, cpu, proc.stdout)
    if args.fast_only:
        return
    if args.in_place:
        seconds, cpu, proc = timed(pytest_cmd(sys.executable, args.jobs, []), ROOT)
        fail_unless_ok("make test", proc)
        report("test", seconds, cpu, proc.stdout)
        out = proc.stdout
    else:
        out = fresh_clone_run(args.jobs)
    print("slowest tests of make test:\n" + slowest(out))


if __name__ == "__main__":
    main()
