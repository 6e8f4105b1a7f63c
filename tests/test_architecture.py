"""The layers of the code, as its imports show them: lib (what students install) imports
nothing of the course's tooling; course (the chapter model) imports neither the grader nor
the tools; the grader imports no tool; and no product code edits sys.path to reach
another part (they are installed packages: pyproject.toml)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package -> the top-level names of this repository it must not import
FORBIDDEN = {
    "lib": {"course", "grading", "tools", "bookkit", "make_notebooks"},
    "course": {"grading", "tools", "bookkit", "make_notebooks", "lib"},
    "grading": {"tools", "bookkit", "make_notebooks"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def sources(package):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_runs_back_up(package):
    wrong = {str(p.relative_to(ROOT)): sorted(imports(p) & FORBIDDEN[package])
             for p in sources(package)}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"{package} must not import {sorted(FORBIDDEN[package])}: {wrong}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_product_code_edits_sys_path(package):
    edits = [str(p.relative_to(ROOT)) for p in sources(package)
             if "sys.path.insert" in p.read_text() or "sys.path.append" in p.read_text()]
    assert not edits, f"{edits} edit sys.path: import the installed package instead"


def test_the_packages_are_installed_with_the_project():
    import tomllib

    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert {"lib", "lib.checks", "course", "grading"} <= set(packages)


def test_one_class_per_concept():
    """One class named Chapter and one named Exercise in the whole product."""
    names = {}
    for package in FORBIDDEN:
        for p in sources(package):
            for node in ast.walk(ast.parse(p.read_text())):
                if isinstance(node, ast.ClassDef) and node.name in ("Chapter", "Exercise"):
                    names.setdefault(node.name, []).append(str(p.relative_to(ROOT)))
    assert names == {"Chapter": ["course/exercises.py"], "Exercise": ["course/exercises.py"]}, names
