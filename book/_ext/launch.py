"""Point each chapter's Colab and Binder launch buttons, and its download, at its student notebook.

sphinx-book-theme links the launch buttons to the page's source, ``book/<page>.md``,
which Colab cannot open. The student notebooks are generated into
``notebooks/<page>.ipynb`` at the repository root (``tools/make_notebooks.py``), so this
extension rewrites the two links after the theme has made them. The download menu's
``.ipynb`` entry offered the executed full notebook, whose raw MyST roles and missing
set-up cell make it fail at ``import lib`` in Colab; it now offers the same student
notebook, copied into the site at ``_notebooks/<page>.ipynb``.

Configuration (conf.py / ``sphinx.config`` in _config.yml):
    launch_notebooks_dir   folder of the student notebooks, relative to the repository
                           root (default "notebooks").
"""
import os
import shutil
from pathlib import Path
from urllib.parse import quote

from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
SITE_DIR = "_notebooks"  # where the student notebooks are copied inside the html output


def _notebooks_dir(app):
    """The repository's student-notebook folder (the repository root is above the book)."""
    return Path(app.confdir).parent / app.config.launch_notebooks_dir.strip("/")


def _rewrite(url, old, new):
    """Replace the path `old` at the end of a launch URL (or before its query) by `new`."""
    for o, n in ((old, new), (quote(old, safe=""), quote(new, safe=""))):
        if url.endswith(o):
            return url[: -len(o)] + n
    return None


def _group(context, label):
    buttons = context.get("header_buttons") or []
    return next((b for b in buttons if b.get("label") == label), None)


def student_download(app, pagename, context):
    """Make the download menu's .ipynb entry the student notebook, when there is one."""
    group = _group(context, "download-buttons")
    if group is None or not (_notebooks_dir(app) / f"{pagename}.ipynb").is_file():
        return
    url = f"{context['pathto'](SITE_DIR, 1)}/{pagename}.ipynb"
    entry = {"type": "link", "url": url, "text": ".ipynb", "icon": "fas fa-code",
             "tooltip": "Download the student notebook (exercises to do, with self-checks)",
             "label": "download-notebook-button"}
    rest = [b for b in group.get("buttons", []) if b.get("label") != "download-notebook-button"]
    group["buttons"] = [entry, *rest]


def copy_student_notebooks(app, exception):
    """Publish the student notebooks of the built pages next to them."""
    if exception is not None or app.builder.format != "html":
        return
    dest = Path(app.outdir) / SITE_DIR
    shutil.rmtree(dest, ignore_errors=True)
    for doc in sorted(app.env.found_docs):
        src = _notebooks_dir(app) / f"{doc}.ipynb"
        if src.is_file():
            dest.mkdir(exist_ok=True)
            shutil.copyfile(src, dest / src.name)


def student_notebook_links(app, pagename, templatename, context, doctree):
    student_download(app, pagename, context)
    group = _group(context, "launch-buttons")
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
    app.connect("build-finished", copy_student_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
