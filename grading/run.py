"""Grade one submission: run the student's notebook, then the course's checks, in one kernel.

The kernel is a separate process started by nbclient (jupyter_client) with resource
limits set before it starts (`Limits`): address space, CPU time, size of any file it
writes, number of processes. It runs in a temporary folder made for this submission,
with HOME, TMPDIR and the IPython and matplotlib folders inside it.

1. Every code cell of the submission runs in order, errors allowed, each with a time
   limit, the whole with a time limit. A cell that runs too long is interrupted; if it
   cannot be interrupted, or the kernel dies (exit(), os._exit, a memory or CPU limit),
   a fresh kernel replays the cells before it, skips it, and goes on. Printed output is
   counted, not kept.
2. Then, in that kernel, for each exercise the course checks: every ``lib.checks*``
   module is dropped from ``sys.modules`` and the course's checks are loaded again from
   this repository's ``lib/checks`` (in their default mode, where a failure raises
   ``CheckError``), and the check call written in the chapter source runs on the
   student's definitions. What the student did to ``lib.checks`` or to the check cells
   does not matter.
"""
from __future__ import annotations

import copy
import json
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from .chapters import REPO, Chapter, UnknownChapter, load_chapter, student_notebook

MIME = "application/vnd.course-grade+json"
STATUSES = ("passed", "failed", "not attempted", "error", "timed out")
MAX_KERNELS = 4          # a first kernel and up to three restarts
PRINT_NOTE = 1_000_000   # a cell that prints more than this many characters gets a note


@dataclass
class Limits:
    cell_timeout: float = 120.0      # seconds per cell
    timeout: float = 900.0           # seconds for all of the student's cells together
    check_timeout: float = 60.0      # seconds per course check
    memory: int = 8 * 2**30          # bytes of address space (RLIMIT_AS)
    cpu: int = 1800                  # seconds of CPU time per kernel (RLIMIT_CPU)
    file_size: int = 256 * 2**20     # bytes, largest file the kernel may write (RLIMIT_FSIZE)
    processes: int = 512             # more processes/threads than this user has (RLIMIT_NPROC)
    threads: int = 1                 # OMP/MKL threads in each kernel

    def hard_timeout(self, n_checks: int) -> float:
        """Wall time after which the grader gives up on a submission altogether."""
        return (self.timeout * 2 + (n_checks + 2) * (self.check_timeout + 30)
                + MAX_KERNELS * 90)


SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$", re.I)


def parse_size(text: str) -> int:
    """'8G', '512M', '1.5GiB', '1000000' -> bytes."""
    m = SIZE_RE.match(str(text).strip())
    if not m:
        raise ValueError(f"not a size: {text!r} (write e.g. 8G, 512M or a number of bytes)")
    unit = (m.group(2) or "").upper()
    return int(float(m.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}[unit])


def user_tasks() -> int:
    """Processes and threads that this user runs now (RLIMIT_NPROC counts them all)."""
    uid, n = os.getuid(), 0
    for d in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        try:
            if int(fields.get("Uid", "-1").split()[0]) == uid:
                n += int(fields.get("Threads", "1").strip())
        except ValueError:
            continue
    return n


def limiter(limits: Limits, tasks_now: int):
    """The function run in the kernel's process just before it starts (preexec_fn)."""
    def apply():
        for what, value in ((resource.RLIMIT_AS, limits.memory),
                            (resource.RLIMIT_FSIZE, limits.file_size),
                            (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_NPROC, tasks_now + limits.processes)):
            if value:
                soft, hard = resource.getrlimit(what)
                value = value if hard == resource.RLIM_INFINITY else min(value, hard)
                resource.setrlimit(what, (value, value))
        if limits.cpu:
            soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
            cpu = limits.cpu if hard == resource.RLIM_INFINITY else min(limits.cpu, hard)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))
    return apply


def kernel_env(tmp: Path, limits: Limits, mpl_dir: Path | None = None) -> dict:
    """The kernel's environment: this repository first on sys.path, home in `tmp`."""
    env = dict(os.environ)
    for k in [k for k in env if k.startswith(("JPY_", "COLAB_", "BINDER_"))]:
        del env[k]
    home = tmp / "home"
    for d in ("home", "tmp", "home/.ipython", "home/.matplotlib"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    if mpl_dir is not None and mpl_dir.is_dir():
        for f in mpl_dir.glob("*.json"):
            shutil.copy(f, home / ".matplotlib" / f.name)
    # Fashion-MNIST stays where the grader's user keeps it (read only, once parsed).
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    env.update({
        "HOME": str(home), "TMPDIR": str(tmp / "tmp"), "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".matplotlib"), "XDG_CACHE_HOME": cache,
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": os.pathsep.join([str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        "OMP_NUM_THREADS": str(limits.threads), "MKL_NUM_THREADS": str(limits.threads),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    env.pop("MPLBACKEND", None)
    return env


# ------------------------------------------------------------------ the check, in the kernel

CHECK_CELL = r'''
def _course_check(repo, module, function, args, kwargs, mime, nonce, limit):
    import contextlib, importlib, importlib.util, io, sys
    from IPython import get_ipython
    from IPython.display import display

    class Capped(io.TextIOBase):
        def __init__(self):
            self.parts, self.size = [], 0
        def writable(self):
            return True
        def write(self, s):
            s = str(s)
            if self.size < limit:
                self.parts.append(s[:limit - self.size])
            self.size += len(s)
            return len(s)
        def text(self):
            return "".join(self.parts) + (" [...]" if self.size > limit else "")

    def report(status, message):
        display({mime: {"nonce": nonce, "status": status, "message": str(message)[:limit]}},
                raw=True)

    out = Capped()
    try:
        for name in [n for n in list(sys.modules) if n == "lib.checks" or n.startswith("lib.checks.")]:
            del sys.modules[name]
        spec = importlib.util.spec_from_file_location(
            "lib.checks", repo + "/lib/checks/__init__.py",
            submodule_search_locations=[repo + "/lib/checks"])
        checks = importlib.util.module_from_spec(spec)
        sys.modules["lib.checks"] = checks
        spec.loader.exec_module(checks)
        if callable(getattr(checks, "keep_going", None)):
            checks.keep_going(False)   # the default: a failing check raises CheckError
        check = getattr(importlib.import_module("lib.checks." + module), function)
        lib = sys.modules.get("lib")
        if lib is not None:
            try:
                lib.checks = checks
            except Exception:
                pass
    except BaseException as e:
        report("error", f"the grader could not load the course check {module}.{function}: "
                        f"{type(e).__name__}: {e}")
        return
    ns = dict(get_ipython().user_ns)
    if lib is not None:
        ns["lib"] = lib
    try:
        values = [eval(a, ns) for a in args]
        named = {k: eval(v, ns) for k, v in kwargs}
    except NameError as e:
        report("not attempted", f"{e}: the cell that defines it did not run, or was deleted.")
        return
    except BaseException as e:
        report("error", f"{type(e).__name__}: {e}")
        return
    not_implemented = getattr(checks, "NOT_IMPLEMENTED", "not implemented yet")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            check(*values, **named)
    except checks.CheckError as e:
        report("not attempted" if not_implemented in str(e) else "failed", e)
    except NotImplementedError as e:
        report("not attempted", f"{function}: {not_implemented} ({e})")
    except KeyboardInterrupt:
        report("timed out", "the check was stopped: it ran past its time limit")
    except SystemExit as e:
        report("error", f"the code called exit() or sys.exit({e.code!r}) during the check")
    except MemoryError:
        report("error", "MemoryError: the code ran out of memory (the grader's memory limit)")
    except BaseException as e:
        report("error", f"{type(e).__name__}: {e}")
    else:
        lines = [l for l in out.text().splitlines() if l.strip()]
        mine = [l for l in lines if l.lstrip().startswith("\u2714")]
        report("passed", (mine or lines or ["check passed"])[-1])

'''


def check_cell(check, nonce) -> str:
    """The code that runs one course check in the student's kernel and reports its result."""
    call = (f"_course_check({str(REPO)!r}, {check.module!r}, {check.function!r}, "
            f"{list(check.args)!r}, {[list(kv) for kv in check.kwargs]!r}, {MIME!r}, "
            f"{nonce!r}, 4000)")
    return CHECK_CELL.strip("\n") + "\n\n\n" + call + "\ndel _course_check\n"


# ------------------------------------------------------------------ nbclient, bounded


def make_client(nb, km, limits, work):
    from nbclient import NotebookClient

    class GradingClient(NotebookClient):
        """nbclient that keeps only errors and our results, and notes its timeouts."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.timed_out = False
            self.printed = {}
            self.results = {}

        async def _async_handle_timeout(self, timeout, cell=None):
            self.timed_out = True
            return await super()._async_handle_timeout(timeout, cell)

        def output(self, outs, msg, display_id, cell_index):
            kind = msg["msg_type"]
            if kind == "stream":
                self.printed[cell_index] = self.printed.get(cell_index, 0) + len(msg["content"].get("text", ""))
                return None
            if kind == "error":
                content = msg["content"]
                out = nbformat.v4.new_output("error", ename=str(content.get("ename", ""))[:200],
                                             evalue=str(content.get("evalue", ""))[:2000],
                                             traceback=[])
                outs.append(out)
                return out
            if kind in ("display_data", "execute_result"):
                data = msg["content"].get("data", {})
                if MIME in data:
                    self.results[cell_index] = data[MIME]
            return None

    return GradingClient(nb, km=km, timeout=int(limits.cell_timeout), allow_errors=True,
                         interrupt_on_timeout=True, iopub_timeout=3, shutdown_kernel="immediate",
                         error_on_timeout={"ename": "TimeoutError", "evalue": "timed out",
                                           "traceback": []},
                         record_timing=False, resources={"metadata": {"path": str(work)}})


class KernelGone(Exception):
    """The kernel died or could not be stopped; `why` says which."""

    def __init__(self, why):
        super().__init__(why)
        self.why = why


def death_reason(km, tmp: Path) -> str:
    """Why the kernel process ended, as far as its exit status and log tell."""
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    code = proc.poll() if proc is not None else None
    log = ""
    try:
        log = (tmp / "kernel.log").read_text(errors="replace")[-4000:]
    except OSError:
        pass
    if code is not None and code < 0:
        sig = -code
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGXCPU:
            return "the kernel used up its CPU time limit and was stopped"
        if sig == signal.SIGKILL:
            return "the kernel was killed (SIGKILL), most likely for using too much memory"
        if sig == signal.SIGABRT or "bad_alloc" in log or "MemoryError" in log:
            return f"the kernel crashed ({name}), most likely out of memory (the memory limit)"
        return f"the kernel was stopped by signal {name}"
    if code is not None:
        return (f"the kernel exited with status {code}: did a cell call exit(), quit() or "
                "os._exit()?")
    return "the kernel stopped answering"


class Session:
    """One kernel at a time for one submission, restarted when it dies."""

    def __init__(self, nb, tmp: Path, limits: Limits, mpl_dir=None):
        self.nb, self.tmp, self.limits = nb, tmp, limits
        self.work = tmp / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        self.env = kernel_env(tmp, limits, mpl_dir)
        self.kernels = 0
        self.client = self.km = self.log = None

    def start(self):
        from jupyter_client.manager import AsyncKernelManager

        self.stop()
        self.kernels += 1
        # A kernel start can fail for reasons of the machine (a busy one, many kernels at
        # once), never of the submission (none of its code has run): try again.
        for attempt in range(1, 4):
            name = f"kernel-{self.kernels}-{attempt}"
            # IPC sockets in the submission's folder: no TCP ports to race other kernels for.
            self.km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                         ip=str(self.tmp / name),
                                         connection_file=str(self.tmp / f"{name}.json"))
            self.client = make_client(self.nb, self.km, self.limits, self.work)
            self.log = open(self.tmp / "kernel.log", "ab")
            try:
                self.client.start_new_kernel(env=self.env, cwd=str(self.work),
                                             stdout=subprocess.DEVNULL, stderr=self.log,
                                             stdin=subprocess.DEVNULL,
                                             preexec_fn=limiter(self.limits, user_tasks()))
                self.client.start_new_kernel_client()
                return
            except Exception:  # noqa: BLE001
                self.stop()
                if attempt == 3:
                    raise
                time.sleep(2 * attempt)

    def stop(self):
        if self.km is not None:
            proc = getattr(self.km.provisioner, "process", None) if self.km.provisioner else None
            try:
                self.client._cleanup_kernel()   # stops the channels, shuts down immediately
            except Exception:  # noqa: BLE001 - a dead or stuck kernel: kill it below
                pass
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.log is not None:
            self.log.close()
        self.client = self.km = self.log = None

    def run(self, cell, index, timeout):
        """Run one cell; return (error outputs, timed out?). Raise KernelGone."""
        from nbclient.exceptions import DeadKernelError

        c = self.client
        c.timeout = max(1, int(timeout))
        c.timed_out = False
        try:
            c.execute_cell(cell, index, store_history=False)
        except DeadKernelError:
            raise KernelGone(death_reason(self.km, self.tmp)) from None
        timed_out = c.timed_out
        if timed_out:  # interrupted: is the kernel free again?
            c.timeout, c.timed_out = 5, False
            try:
                c.execute_cell(self.nb.cells[-1], len(self.nb.cells) - 1, store_history=False)
            except DeadKernelError:
                raise KernelGone(death_reason(self.km, self.tmp)) from None
            if c.timed_out:
                raise KernelGone("it ran past its time limit and could not be interrupted")
        return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"], timed_out


def grade_notebook(nb, chapter: Chapter, tmp: Path, limits: Limits, mpl_dir=None) -> dict:
    """Run a submission (a notebook already read and attributed to `chapter`) and check it.

    Returns {"exercises": {label: {"status", "message"}}, "notes": [...], "kernels": n}.
    """
    notes: list[str] = []
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    for i in code:
        nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    checks = [(ex, ch) for ex in chapter.scored for ch in ex.checks]
    nonce = secrets.token_hex(16)
    skip: dict[int, str] = {}                 # cell index -> why it is skipped
    results: dict[tuple, dict] = {}           # (label, k) -> result
    # nbclient writes each cell back into its notebook: the check cells and the probe
    # (is the kernel free after an interrupt?) go at the end of a copy.
    nb = copy.deepcopy(nb)
    first_check = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(check_cell(ch, nonce)) for _, ch in checks]
    nb.cells.append(nbformat.v4.new_code_cell("pass"))
    session = Session(nb, tmp, limits, mpl_dir)
    deadline = time.monotonic() + limits.timeout
    noted_cells: set[int] = set()
    stop_students = None  # cell where the notebook's time ran out
    try:
        while True:
            if session.kernels >= MAX_KERNELS:
                why = (f"the kernel died or hung {session.kernels} times; the grader gave up on "
                       "this notebook")
                for k, (ex, ch) in enumerate(checks):
                    results.setdefault((ex.label, k), {"status": "error", "message": why})
                notes.append(why)
                break
            try:
                session.start()
            except Exception as e:  # noqa: BLE001 - the kernel cannot start at all
                raise RuntimeError(f"could not start a kernel: {type(e).__name__}: {e}") from e
            try:
                # 1. the student's cells
                for n, i in enumerate(code, start=1):
                    if i in skip:
                        continue
                    if stop_students is not None and i >= stop_students:
                        break
                    left = deadline - time.monotonic()
                    if left <= 0:
                        if stop_students is None:
                            notes.append(f"The notebook ran past its time limit "
                                         f"({limits.timeout:.0f} s for all cells); cells from "
                                         f"code cell {n} on were not run.")
                        stop_students = i
                        break
                    try:
                        errors, timed_out = session.run(nb.cells[i], i, min(limits.cell_timeout, left))
                    except KernelGone as e:
                        skip[i] = e.why
                        notes.append(f"Code cell {n}: {e.why}; it was skipped and the cells "
                                     "before it were run again in a fresh kernel.")
                        raise
                    if i in noted_cells:
                        continue
                    noted_cells.add(i)
                    printed = session.client.printed.get(i, 0)
                    if printed > PRINT_NOTE:
                        notes.append(f"Code cell {n} printed {printed / 1e6:.0f} million characters "
                                     "(not kept).")
                    if timed_out:
                        notes.append(f"Code cell {n} ran longer than its time limit "
                                     f"({min(limits.cell_timeout, left):.0f} s) and was interrupted.")
                    elif errors and errors[0].ename != "CheckError":
                        # (the student's own check cells failing is what the grade reports)
                        e = errors[0]
                        notes.append(f"Code cell {n} raised {e.ename}: {_short(e.evalue)}")
                # 2. the course's checks
                for k, (ex, ch) in enumerate(checks):
                    if (ex.label, k) in results:
                        continue
                    index = first_check + k
                    cell = nb.cells[index]
                    try:
                        errors, timed_out = session.run(cell, index, limits.check_timeout)
                    except KernelGone as e:
                        results[(ex.label, k)] = {
                            "status": "timed out" if "time limit" in e.why else "error",
                            "message": f"During the check {ch.source}: {e.why}."}
                        raise
                    got = session.client.results.get(index)
                    if timed_out:
                        results[(ex.label, k)] = {
                            "status": "timed out",
                            "message": f"{ch.source} ran longer than {limits.check_timeout:.0f} s "
                                       "and was stopped."}
                    elif got and got.get("nonce") == nonce and got.get("status") in STATUSES:
                        results[(ex.label, k)] = {"status": got["status"],
                                                  "message": str(got.get("message", ""))}
                    else:
                        what = f"{errors[0].ename}: {_short(errors[0].evalue)}" if errors else "no result"
                        results[(ex.label, k)] = {"status": "error",
                                                  "message": f"{ch.source} could not run ({what})."}
                break
            except KernelGone:
                continue
    finally:
        session.stop()
    exercises = {}
    for ex in chapter.scored:
        mine = [results.get((ex.label, k)) for k, (e, _) in enumerate(checks) if e is ex]
        mine = [r for r in mine if r] or [{"status": "error", "message": "not checked"}]
        worst = next((r for s in ("error", "timed out", "failed", "not attempted")
                      for r in mine if r["status"] == s), mine[0])
        exercises[ex.label] = {"status": worst["status"],
                               "message": "\n".join(r["message"] for r in mine if r["message"])}
    return {"exercises": exercises, "notes": notes, "kernels": session.kernels}


def _short(text, n=300):
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip().replace("\n", " ")
    return text if len(text) <= n else text[:n] + " [...]"


# ------------------------------------------------------------------ prose answers


HEADING_RE = re.compile(r"\*\*Exercise (?:\d+\.)?(\d+)[:*]")  # "Exercise 4.2": the 2


def written_answers(nb, chapter: Chapter) -> dict:
    """label -> what the student wrote for each unscored exercise (cells not in the original)."""
    try:
        original = {c.source.strip() for c in student_notebook(chapter.name).cells}
    except OSError:
        original = set()
    starts = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown":
            for m in HEADING_RE.finditer(c.source):
                starts.setdefault(int(m.group(1)), i)
    order = sorted(starts.values())
    answers = {}
    for ex in chapter.unscored:
        at = starts.get(ex.number) if ex.number else None
        if at is None:
            answers[ex.label] = {"answered": False, "answer": ""}
            continue
        end = next((j for j in order if j > at), len(nb.cells))
        parts = []
        for c in nb.cells[at + 1:end]:
            src = c.source.strip()
            if not src or src in original or re.match(r"^#+ ", src):
                if re.match(r"^#+ ", src):
                    break
                continue
            parts.append(f"```python\n{src}\n```" if c.cell_type == "code" else src)
        text = "\n\n".join(parts)
        answers[ex.label] = {"answered": bool(text), "answer": text[:20000]}
    return answers


# ------------------------------------------------------------------ one submission


def read_submission(path: Path):
    """(notebook, chapter) or raise ValueError/UnknownChapter with the reason."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ValueError(f"could not read the file: {e.strerror or e}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"not a notebook: the file is not JSON text ({_short(e, 120)})") from None
    if not isinstance(data, dict) or "cells" not in data:
        raise ValueError("not a notebook: the JSON has no 'cells'") from None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as e:  # noqa: BLE001 - nbformat raises several kinds
        raise ValueError(f"not a notebook: {_short(e, 200)}") from None
    course = nb.metadata.get("course")
    name = course.get("chapter") if isinstance(course, dict) else None
    if not name:
        raise UnknownChapter(
            "the notebook does not say which chapter it is (no metadata 'course.chapter'): "
            "it was not made from one of the course's student notebooks, or its metadata was "
            "removed; ask for the notebook downloaded from the course site")
    return nb, load_chapter(str(name))


def grade_file(path: Path, name: str, tmp: Path, limits: Limits, mpl_dir=None) -> dict:
    """Everything known about one submission, as a JSON-able dict (never raises for bad input)."""
    t0 = time.monotonic()
    result = {"submission": name, "chapter": None, "graded": False, "reason": "",
              "exercises": {}, "answers": {}, "notes": [], "seconds": 0.0}
    try:
        nb, chapter = read_submission(path)
    except UnknownChapter as e:
        result["reason"] = f"unknown chapter: {e}"
    except ValueError as e:
        result["reason"] = str(e)
    else:
        result["chapter"] = chapter.name
        result["answers"] = written_answers(nb, chapter)
        graded = grade_notebook(nb, chapter, tmp, limits, mpl_dir)
        result.update(exercises=graded["exercises"], notes=graded["notes"], graded=True)
    result["seconds"] = round(time.monotonic() - t0, 2)
    return result


def limits_to_json(limits: Limits) -> dict:
    return asdict(limits)
