"""Self-checks for the multilayer perceptrons chapter's exercises."""
import torch
import torch.nn.functional as F

from .core import (CheckError, call, describe, exercise, expect, expect_close,
                   expect_no_shortcut, expect_shape, expect_unchanged, outcome, same,
                   watching)

__all__ = ["check_relu", "check_mlp_forward", "check_prelu"]

_ACTIVATIONS = "the multilayer perceptrons chapter, 'Activation functions'"

# "without torch.relu or clamp": every spelling of those two.
_RELU_SHORTCUTS = {
    **{f"torch.{n}": (torch, n) for n in ("relu", "relu_", "clamp", "clamp_", "clamp_min",
                                          "clamp_min_", "clip", "clip_")},
    **{f"Tensor.{n}": (torch.Tensor, n) for n in ("relu", "relu_", "clamp", "clamp_",
                                                  "clamp_min", "clamp_min_", "clip", "clip_")},
    "torch.nn.functional.relu": (F, "relu"), "torch.nn.functional.relu_": (F, "relu_"),
}


@exercise("relu", section=_ACTIVATIONS)
def check_relu(relu):
    X = torch.tensor([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]])
    cases = [("tensor([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]])", X),
             ("tensor([-3.0, 2.0, -0.1, 0.0])", torch.tensor([-3.0, 2.0, -0.1, 0.0])),
             ("a batch of shape (2, 3, 4)", torch.linspace(-3, 3, 24).reshape(2, 3, 4)),
             ("tensor(-1.5), a 0-d tensor", torch.tensor(-1.5)),
             ("tensor([-inf, -1e30, 1e30, inf])",
              torch.tensor([-float("inf"), -1e30, 1e30, float("inf")])),
             ("a float64 tensor([[-1.0, 2.0]])", torch.tensor([[-1.0, 2.0]], dtype=torch.float64))]
    with watching(_RELU_SHORTCUTS) as used:
        results = []
        for text, x in cases:
            tried, before = f"relu({text})", x.clone()
            got = call(relu, tried, x,
                       hint={(RuntimeError, IndexError, TypeError):
                             "build the zeros with torch.zeros_like(X), which has X's shape "
                             "whatever it is."})
            results.append((tried, x, before, got))
    expect_no_shortcut(relu, used, _RELU_SHORTCUTS, "relu",
                       "build it from torch.zeros_like and torch.max.")
    for tried, x, before, got in results:
        expect_shape(got, x.shape, tried)
        expect_unchanged(x, before, tried,
                         hint="build a new tensor (torch.max(X, torch.zeros_like(X))) instead "
                              "of writing into X")
        expected = torch.where(x > 0, x, torch.zeros_like(x))
        if torch.equal(got, expected):
            pass
        elif same(got, torch.min(x, torch.zeros_like(x))):
            raise CheckError(f"{tried} returned {describe(got)}: that is min(x, 0), which keeps "
                             "the negative part. ReLU keeps the larger of x and 0: torch.max.")
        elif same(got, x):
            raise CheckError(f"{tried} returned its input unchanged: negative entries must "
                             "become 0, only positive ones pass through.")
        elif torch.isnan(got).any() and not torch.isnan(x).any():
            raise CheckError(f"{tried} returned {describe(got)}, with nan where "
                             f"{describe(expected)} was expected: multiplying by a mask, or "
                             "(x + |x|) / 2, turns -inf or inf into nan (inf * 0, -inf + inf). "
                             "torch.max(X, torch.zeros_like(X)) has no such problem.")
        else:
            expect_close(got, expected, tried, atol=0, rtol=0,
                         hint="ReLU(x) = max(x, 0), elementwise: negatives become 0, the rest "
                              "pass unchanged.")
        expect(got.dtype == x.dtype,
               f"{tried} returned dtype {got.dtype}, expected {x.dtype}: use "
               "torch.zeros_like(X) so the zeros have X's dtype.")
    return "any shape, infinities too, X untouched, no torch.relu or clamp"


def _reference_forward(X, params, activate_last=False, activation=torch.relu):
    H = X.reshape(X.shape[0], -1)                  # (batch, num_inputs)
    for i, (W, b) in enumerate(params):
        H = H @ W + b
        if i < len(params) - 1 or activate_last:
            H = activation(H)
    return H


def _make_params(sizes, gen):
    return [(torch.randn(n_in, n_out, generator=gen, dtype=torch.float64),
             torch.randn(n_out, generator=gen, dtype=torch.float64))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


@exercise("mlp_forward", section="the multilayer perceptrons chapter, "
                                 "'Implementation from scratch'")
def check_mlp_forward(mlp_forward):
    gen = torch.Generator().manual_seed(3)
    cases = [((5, 1, 3, 3), (9, 6, 4)),           # one hidden layer, image-shaped input
             ((4, 1, 2, 4), (8, 7, 5, 3)),        # two hidden layers
             ((3, 6), (6, 5, 5, 4, 2)),           # three hidden layers, rows already flat
             ((2, 2, 2), (4, 3))]                 # no hidden layer: softmax regression
    for x_shape, sizes in cases:
        X = torch.randn(*x_shape, generator=gen, dtype=torch.float64)
        params = _make_params(sizes, gen)
        X0, params0 = X.clone(), [(W.clone(), b.clone()) for W, b in params]
        tried = (f"mlp_forward(X of shape {x_shape}, params for layer sizes "
                 f"{' -> '.join(map(str, sizes))})")
        got, error = outcome(mlp_forward, X, params)
        if error is not None:
            _, flat_error = outcome(mlp_forward, X.reshape(X.shape[0], -1), params)
            if flat_error is not None:
                raise CheckError(
                    f"{tried} raised {type(error).__name__}: {error}. Check the shapes of each "
                    "product: flatten with X.reshape(X.shape[0], -1), not a fixed size such "
                    "as 784; H has shape (batch, n_in) and W has shape (n_in, n_out); use "
                    "every (W, b) pair in params, in order, however many there are.") from error
            raise CheckError(
                f"{tried} raised {type(error).__name__}: {error}. The examples arrive with "
                f"shape {x_shape}; flatten each one into a row, X.reshape(X.shape[0], -1), "
                "before the first matrix product.") from error
        expect_unchanged(X, X0, tried + " (X)")
        for (W, b), (W0, b0) in zip(params, params0):
            expect_unchanged(W, W0, tried + " (a weight in params)")
            expect_unchanged(b, b0, tried + " (a bias in params)")
        expected = _reference_forward(X, params)
        if (isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape[0] == x_shape[0]
                and got.shape[1] != sizes[-1] and got.shape[1] in sizes[1:-1]):
            raise CheckError(f"{tried} returned a tensor of shape {tuple(got.shape)}, expected "
                             f"{tuple(expected.shape)}: it has as many columns as a hidden "
                             "layer, so some (W, b) pairs were never used. Loop over all of "
                             "params, however many there are.")
        expect_shape(got, expected.shape, tried)
        if same(got, expected, atol=1e-10, rtol=1e-10):
            continue
        if same(got, _reference_forward(X, params, activation=lambda H: H)):
            raise CheckError(f"{tried} returned the output of the network without any "
                             "activation: apply ReLU to every hidden layer's output, "
                             "otherwise the layers collapse into one affine map.")
        if same(got, _reference_forward(X, params, activate_last=True)):
            raise CheckError(f"{tried} applied ReLU after the output layer too: the last "
                             "layer must return raw scores (logits), which may be negative; "
                             "the softmax in the loss turns them into probabilities.")
        if len(params) > 2 and same(got, _reference_forward(X, params[:1] + params[-1:])):
            raise CheckError(f"{tried} skipped a hidden layer: loop over all the (W, b) pairs "
                             "in params, not just the first and the last.")
        if same(got, torch.softmax(expected, dim=1)):
            raise CheckError(f"{tried} returned probabilities, a softmax of the last layer's "
                             "output: return the logits H @ W + b of the last (W, b) as they "
                             "are, also when params holds a single pair. The softmax belongs "
                             "to the loss (F.cross_entropy takes logits).")
        if same(got, _reference_forward(X, params, activation=torch.sigmoid)):
            raise CheckError(f"{tried} used the sigmoid on the hidden layers; the exercise "
                             "asks for relu(H @ W + b).")
        expect_close(got, expected, tried, atol=1e-10, rtol=1e-10,
                     hint="compute H = relu(H @ W + b) for each hidden layer in turn, then "
                          "H @ W + b for the last (W, b), with no activation.")
    return "zero to three hidden layers, image-shaped input, inputs untouched"


@exercise("prelu", section=_ACTIVATIONS)
def check_prelu(prelu):
    X = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.5])
    for alpha in (0.1, 0.25, 1.5, 0, 1):
        tried = f"prelu(tensor([-2.0, -1.0, 0.0, 1.0, 2.5]), alpha={alpha})"
        before = X.clone()
        got = call(prelu, tried, X, alpha)
        expect_unchanged(X, before, tried, hint="build a new tensor; do not scale the "
                         "negative entries of X in place")
        expected = torch.where(X > 0, X, alpha * X)
        expect_shape(got, X.shape, tried)
        if same(got, expected):
            continue
        if same(got, X.clamp(min=0)):
            raise CheckError(f"{tried} returned ReLU's values {got.tolist()}: negative inputs "
                             "must be multiplied by alpha, not set to 0.")
        if same(got, alpha * X):
            raise CheckError(f"{tried} returned alpha * x everywhere: positive inputs must "
                             "pass unchanged; alpha only scales the negative ones.")
        if same(got, torch.max(X, alpha * X)):
            raise CheckError(f"{tried} returned max(x, alpha * x) = {got.tolist()}, which "
                             "equals pReLU only when alpha <= 1. Use the definition "
                             "max(0, x) + alpha * min(0, x), which holds for every alpha.")
        expect_close(got, expected, tried,
                     hint="pReLU(x) = max(0, x) + alpha * min(0, x): x for x > 0, alpha * x "
                          "otherwise.")
    M = torch.linspace(-2, 2, 12).reshape(2, 2, 3)
    tried = "prelu(a tensor of shape (2, 2, 3), alpha=0.5)"
    expect_close(call(prelu, tried, M, 0.5), torch.where(M > 0, M, 0.5 * M), tried,
                 hint="pReLU works elementwise, on a tensor of any shape.")
    alpha = torch.tensor(0.25, requires_grad=True)
    tried = "prelu(X, alpha) with alpha = torch.tensor(0.25, requires_grad=True)"
    out = call(prelu, tried, X, alpha)
    expect(isinstance(out, torch.Tensor) and out.requires_grad,
           f"{tried} returned a tensor that autograd cannot trace back to alpha: keep alpha a "
           "tensor in the computation (no float(alpha) or .item()), so it can be learned.")
    call(out.sum().backward, f"backward through {tried}")
    expect(alpha.grad is not None and abs(float(alpha.grad) - (-3.0)) < 1e-5,
           f"{tried}: the gradient of the sum with respect to alpha came out as "
           f"{None if alpha.grad is None else float(alpha.grad)}, expected -3.0 (the sum "
           "of the negative inputs).")
    return "several alpha, any shape, and alpha can be learned"
