"""The student notebooks (notebooks/<chapter>.ipynb) and the site's launch buttons.

Generic over the pages listed in book/_toc.yml: every chapter gets a student notebook
that is in sync with its source, is valid nbformat, holds no line of any solution,
runs on this machine (offline) up to its first exercise check, where the check
reports "not implemented yet"; and each built page's Colab and Binder buttons open
that notebook on the repository's branch.
"""
import ast
import importlib.util
import io
import os
import re
import subprocess
import sys
from contextlib import redirect_stdout
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
    """(label, title, kind of solution: stub, code or prose) for each exercise in the source."""
    found = re.findall(r"^(`{3,}|:{3,})\{exercise\}[ \t]*(.*)\n(?::\w+:.*\n)*?:label:\s*(\S+)",
                       text, re.M)
    result = []
    for _, title, label in found:
        sol = re.search(r"\{solution-start\}\s*" + re.escape(label) + r"\s*\n(.*?)\{solution-end\}",
                        text, re.S)
        code = "\n".join(re.findall(r"^`{3,}\{code-cell\}[^\n]*\n(.*?)^`{3,}\s*$",
                                     sol.group(1), re.S | re.M)) if sol else ""
        kind = ("stub" if re.search(r"^(async def|def|class) ", code, re.M)
                else "code" if sol and "{code-cell}" in sol.group(1) else "prose")
        result.append((label, title.strip(), kind))
    return result


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_exercise_has_its_statement_and_a_place_to_answer(doc):
    text = (BOOK / f"{doc}.md").read_text()
    nb = student(doc)
    sources = [c.source for c in nb.cells]
    for n, (label, title, kind) in enumerate(exercises_in_source(text), start=1):
        heading = f"**Exercise {n}" + (f": {title}**" if title else "**")
        at = [i for i, s in enumerate(sources) if heading in s]
        assert at, f"{doc}: no {heading!r} in the student notebook"
        after = nb.cells[at[0] + 1]
        if kind == "stub":  # the solution defines functions or classes
            assert after.cell_type == "code" and "raise NotImplementedError(" in after.source \
                and label in after.source, f"{doc}: {label} should be followed by its stub"
        elif kind == "code":  # the solution runs code but defines nothing: an empty code cell
            empty = f"# Exercise {n}: write your code here."
            assert after.cell_type == "code" and after.source == empty, \
                f"{doc}: {label} should be followed by an empty code cell"
        else:
            assert after.cell_type == "markdown" and after.source.startswith("*Your answer"), \
                f"{doc}: {label} should be followed by an empty answer cell"


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
            body = lines[i + 1:j]
            if body and body[0] == "---":  # cell options as a YAML block ...
                body = body[body.index("---", 1) + 1:]
            while body and body[0].startswith(":"):
                body = body[1:]  # ... or as :key: lines
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

SAMPLE = '''\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

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

Write `Layer`.
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
    assert "**Exercise 1: Build a layer**\n\nWrite `Layer`." in md
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
    assert sum("SECRET" in l for l in secret) == 9


# ------------------------------------------------------------------ the set-up cell


def run_setup(monkeypatch, env, lib_found):
    """Execute the set-up cell with `lib` present or not; return (pip calls, printed text)."""
    source = student(CHAPTERS[0]).cells[0].source
    calls = []
    for k in [k for k in os.environ if k.startswith(("COLAB_", "BINDER_"))]:
        monkeypatch.delenv(k)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    real_find = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (real_find(name, *a) if lib_found or name != "lib" else None))
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append(args))
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(source, "setup-cell", "exec"), {})
    return calls, out.getvalue()


def test_setup_cell_does_nothing_when_lib_is_installed(monkeypatch):
    assert run_setup(monkeypatch, {}, lib_found=True) == ([], "")
    assert run_setup(monkeypatch, {"BINDER_LAUNCH_HOST": "https://mybinder.org/"},
                     lib_found=True) == ([], "")


@pytest.mark.parametrize("env", [{"COLAB_RELEASE_TAG": "release-colab"},
                                 {"BINDER_LAUNCH_HOST": "https://mybinder.org/"}])
def test_setup_cell_installs_lib_in_colab_and_binder(monkeypatch, env):
    calls, printed = run_setup(monkeypatch, env, lib_found=False)
    url, branch, _ = mk.repository(CONFIG)
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet",
                      f"dlf-lib @ git+{url}@{branch}"]]
    assert "Installing lib" in printed


def test_setup_cell_elsewhere_only_explains(monkeypatch):
    calls, printed = run_setup(monkeypatch, {}, lib_found=False)
    assert calls == [] and "pip install" in printed


def test_install_spec_names_this_project():
    """The set-up cell installs the package that pyproject.toml at the repository root builds."""
    import tomllib
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert mk.install_spec(CONFIG).startswith(pyproject["project"]["name"] + " @ git+https://")
    assert "lib" in pyproject["tool"]["setuptools"]["packages"]


# ------------------------------------------------------------------ execution


def first_check_index(nb):
    """Index of the first check cell that follows an exercise stub, or None."""
    seen_stub = False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if "raise NotImplementedError(" in cell.source:
            seen_stub = True
        elif seen_stub and "lib.checks." in cell.source:
            return i
    return None


@pytest.mark.slow
@pytest.mark.parametrize("doc", CHAPTERS)
def test_student_notebook_runs_to_its_first_stub(doc):
    """Cell by cell, offline, like a student: no error before the first check, which
    reports that the exercise is not implemented yet."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    import lib.checks

    nb = student(doc)
    check = first_check_index(nb)
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith(("COLAB_", "BINDER_"))}
    client = NotebookClient(nb, kernel_name="python3", timeout=900, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env_clean)
    try:
        with client.setup_kernel():
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if i == check:
                    with pytest.raises(CellExecutionError) as err:
                        client.execute_cell(cell, i)
                    assert lib.checks.NOT_IMPLEMENTED in str(err.value), str(err.value)[-2000:]
                    assert "CheckError" in str(err.value)
                    break
                client.execute_cell(cell, i)
                if i == 0:
                    printed = "".join(o.get("text", "") for o in cell.outputs)
                    assert printed == "", f"the set-up cell should be silent here: {printed!r}"
    finally:
        os.environ.clear()
        os.environ.update(saved)


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
    # The full executed notebook stays downloadable from the page.
    assert f'_sources/{doc}.ipynb"' in page, f"{doc}.html: no .ipynb download link"
