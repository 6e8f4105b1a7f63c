"""The built site, read as html: every page there, clean outputs, images, folded
solutions, exercise numbers, nothing from another origin, light pages.

Every test here uses the session's clean strict build (``conftest.book_build``).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from course.book import chapter_numbers
from bookkit import page_weight

MAX_PAGE_BYTES = 2 * 1024 * 1024

pytestmark = pytest.mark.book


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_files(html: Path, pages):
    return {p: html / f"{p}.html" for p in pages}


def test_every_page_is_built(built_html, toc):
    missing = [p for p, f in page_files(built_html, toc).items() if not f.exists()]
    assert not missing, f"no html for {missing}"
    assert (built_html / "search.html").exists() and (built_html / "searchindex.js").exists()


def _in_raises_exception_cell(node) -> bool:
    return any("tag_raises-exception" in (p.get("class") or []) for p in node.parents)


def test_no_tracebacks_warnings_or_stderr_on_pages(built_html, toc):
    """Published outputs are clean: no stderr, no traceback (except in raises-exception cells)."""
    warning_text = re.compile(r"\b\w*Warning: |Traceback \(most recent call last\)|^\s*warnings\.warn", re.M)
    problems = []
    for page, path in page_files(built_html, toc).items():
        s = soup(path)
        for out in s.select(".cell_output .output, .cell_output"):
            if _in_raises_exception_cell(out):
                continue
            classes = set(out.get("class") or [])
            if classes & {"stderr", "traceback", "error"}:
                problems.append(f"{page}: a {'/'.join(sorted(classes & {'stderr', 'traceback', 'error'}))} "
                                f"output: {out.get_text()[:200]!r}")
            elif warning_text.search(out.get_text()):
                problems.append(f"{page}: a warning in an output: {out.get_text()[:200]!r}")
        for msg in s.select(".system-message, .problematic"):
            problems.append(f"{page}: a docutils error box: {msg.get_text()[:200]!r}")
    assert not problems, "\n".join(problems)


def test_every_image_exists(built_html, toc):
    missing = []
    for page, path in page_files(built_html, toc).items():
        for img in soup(path).find_all("img"):
            src = img.get("src", "")
            if src.startswith("data:"):
                continue
            target = (path.parent / unquote(urlsplit(src).path)).resolve()
            if urlsplit(src).scheme or not target.is_file() or target.stat().st_size == 0:
                missing.append(f"{page}: {src}")
    assert not missing, "images that do not load from the site:\n" + "\n".join(missing)


def test_solutions_are_dropdowns_and_every_exercise_has_one(built_html, toc):
    problems = []
    for page, path in page_files(built_html, toc).items():
        s = soup(path)
        solutions = s.select("div.solution")
        for sol in solutions:
            classes = sol.get("class") or []
            if "dropdown" not in classes or "hidden" in classes:
                problems.append(f"{page}: solution {sol.get('id')} is not a folded dropdown ({classes})")
        answered = {a.get("href", "").lstrip("#") for sol in solutions
                    for a in sol.select(".admonition-title a")}
        # solutiontoggle.py turns that link into a span that names the exercise
        answered |= {sp.get("data-exercise") for sol in solutions
                     for sp in sol.select(".admonition-title .solution-of")}
        for ex in s.select("div.exercise"):
            if ex.get("id") not in answered:
                problems.append(f"{page}: exercise {ex.get('id')} has no solution")
    assert not problems, "\n".join(problems)


def test_exercises_are_numbered_within_their_chapter(built_html, toc):
    """Chapter k's exercises are "Exercise k.1", "Exercise k.2", ... (numbered parts in
    _toc.yml, Sphinx's numfig_secnum_depth 1); the root page's are 1, 2, ...; an
    unnumbered page (the notation page) has none."""
    numbers = chapter_numbers()
    problems = []
    for page, path in page_files(built_html, toc).items():
        number = numbers.get(page)
        titles = [t.get_text(" ", strip=True)
                  for t in soup(path).select("div.exercise .admonition-title")]
        found = [re.match(r"Exercise (\S+)", t).group(1) if re.match(r"Exercise (\S+)", t)
                 else t for t in titles]
        want = [f"{number}.{n}" if number else str(n) for n in range(1, len(found) + 1)]
        if found != want:
            problems.append(f"{page}: exercises numbered {found}, expected {want}")
    assert not problems, "\n".join(problems)


RESOURCE_ATTRS = {"script": "src", "img": "src", "iframe": "src", "source": "src",
                  "video": "src", "audio": "src", "embed": "src", "object": "data"}


def test_no_resource_from_another_origin(built_html):
    """Scripts, styles, fonts and images all come from the site itself."""
    remote = re.compile(r"^(https?:)?//", re.I)
    problems = []
    for path in sorted(built_html.glob("*.html")):
        s = soup(path)
        for tag, attr in RESOURCE_ATTRS.items():
            for el in s.find_all(tag):
                if remote.match(el.get(attr, "")):
                    problems.append(f"{path.name}: <{tag} {attr}={el[attr]}>")
        for link in s.find_all("link"):
            rel = set(link.get("rel") or [])
            if rel & {"stylesheet", "preload", "icon", "modulepreload", "prefetch"} and \
                    remote.match(link.get("href", "")):
                problems.append(f"{path.name}: <link rel={sorted(rel)} href={link['href']}>")
        for style in s.find_all("style"):
            for url in re.findall(r"url\(['\"]?((?:https?:)?//[^)'\"]+)", style.get_text()):
                problems.append(f"{path.name}: inline style loads {url}")
    for css in built_html.glob("_static/**/*.css"):
        for url in re.findall(r"url\(['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(errors="ignore")):
            problems.append(f"{css.relative_to(built_html)}: loads {url}")
    for css in built_html.glob("_static/**/*.css"):
        for imp in re.findall(r"@import\s+(?:url\()?['\"]?((?:https?:)?//[^)'\";]+)", css.read_text(errors="ignore")):
            problems.append(f"{css.relative_to(built_html)}: imports {imp}")
    assert not problems, "resources from another origin:\n" + "\n".join(sorted(set(problems)))


def test_pages_are_light(built_html, toc, capsys):
    weights = {p: page_weight(f) for p, f in page_files(built_html, toc).items()}
    with capsys.disabled():
        print("\npage weight (html / html + images), heaviest first:")
        for page, (own, total) in sorted(weights.items(), key=lambda kv: -kv[1][1]):
            print(f"  {page:24s} {own / 1024:8.0f} KiB  {total / 1024:8.0f} KiB")
    heavy = {p: t for p, (_, t) in weights.items() if t > MAX_PAGE_BYTES}
    assert not heavy, (f"pages over {MAX_PAGE_BYTES / 2**20:.0f} MB with their images: "
                       + ", ".join(f"{p} ({t / 2**20:.2f} MB)" for p, t in heavy.items()))
