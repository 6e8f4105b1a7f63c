"""course/notebook.py: one chapter assembled into its student notebook."""
import nbformat
import pytest

from course.book import MYST_HEADER
from course.notebook import StudentNotebook, code_cell, flush_markdown

CONFIG = {"repository": {"url": "https://github.com/someone/course", "branch": "dev"}}
BIB = {"lee2020": ("Lee", "2020", "Ann Lee (2020). T. *J*."),
       "kim2019": ("Kim", "2019", "Bo Kim (2019). U. *K*.")}

CHAPTER = MYST_HEADER + '''
# Demo

Intro, citing {cite:p}`lee2020`. See {ref}`ex-demo-net`.

```{code-cell} ipython3
:tags: [hide-output]
x = 1
```

## Exercises

```{exercise} A network
:label: ex-demo-net

Write the network. What does it learn?
```

````{solution-start} ex-demo-net
:class: dropdown
````

```{code-cell} ipython3
class Net:
    """The network."""
    def forward(self, X):
        return X  # SECRET

def helper(): return 1  # SECRET
```

````{solution-end}
````

```{code-cell} ipython3
lib.checks.demo.check_net(Net)
```

```{exercise} Aside
:label: ex-demo-aside
:nonumber:

Write `aside`.
```

````{solution-start} ex-demo-aside
````

```{code-cell} ipython3
def aside(): return 2  # SECRET
```

````{solution-end}
````

```{exercise} In words
:label: ex-demo-words

Why?
```

```{solution} ex-demo-words
Because. SECRET
```

## References

```{bibliography}
```
'''


def convert(tmp_path, text=CHAPTER, doc="demo", chapter_number=2):
    (tmp_path / f"{doc}.md").write_text(text)
    return StudentNotebook(doc, tmp_path, CONFIG, BIB, {}, chapter_number).convert()


def test_the_chapter_becomes_set_up_prose_code_stubs_and_summary(tmp_path):
    nb = convert(tmp_path)
    cells = [(c.cell_type, c.source) for c in nb.cells]
    assert "dlf-lib @ git+https://github.com/someone/course@dev" in cells[1][1]
    net = '"Exercise 2.1 (ex-demo-net): your code goes here"'
    assert cells[:1] + cells[2:] == [
        ("markdown", "# Demo\n\nIntro, citing (Lee, 2020). See Exercise 2.1."),
        ("code", "x = 1"),
        ("markdown", "## Exercises\n\n**Exercise 2.1: A network**\n\n"
                     "Write the network. What does it learn?"),
        # Net is not named in the statement, but its check is passed Net: it is stubbed;
        # the helper nobody asks for is not. The question gets an answer cell.
        ("code", f'class Net:\n    """The network."""\n\n    def forward(self, X):\n'
                 f'        raise NotImplementedError({net})'),
        ("markdown", "*Your answer to Exercise 2.1:*"),
        ("code", "lib.checks.demo.check_net(Net)"),
        # Not numbered: the stub names its label only.
        ("markdown", "**Exercise: Aside**\n\nWrite `aside`."),
        ("code", 'def aside():\n    raise NotImplementedError("ex-demo-aside: your code goes here")'),
        # An ungated solution is prose: an answer cell.
        ("markdown", "**Exercise 2.2: In words**\n\nWhy?"),
        ("markdown", "*Your answer to Exercise 2.2:*"),
        ("markdown", "## References\n\n- Ann Lee (2020). T. *J*."),   # only what was cited
        ("markdown", nb.cells[-2].source),
        ("code", "lib.checks.summary();"),
    ]
    assert nb.cells[-2].source.startswith("## Your self-checks")
    assert "SECRET" not in nbformat.writes(nb)
    assert nb.cells[2].metadata == {"tags": ["hide-output"]}
    assert [c.id for c in nb.cells[:2]] == ["demo-000", "demo-001"]
    assert nb.metadata["course"] == {"chapter": "demo"}
    nbformat.validate(nb)


def test_without_checks_or_citations_no_summary_and_no_references(tmp_path):
    text = MYST_HEADER + "\n# Plain\n\nText.\n\n## References\n\n```{bibliography}\n```\n"
    nb = convert(tmp_path, text, "plain", None)
    assert [c.source for c in nb.cells if c.cell_type == "markdown"] == ["# Plain\n\nText."]


def test_a_solution_with_nothing_asked_for_gives_an_empty_code_cell(tmp_path):
    text = MYST_HEADER + ("\n```{exercise} Explore\n:label: ex-x\n\nPlay with it.\n```\n\n"
                          "````{solution-start} ex-x\n````\n\n```{code-cell} ipython3\n"
                          "def demo(): return 1\n```\n\n````{solution-end}\n````\n")
    nb = convert(tmp_path, text, "root", None)
    assert nb.cells[-1].source == "# Exercise 1 (ex-x): write your code here."


def test_an_unclosed_solution_stops_the_generator(tmp_path):
    words = "```{exercise} In words"
    text = CHAPTER.replace("````{solution-end}\n````\n\n" + words, words)
    with pytest.raises(SystemExit, match=r"^demo\.md: \{solution-start\} ex-demo-aside has no "
                                         r"\{solution-end\}$"):
        convert(tmp_path, text)


def test_markdown_is_flushed_as_one_trimmed_cell():
    cells, lines = [], ["", "  ", "a", "", "b", ""]
    flush_markdown(lines, cells)
    assert [c.source for c in cells] == ["a\n\nb"] and lines == []
    flush_markdown(["", " "], cells)
    assert len(cells) == 1


def test_code_cells_keep_tags_and_alt_text_only():
    cell = nbformat.v4.new_code_cell("plot()")
    cell.metadata = {"tags": ["remove-input"], "mystnb": {"image": {"alt": "A plot"}}, "other": 1}
    cell.outputs = [nbformat.v4.new_output("stream", text="out")]
    new = code_cell(cell)
    assert new.metadata == {"tags": ["remove-input"], "mystnb": {"image": {"alt": "A plot"}}}
    assert new.source == "plot()" and new.outputs == []


def test_the_grader_finds_the_label_in_the_stub_message():
    from course.exercises import stub_label, stub_message

    src = f'def relu_max(X):\n    raise NotImplementedError("{stub_message("Exercise 4.2", "ex-mlp-relu")}")\n'
    assert stub_label(src) == "ex-mlp-relu"
    assert stub_label("def f():\n    return 1\n") is None
    # an unnumbered exercise's stub names its label without parentheses: not filled in
    assert stub_label(stub_message(None, "ex-x")) is None
