"""What the tests of the chapters' checks (tests/test_checks_*.py) share.

Each check is tested three ways (CONTRIBUTING.md, "An exercise"): the solution passes,
a stub fails with the not-implemented message, and plausible wrong answers fail with a
message naming the mistake. `passes` and `fails` are those two outcomes; `stub` is an
exercise's function as the student notebook hands it out. `solutions_pass` and
`stubs_fail` make the first two tests for a whole test module:

    test_solutions_pass = solutions_pass((check_relu, relu), (check_prelu, prelu))
    test_stubs_fail = stubs_fail(check_relu, check_prelu)
"""
import contextlib
import inspect

import pytest

from lib.checks import NOT_IMPLEMENTED, CheckError


def stub(*args, **kwargs):
    """An exercise's function before the student writes it."""
    raise NotImplementedError


def passes(check, answer, capsys):
    """`check` accepts `answer` and prints that it passed."""
    check(answer)
    assert "check passed" in capsys.readouterr().out


def fails(check, answer, message=NOT_IMPLEMENTED, cause=None):
    """`check` rejects `answer` with a CheckError whose text matches the pattern `message`.

    With `cause`, an exception class: the answer crashed, and the CheckError keeps the
    student's own exception, of that class, as its __cause__ (their traceback is shown).
    """
    with pytest.raises(CheckError, match=message) as info, named_as_in_the_book(check, answer):
        check(answer)
    if cause is not None:
        assert isinstance(info.value.__cause__, cause), info.value.__cause__


@contextlib.contextmanager
def named_as_in_the_book(check, answer):
    """While the block runs, `answer` (a function or class) bears the name the check's
    parameter has, as the book names it: a check's messages name the answer by its own
    `__name__`, so the patterns in the tests, written with the book's name, match whatever
    the test called its wrong answer."""
    param = next(iter(inspect.signature(check).parameters), None)
    if param is None or not isinstance(getattr(answer, "__name__", None), str) \
            or not hasattr(answer, "__dict__"):
        yield
        return
    saved = answer.__name__
    try:
        answer.__name__ = param
    except (AttributeError, TypeError):   # a builtin: its name stays
        yield
        return
    try:
        yield
    finally:
        answer.__name__ = saved


def solutions_pass(*cases):
    """A test, for a test module to take as its own, that each right answer passes its check.

    A case is a (check, answer) pair, named after the answer, or a pytest.param of one
    with an id of its own.
    """
    @pytest.mark.parametrize("check, answer", [
        pytest.param(*case, id=case[1].__name__) if type(case) is tuple else case  # not a param
        for case in cases])
    def test(check, answer, capsys):
        passes(check, answer, capsys)
    return test


def stubs_fail(*cases):
    """A test, for a test module to take as its own, that each check says "not implemented
    yet" of a stub. A case is a check, given `stub`, or a (check, stub) pair for an
    exercise whose stub is a class; each is named after its check."""
    pairs = [case if type(case) is tuple else (case, stub) for case in cases]

    @pytest.mark.parametrize("check, answer", [
        pytest.param(check, answer, id=check.__name__) for check, answer in pairs])
    def test(check, answer):
        fails(check, answer)
    return test


def copy_working_tree(to):
    """The repository's files as git sees them (tracked, and untracked but not ignored),
    copied into the folder `to`: what the new-chapter and fresh-environment tests work on."""
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=root, check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, files):
        if (root / name).is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, to / name)
    return to
