"""The lib code the chapters show stays the length of the idea (issue 21.3).

Every object a chapter shows with ``literalinclude`` and ``:pyobject:`` is measured as
literalinclude shows it (Sphinx's own analyzer: decorators, docstring and body) and
pinned to a budget: the textbook's length of the same object times 1.2, rounded. Input
checks and error prose belong in named helpers next to the object, not in it.

The textbook length is the object in d2l 1.0.3 (d2l/torch.py) as literalinclude would show
it, less the ``Defined in :numref:`...``` lines that d2l's build adds to its docstrings
(the textbook's chapters do not show them).
"""
import re
from pathlib import Path

import pytest
from sphinx.pycode import ModuleAnalyzer

ROOT = Path(__file__).resolve().parents[1]

# object: (textbook length, budget = round(1.2 * textbook length), why the budget differs)
BUDGET = {
    "add_to_class": (5, 6, ""),
    "HyperParameters": (13, 16, ""),
    "ProgressBoard.draw": (38, 46, ""),
    "Module": (50, 60, ""),
    "DataModule": (19, 23, ""),
    "Trainer.fit": (9, 11, ""),
    "Trainer.fit_epoch": (18, 22, ""),
    "SyntheticRegressionData": (14, 17, ""),
    "SGD": (13, 16, ""),
    "Classifier": (25, 30, ""),
}

INCLUDE = re.compile(r"```\{literalinclude\}\s+(\S+)\s*\n((?::[\w-]+:.*\n)*)")


def shown_objects():
    """(chapter, file, object) for every literalinclude with :pyobject: in book/*.md."""
    found = []
    for md in sorted((ROOT / "book").glob("*.md")):
        for m in INCLUDE.finditer(md.read_text()):
            obj = re.search(r"^:pyobject:\s*(\S+)", m.group(2), re.M)
            if obj:
                found.append((md.name, (md.parent / m.group(1)).resolve(), obj.group(1)))
    return found


def shown_span(path, name) -> tuple[int, int]:
    """The first and last line literalinclude shows for `name` (sphinx's pyobject_filter)."""
    tags = ModuleAnalyzer.for_file(str(path), "").find_tags()
    assert name in tags, f"{name} is not in {path}"
    _, start, end = tags[name]
    return start, end


def shown_length(path, name):
    """The number of lines literalinclude shows for `name`."""
    start, end = shown_span(path, name)
    return end - start + 1


def textbook_length(name):
    import d2l
    path = Path(d2l.__file__).parent / "torch.py"
    lines = path.read_text().splitlines()
    _, start, end = ModuleAnalyzer.for_file(str(path), "").find_tags()[name]
    text = "\n".join(lines[start - 1:end])
    text = re.sub(r'\n\s*\n\s*Defined in :numref:`[^`]*`"""', '"""', text)
    text = re.sub(r'\n\s*"""Defined in :numref:`[^`]*`"""', "", text)
    return len(text.splitlines())


def test_every_shown_object_has_a_budget():
    shown = {name for _, _, name in shown_objects()}
    assert shown, "no literalinclude with :pyobject: found in book/*.md"
    assert shown == set(BUDGET), (
        f"shown but without a budget: {sorted(shown - set(BUDGET))}; "
        f"in the table but no longer shown: {sorted(set(BUDGET) - shown)}")


@pytest.mark.parametrize("chapter, path, name", shown_objects(),
                         ids=[name for _, _, name in shown_objects()])
def test_shown_object_fits_its_budget(chapter, path, name):
    textbook, budget, why = BUDGET[name]
    n = shown_length(path, name)
    assert n <= budget, (
        f"{name} ({path.relative_to(ROOT)}, shown in book/{chapter}) is {n} lines; its budget "
        f"is {budget} (the textbook's {textbook} lines + a fifth). Move input checks and "
        "error messages into a named helper next to it.")


@pytest.mark.parametrize("name", sorted(BUDGET))
def test_budget_table_states_the_textbook_length(name):
    textbook, budget, why = BUDGET[name]
    assert textbook_length(name) == textbook
    assert budget == round(1.2 * textbook) or why, f"{name}: a budget off the rule needs a reason"


@pytest.mark.parametrize("chapter, path, name", shown_objects(),
                         ids=[name for _, _, name in shown_objects()])
def test_shown_object_fits_the_page_width(chapter, path, name):
    """As the chapters' own code (test_chapter_sources.MAX_CODE_WIDTH): no line of what
    literalinclude shows scrolls sideways on the page."""
    from test_chapter_sources import MAX_CODE_WIDTH

    start, end = shown_span(path, name)
    lines = path.read_text().splitlines()[start - 1:end]
    long = [f"line {start + k}: {len(line)} characters" for k, line in enumerate(lines)
            if len(line) > MAX_CODE_WIDTH]
    assert not long, (f"{name} ({path.relative_to(ROOT)}, shown in book/{chapter}) has lines "
                      f"longer than {MAX_CODE_WIDTH} characters: {long}")
