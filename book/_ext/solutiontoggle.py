"""Solutions that open from anywhere on their title, by mouse or keyboard.

sphinx-togglebutton 0.4.5 folds each solution (an admonition with the ``dropdown``
class) and makes its title clickable, but its click handler only knows the title
element, the button and the chevron icon. sphinx-exercise puts a link to the exercise
inside a solution's title ("Solution to *Exercise 3 (ReLU)*"), so a click on those
words throws ``ReferenceError: button is not defined`` and the link then scrolls the
page up to the exercise. This extension

* renders the words of a solution's title as plain text, not a link, in HTML: the
  exercise is right above its solution, and a title that is also a link cannot both
  toggle and navigate (``<span class="solution-of" data-exercise="<exercise id>">``
  keeps the words and names the exercise);
* adds ``solutiontoggle.js`` after togglebutton.js: one click handler for every toggle
  title (whatever element inside it was clicked), which toggles the admonition, keeps
  ``aria-expanded`` in step and names the button after its title;
* adds ``solutiontoggle.css``: the whole title shows it is clickable, and the button has
  a visible focus ring for keyboard users.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

STATIC = Path(__file__).parent / "static"
# The versions this works around (tests/test_pins.py fails when an installed one changes:
# then check that the click handler still needs replacing, and update the version).
TARGETS = {"sphinx-togglebutton": "0.4.5", "sphinx-exercise": "1.2.1"}


class UnlinkSolutionTitles(SphinxPostTransform):
    """Replace the reference in each solution's title by its text (HTML builders)."""

    default_priority = 30  # after sphinx-exercise's ResolveTitlesInSolutions (21)
    formats = ("html",)

    def run(self, **kwargs):
        from sphinx_exercise.nodes import solution_node

        for sol in self.document.findall(solution_node):
            if not sol.children or not isinstance(sol.children[0], nodes.title):
                continue
            for ref in list(sol.children[0].findall(nodes.reference)):
                # the same words in a span that still names the exercise it answers
                target = (ref.get("refid") or ref.get("refuri", "").rpartition("#")[2])
                opening = nodes.raw("", f'<span class="solution-of" data-exercise="{escape(target)}">',
                                    format="html")
                closing = nodes.raw("", "</span>", format="html")
                ref.replace_self([opening, *ref.children, closing])


def _static_path(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")
    app.add_post_transform(UnlinkSolutionTitles)
    app.connect("builder-inited", _static_path)
    app.add_js_file("solutiontoggle.js", priority=600)  # after togglebutton.js (500)
    app.add_css_file("solutiontoggle.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
