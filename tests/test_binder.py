"""Binder's environment (binder/) is lean, CPU-only, pinned, and enough for the notebooks."""
import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def requirement_names(path):
    """{normalised distribution name: full requirement line} of a requirements file."""
    names = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name = re.match(r"[A-Za-z0-9_.\-]+", line).group(0)
            names[re.sub(r"[-_.]+", "-", name).lower()] = line
    return names


def top_level_imports(source):
    """Top-level module names imported by Python source (IPython magics and shell lines skipped)."""
    lines = [l for l in source.splitlines() if not l.lstrip().startswith(("!", "%"))]
    names = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def needed_distributions():
    """Distributions that lib and every student notebook import (beyond the standard library)."""
    modules = set()
    for path in (ROOT / "lib").rglob("*.py"):
        modules |= top_level_imports(path.read_text())
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                modules |= top_level_imports(cell.source)
    modules -= set(sys.stdlib_module_names) | {"lib", "google"}  # google.colab: Colab only
    owners = importlib.metadata.packages_distributions()
    missing = sorted(m for m in modules if m not in owners)
    assert not missing, f"imports that no installed distribution provides: {missing}"
    return {re.sub(r"[-_.]+", "-", d).lower(): m for m in modules for d in owners[m]}


def test_binder_requirements_cover_every_import_of_lib_and_the_notebooks():
    binder = requirement_names(BINDER / "requirements.txt")
    needed = needed_distributions()
    assert {"torch", "numpy", "matplotlib"} <= set(needed), needed  # the walk found them
    missing = {d: m for d, m in needed.items() if d not in binder}
    assert not missing, f"binder/requirements.txt lacks (distribution: imported as) {missing}"


def test_binder_is_lean_cpu_only_and_pinned_like_the_build():
    binder = requirement_names(BINDER / "requirements.txt")
    for heavy in ("jupyter-book", "pytest", "playwright", "d2l", "myst-nb"):
        assert heavy not in binder, f"binder/requirements.txt installs {heavy}"
    text = (BINDER / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    build = requirement_names(ROOT / "requirements.txt")
    for name in ("torch", "torchvision"):
        version = build[name].split("==")[1]
        assert binder[name] == f"{name}=={version}+cpu", (binder[name], version)
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_binder_postbuild_installs_lib_and_fetches_the_data():
    post = (BINDER / "postBuild").read_text()
    assert "pip install --no-cache-dir --no-deps ." in post
    assert "lib.FashionMNIST()" in post
    assert (BINDER / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"
    assert not (ROOT / "postBuild").exists(), "a top-level postBuild is ignored next to binder/"
