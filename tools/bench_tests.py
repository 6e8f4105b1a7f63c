"""How long the tests take: `make test-fast` and `make test`, as the Makefile runs them.

    python tools/bench_tests.py [--fast-only] [--jobs auto]

Runs pytest twice in this checkout (the quick loop, then everything, both on every core
with pytest-xdist), prints each wall time against its target (test-fast 60 s, test
360 s, docs/DESIGN: "make test in at most 6 minutes") next to the CPU seconds the run
used (pytest and every process it started), the CPU seconds by group of tests (build,
student runs, browser, grading, PDF, unit, ...: tests/conftest.py's ledger), so that the
next cut is visible, and the slowest tests of the full run. On a shared machine the wall
time follows the load; the CPU seconds much less. Exits non-zero when a run fails, so
the time printed is never the time of a broken run. The full run builds the book from
clean in a temporary folder, as `make test` does.
"""
import argparse
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"test-fast": 60.0, "test": 360.0}
FAST = ["-m", "not book and not browser and not slow"]


def run(name, extra, jobs):
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-n", jobs, "--dist", "worksteal", "--durations=8", *extra]
    t0, cpu0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    seconds, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    summary = next((l for l in reversed(proc.stdout.splitlines()) if re.search(r"passed|failed|error", l)), "")
    verdict = "ok" if seconds <= TARGETS[name] else "over"
    print(f"make {name:<10} {seconds:7.1f} s wall, {cpu:7.1f} CPU-s  (target {TARGETS[name]:.0f} s: "
          f"{verdict})  {summary.strip('= ')}", flush=True)
    groups = cpu_groups(proc.stdout)
    if groups:
        print(f"  CPU seconds by group: {groups}", flush=True)
    if proc.returncode != 0:
        print(proc.stdout[-6000:])
        sys.exit(f"{name}: pytest failed (exit {proc.returncode})")
    return proc.stdout


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_groups(output: str) -> str:
    """The line under pytest's "CPU seconds by group" header (tests/conftest.py), or ''."""
    lines = output.splitlines()
    for i, line in enumerate(lines[:-1]):
        if "CPU seconds by group" in line:
            return lines[i + 1].strip()
    return ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-only", action="store_true", help="only the quick loop")
    parser.add_argument("--jobs", default="auto", help="pytest-xdist workers (default: auto)")
    args = parser.parse_args()
    run("test-fast", FAST, args.jobs)
    if not args.fast_only:
        out = run("test", [], args.jobs)
        after = out.split("slowest 8 durations", 1)[-1].split("\n", 1)[-1]
        print("slowest tests of make test:\n" + after.split("\n=", 1)[0].rstrip())


if __name__ == "__main__":
    main()
