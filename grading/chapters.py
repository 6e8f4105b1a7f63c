"""What the course says about a chapter's exercises, read from its source book/<chapter>.md.

For each ``{exercise}`` directive: its label, number (as the student notebook numbers
them), title, and the course's check calls, which are the calls
``lib.checks.<module>.check_<name>(...)`` in the code cells after the exercise's
solution (up to the next exercise). An exercise without a check call is not scored: its
answer is listed for the instructor to read. The solution's code cells are kept too, so
that an answer key can be made (`solved_notebook`).

The chapter is read with the course package's model (course/exercises.py), which the
notebook generator reads it with too, so the grader and the student notebooks agree on
which exercise a solution and a check belong to.

Nothing here reads a submission's check cells: those are the student's to edit.
"""
from __future__ import annotations

import copy
from pathlib import Path

from course.book import ROOT
from course.exercises import load_chapter, stub_label

NOTEBOOKS = ROOT / "notebooks"


def student_notebook(name: str, notebooks: Path = NOTEBOOKS):
    """The course's own student notebook for a chapter (as generated, unsolved)."""
    import nbformat

    return nbformat.read(notebooks / f"{name}.ipynb", as_version=4)


def solved_notebook(name: str, notebooks: Path = NOTEBOOKS, only=None):
    """The student notebook with its stubs replaced by the chapter's solutions.

    ``only``: labels of the exercises to solve (default: all). An answer key for tests
    and benchmarks, and for an instructor to try the grader on.
    """
    chapter = load_chapter(name)
    nb = copy.deepcopy(student_notebook(name, notebooks))
    for cell in nb.cells:
        if cell.cell_type != "code" or "NotImplementedError(" not in cell.source:
            continue
        label = stub_label(cell.source)
        if label is None or (only is not None and label not in only):
            continue
        ex = next((e for e in chapter.exercises if e.label == label), None)
        if ex is not None and ex.solution:
            cell.source = "\n\n".join(s.rstrip("\n") for s in ex.solution)
    return nb
