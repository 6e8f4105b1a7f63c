"""The grader on a whole class of real submission shapes, graded in one run.

The class is made from the backpropagation chapter's student notebook (fast: nothing
trains on Fashion-MNIST): solved (the chapter's own solutions put in the stubs),
unsolved, half-solved, wrong, and each kind of bad submission. One `python -m grading`
run grades them all; each test then reads the gradebook.
"""
import copy
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grading.chapters import load_chapter, solved_notebook, student_notebook

pytestmark = pytest.mark.slow  # every test here starts kernels (about a minute in all)

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "backprop"
BIAS, NUMGRAD = "ex-backprop-bias", "ex-backprop-numgrad"
# The loops of the class run into these limits, and the busy ones burn CPU until then.
# The chapter's cells take at most 0.2 s each on an idle machine (its imports, seconds on
# a busy one, are the kernel's warm-up: grading.kernel.WARM_UP), so 6 s leaves a margin
# of 30 for the load of the test run.
CELL_TIMEOUT = 6
LIMITS = ["--cell-timeout", str(CELL_TIMEOUT), "--check-timeout", "6", "--timeout", "180",
          "--memory", "5G"]
WRONG_BIAS = ("def grads_with_bias(X, y, W1, b1, W2, b2, lambd):\n"
              "    return tuple(torch.zeros_like(p) for p in (W1, b1, W2, b2))")


def grading(*args, cwd, tmp=None):
    """Run ``python -m grading``; with `tmp`, as its TMPDIR (a folder of the test's own)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    return subprocess.run([sys.executable, "-m", "grading", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def find(nb, text):
    """Index of the first code cell whose source contains `text`."""
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and text in c.source)


def insert(nb, before, source):
    nb = copy.deepcopy(nb)
    nb.cells.insert(before, nbformat.v4.new_code_cell(source))
    return nb


def replace(nb, index, source):
    nb = copy.deepcopy(nb)
    nb.cells[index].source = source
    return nb


def answered(nb):
    """The notebook with a written answer to the first prose exercise (the chapter's third)."""
    nb = copy.deepcopy(nb)
    at = next(i for i, c in enumerate(nb.cells)
              if re.match(r"\*Your answer to Exercise (\d+\.)?3:", c.source))
    nb.cells[at].source = "Training keeps every activation for the backward pass."
    return nb


def make_class(folder: Path, repo_snapshot: Path):
    solved, unsolved = solved_notebook(CHAPTER), student_notebook(CHAPTER)
    top = find(solved, "import torch") + 1          # after the chapter's imports
    bias_check = find(solved, "check_grads_with_bias")
    num_def, num_check = find(solved, "def numerical_grad"), find(solved, "check_numerical_grad")
    wrong = replace(unsolved, find(unsolved, "def grads_with_bias"), WRONG_BIAS)
    wrong = replace(wrong, find(wrong, "def numerical_grad"),
                    "def numerical_grad(f, W, eps=1e-6):\n    while True:\n        pass")
    reordered = copy.deepcopy(solved)
    checks = [reordered.cells[bias_check], reordered.cells[num_check]]
    reordered.cells = [c for i, c in enumerate(reordered.cells)
                       if i not in (bias_check, num_check, num_def)]
    reordered.cells[1:1] = checks[::-1]             # check cells first, numerical_grad deleted
    tampered = insert(unsolved, find(unsolved, "check_grads_with_bias"),
                      "import sys, types, lib.checks\n"
                      "lib.checks.backprop.check_grads_with_bias = lambda f: print('✔ passed')\n"
                      "lib.checks.CheckError = type('CheckError', (Exception,), {})\n"
                      "sys.modules['lib.checks.backprop'] = types.SimpleNamespace(\n"
                      "    check_numerical_grad=lambda f: print('✔ passed'))")
    tampered = replace(tampered, find(tampered, "check_numerical_grad"), "pass  # no check here")
    no_meta = copy.deepcopy(solved)
    del no_meta.metadata["course"]
    unknown = copy.deepcopy(solved)
    unknown.metadata["course"]["chapter"] = "../../etc/passwd"
    shapes = {
        "solved": solved,
        "unsolved": unsolved,
        "half-solved": answered(solved_notebook(CHAPTER, only={BIAS})),
        "wrong": wrong,
        "reordered": reordered,
        "tampered": tampered,
        # ... and a numerical_grad redefined at the end that exits the check: an error.
        "syntax-error": insert(insert(solved, top, "def broken(:\n    pass"), len(solved.cells) + 1,
                               "def numerical_grad(f, W, eps=1e-6):\n    import sys\n    sys.exit(5)"),
        "raises": insert(solved, top, "raise ValueError('my own bug')"),
        "infinite-loop": insert(solved, top, "while True:\n    pass"),
        "stubborn-loop": insert(solved, top, "import time\nwhile True:\n    try:\n"
                                             "        time.sleep(0.1)\n    except KeyboardInterrupt:\n"
                                             "        pass"),
        "sys-exit": insert(insert(solved, top, "import sys\nsys.exit(3)"), top + 1,
                           "import os\nos._exit(4)"),
        "prints-megabytes": insert(solved, top, "for _ in range(100_000):\n    print('x' * 60)"),
        # bytes(n) asks for zeroed pages without writing them: the address-space limit is
        # reached as surely as with bytearray(n), without seconds of writing zeros (which a
        # loaded machine stretched past the cell's time limit) and gigabytes of RAM.
        "eats-memory": insert(solved, top, "hog = []\nwhile True:\n    hog.append(bytes(10**8))"),
        "deletes-files": insert(solved, top,
                                "import os, shutil, tempfile\n"
                                "open('escape.txt', 'w').write('hi')\n"
                                "for f in os.listdir('.'):\n    os.remove(f)\n"
                                "shutil.rmtree(os.path.expanduser('~'))\n"
                                "os.chdir(tempfile.gettempdir())\n"
                                "open('moved.txt', 'w').write('hi')\n"
                                "print(os.getcwd())"),
        "no-metadata": no_meta,
        "unknown-chapter": unknown,
    }
    folder.mkdir()
    for name, nb in shapes.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "not-a-notebook.ipynb").write_bytes(b"%PDF-1.4 this is a pdf\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "empty.ipynb").write_text("{}")
    (folder / "notes.txt").write_text("not a submission")
    return shapes


def snapshot(*folders):
    return {str(p): p.stat().st_mtime_ns for f in folders for p in sorted(f.rglob("*"))
            if ".git" not in p.parts and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, once_per_run):
    """The class, graded once per test run (shared by the xdist workers)."""
    return once_per_run("graded-class", lambda: grade_the_class(tmp_path_factory))


def grade_the_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    folder, out = base / "class", base / "gradebook"
    make_class(folder, ROOT)
    before = snapshot(folder, ROOT / "lib", ROOT / "book", ROOT / "notebooks")
    # The grader's own temporary folders go into a folder of this test's (other runs of
    # the grader on this machine, in parallel, cannot change what is found there).
    tmp = base / "tmp"
    tmp.mkdir()
    proc = grading(folder, "--out", out, "--jobs", "3", *LIMITS, cwd=base, tmp=tmp)
    rows = {r["submission"]: r for r in csv.DictReader((out / "grades.csv").open())}
    results = {r["submission"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    return dict(proc=proc, folder=folder, out=out, rows=rows, results=results, base=base,
                before=before, after=snapshot(folder, ROOT / "lib", ROOT / "book", ROOT / "notebooks"),
                temp_new=set(tmp.iterdir()))


def status(graded, name, label):
    return graded["rows"][f"{name}.ipynb"][label]


def notes(graded, name):
    return " ".join(graded["results"][f"{name}.ipynb"]["notes"])


def test_the_whole_class_is_graded_and_the_exit_status_is_0(graded):
    proc = graded["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = sorted(graded["rows"])
    assert len(names) == 18 and "sub/empty.ipynb" in names and "notes.txt" not in names
    assert "18/18" in proc.stderr, "the progress bar shows the counts"
    header = next(csv.reader((graded["out"] / "grades.csv").open()))
    labels = [e.label for e in load_chapter(CHAPTER).exercises]
    assert header == ["submission", "chapter", "graded", "total", "out_of", *labels, "reason", "notes"]
    for name in names:
        assert (graded["out"] / "feedback" / (name.removesuffix(".ipynb") + ".md")).is_file()


def test_solved_unsolved_half_solved(graded):
    rows = graded["rows"]
    assert (rows["solved.ipynb"]["total"], rows["solved.ipynb"]["out_of"]) == ("2", "2")
    assert status(graded, "solved", BIAS) == status(graded, "solved", NUMGRAD) == "passed"
    assert notes(graded, "solved") == ""
    assert status(graded, "unsolved", BIAS) == status(graded, "unsolved", NUMGRAD) == "not attempted"
    assert rows["unsolved.ipynb"]["total"] == "0"
    assert (status(graded, "half-solved", BIAS), status(graded, "half-solved", NUMGRAD)) == \
        ("passed", "not attempted")
    assert rows["half-solved.ipynb"]["total"] == "1"
    assert status(graded, "half-solved", "ex-backprop-memory") == "answered (not scored)"
    fb = (graded["out"] / "feedback" / "half-solved.md").read_text()
    assert "Training keeps every activation for the backward pass." in fb
    # Prose exercises are listed, not scored.
    assert status(graded, "solved", "ex-backprop-memory") == "blank (not scored)"


def verdict_here(source, label):
    """(status, message) that the course's check of exercise `label` gives, run in this
    process, on the function that `source` defines: what the gradebook must say of it,
    whatever the check's wording."""
    import torch

    import lib.checks
    from grading.kernel_side import grade

    namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "lib": lib}
    exec(source, namespace)  # noqa: S102 - the test's own answer
    (check,) = load_chapter(CHAPTER).exercise(label).checks
    lib.checks.keep_going(False)
    return grade(lib.checks, getattr(getattr(lib.checks, check.module), check.function),
                 [namespace[a] for a in check.args], {})


def test_feedback_carries_the_checks_own_messages(graded):
    fb = (graded["out"] / "feedback" / "wrong.md").read_text()
    first, second = load_chapter(CHAPTER).scored[:2]          # "Exercise 7.1", as on the site
    assert f"{first.heading}: ✘ failed" in fb and first.title == "Gradients with biases"
    status, message = verdict_here(WRONG_BIAS, BIAS)            # the CheckError's own text
    assert status == "failed" and graded["results"]["wrong.ipynb"]["exercises"][BIAS]["message"] == message
    assert message.rstrip() in fb
    assert f"{second.heading}: ⏱ timed out" in fb and second.title == "A gradient checker"
    assert "Written answers (read by your instructor, not scored)" in fb
    solved = (graded["out"] / "feedback" / "solved.md").read_text()
    status, message = verdict_here("\n\n".join(first.solution), BIAS)
    assert status == "passed" and message in solved and "**2 of 2**" in solved
    unsolved = graded["results"]["unsolved.ipynb"]["exercises"][BIAS]["message"]
    assert verdict_here("def grads_with_bias(*args):\n    raise NotImplementedError", BIAS) == \
        ("not attempted", unsolved)


def test_wrong_answer_fails_and_a_hanging_function_times_out(graded):
    assert status(graded, "wrong", BIAS) == "failed"
    assert status(graded, "wrong", NUMGRAD) == "timed out"


def test_course_checks_not_the_students(graded):
    """Tampered, edited, deleted or reordered check cells do not change the grade."""
    assert status(graded, "tampered", BIAS) == status(graded, "tampered", NUMGRAD) == "not attempted"
    assert status(graded, "reordered", BIAS) == "passed"
    assert status(graded, "reordered", NUMGRAD) == "not attempted"
    msg = graded["results"]["reordered.ipynb"]["exercises"][NUMGRAD]["message"]
    assert "numerical_grad" in msg and "not defined" in msg


@pytest.mark.parametrize("name, said", [
    ("syntax-error", "SyntaxError"),
    ("raises", "ValueError: my own bug"),
    ("infinite-loop", f"ran longer than its time limit ({CELL_TIMEOUT} s) and was interrupted"),
    ("stubborn-loop", "could not be interrupted"),
    ("sys-exit", "SystemExit"),
    ("prints-megabytes", "printed 6 million characters"),
    ("eats-memory", "MemoryError"),
])
def test_bad_cells_are_recorded_and_the_rest_is_graded(graded, name, said):
    assert said in notes(graded, name), notes(graded, name)
    assert status(graded, name, BIAS) == "passed", notes(graded, name)
    if name != "syntax-error":
        assert status(graded, name, NUMGRAD) == "passed", notes(graded, name)


def test_code_that_breaks_a_check_is_an_error(graded):
    assert status(graded, "syntax-error", NUMGRAD) == "error"
    msg = graded["results"]["syntax-error.ipynb"]["exercises"][NUMGRAD]["message"]
    assert "sys.exit(5)" in msg


def test_a_dying_kernel_is_replaced(graded):
    said = notes(graded, "sys-exit")
    assert "the kernel exited with status 4" in said and "fresh kernel" in said


@pytest.mark.parametrize("name, reason", [
    ("not-a-notebook", "not a notebook: the file is not JSON"),
    ("sub/empty", "not a notebook: the JSON has no 'cells'"),
    ("no-metadata", "does not say which chapter it is"),
    ("unknown-chapter", "'../../etc/passwd' is not a chapter of this course"),
])
def test_unreadable_submissions_get_a_reason(graded, name, reason):
    row = graded["rows"][f"{name}.ipynb"]
    assert row["graded"] == "no" and reason in row["reason"], row["reason"]
    fb = (graded["out"] / "feedback" / f"{name}.md").read_text()
    assert "could not be graded" in fb and reason in fb


def test_nothing_outside_the_temporary_folders_is_touched(graded):
    assert status(graded, "deletes-files", BIAS) == "passed"
    assert graded["after"] == graded["before"]
    assert not list(graded["base"].rglob("escape.txt")) and not list(graded["base"].rglob("moved.txt"))
    assert not list(ROOT.rglob("escape.txt"))
    assert graded["temp_new"] == set(), "the grader's temporary folders are removed"


def test_shards_merge_into_the_same_gradebook(tmp_path):
    """Shards of a class (here of unreadable submissions: no kernel needed) merge into one."""
    folder = tmp_path / "class"
    folder.mkdir()
    for k in range(5):
        (folder / f"s{k}.ipynb").write_text("not json" if k % 2 else '{"cells": []}')
    from grading.__main__ import main

    assert main([str(folder), "--out", str(tmp_path / "whole"), "--quiet"]) == 0
    shards = [tmp_path / f"grades-shard-{i}-of-3" for i in (1, 2, 3)]
    for i in (1, 2, 3):
        assert main([str(folder), "--shard", f"{i}/3", "--out", str(shards[i - 1]), "--quiet"]) == 0
    sizes = [len((s / "results.jsonl").read_text().splitlines()) for s in shards]
    assert sizes == [2, 2, 1]
    merged = grading("merge", *shards, "--out", tmp_path / "merged", cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert (tmp_path / "merged" / "grades.csv").read_text() == (tmp_path / "whole" / "grades.csv").read_text()
    assert sorted(p.name for p in (tmp_path / "merged" / "feedback").iterdir()) == \
        [f"s{k}.md" for k in range(5)]
    missing = grading("merge", *shards[:2], "--out", tmp_path / "bad", cwd=tmp_path)
    assert missing.returncode == 2 and "missing 3/3" in missing.stderr


def test_grading_that_cannot_run_exits_non_zero(tmp_path):
    p = grading(tmp_path / "nowhere", cwd=tmp_path)
    assert p.returncode == 2 and "does not exist: give the folder" in p.stderr
    (tmp_path / "c").mkdir()
    nbformat.write(student_notebook(CHAPTER), tmp_path / "c" / "a.ipynb")
    p = grading(tmp_path / "c", "--memory", "200M", "--quiet", cwd=tmp_path)
    assert p.returncode == 2 and "memory" in p.stderr, p.stderr


def test_the_whole_notebook_time_limit(tmp_path):
    """Cells each within their limit, together over the notebook's: the rest is not run,
    and the checks still report (here: nothing defined, so not attempted)."""
    from grading.limits import Limits
    from grading.run import grade_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(3)") for _ in range(4)]
    got = grade_notebook(nb, load_chapter(CHAPTER), tmp_path,
                         Limits(cell_timeout=20, timeout=5, check_timeout=20))
    said = " ".join(got["notes"])
    # Which cell the limit cuts depends on the machine's load; that it cuts, does not.
    assert "ran past its time limit (5 s for all cells)" in said and "were not run" in said, said
    assert {e["status"] for e in got["exercises"].values()} == {"not attempted"}


def test_the_course_library_is_imported_before_the_students_first_cell(tmp_path):
    """A cell's time limit is the student's: torch and lib are imported before the first
    cell (grading.kernel.WARM_UP), and no name of that import is left for the student."""
    from grading.limits import Limits
    from grading.run import grade_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import sys\nassert {'torch', 'lib'} <= set(sys.modules), 'not imported before'\n"
        "assert not {'_torch', '_lib', 'torch', 'lib'} & set(globals()), 'names left'")]
    got = grade_notebook(nb, load_chapter(CHAPTER), tmp_path,
                         Limits(cell_timeout=20, timeout=60, check_timeout=20))
    assert got["notes"] == [], got["notes"]
