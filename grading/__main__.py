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


DEFAULTS = {"jobs": os.cpu_count() or 1, **vars(Limits())}


def grade_main(argv):
    d = Limits()
    p = argparse.ArgumentParser(prog="python -m grading", usage=USAGE,
                                description="Grade every .ipynb in a folder with the course's "
                                            "checks; write grades.csv and feedback/ into --out.")
    p.add_argument("folder", type=Path, help="the folder of submitted notebooks (searched recursively)")
    p.add_argument("--out", type=Path, default=None,
                   help="the gradebook folder (default: grades, or grades-shard-i-of-n)")
    p.add_argument("--jobs", type=int, default=DEFAULTS["jobs"],
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
    problems = argument_problems(a)
    if problems:
        p.error("; ".join(problems))
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


# option -> what its number counts; each must be a positive number (an integer for those
# argparse reads as int: at least 1).
POSITIVE = {"jobs": "the number of submissions graded at once",
            "cell_timeout": "the seconds each cell may run",
            "timeout": "the seconds all the student's cells of one notebook may run",
            "check_timeout": "the seconds each check may run",
            "cpu": "the CPU seconds of each kernel",
            "processes": "the processes and threads a kernel may add",
            "threads": "the torch threads of each kernel"}


def argument_problems(a) -> list[str]:
    """What is wrong with the values on the command line, each with its fix (argparse
    checks only their types): 0 or less would grade nothing, or grade every submission as
    timed out, and say nothing."""
    problems = []
    for name, what in POSITIVE.items():
        value = getattr(a, name)
        if not value > 0:   # NaN too
            option = "--" + name.replace("_", "-")
            problems.append(f"{option} {value:g}: {what} must be more than 0; leave "
                            f"{option} out for the default ({DEFAULTS[name]:g})")
    for name, example in (("memory", "8G"), ("file_size", "256M")):
        option = "--" + name.replace("_", "-")
        try:
            if parse_size(getattr(a, name)) <= 0:
                problems.append(f"{option} {getattr(a, name)}: the limit must be more than 0 "
                                f"bytes; write e.g. {option} {example}")
        except ValueError:
            pass  # parse_size says what a size looks like (below)
    return problems


def merge_main(argv):
    p = argparse.ArgumentParser(prog="python -m grading merge",
                                description="Merge the gradebooks of the shards of one class.")
    p.add_argument("folders", type=Path, nargs="+", help="gradebook folders (--out of each shard)")
    p.add_argument("--out", type=Path, default=Path("grades"), help="merged gradebook (default grades)")
    a = p.parse_args(argv)
    same = [f for f in a.folders if f.resolve() == a.out.resolve()]
    if same:
        p.error(f"--out {a.out} is one of the gradebooks to merge: the merge would overwrite "
                "it - give a new folder, e.g. --out grades-merged")
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
