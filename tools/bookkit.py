"""The book's build plumbing, in one place: a build and its log, page weights, and the
built site served locally for headless Chromium. (Its pages and chapters, the model every
part shares, are the course package's: course/book.py.)

Used by the tests (tests/conftest.py, tests/test_site.py, ...), the PDF, the screenshots
and the build benchmark (tools/bench_build.py), so that they agree on what a failed build
looks like.
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

from course.book import BOOK, ROOT

STRICT = ("-W", "-n", "--keep-going")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Sphinx's problem lines: "<file>:<line>: WARNING: ..." or "WARNING: ..." (also ERROR, ...).
# The kernel's own "[IPKernelApp] WARNING | ..." chatter on the console is not one.
PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE): ")


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
