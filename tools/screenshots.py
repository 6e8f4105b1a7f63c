"""`make screenshots`: a full-page screenshot of every page of the built site, light and dark.

For reading what readers see (plots, math, folded solutions) without opening a browser:
book/_build/screenshots/<page>.png and <page>-dark.png, from book/_build/html, in the
headless Chromium that the browser tests use. The tests check the pages; this only
takes the pictures.

Usage: python tools/screenshots.py [--html DIR] [--out DIR]
"""
import argparse
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bookkit import BOOK, toc_pages  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=BOOK / "_build" / "html")
    parser.add_argument("--out", type=Path, default=BOOK / "_build" / "screenshots")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").is_file():
        sys.exit(f"no built site in {args.html}: run `make book` first")
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    handler = functools.partial(_QuietHandler, directory=str(args.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_port}/"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
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
    server.shutdown()


if __name__ == "__main__":
    main()
