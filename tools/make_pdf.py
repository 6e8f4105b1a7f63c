"""The whole book as one PDF, offline: Jupyter Book's single-page HTML, printed by Chromium.

    python tools/make_pdf.py [--path-output DIR] [--no-build] [-o FILE]

1. ``jupyter-book build book --builder singlehtml --path-output DIR`` (DIR defaults to
   ``book``, so the single page is ``book/_build/singlehtml/index.html``). It shares the
   execution cache with ``make book``: after a site build nothing executes again.
2. Debian's Chromium (driven by Playwright) opens that page from a local server, waits
   until MathJax has typeset every formula and every image has loaded, and prints it
   with ``page.pdf`` as a tagged PDF (figures keep their alt text, headings become the
   PDF's outline) to ``DIR/_build/pdf/book.pdf``.

The solutions are left out of the PDF: the printed book is for working through the
exercises on paper, and each solution is one click away on the site (and in the
chapter source). Everything else is there: text, typeset math, code and its outputs,
figures, the exercises and their self-check cells.

Nothing is downloaded: MathJax is served from the book's own ``_static`` folder and any
request to another origin is refused (and reported as an error).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
from bookkit import CHROMIUM, CHROMIUM_ARGS, jupyter_book_cmd, serve

# Print styles added to the page before printing (the site itself is unchanged).
PRINT_CSS = """
.solution { display: none !important; }            /* solutions: left out, see above */
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article,
.prev-next-area, .bd-footer, .bd-footer-article, .bd-footer-content,
.launch-buttons, .dropdown-launch-buttons, .headerbtn, .copybtn,
#pst-back-to-top, .skip-link { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.bd-container, .bd-page-width, .bd-main { max-width: 100% !important; }
div.cell_output img { background: #fff !important; filter: none !important; }
pre, div.highlight { white-space: pre-wrap !important; word-break: break-word; }
section { break-inside: auto; }
img, figure, .cell_output { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
span[id^="document-"] + section { break-before: page; }   /* each chapter on a new page */
"""


def build_singlehtml(path_output: Path) -> Path:
    cmd = [*jupyter_book_cmd(), "build", str(BOOK), "--builder", "singlehtml",
           "--path-output", str(path_output)]
    proc = subprocess.run(cmd, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"make_pdf: the single-page build failed (exit {proc.returncode}): {' '.join(cmd)}")
    return path_output / "_build" / "singlehtml"


def print_pdf(site_dir: Path, out: Path, timeout_ms: int = 120_000) -> dict:
    """Print ``site_dir/index.html`` to ``out``; return what was on the page."""
    from playwright.sync_api import sync_playwright

    index = site_dir / "index.html"
    if not index.is_file():
        raise SystemExit(f"make_pdf: no {index}; build it first (drop --no-build)")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"make_pdf: no Chromium at {CHROMIUM}: install Debian's `chromium` package")
    foreign, errors = [], []
    with serve(site_dir) as base:
        def route(r):
            url = r.request.url
            if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
                r.continue_()
            else:
                foreign.append(url)
                r.abort()

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(color_scheme="light")
            context.route("**/*", route)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "index.html", wait_until="networkidle", timeout=timeout_ms)
            page.wait_for_function("() => !document.querySelector('.math') || "
                                   "(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                                   timeout=timeout_ms)
            page.evaluate("async () => { if (window.MathJax && MathJax.startup) "
                          "await MathJax.startup.promise; }")
            page.add_style_tag(content=PRINT_CSS)
            info = page.evaluate("""async () => {
                const imgs = [...document.images];
                imgs.forEach(i => { i.loading = 'eager'; });
                await Promise.all(imgs.map(i => i.decode().catch(() => null)));
                const shown = imgs.filter(i => i.closest('.solution') === null);
                return {
                  math: document.querySelectorAll('.math').length,
                  typeset: document.querySelectorAll('.math mjx-container').length,
                  tex_errors: document.querySelectorAll('mjx-merror').length,
                  images: shown.length,
                  broken: shown.filter(i => !(i.complete && i.naturalWidth > 0))
                               .map(i => i.getAttribute('src')),
                  chapters: [...document.querySelectorAll('main h1, span[id^="document-"] + section > h2')]
                            .map(h => h.textContent.replace('#', '').trim()),
                };
            }""")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.emulate_media(media="print")
            page.pdf(path=str(out), format="A4", print_background=True, tagged=True, outline=True,
                     margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
            browser.close()
    problems = [f"request to another origin refused: {u}" for u in foreign]
    problems += [f"page error: {e}" for e in errors]
    problems += [f"image did not load: {s}" for s in info["broken"]]
    if info["typeset"] < info["math"] or info["tex_errors"]:
        problems.append(f"math: {info['typeset']} of {info['math']} formulas typeset, "
                        f"{info['tex_errors']} TeX errors")
    if problems:
        raise SystemExit("make_pdf: the page is not ready to print:\n  " + "\n  ".join(problems))
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--path-output", type=Path, default=BOOK,
                    help="folder holding _build (default: book, as `make book` uses)")
    ap.add_argument("--no-build", action="store_true", help="print an existing singlehtml build")
    ap.add_argument("-o", "--output", type=Path, help="the PDF (default: <path-output>/_build/pdf/book.pdf)")
    args = ap.parse_args(argv)
    out_dir = args.path_output.resolve()
    pdf = (args.output or out_dir / "_build" / "pdf" / "book.pdf").resolve()
    t0 = time.perf_counter()
    site = out_dir / "_build" / "singlehtml"
    if not args.no_build:
        site = build_singlehtml(out_dir)
    t1 = time.perf_counter()
    info = print_pdf(site, pdf)
    t2 = time.perf_counter()
    print(f"make_pdf: {pdf} ({pdf.stat().st_size / 2**20:.1f} MiB): {len(info['chapters'])} chapters, "
          f"{info['images']} images, {info['typeset']} formulas; "
          f"single-page build {t1 - t0:.0f} s, printing {t2 - t1:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
