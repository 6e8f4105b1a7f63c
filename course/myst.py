"""Reading a MyST chapter: its Markdown blocks, and one walk over its cells.

The walk is the one reading of the chapter's structure (prose, code, solutions) that
both the notebook generator (``notebook.py``) and the grader (grading/chapters.py, via
``exercises.py``) rely on, so that they cannot disagree on where a solution ends.
"""
import re
from dataclasses import dataclass, field

import yaml

FENCE_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_RE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*)$")
OPTION_RE = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")


def split_blocks(lines):
    """Split Markdown lines into ('text', lines), ('fence', lines) and directives.

    A directive is ('directive', name, argument, options, body lines). Fences close on a
    line of the same character at least as long (CommonMark), so nested directives use
    longer outer fences, as MyST requires.
    """
    blocks, text, i = [], [], 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        info = m.group("info").strip() if m else ""
        is_colon = bool(m) and m.group("fence")[0] == ":"
        not_a_fence = (not m or (is_colon and not DIRECTIVE_RE.match(info))
                       or ("`" in info and m.group("fence")[0] == "`"))
        if not_a_fence:
            text.append(lines[i])
            i += 1
            continue
        if text:
            blocks.append(("text", text))
            text = []
        fence = m.group("fence")
        close = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        body = lines[i + 1:j]
        d = DIRECTIVE_RE.match(info)
        if d:
            options, k = {}, 0
            if body[:1] == ["---"]:  # YAML options block
                end = next((n for n in range(1, len(body)) if body[n] == "---"), None)
                if end is not None:
                    options = yaml.safe_load("\n".join(body[1:end])) or {}
                    k = end + 1
            while k < len(body) and OPTION_RE.match(body[k]):
                o = OPTION_RE.match(body[k])
                options[o.group("key")] = o.group("value")
                k += 1
            body = body[k:]
            while body and not body[0].strip():
                body = body[1:]
            while body and not body[-1].strip():
                body = body[:-1]
            blocks.append(("directive", d.group("name"), d.group("arg").strip(), options, body))
        else:
            blocks.append(("fence", lines[i:j + 1]))
        i = j + 1
    if text:
        blocks.append(("text", text))
    return blocks


def directive_name(block):
    """The directive's name ("exercise", "solution-start", ...), or None for text and fences."""
    return block[1] if block[0] == "directive" else None


# ------------------------------------------------------------------ the chapter walk


@dataclass
class Markdown:
    """Markdown blocks outside any solution, in order. ``cell_end``: they end their cell
    (the next Markdown, if any, comes from another cell)."""
    blocks: list
    cell_end: bool


@dataclass
class Code:
    """A code cell outside any solution (check cells included): the jupytext cell itself."""
    cell: object


@dataclass
class Solution:
    """A solution: ``{solution-start} label`` ... ``{solution-end}`` (gated: its code cells
    run at build time, ``sources``), or a ``{solution} label`` directive (ungated: its
    content is prose, so no sources)."""
    label: str
    gated: bool
    sources: list = field(default_factory=list)


def walk(cells, doc):
    """Yield a chapter's Markdown, Code and Solution items in reading order.

    ``cells``: the chapter's cells as jupytext reads them (raw cells are skipped);
    ``doc``: its name, for the error of a ``{solution-start}`` that never ends. A gated
    solution is yielded at its ``{solution-end}``, with the code cells between (book-only remove-cell ones aside); the prose
    inside it is dropped. A Markdown cell that holds a solution's start or end is split
    around it: the Markdown before the start, then (later) the Markdown after the end.
    """
    solution = None  # the gated solution being read
    for cell in cells:
        if cell.cell_type == "code":
            if solution is not None:
                # A book-only cell (remove-cell: glue and assertions) is not part of the
                # answer: neither stubbed in the notebook nor put back by an answer key.
                if "remove-cell" not in cell.metadata.get("tags", []):
                    solution.sources.append(cell.source)
            else:
                yield Code(cell)
            continue
        if cell.cell_type != "markdown":
            continue
        segment = []
        for block in split_blocks(cell.source.splitlines()):
            kind = directive_name(block)
            if solution is not None:
                if kind == "solution-end":
                    yield solution
                    solution = None
                continue
            if kind not in ("solution-start", "solution"):
                segment.append(block)
                continue
            yield Markdown(segment, cell_end=False)
            segment = []
            if kind == "solution":  # ungated: its content is prose, it has no code cells
                yield Solution(block[2], gated=False)
            else:
                solution = Solution(block[2], gated=True)
        if solution is None:
            yield Markdown(segment, cell_end=True)
    if solution is not None:
        raise SystemExit(f"{doc}.md: {{solution-start}} {solution.label} has no {{solution-end}}")
