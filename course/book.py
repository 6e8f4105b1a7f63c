"""The book as the course reads it: where it is, its pages in reading order, which of them
are notebooks, the chapters' numbers as the site shows them, a chapter's source as a
notebook, and what book/_config.yml says about the repository the notebooks install from.

One definition each, for the notebook generator, the grader, the tests and the tools.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]  # the repository (course/ sits at its top)
BOOK = ROOT / "book"
# The jupytext front matter that makes a .md file a MyST notebook (every chapter starts so).
MYST_HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
def _docname(file) -> str:
    """A _toc.yml `file` entry as a docname: without its .md/.ipynb suffix."""
    name = str(file)
    for suffix in (".md", ".ipynb"):
        name = name.removesuffix(suffix)
    return name


def toc_pages(book: Path = BOOK) -> list[str]:
    """The docnames listed in ``_toc.yml`` (no .md/.ipynb suffix), root first, in reading order."""
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    pages = []

    def add(name):
        name = _docname(name)
        if name not in pages:
            pages.append(name)

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                add(node["file"])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key) or [])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    add(toc["root"])
    walk({k: v for k, v in toc.items() if k != "root"})
    return pages


def is_notebook_page(page: str, book: Path = BOOK) -> bool:
    """Whether a page executes as a notebook: an .ipynb, or MyST with a kernelspec in its
    front matter. Plain Markdown pages (the notation page) have no code and no student
    notebook."""
    path = book / f"{page}.md"
    if not path.exists():
        return (book / f"{page}.ipynb").exists()
    text = path.read_text(encoding="utf-8")
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return bool(front and re.search(r"^kernelspec:", front.group(1), re.M))


def notebook_pages(book: Path = BOOK) -> list[str]:
    """The pages of ``_toc.yml`` that are notebooks (each has a student notebook), in order."""
    return [p for p in toc_pages(book) if is_notebook_page(p, book)]


def source_notebook(page: str, book: Path = BOOK):
    """A chapter's source as a notebook, read the way myst-nb reads it for the build."""
    path = book / f"{page}.md"
    if path.exists():
        from myst_nb.core.read import read_myst_markdown_notebook

        return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    import nbformat

    return nbformat.read(book / f"{page}.ipynb", as_version=4)


def chapter_numbers(book=BOOK):
    """docname -> its chapter number on the site, for the numbered chapters of _toc.yml.

    The site numbers the chapters of numbered parts in reading order, across parts
    (Sphinx then numbers exercises within each chapter: "Exercise 4.2"); the root page
    has no number.
    """
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    numbers, n = {}, 0
    default = bool((toc.get("options") or {}).get("numbered")) and not toc.get("parts")
    for part in toc.get("parts") or [{"chapters": toc.get("chapters") or [],
                                       "numbered": default}]:
        for chapter in part.get("chapters") or []:
            if part.get("numbered") and "file" in chapter:
                n += 1
                numbers[_docname(chapter["file"])] = n
    return numbers


def book_config(book=BOOK):
    return yaml.safe_load((book / "_config.yml").read_text()) or {}


def repository(config):
    """(https URL of the repository, branch, path of the book inside it)."""
    repo = config.get("repository", {}) or {}
    url = str(repo.get("url", "")).rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    return url, str(repo.get("branch") or "main"), str(repo.get("path_to_book") or "book").strip("/")


def install_spec(config):
    """The pip requirement that installs lib from the repository."""
    url, branch, _ = repository(config)
    return f"dlf-lib @ git+{url}@{branch}"
