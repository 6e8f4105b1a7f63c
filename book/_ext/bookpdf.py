"""The whole book as one download: every page links ``book.pdf`` when it has been made.

``make pdf`` prints the book to ``_build/pdf/book.pdf`` (tools/make_pdf.py). When that
file exists at the start of an HTML build (``make pdf`` first, then ``make book``, as the
publishing workflow does), this extension

* adds "book.pdf" to every page's download menu (the theme's header button), linking
  the PDF at the site's root,
* and, once the site is written, copies the PDF there (``_build/html/book.pdf``), so
  that the folder that is published holds it.

Without a PDF no page links one (a dead link is worse than none), a stale
``_build/html/book.pdf`` is removed, and the build says how to add it. Whether there is a
PDF is part of the HTML configuration (``html_context["book_pdf"]``), so when it appears
or goes, Sphinx rewrites every page (from its cache: nothing executes again).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
SITE_NAME = "book.pdf"
HTML_BUILDERS = ("html", "dirhtml")
# sphinx-book-theme's download menu (its "download-buttons" group), as of this version.
TARGETS = {"sphinx-book-theme": "1.3.0"}


def made_pdf(app: Sphinx) -> Path:
    """Where ``make pdf`` puts the PDF: ``_build/pdf/book.pdf`` beside ``_build/html``."""
    return Path(app.outdir).parent / "pdf" / SITE_NAME


def _config_inited(app: Sphinx, config) -> None:
    context = dict(config.html_context or {})
    if made_pdf(app).is_file():
        context["book_pdf"] = SITE_NAME
    else:
        context.pop("book_pdf", None)
    config.html_context = context


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if app.builder.name not in HTML_BUILDERS or not context.get("book_pdf"):
        return
    group = next((b for b in context.get("header_buttons") or []
                  if b.get("label") == "download-buttons"), None)
    if group is None:
        return
    entry = {"type": "link", "url": context["pathto"](SITE_NAME, 1), "text": SITE_NAME,
             "icon": "fas fa-book", "tooltip": "Download the whole book as one PDF",
             "label": "download-book-pdf-button"}
    group["buttons"] = [b for b in group.get("buttons", [])
                        if b.get("label") != entry["label"]] + [entry]


def _build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    target = Path(app.outdir) / SITE_NAME
    if app.config.html_context.get("book_pdf"):
        shutil.copyfile(made_pdf(app), target)
        LOGGER.info(f"bookpdf: {made_pdf(app)} copied to {target}, linked from every page")
        return
    target.unlink(missing_ok=True)
    LOGGER.info("bookpdf: no PDF of the whole book, so no page links one. To add it: "
                "`make pdf`, then `make book` again (it links and copies book.pdf).")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _on_page_context, priority=600)  # after the theme's 501
    app.connect("build-finished", _build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
