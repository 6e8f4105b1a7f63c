"""`make pdf`: the whole book as one PDF, checked with pypdf.

The PDF is made by ``tools/make_pdf.py`` from the strict build's folder (the single-page
build reuses its execution cache, so no chapter executes again). It must hold every
chapter's title and every figure of the site that is not inside a solution: Chromium
writes a tagged PDF, where each figure is a ``/Figure`` element carrying its alt text,
so the figures are matched by their descriptions. Solutions are left out on purpose.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from course.book import ROOT

pytestmark = [pytest.mark.book, pytest.mark.browser]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


@pytest.fixture(scope="session")
def book_pdf(book_build, once_per_run):
    """The PDF, made once per test run (the first worker that needs it makes it)."""
    out = book_build.out / "_build" / "pdf" / "book.pdf"
    proc = once_per_run("book-pdf", lambda: subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_pdf.py"), "--path-output",
         str(book_build.out), "-o", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    assert proc.returncode == 0, f"make_pdf failed:\n{proc.stdout[-4000:]}"
    assert out.is_file() and out.stat().st_size > 0, f"no PDF at {out}"
    return out


@pytest.fixture(scope="session")
def pdf_reader(book_pdf):
    try:
        import pypdf
    except ImportError:
        pytest.fail("pypdf is missing: install requirements.txt (`make setup`)")
    return pypdf.PdfReader(str(book_pdf))


@pytest.fixture(scope="session")
def pdf_text(book_pdf, once_per_run):
    """The text of every page, extracted once per test run (pypdf takes seconds of CPU for
    a hundred pages; two tests read it, possibly on two xdist workers)."""
    import pypdf

    return once_per_run("book-pdf-text", lambda: " ".join(
        p.extract_text() or "" for p in pypdf.PdfReader(str(book_pdf)).pages))


def _site_expectations(built_html, toc):
    """Chapter titles, and the alt text of figures outside solutions, from the site."""
    from bs4 import BeautifulSoup

    titles, figures = {}, {}
    for page in toc:
        soup = BeautifulSoup((built_html / f"{page}.html").read_text(), "html.parser")
        h1 = soup.select_one("main h1")
        for a in h1.select("a.headerlink"):
            a.decompose()
        titles[page] = re.sub(r"^[\d.]+\s+", "", _norm(h1.get_text(" ")))
        figures[page] = [_norm(img["alt"]) for img in soup.select("div.cell_output img")
                         if not img.find_parent(class_="solution")]
    return titles, figures


def _figure_alts(reader) -> list[str]:
    """The /Alt text of every /Figure element in the PDF's structure tree."""
    root = reader.trailer["/Root"]
    if "/StructTreeRoot" not in root:
        return []
    alts, stack = [], [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if isinstance(node, list) or hasattr(node, "__iter__") and not hasattr(node, "keys"):
            stack.extend(k.get_object() for k in node)
            continue
        if not hasattr(node, "keys"):
            continue
        if node.get("/S") == "/Figure" and "/Alt" in node:
            alts.append(_norm(str(node["/Alt"])))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            stack.extend(k.get_object() for k in (kids if isinstance(kids, list) else [kids])
                         if hasattr(k, "get_object"))
    return alts


def test_pdf_has_every_chapter_title(pdf_text, built_html, toc):
    text = _norm(pdf_text)
    squeezed = re.sub(r"\s", "", text)  # text extraction may split words ("perceptr ons")
    titles, _ = _site_expectations(built_html, toc)
    missing = [f"{page}: {title!r}" for page, title in titles.items()
               if re.sub(r"\s", "", title) not in squeezed]
    assert not missing, "chapter titles missing from the PDF:\n  " + "\n  ".join(missing)
    assert "Solution to" not in text, "a solution was printed (they are left out of the PDF)"


def test_pdf_has_every_figure(pdf_reader, built_html, toc):
    _, figures = _site_expectations(built_html, toc)
    in_pdf = _figure_alts(pdf_reader)
    assert in_pdf, "the PDF has no tagged figures (was it printed with tagged=True?)"
    missing = []
    for page, alts in figures.items():
        for alt in alts:
            if alt in in_pdf:
                in_pdf.remove(alt)
            else:
                missing.append(f"{page}: {alt[:80]!r}")
    assert not missing, "figures missing from the PDF:\n  " + "\n  ".join(missing)


def test_pdf_has_typeset_math_and_code(pdf_reader, pdf_text, book_build):
    """TeX commands appear in the PDF only where the printed code has them."""
    from bs4 import BeautifulSoup

    text = pdf_text
    single = book_build.build / "singlehtml" / f"{book_build.pages[0]}.html"
    soup = BeautifulSoup(single.read_text(), "html.parser")
    code = " ".join(pre.get_text() for pre in soup.find_all("pre")
                    if not pre.find_parent(class_="solution"))
    raw = {tok: (text.count(tok), code.count(tok))
           for tok in ("\\frac", "\\mathbf", "\\operatorname", "\\sum", "\\hat")}
    untypeset = {tok: f"{n} in the PDF, {m} in its code" for tok, (n, m) in raw.items() if n > m}
    assert not untypeset, f"raw TeX in the PDF outside code (formulas not typeset): {untypeset}"
    assert "lib.Trainer" in text, "no code in the PDF"
    assert len(pdf_reader.pages) > 20, f"only {len(pdf_reader.pages)} pages"
