"""No check crashes on an answer of the wrong type: each one fails with a CheckError.

Every check gets answers that return None, a number, a string, a list, a dict, a numpy
array, tensors of the wrong shape, dtype or kind, and answers that are not callable at
all. A check's own bug (an AttributeError or TypeError escaping from the check) fails here.
"""
import inspect
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import types  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

import lib  # noqa: E402
from lib.checks import CheckError  # noqa: E402

# Every chapter's check module that lib.checks exports, so a new chapter's checks are
# held to the same standard without anyone remembering to list them.
MODULES = [m for m in lib.checks.__all__ if isinstance(getattr(lib.checks, m), types.ModuleType)]
CHECKS = [getattr(getattr(lib.checks, m), name) for m in MODULES
          for name in getattr(lib.checks, m).__all__]

RETURNS = {
    "None": None, "a number": 3, "a float": 0.5, "a string": "abc", "a list": [1, 2],
    "a dict": {"a": 1}, "a numpy array": np.zeros((2, 3)), "a 0-d tensor": torch.tensor(1.0),
    "an empty tensor": torch.zeros(0), "a bool tensor": torch.ones(2, 3, dtype=torch.bool),
    "an int tensor": torch.ones(4, dtype=torch.long), "a complex tensor": torch.ones(2, 3) * 1j,
    "a big tensor": torch.zeros(7, 7, 7), "a tuple of tensors": (torch.zeros(2), torch.zeros(3)),
}


def returning(value):
    """An answer whose every call (and every method call) gives `value`."""
    class Answer:
        def __init__(self, *args, **kwargs):
            pass

        def __call__(self, *args, **kwargs):
            return value

        def __getattr__(self, name):
            return lambda *args, **kwargs: value
    return Answer()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("kind", list(RETURNS))
def test_answers_returning_the_wrong_type_fail_cleanly(check, kind):
    with pytest.raises(CheckError):
        check(returning(RETURNS[kind]))
    plt.close("all")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer", [None, 5, "relu", [1, 2]], ids=repr)
def test_answers_that_are_not_callable_fail_cleanly(check, answer):
    with pytest.raises(CheckError, match="raised TypeError|expected"):
        check(answer)
    plt.close("all")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_a_class_whose_instances_are_junk_fails_cleanly(check):
    # A class answer whose methods return junk: SGD, HyperParameters, XavierMLP, Dropout.
    class Junk:
        def __init__(self, *args, **kwargs):
            pass

        def step(self):
            return None

        def zero_grad(self):
            return None

        def save_hyperparameters(self, ignore=()):
            return None

    with pytest.raises(CheckError):
        check(Junk)
    plt.close("all")


def test_every_check_is_covered():
    """Every check a chapter module exports is one of CHECKS (MODULES is every registered
    chapter module), and each is a function."""
    assert set(MODULES) == set(lib.checks.CHAPTERS)
    assert len(CHECKS) == sum(len(getattr(lib.checks, m).__all__) for m in lib.checks.CHAPTERS)
    assert all(inspect.isfunction(c) for c in CHECKS)


def _named(name, body):
    """A function called `name` (as a student would have named it) running `body`."""
    def answer(*args, **kwargs):
        return body(*args, **kwargs)
    answer.__name__ = answer.__qualname__ = name
    return answer


def _stub(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_messages_name_the_answer_as_the_student_named_it(check):
    """A stub or a wrong answer called `my_own_name` is reported as `my_own_name`, never
    under the exercise's name (a name hard-coded in a check's message fails here)."""
    method = check.exercise == "save_hyperparameters"   # a class, whose method is checked
    if method:
        def junk(self, ignore=()):
            return None
        stub = type("my_own_name", (), {"save_hyperparameters": lambda self, ignore=(): _stub()})
        wrong = type("my_own_name", (), {"__init__": lambda self, *a, **k: None,
                                         "save_hyperparameters": junk})
        shown = "my_own_name.save_hyperparameters"
    else:
        stub, wrong = _named("my_own_name", _stub), _named("my_own_name", lambda *a, **k: None)
        shown = "my_own_name"
    standalone = re.compile(rf"(?<![\w.]){re.escape(check.exercise)}(?!\w)")
    for answer in (stub, wrong):
        with pytest.raises(CheckError) as info:
            check(answer)
        said = str(info.value).split("\nReread:")[0]
        assert said.startswith(f"{shown}: "), said
        if not method:
            assert not standalone.search(said), said
    plt.close("all")
