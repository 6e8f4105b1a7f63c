"""Shared fixtures: the book, built once per test session, strictly and from clean.

``book_build`` runs ``jupyter-book build book --path-output <tmp> -W -n --keep-going``
on an empty output folder (so every chapter executes and nothing is read from
``book/_build``, which is never touched). Any cell error, warning, broken reference or
missing figure fails the fixture, and the failure names the chapters concerned, so
every test that needs the book reports the same clear error.

``make test`` runs pytest on every core (pytest-xdist, ``-n auto --dist worksteal``): the
tests that need the book are sorted first, so one worker starts the build at once while
the others run the rest, and all workers share that one build (``once_per_run``: the
first worker to need it builds it, the others wait for it and read its result).

Set ``BOOK_BUILD_DIR`` to build into a folder of your choice (it is emptied first);
otherwise the build lives in pytest's temporary folder, printed at the end of the run.
When iterating on the tests themselves, ``BOOK_BUILD_DIR=... BOOK_BUILD_REUSE=1`` keeps
that folder and builds incrementally (fast, but warnings of chapters that did not change
are not repeated, so this is not the strict check); ``BOOK_BUILD_REUSE=nobuild`` runs
the tests on that folder's html without building at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bookkit  # noqa: E402  (the book's plumbing, shared with the tools)
import cputime  # noqa: E402
from course.book import toc_pages
from bookkit import CHROMIUM, CHROMIUM_ARGS, Build  # noqa: E402


# Threads are the build machine's business, not the lesson's: the chapters set none, so a
# student's laptop or Colab trains on every core. Under pytest-xdist several workers (and
# the kernels they start, which inherit this environment) share the cores; with PyTorch's
# default of one thread per core each, they would stall each other (measured 10x slower
# on 2 cores). One thread per process keeps every core busy without oversubscribing it.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


@pytest.fixture(scope="session", autouse=True)
def temporary_data_cache(tmp_path_factory):
    """Every test (and every book build a test starts) caches data in a temporary folder.

    ``lib`` writes its caches under ``$DLF_CACHE_DIR`` when it is set, so the user's own
    ``~/.cache/dlf`` is never written by the tests. The folder is shared by the session,
    so Fashion-MNIST is unpacked and parsed once per run. Where the user's cache is the
    only copy of the files (no ``$FASHION_MNIST_DIR``, no Debian package: ``make data``
    found them there), the tests read them from it as ``$FASHION_MNIST_DIR``, verified
    like any other source, and still write nothing there.
    """
    from lib.datasets import DEBIAN_DIR, ENV_VAR, FILES, cache_dir

    users_raw = cache_dir() / "FashionMNIST" / "raw"
    cache = tmp_path_factory.mktemp("dlf-cache")
    saved = {k: os.environ.get(k) for k in ("DLF_CACHE_DIR", ENV_VAR)}
    os.environ["DLF_CACHE_DIR"] = str(cache)

    def has_all(folder):
        return all((folder / f).is_file() or (folder / f"{f}.gz").is_file() for f in FILES)

    if not os.environ.get(ENV_VAR) and not has_all(DEBIAN_DIR) and has_all(users_raw):
        os.environ[ENV_VAR] = str(users_raw)
    yield cache
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@dataclasses.dataclass
class BookBuild:
    out: Path          # the --path-output folder
    build: Path        # out/_build
    html: Path         # out/_build/html
    executed: Path     # out/_build/jupyter_execute: the executed notebooks
    log: str
    seconds: float
    pages: list[str]


@pytest.fixture(scope="session")
def toc() -> list[str]:
    """Docnames of the pages in ``book/_toc.yml`` (no build needed)."""
    return toc_pages()


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory) -> Path:
    """The folder this test run's workers share: for what is made once per run (with a lock).

    A pytest-xdist worker's temporary folder is ``<run's>/popen-gw<N>``: its parent is shared.
    """
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def once_per_run(run_folder):
    """``once_per_run(name, make)``: the value of ``make()``, made once per test run.

    Under pytest-xdist every worker has its own session fixtures; what is too costly to
    make twice (the book build, the PDF, a graded class) is made by the first worker that
    needs it, under a file lock, and pickled into the run folder for the others.
    """
    import pickle

    from filelock import FileLock

    def once(name, make):
        record = run_folder / f"{name}.pickle"
        with FileLock(str(run_folder / f"{name}.lock")):
            if record.exists():
                return pickle.loads(record.read_bytes())
            with cpu_block(name, ONCE_GROUPS.get(name, "slow (other)")):
                value = make()
            record.write_bytes(pickle.dumps(value))
            return value
    return once


def _build(out: Path) -> Build:
    """The strict clean build into `out` (or, with BOOK_BUILD_REUSE, what is there)."""
    if not os.environ.get("BOOK_BUILD_REUSE"):
        shutil.rmtree(out / "_build", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    if os.environ.get("BOOK_BUILD_REUSE") == "nobuild":  # test an existing build as it is
        return Build(0, (out / "build.log").read_text(), 0.0)
    result = bookkit.build(out)
    (out / "build.log").write_text(result.log)
    return result


@pytest.fixture(scope="session")
def book_build(run_folder, once_per_run, toc) -> BookBuild:
    """The whole book, built once per test run from clean with ``-W -n --keep-going``."""
    out = Path(os.environ.get("BOOK_BUILD_DIR") or run_folder / "book")
    result = once_per_run("book-build", lambda: _build(out))
    (run_folder / "book-build.json").write_text(json.dumps(
        {"seconds": result.seconds, "returncode": result.returncode, "out": str(out)}))
    rc, log, seconds = result.returncode, result.log, result.seconds
    problems = result.problems_by_chapter(toc)
    if rc != 0 or problems:
        lines = [f"strict book build failed (exit {rc}) after {seconds:.0f} s; full log: "
                 f"{out / 'build.log'}"]
        for chapter, msgs in problems.items():
            lines.append(f"  in {chapter}:")
            lines += [f"    {m[:400]}" for m in msgs[:12]]
            if len(msgs) > 12:
                lines.append(f"    ... and {len(msgs) - 12} more")
        if not problems:
            lines.append("  (no warning lines found; last lines of the log:)")
            lines += ["    " + ln for ln in log.splitlines()[-25:]]
        pytest.fail("\n".join(lines), pytrace=False)
    build = out / "_build"
    return BookBuild(out=out, build=build, html=build / "html", executed=build / "jupyter_execute",
                     log=log, seconds=seconds, pages=toc)


@pytest.fixture(scope="session")
def built_html(book_build) -> Path:
    """The html folder of the strict clean build (``.../_build/html``)."""
    return book_build.html


def pytest_collection_modifyitems(items):
    """Order the tests for xdist's worksteal, which hands worker k the k-th contiguous
    share of this list and lets an idle worker steal the end of the longest queue.

    The first share starts with the tests that need the book (the first of them starts the
    build, which keeps both cores busy with its kernels; the others wait for it); each other
    share starts with its part of the slow tests: first those that never need the build (the
    graded class, the small books), then the student notebook runs, which need it at their
    end to compare (by then it is there), the later chapters (which train longest) before
    the earlier ones; quick tests fill every share to its end, where stealing takes them
    from. So every worker starts on long work, none waits for the build, and the run does
    not end with one long test on one core. Without xdist: book, slow, the rest."""
    def slow_first(item):
        callspec = getattr(item, "callspec", None)
        doc = callspec.params.get("doc") if callspec else None
        pages = toc_pages()
        is_run = item.path.name == "test_student_runs.py" and doc in pages
        return (is_run, -pages.index(doc) if is_run else 0)

    book = [i for i in items if "book_build" in getattr(i, "fixturenames", ())]
    slow = sorted((i for i in items if i not in book and i.get_closest_marker("slow")),
                  key=slow_first)
    quick = [i for i in items if i not in book and not i.get_closest_marker("slow")]
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers < 2:
        items[:] = book + slow + quick
        return
    shares, left = [], len(items)
    for k in range(workers):           # the sizes worksteal gives the workers
        shares.append(left // (workers - k))
        left -= shares[-1]
    queues = [book] + [slow[k::workers - 1] for k in range(workers - 1)]
    for queue, size in zip(queues, shares):
        take = max(0, size - len(queue))
        queue += quick[:take]
        quick = quick[take:]
    items[:] = [i for queue in queues for i in queue] + quick


def pytest_terminal_summary(terminalreporter):
    """Where the build is and how long it took (read from the record the workers share),
    and the CPU seconds of the run by group (the ledger below)."""
    factory = getattr(terminalreporter.config, "_tmp_path_factory", None)
    if factory is None:
        return
    groups = cpu_by_group(factory.getbasetemp())
    if groups:
        terminalreporter.write_sep("-", "CPU seconds by group")
        terminalreporter.write_line("  ".join(f"{g}: {s:.0f}" for g, s in groups.items())
                                    + f"  (total {sum(groups.values()):.0f})")
    record = factory.getbasetemp() / "book-build.json"
    if not record.exists():
        return
    info = json.loads(record.read_text())
    out = info["out"]
    terminalreporter.write_sep("-", "book build")
    terminalreporter.write_line(
        f"clean strict build: {info['seconds']:.0f} s (exit {info['returncode']}), "
        f"output and screenshots in {out}/_build")


# --------------------------------------------------------------------------- the browser
# Shared by the browser tests (test_browser.py, test_a11y.py): one server, one Chromium.

@pytest.fixture(scope="session")
def site(built_html):
    """Base URL of the built html, served on 127.0.0.1."""
    with bookkit.serve(built_html) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package")
    playwright = sync_api.sync_playwright()
    p = playwright.__enter__()
    try:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
    finally:
        # Closing Chromium is the browser's CPU, not that of the test that happens to end
        # the session.
        with cpu_block("chromium", "browser"):
            with contextlib.suppress(Exception):
                b.close()
            playwright.__exit__(None, None, None)


# --------------------------------------------------------------------------- CPU ledger
# Where the suite's CPU time goes, by group (printed at the end of the run, read by
# tools/bench_tests.py). Each test's CPU time (its process and every process it started,
# running or finished: kernels, the book build and its kernels, Chromium, the grader) is
# recorded with its group; the costly things made once per run (``once_per_run``) and the
# browser are blocks of their own, subtracted from the test during which they ran. Wall
# times on a shared machine vary with its load, CPU seconds much less.

GROUPS_BY_FILE = {
    "test_student_runs.py": "student runs",
    "test_pdf.py": "PDF",
    "test_grading.py": "grading",
}
ONCE_GROUPS = {"book-build": "build", "book-pdf": "PDF", "book-pdf-text": "PDF",
               "graded-class": "grading"}
LEDGER_PREFIX = "cpu-ledger-"
_ledger_stack: list[list[float]] = []   # [cpu at start, cpu of nested blocks]
_ledger_file: list[Path] = []


_cpu_seen = [0.0, 0.0]   # [the last reading, CPU of processes that left the tree unseen]


def _cpu() -> float:
    """This worker's CPU seconds so far, its processes' included (tools/cputime.py: live
    ones too, such as Chromium). Processes reaped outside the tree (Chromium's, once the
    browser closes) take their time with them; the reading never goes down, so what they
    had is kept."""
    now = cputime.tree_cpu() + _cpu_seen[1]
    if now < _cpu_seen[0]:
        _cpu_seen[1] += _cpu_seen[0] - now
        now = _cpu_seen[0]
    _cpu_seen[0] = now
    return now


@contextlib.contextmanager
def cpu_block(name: str, group: str):
    """Record the CPU seconds spent inside the block (minus nested blocks) under `group`."""
    entry = [_cpu(), 0.0]
    _ledger_stack.append(entry)
    try:
        yield
    finally:
        _ledger_stack.pop()
        total = _cpu() - entry[0]
        if _ledger_stack:
            _ledger_stack[-1][1] += total
        if _ledger_file:
            with _ledger_file[0].open("a") as f:
                f.write(json.dumps({"name": name, "group": group,
                                    "cpu": round(total - entry[1], 3)}) + "\n")


def _test_group(item) -> str:
    group = GROUPS_BY_FILE.get(item.path.name)
    if group:
        return group
    if item.get_closest_marker("browser") is not None:
        return "browser"
    if item.get_closest_marker("slow") is not None:
        return "slow (other)"
    return "book pages" if item.get_closest_marker("book") is not None else "unit"


def pytest_sessionstart(session):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    base = factory.getbasetemp()
    folder = base.parent if worker else base
    _ledger_file[:] = [folder / f"{LEDGER_PREFIX}{worker or 'main'}.jsonl"]
    _ledger_file[0].unlink(missing_ok=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    with cpu_block(item.nodeid, _test_group(item)):
        yield


def cpu_by_group(folder: Path) -> dict[str, float]:
    totals: dict[str, float] = {}
    for ledger in folder.glob(f"{LEDGER_PREFIX}*.jsonl"):
        for line in ledger.read_text().splitlines():
            rec = json.loads(line)
            totals[rec["group"]] = totals.get(rec["group"], 0.0) + rec["cpu"]
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))
