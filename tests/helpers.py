"""What the tests of the chapters' checks (tests/test_checks_*.py) share.

Each check is tested three ways (CONTRIBUTING.md, "An exercise"): the solution passes,
a stub fails with the not-implemented message, and plausible wrong answers fail with a
message naming the mistake. `passes` and `fails` are those two outcomes; `stub` is an
exercise's function as the student notebook hands it out.
"""
import pytest

from lib.checks import NOT_IMPLEMENTED, CheckError


def stub(*args, **kwargs):
    """An exercise's function or class before the student writes it."""
    raise NotImplementedError


def passes(check, answer, capsys):
    """`check` accepts `answer` and prints that it passed."""
    check(answer)
    assert "check passed" in capsys.readouterr().out


def fails(check, answer, message=NOT_IMPLEMENTED):
    """`check` rejects `answer` with a CheckError whose text matches the pattern `message`.

    Returns the error, for tests that look further (its __cause__ is the student's own
    exception when the answer crashed).
    """
    with pytest.raises(CheckError, match=message) as info:
        check(answer)
    return info.value
