"""A chapter's exercises as its source states them, and the check calls that test them.

Read from the chapter walk (``myst.walk``) by both the notebook generator, which stubs
what an exercise asks for, and the grader, which runs its checks (``load_chapter``). The
formats that one of them writes into a student notebook and the other reads back (the
exercise's heading, its stub's message) are defined here, once.
"""
from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from .book import BOOK, chapter_numbers, notebook_pages
from .myst import Markdown, Solution, directive_name, walk


@dataclass
class Exercise:
    """One ``{exercise}`` of a chapter, as its source states it."""
    label: str                   # its :label:, or "exercise-<k>" for the k-th if it has none
    number: int | None           # within its chapter; None with :nonumber:
    title: str                   # the directive's argument
    statement: list[str] = field(default_factory=list)    # its MyST lines
    solution: list[str] = field(default_factory=list)     # its solution's code cells
    check_cells: list[str] = field(default_factory=list)  # code cells calling lib.checks after it
    chapter_number: int | None = None  # the chapter's, as the site numbers chapters

    @property
    def checks(self) -> list[Check]:
        """The course's check calls that test it (none: it is read, not scored)."""
        return [check for cell in self.check_cells for check in check_calls(cell)]

    @property
    def scored(self) -> bool:
        return bool(self.checks)

    @property
    def name(self) -> str | None:
        """"Exercise 4.2" as the site and the notebook call it; None without a number."""
        return exercise_name(self.chapter_number, self.number)

    @property
    def heading(self) -> str:
        """"Exercise 4.2: title" (the gradebook's and the feedback's heading)."""
        name = self.name or "Exercise"
        return f"{name}: {self.title}" if self.title else name


@dataclass
class Chapter:
    """A chapter's title and its exercises, in order."""
    name: str                    # its docname in _toc.yml
    title: str                   # its "# " heading (the name if it has none)
    exercises: list[Exercise]

    def by_label(self) -> dict[str, Exercise]:
        return {e.label: e for e in self.exercises}

    def exercise(self, label: str) -> Exercise:
        return self.by_label()[label]

    @property
    def scored(self) -> list[Exercise]:
        return [e for e in self.exercises if e.scored]

    @property
    def unscored(self) -> list[Exercise]:
        return [e for e in self.exercises if not e.scored]


# ------------------------------------------------------------------ formats
# What the notebook generator writes and the grader reads back, defined once.

def shown_number(chapter_number, n) -> str:
    """An exercise's number as the site shows it: "4.2" in chapter 4, "2" on the root page
    (``chapter_number`` None)."""
    return f"{chapter_number}.{n}" if chapter_number is not None else str(n)


def exercise_name(chapter_number, n) -> str | None:
    """"Exercise 4.2" (or "Exercise 2" on the root page); None for an unnumbered one."""
    return f"Exercise {shown_number(chapter_number, n)}" if n is not None else None


def notebook_heading(name, title) -> str:
    """An exercise's heading in a student notebook: "**Exercise 4.2: title**"."""
    head = f"**{name or 'Exercise'}"
    return head + (f": {title}**" if title else "**")


# Finds those headings in a submitted notebook; group 1 is the number within the chapter.
NOTEBOOK_HEADING_RE = re.compile(r"\*\*Exercise (?:\d+\.)?(\d+)[:*]")


def stub_message(name, label) -> str:
    """The NotImplementedError message of an exercise's stub (`name`: "Exercise 4.2", or
    None): "Exercise 4.2 (ex-mlp-relu): your code goes here". The grader finds the label in
    it (`stub_label`) to put a solution in its place."""
    return f"{name} ({label}): your code goes here" if name else f"{label}: your code goes here"


STUB_LABEL_RE = re.compile(r"\((?P<label>[^()\s]+)\): your code goes here")


def stub_label(source) -> str | None:
    """The label of the exercise whose stub `source` holds, or None."""
    m = STUB_LABEL_RE.search(source)
    return m.group("label") if m else None


def exercise_label(options) -> str | None:
    """An exercise directive's ``:label:`` option, or None."""
    return str(options.get("label") or "").strip() or None


def read_exercises(items, name="", chapter_number=None) -> Chapter:
    """The chapter `name` and its exercises, from the items of ``myst.walk`` over its cells.

    A solution belongs to the exercise its label names (one read before it); the code
    cells that call ``lib.checks`` after a solution, up to the next exercise, are that
    exercise's checks.
    """
    title, exercises, by_label = "", [], {}
    number = 0
    solved = None  # the exercise whose solution came last, until the next exercise
    for item in items:
        if isinstance(item, Markdown):
            for block in item.blocks:
                if block[0] == "text" and not title:
                    title = next((l[2:].strip() for l in block[1] if l.startswith("# ")), "")
                if directive_name(block) not in ("exercise", "exercise-start"):
                    continue
                options = block[3]
                if "nonumber" not in options:
                    number += 1
                label = exercise_label(options) or f"exercise-{len(exercises) + 1}"
                ex = Exercise(label, None if "nonumber" in options else number,
                                    block[2], block[4], chapter_number=chapter_number)
                exercises.append(ex)
                by_label[label] = ex
                solved = None
        elif isinstance(item, Solution):
            solved = by_label.get(item.label)  # None: a solution of no exercise (dropped)
            if solved is not None:
                solved.solution.extend(item.sources)
        elif solved is not None and "lib.checks." in item.cell.source:
            solved.check_cells.append(item.cell.source)
    return Chapter(name, title or name, exercises)


# ------------------------------------------------------------------ check calls


@dataclass(frozen=True)
class Check:
    """One course check call: ``lib.checks.<module>.<function>(<args>)``."""
    module: str
    function: str
    args: tuple[str, ...]              # source of each positional argument
    kwargs: tuple[tuple[str, str], ...]  # (name, source) of each keyword argument
    source: str                        # the call as written in the chapter


def check_calls(source: str) -> list[Check]:
    """The top-level ``lib.checks.<module>.<function>(...)`` calls in a code cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call):
            continue
        parts, f = [], call.func
        while isinstance(f, ast.Attribute):
            parts.append(f.attr)
            f = f.value
        if not isinstance(f, ast.Name):
            continue
        parts.append(f.id)
        parts.reverse()
        if len(parts) != 4 or parts[:2] != ["lib", "checks"]:
            continue
        args = tuple(ast.get_source_segment(source, a) for a in call.args)
        kwargs = tuple((k.arg, ast.get_source_segment(source, k.value)) for k in call.keywords
                       if k.arg is not None)
        found.append(Check(parts[2], parts[3], args, kwargs, ast.get_source_segment(source, call)))
    return found


def check_arguments(source: str) -> set[str]:
    """Names passed as arguments to lib.checks.<chapter>.check_*(...) calls in a cell
    (anywhere in it, not only top-level calls: the generator keeps what a check needs)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and "lib.checks." in ast.unparse(node.func) + ".":
            for arg in list(node.args) + [k.value for k in node.keywords]:
                names |= {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}
    return names


# ------------------------------------------------------------------ a chapter of the book

CHAPTER_NAME_RE = re.compile(r"^[A-Za-z0-9][\w.-]*$")


class UnknownChapter(LookupError):
    """The name is not a chapter of this book."""


def chapter_names(book: Path = BOOK) -> list[str]:
    """The notebook pages of book/_toc.yml (those with exercises to grade), in reading order."""
    return notebook_pages(book)


def parse_chapter(name: str, text: str, chapter_number=None) -> Chapter:
    """Parse a MyST chapter's text (as jupytext reads it) into its exercises."""
    import jupytext

    nb = jupytext.reads(text, fmt="md:myst")
    return read_exercises(walk(nb.cells, name), name, chapter_number)


@functools.lru_cache(maxsize=None)
def load_chapter(name: str, book: Path = BOOK) -> Chapter:
    """The chapter called ``name`` (a docname of _toc.yml), or `UnknownChapter`."""
    if not isinstance(name, str) or not CHAPTER_NAME_RE.match(name) \
            or name not in chapter_names(book) or not (book / f"{name}.md").is_file():
        known = ", ".join(chapter_names(book))
        raise UnknownChapter(f"{name!r} is not a chapter of this course (the chapters are: {known})")
    return parse_chapter(name, (book / f"{name}.md").read_text(), chapter_numbers(book).get(name))
