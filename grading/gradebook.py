"""The gradebook: grades.csv, one feedback file per submission, results.jsonl, run.json.

``results.jsonl`` holds one JSON object per submission, everything the CSV and the
feedback are made from (`grading.run.grade_file`: the grades and messages, and the
chapter's title, place in the book and exercise headings): the gradebook is written from
the results alone, never from the book. ``run.json`` says which shard of how large a
class this is. Merging shards reads those two files from each gradebook and writes one
gradebook.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

from course.exercises import UnknownChapter

# What a graded result says of its chapter (`grading.run.describe_chapter`).
CHAPTER_KEYS = ("chapter", "chapter_title", "chapter_position", "order", "scored", "headings")

ICON = {"passed": "✔", "failed": "✘", "not attempted": "…", "error": "⚠", "timed out": "⏱"}


def feedback_path(out: Path, submission: str) -> Path:
    """feedback/<submission path, .ipynb replaced by .md>."""
    rel = re.sub(r"\.ipynb$", "", submission) + ".md"
    return out / "feedback" / rel


def _fence(text: str) -> list[str]:
    text = str(text).replace("~~~", "~ ~ ~")
    return ["~~~text", text.rstrip(), "~~~"]


def _scored(result: dict) -> list[str]:
    return list(result.get("scored", []))


def _unscored(result: dict) -> list[str]:
    scored = set(_scored(result))
    return [label for label in result.get("order", []) if label not in scored]


def _heading(result: dict, label: str) -> str:
    return result.get("headings", {}).get(label, label)


def feedback(result: dict) -> str:
    """The Markdown feedback for one submission."""
    lines = [f"# Feedback on {result['submission']}", ""]
    if not result.get("graded"):
        lines += ["This notebook could not be graded:", "", f"> {result.get('reason', '')}", ""]
        return "\n".join(lines)
    scored = _scored(result)
    passed = sum(result["exercises"].get(label, {}).get("status") == "passed" for label in scored)
    lines += [f"Chapter: **{result['chapter_title']}** (`{result['chapter']}`). "
              f"Checked exercises passed: **{passed} of {len(scored)}**.", ""]
    for label in scored:
        r = result["exercises"].get(label, {"status": "error", "message": "not checked"})
        lines += [f"## {_heading(result, label)}: {ICON.get(r['status'], '')} {r['status']}", ""]
        if r.get("message"):
            lines += _fence(r["message"]) + [""]
    unscored = _unscored(result)
    if unscored:
        lines += ["## Written answers (read by your instructor, not scored)", ""]
        for label in unscored:
            a = result.get("answers", {}).get(label, {})
            lines += [f"### {_heading(result, label)}", ""]
            lines += ([a["answer"], ""] if a.get("answered") else ["*No answer found.*", ""])
    if result.get("notes"):
        lines += ["## While running your notebook", ""]
        lines += [f"- {n}" for n in result["notes"]] + [""]
    return "\n".join(lines)


def columns(results: list[dict]) -> list[tuple[str, str]]:
    """(label, chapter) of every exercise of the chapters present, in book order."""
    chapters = {}
    for r in results:
        if r.get("graded") and r.get("chapter"):
            chapters.setdefault(r["chapter"], r)
    cols = []
    for name, r in sorted(chapters.items(), key=lambda kv: (kv[1]["chapter_position"], kv[0])):
        cols += [(label, name) for label in r["order"]]
    return cols


def write_csv(path: Path, results: list[dict]) -> None:
    cols = columns(results)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["submission", "chapter", "graded", "total", "out_of"]
                   + [label for label, _ in cols] + ["reason", "notes"])
        for r in sorted(results, key=lambda r: r["submission"]):
            row = [r["submission"], r.get("chapter") or "", "yes" if r.get("graded") else "no"]
            if r.get("graded"):
                statuses = [r["exercises"].get(label, {}).get("status", "error")
                            for label in _scored(r)]
                row += [sum(s == "passed" for s in statuses), len(statuses)]
            else:
                row += ["", ""]
            for label, name in cols:
                if not r.get("graded") or name != r["chapter"]:
                    row.append("")
                elif label in r["exercises"]:
                    row.append(r["exercises"][label]["status"])
                else:
                    a = r.get("answers", {}).get(label, {})
                    row.append("answered (not scored)" if a.get("answered") else "blank (not scored)")
            row += [r.get("reason", ""), " | ".join(r.get("notes", []))]
            w.writerow(row)


def check_results(results: list[dict], where="") -> None:
    """ValueError unless every graded result carries what the gradebook is written from
    (results of a grader older than that: grade the class again)."""
    for r in results:
        missing = [k for k in CHAPTER_KEYS if k not in r] if r.get("graded") else []
        if missing or "submission" not in r:
            raise ValueError(f"{where or 'a result'}: the result of {r.get('submission', '?')} "
                             f"lacks {', '.join(missing) or 'submission'} (written by an older "
                             "grader?): grade the class again")


def write(out: Path, results: list[dict], run: dict) -> None:
    """Write a whole gradebook into `out` (results.jsonl is rewritten, sorted)."""
    check_results(results)
    out.mkdir(parents=True, exist_ok=True)
    results = sorted(results, key=lambda r: r["submission"])
    with (out / "results.jsonl").open("w") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for r in results:
        p = feedback_path(out, r["submission"])
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(feedback(r))
    write_csv(out / "grades.csv", results)
    (out / "run.json").write_text(json.dumps(run, indent=1) + "\n")


def read(folder: Path) -> tuple[list[dict], dict]:
    """(results, run info) of a gradebook folder; ValueError saying what is missing."""
    folder = Path(folder)
    if not (folder / "results.jsonl").is_file():
        raise ValueError(f"{folder} is not a gradebook: it has no results.jsonl "
                         "(give the --out folders of `python -m grading`)")
    results = [json.loads(l) for l in (folder / "results.jsonl").read_text().splitlines() if l.strip()]
    check_results(results, str(folder / "results.jsonl"))
    run = json.loads((folder / "run.json").read_text()) if (folder / "run.json").is_file() else {}
    return results, run


def merge(folders: list[Path], out: Path) -> tuple[list[dict], dict]:
    """Merge gradebooks (the shards of one class) into `out`; ValueError when they do not fit."""
    results, runs = [], []
    for folder in folders:
        r, run = read(folder)
        results += r
        runs.append((folder, run))
    shards = [(f, run.get("shard")) for f, run in runs]
    sharded = [s for _, s in shards if s]
    if sharded:
        counts = {s["count"] for s in sharded}
        if len(counts) != 1 or len(sharded) != len(shards):
            raise ValueError("these gradebooks are not shards of one split: "
                             + ", ".join(f"{f}: {s['index']}/{s['count']}" if s else f"{f}: not a shard"
                                         for f, s in shards))
        n = counts.pop()
        seen = sorted(s["index"] for s in sharded)
        missing = sorted(set(range(1, n + 1)) - set(seen))
        twice = sorted({i for i in seen if seen.count(i) > 1})
        if missing or twice:
            raise ValueError(f"shards of a split in {n}: "
                             + (f"missing {', '.join(f'{i}/{n}' for i in missing)}" if missing else "")
                             + ("; " if missing and twice else "")
                             + (f"given twice {', '.join(f'{i}/{n}' for i in twice)}" if twice else ""))
        sizes = {run.get("class_size") for _, run in runs}
        if len(sizes) != 1:
            raise ValueError(f"the shards saw different folders (class sizes {sorted(map(str, sizes))}): "
                             "grade the same folder in every shard")
    names = [r["submission"] for r in results]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"the same submission is in several gradebooks: {', '.join(dup[:5])}")
    run = {"merged_from": [str(f) for f in folders], "class_size": len(results),
           "submissions": len(results)}
    if out.exists():
        for name in ("grades.csv", "results.jsonl", "run.json"):
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / "feedback", ignore_errors=True)
    write(out, results, run)
    return results, run


__all__ = ["feedback", "feedback_path", "write", "write_csv", "read", "merge", "check_results",
           "UnknownChapter"]
