"""Small fixes so that every page loads with a clean browser console.

What configuration can do is done in _config.yml: the theme's mode follows the reader
(``html_context: {default_mode: auto}``; without it pydata-sphinx-theme logs ``Got
invalid theme mode: .`` as a console error on a first visit), and the book has a
favicon (``html.favicon``), so no browser asks for a missing ``/favicon.ico``. This
extension does what configuration cannot:

* sphinx-thebe (with Sphinx 7.4) adds its inline ``const THEBE_JS_URL = ...`` script
  twice, which throws ``Identifier 'THEBE_JS_URL' has already been declared``. Identical
  script entries are kept once.
* The landing page ``index.html`` (the book's root is ``intro``) is written by
  sphinx-external-toc as a bare ``<meta http-equiv="Refresh">`` line, without the
  favicon, so the browser asks for ``/favicon.ico`` there and logs a 404. It is written
  here instead, as a small HTML page with the favicon inline (the page is left at once, so
  a request for the icon would be aborted) and a link to the first page.
"""

from __future__ import annotations

import base64
import mimetypes
from html import escape
from pathlib import Path

from sphinx.application import Sphinx

REDIRECT_MARK = "<!-- quietsite: landing page -->"
# The versions these work around (tests/test_pins.py fails when an installed one changes).
TARGETS = {"sphinx-thebe": "0.3.1", "sphinx": "7.4.7", "sphinx-external-toc": "1.1.0"}


def _script_key(js) -> tuple:
    attrs = getattr(js, "attributes", {}) or {}
    # an inline script may come with filename None or "" (the thebe one comes with both)
    name = getattr(js, "filename", js) or ""
    return (str(name), tuple(sorted((k, str(v)) for k, v in attrs.items())))


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for js in scripts:
            key = _script_key(js)
            if key not in seen:
                seen.add(key)
                unique.append(js)
        context["script_files"] = unique


def _favicon_href(app: Sphinx) -> str:
    """The favicon inline (the page is left at once: a request for it would be aborted)."""
    icon = app.config.html_favicon
    if not icon:
        return "data:,"  # an empty icon: the browser asks for nothing
    if "://" in icon:
        return icon
    path = Path(app.outdir) / "_static" / Path(icon).name  # where Sphinx copies html_favicon
    kind = mimetypes.guess_type(path.name)[0] or "image/x-icon"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def landing_page(title: str, first_page: str, favicon: str) -> str:
    url = escape(first_page)
    return (f"<!DOCTYPE html>\n{REDIRECT_MARK}\n<html lang=\"en\">\n<head>\n"
            f"<meta charset=\"utf-8\">\n<title>{escape(title)}</title>\n"
            f"<link rel=\"icon\" href=\"{escape(favicon)}\">\n"
            f"<meta http-equiv=\"Refresh\" content=\"0; url={url}\">\n</head>\n"
            f"<body><p><a href=\"{url}\">{escape(title)}</a></p></body>\n</html>\n")


def _write_landing_page(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name != "html" or app.config.root_doc == "index":
        return
    index = Path(app.outdir) / "index.html"
    if index.exists():
        old = index.read_text(encoding="utf8", errors="replace")
        # only a redirect (sphinx-external-toc's or ours) is replaced, never a real page
        if REDIRECT_MARK not in old and not old.lstrip().startswith("<meta http-equiv=\"Refresh\""):
            return
    first = f"{app.config.root_doc}.html"
    title = app.config.html_title or app.config.project
    index.write_text(landing_page(title, first, _favicon_href(app)), encoding="utf8")


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _on_page_context, priority=900)
    # before sphinx-external-toc's redirect (priority 500), which then leaves index.html alone
    app.connect("build-finished", _write_landing_page, priority=400)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
