"""Self-checks for the dropout chapter's exercises."""
import torch
from torch import nn

from .core import CheckError, exercise, expect, expect_close, expect_shape  # noqa: F401

__all__ = ["check_dropout_layer", "check_dropout_module"]

_FROM_SCRATCH = "Dropout, 'Noise that keeps the expectation' and 'Implementation from scratch'"
_MODES = "Dropout, 'Training mode and evaluation mode'"

_N = (400, 250)       # 100,000 elements: the fraction of zeros is known to about +-0.0016


def _expect_dropped(call, p, tried):
    """Check one random application of dropout with probability p (0 < p < 1) to a tensor.

    `call(X)` applies the student's dropout to X. Checks the fraction of zeros, the
    rescaling of the survivors, the mean, the shape, and that X is left as it was.
    """
    X = torch.rand(_N) + 0.5                 # no zeros in the input, values in [0.5, 1.5)
    X_before = X.clone()
    out = call(X)
    expect_shape(out, _N, tried)
    expect(torch.equal(X, X_before),
           f"{tried} changed its input X in place; return a new tensor instead "
           "(write `X * mask / (1 - p)`, not `X *= ...`).")
    expect(bool(torch.isfinite(out).all()), f"{tried} returned nan or inf values.")
    dropped = (out == 0).float().mean().item()
    if abs(dropped - (1 - p)) < 0.02 and abs(p - 0.5) > 0.1:
        raise CheckError(
            f"{tried} zeroed {dropped:.1%} of the elements, expected about {p:.0%}: you kept "
            f"each element with probability p = {p} instead of dropping it with probability p. "
            "Keep an element when its uniform random number is >= p (probability 1 - p).")
    expect(abs(dropped - p) < 0.02,
           f"{tried} zeroed {dropped:.1%} of the elements, expected about {p:.0%}: each element "
           "must be dropped with probability p.")
    kept = out != 0
    ratio = out[kept] / X[kept]
    if torch.allclose(ratio, torch.ones_like(ratio), rtol=1e-5):
        raise CheckError(
            f"{tried} left the surviving elements unchanged, expected them divided by "
            f"1 - p = {1 - p}: without the rescaling the mean of the output shrinks to "
            f"(1 - p) times the mean of the input, here {out.mean().item():.3f} instead of "
            f"{X.mean().item():.3f}.")
    expect(torch.allclose(ratio, torch.full_like(ratio, 1 / (1 - p)), rtol=1e-5),
           f"{tried} multiplied the surviving elements by factors such as "
           f"{ratio[:3].tolist()}, expected every survivor to be divided by 1 - p = {1 - p} "
           f"(multiplied by {1 / (1 - p):.4g}) so that the expectation stays the same.")
    expect(abs(out.mean().item() - X.mean().item()) < 0.03,
           f"the mean of {tried} is {out.mean().item():.3f}, expected about the mean of X, "
           f"{X.mean().item():.3f}: dropout must be unbiased.")


def _expect_identity_and_zeros(call_p0, call_p1, tried_p0, tried_p1):
    X = torch.randn(6, 5)
    out = call_p0(X.clone())
    expect_close(out, X, tried_p0, hint="with p = 0 nothing is dropped and 1 / (1 - 0) = 1, "
                 "so the output equals the input.")
    out = call_p1(X.clone())
    expect_shape(out, X.shape, tried_p1)
    expect(bool(torch.isfinite(out).all()),
           f"{tried_p1} returned nan or inf: with p = 1 the division by 1 - p is a division by "
           "zero. Return torch.zeros_like(X) in that case.")
    expect_close(out, torch.zeros_like(X), tried_p1,
                 hint="with p = 1 every element is dropped.")


@exercise("dropout_layer", section=_FROM_SCRATCH)
def check_dropout_layer(dropout_layer):
    _expect_identity_and_zeros(lambda X: dropout_layer(X, 0.0), lambda X: dropout_layer(X, 1.0),
                               "dropout_layer(X, 0.0)", "dropout_layer(X, 1.0)")
    for p in (0.5, 0.2, 0.8):
        _expect_dropped(lambda X: dropout_layer(X, p), p, f"dropout_layer(X, {p})")
    for bad in (-0.1, 1.5):
        tried = f"dropout_layer(X, {bad})"
        try:
            dropout_layer(torch.ones(4, 3), bad)
        except ValueError as e:
            expect(str(bad) in str(e),
                   f"{tried} raised ValueError({str(e)!r}); make the message say which value "
                   f"was wrong, for example f'... got p = {{p}}', so that it names {bad}.")
            continue
        except NotImplementedError:
            raise
        except AssertionError:
            raise CheckError(
                f"{tried} raised AssertionError, expected ValueError: an assert disappears "
                "under `python -O` and says nothing about the problem. Write "
                "`if not 0 <= p <= 1: raise ValueError(...)`.") from None
        except Exception as e:  # noqa: BLE001 - report whatever the student's code raised
            raise CheckError(f"{tried} raised {type(e).__name__}({e}), expected a ValueError "
                             "saying that p must be in [0, 1].") from None
        raise CheckError(f"{tried} returned a tensor instead of raising ValueError: {bad} is not "
                         "a probability. Check p before using it.")
    return "drops, rescales, rejects p outside [0, 1]"


@exercise("Dropout", section=_MODES)
def check_dropout_module(Dropout):
    layer = Dropout(0.5)
    expect(isinstance(layer, nn.Module),
           f"Dropout(0.5) is a {type(layer).__name__}, expected an nn.Module: write "
           "`class Dropout(nn.Module)` and call super().__init__() first.")
    for p in (0.5, 0.2, 0.8):
        layer = Dropout(p).train()
        _expect_dropped(layer, p, f"Dropout({p}) in training mode")
    _expect_identity_and_zeros(Dropout(0.0).train(), Dropout(1.0).train(),
                               "Dropout(0.0) in training mode", "Dropout(1.0) in training mode")
    for p in (0.5, 0.9):
        X = torch.randn(50, 40)
        layer = Dropout(p).eval()
        out = layer(X.clone())
        expect_shape(out, X.shape, f"Dropout({p}) in evaluation mode")
        if not torch.allclose(out, X):
            zeros = (out == 0).float().mean().item()
            ratio = (out / X).median().item()
            why = ("it still dropped elements: test self.training and skip dropout when it is "
                   "False" if zeros > 0.05 else
                   f"it scaled X by about {ratio:.3g}: inverted dropout already rescaled in "
                   "training, so evaluation must not scale at all")
            raise CheckError(f"Dropout({p}) in evaluation mode (after .eval()) changed its input, "
                             f"expected X unchanged; {why}.")
    seq = nn.Sequential(nn.Identity(), Dropout(0.5))
    seq.eval()
    X = torch.randn(20, 10)
    expect(torch.allclose(seq(X), X),
           "nn.Sequential(..., Dropout(0.5)).eval() still changed its input: the module must "
           "read self.training, which .eval() sets on every submodule.")
    return "drops and rescales in training, identity in evaluation"
