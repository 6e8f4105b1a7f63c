"""What the course says about a chapter's exercises, read from its source book/<chapter>.md.

For each ``{exercise}`` directive: its label, number (as the student notebook numbers
them), title, and the course's check calls, which are the calls
``lib.checks.<module>.check_<name>(...)`` in the code cells right after the exercise's
``{solution-end}``. An exercise without a check call is not scored: its answer is
listed for the instructor to read. The solution's code cells are kept too, so that an
answer key can be made (`solved_notebook`).

Nothing here reads a submission's check cells: those are the student's to edit.
"""
from __future__ import annotations

import ast
import copy
import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from bookkit import BOOK, chapter_numbers, toc_pages  # noqa: E402  (the book's plumbing)

NOTEBOOKS = REPO / "notebooks"

FENCE = r"^\s{0,3}(?:`{3,}|:{3,})"
EXERCISE_RE = re.compile(FENCE + r"\{exercise(?:-start)?\}[ \t]*(?P<title>.*)$")
OPTION_RE = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
SOLUTION_START_RE = re.compile(FENCE + r"\{solution-start\}[ \t]*(?P<label>\S+)")
SOLUTION_RE = re.compile(FENCE + r"\{solution\}[ \t]*(?P<label>\S+)")
SOLUTION_END_RE = re.compile(FENCE + r"\{solution-end\}")
STUB_LABEL_RE = re.compile(r"\((?P<label>[^()\s]+)\): your code goes here")
CHAPTER_NAME_RE = re.compile(r"^[A-Za-z0-9][\w.-]*$")


@dataclass(frozen=True)
class Check:
    """One course check call: ``lib.checks.<module>.<function>(<args>)``."""
    module: str
    function: str
    args: tuple[str, ...]              # source of each positional argument
    kwargs: tuple[tuple[str, str], ...]  # (name, source) of each keyword argument
    source: str                        # the call as written in the chapter


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
    """The pages of book/_toc.yml, in reading order."""
    return toc_pages(book)


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


def parse_chapter(name: str, text: str) -> Chapter:
    """Parse a MyST chapter's text (as jupytext reads it) into its exercises."""
    import jupytext

    nb = jupytext.reads(text, fmt="md:myst")
    exercises: list[Exercise] = []
    title = ""
    number = 0
    solution: Exercise | None = None   # inside a gated solution
    pending: Exercise | None = None    # the exercise whose solution just ended
    by_label: dict[str, Exercise] = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            if solution is not None:
                solution.solution.append(cell.source)
            else:
                calls = check_calls(cell.source)
                if calls and pending is not None:
                    pending.checks.extend(calls)
            continue
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            if not title and line.startswith("# "):
                title = line[2:].strip()
            m = EXERCISE_RE.match(line)
            if m:
                options = {}
                for opt in lines[i + 1:]:
                    o = OPTION_RE.match(opt)
                    if not o:
                        break
                    options[o.group("key")] = o.group("value").strip()
                nonumber = "nonumber" in options
                if not nonumber:
                    number += 1
                label = options.get("label") or f"exercise-{len(exercises) + 1}"
                ex = Exercise(label, None if nonumber else number, m.group("title").strip())
                exercises.append(ex)
                by_label[label] = ex
                pending = None
                continue
            m = SOLUTION_START_RE.match(line)
            if m:
                solution = by_label.get(m.group("label"))
                if solution is None:  # a solution for no listed exercise: collect and drop
                    solution = Exercise(m.group("label"), None, "")
                continue
            if SOLUTION_END_RE.match(line) and solution is not None:
                pending, solution = solution, None
                continue
    return Chapter(name, title or name, exercises)


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
        m = STUB_LABEL_RE.search(cell.source)
        if not m or (only is not None and m.group("label") not in only):
            continue
        ex = next((e for e in chapter.exercises if e.label == m.group("label")), None)
        if ex is not None and ex.solution:
            cell.source = "\n\n".join(s.rstrip("\n") for s in ex.solution)
    return nb
