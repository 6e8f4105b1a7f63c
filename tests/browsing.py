"""What the browser tests share: a visit that records what goes wrong on a page, and
the page-level checks (math typeset, images loaded, solutions toggled by mouse and by
keyboard, solutions opened, axe-core), run one after the other on one visit of the page.

Used by tests/test_browser.py and tests/test_a11y.py (the server and Chromium are the
``site`` and ``browser`` fixtures of conftest.py).
"""
from __future__ import annotations

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


MATHJAX = "/_static/mathjax/tex-chtml.js"   # sphinx-mathjax-offline's copy, on every page


class Visit:
    """A fresh browser page that records console errors and requests leaving the site.

    ``typeset=False`` serves MathJax as an empty script, for the tests that only follow
    links or search: typesetting a chapter's formulas is most of what loading it costs,
    and the page visits check that every formula is typeset."""

    def __init__(self, browser, site, color_scheme="light", typeset=True):
        self.site = site
        self.typeset = typeset
        self.context = browser.new_context(viewport={"width": 1280, "height": 900},
                                           color_scheme=color_scheme)
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("requestfailed",
                     lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response",
                     lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))

    def _route(self, route):
        url = route.request.url
        if not self.typeset and url.startswith(self.site) and url.split("?")[0].endswith(MATHJAX):
            route.fulfill(status=200, content_type="text/javascript", body="")
        elif url.startswith(self.site) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def _console(self, msg):
        if msg.type == "error":
            self.errors.append(f"console: {msg.text} @ {msg.location.get('url', '')}")

    def goto(self, path: str):
        self.page.goto(self.site + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self):
        self.context.close()


def wait_for_math(page) -> dict:
    """Wait for MathJax to finish; count math spans, typeset formulas and TeX errors."""
    n_math = page.locator(".math").count()
    if n_math == 0:
        return {"math": 0, "typeset": 0, "errors": 0}
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=20_000)
    page.evaluate("() => MathJax.startup.promise")
    return page.evaluate("""() => ({
        math: document.querySelectorAll('.math').length,
        typeset: document.querySelectorAll('.math mjx-container, mjx-container.MathJax').length,
        errors: document.querySelectorAll('mjx-merror, .MathJax_Error').length,
        raw: [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container'))
             .map(e => e.textContent.slice(0, 60)),
        // TeX that never became a .math span (e.g. a formula broken by a list marker)
        stray: (() => {
            const main = document.querySelector('main').cloneNode(true);
            main.querySelectorAll('pre, code, mjx-container, script, .math').forEach(e => e.remove());
            return (main.textContent.match(/.{0,30}\\\\(frac|mathbf|operatorname|hat|sum|mathrm)\\b.{0,30}/g) || []);
        })(),
    })""")


def broken_images(page) -> list[str]:
    """Force every image to load (even lazy ones) and list those that fail."""
    return page.evaluate("""async () => {
        const imgs = [...document.images];
        imgs.forEach(i => { i.loading = 'eager'; });
        await Promise.all(imgs.map(i => i.decode().catch(() => null)));
        return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
    }""")


def open_all_solutions(page) -> int:
    return page.evaluate("""() => {
        const buttons = [...document.querySelectorAll('.admonition.toggle.toggle-hidden button.toggle-button')];
        buttons.forEach(b => b.click());
        return buttons.length;
    }""")


def assistive_mathml_kept(page, page_name):
    """MathJax keeps its assistive MathML (what screen readers read) for every formula."""
    counts = page.evaluate("""() => ({
        containers: document.querySelectorAll('mjx-container').length,
        assistive: document.querySelectorAll('mjx-container mjx-assistive-mml math').length,
        setting: MathJax.startup.document.options.enableAssistiveMml !== false
                 && !!(MathJax.startup.document.menu ? MathJax.startup.document.menu.settings.assistiveMml : true),
    })""")
    assert counts["containers"] > 0, f"{page_name}: no typeset math"
    assert counts["assistive"] == counts["containers"], (
        f"{page_name}: {counts['assistive']} of {counts['containers']} formulas have "
        f"assistive MathML")
    assert counts["setting"], f"{page_name}: assistive MathML is switched off"


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical violations of WCAG 2.0/2.1 A and AA on the page."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]}).response
    assert result.get("testEngine", {}).get("version"), "axe-core did not run"
    lines = []
    for v in result["violations"]:
        if v.get("impact") not in BLOCKING:
            continue
        lines.append(f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}")
    return lines


def _solution_state(sol) -> tuple[bool, str]:
    body = sol.locator("#solution-content, section").first
    return body.is_visible(), sol.locator("button.toggle-button").get_attribute("aria-expanded")


def solutions_toggle_on_click(page, page_name) -> int:
    """Every solution of the page starts closed and opens and closes on a click on the
    words of its title (once a link to the exercise), its start, and its button, without
    moving the page. Leaves them closed; returns how many were checked."""
    solutions = page.locator("div.solution.dropdown")
    for i in range(solutions.count()):
        sol = solutions.nth(i)
        where = f"{page_name}: solution {sol.get_attribute('id')}"
        body = sol.locator("#solution-content, section").first
        assert body.count() == 1, f"{where} has no content"
        assert _solution_state(sol) == (False, "false"), f"{where} is open on load"
        title = sol.locator(".admonition-title")
        title.scroll_into_view_if_needed()
        words = title.locator(".solution-of")
        assert words.count() == 1, f"{where}: no 'Exercise N (...)' words in the title"
        assert title.locator("a[href]").count() == 0, f"{where}: the title is still a link"
        clicks = [("the words 'Exercise N (...)'", lambda: words.click()),
                  ("the start of the title", lambda: title.click(position={"x": 12, "y": 12})),
                  ("the button", lambda: sol.locator("button.toggle-button").click()),
                  ("the button", lambda: sol.locator("button.toggle-button").click())]
        for n, (what, click) in enumerate(clicks):
            before = page.evaluate("[window.scrollY, location.hash]")
            click()
            want = n % 2 == 0
            body.wait_for(state="visible" if want else "hidden", timeout=5_000)
            assert _solution_state(sol) == (want, str(want).lower()), (
                f"{where}: a click on {what} did not {'open' if want else 'close'} it "
                f"(or aria-expanded is wrong)")
            after = page.evaluate("[window.scrollY, location.hash]")
            assert after == before, f"{where}: a click on {what} moved the page {before} -> {after}"
    return solutions.count()


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const s = getComputedStyle(el);
        const sol = el.closest('.solution');
        return {tag: el.tagName, cls: el.className && el.className.baseVal === undefined ? el.className : '',
                solution: sol ? sol.id : null,
                expanded: el.getAttribute('aria-expanded'), label: el.getAttribute('aria-label'),
                outline: [s.outlineStyle, parseFloat(s.outlineWidth)]};
    }""")


def solutions_toggle_from_keyboard(page, page_name) -> int:
    """Tab from the top of the article: it reaches every solution's button, in order,
    which shows a focus ring, is labelled and announced as collapsed, and Enter and Space
    toggle it, with ``aria-expanded`` following. Returns how many were reached."""
    ids = page.evaluate("[...document.querySelectorAll('div.solution.dropdown')].map(s => s.id)")
    if not ids:
        return 0
    page.locator("article p:visible").first.click()  # start the Tab walk in the article
    reached = []
    for _ in range(600):
        page.keyboard.press("Tab")
        f = _focused(page)
        if f["solution"] and f["solution"] not in reached:
            reached.append(f["solution"])
            where = f"{page_name}: solution {f['solution']}"
            assert "toggle-button" in f["cls"], f"{where}: Tab stops on {f['tag']} {f['cls']}"
            assert f["outline"][0] != "none" and f["outline"][1] >= 2, (
                f"{where}: no visible focus ring ({f['outline']})")
            assert f["label"] and "Solution" in f["label"], f"{where}: button label {f['label']!r}"
            assert f["expanded"] == "false", f"{where}: not announced as collapsed"
            body = page.locator(f"#{f['solution']} #solution-content, #{f['solution']} section").first
            for key, want in (("Enter", True), ("Enter", False), (" ", True), (" ", False)):
                page.keyboard.press(key)
                body.wait_for(state="visible" if want else "hidden", timeout=5_000)
                assert _focused(page)["expanded"] == str(want).lower(), (
                    f"{where}: aria-expanded does not follow {key!r}")
        if len(reached) == len(ids):
            break
    assert reached == ids, f"{page_name}: Tab reached solutions {reached}, expected {ids}"
    return len(reached)
