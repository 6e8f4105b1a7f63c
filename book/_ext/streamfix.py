"""Keep the downloadable executed notebooks free of duplicated printed lines.

myst-nb merges a cell's stream outputs for display (``nb_merge_streams``) by appending
later chunks to the first output object in place, and then writes the notebook it
rendered to ``_build/jupyter_execute/``: there the first output holds all the text and
the later chunks are still present, so a downloaded notebook prints some lines twice.
Merging copies instead leaves the notebook as the kernel produced it; the page is
unchanged.
"""
import copy

import myst_nb.core.render as render

# Checked on myst-nb 1.4.0 with nb_merge_streams: true (a cell printing four lines in
# four chunks: without this patch its executed notebook holds the four lines, then lines
# 2 to 4 again). tests/test_pins.py fails when the installed myst-nb changes.
TARGETS = {"myst-nb": "1.4.0"}

_merge = render.coalesce_streams


def _merge_copies(outputs):
    return _merge(copy.deepcopy(outputs))


def setup(app):
    render.coalesce_streams = _merge_copies
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
