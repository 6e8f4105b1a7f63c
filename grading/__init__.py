"""Grade a class's student notebooks with the course's own checks (instructor tooling).

    python -m grading <folder> [--out DIR] [--jobs N] [--shard i/n]
    python -m grading merge <gradebook folders...> --out DIR

Each submission's chapter comes from its metadata (``course.chapter``, written by
tools/make_notebooks.py); its exercises and the check calls come from the chapter's
source, book/<chapter>.md. See the "Grading" section of README.md.

This package imports `lib.checks` (in the kernels it starts); `lib` never imports it.
"""
