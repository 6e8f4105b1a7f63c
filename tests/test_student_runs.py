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

Two chapters, one short and one that trains (``FRESH_ENV``), run as a student meets them:
in a Python that has what Colab preinstalls but not the course, in an empty folder with an
empty home, where the set-up cell installs ``lib`` with pip from a git URL of this
repository (a ``file://`` repository of the working tree stands in for GitHub). There the
set-up cell may print only its own line, and a file the notebooks need that the package
leaves out fails the run. The other chapters run in the project's environment.

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
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

from course.book import ROOT, book_config, install_spec, notebook_pages, source_notebook
from course.notebook import book_only, setup_index
from helpers import copy_working_tree

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


FRESH_ENV = ("intro", "linear-regression")
# What the fresh environment does not get from the project's: the course itself (the
# editable install of dlf-lib), and pip and setuptools, which the environment has its own of.
NOT_PREINSTALLED = ("dlf_lib", "__editable__", "pip", "setuptools", "_distutils_hack",
                    "distutils-precedence.pth")


def make_fresh_env(root: Path) -> dict:
    """A student's Python for each chapter of FRESH_ENV, in `root`: a virtual environment
    with its own pip, and the project's packages (torch, torchvision, NumPy, Matplotlib,
    IPython, ipykernel, ...) but not the course, through a folder of links; a kernel for
    it; a git repository of the working tree to install from; an empty home and working
    folder. Returns what `run_like_a_student` needs to use them."""
    shared = root / "preinstalled"
    shared.mkdir(parents=True)
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(NOT_PREINSTALLED) and entry.name != "lib":
            (shared / entry.name).symlink_to(entry)
    for doc in FRESH_ENV:  # one each: runs on two pytest-xdist workers must not share pip
        env = root / f"env-{doc}"
        subprocess.run([sys._base_executable, "-m", "venv", str(env)], check=True)
        python = env / "bin" / "python"
        own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                              "get_paths()['purelib'])"], check=True, capture_output=True,
                             text=True).stdout.strip()
        (Path(own) / "preinstalled.pth").write_text(f"{shared}\n")
        kernel = root / "jupyter" / "kernels" / f"student-{doc}"
        kernel.mkdir(parents=True)
        (kernel / "kernel.json").write_text(json.dumps({
            "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"student ({doc})", "language": "python"}))
    # The repository a student installs from: the working tree's files as git sees them
    # (tracked, and untracked but not ignored), committed on the configured branch.
    repo = copy_working_tree(root / "course")
    # file://localhost/...: the pip that Python 3.11's venv brings (23.2) rejects a git+file
    # URL without a host.
    url, branch = f"file://localhost{repo}", "main"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    for args in (["init", "-q", "-b", branch], ["add", "-A"], ["commit", "-q", "-m", "course"]):
        subprocess.run(git + args, check=True)
    for doc in FRESH_ENV:
        for folder in ("home", "work"):
            (root / f"{folder}-{doc}").mkdir()
    config = book_config()
    return {"root": str(root), "jupyter_path": str(root / "jupyter"),
            "spec": (install_spec(config), install_spec({"repository": {"url": url, "branch": branch}}))}


@pytest.fixture(scope="session")
def fresh_env(run_folder, once_per_run):
    """The student's fresh environment, made once per test run (see make_fresh_env)."""
    root = run_folder / "fresh-student-env"
    return once_per_run("fresh-student-env", lambda: make_fresh_env(root))


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


def run_like_a_student(doc, book_cells, fresh=None):
    """Steps 1 and 2 of the module docstring, following the chapter's code cells
    `book_cells`, in the project's environment or in `fresh` (make_fresh_env). Returns
    (summary unsolved, summary solved, [(index of a book cell, the run's cell that stands
    for it)])."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / f"{doc}.ipynb", as_version=4)
    cells = list(nb.cells)
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith(("COLAB_", "BINDER_"))}
    kernel, cwd = "python3", NOTEBOOKS
    if fresh:
        setup = cells[setup_index(nb)]
        configured, local = fresh["spec"]
        assert repr(configured) in setup.source
        setup.source = setup.source.replace(repr(configured), repr(local))
        # What pip prints is the set-up cell's business: none of this machine's pip
        # settings (its quieting, its local package folders, which pip warns about), as on
        # Colab; the course is found nowhere but in the repository.
        env_clean = {k: v for k, v in env_clean.items()
                     if not (k.startswith("PIP_") and k != "PIP_CERT") and k != "PYTHONPATH"}
        env_clean.update(HOME=f"{fresh['root']}/home-{doc}", JUPYTER_PATH=fresh["jupyter_path"],
                         PIP_CONFIG_FILE=os.devnull)
        kernel, cwd = f"student-{doc}", Path(fresh["root"]) / f"work-{doc}"
    client = NotebookClient(nb, kernel_name=kernel, timeout=900, allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
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
            # the notebook's code is the book's, cell for cell, up to the first exercise,
            # except the book-only cells (glue and assertions), which run in their place.
            setup = setup_index(nb)
            code = [(i, c) for i, c in enumerate(cells) if c.cell_type == "code" and i != setup]
            shared = []  # (index of a book cell, the notebook's cell for it or None)
            n = 0        # how many of the notebook's code cells the book shares
            for k, book_cell in enumerate(book_cells):
                if n < len(code) and code[n][1].source == book_cell.source:
                    shared.append((k, code[n]))
                    n += 1
                elif book_only(book_cell):
                    shared.append((k, None))
                else:
                    break
            client.execute_cell(cells[setup], setup)
            for k, pair in shared:
                if pair is None:
                    ran.append((k, run(book_cells[k].source, book_cells[k].metadata.get("tags", ()))))
                else:
                    ran.append((k, client.execute_cell(pair[1], pair[0])))
            run(SAVE_RANDOM_STATE)  # the first exercise: where the two part ways
            for i, cell in code[n:]:
                client.execute_cell(cell, i)
            resume = len(shared)
            printed = "".join(o.get("text", "") for o in cells[setup].outputs)
            if fresh:
                own = f"Installing the course library from {fresh['spec'][1].split('@ ')[-1]} ...\n"
                assert printed == own, f"the set-up cell printed more than its own line: {printed!r}"
            else:
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
    fresh = request.getfixturevalue("fresh_env") if doc in FRESH_ENV else None
    unsolved, solved, ran = run_like_a_student(doc, source_cells, fresh)
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


def test_the_fresh_environment_chapters_are_chapters():
    """A renamed chapter must not quietly end the fresh-environment runs."""
    missing = set(FRESH_ENV) - set(notebook_pages())
    assert not missing, f"FRESH_ENV names {sorted(missing)}, which are not notebook pages"
