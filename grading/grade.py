"""Grade a folder of submissions, in parallel, into a gradebook."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

import nbformat

from . import gradebook
from course.book import ROOT
from course.exercises import chapter_names, load_chapter
from .kernel import Session, repository_first
from .limits import Limits
from .run import check_cell
from .submission import read_submission


class GradingError(RuntimeError):
    """Grading itself cannot run (not a problem of one submission)."""


def find_submissions(folder: Path, out: Path | None = None) -> list[Path]:
    """Every .ipynb under `folder` (sorted by relative path), skipping checkpoints and `out`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder: give the folder that holds the "
                           "submitted notebooks")
    found = []
    for p in folder.rglob("*.ipynb"):
        rel = p.relative_to(folder)
        if ".ipynb_checkpoints" in rel.parts:
            continue
        if out is not None and Path(out).resolve() in p.resolve().parents:
            continue
        if p.is_file():
            found.append(p)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise GradingError(f"--shard {text!r}: write i/n, e.g. 2/8 for the second of 8 shards") from None
    if n < 1:
        raise GradingError(f"--shard {text!r}: n, the number of shards, must be 1 or more, "
                           "e.g. 2/8 for the second of 8 shards")
    if not 1 <= i <= n:
        raise GradingError(f"--shard {text!r}: i must be between 1 and n (here 1 to {n}), "
                           f"e.g. 1/{n} for the first of {n} shards")
    return i, n


def check_folders(folder: Path, out: Path) -> None:
    """GradingError unless the submissions `folder` exists and the gradebook `out` is
    neither that folder, nor inside it, nor around it (the grader skips the gradebook's
    folder when it looks for submissions: such an `out` would hide submissions, or mix the
    gradebook with them)."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is a file, not a folder"
        raise GradingError(f"{folder} {what}: give the folder that holds the submitted "
                           "notebooks (it is searched with its subfolders)")
    f, o = folder.resolve(), out.resolve()
    if o == f or f in o.parents:
        raise GradingError(f"--out {out} is {'the' if o == f else 'inside the'} submissions "
                           f"folder {folder}: the gradebook would be mixed with the "
                           "submissions; write it elsewhere, e.g. --out "
                           f"{f.parent / (f.name + '-grades')}")
    if o in f.parents:
        raise GradingError(f"--out {out} holds the submissions folder {folder}: the grader "
                           "skips the gradebook's folder when it looks for submissions, so "
                           "it would grade none; give a folder of its own, e.g. --out "
                           f"{f.parent / (f.name + '-grades')}")


def shard_of(paths: list, shard: tuple[int, int] | None) -> list:
    """The i-th of n interleaved shares (deterministic: the list is sorted)."""
    if shard is None:
        return paths
    i, n = shard
    return paths[i - 1::n]


def preflight(run_tmp: Path, limits: Limits) -> Path:
    """Start one kernel with the limits and load the course's checks in it.

    Raises GradingError when that fails (the grader cannot work on this machine as set),
    and returns a matplotlib folder warmed up for the submissions' kernels.
    """
    try:
        chapters = [load_chapter(n) for n in chapter_names()]
    except Exception as e:  # noqa: BLE001
        raise GradingError(f"could not read the course's chapters in {ROOT / 'book'}: {e}") from e
    check = next((ch for c in chapters for ex in c.scored for ch in ex.checks), None)
    tmp = run_tmp / "preflight"
    tmp.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    probe = "import lib, torch\nimport matplotlib.pyplot as plt\nplt.figure(); plt.close('all')"
    nb.cells = [nbformat.v4.new_code_cell(probe)]
    if check is not None:
        nb.cells.append(nbformat.v4.new_code_cell(check_cell(check, "preflight")))
    nb.cells.append(nbformat.v4.new_code_cell("pass"))
    session = Session(nb, tmp, limits)
    try:
        session.start()
        errors, timed_out = session.run(nb.cells[0], 0, max(120, limits.cell_timeout))
        if errors or timed_out:
            e = errors[0] if errors else None
            raise GradingError("a kernel with the grader's limits cannot import lib, torch and "
                               f"matplotlib: {e.ename + ': ' + e.evalue if e else 'timed out'}. "
                               "Is the memory limit (--memory) too low?")
        if check is not None:
            errors, _ = session.run(nb.cells[1], 1, 120)
            got = session.client.results.get(1, {})
            if errors or got.get("nonce") != "preflight" or got.get("stage") == "load":
                raise GradingError(f"the course's checks do not load in a kernel: "
                                   f"{got.get('message') or errors}")
    except Exception as e:  # noqa: BLE001
        try:
            log = (tmp / "kernel.log").read_text(errors="replace").strip().splitlines()[-3:]
        except OSError:
            log = []
        what = str(e) if isinstance(e, GradingError) else \
            f"could not run a kernel: {type(e).__name__}: {e}"
        raise GradingError(
            f"{what}" + (f"; the kernel's last words: {' | '.join(log)}" if log else "")
            + f". The kernels run with the grader's limits (memory {limits.memory / 2**30:.1f} GiB "
            f"of address space, {limits.cpu} s of CPU, {limits.file_size // 2**20} MiB files): "
            "if the memory limit (--memory) is too low for torch, raise it.") from e
    finally:
        session.stop()
    return tmp / "home" / ".matplotlib"


def _gradeable(path: Path) -> bool:
    """Whether a submission will need a kernel (a notebook of a known chapter)."""
    try:
        read_submission(path)
    except (ValueError, LookupError):
        return False
    return True


def grade_one(path: Path, name: str, tmp: Path, limits: Limits, mpl_dir: Path | None,
              hard_timeout: float) -> dict:
    """Grade one submission in a worker process; a result whatever happens."""
    tmp.mkdir(parents=True)
    job = {"path": str(path.resolve()), "name": name, "tmp": str(tmp), "limits": asdict(limits),
           "mpl_dir": str(mpl_dir) if mpl_dir else None, "result": str(tmp / "result.json")}
    (tmp / "job.json").write_text(json.dumps(job))
    env = dict(os.environ)
    env["PYTHONPATH"] = repository_first(env.get("PYTHONPATH"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    base = {"submission": name, "chapter": None, "graded": False, "exercises": {}, "answers": {},
            "notes": [], "seconds": 0.0}
    t0 = time.monotonic()
    with open(tmp / "worker.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "grading.worker", str(tmp / "job.json")],
                                cwd=str(tmp), env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=hard_timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            return {**base, "reason": f"the grader gave up after {hard_timeout:.0f} s",
                    "seconds": round(time.monotonic() - t0, 2)}
    _kill_tree(proc)  # a kernel left behind, if any
    try:
        return json.loads((tmp / "result.json").read_text())
    except (OSError, ValueError):
        tail = (tmp / "worker.log").read_text(errors="replace")[-1500:]
        return {**base, "reason": f"the grader failed on this notebook (exit {proc.returncode}): {tail}",
                "seconds": round(time.monotonic() - t0, 2)}


def _kill_tree(proc):
    """Kill the worker's process group and any kernel it started (their pids are in kernel files)."""
    for sig in (signal.SIGKILL,):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def grade_folder(folder: Path, out: Path, jobs: int | None = None, shard=None,
                 limits: Limits | None = None, progress: bool = True, keep_temp: bool = False) -> list[dict]:
    """Grade every submission of `folder` (or this shard's share) into the gradebook `out`."""
    limits = limits or Limits()
    jobs = max(1, jobs or os.cpu_count() or 1)
    folder, out = Path(folder), Path(out)
    check_folders(folder, out)
    every = find_submissions(folder, out)
    if not every:
        raise GradingError(f"{folder} holds no .ipynb file (its subfolders were searched too, "
                           ".ipynb_checkpoints skipped): is it the folder of the submissions? "
                           "A submission must be the notebook file itself (.ipynb), not a zip "
                           "or a PDF")
    mine = shard_of(every, shard)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / ".write-test").write_text("")
        (out / ".write-test").unlink()
    except OSError as e:
        raise GradingError(f"cannot write the gradebook into {out}: {e}") from e
    run = {"folder": str(folder), "class_size": len(every), "submissions": len(mine),
           "shard": {"index": shard[0], "count": shard[1]} if shard else None,
           "limits": asdict(limits), "jobs": jobs}
    run_tmp = Path(tempfile.mkdtemp(prefix="grading-"))
    results: list[dict] = []
    t0 = time.monotonic()
    try:
        mpl_dir = preflight(run_tmp, limits) if any(map(_gradeable, mine)) else None
        n_checks = max([sum(len(e.checks) for e in load_chapter(c).scored) for c in chapter_names()] or [0])
        hard = limits.hard_timeout(n_checks)
        bar = _bar(len(mine), progress)
        counts = {"graded": 0, "not graded": 0}
        (out / "results.jsonl").write_text("")
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grade_one, p, p.relative_to(folder).as_posix(),
                                   run_tmp / f"{k:05d}", limits, mpl_dir, hard): p
                       for k, p in enumerate(mine)}
            for fut in as_completed(futures):
                r = fut.result()
                results.append(r)
                with (out / "results.jsonl").open("a") as f:  # kept as it goes
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
                counts["graded" if r.get("graded") else "not graded"] += 1
                if bar is not None:
                    bar.set_postfix(counts, refresh=False)
                    bar.update(1)
        if bar is not None:
            bar.close()
    finally:
        if not keep_temp:
            shutil.rmtree(run_tmp, ignore_errors=True)
    run["seconds"] = round(time.monotonic() - t0, 1)
    gradebook.write(out, results, run)
    return results


def _bar(total, progress):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", desc="grading", dynamic_ncols=True,
                file=sys.stderr)
