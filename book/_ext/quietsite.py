"""Small fixes so that every page loads with a clean browser console.

* pydata-sphinx-theme logs ``Got invalid theme mode: .`` as a console *error* on a first
  visit unless the page context sets ``default_mode``. We default it to ``auto``: the
  page follows the reader's system setting until they pick light or dark with the
  theme's switch, which the theme remembers (``localStorage``). Figures stay readable
  on the dark theme (see ``a11y.py``). An explicit
  ``html_context = {"default_mode": ...}`` wins.
* sphinx-thebe (with Sphinx 7.4) adds its inline ``const THEBE_JS_URL = ...`` script
  twice, which throws ``Identifier 'THEBE_JS_URL' has already been declared``. Identical
  script entries are kept once.
* Without a favicon, every browser asks for ``/favicon.ico`` and logs a 404. When the
  book sets no ``html_favicon``, each page declares an empty inline icon instead.
"""

from __future__ import annotations

from sphinx.application import Sphinx

EMPTY_ICON = '<link rel="icon" href="data:,">\n'


def _script_key(js) -> tuple:
    attrs = getattr(js, "attributes", {}) or {}
    # an inline script may come with filename None or "" (the thebe one comes with both)
    name = getattr(js, "filename", js) or ""
    return (str(name), tuple(sorted((k, str(v)) for k, v in attrs.items())))


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for js in scripts:
            key = _script_key(js)
            if key not in seen:
                seen.add(key)
                unique.append(js)
        context["script_files"] = unique
    if not app.config.html_favicon:
        context["metatags"] = context.get("metatags", "") + EMPTY_ICON


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
