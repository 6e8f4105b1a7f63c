"""What the browser tests share: a visit that records what goes wrong on a page, and
the page-level checks (math typeset, images loaded, solutions opened, axe-core).

Used by tests/test_browser.py and tests/test_a11y.py (the server and Chromium are the
``site`` and ``browser`` fixtures of conftest.py).
"""
from __future__ import annotations

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


class Visit:
    """A fresh browser page that records console errors and requests leaving the site."""

    def __init__(self, browser, site, color_scheme="light"):
        self.site = site
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
        if url.startswith(self.site) or url.startswith(("data:", "blob:", "about:")):
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
