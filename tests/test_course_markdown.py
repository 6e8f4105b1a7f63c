"""course/markdown.py: MyST Markdown rewritten as Markdown that Jupyter renders."""
import pytest

from course.markdown import REFERENCES, Rewriter, label_titles

CONFIG = {"repository": {"url": "https://github.com/someone/course.git", "branch": "dev",
                         "path_to_book": "/book/"},
          "parse": {"myst_substitutions": {"course": "Deep Learning"}}}
BIB = {"lee2020": ("Lee et al.", "2020", "Ann Lee, Bo Kim, Cy Park (2020). T. *J*.")}
TITLES = {"sec-intro": "Introduction", "ex-a": "Exercise 3.1"}


@pytest.fixture
def md(tmp_path):
    return Rewriter(tmp_path, CONFIG, BIB, TITLES, chapter_number=3, numbers={"ex-a": "3.1"})


@pytest.mark.parametrize("myst, markdown", [
    ("{ref}`sec-intro`", "Introduction"),                      # the target's title
    ("{ref}`the start <sec-intro>`", "the start"),             # explicit text wins
    ("{numref}`Figure <fig-x>`", "Figure"),
    ("{ref}`sec-unknown`", "sec-unknown"),                     # no title known: the label
    ("{ref}`ex-a`", "Exercise 3.1"),
    ("{eq}`eq-loss`", "(eq-loss)"),
    ("{eq}`the loss <eq-loss>`", "the loss"),
    ("{math}`x^2`", "$x^2$"),
    ("{sub}`2`", "<sub>2</sub>"),
    ("{abbr}`SGD (stochastic gradient descent)`", "SGD"),
    ("{code}`x = 1`", "`x = 1`"),
    ("{cite:t}`lee2020`", "Lee et al. (2020)"),
    ("{cite:p}`lee2020`", "(Lee et al., 2020)"),
    ("{term}`tensor`", "tensor"),                              # other roles: their text
    ("A {{ course }} and {{ unknown }}", "A Deep Learning and {{ unknown }}"),
])
def test_inline_syntax(md, myst, markdown):
    assert md.inline(myst) == markdown


def test_labels_comments_and_equation_labels_go(md):
    assert md.markdown(["(sec-intro)=", "# Intro", "% a comment", "$$ y = x $$ (eq-y)", "Text."]) \
        == ["# Intro", "$$ y = x $$", "Text."]


def test_fences_are_kept_as_written(md):
    lines = ["```python", "{ref}`sec-intro`  # not a role in code", "```"]
    assert md.markdown(lines) == lines


def test_exercises_are_numbered_as_on_the_site(md):
    out = md.markdown(["```{exercise} Labelled", ":label: ex-a", "", "Do {ref}`sec-intro`.", "```",
                       "```{exercise} Aside", ":nonumber:", "", "Why?", "```",
                       "```{exercise}", "Unlabelled.", "```"])
    assert out == ["**Exercise 3.1: Labelled**", "", "Do Introduction.",
                   "**Exercise: Aside**", "", "Why?",
                   "**Exercise 3.2**", "", "Unlabelled."]


def test_admonitions_become_quotes(md):
    assert md.markdown(["```{note}", "Mind the gap.", "```"]) == ["> **Note**", ">", "> Mind the gap."]
    # A titled note: the title is the first line of its text, as Sphinx shows it.
    assert md.markdown(["```{warning} Careful", "Hot.", "```"]) == \
        ["> **Warning**", ">", "> Careful", ">", "> Hot."]
    assert md.markdown(["```{admonition} Own title", "Text.", "```"]) == \
        ["> **Own title**", ">", "> Text."]


def test_nested_directives_are_rewritten_inside(md):
    out = md.markdown(["````{dropdown} More", "```{math}", "a = b", "```", "````"])
    assert out == ["<details>", "<summary>More</summary>", "", "$$", "a = b", "$$", "", "</details>"]


def test_figures_come_from_the_repository_raw(md):
    out = md.markdown(["```{figure} img/plot.png", ":alt: A plot", ":name: fig-x", "",
                       "The {math}`x` axis.", "```"])
    assert out == ["![A plot](https://raw.githubusercontent.com/someone/course/dev/book/img/plot.png)",
                   "", "*The $x$ axis.*"]
    assert md.markdown(["```{image} https://x.org/a.png", "```"]) == ["![a](https://x.org/a.png)"]


def test_raw_url_of_a_repository_elsewhere(tmp_path):
    other = Rewriter(tmp_path, {"repository": {"url": "https://gitlab.com/a/b"}}, {}, {})
    assert other.raw_url() == "https://gitlab.com/a/b/raw/main"


def test_what_jupyter_cannot_show_is_dropped_or_replaced(md):
    assert md.markdown(["```{toctree}", "intro", "```"]) == []
    assert md.markdown(["```{raw} latex", "\\newpage", "```"]) == []
    assert md.markdown(["```{raw} html", "<br>", "```"]) == ["<br>"]
    assert md.markdown(["```{bibliography}", ":filter: docname in docnames", "```"]) == [REFERENCES]
    assert md.markdown(["```{code-block} python", "x = 1", "```"]) == ["```python", "x = 1", "```"]


def test_literalinclude_is_the_code_it_shows(md, tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "snippet.py").write_text("a = 1\nb = 2\n")
    assert md.markdown(["```{literalinclude} /code/snippet.py", ":lines: 2",
                        ":caption: See {ref}`sec-intro`", "```"]) == \
        ["*See Introduction*", "", "```python", "b = 2", "```"]
    assert md.markdown(["```{literalinclude} gone.txt", "```"]) == \
        ["*(see `gone.txt` in the repository)*"]


def test_label_titles_are_the_headings_after_the_labels(tmp_path):
    (tmp_path / "a.md").write_text("(sec-a)=\n\n## Section A ##\n\n(fig-b)=\n```{figure} x.png\n```\n")
    assert label_titles(["a", "missing"], tmp_path) == {"sec-a": "Section A", "fig-b": "fig-b"}
