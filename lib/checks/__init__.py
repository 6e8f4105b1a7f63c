"""Self-checks for the exercises: teachers, not gates.

A check calls the student's code on small cases. When it passes it prints one line;
when it fails it raises `CheckError` saying what it tried, what came back, what was
expected, and which section to reread. Code that still raises `NotImplementedError`
gets "not implemented yet".

Each chapter's checks live in a submodule (``lib.checks.mlp.check_relu`` ...), built
with the `exercise` decorator and the `expect_*` helpers below.

Student notebooks call `keep_going()` first, so a failing check prints its message and
the notebook runs on, and `summary()` last, to list what passed, failed or is not
implemented yet. The book never calls `keep_going`: there a failing check stops the build.
"""
import functools
import sys
import traceback

import torch

__all__ = ["CheckError", "NOT_IMPLEMENTED", "keep_going", "summary", "exercise", "expect", "expect_close",
           "expect_shape", "intro", "prelim", "linreg", "softmax", "mlp", "backprop",
           "init", "dropout"]

NOT_IMPLEMENTED = "not implemented yet"


class CheckError(AssertionError):
    """A self-check failed; the message explains why and what to reread."""


PASSED, FAILED = "passed", "failed"
_state = {"keep_going": False}
_results = {}  # exercise name -> PASSED, FAILED or NOT_IMPLEMENTED, in the order first run


def keep_going(on=True):
    """From now on a failing check prints its message and records it instead of raising.

    Student notebooks call this in their set-up cell so "Run all" reaches every exercise;
    `summary()` then lists the results. `keep_going(False)` restores the default (raise).
    """
    _state["keep_going"] = bool(on)


def summary():
    """Print which exercises passed, failed or are not implemented yet; return that dict.

    The dict maps each exercise whose check ran in this kernel to "passed", "failed" or
    "not implemented yet" (the latest run of each check counts).
    """
    results = dict(_results)
    if not results:
        print("No exercise has been checked yet: run the check cells first.")
        return results
    counts = {s: sum(1 for r in results.values() if r == s)
              for s in (PASSED, FAILED, NOT_IMPLEMENTED)}
    print(f"Exercises checked: {len(results)}; {counts[PASSED]} passed, "
          f"{counts[FAILED]} failed, {counts[NOT_IMPLEMENTED]} {NOT_IMPLEMENTED}.")
    marks = {PASSED: "✔", FAILED: "✘", NOT_IMPLEMENTED: "…"}
    for name, status in results.items():
        print(f"  {marks[status]} {name}: {status}")
    return results


def _fail(name, status, message, cause=None):
    """Record a failed or unimplemented check; raise, or print it when keeping going.

    `cause` (an error raised inside the student's code) stays chained to the CheckError,
    so the student's own traceback is shown under the check's message.
    """
    _results[name] = status
    if not _state["keep_going"]:
        raise CheckError(message) from cause
    print(f"✘ {message}")
    if cause is not None:
        print("Your code raised this (most recent call last):")
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stdout)


def exercise(name, section):
    """Decorate a check function for the exercise `name`; `section` is where to reread.

    The decorated check passes when it returns (it may return a short note to print)
    and fails by raising `CheckError` (use the `expect*` helpers).
    """
    def decorate(check):
        @functools.wraps(check)
        def run(*args, **kwargs):
            try:
                note = check(*args, **kwargs)
            except NotImplementedError:
                return _fail(name, NOT_IMPLEMENTED,
                             f"{name}: {NOT_IMPLEMENTED}. Replace the `raise NotImplementedError` "
                             f"with your code, run that cell, then run this check again.")
            except CheckError as e:
                return _fail(name, FAILED, f"{name}: {e}\nReread: {section}.", e.__cause__)
            except Exception as e:
                # Not a verdict of the check: the book must see it as is, a notebook runs on.
                if not _state["keep_going"]:
                    _results[name] = FAILED
                    raise
                return _fail(name, FAILED, f"{name}: the check stopped with "
                             f"{type(e).__name__}: {e}", e)
            _results[name] = PASSED
            print(f"✔ {name}: check passed" + (f" ({note})" if note else "."))
        run.exercise, run.section = name, section
        return run
    return decorate


def expect(condition, message):
    """Fail with `message` unless `condition` holds."""
    if not condition:
        raise CheckError(message)


def _fmt(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        if x.numel() > 12:
            return f"tensor of shape {tuple(x.shape)}"
        return repr(x).replace("\n", " ")
    return repr(x)


def expect_shape(got, shape, tried):
    """Fail unless `got` is a tensor of the given shape."""
    if not isinstance(got, torch.Tensor):
        raise CheckError(f"{tried} returned {type(got).__name__}, expected a tensor of shape "
                         f"{tuple(shape)}.")
    if tuple(got.shape) != tuple(shape):
        raise CheckError(f"{tried} returned a tensor of shape {tuple(got.shape)}, expected "
                         f"shape {tuple(shape)}.")


def expect_close(got, expected, tried, hint="", atol=1e-5, rtol=1e-4):
    """Fail unless tensor `got` equals `expected` (same shape, values within tolerance)."""
    expected = torch.as_tensor(expected)
    expect_shape(got, expected.shape, tried)
    got_c, exp_c = got.detach().cpu().to(torch.float64), expected.detach().cpu().to(torch.float64)
    if not torch.allclose(got_c, exp_c, atol=atol, rtol=rtol, equal_nan=False):
        raise CheckError(f"{tried} returned {_fmt(got)}, expected {_fmt(expected)}."
                         + (f" Hint: {hint}" if hint else ""))


from . import backprop, dropout, init, intro, linreg, mlp, prelim, softmax  # noqa: E402
