"""Key the notebook execution cache on the source of ``lib``.

myst-nb's jupyter-cache recognises a notebook by the code in its cells only, so a
change to ``lib`` (a new default, a bug fix in the trainer) would leave every chapter
showing outputs computed with the old library. This extension hashes the library's
Python files and

* stores the hash in the config value ``lib_source_hash``, registered with
  ``rebuild="env"``: when it changes, Sphinx re-reads every chapter;
* points myst-nb's execution cache at a folder named after the hash
  (``_build/.jupyter_cache/lib-<hash>``), so re-reading a chapter misses the cache
  and executes it again with the new library. Caches for other hashes that this
  extension made (marked by a ``.libcache`` file inside) are deleted; any other folder,
  even one named ``lib-*``, is left alone.

Editing one chapter still re-executes only that chapter, and an unchanged rebuild
executes nothing.

Config values (all optional):

``libcache_paths``
    folders (or files) to hash; relative paths are relative to the book folder.
    Default: the folder of the importable ``lib`` package, which is the code the
    notebook kernels import.
``libcache_pattern``
    glob of the files to hash inside each folder; default ``**/*.py``.
``libcache_requirements``
    files that pin the environment the chapters run in, hashed too when they exist, so
    that upgrading PyTorch (or anything else they pin) re-executes the chapters; relative
    paths are relative to the book folder. Default: ``../requirements.txt`` and
    ``../pyproject.toml``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

CACHE_PREFIX = "lib-"
MARKER = ".libcache"  # written into each cache folder this extension creates


def _default_lib_dirs(confdir: Path) -> list[Path]:
    """The folder of the ``lib`` package the kernels will import (without importing it)."""
    spec = importlib.util.find_spec("lib")
    if spec is not None and spec.submodule_search_locations:
        return [Path(p) for p in spec.submodule_search_locations]
    fallback = confdir.parent / "lib"  # the repository layout: book/ next to lib/
    return [fallback] if fallback.is_dir() else []


def source_hash(paths: list[Path], pattern: str = "**/*.py") -> tuple[str, int]:
    """Hash the relative names and contents of the files matching ``pattern`` under ``paths``.

    Returns ``(hex digest, number of files)``. The order of files does not depend on the
    file system, and byte-compiled caches are ignored.
    """
    digest = hashlib.sha256()
    count = 0
    for root in paths:
        files = [root] if root.is_file() else sorted(
            p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts
        )
        for f in files:
            rel = f.name if f == root else f.relative_to(root).as_posix()
            digest.update(rel.encode() + b"\0")
            digest.update(f.read_bytes() + b"\0")
            count += 1
    return digest.hexdigest(), count


def _on_config_inited(app: Sphinx, config: Config) -> None:
    confdir = Path(app.confdir)
    if config.libcache_paths:
        paths = [(confdir / p).resolve() for p in config.libcache_paths]
    else:
        paths = _default_lib_dirs(confdir)
    missing = [str(p) for p in paths if not p.exists()]
    if not paths or missing:
        logger.warning(
            "libcache: cannot find the library to hash (%s); the execution cache will "
            "not notice changes to it. Set `libcache_paths` in the sphinx config.",
            ", ".join(missing) or "no `lib` package importable",
            type="libcache",
        )
        paths = [p for p in paths if p.exists()]
    pins = [p for p in ((confdir / f).resolve() for f in config.libcache_requirements)
            if p.is_file()]
    full, count = source_hash(paths + pins, config.libcache_pattern)
    short = full[:16]
    config.lib_source_hash = full  # rebuild="env": a new value re-reads every document

    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    if not base.is_absolute():
        base = confdir / base
    cache = base / f"{CACHE_PREFIX}{short}"
    config.nb_execution_cache_path = str(cache)
    if base.is_dir():  # drop the caches of other library versions, if we made them
        for old in base.glob(f"{CACHE_PREFIX}*"):
            if old.is_dir() and old != cache and (old / MARKER).is_file():
                shutil.rmtree(old, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    (cache / MARKER).write_text(f"execution cache made by book/_ext/libcache.py for lib {full}\n")
    logger.info("libcache: %d files in %s hash to %s; execution cache %s",
                count, ", ".join(map(str, paths)), short, cache)


def setup(app: Sphinx) -> dict:
    app.add_config_value("libcache_paths", [], "env", [list, tuple])
    app.add_config_value("libcache_pattern", "**/*.py", "env", [str])
    app.add_config_value("libcache_requirements", ["../requirements.txt", "../pyproject.toml"],
                         "env", [list, tuple])
    app.add_config_value("lib_source_hash", "", "env", [str])
    # after myst-nb has registered nb_execution_cache_path, before it reads it (builder-inited)
    app.connect("config-inited", _on_config_inited, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
