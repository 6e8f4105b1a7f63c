"""Generate the student notebooks, notebooks/<chapter>.ipynb, from the chapters.

One source, three products (docs/architecture.md): the site shows each exercise with its folded
solution; the student notebook made here keeps the exercise and its check but not the
solution. For every page listed in book/_toc.yml this script

- reads the MyST chapter with jupytext;
- turns each ``{exercise}`` into plain Markdown ("**Exercise 4.2: title**" and its text,
  numbered within its chapter as the site numbers it);
- replaces each solution (``{solution-start}`` ... ``{solution-end}``, or ``{solution}``):
  its code cells become one stub cell that keeps the signature and docstring of each
  top-level ``def``/``class`` the exercise asks for (named in its statement or passed
  to its check; a class keeps its methods' signatures and docstrings) and raises
  ``NotImplementedError``; the solution's other helpers, demos and prose are dropped
  (a solution with code but nothing asked for gives an empty code cell); an exercise
  that asks a question in words, or has no code, gets an empty Markdown answer cell;
- keeps every other code cell (check cells included), without outputs, except the
  book-only ones (tagged ``remove-cell``: they glue values and assert what the text
  says of them);
- writes each glued value (``{glue:text}`key:.3f```) into the text as the last build of
  the book computed it (course/glue.py): build the book first;
- rewrites MyST-only Markdown that Jupyter and Colab cannot render (labels, roles such as
  ``{cite:p}``, ``{bibliography}``, ``{literalinclude}``, admonitions, figures, ...);
- puts first a set-up cell that installs ``lib`` from the repository and branch named
  in book/_config.yml wherever the course library is not importable (Colab, Binder,
  Kaggle, a local Jupyter), stops "Run all" with what to run when that fails, and then
  calls ``lib.checks.keep_going()`` so that "Run all" goes through every cell (a failing
  check prints why instead of raising); and last a cell that calls ``lib.checks.summary()``.

The output is deterministic: running it again changes nothing.

This file is the command line. The work is done in the course package (course/, one job
per module, listed in its __init__.py): course/notebook.py assembles a chapter's notebook
from the walk over its cells in course/myst.py (which the grader shares), with
markdown.py for the prose, stubs.py for the solutions and bibliography.py for the
citations.

Usage:
    python tools/make_notebooks.py              # (re)write notebooks/ (after `make book`)
    python tools/make_notebooks.py --out DIR    # write somewhere else
    python tools/make_notebooks.py --check      # exit 1 if notebooks/ is out of date
"""
import argparse
import sys
from pathlib import Path

import nbformat

from course.bibliography import load_bib
from course.book import BOOK, ROOT, book_config, chapter_numbers, notebook_pages
from course.markdown import label_titles
from course.notebook import StudentNotebook
OUT = ROOT / "notebooks"


def build(book=BOOK, executed=None):
    """{file name: notebook text} for every chapter in the table of contents; the values
    the chapters glue into their text come from the build in ``executed`` (default
    book/_build/jupyter_execute, where `make book` builds)."""
    config = book_config(book)
    docs = notebook_pages(book)
    bib, titles = load_bib(book, config), label_titles(docs, book)
    numbers = chapter_numbers(book)
    out = {}
    for doc in docs:
        if not (book / f"{doc}.md").is_file():
            raise SystemExit(f"_toc.yml lists {doc}, but book/{doc}.md does not exist")
        nb = StudentNotebook(doc, book, config, bib, titles, numbers.get(doc), executed).convert()
        nbformat.validate(nb)
        out[f"{doc}.ipynb"] = nbformat.writes(nb) + "\n"
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default notebooks/)")
    parser.add_argument("--check", action="store_true", help="only report whether it is up to date")
    parser.add_argument("--executed", type=Path, default=None,
                        help="the build's executed notebooks, for the glued values "
                             "(default book/_build/jupyter_execute)")
    args = parser.parse_args(argv)
    wanted = build(executed=args.executed)
    existing = {p.name for p in args.out.glob("*.ipynb")} if args.out.is_dir() else set()
    stale = sorted(existing - set(wanted))
    changed = sorted(n for n, text in wanted.items()
                     if not (args.out / n).is_file() or (args.out / n).read_text() != text)
    if args.check:
        for n in changed:
            print(f"out of date: {args.out / n}")
        for n in stale:
            print(f"not a chapter any more: {args.out / n}")
        return 1 if changed or stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n in changed:
        (args.out / n).write_text(wanted[n])
    for n in stale:
        (args.out / n).unlink()
    print(f"student notebooks: {len(wanted)} in {args.out}, {len(changed)} written, "
          f"{len(stale)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
