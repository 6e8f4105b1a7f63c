"""The built site in a real browser: Playwright driving Debian's Chromium.

The site is served on 127.0.0.1 (a free port, a thread-based http.server) and every
page in ``_toc.yml`` is opened. Requests to any other origin are blocked and reported.
Every page is visited once in the light and once in the dark theme, and every check of
a page runs on that visit (loading a page and typesetting its formulas costs more than
most checks); ``mode-light.png`` /
``mode-dark.png`` in ``<build>/screenshots/`` show one chapter's figure in both themes
after switching with the theme's own button. (Full-page screenshots of every page, for
reading: ``make screenshots``.)
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from course.book import BOOK, toc_pages  # (the `site` and `browser` fixtures live in conftest.py)
from browsing import (Visit, assistive_mathml_kept, axe_problems, broken_images,
                      open_all_solutions, solutions_toggle_from_keyboard,
                      solutions_toggle_on_click, wait_for_math)

pytestmark = [pytest.mark.book, pytest.mark.browser]

@pytest.fixture(scope="session")
def screenshots(book_build) -> Path:
    folder = book_build.build / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def visit(browser, site):
    v = Visit(browser, site)
    yield v
    v.close()


def _favicon_and_pdf_problems(page, page_name, built_html) -> list[str]:
    """The page names our favicon, which loads; it links book.pdf exactly when the site has it."""
    problems = []
    icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    if not any(i.endswith("/_static/favicon.svg") for i in icons):
        problems.append(f"no favicon declared (icons: {icons})")
    for icon in icons:
        status = page.evaluate("async u => (await fetch(u)).status", icon)
        if status != 200:
            problems.append(f"favicon {icon}: HTTP {status}")
    links = page.evaluate("[...document.querySelectorAll('a.btn-download-book-pdf-button')]"
                          ".map(a => a.href)")
    if (built_html / "book.pdf").is_file():
        if len(links) != 1 or not links[0].endswith("/book.pdf"):
            problems.append(f"the site has book.pdf, the page links {links}")
        else:
            kind = page.evaluate("async u => (await fetch(u)).headers.get('content-type')", links[0])
            if kind != "application/pdf":
                problems.append(f"{links[0]} is served as {kind}")
    elif links:
        problems.append(f"links {links}, but the site has no book.pdf")
    return problems


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page_name", ["index", *toc_pages()])
def test_page_loads_cleanly_and_is_accessible(browser, site, built_html, page_name, mode):
    """Each page, in the reader's system theme (the site's default follows it): no console
    error, no failed or foreign request, every image and formula shown, our favicon, the
    whole book's PDF linked when the site has it. In the light theme, every solution opens
    and closes with the mouse and with the keyboard (browsing.solutions_toggle_on_click,
    browsing.solutions_toggle_from_keyboard). Then, in both, accessible: assistive MathML
    and axe-core with every solution open. ``index`` is the landing page, which sends the
    reader to the first page (its own console counts too)."""
    visit = Visit(browser, site, color_scheme=mode)
    try:
        page = visit.goto(f"{page_name}.html")
        if page_name == "index":
            first = toc_pages()[0]
            page.wait_for_url(f"**/{first}.html", timeout=10_000)
            page.wait_for_load_state("networkidle")
            page_name = f"index -> {first}"
        assert page.locator("main h1").count() >= 1, f"{page_name}: no title on the page"
        theme = page.evaluate("document.documentElement.dataset.theme")
        assert theme == mode, f"{page_name}: the system asks for {mode}, the page shows {theme!r}"
        math = wait_for_math(page)
        broken = broken_images(page)
        page.wait_for_load_state("networkidle")
        problems = []
        problems += [f"console error: {e}" for e in visit.errors]
        problems += [f"request to another origin (blocked): {u}" for u in visit.foreign]
        problems += [f"failed request: {u}" for u in visit.failed]
        problems += [f"image did not load: {src}" for src in broken]
        problems += _favicon_and_pdf_problems(page, page_name, built_html)
        if math.get("stray"):
            problems.append(f"TeX outside any formula (not typeset): {math['stray'][:3]}")
        if math["math"]:
            if math["errors"]:
                problems.append(f"{math['errors']} formulas have TeX errors")
            if math["typeset"] < math["math"]:
                problems.append(f"only {math['typeset']} of {math['math']} formulas typeset; "
                                f"raw: {math.get('raw')}")
        assert not problems, f"{page_name} ({mode}):\n  " + "\n  ".join(problems)
        # Accessibility, on the same visit: assistive MathML for every formula, and no
        # serious axe-core violation with every solution opened (their content counts).
        if math["math"]:
            assistive_mathml_kept(page, page_name)
        if mode == "light" and not page_name.startswith("index"):
            expected = solutions_in_source(page_name)
            clicked = solutions_toggle_on_click(page, page_name)
            walked = solutions_toggle_from_keyboard(page, page_name)
            assert clicked == walked == expected, (
                f"{page_name}: {expected} solutions in the source, {clicked} on the page, "
                f"{walked} reached with Tab")
            problems = [f"console error: {e}" for e in visit.errors]
            problems += [f"request to another origin (blocked): {u}" for u in visit.foreign]
            assert not problems, f"{page_name}, toggling solutions:\n  " + "\n  ".join(problems)
        open_all_solutions(page)
        page.wait_for_timeout(200)
        # Checked after the page's own requests: axe-core's CSS preloader resolves
        # theme.css's `@import "../basic.css"` against the page, not the stylesheet, and
        # its own request for /basic.css then fails (an axe bug, not the site's).
        bad = axe_problems(page)
        assert not bad, f"{page_name} ({mode}): axe-core found\n  " + "\n  ".join(bad)
    finally:
        visit.close()


SOLUTION_START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}", re.M)


def solutions_in_source(page_name: str) -> int:
    """How many solutions the chapter's source has (each becomes a dropdown on the page)."""
    return len(SOLUTION_START.findall((BOOK / f"{page_name}.md").read_text()))


def test_the_book_has_solutions_to_toggle(toc):
    """The toggle checks of the page visits are not vacuous: chapters have solutions."""
    assert sum(solutions_in_source(p) for p in toc) > 0, "no solutions in the book yet"


def _theme(page) -> dict:
    return page.evaluate("""() => ({theme: document.documentElement.dataset.theme,
                                    mode: document.documentElement.dataset.mode,
                                    stored: localStorage.getItem('mode')})""")


def test_theme_switch_works_and_is_remembered(visit, screenshots):
    """The theme's own button turns the page dark; a reload keeps it; figures stay on white."""
    page = visit.goto("mlp.html")
    assert _theme(page)["theme"] == "light"
    figure = page.locator("div.cell_output img").first
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "mode-light.png"))
    switch = page.locator(".theme-switch-button").first
    for _ in range(3):  # the button cycles through the modes
        if _theme(page)["theme"] == "dark":
            break
        switch.click()
    assert _theme(page)["theme"] == "dark", f"the theme switch never turned the page dark: {_theme(page)}"
    assert _theme(page)["stored"] == "dark", f"the choice was not saved: {_theme(page)}"
    page.reload()
    page.wait_for_load_state("networkidle")
    assert _theme(page)["theme"] == "dark", f"the choice was not remembered: {_theme(page)}"
    figure = page.locator("div.cell_output img").first
    figure.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "mode-dark.png"))
    style = figure.evaluate("i => { const s = getComputedStyle(i); "
                            "return [s.backgroundColor, s.filter]; }")
    assert style == ["rgb(255, 255, 255)", "none"], f"a figure in dark mode is drawn on {style}"
    page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert page_bg != "rgb(255, 255, 255)", f"the dark page is white: {page_bg}"
    for _ in range(3):
        if _theme(page)["theme"] == "light":
            break
        page.locator(".theme-switch-button").first.click()
    assert _theme(page)["theme"] == "light", "could not switch back to light"
    assert not visit.errors, visit.errors
    assert not visit.foreign, visit.foreign


STOPWORDS = {"this", "that", "with", "from", "chapter", "being", "written", "their", "which"}


def _search_word(built_html: Path, page_name: str) -> str:
    """A word from the chapter's title (else its text) that Sphinx's search will index."""
    from bs4 import BeautifulSoup

    s = BeautifulSoup((built_html / f"{page_name}.html").read_text(), "html.parser")
    title = s.select_one("main h1")
    text = title.get_text(" ") if title else ""
    words = [w for w in re.findall(r"[A-Za-z]{4,}", text) if w.lower() not in STOPWORDS]
    if not words:
        body = s.select_one("main").get_text(" ")
        words = [w for w in re.findall(r"[A-Za-z]{5,}", body) if w.lower() not in STOPWORDS]
    assert words, f"{page_name}: no word to search for"
    return max(words, key=len)


@pytest.fixture
def visit_untypeset(browser, site):
    """A visit that does not typeset formulas (browsing.Visit: typeset=False)."""
    v = Visit(browser, site, typeset=False)
    yield v
    v.close()


def test_search_finds_every_chapter(visit_untypeset, built_html, toc):
    visit = visit_untypeset
    missing = []
    for page_name in toc:
        word = _search_word(built_html, page_name)
        page = visit.goto(f"search.html?q={word}")
        page.wait_for_function(  # the summary line is filled in when the search has finished
            "() => (document.querySelector('#search-results .search-summary') || {}).innerText",
            timeout=20_000)
        hrefs = page.evaluate("[...document.querySelectorAll('#search-results li a')]"
                              ".map(a => a.getAttribute('href'))")
        if not any(urlsplit(h).path.endswith(f"{page_name}.html") for h in hrefs):
            missing.append(f"{page_name} (searched {word!r}, got {hrefs[:5]})")
    assert not missing, "search did not find:\n  " + "\n  ".join(missing)
    assert not visit.errors, visit.errors


def test_navigation_reaches_every_chapter(visit_untypeset, toc):
    visit = visit_untypeset
    page = visit.goto("index.html")  # redirects to the root page
    page.wait_for_url(re.compile(rf"{re.escape(toc[0])}\.html"), timeout=10_000)
    sidebar = page.evaluate("[...document.querySelectorAll('.bd-sidebar-primary a.reference')]"
                            ".map(a => a.getAttribute('href'))")
    in_sidebar = {urlsplit(h).path.removesuffix(".html") for h in sidebar}
    missing = [p for p in toc[1:] if p not in in_sidebar]
    assert not missing, f"the sidebar on {toc[0]} has no link to {missing}"

    visited = [toc[0]]
    for _ in range(len(toc) + 2):
        nxt = page.locator("a.right-next")
        if nxt.count() == 0:
            break
        nxt.first.click()
        page.wait_for_load_state("domcontentloaded")
        visited.append(urlsplit(page.url).path.rsplit("/", 1)[-1].removesuffix(".html"))
    assert visited == toc, f"following 'next' from {toc[0]} visits {visited}, not the toc order {toc}"
    assert not visit.errors, visit.errors
    assert not visit.foreign, visit.foreign
