"""The notebook generator (tools/make_notebooks.py) end to end, on sample chapters of a
throw-away book: what it keeps, stubs, numbers and drops, and that it is deterministic.
(Each of its modules is tested on its own in tests/test_nbgen_*.py.)
"""
import ast
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

import make_notebooks as mk  # noqa: E402  (tools/ is on sys.path: see conftest.py)
from course.book import MYST_HEADER
from course.notebook import setup_index
from test_student_notebooks import split_solutions  # noqa: E402  (the independent leak detector)


@pytest.mark.book
def test_generation_is_deterministic(tmp_path, book_build):
    first, second = tmp_path / "a", tmp_path / "b"
    executed = ["--executed", str(book_build.executed)]
    for out in (first, second):
        assert mk.main(["--out", str(out), *executed]) == 0
    for p in first.iterdir():
        assert p.read_bytes() == (second / p.name).read_bytes(), p.name
    assert mk.main(["--out", str(first), "--check", *executed]) == 0


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
    assert "dlf-lib @ git+https://github.com/someone/somerepo@dev" in nb.cells[1].source
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
    assert "lib.checks.keep_going()" in nb.cells[setup_index(nb)].source
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
