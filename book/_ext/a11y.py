"""Accessibility fixes for what docutils and the theme get wrong.

* **Bibliography entries.** docutils' HTML5 writer wraps citations in
  ``<div role="list" class="citation-list">`` and gives each one
  ``role="doc-biblioentry"``. DPUB-ARIA 1.1 deprecated that role, and an ARIA ``list``
  may only own ``listitem`` children, so axe-core reports a *critical*
  ``aria-required-children`` violation on every page with references (and a minor
  ``aria-deprecated-role``). Each citation is written as ``role="listitem"`` instead;
  the markup is otherwise docutils' own. (Upstream: docutils' ``visit_citation`` in
  ``writers/_html_base.py`` should use ``listitem``.)
* **Figures in dark mode.** Matplotlib draws dark ink on a transparent background;
  ``a11y.css`` puts every figure in a cell output on a white card in dark mode, with no
  dimming filter, so axes, labels and legends keep their contrast.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "static"


def visit_citation(self, node) -> None:
    # docutils' visit_citation, with the list item role that a role="list" requires
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node) -> None:
    type(self).depart_citation(self, node)  # unchanged: closes the item (and the list)


def _static_path(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("builder-inited", _static_path)
    app.add_css_file("a11y.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
