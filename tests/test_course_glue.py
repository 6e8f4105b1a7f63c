"""Glued values in the student notebooks (course/glue.py): the text a chapter
glues from a cell is written into the notebook as the last build computed it, the cells
that only glue and assert are left out, and a missing or older build is an error that
says what to run. (The real chapters against the session's build: test_student_notebooks.py.)
"""
import json

import jupytext
import nbformat
import pytest
import yaml

import make_notebooks as mk  # noqa: E402  (tools/ is on sys.path: see conftest.py)
from course.book import MYST_HEADER
from course.glue import GlueError
CHAPTER = MYST_HEADER + '''
# Glued

```{code-cell} ipython3
import torch
```

```{code-cell} ipython3
accuracy = 0.84171
```

```{code-cell} ipython3
:tags: [remove-cell]
from myst_nb import glue
assert accuracy > 0.5, "the text says the model learns"
glue("acc", accuracy, display=False)
glue("epochs", 10, display=False)
```

It reaches {glue:text}`acc:.3f` after {glue:text}`epochs` epochs ({glue:text}`acc:.1%`).
'''


def executed_build(book, tmp_path, values, cells=None):
    """A stand-in for a build's jupyter_execute folder: the chapter's executed notebook
    (its cells) and the values it glued, as myst-nb writes them."""
    out = tmp_path / "jupyter_execute"
    out.mkdir(exist_ok=True)
    nb = jupytext.read(str(book / "glued.md"))
    if cells is not None:
        nb.cells = cells
    nbformat.write(nb, out / "glued.ipynb")
    (out / "glued.glue.json").write_text(json.dumps({k: {
        "output_type": "display_data", "data": {"text/plain": repr(v)},
        "metadata": {"scrapbook": {"name": k, "mime_prefix": "application/papermill.record/"}},
    } for k, v in values.items()}))
    return out


@pytest.fixture
def book(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "glued.md").write_text(CHAPTER)
    (book / "_toc.yml").write_text("format: jb-book\nroot: glued\n")
    (book / "_config.yml").write_text(yaml.safe_dump(
        {"repository": {"url": "https://github.com/someone/somerepo", "branch": "main"}}))
    return book


def notebook(book, executed):
    return nbformat.reads(mk.build(book, executed)["glued.ipynb"], as_version=4)


def test_glued_values_are_written_into_the_text(book, tmp_path):
    nb = notebook(book, executed_build(book, tmp_path, {"acc": 0.84171, "epochs": 10}))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "It reaches 0.842 after 10 epochs (84.2%)." in text
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("import torch" in s for s in code), "the chapter's set-up cell stays"
    assert not any("glue" in s or "assert" in s for s in code), (
        "the book-only cell (remove-cell) must not reach the notebook")


def test_no_build_says_to_build_first(book, tmp_path):
    with pytest.raises(GlueError, match=r"glues values.*does not exist.*make book"):
        notebook(book, tmp_path / "nowhere")


def test_an_older_build_is_refused(book, tmp_path):
    old = jupytext.read(str(book / "glued.md")).cells
    old[1].source = "accuracy = 0.5"
    executed = executed_build(book, tmp_path, {"acc": 0.5, "epochs": 10}, cells=old)
    with pytest.raises(GlueError, match=r"has changed since its build.*make book"):
        notebook(book, executed)


def test_a_key_the_build_did_not_glue_is_named(book, tmp_path):
    executed = executed_build(book, tmp_path, {"acc": 0.84171})
    with pytest.raises(GlueError, match=r"no value named 'epochs' \(glued: acc\)"):
        notebook(book, executed)


def test_a_chapter_without_glue_needs_no_build(book, tmp_path):
    (book / "glued.md").write_text(MYST_HEADER + "\n# Plain\n\nNo values here.\n")
    nb = notebook(book, tmp_path / "nowhere")
    assert "No values here." in nb.cells[0].source
