"""course/myst.py: MyST blocks, and the walk over a chapter's cells."""
import jupytext
import pytest

from course.book import MYST_HEADER
from course.myst import Code, Markdown, split_blocks, walk


def test_text_fences_and_directives_are_told_apart():
    blocks = split_blocks([
        "Some text", "",
        "```python", "x = 1", "```",
        "```{note} A title", ":class: tip", "", "Body.", "", "```",
        "More text.",
    ])
    assert blocks == [
        ("text", ["Some text", ""]),
        ("fence", ["```python", "x = 1", "```"]),
        ("directive", "note", "A title", {"class": "tip"}, ["Body."]),
        ("text", ["More text."]),
    ]


def test_a_longer_outer_fence_holds_nested_fences():
    """The outer directive closes only on a fence at least as long as its own."""
    lines = ["`````{note}", "````{admonition} Inner", "```python", "print(1)", "```", "````",
             "`````", "after"]
    [note, after] = split_blocks(lines)
    assert note == ("directive", "note", "", {}, lines[1:6])
    assert after == ("text", ["after"])
    # Its body splits again, one level down.
    [inner] = split_blocks(note[4])
    assert inner[:3] == ("directive", "admonition", "Inner")
    assert inner[4] == ["```python", "print(1)", "```"]


def test_yaml_options_block_then_field_options():
    [block] = split_blocks(["```{exercise} Title", "---", "label: ex-a", "nonumber: true", "---",
                            ":class: x", "Write `f`.", "```"])
    assert block == ("directive", "exercise", "Title",
                     {"label": "ex-a", "nonumber": True, "class": "x"}, ["Write `f`."])


def test_colon_and_tilde_fences_and_what_is_not_a_fence():
    blocks = split_blocks([":::{tip}", "Colon.", ":::",
                           ":::not a directive",
                           "~~~", "tilde", "~~~",
                           "``` `not a fence` ```"])
    assert blocks == [("directive", "tip", "", {}, ["Colon."]),
                      ("text", [":::not a directive"]),
                      ("fence", ["~~~", "tilde", "~~~"]),
                      ("text", ["``` `not a fence` ```"])]


def test_an_unclosed_fence_runs_to_the_end():
    assert split_blocks(["```python", "x = 1"]) == [("fence", ["```python", "x = 1"])]


# ------------------------------------------------------------------ the walk

CHAPTER = MYST_HEADER + '''
# Title

Intro.

```{code-cell} ipython3
x = 1
```

```{exercise} First
:label: ex-a

Write `f`.
```

Before the solution, same cell.

````{solution-start} ex-a
:class: dropdown
````

Solution prose is dropped.

```{code-cell} ipython3
def f(): return 1
```

```{code-cell} ipython3
def g(): return 2
```

````{solution-end}
````
After the end, same cell.

```{code-cell} ipython3
lib.checks.x.check_f(f)
```

```{solution} ex-b
Ungated: prose only.
```
'''


def items_of(text, doc="doc"):
    return list(walk(jupytext.reads(text, fmt="md:myst").cells, doc))


def summary(items):
    """Each item as a short tuple: Markdown's text lines, Code's source, Solution's fields."""
    out = []
    for item in items:
        if isinstance(item, Markdown):
            lines = [l for b in item.blocks if b[0] == "text" for l in b[1] if l.strip()]
            kinds = [b[1] for b in item.blocks if b[0] == "directive"]
            out.append(("md", lines, kinds, item.cell_end))
        elif isinstance(item, Code):
            out.append(("code", item.cell.source))
        else:
            out.append(("solution", item.label, item.gated, item.sources))
    return out


def test_walk_yields_prose_code_and_solutions_in_order():
    got = summary(items_of(CHAPTER))
    assert got == [
        ("md", ["# Title", "Intro."], [], True),
        ("code", "x = 1"),
        ("md", ["Before the solution, same cell."], ["exercise"], False),
        ("solution", "ex-a", True, ["def f(): return 1", "def g(): return 2"]),
        ("md", ["After the end, same cell."], [], True),
        ("code", "lib.checks.x.check_f(f)"),
        ("md", [], [], False),
        ("solution", "ex-b", False, []),
        ("md", [], [], True),
    ]
    assert "Solution prose" not in repr(items_of(CHAPTER))


def test_walk_skips_raw_cells():
    text = MYST_HEADER + ("\nText.\n\n```{raw-cell}\nraw stuff\n```\n\n"
                          "```{code-cell} ipython3\ny = 2\n```\n")
    assert summary(items_of(text)) == [("md", ["Text."], [], True), ("code", "y = 2")]


def test_an_unclosed_solution_stops_with_its_label():
    text = CHAPTER.replace("````{solution-end}\n````\n", "")
    message = r"^chap\.md: \{solution-start\} ex-a has no \{solution-end\}$"
    with pytest.raises(SystemExit, match=message):
        items_of(text, "chap")


def test_a_book_only_cell_in_a_solution_is_not_part_of_the_answer():
    text = MYST_HEADER + (
        "\n````{solution-start} ex-a\n:class: dropdown\n````\n\n"
        "```{code-cell} ipython3\ndef f(): return 1\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\nglue('f_value', f(), display=False)\n```\n\n"
        "````{solution-end}\n````\n")
    solutions = [s for s in summary(items_of(text)) if s[0] == "solution"]
    assert solutions == [("solution", "ex-a", True, ["def f(): return 1"])]
