"""The limits a student's kernel runs under, and what sets them in the kernel's process."""
from __future__ import annotations

import os
import re
import resource
from dataclasses import dataclass
from pathlib import Path

MAX_KERNELS = 4          # a first kernel and up to three restarts


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
