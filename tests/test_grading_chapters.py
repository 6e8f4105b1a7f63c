"""The grader's reading of the course (no kernel): chapters, notebook metadata, shards, sizes."""
import re
from pathlib import Path

import nbformat
import pytest

from course.exercises import UnknownChapter, chapter_names, check_calls, load_chapter
from grading.chapters import solved_notebook, student_notebook
from grading.grade import GradingError, parse_shard, shard_of
from grading.run import parse_size, read_submission

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = chapter_names()


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_check_call_of_the_chapter_belongs_to_an_exercise(doc):
    """Each `lib.checks....(...)` line of the source is found, after its exercise's solution."""
    text = (ROOT / "book" / f"{doc}.md").read_text()
    in_source = re.findall(r"^(lib\.checks\.\w+\.\w+\(.*\))\s*$", text, re.M)
    chapter = load_chapter(doc)
    found = [c.source for e in chapter.exercises for c in e.checks]
    assert found == in_source
    labels = re.findall(r"^:label:\s*(\S+)", text, re.M)
    assert [e.label for e in chapter.exercises] == [l for l in labels if l.startswith("ex-")]
    for e in chapter.scored:  # a scored exercise has a solution to key it
        assert e.solution, e.label


@pytest.mark.parametrize("doc", CHAPTERS)
def test_student_notebooks_name_their_chapter(doc):
    nb = student_notebook(doc)
    assert nb.metadata["course"] == {"chapter": doc}
    assert read_submission(ROOT / "notebooks" / f"{doc}.ipynb")[1].name == doc


def test_solved_notebook_has_no_stub_left():
    for doc in CHAPTERS:
        nb = solved_notebook(doc)
        scored = {e.label for e in load_chapter(doc).scored}
        left = [c.source for c in nb.cells if c.cell_type == "code"
                and any(f"({l}): your code goes here" in c.source for l in scored)]
        assert left == [], doc
    half = solved_notebook("backprop", only={"ex-backprop-bias"})
    assert sum("your code goes here" in c.source for c in half.cells) == 1


def test_check_calls_are_read_from_code_not_guessed():
    calls = check_calls("x = 1\nlib.checks.mlp.check_relu(relu, tol=1e-3)\nprint(lib.checks.mlp)\n"
                        "lib.checks.check_relu(relu)\nfoo.checks.mlp.check_relu(relu)")
    assert [(c.module, c.function, c.args, c.kwargs) for c in calls] == \
        [("mlp", "check_relu", ("relu",), (("tol", "1e-3"),))]
    assert check_calls("%timeit f(\n") == []


@pytest.mark.parametrize("name", ["../backprop", "nope", "", "backprop/../intro", None, 3])
def test_unknown_chapters_are_refused(name):
    with pytest.raises(UnknownChapter, match="not a chapter of this course"):
        load_chapter(name)


def test_shards_cover_the_class_once():
    paths = [f"s{k:02d}" for k in range(23)]
    shares = [shard_of(paths, (i, 4)) for i in range(1, 5)]
    assert sorted(sum(shares, [])) == paths
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    assert parse_shard("2/4") == (2, 4) and parse_shard(None) is None
    for bad in ("0/4", "5/4", "a/b", "3"):
        with pytest.raises(GradingError, match="--shard"):
            parse_shard(bad)


def test_sizes():
    assert parse_size("8G") == 8 * 2**30 and parse_size("512M") == 512 * 2**20
    assert parse_size("1.5GiB") == int(1.5 * 2**30) and parse_size("1000") == 1000
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")


def test_read_submission_reasons(tmp_path):
    p = tmp_path / "x.ipynb"
    p.write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match="not a notebook"):
        read_submission(p)
    nb = nbformat.v4.new_notebook()
    nbformat.write(nb, p)
    with pytest.raises(UnknownChapter, match="does not say which chapter"):
        read_submission(p)


def test_written_answers_are_collected_for_the_instructor():
    from grading.run import written_answers

    nb = student_notebook("backprop")
    at = next(i for i, c in enumerate(nb.cells)
              if re.match(r"\*Your answer to Exercise (\d+\.)?3:", c.source))
    nb.cells[at].source = "*Your answer:* training keeps every activation."
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell("print('bytes per activation', 4)"))
    got = written_answers(nb, load_chapter("backprop"))
    assert set(got) == {"ex-backprop-memory", "ex-backprop-cost"}
    assert got["ex-backprop-memory"]["answered"]
    assert "training keeps every activation" in got["ex-backprop-memory"]["answer"]
    assert "```python\nprint('bytes per activation', 4)\n```" in got["ex-backprop-memory"]["answer"]
    assert got["ex-backprop-cost"] == {"answered": False, "answer": ""}
