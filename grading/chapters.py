"""What the course says about a chapter's exercises, read from its source book/<chapter>.md.

For each ``{exercise}`` directive: its label, number (as the student notebook numbers
them), title, and the course's check calls, which are the calls
``lib.checks.<module>.check_<name>(...)`` in the code cells after the exercise's
solution (up to the next exercise). An exercise without a check call is not scored: its
answer is listed for the instructor to read. The solution's code cells are kept too, so
that an answer key can be made (`solved_notebook`).

The chapter is read with the notebook generator's own walk and exercise index
(tools/notebookgen/myst.py and exercises.py), so the grader and the student notebooks
agree on which exercise a solution and a check belong to.

Nothing here reads a submission's check cells: those are the student's to edit.
"""
from __future__ import annotations

import copy
import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from bookkit import BOOK, chapter_numbers, notebook_pages  # noqa: E402  (the book's plumbing)
from notebookgen.exercises import Check, check_calls, read_exercises  # noqa: E402
from notebookgen.myst import walk  # noqa: E402
from notebookgen.notebook import stub_label  # noqa: E402

NOTEBOOKS = REPO / "notebooks"

CHAPTER_NAME_RE = re.compile(r"^[A-Za-z0-9][\w.-]*$")


@dataclass
class Exercise:
    label: str
    number: int | None                 # within its chapter
    title: str
    checks: list[Check] = field(default_factory=list)
    solution: list[str] = field(default_factory=list)  # the solution's code cells
    chapter_number: int | None = None  # as the site numbers chapters ("Exercise 4.2")

    @property
    def scored(self) -> bool:
        return bool(self.checks)

    @property
    def heading(self) -> str:
        prefix = f"{self.chapter_number}." if self.chapter_number else ""
        name = f"Exercise {prefix}{self.number}" if self.number else "Exercise"
        return f"{name}: {self.title}" if self.title else name


@dataclass
class Chapter:
    name: str
    title: str
    exercises: list[Exercise]

    @property
    def scored(self) -> list[Exercise]:
        return [e for e in self.exercises if e.scored]

    @property
    def unscored(self) -> list[Exercise]:
        return [e for e in self.exercises if not e.scored]

    def exercise(self, label: str) -> Exercise:
        return next(e for e in self.exercises if e.label == label)


class UnknownChapter(LookupError):
    """The name is not a chapter of this book."""


def chapter_names(book: Path = BOOK) -> list[str]:
    """The notebook pages of book/_toc.yml (those with exercises to grade), in reading order."""
    return notebook_pages(book)


def parse_chapter(name: str, text: str) -> Chapter:
    """Parse a MyST chapter's text (as jupytext reads it) into its exercises."""
    import jupytext

    nb = jupytext.reads(text, fmt="md:myst")
    index = read_exercises(walk(nb.cells, name))
    exercises = [Exercise(ex.label, ex.number, ex.title,
                          [check for cell in ex.check_cells for check in check_calls(cell)],
                          list(ex.solution))
                 for ex in index.exercises]
    return Chapter(name, index.title or name, exercises)


@functools.lru_cache(maxsize=None)
def load_chapter(name: str, book: Path = BOOK) -> Chapter:
    """The chapter called ``name`` (a docname of _toc.yml), or `UnknownChapter`."""
    if not isinstance(name, str) or not CHAPTER_NAME_RE.match(name) \
            or name not in chapter_names(book) or not (book / f"{name}.md").is_file():
        known = ", ".join(chapter_names(book))
        raise UnknownChapter(f"{name!r} is not a chapter of this course (the chapters are: {known})")
    chapter = parse_chapter(name, (book / f"{name}.md").read_text())
    for ex in chapter.exercises:
        ex.chapter_number = chapter_numbers(book).get(name)
    return chapter


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
