"""How long grading takes: N copies of one solved and one unsolved student notebook.

    python tools/bench_grade.py [--chapter backprop] [--copies 8] [--jobs N]

Makes a class of 2N submissions of one chapter (its solutions put in the stubs, and the
notebook as handed out), grades it with `python -m grading`, and prints the wall time,
the cost per notebook (wall time x jobs / notebooks: core-seconds per notebook; and the
CPU time actually used, which a busy machine does not inflate), and the
per-notebook times of the solved and unsolved copies. Exits non-zero when the grades are
not what they must be (every solved copy passes everything, no unsolved copy passes
anything), so the number is never the time of a broken run.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from grading.chapters import load_chapter, solved_notebook, student_notebook

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chapter", default="backprop")
    p.add_argument("--copies", type=int, default=8, help="copies of each notebook (default 8)")
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    a = p.parse_args(argv)
    scored = [e.label for e in load_chapter(a.chapter).scored]
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "grades"
        folder.mkdir()
        for k in range(a.copies):
            nbformat.write(solved_notebook(a.chapter), folder / f"solved-{k:03d}.ipynb")
            nbformat.write(student_notebook(a.chapter), folder / f"unsolved-{k:03d}.ipynb")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t0 = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([sys.executable, "-m", "grading", str(folder), "--out", str(out),
                               "--jobs", str(a.jobs), "--quiet"], env=env, cwd=tmp)
        wall = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        if proc.returncode != 0:
            print(f"grading failed (exit {proc.returncode})")
            return 1
        results = [json.loads(l) for l in (out / "results.jsonl").read_text().splitlines()]
    n = len(results)
    bad = []
    for r in results:
        got = [r["exercises"].get(l, {}).get("status") for l in scored]
        want_pass = r["submission"].startswith("solved")
        if (want_pass and got != ["passed"] * len(scored)) or (not want_pass and "passed" in got):
            bad.append(f"{r['submission']}: {got} {r.get('notes')}")
    per = {kind: [r["seconds"] for r in results if r["submission"].startswith(kind)]
           for kind in ("solved", "unsolved")}
    print(f"grading {n} notebooks of '{a.chapter}' ({a.copies} solved + {a.copies} unsolved) "
          f"with {a.jobs} jobs on {os.cpu_count()} cores:")
    print(f"  wall time (with the preflight kernel): {wall:.1f} s")
    print(f"  cost per notebook: {wall * a.jobs / n:.2f} core-seconds ({wall / n:.2f} s of wall "
          f"time per notebook at {a.jobs} jobs)")
    print(f"  CPU time per notebook (grader, workers and kernels): {cpu / n:.2f} s")
    for kind, secs in per.items():
        print(f"  {kind}: median {statistics.median(secs):.1f} s per notebook "
              f"(min {min(secs):.1f}, max {max(secs):.1f})")
    if bad:
        print("WRONG GRADES:\n  " + "\n  ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
