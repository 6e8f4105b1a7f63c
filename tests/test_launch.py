"""The site's launch buttons: Colab and Binder open the student notebook on the
repository's branch, and the page's .ipynb download is that same notebook.

Uses the session's clean strict build (``built_html`` in conftest.py).
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"

from course.book import book_config, notebook_pages, repository  # noqa: E402

CONFIG = book_config(BOOK)


def expected_launch_urls(doc):
    url, branch, _ = repository(CONFIG)
    org, repo = re.match(r"https://github\.com/([^/]+)/([^/]+)", url).groups()
    buttons = CONFIG.get("launch_buttons", {})
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[buttons.get("notebook_interface", "classic")]
    path = f"notebooks/{doc}.ipynb"
    return {
        "colab": f"{buttons['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}/{path}",
        "binder": f"{buttons['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}"
                  f"?urlpath={ui}/{path}",
    }


@pytest.mark.book
@pytest.mark.parametrize("doc", notebook_pages(BOOK))
def test_launch_buttons_open_the_student_notebook(built_html, doc):
    page = (built_html / f"{doc}.html").read_text()
    links = set(re.findall(r'href="(https://[^"]+)"', page))
    for where, want in expected_launch_urls(doc).items():
        found = sorted(l.replace("&amp;", "&") for l in links
                       if ("colab." if where == "colab" else "binder") in l)
        assert found == [want], f"{doc}.html: {where} button links {found}, expected {want}"
    assert (NOTEBOOKS / f"{doc}.ipynb").is_file()
    # The download menu's .ipynb is the same student notebook, published with the site.
    assert f'href="_notebooks/{doc}.ipynb"' in page, f"{doc}.html: no student .ipynb download"
    assert f'_sources/{doc}.ipynb"' not in page, f"{doc}.html still offers the executed notebook"
    published = built_html / "_notebooks" / f"{doc}.ipynb"
    assert published.read_bytes() == (NOTEBOOKS / f"{doc}.ipynb").read_bytes()
