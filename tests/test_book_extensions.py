"""The book's execution extensions: the cache keyed on lib and the pins (book/_ext/libcache.py)
and the merge of printed chunks that leaves executed notebooks intact (book/_ext/streamfix.py).

The cache test builds a tiny throw-away book of its own; nothing here needs the real build.
"""

from __future__ import annotations

import shutil
import textwrap

import pytest
from bs4 import BeautifulSoup

import bookkit
from course.book import BOOK, MYST_HEADER


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_libcache_hash_follows_content_not_mtime(tmp_path):
    import sys

    sys.path.insert(0, str(BOOK / "_ext"))
    try:
        from libcache import source_hash
    finally:
        sys.path.remove(str(BOOK / "_ext"))
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("A = 1\n")
    (pkg / "sub" / "m.py").write_text("B = 2\n")
    (pkg / "notes.txt").write_text("not code")
    h0, n = source_hash([pkg])
    assert n == 2
    (pkg / "__init__.py").touch()
    (pkg / "notes.txt").write_text("still not code")
    assert source_hash([pkg])[0] == h0, "the hash must ignore mtimes and non-Python files"
    (pkg / "sub" / "m.py").write_text("B = 3\n")
    assert source_hash([pkg])[0] != h0, "editing a module must change the hash"
    (pkg / "sub" / "m.py").write_text("B = 2\n")
    (pkg / "sub" / "m.py").rename(pkg / "sub" / "n.py")
    assert source_hash([pkg])[0] != h0, "renaming a module must change the hash"


MINI_CHAPTER = MYST_HEADER + """
# Chapter {name}

```{{code-cell}} ipython3
import fakelib
with open("runs.txt", "a") as f:
    f.write("{name}\\n")
print("{name} sees VALUE =", fakelib.VALUE)
```
"""


@pytest.mark.slow
def test_cache_follows_chapters_and_lib(tmp_path):
    """Unchanged: nothing runs. Edit a chapter: only it runs. Edit lib: every chapter runs."""
    book = tmp_path / "book"
    (book / "fakelib").mkdir(parents=True)
    (book / "fakelib" / "__init__.py").write_text("VALUE = 1\n")
    shutil.copy(BOOK / "_ext" / "libcache.py", tmp_path / "libcache.py")
    (book / "_config.yml").write_text(textwrap.dedent(f"""\
        title: cache test
        only_build_toc_files: true
        execute:
          execute_notebooks: cache
          allow_errors: false
          stderr_output: error
          timeout: 300
        sphinx:
          local_extensions:
            libcache: {tmp_path}
          config:
            libcache_paths: [fakelib]
        """))
    (book / "_toc.yml").write_text("format: jb-book\nroot: a\nchapters:\n  - file: b\n")
    for name in "ab":
        (book / f"{name}.md").write_text(MINI_CHAPTER.format(name=name))
    out = tmp_path / "out"
    runs = book / "runs.txt"
    pins = tmp_path / "requirements.txt"  # ../requirements.txt seen from the book folder
    pins.write_text("torch==2.14.1\n")

    def build():
        before = runs.read_text().split() if runs.exists() else []
        result = bookkit.build(out, book=book)
        problems = result.problems_by_chapter(["a", "b"])
        assert result.returncode == 0 and not problems, (
            f"exit {result.returncode}: {problems}\n{result.log[-3000:]}")
        after = runs.read_text().split() if runs.exists() else []
        assert sorted(result.executed()) == sorted(after[len(before):])
        return sorted(after[len(before):])

    def shown(name):
        return soup(out / "_build" / "html" / f"{name}.html").get_text()

    assert build() == ["a", "b"]
    assert "a sees VALUE = 1" in shown("a")
    assert build() == [], "an unchanged rebuild must not execute anything"
    (book / "b.md").write_text(MINI_CHAPTER.format(name="b").replace("VALUE =", "VALUE is"))
    assert build() == ["b"], "editing chapter b must re-execute b only"
    assert "b sees VALUE is 1" in shown("b")
    (book / "fakelib" / "__init__.py").touch()
    assert build() == [], "touching lib without changing it must not re-execute"
    (book / "fakelib" / "__init__.py").write_text("VALUE = 2  # changed\n")
    assert build() == ["a", "b"], "changing lib must re-execute every chapter"
    assert "a sees VALUE = 2" in shown("a") and "b sees VALUE is 2" in shown("b")
    pins.write_text("torch==2.15.0\n")
    assert build() == ["a", "b"], "upgrading a pinned package must re-execute every chapter"
    caches = list((out / "_build" / ".jupyter_cache").glob("lib-*"))
    assert len(caches) == 1, f"stale caches kept: {caches}"


def test_merging_streams_leaves_the_executed_notebook_intact():
    """myst-nb merges printed chunks in place; book/_ext/streamfix.py makes it merge copies."""
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("streamfix", BOOK / "_ext" / "streamfix.py")
    streamfix = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(streamfix)
    outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
               nbformat.v4.new_output("stream", name="stdout", text="b\n")]
    merged = streamfix._merge_copies(outputs)
    assert [o["text"] for o in merged] == ["a\nb\n"]
    assert [o["text"] for o in outputs] == ["a\n", "b\n"]  # the notebook keeps what the kernel printed
    # and the unpatched merge does corrupt it, which is why the extension exists
    streamfix._merge(outputs)
    assert [o["text"] for o in outputs] == ["a\nb\n", "b\n"]
