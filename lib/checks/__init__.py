"""Self-checks for the exercises: teachers, not gates.

A check calls the student's code on small cases. When it passes it prints one line;
when it fails it raises `CheckError` saying what it tried, what came back, what was
expected, and which section to reread. Code that still raises `NotImplementedError`
gets "not implemented yet".

Each chapter's checks live in a submodule (``lib.checks.mlp.check_relu`` ...), built
with the `exercise` decorator and the `expect_*` helpers below.
"""
import functools

import torch

__all__ = ["CheckError", "NOT_IMPLEMENTED", "exercise", "expect", "expect_close",
           "expect_shape", "intro", "prelim", "linreg", "softmax", "mlp", "backprop",
           "init", "dropout"]

NOT_IMPLEMENTED = "not implemented yet"


class CheckError(AssertionError):
    """A self-check failed; the message explains why and what to reread."""


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
                raise CheckError(
                    f"{name}: {NOT_IMPLEMENTED}. Replace the `raise NotImplementedError` "
                    f"with your code, run that cell, then run this check again.") from None
            except CheckError as e:
                raise CheckError(f"{name}: {e}\nReread: {section}.") from None
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
from . import calculus_probability, generalization  # noqa: E402
__all__ += ["calculus_probability", "generalization"]
