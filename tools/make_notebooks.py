"""Generate the student notebooks, notebooks/<chapter>.ipynb, from the chapters.

One source, three products (docs/architecture.md): the site shows each exercise with its folded
solution; the student notebook made here keeps the exercise and its check but not the
solution. For every page listed in book/_toc.yml this script

- reads the MyST chapter with jupytext;
- turns each ``{exercise}`` into plain Markdown ("**Exercise 4.2: title**" and its text,
  numbered within its chapter as the site numbers it);
- replaces each solution (``{solution-start}`` ... ``{solution-end}``, or ``{solution}``):
  its code cells become one stub cell that keeps the signature and docstring of each
  top-level ``def``/``class`` the exercise asks for (named in its statement or passed
  to its check; a class keeps its methods' signatures and docstrings) and raises
  ``NotImplementedError``; the solution's other helpers, demos and prose are dropped
  (a solution with code but nothing asked for gives an empty code cell); an exercise
  that asks a question in words, or has no code, gets an empty Markdown answer cell;
- keeps every other code cell (check cells included), without outputs;
- rewrites MyST-only Markdown that Jupyter and Colab cannot render (labels, roles such as
  ``{cite:p}``, ``{bibliography}``, ``{literalinclude}``, admonitions, figures, ...);
- puts first a set-up cell that installs ``lib`` from the repository and branch named
  in book/_config.yml wherever the course library is not importable (Colab, Binder,
  Kaggle, a local Jupyter), stops "Run all" with what to run when that fails, and then
  calls ``lib.checks.keep_going()`` so that "Run all" goes through every cell (a failing
  check prints why instead of raising); and last a cell that calls ``lib.checks.summary()``.

The output is deterministic: running it again changes nothing.

Usage:
    python tools/make_notebooks.py              # (re)write notebooks/
    python tools/make_notebooks.py --out DIR    # write somewhere else
    python tools/make_notebooks.py --check      # exit 1 if notebooks/ is out of date
"""
import argparse
import ast
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bookkit import BOOK, ROOT, chapter_numbers, toc_pages  # noqa: E402

OUT = ROOT / "notebooks"

# --------------------------------------------------------------------------- book data


toc_docnames = toc_pages  # the pages listed in _toc.yml, root first (tools/bookkit.py)


def book_config(book=BOOK):
    return yaml.safe_load((book / "_config.yml").read_text()) or {}


def repository(config):
    """(https URL of the repository, branch, path of the book inside it)."""
    repo = config.get("repository", {}) or {}
    url = str(repo.get("url", "")).rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    return url, str(repo.get("branch") or "main"), str(repo.get("path_to_book") or "book").strip("/")


def install_spec(config):
    """The pip requirement that installs lib from the repository."""
    url, branch, _ = repository(config)
    return f"dlf-lib @ git+{url}@{branch}"


def load_bib(book=BOOK, config=None):
    """key -> (short author text, year, one-line reference) for the book's .bib files."""
    config = config if config is not None else book_config(book)
    entries = {}
    try:
        from pybtex.database import parse_file
    except ImportError:  # pragma: no cover - pybtex comes with sphinxcontrib-bibtex
        return entries
    for name in config.get("bibtex_bibfiles", []) or []:
        path = book / name
        if not path.is_file():
            continue
        for key, entry in parse_file(str(path)).entries.items():
            people = entry.persons.get("author", []) or entry.persons.get("editor", [])
            lasts = [_plain(" ".join(p.last_names)) for p in people]
            if not lasts:
                who = key
            elif len(lasts) == 1:
                who = lasts[0]
            elif len(lasts) == 2:
                who = f"{lasts[0]} and {lasts[1]}"
            else:
                who = f"{lasts[0]} et al."
            fields = entry.fields
            year = _plain(fields.get("year", "n.d."))
            names = [" ".join(p.first_names + p.middle_names + p.prelast_names + p.last_names)
                     for p in people]
            full = [_plain(", ".join(names)) or who, f"({year}).",
                    _plain(fields.get("title", "")) + "."]
            venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher")
            if venue:
                full.append(f"*{_plain(venue)}*.")
            if fields.get("url"):
                full.append(f"<{fields['url']}>")
            entries[key] = (who, year, " ".join(full))
    return entries


def _plain(text):
    """Drop BibTeX braces and escapes."""
    return re.sub(r"[{}]", "", str(text)).replace("\\&", "&").replace("--", "–")


LABEL_RE = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def label_titles(docnames, book=BOOK):
    """Target label -> readable text, for {ref}/{numref} roles without explicit text."""
    titles = {}
    for doc in docnames:
        path = book / f"{doc}.md"
        if not path.is_file():
            continue
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            m = LABEL_RE.match(line)
            if not m:
                continue
            rest = next((l for l in lines[i + 1:] if l.strip()), "")
            h = HEADING_RE.match(rest)
            titles[m.group(1)] = h.group(2) if h else m.group(1)
    return titles


# ------------------------------------------------------------------ markdown blocks

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


ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention",
               "danger", "error", "seealso", "admonition"}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
DROP_DIRECTIVES = {"toctree", "tableofcontents", "glossary-end", "exercise-end", "eval-rst",
                   "solution-end"}
ROLE_RE = re.compile(r"\{(?P<role>[\w:+-]+)\}`(?P<content>[^`]*)`")
EQ_LABEL_RE = re.compile(r"^(?P<math>.*\$\$)\s*\([^()\s]+\)\s*$")
SUBST_RE = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")
# A statement that asks for words: a question, or a request to show, prove, explain,
# derive or predict something. Such an exercise gets an answer cell (Markdown).
ASKS_RE = re.compile(r"\?|\b(show|prove|explain|derive|predict)\b", re.I)


def check_arguments(source):
    """Names passed as arguments to lib.checks.<chapter>.check_*(...) calls in a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and "lib.checks." in ast.unparse(node.func) + ".":
            for arg in list(node.args) + [k.value for k in node.keywords]:
                names |= {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}
    return names


class Chapter:
    """Turns one chapter into its student notebook."""

    def __init__(self, doc, book, config, bib, titles, chapter_number=None):
        self.doc, self.book, self.config = doc, book, config
        self.bib, self.titles = bib, dict(titles)
        self.url, self.branch, self.book_path = repository(config)
        self.subst = ((config.get("parse", {}) or {}).get("myst_substitutions", {}) or {})
        self.cited = []
        self.chapter_number = chapter_number   # None for the root page, as on the site
        self.exercise_number = {}   # label -> "4.2" (or "2" on the root page)
        self.exercise_text = {}     # label -> the exercise's statement (MyST lines)
        self.check_names = {}       # label -> names passed to the check calls after it

    # ---- inline syntax

    def cite(self, role, keys):
        keys = [k.strip() for k in keys.split(",") if k.strip()]
        for k in keys:
            if k not in self.cited:
                self.cited.append(k)
        parts = []
        for k in keys:
            who, year, _ = self.bib.get(k, (k, "", ""))
            if role.startswith("cite:t"):
                parts.append(f"{who} ({year})" if year else who)
            else:
                parts.append(f"{who}, {year}" if year else who)
        if role.startswith("cite:t"):
            return ", ".join(parts)
        return "(" + "; ".join(parts) + ")"

    def role(self, m):
        role, content = m.group("role"), m.group("content")
        explicit = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", content, re.S)
        if role.startswith("cite"):
            return self.cite(role, content)
        if role == "math":
            return f"${content}$"
        if role in ("sub", "sup", "kbd"):
            return f"<{role}>{content}</{role}>"
        if role == "abbr":
            return re.sub(r"\s*\(.*\)\s*$", "", content)
        if role == "eq":
            return explicit.group("text") if explicit else f"({content})"
        if explicit and explicit.group("text"):
            return explicit.group("text")
        if role in ("ref", "numref", "doc", "any", "prf:ref", "label"):
            target = explicit.group("target") if explicit else content
            return self.titles.get(target, target)
        return f"`{content}`" if role in ("code", "file", "samp", "command", "envvar") else content

    def inline(self, line):
        line = ROLE_RE.sub(self.role, line)
        if self.subst:
            line = SUBST_RE.sub(lambda m: str(self.subst.get(m.group(1), m.group(0))), line)
        return line

    # ---- block syntax

    def markdown(self, lines):
        """Rewrite MyST Markdown lines (no solutions inside) for Jupyter."""
        return self.markdown_blocks(split_blocks(lines))

    def markdown_blocks(self, blocks):
        out = []
        for block in blocks:
            if block[0] == "text":
                for line in block[1]:
                    if LABEL_RE.match(line) or line.startswith("%"):
                        continue  # a target label, or a MyST comment
                    eq = EQ_LABEL_RE.match(line)
                    out.append(eq.group("math") if eq else self.inline(line))
            elif block[0] == "fence":
                out.extend(block[1])
            else:
                out.extend(self.directive(*block[1:]))
        return out

    def directive(self, name, arg, options, body):
        if name in DROP_DIRECTIVES:
            return []
        if name == "bibliography":
            return ["<!-- references -->"]  # filled in at the end with the cited entries
        if name in ("exercise", "exercise-start"):
            return self.exercise_heading(arg, options) + ([""] + self.markdown(body) if body else [])
        if name in ADMONITIONS:
            title = arg if name == "admonition" and arg else (arg or name.capitalize())
            if name != "admonition" and arg:
                body = [arg, ""] + body
                title = name.capitalize()
            inner = self.markdown(body)
            return [f"> **{self.inline(title)}**", ">"] + [f"> {l}".rstrip() for l in inner]
        if name in ("dropdown",):
            return ["<details>", f"<summary>{self.inline(arg) or 'Details'}</summary>", ""] \
                + self.markdown(body) + ["", "</details>"]
        if name in CODE_DIRECTIVES:
            return [f"```{arg}"] + body + ["```"]
        if name == "math":
            return ["$$"] + body + ["$$"]
        if name == "literalinclude":
            return self.literalinclude(arg, options)
        if name in ("figure", "image"):
            src = arg
            if not re.match(r"^[a-z]+://", src):
                src = f"{self.raw_url()}/{self.book_path}/{src.lstrip('/')}"
            alt = options.get("alt") or (" ".join(body).strip() if body else Path(arg).stem)
            caption = self.markdown(body) if name == "figure" and body else []
            return [f"![{self.inline(alt)}]({src})"] + ([""] + [f"*{l}*" if l.strip() else l
                                                             for l in caption] if caption else [])
        if name in ("raw",):
            return body if arg.strip() == "html" else []
        if name in ("table", "list-table", "csv-table"):
            return ([f"**{self.inline(arg)}**", ""] if arg else []) + self.markdown(body)
        # margin, sidebar, card, epigraph, ...: keep their content as plain Markdown
        return ([f"**{self.inline(arg)}**", ""] if arg and name in ("margin", "sidebar", "card")
                else []) + self.markdown(body)

    def raw_url(self):
        m = re.match(r"^https://github\.com/([^/]+)/([^/]+)", self.url)
        if m:
            return f"https://raw.githubusercontent.com/{m.group(1)}/{m.group(2)}/{self.branch}"
        return f"{self.url}/raw/{self.branch}"

    def literalinclude(self, arg, options):
        """The included file (or the part that the options select) as a fenced code block."""
        path = self.book / arg.lstrip("/")
        try:
            lines = path.read_text().splitlines()
        except OSError:
            return [f"*(see `{arg}` in the repository)*"]
        if options.get("pyobject"):
            lines = _pyobject(lines, str(options["pyobject"])) or lines
        if options.get("start-after"):
            at = next((i for i, l in enumerate(lines) if options["start-after"] in l), None)
            lines = lines[at + 1:] if at is not None else lines
        if options.get("end-before"):
            at = next((i for i, l in enumerate(lines) if options["end-before"] in l), None)
            lines = lines[:at] if at is not None else lines
        if options.get("lines"):
            keep = []
            for part in str(options["lines"]).split(","):
                lo, dash, hi = part.strip().partition("-")
                lo = int(lo) if lo else 1
                hi = (int(hi) if hi else len(lines)) if dash else lo
                keep.extend(lines[lo - 1:hi])
            lines = keep
        if options.get("dedent"):
            n = int(options["dedent"])
            lines = [l[n:] if l[:n].strip() == "" else l.lstrip() for l in lines]
        lang = options.get("language", "python" if arg.endswith(".py") else "")
        caption = [f"*{self.inline(str(options['caption']))}*", ""] if options.get("caption") else []
        return caption + [f"```{lang}"] + lines + ["```"]

    def number(self, n):
        """An exercise's number as the site shows it: "4.2" in chapter 4, "2" on the root."""
        return f"{self.chapter_number}.{n}" if self.chapter_number is not None else str(n)

    def number_exercises(self, cells):
        """Number the exercises first, so a reference may come before its exercise; note
        each exercise's statement and the names its check cells pass to lib.checks."""
        n = 0
        inside, last = None, None   # the solution being read; the last one closed
        for cell in cells:
            if cell.cell_type == "code":
                if inside is None and last is not None and "lib.checks." in cell.source:
                    self.check_names.setdefault(last, set()).update(check_arguments(cell.source))
                continue
            if cell.cell_type != "markdown":
                continue
            for block in split_blocks(cell.source.splitlines()):
                if block[0] != "directive":
                    continue
                if block[1] in ("exercise", "exercise-start") and "nonumber" not in block[3]:
                    n += 1
                    label = block[3].get("label") or f"#{n}"
                    self.exercise_number[label] = self.number(n)
                    self.exercise_text[label] = block[4]
                    self.titles[label] = f"Exercise {self.number(n)}"
                elif block[1] == "solution-start":
                    inside = block[2]
                elif block[1] == "solution-end":
                    inside, last = None, inside
                elif block[1] == "solution":
                    last = block[2]
        self.exercise_count = 0

    def exercise_heading(self, arg, options):
        label = options.get("label")
        if "nonumber" in options:
            head = "**Exercise"
        else:
            self.exercise_count += 1
            n = self.exercise_number.get(label, self.number(self.exercise_count))
            head = f"**Exercise {n}"
        title = self.inline(arg)
        return [head + (f": {title}**" if title else "**")]

    # ---- the notebook

    def convert(self):
        source = jupytext.read(str(self.book / f"{self.doc}.md"))
        self.number_exercises(source.cells)
        cells = [setup_cell(self.config)]
        pending_md = []   # Markdown lines waiting to become a cell
        solution = None   # while inside a gated solution: (label, code cell sources)

        def flush():
            while pending_md and not pending_md[-1].strip():
                pending_md.pop()
            while pending_md and not pending_md[0].strip():
                pending_md.pop(0)
            if pending_md:
                cells.append(nbformat.v4.new_markdown_cell("\n".join(pending_md)))
            pending_md.clear()

        for cell in source.cells:
            if cell.cell_type == "code":
                if solution is not None:
                    solution[1].append(cell.source)
                    continue
                flush()
                tags = [t for t in cell.metadata.get("tags", [])]
                new = nbformat.v4.new_code_cell(cell.source)
                if tags:
                    new.metadata["tags"] = tags
                if "mystnb" in cell.metadata:  # figure alt text, for myst-nb renderers
                    new.metadata["mystnb"] = cell.metadata["mystnb"]
                cells.append(new)
                continue
            if cell.cell_type == "raw":
                continue
            segment = []  # Markdown blocks between solutions
            for block in split_blocks(cell.source.splitlines()):
                kind = block[1] if block[0] == "directive" else None
                if solution is not None:
                    if kind == "solution-end":
                        cells.extend(self.replacement(*solution))
                        solution = None
                    continue  # solution prose and anything else inside it is dropped
                if kind in ("solution-start", "solution"):
                    pending_md.extend(self.markdown_blocks(segment))
                    segment = []
                    flush()
                    if kind == "solution":  # ungated: its code is not executed, treat as prose
                        cells.extend(self.replacement(block[2], []))
                    else:
                        solution = (block[2], [])
                    continue
                segment.append(block)
            if solution is None:
                pending_md.extend(self.markdown_blocks(segment))
                pending_md.append("")
        if solution is not None:
            raise SystemExit(f"{self.doc}.md: {{solution-start}} {solution[0]} has no {{solution-end}}")
        flush()
        self.fill_references(cells)
        if any(c.cell_type == "code" and "lib.checks." in c.source for c in cells[1:]):
            cells.append(nbformat.v4.new_markdown_cell(SUMMARY_INTRO))
            cells.append(nbformat.v4.new_code_cell("lib.checks.summary();"))
        nb = nbformat.v4.new_notebook()
        nb.metadata = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "colab": {"provenance": []},
            # Which chapter this is: the grader (python -m grading) reads only this.
            "course": {"chapter": self.doc},
        }
        for i, c in enumerate(cells):
            c.id = f"{self.doc[:40]}-{i:03d}"
        nb.cells = cells
        return nb

    def exercise_names(self, label):
        """The names an exercise asks for: named in its statement (`name` or `name(...)`)
        or passed to its check. Other functions and classes in the solution are its demo
        helpers, dropped with the rest of the solution's code."""
        text = "\n".join(self.exercise_text.get(label, []))
        named = set(re.findall(r"`([A-Za-z_]\w*)(?:[(`])", text))
        return named | self.check_names.get(label, set())

    def asks_in_words(self, label):
        """Whether the statement asks a question or for an argument (not only for code)."""
        return bool(ASKS_RE.search("\n".join(self.exercise_text.get(label, []))))

    def replacement(self, label, code_sources):
        """The cells that stand in for a solution: a stub of the functions and classes the
        exercise asks for, or an empty code cell, when the solution has code; and an empty
        answer cell when the exercise asks a question in words (or has no code)."""
        n = self.exercise_number.get(label)
        name = f"Exercise {n}" if n else "this exercise"
        answer = nbformat.v4.new_markdown_cell(f"*Your answer to {name}:*")
        if not code_sources:
            return [answer]
        message = f"{name} ({label}): your code goes here" if n else f"{label}: your code goes here"
        wanted = self.exercise_names(label)
        stubs = [s for s in (stub_source(src, message, wanted) for src in code_sources) if s]
        if not stubs:
            stubs = [f"# {name} ({label}): write your code here.\n" if n
                     else f"# {label}: write your code here.\n"]
        cells = [nbformat.v4.new_code_cell("\n\n\n".join(s.rstrip("\n") for s in stubs))]
        return cells + ([answer] if self.asks_in_words(label) else [])

    def fill_references(self, cells):
        entries = [f"- {self.bib[k][2]}" for k in self.cited if k in self.bib]
        for cell in cells:
            if cell.cell_type == "markdown" and "<!-- references -->" in cell.source:
                cell.source = cell.source.replace("<!-- references -->", "\n".join(entries))
                # A References heading with nothing under it goes too.
                cell.source = re.sub(r"(?m)^#+ References\s*\Z", "", cell.source).strip()
        cells[:] = [c for c in cells if c.cell_type != "markdown" or c.source.strip()]


# -------------------------------------------------------------------------- stubs


def _parse(src):
    try:
        return src, ast.parse(src)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager
        src = TransformerManager().transform_cell(src)
        return src, ast.parse(src)


def _segment(lines, lineno, col, end_lineno=None, end_col=None):
    """Source text between two (1-based line, byte column) positions."""
    if end_lineno is None:
        return lines[lineno - 1].encode()[col:].decode()
    if lineno == end_lineno:
        return lines[lineno - 1].encode()[col:end_col].decode()
    first = lines[lineno - 1].encode()[col:].decode()
    last = lines[end_lineno - 1].encode()[:end_col].decode()
    return "\n".join([first] + lines[lineno:end_lineno - 1] + [last])


def _is_docstring(node):
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _pyobject(lines, dotted):
    """The source lines of a top-level object, or of Class.method, in a Python file."""
    try:
        body = ast.parse("\n".join(lines)).body
    except SyntaxError:
        return None
    node = None
    for name in dotted.split("."):
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                       ast.ClassDef)) and n.name == name), None)
        if node is None:
            return None
        body = node.body
    start = min([d.lineno for d in node.decorator_list] + [node.lineno])
    return lines[start - 1:node.end_lineno]


def _stub_def(node, lines, message, indent):
    """Signature (with decorators) and docstring of a def/class, body replaced."""
    start = min([d.lineno for d in node.decorator_list] + [node.lineno])
    first = node.body[0]
    header = _segment(lines, start, 0, first.lineno, first.col_offset).splitlines()
    # Keep the header up to its colon: drop comment-only or blank lines before the body.
    while header and (not header[-1].strip() or header[-1].strip().startswith("#")):
        header.pop()
    header = [l.rstrip() for l in header]
    if first.lineno > node.lineno and lines[first.lineno - 1][:first.col_offset].strip() == "":
        inner = lines[first.lineno - 1][:len(lines[first.lineno - 1])
                                          - len(lines[first.lineno - 1].lstrip())]
    else:
        inner = indent + "    "
    header = [indent + header[0].lstrip()] + header[1:] if header else header
    body = []
    if _is_docstring(first):
        own_lines = (lines[first.lineno - 1][:first.col_offset].strip() == ""
                     and lines[first.end_lineno - 1].encode()[first.end_col_offset:].strip() == b"")
        if own_lines and first.lineno > node.lineno:
            doc = lines[first.lineno - 1:first.end_lineno]
            body.extend([inner + doc[0].lstrip()] + doc[1:])
        else:
            body.append(inner + '"""' + first.value.value.replace('"""', r'\"\"\"') + '"""')
    if isinstance(node, ast.ClassDef):
        methods = [m for m in node.body
                   if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        for m in methods:
            if body:
                body.append("")
            body.extend(_stub_def(m, lines, message, inner).splitlines())
        if not body:
            body.append(inner + "pass")
    else:
        quoted = '"' + message.replace("\\", "\\\\").replace('"', '\\"') + '"'
        body.append(f"{inner}raise NotImplementedError({quoted})")
    return "\n".join(header + body)


def stub_source(src, message, wanted=None):
    """The stub of one solution code cell: its top-level defs and classes, emptied; with
    `wanted`, only those whose names it holds (the others are the solution's helpers)."""
    src, tree = _parse(src)
    lines = src.splitlines()
    stubs = [_stub_def(node, lines, message, "") for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
             and (wanted is None or node.name in wanted)]
    return "\n\n\n".join(stubs) + ("\n" if stubs else "")


# -------------------------------------------------------------------------- set-up

SETUP = '''\
# Set-up: makes sure the course library `lib` is importable, and installs it from the
# course repository where it is missing (Colab, Binder, Kaggle, your own Jupyter): about a
# minute, once per session. Where it is installed already, it installs nothing.
import importlib, subprocess, sys

def _course_lib():
    """The course library, or None. A folder named `lib` next to this notebook imports as
    an empty namespace package without `Trainer`: that is not the course library."""
    found = sys.modules.get("lib")
    if not hasattr(found, "Trainer"):
        sys.modules.pop("lib", None)
        importlib.invalidate_caches()
        try:
            found = importlib.import_module("lib")
        except ImportError:
            return None
    return found if hasattr(found, "Trainer") else None

if _course_lib() is None:
    _lib = {spec!r}
    print("Installing the course library from", _lib.split("@ ")[-1], "...", flush=True)
    _pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", _lib])
    if _pip.returncode != 0 or _course_lib() is None:
        raise RuntimeError(
            "The course library `lib` could not be installed or imported. In a terminal "
            f"(or a cell starting with !) run:  {{sys.executable}} -m pip install '{{_lib}}'  "
            "then restart the kernel and run this notebook again. If a folder or file named "
            "`lib` sits next to this notebook, rename it: it hides the course library.")

import lib.checks
lib.checks.keep_going()  # a failing check prints why and "Run all" goes on to the next cell
'''

SUMMARY_INTRO = """\
## Your self-checks

The cell below lists every exercise whose check ran in this session: passed, failed,
or not implemented yet. Rerun it after you change an answer and its check."""


def setup_cell(config):
    return nbformat.v4.new_code_cell(SETUP.format(spec=install_spec(config)).rstrip("\n"))


# ---------------------------------------------------------------------------- main


def build(book=BOOK):
    """{file name: notebook text} for every chapter in the table of contents."""
    config = book_config(book)
    docs = toc_docnames(book)
    bib, titles = load_bib(book, config), label_titles(docs, book)
    numbers = chapter_numbers(book)
    out = {}
    for doc in docs:
        if not (book / f"{doc}.md").is_file():
            raise SystemExit(f"_toc.yml lists {doc}, but book/{doc}.md does not exist")
        nb = Chapter(doc, book, config, bib, titles, numbers.get(doc)).convert()
        nbformat.validate(nb)
        out[f"{doc}.ipynb"] = nbformat.writes(nb) + "\n"
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default notebooks/)")
    parser.add_argument("--check", action="store_true", help="only report whether it is up to date")
    args = parser.parse_args(argv)
    wanted = build()
    existing = {p.name for p in args.out.glob("*.ipynb")} if args.out.is_dir() else set()
    stale = sorted(existing - set(wanted))
    changed = sorted(n for n, text in wanted.items()
                     if not (args.out / n).is_file() or (args.out / n).read_text() != text)
    if args.check:
        for n in changed:
            print(f"out of date: {args.out / n}")
        for n in stale:
            print(f"not a chapter any more: {args.out / n}")
        return 1 if changed or stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n in changed:
        (args.out / n).write_text(wanted[n])
    for n in stale:
        (args.out / n).unlink()
    print(f"student notebooks: {len(wanted)} in {args.out}, {len(changed)} written, "
          f"{len(stale)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
