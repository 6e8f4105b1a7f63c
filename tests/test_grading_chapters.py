"""The grader's reading of the course (no kernel): chapters, notebook metadata, shards, sizes."""
import re
from pathlib import Path

import nbformat
import pytest

from course.exercises import UnknownChapter, chapter_names, check_calls, load_chapter
from grading.chapters import solved_notebook, student_notebook
from grading.grade import GradingError, parse_shard, shard_of
from grading.limits import parse_size
from grading.submission import read_submission

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
    from grading.answers import written_answers

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


def test_nbclient_is_the_version_the_grader_was_written_for():
    """grading.kernel replaces NotebookClient.output, which nbclient may change: when this
    fails, read GradingClient.output against the installed nbclient, then update
    NBCLIENT_SERIES."""
    import nbclient

    from grading.kernel import NBCLIENT_SERIES

    installed = ".".join(nbclient.__version__.split(".")[:2])
    assert installed == NBCLIENT_SERIES, (
        f"nbclient {nbclient.__version__} is installed; grading/kernel.py was written for "
        f"nbclient {NBCLIENT_SERIES}")


def test_the_kernel_side_reads_the_checks_record_not_its_printout():
    """The verdict is the check's own record: the same status and message, whatever the
    check prints or says."""
    import lib.checks
    from grading.kernel_side import grade
    from lib.checks.core import verdict

    check = lib.checks.mlp.check_relu
    lib.checks.keep_going(False)

    def relu_max(X):
        print("✔ relu: check passed, says the student's code")
        return X

    status, message = grade(lib.checks, check, [relu_max], {})
    assert (status, message) == ("failed", verdict("relu").message)
    assert message.startswith("relu_max: ")

    def relu_max(X):  # noqa: F811
        raise NotImplementedError

    assert grade(lib.checks, check, [relu_max], {}) == ("not attempted", verdict("relu").message)

    def relu_max(X):  # noqa: F811
        import torch
        return torch.max(X, torch.zeros_like(X))

    assert grade(lib.checks, check, [relu_max], {}) == ("passed", verdict("relu").message)

    def relu_max(X):  # noqa: F811
        raise SystemExit(3)

    assert grade(lib.checks, check, [relu_max], {}) == \
        ("error", "the code called exit() or sys.exit(3) during the check")
    assert grade(lib.checks, lambda f: None, [relu_max], {})[0] == "error"  # not a check


def test_the_gradebook_is_written_from_the_results_alone(tmp_path):
    """A result carries its chapter's title, order and headings: the gradebook needs no book
    (here a chapter the book does not have)."""
    import csv

    from grading import gradebook

    result = {"submission": "a/b.ipynb", "graded": True, "reason": "", "notes": ["n1"],
              "seconds": 1.0, "chapter": "elsewhere", "chapter_title": "Somewhere else",
              "chapter_position": 3, "order": ["ex-1", "ex-2", "ex-3"], "scored": ["ex-1", "ex-3"],
              "headings": {"ex-1": "Exercise 9.1: One", "ex-2": "Exercise 9.2: Two",
                           "ex-3": "Exercise 9.3: Three"},
              "exercises": {"ex-1": {"status": "passed", "message": "f: fine."},
                            "ex-3": {"status": "failed", "message": "g: wrong."}},
              "answers": {"ex-2": {"answered": True, "answer": "Because."}}}
    other = {"submission": "c.ipynb", "graded": False, "reason": "not a notebook",
             "chapter": None, "exercises": {}, "answers": {}, "notes": [], "seconds": 0.0}
    gradebook.write(tmp_path, [result, other], {})
    rows = list(csv.reader((tmp_path / "grades.csv").open()))
    assert rows[0] == ["submission", "chapter", "graded", "total", "out_of", "ex-1", "ex-2", "ex-3",
                       "reason", "notes"]
    assert rows[1] == ["a/b.ipynb", "elsewhere", "yes", "1", "2", "passed",
                       "answered (not scored)", "failed", "", "n1"]
    fb = (tmp_path / "feedback" / "a" / "b.md").read_text()
    assert "Chapter: **Somewhere else** (`elsewhere`). Checked exercises passed: **1 of 2**." in fb
    assert fb.index("## Exercise 9.1: One: ✔ passed") < fb.index("## Exercise 9.3: Three: ✘ failed")
    assert "### Exercise 9.2: Two\n\nBecause." in fb and "g: wrong." in fb
    del result["headings"]
    with pytest.raises(ValueError, match="lacks headings"):
        gradebook.write(tmp_path / "again", [result], {})


def _cli(argv, capsys):
    """(exit status, what it printed on stderr) of ``python -m grading <argv>``, run here."""
    from grading.__main__ import main

    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:   # argparse's errors
        code = e.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("option, value, said", [
    ("--jobs", "-1", "--jobs -1: the number of submissions graded at once must be more than 0"),
    ("--jobs", "0", "--jobs 0: the number of submissions graded at once must be more than 0"),
    ("--timeout", "0", "--timeout 0: the seconds all the student's cells of one notebook may run "
                       "must be more than 0; leave --timeout out for the default (900)"),
    ("--cell-timeout", "-5", "--cell-timeout -5: the seconds each cell may run must be more than 0"),
    ("--check-timeout", "nan", "--check-timeout nan: the seconds each check may run"),
    ("--threads", "0", "--threads 0: the torch threads of each kernel must be more than 0"),
    ("--cpu", "-1", "--cpu -1: the CPU seconds of each kernel must be more than 0"),
    ("--memory", "0", "--memory 0: the limit must be more than 0 bytes; write e.g. --memory 8G"),
    ("--memory", "lots", "not a size: 'lots'"),
    ("--shard", "5/4", "--shard '5/4': i must be between 1 and n (here 1 to 4), e.g. 1/4"),
    ("--shard", "0/0", "--shard '0/0': n, the number of shards, must be 1 or more"),
    ("--shard", "2", "--shard '2': write i/n"),
])
def test_command_line_mistakes_are_refused_with_their_fix(tmp_path, capsys, option, value, said):
    (tmp_path / "class").mkdir()
    code, err = _cli([tmp_path / "class", "--out", tmp_path / "grades", option, value], capsys)
    assert code == 2 and said in err, err
    assert not (tmp_path / "grades").exists(), "nothing is written"


def test_an_out_folder_that_would_hide_the_submissions_is_refused(tmp_path, capsys):
    folder = tmp_path / "class"
    (folder / "week1").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), folder / "week1" / "a.ipynb")
    for out, said in [(folder, "is the submissions folder"),
                      (folder / "grades", "is inside the submissions folder"),
                      (folder / "week1", "is inside the submissions folder"),
                      (tmp_path, "holds the submissions folder")]:
        code, err = _cli([folder, "--out", out, "--quiet"], capsys)
        assert code == 2 and said in err, err
        assert f"--out {tmp_path / 'class-grades'}" in err, "the fix is named"
    assert sorted(p.name for p in folder.rglob("*")) == ["a.ipynb", "week1"], "nothing written"
    # Run from inside the submissions folder, the default gradebook (./grades) is refused too.
    import os

    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code, err = _cli([".", "--quiet"], capsys)
    finally:
        os.chdir(cwd)
    assert code == 2 and "--out grades is inside the submissions folder" in err, err


def test_a_folder_that_is_missing_or_holds_no_notebook_is_refused(tmp_path, capsys):
    code, err = _cli([tmp_path / "nowhere", "--out", tmp_path / "g"], capsys)
    assert code == 2 and "does not exist: give the folder that holds the submitted" in err, err
    (tmp_path / "f.txt").write_text("x")
    code, err = _cli([tmp_path / "f.txt", "--out", tmp_path / "g"], capsys)
    assert code == 2 and "is a file, not a folder" in err, err
    (tmp_path / "class" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "class" / "hw.zip").write_bytes(b"PK")
    (tmp_path / "class" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    code, err = _cli([tmp_path / "class", "--out", tmp_path / "g"], capsys)
    assert code == 2 and "holds no .ipynb file" in err and "not a zip" in err, err
    assert not (tmp_path / "g").exists()


def test_merging_into_one_of_the_merged_gradebooks_is_refused(tmp_path, capsys):
    code, err = _cli(["merge", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "b"], capsys)
    assert code == 2 and "is one of the gradebooks to merge" in err and "--out grades-merged" in err
