"""`make chapter NAME=...` (tools/new_chapter.py) on a copy of the repository: the chapter,
its table-of-contents entry, its check module with its registration and its check tests
are written, and they pass the source tests, the check tests and a strict build, whose
glued value reaches the student notebook."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bookkit import STRICT, jupyter_book_cmd
from helpers import copy_working_tree

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run(cmd, repo, **kw):
    env = {**os.environ, "PYTHONPATH": str(repo)}  # the copy's lib and course, not ours
    return subprocess.run(cmd, cwd=repo, env=env, text=True, capture_output=True, **kw)


def test_a_new_chapter_passes_the_tests_and_builds(tmp_path):
    repo = copy_working_tree(tmp_path / "repo")
    made = run([sys.executable, "tools/new_chapter.py", "demo-topic", "--title", "Demo topic"], repo)
    assert made.returncode == 0, made.stderr
    assert (repo / "book" / "demo-topic.md").is_file()
    assert (repo / "book" / "_toc.yml").read_text().rstrip().endswith("- file: demo-topic")
    again = run([sys.executable, "tools/new_chapter.py", "demo-topic"], repo)
    assert again.returncode != 0 and "exists already" in again.stderr
    bad = run([sys.executable, "tools/new_chapter.py", "Demo_Topic"], repo)
    assert bad.returncode != 0 and "not a chapter name" in bad.stderr

    # A strict build of the new chapter alone (the others are built by the session's build).
    book = repo / "book"
    toc = (book / "_toc.yml").read_text()
    (book / "_toc.yml").write_text("format: jb-book\nroot: demo-topic\n")
    build = run([*jupyter_book_cmd(), "build", str(book), *STRICT], repo, timeout=600)
    assert build.returncode == 0, build.stdout[-3000:]
    html = (book / "_build" / "html" / "demo-topic.html").read_text()
    assert "The mean is" in html and "5.0" in html
    gen = run([sys.executable, "tools/make_notebooks.py", "--out", str(tmp_path / "nb")], repo)
    assert gen.returncode == 0, gen.stderr
    nb = nbformat.read(tmp_path / "nb" / "demo-topic.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "The mean is 5.0" in text and "raise NotImplementedError" in text
    assert "glue(" not in text, "the book-only cell must not reach the notebook"

    # As `make book` leaves it: the whole table of contents, the new student notebook.
    (book / "_toc.yml").write_text(toc)
    shutil.copy(tmp_path / "nb" / "demo-topic.ipynb", repo / "notebooks" / "demo-topic.ipynb")
    tests = run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                 "tests/test_checks_demo_topic.py", "tests/test_chapter_sources.py",
                 "tests/test_architecture.py", "tests/test_grading_chapters.py",
                 "tests/test_checks_book_solutions.py", "-k", "demo or registered or every_check "
                 "or toc or tags or layers or sys_path or emoji or config"], repo, timeout=600)
    assert tests.returncode == 0, tests.stdout[-3000:]

