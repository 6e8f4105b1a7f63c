"""Point each chapter's Colab and Binder launch buttons at its student notebook.

sphinx-book-theme links the launch buttons to the page's source, ``book/<page>.md``,
which Colab cannot open. The student notebooks are generated into
``notebooks/<page>.ipynb`` at the repository root (``tools/make_notebooks.py``), so this
extension rewrites the two links after the theme has made them. The download button
still offers the full executed notebook.

Configuration (conf.py / ``sphinx.config`` in _config.yml):
    launch_notebooks_dir   folder of the student notebooks, relative to the repository
                           root (default "notebooks").
"""
import os
from urllib.parse import quote

from sphinx.util import logging

LOGGER = logging.getLogger(__name__)


def _rewrite(url, old, new):
    """Replace the path `old` at the end of a launch URL (or before its query) by `new`."""
    for o, n in ((old, new), (quote(old, safe=""), quote(new, safe=""))):
        if url.endswith(o):
            return url[: -len(o)] + n
    return None


def student_notebook_links(app, pagename, templatename, context, doctree):
    buttons = context.get("header_buttons") or []
    group = next((b for b in buttons if b.get("label") == "launch-buttons"), None)
    if group is None:
        return
    opts = app.config.html_theme_options or {}
    book_path = (opts.get("path_to_docs") or "").strip("/")
    suffix = os.path.splitext(str(app.env.doc2path(pagename)))[1]
    # The theme links the source file, or an .ipynb of the same name when one exists.
    sources = [f"{book_path + '/' if book_path else ''}{pagename}{s}" for s in (suffix, ".ipynb")]
    target = f"{app.config.launch_notebooks_dir.strip('/')}/{pagename}.ipynb"
    for button in group.get("buttons", []):
        if button.get("text") not in ("Colab", "Binder"):
            continue
        new = next((n for n in (_rewrite(button["url"], s, target) for s in sources) if n), None)
        if new is None:
            LOGGER.warning(f"launch: cannot point the {button['text']} button of {pagename} at "
                           f"{target}: its URL {button['url']} does not end with {sources[0]}",
                           type="launch", subtype="url")
            continue
        button["url"] = new
        button["tooltip"] = f"Open the student notebook in {button['text']}"


def setup(app):
    app.add_config_value("launch_notebooks_dir", "notebooks", "html")
    # sphinx-book-theme builds the launch buttons at priority 501; run after it.
    app.connect("html-page-context", student_notebook_links, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
