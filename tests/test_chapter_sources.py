"""The chapters' sources: listed, tagged as documented, configured strict and offline.

These read ``book/`` only; nothing is built or executed.
"""

from __future__ import annotations

import re

import pytest
import yaml

from course.book import BOOK, ROOT, source_notebook, toc_pages

ALLOWED_TAGS = {"hide-input", "hide-output", "hide-cell", "remove-input", "remove-output",
                "remove-cell", "raises-exception"}


def test_toc_pages_exist():
    pages = toc_pages()
    assert pages[0] == "intro" and len(pages) == len(set(pages)), pages
    missing = [p for p in pages if not (BOOK / f"{p}.md").exists() and not (BOOK / f"{p}.ipynb").exists()]
    assert not missing, f"pages listed in _toc.yml without a source file: {missing}"


def test_allowed_tags_match_contributing():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    sentence = re.search(r"^Cell tags: only(.*?)\(a test rejects", text, re.M | re.S)
    assert sentence, "CONTRIBUTING.md no longer lists the cell tags ('Cell tags: only ...')"
    documented = set(re.findall(r"`([a-z-]+)`", sentence.group(1)))
    assert documented == ALLOWED_TAGS, (
        f"CONTRIBUTING.md documents {sorted(documented)}; this test allows {sorted(ALLOWED_TAGS)}")


@pytest.mark.parametrize("page", toc_pages())
def test_cell_tags_are_documented(page):
    nb = source_notebook(page)
    bad = [(i, tag) for i, cell in enumerate(nb.cells)
           for tag in cell.get("metadata", {}).get("tags", []) if tag not in ALLOWED_TAGS]
    assert not bad, (f"{page}: cell tags not in the documented set {sorted(ALLOWED_TAGS)} "
                     f"(CONTRIBUTING.md): " + ", ".join(f"cell {i}: {t!r}" for i, t in bad))


def test_config_is_strict_and_offline():
    cfg = yaml.safe_load((BOOK / "_config.yml").read_text())
    ex = cfg["execute"]
    assert ex["execute_notebooks"] == "cache"
    assert ex["allow_errors"] is False
    assert ex["stderr_output"] in {"error", "severe"}
    sphinx = cfg["sphinx"]
    assert "libcache" in sphinx["local_extensions"]
    assert "sphinx-mathjax-offline" in sphinx["extra_extensions"]
    assert sphinx["config"].get("nb_ipywidgets_js") == {}, "myst-nb would load require.js from a CDN"


EMOJI = re.compile("[\u23e9-\u23fa\U0001f000-\U0001faff]")


@pytest.mark.parametrize("page", toc_pages())
def test_no_emoji_in_chapters(page):
    """Emoji (the old timing marker among them) show as empty boxes in a browser without
    an emoji font; timings start with the plain-text "Timing: " instead."""
    text = (BOOK / f"{page}.md").read_text(encoding="utf-8")
    bad = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)
           if EMOJI.search(line)]
    assert not bad, f"{page}.md has emoji on lines {bad[:5]}"
