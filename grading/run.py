"""Grade one submission: run the student's notebook, then the course's checks, in one kernel.

1. Every code cell of the submission runs in order, errors allowed, each with a time
   limit, the whole with a time limit (`grading.limits`). A cell that runs too long is
   interrupted; if it cannot be interrupted, or the kernel dies (exit(), os._exit, a
   memory or CPU limit), a fresh kernel replays the cells before it, skips it, and goes
   on (`grading.kernel`). Printed output is counted, not kept.
2. Then, in that kernel, for each exercise the course checks, `grading.kernel_side` is
   loaded from this repository and runs the check call written in the chapter source on
   the student's definitions, with the course's checks loaded afresh from this
   repository's ``lib/checks``; it reports the check's own record of its verdict. What the
   student did to ``lib.checks`` or to the check cells does not matter.

The result (`grade_file`) holds everything the gradebook is written from: the grades, the
messages, the written answers, and the chapter's titles and order, so that the gradebook
never reads the book again.
"""
from __future__ import annotations

import copy
import secrets
import time
from pathlib import Path

import nbformat

from .answers import written_answers
from course.exercises import Chapter, UnknownChapter, chapter_names
from .kernel import KernelGone, Session
from .kernel_side import load_cell
from .limits import MAX_KERNELS, Limits
from .submission import read_submission, short

STATUSES = ("passed", "failed", "not attempted", "error", "timed out")
PRINT_NOTE = 1_000_000   # a cell that prints more than this many characters gets a note

__all__ = ["STATUSES", "check_cell", "grade_notebook", "grade_file", "describe_chapter"]


def check_cell(check, nonce) -> str:
    """The code of the cell that runs one course check in the student's kernel."""
    from course.book import ROOT

    return load_cell(str(ROOT), check.module, check.function, check.args, check.kwargs, nonce)


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
                        notes.append(f"Code cell {n} raised {e.ename}: {short(e.evalue)}")
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
                            "status": "timed out" if e.timed_out else "error",
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
                        what = f"{errors[0].ename}: {short(errors[0].evalue)}" if errors else "no result"
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
        result.update(describe_chapter(chapter))
        answers = written_answers(nb, chapter)
        graded = grade_notebook(nb, chapter, tmp, limits, mpl_dir)
        result.update(exercises=graded["exercises"], answers=answers, notes=graded["notes"],
                      graded=True)
    result["seconds"] = round(time.monotonic() - t0, 2)
    return result


def describe_chapter(chapter: Chapter) -> dict:
    """What the gradebook needs to know of a submission's chapter, kept in its result:
    the chapter's name, title and place in the book, and each exercise's heading, in
    order ("order": every label; "scored": those the course checks)."""
    names = chapter_names()
    return {"chapter": chapter.name, "chapter_title": chapter.title,
            "chapter_position": names.index(chapter.name) if chapter.name in names else len(names),
            "order": [e.label for e in chapter.exercises],
            "scored": [e.label for e in chapter.scored],
            "headings": {e.label: e.heading for e in chapter.exercises}}
