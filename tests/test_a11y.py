"""Accessibility of the built site: alt text, axe-core, keyboard, screen readers.

* Every image on every page has alt text that describes it: not empty, not a file name
  (myst-nb falls back to the image's path, ``_images/<hash>.svg``, when a cell sets no
  ``mystnb: image: alt:``). The student notebooks carry the same alt text.

Checked on each page's visit, with the other page checks
(``test_browser.test_page_loads_cleanly_and_is_accessible``, tests/browsing.py):

* in both themes, axe-core (bundled by axe-playwright-python, so it runs offline) finds no
  *serious* or *critical* violation of WCAG 2.0/2.1 A and AA with every solution open, and
  MathJax keeps its assistive MathML for every formula;
* in the light theme, a solution opens and closes from the keyboard: Tab reaches its
  button, which shows a focus ring, Enter and Space toggle it, and ``aria-expanded``
  follows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.book import BOOK, ROOT

FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(svg|png|jpe?g|gif|webp)$|^_images/|^[0-9a-f]{16,}", re.I)


def alt_problem(alt: str | None, src: str) -> str | None:
    """Why ``alt`` does not describe the image, or None when it is fine."""
    if alt is None:
        return "no alt attribute"
    text = alt.strip()
    if not text:
        return "empty alt text"
    if FILE_NAME.search(text) or text == src or text == Path(src).name:
        return f"alt text is a file name: {text!r}"
    return None


def test_alt_problem_rejects_file_names_and_blanks():
    src = "_images/fba9c0ffee.svg"
    assert alt_problem(None, src) == "no alt attribute"
    assert alt_problem("  ", src) == "empty alt text"
    assert "file name" in alt_problem("_images/fba9c0ffee.svg", src)
    assert "file name" in alt_problem("fba9c0ffee0123456789abcd", src)
    assert "file name" in alt_problem("figure.png", "other.png")
    assert alt_problem("Training loss falling over 10 epochs", src) is None


@pytest.mark.book
def test_every_image_has_alt_text_that_describes_it(built_html, toc):
    from bs4 import BeautifulSoup

    problems, figures = [], 0
    for page in toc:
        soup = BeautifulSoup((built_html / f"{page}.html").read_text(), "html.parser")
        for img in soup.find_all("img"):
            src = img.get("src", "")
            why = alt_problem(img.get("alt"), src)
            if why:
                problems.append(f"{page}: {src}: {why}")
            if img.find_parent(class_="cell_output"):
                figures += 1
                words = len((img.get("alt") or "").split())
                if not why and words < 6:
                    problems.append(f"{page}: {src}: alt text too short to say what the "
                                    f"figure shows: {img.get('alt')!r}")
    assert figures > 0, "no figures found: the test looks in the wrong place"
    assert not problems, (f"{len(problems)} images without a description (set "
                          "`mystnb: image: alt:` on the cell that draws them):\n  "
                          + "\n  ".join(problems))


def _chapter_alts() -> dict[str, dict[str, str]]:
    """{chapter: {cell source: alt text}} for every code cell with myst-nb alt text."""
    import jupytext

    found = {}
    for md in sorted(BOOK.glob("*.md")):
        nb = jupytext.read(str(md))
        alts = {c.source: c.metadata["mystnb"]["image"]["alt"] for c in nb.cells
                if c.cell_type == "code" and "alt" in c.metadata.get("mystnb", {}).get("image", {})}
        if alts:
            found[md.stem] = alts
    return found


def test_student_notebooks_carry_the_alt_text():
    import nbformat

    alts = _chapter_alts()
    assert alts, "no chapter sets alt text"
    carried, problems = 0, []
    for chapter, by_source in alts.items():
        path = ROOT / "notebooks" / f"{chapter}.ipynb"
        if not path.exists():
            continue
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and cell.source in by_source:
                got = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
                if got != by_source[cell.source]:
                    problems.append(f"{path.name}: a figure cell lost its alt text "
                                    f"({cell.source.splitlines()[0][:50]!r})")
                carried += 1
    assert carried > 0, "no figure cell of the chapters is in the student notebooks"
    assert not problems, ("regenerate the notebooks (tools/make_notebooks.py):\n  "
                          + "\n  ".join(problems))


def test_chapters_have_math_for_the_assistive_mathml_check(toc):
    """test_browser.test_page_loads_cleanly_and_is_accessible checks assistive MathML on pages with formulas: there are some."""
    assert any("$$" in (BOOK / f"{p}.md").read_text() for p in toc), "no chapter has display math"
