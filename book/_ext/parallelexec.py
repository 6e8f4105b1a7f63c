"""Execute the outdated chapters in parallel, before myst-nb reads them.

myst-nb executes a notebook when Sphinx reads it, and Sphinx (as jupyter-book runs it)
reads one document after the other: a clean build runs the chapters' kernels one at a
time while the other cores wait. This extension runs at ``env-before-read-docs``, when
Sphinx knows which documents it is about to read. For each of them that myst-nb would
execute through its cache (``execute_notebooks: cache``) and that the cache does not
hold yet, it

1. reads the notebook exactly as myst-nb will (myst-nb's own reader, the file-level
   ``mystnb`` overrides, the kernel aliases), so the cache key is the one myst-nb looks up;
2. executes it with jupyter-cache's ``single_nb_execution`` (the function myst-nb's cache
   mode calls, with the same working directory, timeout and ``allow_errors``) in a pool
   of worker processes, each driving one kernel, the slowest chapters first;
3. stores each executed notebook in the project's jupyter-cache as myst-nb does
   (``add_nb_to_project`` + ``cache_notebook_bundle``).

myst-nb then reads every chapter, finds it in the cache and renders it: the same cells,
the same outputs, the same cache a serial build leaves (``libcache`` still picks the
cache folder, so a ``lib`` edit re-executes everything, and an unchanged rebuild executes
nothing). A chapter that fails is reported like myst-nb reports it (a warning at the
chapter with the traceback), its traceback is recorded in the cache project, and once
every other chapter has finished (and been cached), the build stops with an
``ExecutionError`` naming the failed chapters; the next build re-executes only those.
With ``nb_execution_raise_on_error: false`` a failed chapter is left to myst-nb, which
executes it again and shows the error on the page, as without this extension.

Cores, kernels and threads. The pool has ``parallel_execution_jobs`` kernels (default:
the CPUs this process may use, ``os.sched_getaffinity``; ``$BOOK_EXECUTION_JOBS``
overrides both), never more than there are chapters to execute. Each kernel gets
``OMP_NUM_THREADS``/``MKL_NUM_THREADS``/``OPENBLAS_NUM_THREADS`` of
``max(1, cores // jobs)`` threads (one on the default), unless the environment already
sets them, so kernels times threads never exceeds the cores. The chapters are small
models for which one thread per kernel and one kernel per core beats one kernel with
every core (PyTorch's threads barely help a 256-unit MLP, processes do not contend).
The chapters start longest first (longest-processing-time scheduling): the times of the
last execution are kept in ``<jupyter cache>/execution-times.json`` (which outlives the
``lib-<hash>`` folders), and a build without them starts the chapters listed in
``parallel_execution_first`` first, then the others by size.

How it scales (measured on the 2-core build machine, nearly idle): at one thread per
kernel the chapters take about 195 CPU-seconds in all (dropout 73, mlp 53, softmax
regression 16, numerical stability 14, the others 5 to 10 each); two kernels kept both
cores busy to the end (97.8 s of execution, the sum divided by two) and the clean build
took 105 s, against 128 s for the serial build (one kernel with PyTorch's two threads).
The execution takes about ``max(slowest chapter, total / cores)``: on 2 cores it is
bound by the total, so only less computation in the chapters makes it faster; from
about 3 cores on, the slowest chapter at one thread (dropout) bounds it, and fewer
kernels with more threads each (``parallel_execution_jobs`` = cores / 2, say) lets that
chapter use PyTorch's threads.

``parallel_execution_jobs = 1`` (or ``BOOK_EXECUTION_JOBS=1``) turns the extension off:
myst-nb then executes the chapters one at a time, as before.

One fix to myst-nb (1.4) comes with it: when a notebook comes from the cache, myst-nb
renders the page from the cached outputs but writes the notebook it read, without them,
to ``_build/jupyter_execute/`` (only a notebook it has just executed is written with its
outputs). Since every chapter now comes from the cache, the cached outputs are merged
into the notebook object myst-nb writes, so ``jupyter_execute`` holds the executed
notebooks after any build, clean or incremental, as after a serial clean build.
"""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import json
import multiprocessing
import os
import re
import tempfile
import time
from pathlib import Path, PurePosixPath

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ENV_JOBS = "BOOK_EXECUTION_JOBS"
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
TIMES_FILE = "execution-times.json"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan(config) -> tuple[int, int]:
    """(kernels, threads per kernel) for this machine and configuration."""
    cores = usable_cores()
    jobs = int(os.environ.get(ENV_JOBS) or config.parallel_execution_jobs or cores)
    return max(1, jobs), max(1, cores // max(1, jobs))


@dataclasses.dataclass
class _Job:
    docname: str
    path: Path
    notebook: object  # nbformat.NotebookNode
    nb_config: object  # myst_nb NbParserConfig, with the file's overrides
    read_fmt: dict | None


# ------------------------------------------------------------------ in the worker process
def _init_worker(threads: int) -> None:
    """Runs once in each worker: its kernels inherit these thread limits."""
    for var in THREAD_VARS:
        os.environ.setdefault(var, str(threads))


def _execute(notebook, cwd: str | None, timeout, allow_errors: bool):
    """One notebook, executed as myst-nb's cache mode executes it (jupyter-cache's helper)."""
    from jupyter_cache.executors.utils import single_nb_execution

    if cwd is None:  # nb_execution_in_temp
        with tempfile.TemporaryDirectory() as tmp:
            result = single_nb_execution(notebook, cwd=tmp, timeout=timeout,
                                         allow_errors=allow_errors, meta_override=True)
    else:
        result = single_nb_execution(notebook, cwd=cwd, timeout=timeout,
                                     allow_errors=allow_errors, meta_override=True)
    # The exception object may not pickle (nbclient's errors carry kernel state): send text.
    err = None if result.err is None else result.err.__class__.__name__
    return result.nb, result.time, err, result.exc_string


# ------------------------------------------------------------------ in Sphinx's process
def _read(env, docname: str) -> _Job | None:
    """The notebook myst-nb will execute for `docname`, or None if it executes none."""
    from myst_nb.core.read import create_nb_reader
    from myst_nb.core.nb_to_tokens import nb_node_to_dict

    path = Path(env.doc2path(docname))
    nb_config = env.mystnb_config
    text = path.read_text(encoding=env.config.source_encoding)
    reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel is not None and nb_config.kernel_rgx_aliases:
        for rgx, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(rgx, kernel):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    if nb_config.metadata_key in notebook.metadata:
        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        try:
            nb_config = nb_config.copy(**overrides)
        except Exception:  # myst-nb warns about it when it reads the file
            return None
    if nb_config.execution_mode != "cache":
        return None
    posix = PurePosixPath(path.as_posix())
    if any(posix.match(p) for p in nb_config.execution_excludepatterns or ()):
        return None
    if not any(c.cell_type == "code" for c in notebook.cells):
        return None  # nothing to run; myst-nb caches it in no time
    return _Job(docname, path, notebook, nb_config, reader.read_fmt)


def _times_path(cache_path: Path) -> Path:
    # libcache puts the cache in <base>/lib-<hash>; keep the times next to it, in <base>.
    return (cache_path.parent if cache_path.name.startswith("lib-") else cache_path) / TIMES_FILE


def _load_times(path: Path) -> dict[str, float]:
    try:
        return {k: float(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _longest_first(jobs: list[_Job], times: dict[str, float], first: list[str]) -> list[_Job]:
    def key(job):
        if job.docname in times:
            return (0, -times[job.docname])
        if job.docname in first:
            return (0, -1e6 + first.index(job.docname))  # before any measured chapter
        return (1, -job.path.stat().st_size)
    # measured chapters and the configured slow ones by expected time, the others by size;
    # an unmeasured configured chapter goes first: it was named because it is slow.
    return sorted(jobs, key=key)


def _pre_execute(app: Sphinx, env, docnames: list[str]) -> None:
    nb_config = getattr(env, "mystnb_config", None)
    if nb_config is None or nb_config.execution_mode != "cache":
        return
    kernels, threads = plan(app.config)
    if kernels <= 1:
        return
    from jupyter_cache import get_cache

    cache_path = Path(nb_config.execution_cache_path or ".jupyter_cache")
    cache = get_cache(str(cache_path))
    todo = []
    for docname in sorted(docnames):
        try:
            job = _read(env, docname)
        except Exception as exc:  # myst-nb reports a broken file when it reads it
            logger.debug("parallelexec: cannot read %s: %s", docname, exc)
            continue
        if job is None:
            continue
        try:
            cache.match_cache_notebook(job.notebook)
            continue  # cached: myst-nb uses it
        except KeyError:
            todo.append(job)
    if not todo:
        return
    times_file = _times_path(cache_path)
    times = _load_times(times_file)
    todo = _longest_first(todo, times, list(app.config.parallel_execution_first))
    kernels = min(kernels, len(todo))
    logger.info("parallelexec: executing %d notebook(s) with %d kernels, %s thread(s) each: %s",
                len(todo), kernels, os.environ.get("OMP_NUM_THREADS") or threads,
                ", ".join(j.docname for j in todo))
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")  # no re-import of Sphinx per worker
    else:
        context = multiprocessing.get_context("spawn")
    failed = []
    start = time.perf_counter()
    with cf.ProcessPoolExecutor(kernels, mp_context=context, initializer=_init_worker,
                                initargs=(threads,)) as pool:
        futures = {}
        for job in todo:  # submitted in order, so started longest first
            cwd = None if job.nb_config.execution_in_temp else str(job.path.parent)
            futures[pool.submit(_execute, job.notebook, cwd, job.nb_config.execution_timeout,
                                job.nb_config.execution_allow_errors)] = job
            logger.info("Executing notebook in parallel (kernel pool of %d)", kernels,
                        location=job.docname)
        for future in cf.as_completed(futures):
            job = futures[future]
            try:
                notebook, seconds, err, exc_string = future.result()
            except Exception as exc:  # the worker itself broke: let myst-nb try again
                logger.info("parallelexec: %s: %s: %s; myst-nb will execute it",
                            job.docname, exc.__class__.__name__, exc)
                continue
            times[job.docname] = round(seconds, 2)
            if _store(cache, job, notebook, seconds, err, exc_string):
                continue
            if job.nb_config.execution_raise_on_error:
                msg = f"Executing notebook failed: {err}"
                if job.nb_config.execution_show_tb:
                    msg += f"\n{exc_string}"
                logger.warning(msg, location=job.docname, type="mystnb", subtype="exec")
                failed.append(job)
    logger.info("parallelexec: %d notebook(s) in %.1f s", len(todo), time.perf_counter() - start)
    try:
        times_file.parent.mkdir(parents=True, exist_ok=True)
        times_file.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")
    except OSError:
        pass
    if failed:
        from myst_nb.core.execute.base import ExecutionError

        raise ExecutionError(", ".join(str(j.path) for j in failed))


def _store(cache, job: _Job, notebook, seconds: float, err, exc_string) -> bool:
    """Record the execution as myst-nb's cache client does; True when it succeeded."""
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    if job.read_fmt is not None:
        record = cache.add_nb_to_project(str(job.path), read_data=job.read_fmt)
    else:
        record = cache.add_nb_to_project(str(job.path))
    NbProjectRecord.remove_tracebacks([record.pk], cache.db)
    if err is not None:
        NbProjectRecord.set_traceback(record.uri, exc_string, cache.db)
        return False
    logger.info("Executed notebook in %.2f seconds", seconds, location=job.docname)
    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, record.uri, data={"execution_seconds": seconds}),
        check_validity=False, overwrite=True)
    return True


def _write_cached_outputs() -> None:
    """Make myst-nb's cache client merge the cached outputs into the notebook it was given
    (the object myst-nb later writes to jupyter_execute), not into a copy."""
    from myst_nb.core.execute.cache import NotebookClientCache

    if getattr(NotebookClientCache, "_parallelexec_patched", False):
        return
    start = NotebookClientCache.start_client

    def start_client(self):
        given = self._notebook
        start(self)
        if self._notebook is not given:
            merged = self._notebook
            given.clear()
            given.update(merged)
            self._notebook = given

    NotebookClientCache.start_client = start_client
    NotebookClientCache._parallelexec_patched = True


def setup(app: Sphinx) -> dict:
    _write_cached_outputs()
    app.add_config_value("parallel_execution_jobs", 0, "", [int])
    app.add_config_value("parallel_execution_first", [], "", [list, tuple])
    app.connect("env-before-read-docs", _pre_execute)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
