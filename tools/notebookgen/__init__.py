"""The student-notebook generator's parts, one job per module (tools/make_notebooks.py is its CLI).

- ``myst``: split MyST Markdown into blocks; the one walk over a chapter's cells that
  tells prose, code and solutions apart (shared with the grader, grading/chapters.py).
- ``exercises``: the chapter's exercises read from that walk, and its check calls.
- ``markdown``: MyST roles and directives rewritten as Markdown that Jupyter and Colab render.
- ``include``: the lines a ``{literalinclude}`` shows.
- ``glue``: the values a chapter glues into its text, read from the book's last build.
- ``bibliography``: the book's BibTeX entries, citations and reference lists.
- ``stubs``: a solution's code emptied into signatures and docstrings.
- ``config``: what the generator reads from book/_config.yml.
- ``notebook``: one chapter assembled into its student notebook.
"""
