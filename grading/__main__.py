"""Command line: ``python -m grading <folder>`` and ``python -m grading merge <dirs...>``."""
import argparse
import os
import sys
from pathlib import Path

from . import gradebook
from .grade import GradingError, grade_folder, parse_shard
from .limits import Limits, parse_size

USAGE = """\
python -m grading <folder> [--out DIR] [--jobs N] [--shard i/n] [limits]
python -m grading merge <gradebook folder>... [--out DIR]"""


def grade_main(argv):
    d = Limits()
    p = argparse.ArgumentParser(prog="python -m grading", usage=USAGE,
                                description="Grade every .ipynb in a folder with the course's "
                                            "checks; write grades.csv and feedback/ into --out.")
    p.add_argument("folder", type=Path, help="the folder of submitted notebooks (searched recursively)")
    p.add_argument("--out", type=Path, default=None,
                   help="the gradebook folder (default: grades, or grades-shard-i-of-n)")
    p.add_argument("--jobs", type=int, default=os.cpu_count(),
                   help="submissions graded at once (default: the number of cores, %(default)s)")
    p.add_argument("--shard", default=None, help="grade only the i-th of n shares, e.g. 3/8")
    p.add_argument("--cell-timeout", type=float, default=d.cell_timeout,
                   help="seconds per cell (default %(default)s)")
    p.add_argument("--timeout", type=float, default=d.timeout,
                   help="seconds for all the student's cells of one notebook (default %(default)s)")
    p.add_argument("--check-timeout", type=float, default=d.check_timeout,
                   help="seconds per course check (default %(default)s)")
    p.add_argument("--memory", default="8G", help="address-space limit per kernel (default 8G)")
    p.add_argument("--cpu", type=int, default=d.cpu, help="CPU seconds per kernel (default %(default)s)")
    p.add_argument("--file-size", default="256M", help="largest file a kernel may write (default 256M)")
    p.add_argument("--processes", type=int, default=d.processes,
                   help="processes/threads a kernel may add (default %(default)s)")
    p.add_argument("--threads", type=int, default=d.threads,
                   help="torch/OpenMP threads per kernel (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--keep-temp", action="store_true", help="keep the temporary folders (debugging)")
    a = p.parse_args(argv)
    try:
        shard = parse_shard(a.shard)
        limits = Limits(cell_timeout=a.cell_timeout, timeout=a.timeout, check_timeout=a.check_timeout,
                        memory=parse_size(a.memory), cpu=a.cpu, file_size=parse_size(a.file_size),
                        processes=a.processes, threads=a.threads)
    except (GradingError, ValueError) as e:
        p.error(str(e))
    out = a.out or Path("grades" if shard is None else f"grades-shard-{shard[0]}-of-{shard[1]}")
    try:
        results = grade_folder(a.folder, out, jobs=a.jobs, shard=shard, limits=limits,
                               progress=not a.quiet, keep_temp=a.keep_temp)
    except GradingError as e:
        print(f"grading could not run: {e}", file=sys.stderr)
        return 2
    graded = [r for r in results if r.get("graded")]
    print(f"{len(results)} submissions: {len(graded)} graded, {len(results) - len(graded)} not "
          f"graded (see the reason column); gradebook in {out}/ (grades.csv, feedback/)")
    return 0


def merge_main(argv):
    p = argparse.ArgumentParser(prog="python -m grading merge",
                                description="Merge the gradebooks of the shards of one class.")
    p.add_argument("folders", type=Path, nargs="+", help="gradebook folders (--out of each shard)")
    p.add_argument("--out", type=Path, default=Path("grades"), help="merged gradebook (default grades)")
    a = p.parse_args(argv)
    try:
        results, _ = gradebook.merge(a.folders, a.out)
    except (ValueError, OSError) as e:
        print(f"cannot merge: {e}", file=sys.stderr)
        return 2
    print(f"merged {len(a.folders)} gradebooks, {len(results)} submissions, into {a.out}/")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
    return grade_main(argv)


if __name__ == "__main__":
    sys.exit(main())
