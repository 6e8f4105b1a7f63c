"""The values a chapter glues into its prose, read from the book's last build.

A chapter computes a number in a cell, stores it with myst-nb's ``glue("key", value,
display=False)`` and writes it in the prose as ``{glue:text}`key:.3f```. Sphinx fills it
in on the site and in the PDF; a student notebook has no Sphinx, so the generator writes
the same text in its place, formatted by myst-nb's own function (``format_plain_text``),
from what the build stored in ``<build>/jupyter_execute/<chapter>.glue.json``.

The values are those of the build whose executed notebook has the chapter's code as it
is now; an older build, or none, is an error that says to build the book first.
"""
import json
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text

GLUE_ROLES = ("glue", "glue:", "glue:any", "glue:text")


class GlueError(SystemExit):
    """A glued value that cannot be filled in (no build, an older build, a missing key)."""


def code_sources(cells):
    return [c.source.strip() for c in cells if c.cell_type == "code"]


class GlueValues:
    """The glued values of one chapter, looked up lazily: a chapter that glues nothing
    needs no build."""

    def __init__(self, doc, cells, executed: Path):
        self.doc, self.cells, self.executed = doc, cells, Path(executed)
        self._data = None

    def _load(self):
        make = "build the book first (`make book`), then run `make notebooks` again"
        ipynb = self.executed / f"{self.doc}.ipynb"
        if not ipynb.is_file():
            raise GlueError(f"book/{self.doc}.md glues values into its text, and {ipynb} "
                            f"does not exist: {make}.")
        built = nbformat.read(ipynb, as_version=4)
        if code_sources(built.cells) != code_sources(self.cells):
            raise GlueError(f"book/{self.doc}.md has changed since its build in "
                            f"{self.executed}: its glued values may be out of date; {make}.")
        path = self.executed / f"{self.doc}.glue.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def text(self, content):
        """The text that ``{glue:text}`content``` shows: ``key`` or ``key:format``."""
        if self._data is None:
            self._data = self._load()
        key, _, fmt = content.partition(":")
        if "::" in content:
            raise GlueError(f"book/{self.doc}.md: {{glue}}`{content}` pastes from another "
                            "page; the student notebooks only support a chapter's own values.")
        if key not in self._data:
            raise GlueError(f"book/{self.doc}.md writes {{glue:text}}`{content}`, but its "
                            f"build glued no value named {key!r} (glued: "
                            f"{', '.join(sorted(self._data)) or 'none'}).")
        bundle = self._data[key].get("data", {})  # an output: {"output_type", "data", ...}
        if "text/plain" not in bundle:
            raise GlueError(f"book/{self.doc}.md: the value glued as {key!r} has no plain "
                            "text form; glue a number or a string.")
        return format_plain_text(bundle["text/plain"], fmt)
