"""The written answers: what a student wrote for each exercise the course does not check."""
from __future__ import annotations

import re

from course.exercises import NOTEBOOK_HEADING_RE, Chapter

from .chapters import student_notebook


def written_answers(nb, chapter: Chapter) -> dict:
    """label -> what the student wrote for each unscored exercise (cells not in the original)."""
    try:
        original = {c.source.strip() for c in student_notebook(chapter.name).cells}
    except OSError:
        original = set()
    starts = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown":
            for m in NOTEBOOK_HEADING_RE.finditer(c.source):
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
