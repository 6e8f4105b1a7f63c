"""`make screenshots`: a full-page screenshot of every page of the built site, light and dark.

For reading what readers see (plots, math, folded solutions) without opening a browser:
book/_build/screenshots/<page>.png and <page>-dark.png, from book/_build/html, in the
headless Chromium that the browser tests use. The tests check the pages; this only
takes the pictures.

Usage: python tools/screenshots.py [--html DIR] [--out DIR]
"""
import argparse
import sys
from pathlib import Path

from course.book import BOOK, toc_pages
from bookkit import CHROMIUM, CHROMIUM_ARGS, serve


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=BOOK / "_build" / "html")
    parser.add_argument("--out", type=Path, default=BOOK / "_build" / "screenshots")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").is_file():
        sys.exit(f"no built site in {args.html}: run `make book` first")
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package (make browser)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with serve(args.html) as site, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for mode in ("light", "dark"):
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          color_scheme=mode)
            page = context.new_page()
            for name in toc_pages():
                page.goto(f"{site}{name}.html")
                page.wait_for_load_state("networkidle")
                page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                path = args.out / (f"{name}.png" if mode == "light" else f"{name}-{mode}.png")
                page.screenshot(path=str(path), full_page=True)
                print(path)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
