"""A failing chapter fails every kind of build, loudly, and keeps failing until fixed.

A small book with the real configuration (book/_config.yml and book/_ext) and one broken
chapter is built the two ways an instructor builds: plain `jupyter-book build` and
`make book`'s strict flags. Each is built twice, unchanged, to prove that a failure
cannot hide behind the incremental build.
"""
import shutil
import textwrap

import pytest

from course.book import BOOK, MYST_HEADER
from bookkit import build

pytestmark = pytest.mark.slow

def make_book(tmp_path, chapter_body):
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib", "_ext", "_static"):
        src = BOOK / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, book / name)
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: broken\n")
    (book / "index.md").write_text("# A tiny book\n\nOne chapter.\n")
    (book / "broken.md").write_text(MYST_HEADER + "\n# Broken chapter\n\n" + chapter_body)
    return book


CELL_ERROR = textwrap.dedent("""\
    ```{code-cell} ipython3
    print("before the error")
    1 / 0
    ```
    """)

BROKEN_REFERENCE = "See {ref}`a-label-that-does-not-exist`.\n"


@pytest.mark.parametrize("flags", [(), ("-W", "-n", "--keep-going")], ids=["plain", "strict"])
def test_cell_error_fails_every_build_and_names_the_chapter(tmp_path, flags):
    book = make_book(tmp_path, CELL_ERROR)
    out = tmp_path / "out"
    for attempt in (1, 2):
        result = build(out, book=book, flags=flags)
        rc, log = result.returncode, result.log
        assert rc != 0, f"build {attempt} with {flags or 'no flags'} exited 0:\n{log[-3000:]}"
        assert "broken.md" in log, f"build {attempt} does not name the chapter:\n{log[-3000:]}"
        assert "ZeroDivisionError" in log, f"build {attempt} hides the error:\n{log[-3000:]}"
        assert "build succeeded" not in log
        assert not (out / "_build" / "html" / "reports").exists(), "error reports published"


def test_warning_fails_the_strict_build_again_when_rebuilt_unchanged(tmp_path):
    book = make_book(tmp_path, BROKEN_REFERENCE)
    out = tmp_path / "out"
    for attempt in (1, 2):
        result = build(out, book=book)
        rc, log = result.returncode, result.log
        assert rc != 0, f"strict build {attempt} exited 0 over a broken reference:\n{log[-3000:]}"
        assert "a-label-that-does-not-exist" in log and "broken.md" in log, log[-3000:]


def test_old_error_reports_are_not_published(tmp_path):
    book = make_book(tmp_path, "Nothing wrong here.\n")
    out = tmp_path / "out"
    stale = out / "_build" / "html" / "reports" / "broken.err.log"
    stale.parent.mkdir(parents=True)
    stale.write_text("Traceback from an old build")
    result = build(out, book=book)
    assert result.returncode == 0, result.log[-3000:]
    assert not stale.exists()
