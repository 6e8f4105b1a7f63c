"""The committed student notebooks (notebooks/<chapter>.ipynb), read as files.

Generic over the pages listed in book/_toc.yml: every chapter has a student notebook in
sync with its source, valid nbformat without outputs, in plain Markdown that Jupyter and
Colab render, with each exercise's statement and a place to answer, and no line of any
solution. (Running them: tests/test_student_runs.py; the generator's rules on a sample
chapter: tests/test_notebook_generator.py; launch buttons: tests/test_launch.py.)
"""
import ast
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"

import make_notebooks as mk  # noqa: E402  (tools/ is on sys.path: see conftest.py)
from course.book import book_config, notebook_pages, repository
from course.notebook import setup_index
CHAPTERS = notebook_pages(BOOK)
CONFIG = book_config(BOOK)


def student(doc):
    return nbformat.read(NOTEBOOKS / f"{doc}.ipynb", as_version=4)


# ------------------------------------------------------------------ sync and format


@pytest.mark.book
def test_committed_notebooks_are_in_sync(book_build):
    """Regenerating changes nothing, and there is one notebook per chapter, no more. The
    values the chapters glue into their text come from this run's clean build, so a
    committed notebook whose numbers the chapter no longer computes fails here."""
    wanted = mk.build(BOOK, book_build.executed)
    assert sorted(wanted) == sorted(f"{d}.ipynb" for d in CHAPTERS)
    present = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert present == sorted(wanted), (
        f"notebooks/ holds {present}, the chapters need {sorted(wanted)}: run `make notebooks`")
    stale = [n for n, text in wanted.items() if (NOTEBOOKS / n).read_text() != text]
    assert not stale, f"out of date: {stale}; run `make notebooks` and commit notebooks/"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_valid_nbformat_without_outputs(doc):
    nb = student(doc)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "jupytext" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    first = nb.cells[setup_index(nb)]
    url, branch, _ = repository(CONFIG)
    assert f"git+{url}@{branch}" in first.source, (
        "the first code cell must install lib from repository.url in book/_config.yml")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), (
        "the notebook opens with the chapter's title, not with the set-up cell")
    assert first.source.startswith("#@title ") and first.metadata.get("cellView") == "form", (
        "the set-up cell is a collapsed form cell in Colab")


# Markdown that only MyST renders: Jupyter and Colab would show it raw.
MYST_ONLY = [
    (re.compile(r"^\s*\([^()\s]+\)=\s*$", re.M), "a target label `(name)=`"),
    (re.compile(r"\{[\w:+-]+\}`"), "a MyST role such as {cite:p}`...`"),
    (re.compile(r"^\s*(`{3,}|:{3,})\s*\{[^}]+\}", re.M), "a MyST directive"),
    (re.compile(r"solution-(start|end)"), "a solution marker"),
    (re.compile(r"^%", re.M), "a MyST comment"),
]


@pytest.mark.parametrize("doc", CHAPTERS)
def test_markdown_is_plain(doc):
    for i, cell in enumerate(student(doc).cells):
        if cell.cell_type != "markdown":
            continue
        for pattern, what in MYST_ONLY:
            m = pattern.search(cell.source)
            assert not m, f"{doc}.ipynb cell {i} still has {what}: {m.group(0)!r}"


def exercises_in_source(text):
    """(label, title, statement, solution code cells) for each exercise in the source,
    parsed straight from the MyST text."""
    found = re.findall(r"^(`{3,}|:{3,})\{exercise\}[ \t]*([^\n]*)\n((?::\w+:[^\n]*\n)*?)"
                       r":label:\s*(\S+)\n"
                       r"(.*?)^\1\s*$", text, re.M | re.S)
    result = []
    for _, title, _, label, statement in found:
        sol = re.search(r"\{solution-start\}\s*" + re.escape(label) + r"\s*\n(.*?)\{solution-end\}",
                        text, re.S)
        code = ["\n".join(cell_body(c.splitlines())) for c in re.findall(
            r"^`{3,}\{code-cell\}[^\n]*\n(.*?)^`{3,}\s*$", sol.group(1), re.S | re.M)] if sol else []
        result.append((label, title.strip(), statement, code))
    return result


def cell_body(lines):
    """A code cell's lines without its options: `:key: value` lines or a `---` YAML block."""
    lines = list(lines)
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        lines = lines[end + 1:]
    while lines and lines[0].startswith(":"):
        lines = lines[1:]
    return lines


def exercise_numbers(doc):
    """'4.2'-style numbers of a chapter's exercises, as the site shows them: chapters of
    the numbered parts of _toc.yml are numbered in reading order; the root page is not."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    numbered = [c["file"] for part in toc.get("parts", []) if part.get("numbered")
                for c in part.get("chapters", [])]
    prefix = f"{numbered.index(doc) + 1}." if doc in numbered else ""
    count = len(exercises_in_source((BOOK / f"{doc}.md").read_text()))
    return [f"{prefix}{n}" for n in range(1, count + 1)]


def asked_names(statement, check_source):
    """Names an exercise asks for: in backticks in its statement, or passed to its check."""
    names = set(re.findall(r"`([A-Za-z_]\w*)[(`]", statement))
    for call in re.findall(r"lib\.checks\.\w+\.\w+\(([^)]*)\)", check_source):
        names |= set(re.findall(r"[A-Za-z_]\w*", call))
    return names


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_exercise_has_its_statement_and_a_place_to_answer(doc):
    """Code solutions give a stub of what the exercise asks for (or an empty code cell),
    a question asked in words gives a Markdown answer cell; numbers match the site."""
    text = (BOOK / f"{doc}.md").read_text()
    nb = student(doc)
    sources = [c.source for c in nb.cells]
    for number, (label, title, statement, code) in zip(exercise_numbers(doc),
                                                       exercises_in_source(text)):
        heading = f"**Exercise {number}" + (f": {title}**" if title else "**")
        at = [i for i, s in enumerate(sources) if heading in s]
        assert at, f"{doc}: no {heading!r} in the student notebook"
        i = at[0] + 1
        if code:
            cell = nb.cells[i]
            defined = {n.name for c in code for n in ast.parse(c).body
                       if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            tail = text.split(f"{{solution-start}} {label}", 1)[1].split("{solution-end}", 1)[1]
            wanted = defined & asked_names(statement, tail.split("{exercise}", 1)[0])
            assert cell.cell_type == "code" and label in cell.source, \
                f"{doc}: {label} should be followed by a code cell for the answer"
            if wanted:
                stubbed = {n.name for n in ast.parse(cell.source).body}
                assert stubbed == wanted and "raise NotImplementedError(" in cell.source, (
                    f"{doc}: {label}'s stub defines {sorted(stubbed)}, the exercise asks for "
                    f"{sorted(wanted)} (its other functions are the solution's own helpers)")
            else:
                assert cell.source == f"# Exercise {number} ({label}): write your code here.", \
                    f"{doc}: {label} should be followed by an empty code cell"
            i += 1
        words = "?" in statement or re.search(r"\b(show|prove|explain|derive|predict)\b",
                                              statement, re.I)
        if words or not code:
            cell = nb.cells[i]
            assert cell.cell_type == "markdown" and \
                cell.source == f"*Your answer to Exercise {number}:*", \
                f"{doc}: {label} asks in words and should get a Markdown answer cell"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_the_book_never_keeps_going(doc):
    """Only student notebooks turn on keep_going: in the book a failing check raises,
    so a wrong solution fails the build and is never published."""
    text = (BOOK / f"{doc}.md").read_text()
    assert "keep_going" not in text, f"{doc}.md calls lib.checks.keep_going"
    nb = student(doc)
    assert "keep_going" in nb.cells[setup_index(nb)].source


def top_level_names(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager
        tree = ast.parse(TransformerManager().transform_cell(source))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


@pytest.mark.parametrize("doc", CHAPTERS)
def test_no_stub_shadows_what_the_chapter_defines(doc):
    """An exercise's stub must not replace a name the chapter's own code defines (a stub
    `relu` once replaced the `relu` that the chapter's model calls)."""
    nb = student(doc)
    chapter = set()
    for cell in nb.cells[1:]:
        if cell.cell_type == "code" and "raise NotImplementedError(" not in cell.source:
            chapter |= top_level_names(cell.source)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "raise NotImplementedError(" in cell.source:
            clash = top_level_names(cell.source) & chapter
            assert not clash, (f"{doc}.ipynb cell {i}: the stub redefines {sorted(clash)}, "
                               "which the chapter's own code defines: give the exercise's "
                               "function a name of its own")


# ------------------------------------------------------------------ no solution leaks


def _kept_lines(code):
    """1-based line numbers of a solution cell that a stub may keep: def/class headers
    (with decorators) and docstrings, recursively for class bodies."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    kept = set()

    def visit(node):
        start = min([d.lineno for d in node.decorator_list] + [node.lineno])
        first = node.body[0]
        kept.update(range(start, first.lineno))
        if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                and isinstance(first.value.value, str):
            kept.update(range(first.lineno, first.end_lineno + 1))
        if isinstance(node, ast.ClassDef):
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    visit(child)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            visit(node)
    return kept


def split_solutions(text):
    """(lines outside solutions, solution lines that must not reach the student).

    Parsed straight from the MyST text, independently of the generator.
    """
    outside, secret = [], []
    lines = text.splitlines()
    i, in_solution = 0, False
    while i < len(lines):
        line = lines[i]
        if re.match(r"^\s*(`{3,}|:{3,})\{solution-start\}", line):
            in_solution = True
        elif re.match(r"^\s*(`{3,}|:{3,})\{solution-end\}", line):
            in_solution = False
        elif in_solution and re.match(r"^`{3,}\{code-cell\}", line):
            fence = re.match(r"^(`{3,})", line).group(1)
            j = i + 1
            while j < len(lines) and lines[j].strip() != fence:
                j += 1
            body = cell_body(lines[i + 1:j])
            kept = _kept_lines("\n".join(body))
            secret += [l for n, l in enumerate(body, start=1) if n not in kept]
            outside += [l for n, l in enumerate(body, start=1) if n in kept]
            i = j
        elif in_solution:
            secret.append(line)
        else:
            outside.append(line)
        i += 1
    return outside, secret


def included_lines(text):
    """Lines of the files a chapter shows with {literalinclude} (visible to every reader):
    the whole file, or with :pyobject: only that object."""
    lines = set()
    pattern = r"^\s*(?:`{3,}|:{3,})\{literalinclude\}\s*(\S+)\n((?::[\w-]+:.*\n)*)"
    for path, opts in re.findall(pattern, text, re.M):
        f = BOOK / path.lstrip("/")
        if not f.is_file():
            continue
        source = f.read_text().splitlines()
        obj = re.search(r"^:pyobject:\s*(\S+)", opts, re.M)
        if obj:
            body = ast.parse("\n".join(source)).body
            for name in obj.group(1).split("."):
                node = next(n for n in body if getattr(n, "name", None) == name)
                body = node.body
            source = source[node.lineno - 1:node.end_lineno]
        lines |= {l.strip() for l in source}
    return lines


def visible_lines(doc, nb):
    """What a student may see: the chapter outside its solutions, the files it includes,
    and the notebook's set-up cell."""
    text = (BOOK / f"{doc}.md").read_text()
    return ({l.strip() for l in split_solutions(text)[0]} | included_lines(text)
            | {l.strip() for l in nb.cells[setup_index(nb)].source.splitlines()})


def leaked_lines(doc, nb):
    """Solution lines present in the notebook but nowhere outside the solutions."""
    _, secret = split_solutions((BOOK / f"{doc}.md").read_text())
    allowed = visible_lines(doc, nb)
    shown = {l.strip() for c in nb.cells for l in c.source.splitlines()}
    return sorted({l.strip() for l in secret
                   if re.search(r"\w", l) and l.strip() in shown and l.strip() not in allowed})


@pytest.mark.parametrize("doc", CHAPTERS)
def test_no_solution_line_in_any_student_notebook(doc):
    text = (BOOK / f"{doc}.md").read_text()
    _, secret = split_solutions(text)
    secret = {l.strip() for l in secret if re.search(r"\w", l)}
    for other in CHAPTERS:  # a solution must not show up in another chapter's notebook either
        nb = student(other)
        allowed = visible_lines(other, nb)
        shown = {l.strip() for c in nb.cells for l in c.source.splitlines()}
        leaks = sorted((secret & shown) - allowed)
        assert not leaks, f"solution lines of {doc}.md appear in notebooks/{other}.ipynb: {leaks[:5]}"


def test_leak_detector_catches_a_leak():
    """The test above can fail: a notebook with a solution line pasted in is caught."""
    docs = [d for d in CHAPTERS if split_solutions((BOOK / f"{d}.md").read_text())[1]]
    if not docs:
        pytest.skip("no chapter has a solution yet")
    doc = docs[0]
    nb = student(doc)
    assert leaked_lines(doc, nb) == []
    _, secret = split_solutions((BOOK / f"{doc}.md").read_text())
    line = next(l for l in secret if re.search(r"\w", l))
    nb.cells.append(nbformat.v4.new_code_cell(line))
    assert leaked_lines(doc, nb) == [line.strip()]
