"""One chapter assembled into its student notebook.

The chapter in reading order, with a set-up cell after its title (``myst.walk``): its Markdown
rewritten for Jupyter (``markdown.Rewriter``), its code cells as they are (without
outputs), and each solution replaced by a stub of what its exercise asks for
(``stubs.stub_source``) and, for a question in words, an empty answer cell; last, when
the chapter has checks, a cell that summarises them.
"""
import re
from pathlib import Path

import jupytext
import nbformat

from .bibliography import reference_list
from .book import install_spec
from .exercises import check_arguments, read_exercises, shown_number, stub_message
from .glue import GlueValues
from .markdown import REFERENCES, Rewriter
from .myst import Code, Markdown, walk
from .stubs import stub_source

# A statement that asks for words: a question, or a request to show, prove, explain,
# derive or predict something. Such an exercise gets an answer cell (Markdown).
ASKS_RE = re.compile(r"\?|\b(show|prove|explain|derive|predict)\b", re.I)

SETUP = '''\
#@title Set-up: the course library `lib`, installed where it is missing (a few seconds)
# Colab, Binder, your own Jupyter: installs `lib` from the course repository once per
# session (pip prints only errors); where `lib` is importable already, installs nothing.
import importlib, subprocess, sys
try:
    import lib.checks
except ImportError:  # not installed, or hidden by a folder named `lib` next to this notebook
    _lib = {spec!r}
    print("Installing the course library from", _lib.split("@ ")[-1], "...", flush=True)
    _pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", _lib,
                           "--disable-pip-version-check", "--root-user-action=ignore"])
    importlib.invalidate_caches()
    try:
        if _pip.returncode:
            raise ImportError
        import lib.checks
    except ImportError:
        raise RuntimeError(
            "The course library `lib` could not be installed or imported. In a terminal "
            f"(or a cell starting with !) run:  {{sys.executable}} -m pip install '{{_lib}}'  "
            "then restart the kernel and run this notebook again. If a folder or file named "
            "`lib` sits next to this notebook, rename it: it hides the course library."
        ) from None
lib.checks.keep_going()  # a failing check prints why and "Run all" goes on to the next cell
'''

SUMMARY_INTRO = """\
## Your self-checks

The cell below lists every exercise whose check ran in this session: passed, failed,
or not implemented yet. Rerun it after you change an answer and its check."""


def setup_index(nb):
    """Where a student notebook's set-up cell is: its first code cell, after the title."""
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def setup_cell(config):
    """The set-up cell: in Colab a collapsed form (``#@title``, ``cellView: form``) that
    shows its title; elsewhere a short, readable cell."""
    cell = nbformat.v4.new_code_cell(SETUP.format(spec=install_spec(config)).rstrip("\n"))
    cell.metadata["cellView"] = "form"
    return cell


def code_cell(cell):
    """A chapter's code cell for the notebook: its source, tags and figure alt text."""
    new = nbformat.v4.new_code_cell(cell.source)
    tags = list(cell.metadata.get("tags", []))
    if tags:
        new.metadata["tags"] = tags
    if "mystnb" in cell.metadata:  # figure alt text, for myst-nb renderers
        new.metadata["mystnb"] = cell.metadata["mystnb"]
    return new


def book_only(cell):
    """Whether a code cell is for the built book only: tagged ``remove-cell``. Such cells
    glue values into the prose and assert what the prose says of them; the notebook gets
    the values written into its text instead (glue.py). (A chapter's first code cell, its
    imports and seed, is visible: tests/test_chapter_sources.py.)"""
    return "remove-cell" in cell.metadata.get("tags", [])


def flush_markdown(lines, cells):
    """Append the pending Markdown `lines` to `cells` as one cell, blank lines around it
    trimmed (nothing if nothing is left), and empty `lines`."""
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        cells.append(nbformat.v4.new_markdown_cell("\n".join(lines)))
    lines.clear()


class StudentNotebook:
    """Turns one chapter into its student notebook."""

    def __init__(self, doc, book, config, bib, titles, chapter_number=None, executed=None):
        self.doc, self.book, self.config = doc, book, config
        # Where the book's last build put its executed notebooks (the glued values).
        self.executed = Path(executed) if executed else book / "_build" / "jupyter_execute"
        self.bib, self.titles = bib, dict(titles)
        self.chapter_number = chapter_number  # None for the root page, as on the site
        self.exercises = {}  # label -> exercises.Exercise, set by convert
        self.numbers = {}    # label -> "4.2" (or "2" on the root page), set by convert

    def convert(self):
        source = jupytext.read(str(self.book / f"{self.doc}.md"))
        items = list(walk(source.cells, self.doc))
        # Number the exercises first, so that a reference may come before its exercise.
        self.exercises = read_exercises(items, self.doc, self.chapter_number).by_label()
        self.numbers = {label: shown_number(self.chapter_number, ex.number)
                        for label, ex in self.exercises.items() if ex.number is not None}
        self.titles.update({label: ex.name for label, ex in self.exercises.items() if ex.name})
        md = Rewriter(self.book, self.config, self.bib, self.titles, self.chapter_number,
                      self.numbers, GlueValues(self.doc, source.cells, self.executed))
        cells = []
        pending = []  # Markdown lines waiting to become a cell
        for item in items:
            if isinstance(item, Markdown):
                pending += md.markdown_blocks(item.blocks) + ([""] if item.cell_end else [])
                continue
            flush_markdown(pending, cells)
            if isinstance(item, Code):
                if not book_only(item.cell):
                    cells.append(code_cell(item.cell))
            else:
                cells.extend(self.replacement(item.label, item.sources))
        flush_markdown(pending, cells)
        # The set-up cell right after the title (the first Markdown cell), before any code.
        first = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
        setup = setup_cell(self.config)
        cells.insert(min(1, first), setup)
        self.fill_references(cells, md.cited)
        if any(c.cell_type == "code" and "lib.checks." in c.source for c in cells if c is not setup):
            cells.append(nbformat.v4.new_markdown_cell(SUMMARY_INTRO))
            cells.append(nbformat.v4.new_code_cell("lib.checks.summary();"))
        nb = nbformat.v4.new_notebook()
        nb.metadata = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "colab": {"provenance": []},
            # Which chapter this is: the grader (python -m grading) reads only this.
            "course": {"chapter": self.doc},
        }
        for i, c in enumerate(cells):
            c.id = f"{self.doc[:40]}-{i:03d}"
        nb.cells = cells
        return nb

    def statement(self, label):
        ex = self.exercises.get(label)
        return "\n".join(ex.statement) if ex else ""

    def exercise_names(self, label):
        """The names an exercise asks for: named in its statement (`name` or `name(...)`)
        or passed to its check. Other functions and classes in the solution are its demo
        helpers, dropped with the rest of the solution's code."""
        named = set(re.findall(r"`([A-Za-z_]\w*)(?:[(`])", self.statement(label)))
        ex = self.exercises.get(label)
        return named.union(*(check_arguments(src) for src in (ex.check_cells if ex else [])))

    def asks_in_words(self, label):
        """Whether the statement asks a question or for an argument (not only for code)."""
        return bool(ASKS_RE.search(self.statement(label)))

    def replacement(self, label, code_sources):
        """The cells that stand in for a solution: a stub of the functions and classes the
        exercise asks for, or an empty code cell, when the solution has code; and an empty
        answer cell when the exercise asks a question in words (or has no code)."""
        ex = self.exercises.get(label)
        name = ex.name if ex else None  # "Exercise 4.2", None if unnumbered
        answer = nbformat.v4.new_markdown_cell(f"*Your answer to {name or 'this exercise'}:*")
        if not code_sources:
            return [answer]
        message = stub_message(name, label)
        wanted = self.exercise_names(label)
        stubs = [s for s in (stub_source(src, message, wanted) for src in code_sources) if s]
        if not stubs:
            stubs = [f"# {name} ({label}): write your code here.\n" if name
                     else f"# {label}: write your code here.\n"]
        cells = [nbformat.v4.new_code_cell("\n\n\n".join(s.rstrip("\n") for s in stubs))]
        return cells + ([answer] if self.asks_in_words(label) else [])

    def fill_references(self, cells, cited):
        """Put the list of the `cited` entries where {bibliography} was."""
        entries = reference_list(self.bib, cited)
        for cell in cells:
            if cell.cell_type == "markdown" and REFERENCES in cell.source:
                cell.source = cell.source.replace(REFERENCES, "\n".join(entries))
                # A References heading with nothing under it goes too.
                cell.source = re.sub(r"(?m)^#+ References\s*\Z", "", cell.source).strip()
        cells[:] = [c for c in cells if c.cell_type != "markdown" or c.source.strip()]
