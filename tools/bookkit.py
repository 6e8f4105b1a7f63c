"""The book's plumbing, in one place: its pages, a build, the build's log, page weights,
and the built site served locally for headless Chromium.

Used by the tests (tests/conftest.py, tests/test_site.py, ...), the notebook generator
(tools/make_notebooks.py) and the build benchmark (tools/bench_build.py), so that they
agree on which pages the book has and on what a failed build looks like.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
STRICT = ("-W", "-n", "--keep-going")
# The jupytext front matter that makes a .md file a MyST notebook (every chapter starts so).
MYST_HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Sphinx's problem lines: "<file>:<line>: WARNING: ..." or "WARNING: ..." (also ERROR, ...).
# The kernel's own "[IPKernelApp] WARNING | ..." chatter on the console is not one.
PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE): ")


def _docname(file) -> str:
    """A _toc.yml `file` entry as a docname: without its .md/.ipynb suffix."""
    name = str(file)
    for suffix in (".md", ".ipynb"):
        name = name.removesuffix(suffix)
    return name


def toc_pages(book: Path = BOOK) -> list[str]:
    """The docnames listed in ``_toc.yml`` (no .md/.ipynb suffix), root first, in reading order."""
    import yaml

    toc = yaml.safe_load((book / "_toc.yml").read_text())
    pages = []

    def add(name):
        name = _docname(name)
        if name not in pages:
            pages.append(name)

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                add(node["file"])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key) or [])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    add(toc["root"])
    walk({k: v for k, v in toc.items() if k != "root"})
    return pages


def is_notebook_page(page: str, book: Path = BOOK) -> bool:
    """Whether a page executes as a notebook: an .ipynb, or MyST with a kernelspec in its
    front matter. Plain Markdown pages (the notation page) have no code and no student
    notebook."""
    path = book / f"{page}.md"
    if not path.exists():
        return (book / f"{page}.ipynb").exists()
    text = path.read_text(encoding="utf-8")
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return bool(front and re.search(r"^kernelspec:", front.group(1), re.M))


def notebook_pages(book: Path = BOOK) -> list[str]:
    """The pages of ``_toc.yml`` that are notebooks (each has a student notebook), in order."""
    return [p for p in toc_pages(book) if is_notebook_page(p, book)]


def source_notebook(page: str, book: Path = BOOK):
    """A chapter's source as a notebook, read the way myst-nb reads it for the build."""
    path = book / f"{page}.md"
    if path.exists():
        from myst_nb.core.read import read_myst_markdown_notebook

        return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    import nbformat

    return nbformat.read(book / f"{page}.ipynb", as_version=4)


def chapter_numbers(book=BOOK):
    """docname -> its chapter number on the site, for the numbered chapters of _toc.yml.

    The site numbers the chapters of numbered parts in reading order, across parts
    (Sphinx then numbers exercises within each chapter: "Exercise 4.2"); the root page
    has no number.
    """
    import yaml

    toc = yaml.safe_load((book / "_toc.yml").read_text())
    numbers, n = {}, 0
    default = bool((toc.get("options") or {}).get("numbered")) and not toc.get("parts")
    for part in toc.get("parts") or [{"chapters": toc.get("chapters") or [],
                                       "numbered": default}]:
        for chapter in part.get("chapters") or []:
            if part.get("numbered") and "file" in chapter:
                n += 1
                numbers[_docname(chapter["file"])] = n
    return numbers


def jupyter_book_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("jupyter-book")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book"]


@dataclasses.dataclass
class Build:
    """One run of ``jupyter-book build``: exit code, log without colours, wall time."""
    returncode: int
    log: str
    seconds: float

    def executed(self) -> list[str]:
        """Chapters that myst-nb executed (from its log lines)."""
        return [Path(m).stem for m in
                re.findall(r"^(\S+?\.(?:md|ipynb)): Executing notebook", self.log, re.M)]

    def execution_seconds(self) -> dict[str, float]:
        return {Path(f).stem: float(s) for f, s in re.findall(
            r"^(\S+?\.(?:md|ipynb)): Executed notebook in ([\d.]+) seconds", self.log, re.M)}

    def problems(self) -> list[str]:
        return [ln.strip() for ln in self.log.splitlines()
                if PROBLEM.search(ln) and "build succeeded" not in ln]

    def problems_by_chapter(self, pages: list[str]) -> dict[str, list[str]]:
        """The warning/error lines grouped by the chapter they name."""
        found: dict[str, list[str]] = {}
        names = sorted(pages, key=len, reverse=True)
        for line in self.problems():
            chapter = next((n for n in names if re.search(
                rf"(^|[/\s]){re.escape(n)}(\.md|\.ipynb)\b", line)), "(whole book)")
            found.setdefault(chapter, []).append(line)
        return found


def build(out: Path, book: Path = BOOK, flags: tuple[str, ...] = STRICT,
          extra: tuple[str, ...] = (), env=None, cwd: Path = ROOT) -> Build:
    """Run ``jupyter-book build book --path-output out`` (strict unless ``flags``)."""
    cmd = [*jupyter_book_cmd(), "build", str(book), "--path-output", str(out), *flags, *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          cwd=cwd, env=env)
    return Build(proc.returncode, ANSI.sub("", proc.stdout), time.perf_counter() - t0)


def page_weight(page: Path) -> tuple[int, int]:
    """(bytes of a built page's html, bytes of the html plus the local images it shows)."""
    from bs4 import BeautifulSoup

    own = page.stat().st_size
    total, seen = own, set()
    for img in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("img"):
        src = img.get("src", "")
        if src.startswith("data:") or urlsplit(src).scheme:
            continue
        target = (page.parent / unquote(urlsplit(src).path)).resolve()
        if target.is_file() and target not in seen:
            seen.add(target)
            total += target.stat().st_size
    return own, total


# --------------------------------------------------------------------------- the browser
# Debian's Chromium, as the browser tests, the PDF and the screenshots drive it (Playwright
# cannot download a browser here).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` on a free port of 127.0.0.1; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
