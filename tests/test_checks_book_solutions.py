"""Every solution printed in the book passes its own check.

The chapters run their checks at build time; this test proves the same without a build:
it reads each `lib.checks.<module>.<check>(<name>)` call in book/*.md, takes the chapter's
top-level imports and undecorated `def`/`class` statements (the solution among them),
and runs the check on the chapter's `<name>`. A check made stricter than a published
solution fails here first.
"""
import ast
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lib  # noqa: E402

BOOK = Path(__file__).resolve().parent.parent / "book"
CHECK_CALL = re.compile(r"^lib\.checks\.(\w+)\.(check_\w+)\((\w+)\)\s*$", re.M)
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)


def _check_calls():
    for page in sorted(BOOK.glob("*.md")):
        for module, check, name in CHECK_CALL.findall(page.read_text()):
            yield pytest.param(page, module, check, name, id=f"{page.stem}:{check}")


def _definitions(page):
    """The chapter's namespace: its imports and its plain function and class definitions."""
    namespace = {"__name__": f"book_{page.stem.replace('-', '_')}"}
    for cell in CODE_CELL.findall(page.read_text()):
        if cell.startswith("---"):               # a YAML block of cell options
            cell = cell.split("---", 2)[2]
        lines = cell.splitlines()
        while lines and lines[0].startswith(":"):  # short-form cell options, :tags: ...
            lines.pop(0)
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                    isinstance(node, (ast.FunctionDef, ast.ClassDef))
                    and not node.decorator_list):
                code = compile(ast.Module(body=[node], type_ignores=[]), str(page), "exec")
                try:
                    exec(code, namespace)  # noqa: S102 - the course's own chapter source
                except Exception:  # noqa: BLE001 - a class built on data the test lacks
                    pass
    return namespace


@pytest.mark.parametrize("page, module, check, name", list(_check_calls()))
def test_book_solution_passes_its_check(page, module, check, name, capsys):
    namespace = _definitions(page)
    assert name in namespace, f"{page.name} defines no top-level {name} for {check}"
    torch.manual_seed(0)
    getattr(getattr(lib.checks, module), check)(namespace[name])
    assert "check passed" in capsys.readouterr().out
    plt.close("all")


def test_every_check_is_called_by_a_chapter():
    called = {(p.values[1], p.values[2]) for p in _check_calls()}
    modules = {name: getattr(lib.checks, name) for name in lib.checks.CHAPTERS}
    defined = {(name, check) for name, m in modules.items() for check in m.__all__}
    assert all(m.__all__ for m in modules.values()), "a check module that exports no check"
    assert defined <= called, f"checks no chapter calls: {sorted(defined - called)}"
    assert called <= defined, f"chapters call checks that no module exports: {sorted(called - defined)}"


def test_each_chapter_with_checks_has_its_registered_module():
    """The check module of book/<name>.md is lib.checks.<name with _>, listed once in
    lib.checks.CHAPTERS (the one registration), in the book's reading order."""
    from course.book import notebook_pages

    calling = [doc.replace("-", "_") for doc in notebook_pages()
               if CHECK_CALL.search((BOOK / f"{doc}.md").read_text())]
    assert lib.checks.CHAPTERS == calling, (
        "lib.checks.CHAPTERS must list the check modules of the chapters that call checks, "
        f"in the order of _toc.yml: {calling}")
    called_modules = {p.values[1] for p in _check_calls()}
    assert called_modules <= set(lib.checks.CHAPTERS) | set(lib.checks.OLD_NAMES)
