"""The book's plumbing, in one place: its pages, a build, the build's log, page weights.

Used by the tests (tests/conftest.py, tests/test_site.py, ...), the notebook generator
(tools/make_notebooks.py) and the build benchmark (tools/bench_build.py), so that they
agree on which pages the book has and on what a failed build looks like.
"""
from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
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
