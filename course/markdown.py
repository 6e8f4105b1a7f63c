"""MyST Markdown rewritten as the Markdown that Jupyter and Colab render.

Labels and comments go; roles become text (``{ref}`` the target's title, ``{cite:p}`` a
citation, ``{glue:text}`` the value the build glued, ``{math}`` dollars, ...); substitutions are filled in; directives become their
plain equivalent: an exercise a bold heading, an admonition a quote, a figure an image
fetched from the repository, a ``{literalinclude}`` the code it shows, ``{bibliography}``
a placeholder that the notebook fills with the chapter's references.
"""
import re
from pathlib import Path


from .bibliography import cite
from .book import BOOK, repository
from .exercises import exercise_label, notebook_heading, shown_number
from .glue import GLUE_ROLES
from .include import included_lines
from .myst import split_blocks

LABEL_RE = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention",
               "danger", "error", "seealso", "admonition"}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
DROP_DIRECTIVES = {"toctree", "tableofcontents", "glossary-end", "exercise-end", "eval-rst",
                   "solution-end"}
ROLE_RE = re.compile(r"\{(?P<role>[\w:+-]+)\}`(?P<content>[^`]*)`")
EQ_LABEL_RE = re.compile(r"^(?P<math>.*\$\$)\s*\([^()\s]+\)\s*$")
SUBST_RE = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")
REFERENCES = "<!-- references -->"  # where {bibliography} was: the notebook fills it in


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


class Rewriter:
    """Rewrites one chapter's Markdown. ``titles``: label -> text for references (the
    exercises' labels included); ``numbers``: exercise label -> "4.2". It notes the keys
    the chapter cites, in order, in ``cited``."""

    def __init__(self, book, config, bib, titles, chapter_number=None, numbers=None,
                 glue=None):
        self.book, self.bib, self.titles = book, bib, titles
        self.glue = glue  # glue.GlueValues: the chapter's glued values
        self.url, self.branch, self.book_path = repository(config)
        self.subst = ((config.get("parse", {}) or {}).get("myst_substitutions", {}) or {})
        self.chapter_number = chapter_number
        self.numbers = numbers or {}
        self.cited = []
        self.exercise_count = 0  # numbered exercises rewritten so far

    # ---- inline syntax

    def role(self, m):
        role, content = m.group("role"), m.group("content")
        explicit = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", content, re.S)
        if role in GLUE_ROLES:
            return self.glue.text(content)
        if role.startswith("cite"):
            return cite(self.bib, role, content, self.cited)
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
            return [REFERENCES]
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

    def exercise_heading(self, arg, options):
        """"**Exercise 4.2: title**", numbered as the site numbers it ("**Exercise: title**"
        with :nonumber:)."""
        name = None
        if "nonumber" not in options:
            self.exercise_count += 1
            name = "Exercise " + self.numbers.get(
                exercise_label(options), shown_number(self.chapter_number, self.exercise_count))
        return [notebook_heading(name, self.inline(arg))]

    def raw_url(self):
        """Where the repository serves its files raw (figures are fetched from there)."""
        m = re.match(r"^https://github\.com/([^/]+)/([^/]+)", self.url)
        if m:
            return f"https://raw.githubusercontent.com/{m.group(1)}/{m.group(2)}/{self.branch}"
        return f"{self.url}/raw/{self.branch}"

    def literalinclude(self, arg, options):
        """The included file (or the part that the options select) as a fenced code block."""
        lines = included_lines(self.book / arg.lstrip("/"), options)
        if lines is None:
            return [f"*(see `{arg}` in the repository)*"]
        lang = options.get("language", "python" if arg.endswith(".py") else "")
        caption = [f"*{self.inline(str(options['caption']))}*", ""] if options.get("caption") else []
        return caption + [f"```{lang}"] + lines + ["```"]
