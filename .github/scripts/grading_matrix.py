"""The shards of the grading workflow (.github/workflows/grade.yml), from its inputs.

    SUBMISSIONS=<folder> SHARDS=<n> python .github/scripts/grading_matrix.py

Checks the workflow's inputs before any machine starts grading: the submissions are a
folder inside the repository (relative, no ``..``) that holds at least one notebook, and
the number of shards is a whole number from 1 to 64. Writes ``shards=[1, ..., n]`` (the
matrix, as JSON) to ``$GITHUB_OUTPUT`` when it is set, and prints it.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
MAX_SHARDS = 64


def shards(submissions: str, count: str, root: Path = ROOT) -> list[int]:
    path = PurePosixPath(submissions.strip())
    if not submissions.strip() or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"submissions {submissions!r}: give a folder inside the repository, "
                         "relative to its root (e.g. submissions/hw3)")
    folder = root / path
    if not folder.is_dir():
        raise ValueError(f"submissions {submissions!r}: no such folder in the repository "
                         "(at the branch the workflow runs on)")
    if not any(folder.rglob("*.ipynb")):
        raise ValueError(f"submissions {submissions!r}: the folder holds no .ipynb")
    try:
        n = int(str(count).strip())
    except ValueError:
        raise ValueError(f"shards {count!r}: give a whole number from 1 to {MAX_SHARDS}") from None
    if not 1 <= n <= MAX_SHARDS:
        raise ValueError(f"shards {count!r}: give a whole number from 1 to {MAX_SHARDS}")
    return list(range(1, n + 1))


def main() -> int:
    try:
        matrix = shards(os.environ.get("SUBMISSIONS", ""), os.environ.get("SHARDS", ""))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    line = f"shards={json.dumps(matrix)}"
    print(line)
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a") as out:
            out.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
