"""Self-checks for the dropout chapter's exercises."""
import math

import torch
import torch.nn.functional as F
from torch import nn

from .core import (CheckError, call, describe, exercise, expect, expect_close,
                   expect_no_shortcut, expect_shape, expect_tensor, expect_unchanged,
                   names_used, outcome, watching)

__all__ = ["check_dropout_layer", "check_dropout_module"]

_FROM_SCRATCH = "Dropout, 'Noise that keeps the expectation' and 'Implementation from scratch'"
_MODES = "Dropout, 'Training mode and evaluation mode'"

_N = (400, 250)       # 100,000 elements: the fraction of zeros is known to about +-0.0016

# "Write the mask yourself with torch.rand_like": PyTorch's own dropout does it for you.
_LIBRARY_DROPOUT = {"torch.nn.functional.dropout": (F, "dropout"),
                    "torch.dropout": (torch, "dropout"), "torch.dropout_": (torch, "dropout_"),
                    "torch.nn.functional.dropout1d": (F, "dropout1d")}
# A mask from torch.rand(X.shape) lives on the CPU in float32, whatever X is.
_NOT_LIKE_X = {"torch.rand": (torch, "rand")}


def _expect_dropped(call_dropout, p, tried, shape=_N, dtype=torch.float32):
    """Check one random application of dropout with probability p (0 < p < 1) to a tensor.

    `call_dropout(X)` applies the student's dropout to X. Checks the shape and dtype, that
    X is left as it was, the fraction of zeros, that elements are dropped independently
    (not whole rows or columns) and afresh on each call, the rescaling of the survivors,
    and the mean.
    """
    X = torch.empty(shape, dtype=dtype).uniform_(0.5, 1.5)   # no zeros in the input
    X_before = X.clone()
    out = call(call_dropout, tried, X)
    expect_shape(out, shape, tried)
    expect_unchanged(X, X_before, tried,
                     hint="return a new tensor (write `X * mask / (1 - p)`, not `X *= ...`)")
    expect(out.dtype == dtype,
           f"{tried} on a {dtype} tensor returned dtype {out.dtype}: keep X's dtype (the mask "
           "from torch.rand_like(X) has it).")
    expect(bool(torch.isfinite(out).all()), f"{tried} returned nan or inf values.")
    dropped = (out == 0).double().mean().item()
    if abs(dropped - (1 - p)) < 0.02 and abs(p - 0.5) > 0.1:
        raise CheckError(
            f"{tried} zeroed {dropped:.1%} of the elements, expected about {p:.0%}: you kept "
            f"each element with probability p = {p} instead of dropping it with probability p. "
            "Keep an element when its uniform random number is >= p (probability 1 - p).")
    expect(abs(dropped - p) < 0.02,
           f"{tried} zeroed {dropped:.1%} of the elements, expected about {p:.0%}: each element "
           "must be dropped with probability p.")
    if len(shape) >= 2:
        rows = out.reshape(shape[0], -1)
        whole = ((rows == 0).all(dim=1) | (rows != 0).all(dim=1)).double().mean().item()
        cols = out.reshape(-1, shape[-1])
        whole_cols = ((cols == 0).all(dim=0) | (cols != 0).all(dim=0)).double().mean().item()
        expect(whole < 0.5 and whole_cols < 0.5,
               f"{tried} dropped whole {'rows' if whole >= 0.5 else 'columns'} at once: the "
               "mask must have X's shape, one random number per element "
               "(torch.rand_like(X)), not one per row or column.")
    again = call(call_dropout, tried + ", called a second time", X)
    if isinstance(again, torch.Tensor) and again.shape == out.shape:
        expect(not torch.equal(again == 0, out == 0),
               f"{tried} dropped exactly the same elements on a second call: draw a new mask "
               "on every call (no fixed seed, no mask kept from an earlier call).")
    kept = out != 0
    ratio = (out[kept] / X[kept]).double()
    if torch.allclose(ratio, torch.ones_like(ratio), rtol=1e-5):
        raise CheckError(
            f"{tried} left the surviving elements unchanged, expected them divided by "
            f"1 - p = {1 - p}: without the rescaling the mean of the output shrinks to "
            f"(1 - p) times the mean of the input, here {out.mean().item():.3f} instead of "
            f"{X.mean().item():.3f}.")
    expect(torch.allclose(ratio, torch.full_like(ratio, 1 / (1 - p)), rtol=1e-5),
           f"{tried} multiplied the surviving elements by factors such as "
           f"{[round(r, 4) for r in ratio[:3].tolist()]}, expected every survivor to be "
           f"divided by 1 - p = {1 - p} (multiplied by {1 / (1 - p):.4g}) so that the "
           "expectation stays the same.")
    expect(abs(out.mean().item() - X.mean().item()) < 0.03,
           f"the mean of {tried} is {out.mean().item():.3f}, expected about the mean of X, "
           f"{X.mean().item():.3f}: dropout must be unbiased.")


def _expect_identity_and_zeros(call_p0, call_p1, tried_p0, tried_p1):
    X = torch.randn(6, 5)
    out = call(call_p0, tried_p0, X.clone())
    expect_close(out, X, tried_p0, hint="with p = 0 nothing is dropped and 1 / (1 - 0) = 1, "
                 "so the output equals the input.")
    out = call(call_p1, tried_p1, X.clone(),
               hint={ZeroDivisionError: "with p = 1 the division by 1 - p is a division by "
                                        "zero: return torch.zeros_like(X) in that case."})
    expect_shape(out, X.shape, tried_p1)
    expect(bool(torch.isfinite(out).all()),
           f"{tried_p1} returned nan or inf: with p = 1 the division by 1 - p is a division by "
           "zero. Return torch.zeros_like(X) in that case.")
    expect_close(out, torch.zeros_like(X), tried_p1,
                 hint="with p = 1 every element is dropped.")


def _expect_dropout(apply, tried, student, name):
    """The statistics shared by both exercises.

    `apply(p)` returns a one-argument dropout with probability p, `tried(p, X)` says that
    call in words; `student` is the function or class to search for forbidden shortcuts.
    """
    with watching({**_LIBRARY_DROPOUT, **_NOT_LIKE_X}) as used:
        _expect_identity_and_zeros(apply(0.0), apply(1.0), tried(0.0, "X"), tried(1.0, "X"))
        for p in (0.5, 0.2, 0.8):
            _expect_dropped(apply(p), p, tried(p, "X"))
        _expect_dropped(apply(0.3), 0.3, tried(0.3, "X of shape (40, 50, 50)"),
                        shape=(40, 50, 50))
        _expect_dropped(apply(0.5), 0.5, tried(0.5, "a float64 X of shape (100000,)"),
                        shape=(100_000,), dtype=torch.float64)
    expect_no_shortcut(student, [u for u in used if u in _LIBRARY_DROPOUT], _LIBRARY_DROPOUT,
                       name, "write the mask yourself with torch.rand_like(X).")
    expect(not used,
           f"{name} draws its mask with {used[0] if used else ''}(X.shape...), which makes a "
           "float32 tensor on the CPU whatever X's device and dtype: use torch.rand_like(X), "
           "as the exercise says.")


def _what(got):
    return "a tensor" if isinstance(got, torch.Tensor) else describe(got)


@exercise("dropout_layer", section=_FROM_SCRATCH)
def check_dropout_layer(dropout_layer):
    _expect_dropout(lambda p: (lambda X: dropout_layer(X, p)),
                    lambda p, X: f"dropout_layer({X}, {p})", dropout_layer, "dropout_layer")
    for bad in (-0.1, 1.5, math.nan):
        tried = f"dropout_layer(X, {bad})"
        got, error = outcome(dropout_layer, torch.ones(4, 3), bad)
        if isinstance(error, ValueError):
            expect(str(bad) in str(error),
                   f"{tried} raised ValueError({str(error)!r}); make the message say which "
                   f"value was wrong, for example f'... got p = {{p}}', so that it names {bad}.")
            continue
        if isinstance(error, AssertionError):
            raise CheckError(
                f"{tried} raised AssertionError, expected ValueError: an assert disappears "
                "under `python -O` and says nothing about the problem. Write "
                "`if not 0 <= p <= 1: raise ValueError(...)`.") from error
        if error is not None:
            raise CheckError(f"{tried} raised {type(error).__name__}({error}), expected a "
                             "ValueError saying that p must be in [0, 1].") from error
        if bad != bad:  # nan
            raise CheckError(f"{tried} returned {_what(got)} instead of raising ValueError: "
                             "every comparison with nan is false, so `p < 0 or p > 1` lets "
                             "nan through. Test `not 0 <= p <= 1` instead.")
        raise CheckError(f"{tried} returned {_what(got)} instead of raising ValueError: "
                         f"{bad} is not a probability. Check p before using it.")
    return "drops, rescales, rejects p outside [0, 1]"


@exercise("Dropout", section=_MODES)
def check_dropout_module(Dropout):
    layer = call(Dropout, "Dropout(0.5)", 0.5)
    expect(isinstance(layer, nn.Module),
           f"Dropout(0.5) is {describe(layer)}, expected an nn.Module: write "
           "`class Dropout(nn.Module)` and call super().__init__() first.")
    expect(not {"dropout_layer", "safe_dropout_layer"} & names_used(type(layer)),
           "Dropout calls dropout_layer, which the exercise rules out: write the mask "
           "yourself with torch.rand_like(X).")
    default = call(Dropout, "Dropout()")
    expect(getattr(default, "p", None) == 0.5,
           f"Dropout() has p = {describe(getattr(default, 'p', None))}, expected 0.5: give "
           "__init__ the default p=0.5 and store it as self.p.")
    _expect_dropout(lambda p: Dropout(p).train(),
                    lambda p, X: f"Dropout({p}) in training mode, applied to {X}",
                    type(layer), "Dropout")
    for p in (0.5, 0.9):
        X = torch.randn(50, 40)
        layer = Dropout(p).eval()
        tried = f"Dropout({p}) in evaluation mode"
        out = call(layer, tried, X.clone())
        expect_shape(out, X.shape, tried)
        if not torch.allclose(out, X):
            zeros = (out == 0).float().mean().item()
            ratio = (out / X).median().item()
            why = ("it still dropped elements: test self.training and skip dropout when it is "
                   "False" if zeros > 0.05 else
                   f"it scaled X by about {ratio:.3g}: inverted dropout already rescaled in "
                   "training, so evaluation must not scale at all")
            raise CheckError(f"{tried} (after .eval()) changed its input, expected X "
                             f"unchanged; {why}.")
    seq = nn.Sequential(nn.Identity(), Dropout(0.5))
    seq.eval()
    X = torch.randn(20, 10)
    out = call(seq, "nn.Sequential(nn.Identity(), Dropout(0.5)).eval()", X)
    expect_tensor(out, "nn.Sequential(nn.Identity(), Dropout(0.5)).eval()")
    expect(torch.allclose(out, X),
           "nn.Sequential(..., Dropout(0.5)).eval() still changed its input: the module must "
           "read self.training, which .eval() sets on every submodule.")
    return "drops and rescales in training, identity in evaluation"
