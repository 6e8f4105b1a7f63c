"""A submission as the grader reads it: a notebook, and the chapter it says it is of.

A submission that cannot be graded is refused with the reason, for the gradebook's
"reason" column: the file cannot be read, is not JSON, is JSON but not a notebook, or does
not say (in its metadata ``course.chapter``, written by tools/make_notebooks.py) which of
the course's chapters it is.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from course.exercises import UnknownChapter, load_chapter


def read_submission(path: Path):
    """(notebook, chapter) or raise ValueError/UnknownChapter with the reason."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ValueError(f"could not read the file: {e.strerror or e}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"not a notebook: the file is not JSON text ({short(e, 120)})") from None
    if not isinstance(data, dict) or "cells" not in data:
        raise ValueError("not a notebook: the JSON has no 'cells'") from None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as e:  # noqa: BLE001 - nbformat raises several kinds
        raise ValueError(f"not a notebook: {short(e, 200)}") from None
    course = nb.metadata.get("course")
    name = course.get("chapter") if isinstance(course, dict) else None
    if not name:
        raise UnknownChapter(
            "the notebook does not say which chapter it is (no metadata 'course.chapter'): "
            "it was not made from one of the course's student notebooks, or its metadata was "
            "removed; ask for the notebook downloaded from the course site")
    return nb, load_chapter(str(name))


def short(text, n=300):
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip().replace("\n", " ")
    return text if len(text) <= n else text[:n] + " [...]"
