"""CPU seconds of this process and of every process it started, dead or alive.

``resource.getrusage(RUSAGE_CHILDREN)`` counts only children that have exited *and been
waited for*. Chromium, started by Playwright's driver, is neither while the tests use it,
and its renderers are not even our children: measured on this machine, rusage saw 1.6 of
the 6.7 CPU seconds a page visit with axe-core cost. So the live descendants are read from
``/proc`` as well (each one's own time and that of its children it has waited for), which
counts every process of the tree once: a process moves from "alive" to "waited for" when it
exits, never into both. Linux only; elsewhere the live part is 0.
"""
from __future__ import annotations

import os
import resource
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:       # the task ended meanwhile, or no /proc
            pass
    return found


def _stat_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of a live process, in seconds (0 if it is gone)."""
    try:
        rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in rest[11:15]) / _TICK


def live_descendants_cpu(pid: int | None = None) -> float:
    """CPU seconds of the running descendants of `pid` (default: this process)."""
    total, todo = 0.0, _children(pid or os.getpid())
    while todo:
        child = todo.pop()
        total += _stat_seconds(child)
        todo += _children(child)
    return total


def tree_cpu() -> float:
    """This process, its waited-for children, and its live descendants: CPU seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
            + live_descendants_cpu())


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy since boot (all cores; /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / _TICK
