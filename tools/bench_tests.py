"""How long the tests take: `make test-fast` and `make test`, as the Makefile runs them.

    python tools/bench_tests.py [--fast-only] [--jobs auto]

Runs pytest twice in this checkout (the quick loop, then everything, both on every core
with pytest-xdist), prints each wall time against its target (test-fast 60 s, test
300 s, CONTRIBUTING.md) and the slowest tests of the full run. Exits non-zero when a run
fails, so the time printed is never the time of a broken run. The full run builds the
book from clean in a temporary folder, as `make test` does.
"""
import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"test-fast": 60.0, "test": 300.0}
FAST = ["-m", "not book and not browser and not slow"]


def run(name, extra, jobs):
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-n", jobs, "--dist", "worksteal", "--durations=8", *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    seconds = time.perf_counter() - t0
    summary = next((l for l in reversed(proc.stdout.splitlines()) if re.search(r"passed|failed|error", l)), "")
    verdict = "ok" if seconds <= TARGETS[name] else "over"
    print(f"make {name:<10} {seconds:7.1f} s  (target {TARGETS[name]:.0f} s: {verdict})  {summary.strip('= ')}",
          flush=True)
    if proc.returncode != 0:
        print(proc.stdout[-6000:])
        sys.exit(f"{name}: pytest failed (exit {proc.returncode})")
    return proc.stdout


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
