"""What a newcomer relies on: the notebooks' set-up cell, the repository setting that the
launch buttons and the set-up cell share, and the warning when it is not this clone's."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return module


from course.book import book_config, install_spec, repository  # noqa: E402
from course.notebook import setup_index
check_repository = _tool("check_repository")
CONFIG = book_config()


def setup_source(spec=None):
    """The set-up cell of every student notebook (they are identical), optionally for `spec`."""
    notebooks = [nbformat.read(p, as_version=4) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    sources = {nb.cells[setup_index(nb)].source for nb in notebooks}
    assert len(sources) == 1, "the student notebooks' set-up cells differ"
    source = sources.pop()
    if spec is not None:
        source = source.replace(repr(install_spec(CONFIG)), repr(spec))
    return source


def run_cell(source, cwd, *python_flags):
    # as in a student's Jupyter: no PYTHONPATH pointing at this checkout's `lib`
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, *python_flags, "-c", source], cwd=cwd, text=True,
                          capture_output=True, timeout=300, env=env)


def test_setup_cell_installs_from_the_configured_repository_and_branch():
    url, branch, _ = repository(CONFIG)
    assert CONFIG["repository"]["url"].rstrip("/") == url
    assert repr(f"dlf-lib @ git+{url}@{branch}") in setup_source()


def test_install_spec_names_this_project():
    """The set-up cell installs the package that pyproject.toml at the repository root builds."""
    import tomllib
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert install_spec(CONFIG).startswith(pyproject["project"]["name"] + " @ git+https://")
    assert "lib" in pyproject["tool"]["setuptools"]["packages"]


def test_setup_cell_installs_nothing_where_lib_is_installed(tmp_path):
    """... and turns on keep-going checks, so that "Run all" goes past unsolved exercises."""
    done = run_cell(setup_source() + "\nimport lib; print('course lib:', hasattr(lib, 'Trainer'),"
                    " 'keep going:', lib.checks.core._state['keep_going'])", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "course lib: True keep going: True\n", done.stdout


def test_setup_cell_is_not_fooled_by_a_folder_named_lib(tmp_path):
    """Without the course library (python -S: no site-packages), an empty `lib/` folder
    next to the notebook imports as a namespace package. The cell must see through it,
    try to install, and stop "Run all" with what to run when installing fails."""
    (tmp_path / "lib").mkdir()
    assert run_cell("import lib; print(lib)", tmp_path, "-S").returncode == 0  # the trap
    bad = "dlf-lib @ file:///nonexistent/dlf-lib"
    done = run_cell(setup_source(spec=bad), tmp_path, "-S")
    assert "Installing the course library from file:///nonexistent/dlf-lib" in done.stdout
    assert done.returncode != 0
    assert "RuntimeError: The course library `lib` could not be installed" in done.stderr
    assert f"-m pip install '{bad}'" in done.stderr and "rename it" in done.stderr


@pytest.mark.parametrize("origin", [
    "https://github.com/dl-foundations/course",
    "https://github.com/dl-foundations/course.git",
    "git@github.com:dl-foundations/course.git",
    "ssh://git@github.com/dl-foundations/course",
])
def test_no_warning_when_the_setting_is_this_clones_origin(origin):
    config = {"repository": {"url": "https://github.com/dl-foundations/course", "branch": "main"}}
    assert check_repository.problem(config, origin) is None


def test_warning_names_the_setting_when_origin_differs_or_is_missing():
    config = {"repository": {"url": "https://github.com/dl-foundations/course", "branch": "main"}}
    other = check_repository.problem(config, "git@github.com:someone/fork.git")
    assert "repository.url" in other and "someone/fork" in other
    none = check_repository.problem(config, None)
    assert "repository.url" in none and "no git remote 'origin'" in none
    unset = check_repository.problem({}, "https://github.com/a/b")
    assert "repository.url is not set" in unset


def test_make_book_runs_the_repository_check_without_failing(tmp_path):
    """The warning is printed by `make book` (tools/check_repository.py) and never fails it."""
    makefile = (ROOT / "Makefile").read_text()
    book_rule = makefile.split("\nbook:", 1)[1].split("\n\n", 1)[0]
    assert "tools/check_repository.py" in book_rule
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "check_repository.py")],
                          cwd=ROOT, text=True, capture_output=True)
    assert done.returncode == 0


# ------------------------------------------------------------------ the whole book as a PDF

def _mini_book(tmp_path):
    """A two-page book with the site's own favicon and its bookpdf and quietsite extensions."""
    import shutil
    import textwrap

    book = tmp_path / "book"
    (book / "_static").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "_static" / "favicon.svg", book / "_static" / "favicon.svg")
    (book / "_config.yml").write_text(textwrap.dedent(f"""\
        title: PDF test
        only_build_toc_files: true
        execute:
          execute_notebooks: "off"
        html:
          use_download_button: true
          favicon: _static/favicon.svg
        sphinx:
          local_extensions:
            bookpdf: {ROOT / "book" / "_ext"}
            quietsite: {ROOT / "book" / "_ext"}
        """))
    (book / "_toc.yml").write_text("format: jb-book\nroot: first\nchapters:\n  - file: second\n")
    for name in ("first", "second"):
        (book / f"{name}.md").write_text(f"# The {name} page\n\nSome words.\n")
    return book


def _pdf_links(html_file):
    from bs4 import BeautifulSoup

    s = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    return [a["href"] for a in s.select("a.btn-download-book-pdf-button")]


@pytest.mark.slow
def test_every_page_links_the_pdf_once_it_is_made(tmp_path):
    """No PDF: no link, and the build says how to add one. `make pdf` then `make book`:
    every page links book.pdf, copied beside the pages. The landing page names the favicon."""
    from bookkit import build

    book, out = _mini_book(tmp_path), tmp_path / "out"
    html = out / "_build" / "html"
    first = build(out, book=book)
    assert first.returncode == 0 and not first.problems(), first.log[-3000:]
    assert "`make pdf`, then `make book` again" in first.log
    assert _pdf_links(html / "first.html") == [] and not (html / "book.pdf").exists()
    landing = (html / "index.html").read_text()
    assert '<link rel="icon" href="data:image/svg+xml;base64,' in landing and "first.html" in landing
    assert (html / "_static" / "favicon.svg").is_file()
    assert '<link rel="icon" href="_static/favicon.svg"' in (html / "first.html").read_text()

    pdf = out / "_build" / "pdf" / "book.pdf"  # where make pdf puts it
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 a stand-in\n")
    second = build(out, book=book)
    assert second.returncode == 0 and not second.problems(), second.log[-3000:]
    for page in ("first", "second"):  # unchanged pages are rewritten with the link
        assert _pdf_links(html / f"{page}.html") == ["book.pdf"], page
    assert (html / "book.pdf").read_bytes() == pdf.read_bytes()

    pdf.unlink()
    third = build(out, book=book)
    assert third.returncode == 0, third.log[-3000:]
    assert _pdf_links(html / "second.html") == [] and not (html / "book.pdf").exists()
