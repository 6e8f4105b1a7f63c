"""A student's kernel, bounded: its environment, nbclient to drive it, one session of kernels.

The kernel is a separate process started by nbclient (jupyter_client) with resource
limits set before it starts (`grading.limits`): address space, CPU time, size of any file
it writes, number of processes. It runs in a temporary folder made for this submission,
with HOME, TMPDIR and the IPython and matplotlib folders inside it. A `Session` runs one
cell at a time with a time limit, and says when the kernel died or could not be stopped
(`KernelGone`) so that the caller starts a fresh one.

nbclient is driven through its public API (its traits and the on_cell_executed hook), but
for one method: `GradingClient.output` replaces nbclient's handling of each output
message, so that printed output is counted, not kept. That method is written against
nbclient 0.11 (0.11.0), NBCLIENT_SERIES below: tests/test_grading_chapters.py fails when
another nbclient is installed; then check that NotebookClient.output has the same
signature and role there, and change NBCLIENT_SERIES.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import nbformat

from course.book import ROOT
from .kernel_side import MIME
from .limits import Limits, limiter, user_tasks

NBCLIENT_SERIES = "0.11"           # the nbclient whose NotebookClient.output is replaced
TIMEOUT_ENAME = "GraderCellTimeout"  # the error nbclient reports for a cell past its limit
# Run in every kernel before the student's first cell, not under a cell's time limit: what
# every chapter imports first. A cell's limit then measures the student's code, not the
# seconds that importing torch takes on a busy machine. It defines no name for the student.
WARM_UP = "import torch as _torch, lib as _lib\ndel _torch, _lib"
WARM_UP_TIMEOUT = 300


def repository_first(pythonpath: str | None) -> str:
    """A PYTHONPATH with this repository first (its lib/ and lib/checks, as the grader
    reads them), then the entries of `pythonpath`."""
    return os.pathsep.join([str(ROOT)] + [p for p in (pythonpath or "").split(os.pathsep) if p])


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
        "PYTHONPATH": repository_first(os.environ.get("PYTHONPATH")),
        "OMP_NUM_THREADS": str(limits.threads), "MKL_NUM_THREADS": str(limits.threads),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    env.pop("MPLBACKEND", None)
    return env


def make_client(nb, km, limits, work):
    """An nbclient NotebookClient for `nb` that keeps only the errors and the grader's
    results (`results`: cell index -> the `MIME` output), counts what each cell printed
    (`printed`), and sets `timed_out` when a cell ran past its time limit."""
    from nbclient import NotebookClient

    class GradingClient(NotebookClient):
        """nbclient that keeps only errors and our results, and notes its timeouts."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.timed_out = False
            self.printed = {}
            self.results = {}

        # Written against nbclient 0.11 (NBCLIENT_SERIES): nbclient calls output() for each
        # output message of a cell, the method a subclass overrides to handle them.
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

    def executed(cell, cell_index, execute_reply):
        # On a timeout nbclient interrupts the kernel and ends the cell with the reply
        # `error_on_timeout` (public traits, both): that reply is how a timeout is known.
        content = (execute_reply or {}).get("content", {})
        if content.get("ename") == TIMEOUT_ENAME:
            client.timed_out = True

    client = GradingClient(nb, km=km, timeout=int(limits.cell_timeout), allow_errors=True,
                           interrupt_on_timeout=True, iopub_timeout=3, shutdown_kernel="immediate",
                           error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "timed out",
                                             "traceback": []},
                           on_cell_executed=executed,
                           record_timing=False, resources={"metadata": {"path": str(work)}})
    return client


def shut_down(client, km):
    """Stop the kernel now and close its channels (jupyter_client's public API)."""
    from jupyter_core.utils import ensure_async, run_sync

    async def down():
        kc = getattr(client, "kc", None)
        try:
            if kc is not None:
                await ensure_async(kc.stop_channels())
        finally:
            try:
                if await ensure_async(km.is_alive()):
                    await ensure_async(km.shutdown_kernel(now=True))
            finally:
                await ensure_async(km.cleanup_resources())

    run_sync(down)()


class KernelGone(Exception):
    """The kernel died or could not be stopped; `why` says which."""

    def __init__(self, why, timed_out=False):
        super().__init__(why)
        self.why, self.timed_out = why, timed_out


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
                self._warm_up()
                return
            except Exception:  # noqa: BLE001
                self.stop()
                if attempt == 3:
                    raise
                time.sleep(2 * attempt)

    def _warm_up(self):
        """Import the course library in the new kernel (WARM_UP); raise if it fails."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.client.kc.execute_interactive)(
            WARM_UP, silent=True, store_history=False, timeout=WARM_UP_TIMEOUT,
            output_hook=lambda msg: None)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"the kernel cannot import the course library: "
                               f"{content.get('ename')}: {content.get('evalue')}")

    def stop(self):
        if self.km is not None:
            proc = getattr(self.km.provisioner, "process", None) if self.km.provisioner else None
            try:
                shut_down(self.client, self.km)
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
                raise KernelGone("it ran past its time limit and could not be interrupted",
                                 timed_out=True)
        return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"], timed_out
