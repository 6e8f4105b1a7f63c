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


TIMED_CHAPTER = MYST_HEADER + """
# Chapter {name}

```{{code-cell}} ipython3
import os, time
start = time.time()
time.sleep(2)
with open("runs.txt", "a") as f:
    f.write(f"{name} {{start}} {{time.time()}} {{os.environ.get('OMP_NUM_THREADS')}}\\n")
print("{name} done")
{extra}
```
"""


@pytest.mark.slow
def test_chapters_execute_in_parallel_and_a_failure_keeps_the_others_cached(tmp_path):
    """book/_ext/parallelexec.py with the book's real configuration: the outdated chapters
    run at the same time, one thread per kernel; a cell error fails the build and names its
    chapter while the others are cached, so fixing it re-executes only that chapter."""
    import os

    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib", "_ext", "_static"):
        src = BOOK / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, book / name)
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: a\nchapters:\n  - file: b\n  - file: c\n")
    for name in "ab":
        (book / f"{name}.md").write_text(TIMED_CHAPTER.format(name=name, extra=""))
    (book / "c.md").write_text(TIMED_CHAPTER.format(name="c", extra="1 / 0"))
    out, runs = tmp_path / "out", book / "runs.txt"
    # Two kernels whatever the machine; no thread limit inherited from the test session,
    # so the kernels' OMP_NUM_THREADS is the extension's choice.
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env["BOOK_EXECUTION_JOBS"] = "2"

    def build():
        before = len(runs.read_text().splitlines()) if runs.exists() else 0
        result = bookkit.build(out, book=book, env=env)
        lines = runs.read_text().splitlines()[before:] if runs.exists() else []
        return result, {ln.split()[0]: ln.split()[1:] for ln in lines}

    result, ran = build()
    assert result.returncode != 0, result.log[-3000:]
    assert "build succeeded" not in result.log
    assert "ZeroDivisionError" in result.log, result.log[-3000:]
    assert "c" in result.problems_by_chapter(["a", "b", "c"]), result.log[-3000:]
    assert sorted(ran) == ["a", "b", "c"] and sorted(result.executed()) == ["a", "b", "c"]
    spans = [(float(t0), float(t1)) for t0, t1, _ in ran.values()]
    assert any(s0 < t1 and t0 < s1 for i, (s0, s1) in enumerate(spans) for t0, t1 in spans[i + 1:]), (
        f"the chapters ran one after the other: {ran}")
    threads = {t for _, _, t in ran.values()}
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert threads == {str(max(1, cores // 2))}, f"kernels must get cores // kernels threads: {threads}"

    (book / "c.md").write_text(TIMED_CHAPTER.format(name="c", extra=""))
    result, ran = build()
    assert result.returncode == 0 and not result.problems(), result.log[-3000:]
    assert sorted(ran) == ["c"] == result.executed(), "only the fixed chapter re-executes"
    assert "c done" in soup(out / "_build" / "html" / "c.html").get_text()
    assert "a done" in soup(out / "_build" / "html" / "a.html").get_text()
    # a came from the cache (the failed build cached it, this one read it): the notebook
    # written to jupyter_execute carries its outputs all the same (a myst-nb gap, fixed)
    import nbformat

    executed = nbformat.read(out / "_build" / "jupyter_execute" / "a.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code"
                      for o in c.outputs)
    assert "a done" in printed, "jupyter_execute/a.ipynb lost the cached outputs"

    result, ran = build()
    assert result.returncode == 0 and ran == {} and result.executed() == [], result.log[-2000:]
