"""A chapter's exercises as its source states them, and the check calls that test them.

Read from the chapter walk (``myst.walk``) by both the notebook generator, which stubs
what an exercise asks for, and the grader (grading/chapters.py), which runs its checks.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .myst import Markdown, Solution, directive_name


@dataclass
class ExerciseSource:
    """One ``{exercise}`` of a chapter."""
    label: str                   # its :label:, or "exercise-<k>" for the k-th if it has none
    number: int | None           # within its chapter; None with :nonumber:
    title: str                   # the directive's argument
    statement: list[str]         # its MyST lines
    solution: list[str] = field(default_factory=list)     # its solution's code cells
    check_cells: list[str] = field(default_factory=list)  # code cells calling lib.checks after it


@dataclass
class Index:
    title: str                   # the chapter's "# " heading ("" if none)
    exercises: list[ExerciseSource]

    def by_label(self) -> dict[str, ExerciseSource]:
        return {e.label: e for e in self.exercises}


def exercise_label(options) -> str | None:
    """An exercise directive's ``:label:`` option, or None."""
    return str(options.get("label") or "").strip() or None


def shown_number(chapter_number, n) -> str:
    """An exercise's number as the site shows it: "4.2" in chapter 4, "2" on the root page
    (``chapter_number`` None)."""
    return f"{chapter_number}.{n}" if chapter_number is not None else str(n)


def read_exercises(items) -> Index:
    """The exercises of a chapter, from the items of ``myst.walk`` over its cells.

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
                ex = ExerciseSource(label, None if "nonumber" in options else number,
                                    block[2], block[4])
                exercises.append(ex)
                by_label[label] = ex
                solved = None
        elif isinstance(item, Solution):
            solved = by_label.get(item.label)  # None: a solution of no exercise (dropped)
            if solved is not None:
                solved.solution.extend(item.sources)
        elif solved is not None and "lib.checks." in item.cell.source:
            solved.check_cells.append(item.cell.source)
    return Index(title, exercises)


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
