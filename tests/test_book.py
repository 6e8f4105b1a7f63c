"""The book: strict, self-contained, light, deterministic, and cached the right way.

Tests marked ``book`` use the session's clean strict build (``conftest.book_build``).
The others read the sources only, or build a tiny throw-away book of their own.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

import bookkit
from bookkit import page_weight, toc_pages
from bookkit import BOOK, MYST_HEADER, ROOT

ALLOWED_TAGS = {"hide-input", "hide-output", "hide-cell", "remove-input", "remove-output",
                "remove-cell", "raises-exception"}
MAX_PAGE_BYTES = 2 * 1024 * 1024
TIMING_PREFIX = "Timing: "  # plain text: an emoji shows as an empty box without an emoji font


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def read_source_notebook(page: str):
    """A chapter's source as a notebook, read the way myst-nb reads it."""
    from myst_nb.core.read import read_myst_markdown_notebook

    path = BOOK / f"{page}.md"
    if path.exists():
        return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    import nbformat

    return nbformat.read(BOOK / f"{page}.ipynb", as_version=4)


# --------------------------------------------------------------------------- sources


def test_toc_pages_exist():
    pages = toc_pages()
    assert pages[0] == "intro" and len(pages) == len(set(pages)), pages
    missing = [p for p in pages if not (BOOK / f"{p}.md").exists() and not (BOOK / f"{p}.ipynb").exists()]
    assert not missing, f"pages listed in _toc.yml without a source file: {missing}"


def test_allowed_tags_match_contributing():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    sentence = re.search(r"^Cell tags: only(.*?)\(a test rejects", text, re.M | re.S)
    assert sentence, "CONTRIBUTING.md no longer lists the cell tags ('Cell tags: only ...')"
    documented = set(re.findall(r"`([a-z-]+)`", sentence.group(1)))
    assert documented == ALLOWED_TAGS, (
        f"CONTRIBUTING.md documents {sorted(documented)}; this test allows {sorted(ALLOWED_TAGS)}")


@pytest.mark.parametrize("page", toc_pages())
def test_cell_tags_are_documented(page):
    nb = read_source_notebook(page)
    bad = [(i, tag) for i, cell in enumerate(nb.cells)
           for tag in cell.get("metadata", {}).get("tags", []) if tag not in ALLOWED_TAGS]
    assert not bad, (f"{page}: cell tags not in the documented set {sorted(ALLOWED_TAGS)} "
                     f"(CONTRIBUTING.md): " + ", ".join(f"cell {i}: {t!r}" for i, t in bad))


def test_config_is_strict_and_offline():
    cfg = yaml.safe_load((BOOK / "_config.yml").read_text())
    ex = cfg["execute"]
    assert ex["execute_notebooks"] == "cache"
    assert ex["allow_errors"] is False
    assert ex["stderr_output"] in {"error", "severe"}
    sphinx = cfg["sphinx"]
    assert "libcache" in sphinx["local_extensions"]
    assert "sphinx-mathjax-offline" in sphinx["extra_extensions"]
    assert sphinx["config"].get("nb_ipywidgets_js") == {}, "myst-nb would load require.js from a CDN"


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


# --------------------------------------------------------------------------- the build


def page_files(html: Path, pages):
    return {p: html / f"{p}.html" for p in pages}


@pytest.mark.book
def test_every_page_is_built(built_html, toc):
    missing = [p for p, f in page_files(built_html, toc).items() if not f.exists()]
    assert not missing, f"no html for {missing}"
    assert (built_html / "search.html").exists() and (built_html / "searchindex.js").exists()


def _in_raises_exception_cell(node) -> bool:
    return any("tag_raises-exception" in (p.get("class") or []) for p in node.parents)


@pytest.mark.book
def test_no_tracebacks_warnings_or_stderr_on_pages(built_html, toc):
    """Published outputs are clean: no stderr, no traceback (except in raises-exception cells)."""
    warning_text = re.compile(r"\b\w*Warning: |Traceback \(most recent call last\)|^\s*warnings\.warn", re.M)
    problems = []
    for page, path in page_files(built_html, toc).items():
        s = soup(path)
        for out in s.select(".cell_output .output, .cell_output"):
            if _in_raises_exception_cell(out):
                continue
            classes = set(out.get("class") or [])
            if classes & {"stderr", "traceback", "error"}:
                problems.append(f"{page}: a {'/'.join(sorted(classes & {'stderr', 'traceback', 'error'}))} "
                                f"output: {out.get_text()[:200]!r}")
            elif warning_text.search(out.get_text()):
                problems.append(f"{page}: a warning in an output: {out.get_text()[:200]!r}")
        for msg in s.select(".system-message, .problematic"):
            problems.append(f"{page}: a docutils error box: {msg.get_text()[:200]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_every_image_exists(built_html, toc):
    missing = []
    for page, path in page_files(built_html, toc).items():
        for img in soup(path).find_all("img"):
            src = img.get("src", "")
            if src.startswith("data:"):
                continue
            target = (path.parent / unquote(urlsplit(src).path)).resolve()
            if urlsplit(src).scheme or not target.is_file() or target.stat().st_size == 0:
                missing.append(f"{page}: {src}")
    assert not missing, "images that do not load from the site:\n" + "\n".join(missing)


@pytest.mark.book
def test_solutions_are_dropdowns_and_every_exercise_has_one(built_html, toc):
    problems = []
    for page, path in page_files(built_html, toc).items():
        s = soup(path)
        solutions = s.select("div.solution")
        for sol in solutions:
            classes = sol.get("class") or []
            if "dropdown" not in classes or "hidden" in classes:
                problems.append(f"{page}: solution {sol.get('id')} is not a folded dropdown ({classes})")
        answered = {a.get("href", "").lstrip("#") for sol in solutions
                    for a in sol.select(".admonition-title a")}
        # solutiontoggle.py turns that link into a span that names the exercise
        answered |= {sp.get("data-exercise") for sol in solutions
                     for sp in sol.select(".admonition-title .solution-of")}
        for ex in s.select("div.exercise"):
            if ex.get("id") not in answered:
                problems.append(f"{page}: exercise {ex.get('id')} has no solution")
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_exercises_are_numbered_within_their_chapter(built_html, toc):
    """Chapter k's exercises are "Exercise k.1", "Exercise k.2", ... (numbered parts in
    _toc.yml, Sphinx's numfig_secnum_depth 1); the root page's are 1, 2, ..."""
    problems = []
    for number, (page, path) in enumerate(page_files(built_html, toc).items()):
        titles = [t.get_text(" ", strip=True)
                  for t in soup(path).select("div.exercise .admonition-title")]
        found = [re.match(r"Exercise (\S+)", t).group(1) if re.match(r"Exercise (\S+)", t)
                 else t for t in titles]
        want = [f"{number}.{n}" if number else str(n) for n in range(1, len(found) + 1)]
        if found != want:
            problems.append(f"{page}: exercises numbered {found}, expected {want}")
    assert not problems, "\n".join(problems)


EMOJI = re.compile("[\u23e9-\u23fa\U0001f000-\U0001faff]")


@pytest.mark.parametrize("page", toc_pages())
def test_no_emoji_in_chapters(page):
    """Emoji (the old timing marker among them) show as empty boxes in a browser without
    an emoji font; timings start with the plain-text TIMING_PREFIX instead."""
    text = (BOOK / f"{page}.md").read_text(encoding="utf-8")
    bad = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)
           if EMOJI.search(line)]
    assert not bad, f"{page}.md has emoji on lines {bad[:5]}"


RESOURCE_ATTRS = {"script": "src", "img": "src", "iframe": "src", "source": "src",
                  "video": "src", "audio": "src", "embed": "src", "object": "data"}


@pytest.mark.book
def test_no_resource_from_another_origin(built_html):
    """Scripts, styles, fonts and images all come from the site itself."""
    remote = re.compile(r"^(https?:)?//", re.I)
    problems = []
    for path in sorted(built_html.glob("*.html")):
        s = soup(path)
        for tag, attr in RESOURCE_ATTRS.items():
            for el in s.find_all(tag):
                if remote.match(el.get(attr, "")):
                    problems.append(f"{path.name}: <{tag} {attr}={el[attr]}>")
        for link in s.find_all("link"):
            rel = set(link.get("rel") or [])
            if rel & {"stylesheet", "preload", "icon", "modulepreload", "prefetch"} and \
                    remote.match(link.get("href", "")):
                problems.append(f"{path.name}: <link rel={sorted(rel)} href={link['href']}>")
        for style in s.find_all("style"):
            for url in re.findall(r"url\(['\"]?((?:https?:)?//[^)'\"]+)", style.get_text()):
                problems.append(f"{path.name}: inline style loads {url}")
    for css in built_html.glob("_static/**/*.css"):
        for url in re.findall(r"url\(['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(errors="ignore")):
            problems.append(f"{css.relative_to(built_html)}: loads {url}")
    for css in built_html.glob("_static/**/*.css"):
        for imp in re.findall(r"@import\s+(?:url\()?['\"]?((?:https?:)?//[^)'\";]+)", css.read_text(errors="ignore")):
            problems.append(f"{css.relative_to(built_html)}: imports {imp}")
    assert not problems, "resources from another origin:\n" + "\n".join(sorted(set(problems)))


@pytest.mark.book
def test_pages_are_light(built_html, toc, capsys):
    weights = {p: page_weight(f) for p, f in page_files(built_html, toc).items()}
    with capsys.disabled():
        print("\npage weight (html / html + images), heaviest first:")
        for page, (own, total) in sorted(weights.items(), key=lambda kv: -kv[1][1]):
            print(f"  {page:24s} {own / 1024:8.0f} KiB  {total / 1024:8.0f} KiB")
    heavy = {p: t for p, (_, t) in weights.items() if t > MAX_PAGE_BYTES}
    assert not heavy, (f"pages over {MAX_PAGE_BYTES / 2**20:.0f} MB with their images: "
                       + ", ".join(f"{p} ({t / 2**20:.2f} MB)" for p, t in heavy.items()))


# --------------------------------------------------------------------------- determinism


ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


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


def execute_again(page: str, timeout: int = 600):
    from nbclient import NotebookClient

    nb = read_source_notebook(page)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(BOOK)}})
    # cells tagged raises-exception are allowed to fail, as in the book build
    client.execute()
    return nb


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize("page", toc_pages())
def test_second_execution_prints_the_same(book_build, page):
    """Re-running a chapter in a fresh kernel prints what the clean build printed.

    The clean build is the first run; the second runs the same source with nbclient
    (no cache), so every chapter executes exactly twice per test session.
    """
    built = book_build.executed / f"{page}.ipynb"
    assert built.exists(), f"the build kept no executed notebook for {page}"
    import nbformat

    first = nbformat.read(built, as_version=4)
    code_first = [c for c in first.cells if c.cell_type == "code"]
    if not code_first:
        pytest.skip(f"{page} has no code")
    second = execute_again(page)
    code_second = [c for c in second.cells if c.cell_type == "code"]
    assert [c.source for c in code_first] == [c.source for c in code_second], \
        "the source changed between the build and this test"
    for i, (a, b) in enumerate(zip(code_first, code_second)):
        ta, tb = printed_text(a), printed_text(b)
        if ta != tb:
            for key in sorted(set(ta) | set(tb)):
                la, lb = ta.get(key, "").splitlines(), tb.get(key, "").splitlines()
                for j in range(max(len(la), len(lb))):
                    x = la[j] if j < len(la) else "<nothing>"
                    y = lb[j] if j < len(lb) else "<nothing>"
                    if x != y:
                        pytest.fail(
                            f"{page}, code cell {i} ({a.source.splitlines()[0][:60]!r}...), {key} "
                            f"line {j + 1} differs between two runs:\n  first:  {x!r}\n"
                            f"  second: {y!r}\n(mark timings with a leading {TIMING_PREFIX!r}; "
                            f"seed every RNG in the chapter's first cell)", pytrace=False)


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
