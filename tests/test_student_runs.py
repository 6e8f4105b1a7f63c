"""Each student notebook, run as a student runs it, against what the book printed.

One run per chapter, in one fresh kernel, offline, set-up cell included:

1. "Run all" on the unsolved notebook. Every cell runs; the set-up cell is silent; the
   summary lists every exercise that has a check as "not implemented yet". Up to the
   first exercise (the chapter's whole text, with its training runs), every cell prints
   what the clean book build printed: the chapter's numbers are reproducible, in another
   process and another kernel.
2. The random state is put back to what it was at the first exercise, and the rest of
   the chapter's own code (solutions, checks and the cells between them, as the book
   runs them) executes in the same kernel. Every check passes, and every cell again
   prints what the book printed.

So the book build (conftest.book_build) is the only other execution of a chapter: this
run proves the notebook a student downloads works and the numbers the book shows come
back; the build proves the page. The run follows the chapter's source and asks for the
build only to compare, at the end, so it runs on one core while the book builds on
another. Printed timings start with ``Timing: `` and are not compared; object addresses
are masked.
"""
from __future__ import annotations

import json
import os
import re

import nbformat
import pytest

from bookkit import ROOT, notebook_pages, source_notebook
from notebookgen.notebook import setup_index

NOTEBOOKS = ROOT / "notebooks"
TIMING_PREFIX = "Timing: "  # plain text: an emoji shows as an empty box without an emoji font
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")

pytestmark = [pytest.mark.book, pytest.mark.slow]

RESULTS_CELL = "import json as _json; print('RESULTS=' + _json.dumps(lib.checks.summary()))"
SAVE_RANDOM_STATE = ("import random as _random, numpy as _np, torch as _torch\n"
                     "_saved_random_state = (_random.getstate(), _np.random.get_state(), "
                     "_torch.random.get_rng_state())")
RESTORE_RANDOM_STATE = ("_random.setstate(_saved_random_state[0]); "
                        "_np.random.set_state(_saved_random_state[1]); "
                        "_torch.random.set_rng_state(_saved_random_state[2])")


def printed_text(cell) -> dict[str, str]:
    """What a code cell printed, as text: streams, text/plain results, errors.

    Lines starting with the timing marker are dropped; object addresses are masked.
    """
    parts: dict[str, list[str]] = {}
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            parts.setdefault(out.get("name", "stdout"), []).append(out.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            for mime in ("text/plain", "text/latex", "text/markdown"):
                if mime in data:
                    parts.setdefault(mime, []).append(str(data[mime]))
        elif kind == "error":
            parts.setdefault("error", []).append(f"{out.get('ename')}: {out.get('evalue')}")
    cleaned = {}
    for key, chunks in parts.items():
        lines = "".join(chunks).splitlines()
        cleaned[key] = "\n".join(ADDRESS.sub("0x…", ln) for ln in lines
                                 if not ln.lstrip("\r").startswith(TIMING_PREFIX))
    return cleaned


def first_difference(book_cell, cell) -> str | None:
    """Where `cell` printed something else than the book's cell, or None."""
    ta, tb = printed_text(book_cell), printed_text(cell)
    for key in sorted(set(ta) | set(tb)):
        la, lb = ta.get(key, "").splitlines(), tb.get(key, "").splitlines()
        for j in range(max(len(la), len(lb))):
            x = la[j] if j < len(la) else "<nothing>"
            y = lb[j] if j < len(lb) else "<nothing>"
            if x != y:
                return (f"code cell {book_cell.source.splitlines()[0][:60]!r}..., {key} line "
                        f"{j + 1}:\n  book:     {x!r}\n  notebook: {y!r}")
    return None


def run_like_a_student(doc, book_cells):
    """Steps 1 and 2 of the module docstring, following the chapter's code cells
    `book_cells`. Returns (summary unsolved, summary solved, [(index of a book cell, the
    run's cell that stands for it)])."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / f"{doc}.ipynb", as_version=4)
    cells = list(nb.cells)
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith(("COLAB_", "BINDER_"))}
    client = NotebookClient(nb, kernel_name="python3", timeout=900, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    ran = []   # (index of the book's cell, the cell this run executed in its place)

    def run(source, tags=()):
        """Execute one more cell, appended to the notebook; return it."""
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
        return client.execute_cell(cell, len(nb.cells) - 1)

    def results():
        text = "".join(o.get("text", "") for o in run(RESULTS_CELL).outputs)
        return json.loads(text.split("RESULTS=", 1)[1])

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env_clean)
    try:
        with client.setup_kernel():
            # 1. "Run all", unsolved; any error fails the test. After the set-up cell,
            # the notebook's code is the book's, cell for cell, up to the first exercise.
            code = [(i, c) for i, c in enumerate(cells) if c.cell_type == "code"][1:]
            resume = 0   # how many of the book's cells the notebook shares, from the start
            while (resume < min(len(code), len(book_cells))
                   and code[resume][1].source == book_cells[resume].source):
                resume += 1
            setup = setup_index(nb)
            client.execute_cell(cells[setup], setup)
            for n, (i, cell) in enumerate(code):
                if n == resume:
                    run(SAVE_RANDOM_STATE)  # the first exercise: where the two part ways
                client.execute_cell(cell, i)
                if n < resume:
                    ran.append((n, cell))
            if resume == len(code):         # nothing after the shared part
                run(SAVE_RANDOM_STATE)
            printed = "".join(o.get("text", "") for o in cells[setup].outputs)
            assert printed == "", f"the set-up cell should be silent here: {printed!r}"
            unsolved = results()
            # 2. The rest of the chapter as the book runs it, from the same random state.
            run(RESTORE_RANDOM_STATE)
            for k in range(resume, len(book_cells)):
                ran.append((k, run(book_cells[k].source, book_cells[k].metadata.get("tags", ()))))
            solved = results()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return unsolved, solved, ran


def expected_checks(doc) -> list[str]:
    """The exercise names (as lib.checks reports them) of the chapter's check calls."""
    import lib.checks
    from grading.chapters import load_chapter

    return [getattr(getattr(lib.checks, check.module), check.function).exercise
            for ex in load_chapter(doc).exercises for check in ex.checks]


@pytest.mark.parametrize("doc", notebook_pages())
def test_student_notebook_runs_and_prints_what_the_book_printed(request, doc):
    """Unsolved, "Run all" reaches the last cell and lists every checked exercise as not
    implemented yet; solved, every check passes; every cell prints what the book printed."""
    import lib.checks

    source_cells = [c for c in source_notebook(doc).cells if c.cell_type == "code"]
    unsolved, solved, ran = run_like_a_student(doc, source_cells)
    expected = expected_checks(doc)
    assert sorted(unsolved) == sorted(set(expected)), (unsolved, expected)
    assert all(v == lib.checks.NOT_IMPLEMENTED for v in unsolved.values()), unsolved
    assert solved == {name: "passed" for name in unsolved}, solved
    assert sorted(k for k, _ in ran) == list(range(len(source_cells))), \
        "the run did not stand in for every code cell of the chapter exactly once"
    # Only now the book build: the comparison is all that needs it.
    book_build = request.getfixturevalue("book_build")
    book = nbformat.read(book_build.executed / f"{doc}.ipynb", as_version=4)
    book_cells = [c for c in book.cells if c.cell_type == "code"]
    assert [c.source for c in book_cells] == [c.source for c in source_cells], \
        "the built notebook's code is not the chapter's: the source changed during the tests?"
    differences = [d for k, cell in ran if (d := first_difference(book_cells[k], cell))]
    assert not differences, (
        f"{doc}: {len(differences)} cells print something else than in the book build "
        f"(mark timings with a leading {TIMING_PREFIX!r}; seed every random generator in the "
        "chapter's first cell):\n" + "\n".join(differences[:5]))
