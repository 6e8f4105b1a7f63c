"""A failed build cannot hide: the next build, unchanged, fails the same way.

Sphinx builds incrementally: it re-reads only the chapters that changed since the last
build and keeps the rest from its pickled environment. A chapter whose build emitted a
warning (turned into a failure by ``-W``) is therefore not read again by an unchanged
rebuild, which then prints "build succeeded" over the broken page. When a build ends
with an exception or any warning, this extension deletes the pickled environment, so the
next build reads every chapter again (cached executions are reused, so that costs
seconds) and reports the same problems.

A cell error is a hard error even without ``-W`` (``nb_execution_raise_on_error`` in
_config.yml): ``jupyter-book build book`` stops, exits non-zero and names the chapter.
myst-nb's error reports (``_build/html/reports/*.err.log``) from older builds are deleted
so that they are never published with the site.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)
ENV_PICKLE = "environment.pickle"
# `app._warncount` is private to Sphinx: the version it was checked on (tests/test_pins.py
# fails when the installed Sphinx changes; then check the counter is still there).
TARGETS = {"sphinx": "7.4.7"}


def _drop_old_reports(app: Sphinx) -> None:
    reports = Path(app.outdir) / "reports"
    if reports.is_dir():
        shutil.rmtree(reports)


def _forget_failed_build(app: Sphinx, exception) -> None:
    if exception is None and app._warncount == 0:
        return
    pickle = Path(app.doctreedir) / ENV_PICKLE
    if pickle.exists():
        pickle.unlink()
    logger.info("strict: the build failed or warned; the next build re-reads every chapter")


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _drop_old_reports)
    app.connect("build-finished", _forget_failed_build)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
