"""The student notebooks (notebooks/<chapter>.ipynb) and the site's launch buttons.

Generic over the pages listed in book/_toc.yml: every chapter gets a student notebook
that is in sync with its source, is valid nbformat, holds no line of any solution,
runs on this machine (offline) up to its first exercise check, where the check
reports "not implemented yet"; and each built page's Colab and Binder buttons open
that notebook on the repository's branch.
"""
import ast
import importlib.util
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"

_spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)
from bookkit import MYST_HEADER  # noqa: E402  (tools/ is on sys.path: see conftest.py)

CHAPTERS = mk.toc_docnames(BOOK)
CONFIG = mk.book_config(BOOK)


def student(doc):
    return nbformat.read(NOTEBOOKS / f"{doc}.ipynb", as_version=4)


# ------------------------------------------------------------------ sync and format


def test_committed_notebooks_are_in_sync():
    """Regenerating changes nothing, and there is one notebook per chapter, no more."""
    wanted = mk.build(BOOK)
    assert sorted(wanted) == sorted(f"{d}.ipynb" for d in CHAPTERS)
    present = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert present == sorted(wanted), (
        f"notebooks/ holds {present}, the chapters need {sorted(wanted)}: run `make notebooks`")
    stale = [n for n, text in wanted.items() if (NOTEBOOKS / n).read_text() != text]
    assert not stale, f"out of date: {stale}; run `make notebooks` and commit notebooks/"


def test_generation_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert mk.main(["--out", str(out)]) == 0
    for p in first.iterdir():
        assert p.read_bytes() == (second / p.name).read_bytes(), p.name
    assert mk.main(["--out", str(first), "--check"]) == 0


@pytest.mark.parametrize("doc", CHAPTERS)
def test_valid_nbformat_without_outputs(doc):
    nb = student(doc)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "jupytext" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    first = nb.cells[0]
    url, branch, _ = mk.repository(CONFIG)
    assert first.cell_type == "code" and f"git+{url}@{branch}" in first.source, (
        "the first cell must install lib from repository.url in book/_config.yml")


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
    assert "keep_going" in student(doc).cells[0].source


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
            | {l.strip() for l in nb.cells[0].source.splitlines()})


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


# ------------------------------------------------------------------ the generator's rules

SAMPLE = MYST_HEADER + '''
(sec-sample)=
# Sample

% a MyST comment
See {ref}`sec-sample`, {numref}`the table <tab-x>` and {cite:p}`lee2020x`; also
{cite:t}`lee2020x` and {math}`x^2`. Try {ref}`ex-sample-why`.

$$ y = x $$ (eq-y)

```{note}
Mind the gap.
```

```{literalinclude} snippet.py
```

## Exercises

```{exercise} Build a layer
:label: ex-sample-layer

Write `helper`, `Layer` and `second()`.
```

````{solution-start} ex-sample-layer
:class: dropdown
````

SECRET prose explains the trick.

```{code-cell} ipython3
import math

@lib.add_to_class(object)
def helper(x,
           y=1e-3):  # signature comment stays
    """Help."""
    return x * y + 42  # SECRET-1

class Layer(nn.Module):
    """A layer."""
    scale = 3  # SECRET-2
    def __init__(self, n):
        super().__init__()  # SECRET-3
    def forward(self, X):
        """Apply it."""
        return X * self.scale  # SECRET-4
%timeit helper(1)
print(helper(2))  # SECRET-5
```

More SECRET prose.

```{code-cell} ipython3
def second(): return 7  # SECRET-6

def demo_only(): return second()  # SECRET-7: a helper of the solution, not asked for
```

````{solution-end}
````

```{code-cell} ipython3
lib.checks.sample.check_layer(Layer)
```

```{exercise}
:label: ex-sample-why

Why?
```

````{solution-start} ex-sample-why
:class: dropdown
````

Because SECRET.

````{solution-end}
````

## References

```{bibliography}
:filter: docname in docnames
```
'''


@pytest.fixture
def sample_book(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "sample.md").write_text(SAMPLE)
    (book / "snippet.py").write_text("print('included')\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: sample\n")
    (book / "_config.yml").write_text(yaml.safe_dump({
        "bibtex_bibfiles": ["refs.bib"],
        "repository": {"url": "https://github.com/someone/somerepo", "branch": "dev"}}))
    (book / "refs.bib").write_text(
        "@article{lee2020x,\n  title={A {Title}},\n  author={Lee, Ann and Kim, Bo and Park, Cy},\n"
        "  journal={J},\n  year={2020}\n}\n")
    return book


def test_generator_on_a_sample_chapter(sample_book):
    text = mk.build(sample_book)["sample.ipynb"]
    nb = nbformat.reads(text, as_version=4)
    assert "SECRET" not in text
    assert "dlf-lib @ git+https://github.com/someone/somerepo@dev" in nb.cells[0].source
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert ("See Sample, the table and (Lee et al., 2020); also\nLee et al. (2020) and $x^2$. "
            "Try Exercise 2.") in md
    assert "$$ y = x $$" in md and "(eq-y)" not in md
    assert "> **Note**" in md and "> Mind the gap." in md
    assert "```python\nprint('included')\n```" in md
    assert "**Exercise 1: Build a layer**\n\nWrite `helper`, `Layer` and `second()`." in md
    assert "**Exercise 2**\n\nWhy?" in md
    assert "- Ann Lee, Bo Kim, Cy Park (2020). A Title. *J*." in md
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    stub = next(s for s in code if "NotImplementedError" in s)
    msg = '"Exercise 1 (ex-sample-layer): your code goes here"'
    assert stub == (
        "@lib.add_to_class(object)\n"
        "def helper(x,\n"
        "           y=1e-3):  # signature comment stays\n"
        '    """Help."""\n'
        f"    raise NotImplementedError({msg})\n"
        "\n\n"
        "class Layer(nn.Module):\n"
        '    """A layer."""\n'
        "\n"
        "    def __init__(self, n):\n"
        f"        raise NotImplementedError({msg})\n"
        "\n"
        "    def forward(self, X):\n"
        '        """Apply it."""\n'
        f"        raise NotImplementedError({msg})\n"
        "\n\n"
        "def second():\n"
        f"    raise NotImplementedError({msg})")
    ast.parse(stub)
    check = code.index(stub) + 1
    assert code[check] == "lib.checks.sample.check_layer(Layer)"
    answer = next(i for i, c in enumerate(nb.cells) if c.source.startswith("*Your answer"))
    assert "Exercise 2" in nb.cells[answer].source and "Why?" in nb.cells[answer - 1].source
    # The sample's solution lines are caught by the independent splitter.
    _, secret = split_solutions(SAMPLE)
    assert sum("SECRET" in l for l in secret) == 10
    # The helper nobody asked for is not stubbed; the prose question gets an answer cell;
    # "Run all" keeps going past failing checks and ends with their summary.
    assert "demo_only" not in text
    assert nb.cells[answer].cell_type == "markdown"
    assert "lib.checks.keep_going()" in nb.cells[0].source
    assert nb.cells[-1].cell_type == "code" and nb.cells[-1].source == "lib.checks.summary();"


def test_exercises_are_numbered_within_their_chapter(sample_book):
    """In a numbered part, chapter 2's exercises are 2.1, 2.2, ... (as Sphinx numbers them
    with numfig_secnum_depth 1); the root page's are 1, 2, ..."""
    (sample_book / "second.md").write_text(SAMPLE.replace("sec-sample", "sec-second")
                                           .replace("ex-sample", "ex-second"))
    (sample_book / "first.md").write_text("# First\n\nNo exercises.\n")
    (sample_book / "_toc.yml").write_text(
        "format: jb-book\nroot: sample\nparts:\n  - caption: P\n    numbered: true\n"
        "    chapters:\n      - file: first\n      - file: second\n")
    built = mk.build(sample_book)
    second = nbformat.reads(built["second.ipynb"], as_version=4)
    md = "\n".join(c.source for c in second.cells)
    assert "**Exercise 2.1: Build a layer**" in md and "**Exercise 2.2**" in md
    assert "Try Exercise 2.2." in md and "Exercise 2.1 (ex-second-layer): your code goes here" in md
    assert "*Your answer to Exercise 2.2:*" in md
    assert "**Exercise 1: Build a layer**" in built["sample.ipynb"]


# ------------------------------------------------------------------ execution


def solutions_in_order(doc):
    """For each exercise of the chapter, in order: (label, the solution's code cells, the
    check cells after it), read from the chapter source with jupytext."""
    import jupytext

    found, current, last = [], None, None
    for cell in jupytext.read(str(BOOK / f"{doc}.md")).cells:
        if cell.cell_type == "markdown":
            for m in re.finditer(r"\{(solution-start|solution-end|exercise)\}\s*(\S*)", cell.source):
                if m.group(1) == "solution-start":
                    current = (m.group(2), [], [])
                    found.append(current)
                elif m.group(1) == "solution-end":
                    current, last = None, current
                else:
                    last = None
        elif cell.cell_type == "code":
            if current is not None:
                current[1].append(cell.source)
            elif last is not None and "lib.checks." in cell.source:
                last[2].append(cell.source)
    return found


def check_names(check_sources):
    """The exercise names (as lib.checks reports them) of the checks these cells call."""
    import lib.checks

    names = []
    for src in check_sources:
        for module, func in re.findall(r"lib\.checks\.(\w+)\.(\w+)\(", src):
            names.append(getattr(getattr(lib.checks, module), func).exercise)
    return names


RESULTS_CELL = "import json as _json; print('RESULTS=' + _json.dumps(lib.checks.summary()))"


def run_both_ways(doc):
    """Run the student notebook as a student would with "Run all" (offline, set-up cell
    included), then, in the same kernel, each exercise's solution from the chapter source
    followed by its check cells. Returns (summary unsolved, summary solved, seconds)."""
    import time

    from nbclient import NotebookClient

    nb = student(doc)
    cells = list(nb.cells)
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith(("COLAB_", "BINDER_"))}
    client = NotebookClient(nb, kernel_name="python3", timeout=900, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})

    def run(source):
        """Execute one more cell, appended to the notebook; return its printed text."""
        nb.cells.append(nbformat.v4.new_code_cell(source))
        cell = client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
        return "".join(o.get("text", "") for o in cell.outputs)

    def results():
        return json.loads(run(RESULTS_CELL).split("RESULTS=", 1)[1])

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env_clean)
    t0 = time.perf_counter()
    try:
        with client.setup_kernel():
            for i, cell in enumerate(cells):      # "Run all": any error fails the test
                if cell.cell_type == "code":
                    client.execute_cell(cell, i)
            printed = "".join(o.get("text", "") for o in nb.cells[0].outputs)
            assert printed == "", f"the set-up cell should be silent here: {printed!r}"
            unsolved = results()
            for label, code, checks in solutions_in_order(doc):
                for src in code + checks:
                    run(src)
            solved = results()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return unsolved, solved, time.perf_counter() - t0


@pytest.mark.slow
@pytest.mark.parametrize("doc", CHAPTERS)
def test_student_notebook_runs_through_unsolved_and_solved(doc):
    """Unsolved, "Run all" reaches the last cell and the summary lists every exercise
    with a check as not implemented yet; with the chapter's solutions filled in, every
    check passes."""
    import lib.checks

    expected = [n for _, _, checks in solutions_in_order(doc) for n in check_names(checks)]
    unsolved, solved, seconds = run_both_ways(doc)
    print(f"{doc}: unsolved and solved in {seconds:.0f} s")
    assert sorted(unsolved) == sorted(set(expected)), (unsolved, expected)
    assert all(v == lib.checks.NOT_IMPLEMENTED for v in unsolved.values()), unsolved
    assert solved == {name: "passed" for name in unsolved}, solved


# ------------------------------------------------------------------ launch buttons


# The launch-link tests use the shared clean build (`built_html` in conftest.py).


def expected_launch_urls(doc):
    url, branch, _ = mk.repository(CONFIG)
    org, repo = re.match(r"https://github\.com/([^/]+)/([^/]+)", url).groups()
    buttons = CONFIG.get("launch_buttons", {})
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[buttons.get("notebook_interface", "classic")]
    path = f"notebooks/{doc}.ipynb"
    return {
        "colab": f"{buttons['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}/{path}",
        "binder": f"{buttons['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}"
                  f"?urlpath={ui}/{path}",
    }


@pytest.mark.book
@pytest.mark.parametrize("doc", CHAPTERS)
def test_launch_buttons_open_the_student_notebook(built_html, doc):
    page = (built_html / f"{doc}.html").read_text()
    links = set(re.findall(r'href="(https://[^"]+)"', page))
    for where, want in expected_launch_urls(doc).items():
        found = sorted(l.replace("&amp;", "&") for l in links
                       if ("colab." if where == "colab" else "binder") in l)
        assert found == [want], f"{doc}.html: {where} button links {found}, expected {want}"
    assert (NOTEBOOKS / f"{doc}.ipynb").is_file()
    # The download menu's .ipynb is the same student notebook, published with the site.
    assert f'href="_notebooks/{doc}.ipynb"' in page, f"{doc}.html: no student .ipynb download"
    assert f'_sources/{doc}.ipynb"' not in page, f"{doc}.html still offers the executed notebook"
    published = built_html / "_notebooks" / f"{doc}.ipynb"
    assert published.read_bytes() == (NOTEBOOKS / f"{doc}.ipynb").read_bytes()
