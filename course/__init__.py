"""The course's model of its book: one definition of what a chapter is, shared by the
notebook generator (tools/make_notebooks.py is its command line), the grader
(grading/), the tests and the benchmarks. It imports nothing of theirs.

- ``book``: where the book is, its pages and chapter numbers from _toc.yml, a chapter's
  source as a notebook, the repository named in _config.yml.
- ``myst``: split MyST Markdown into blocks; the one walk over a chapter's cells that
  tells prose, code and solutions apart.
- ``exercises``: a chapter's exercises read from that walk, their check calls, and the
  formats that the generator writes into a notebook and the grader reads back (an
  exercise's heading, its stub's message); ``load_chapter`` for the grader.
- ``markdown``: MyST roles and directives rewritten as Markdown that Jupyter and Colab render.
- ``include``: the lines a ``{literalinclude}`` shows.
- ``glue``: the values a chapter glues into its text, read from the book's last build.
- ``bibliography``: the book's BibTeX entries, citations and reference lists.
- ``stubs``: a solution's code emptied into signatures and docstrings.
- ``notebook``: one chapter assembled into its student notebook (``StudentNotebook``).
"""
