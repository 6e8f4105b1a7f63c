"""Self-checks for the backpropagation chapter's exercises."""
import itertools

import torch
import torch.nn.functional as F

from .core import (CheckError, call, describe, exercise, expect, expect_close,
                   expect_no_shortcut, expect_shape, expect_unchanged, same, watching)

__all__ = ["check_grads_with_bias", "check_numerical_grad"]

SECTION = "the backpropagation chapter, 'Backpropagation'"


def _exact(got, expected, atol=1e-8):
    """`same` at the tolerance of float64 formulas, which agree with autograd to ~1e-12."""
    return same(got, expected, atol=atol, rtol=1e-6)


# "Derive the gradients": autograd would compute them for you.
_AUTOGRAD = {"Tensor.backward": (torch.Tensor, "backward"),
             "torch.autograd.grad": (torch.autograd, "grad"),
             "torch.autograd.backward": (torch.autograd, "backward"),
             "torch.func.grad": (torch.func, "grad")}


def _autograd_grads(X, y, W1, b1, W2, b2, lambd):
    params = [p.detach().clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    w1, c1, w2, c2 = params
    O = torch.relu(X @ w1 + c1) @ w2 + c2
    J = F.cross_entropy(O, y) + lambd / 2 * ((w1 ** 2).sum() + (w2 ** 2).sum())
    J.backward()
    return [p.grad for p in params]


def _diagnose(name, got, expected, data_term_T, param, n, lambd, tried, is_bias):
    """Raise a CheckError naming the likely mistake in one gradient, or return if right."""
    if _exact(got, expected):
        return
    if isinstance(got, torch.Tensor) and got.shape == expected.shape:
        if _exact(got, -expected):
            raise CheckError(f"{tried}: {name} has the wrong sign. The gradient points uphill "
                             "(the direction in which J grows); SGD subtracts it.")
        if not is_bias and _exact(got, expected - lambd * param):
            raise CheckError(f"{tried}: {name} is missing the L2 term. J = L + s with "
                             f"s = lambda/2 (||W1||^2 + ||W2||^2), so add lambda * W to the "
                             "gradient of the loss.")
        if not is_bias and data_term_T is not None and _exact(got, data_term_T + lambd * param):
            raise CheckError(f"{tried}: {name} is transposed in its data term: with rows as "
                             "examples, dJ/dW = (layer input).T @ G, where G is the gradient "
                             "with respect to the layer's affine output (Z or O, before any "
                             "activation), shape (batch_size, outputs).")
        if n > 1 and _exact(got, (expected - lambd * param * (not is_bias)) * n
                           + lambd * param * (not is_bias)):
            raise CheckError(f"{tried}: {name} is {n} times too large: J averages the loss "
                             "over the batch, so dJ/dO carries a factor 1/batch "
                             "((softmax(O) - onehot(y)) / batch_size).")
        if is_bias and n > 1 and _exact(got, expected / n):
            raise CheckError(f"{tried}: {name} is {n} times too small: the 1/batch of the "
                             "averaged loss is already in dJ/dO, so sum over the batch "
                             "(dim=0) instead of taking the mean.")
        if is_bias and _exact(got, expected + lambd * param):
            raise CheckError(f"{tried}: {name} includes an L2 term, but the penalty s covers "
                             "the weights only, not the biases.")
    elif isinstance(got, torch.Tensor) and got.shape == expected.T.shape:
        raise CheckError(f"{tried}: {name} has shape {tuple(got.shape)}, expected "
                         f"{tuple(expected.shape)} (the shape of the parameter). A transpose "
                         "is missing: dJ/dW = (layer input).T @ G.")
    expect_close(got, expected, f"{tried}, {name}", atol=1e-8,
                 hint="compare your formula with the backward equations term by term.")


@exercise("grads_with_bias", section=SECTION)
def check_grads_with_bias(grads_with_bias):
    gen = torch.Generator().manual_seed(7)
    # The second case has square weights (a transpose is invisible in the shapes), the
    # third a batch of one, the fourth logits near 800, where exp overflows without the
    # softmax's shift by the maximum.
    for n, d, h, q, big_logits in ((6, 4, 5, 3, False), (5, 4, 4, 4, False),
                                   (1, 3, 4, 2, False), (4, 3, 5, 3, True)):
        X = torch.randn(n, d, generator=gen, dtype=torch.float64)
        y = torch.randint(0, q, (n,), generator=gen)
        W1 = torch.randn(d, h, generator=gen, dtype=torch.float64) * 0.5   # (inputs, outputs)
        b1 = torch.randn(h, generator=gen, dtype=torch.float64) * 0.5
        W2 = torch.randn(h, q, generator=gen, dtype=torch.float64) * 0.5
        b2 = torch.randn(q, generator=gen, dtype=torch.float64) * 0.5
        if big_logits:
            b2 = b2 + torch.tensor([800.0, 790.0, 0.0], dtype=torch.float64)
        lambd = 0.3
        inputs = (X, y, W1, b1, W2, b2)
        before = [t.clone() for t in inputs]
        big = ", logits near 800" if big_logits else ""
        tried = f"grads_with_bias on a batch of {n}, d={d}, h={h}, q={q}, lambd={lambd}{big}"
        with watching(_AUTOGRAD) as used:
            got = call(grads_with_bias, tried, X, y, W1, b1, W2, b2, lambd,
                       hint={RuntimeError: "Check the shapes: each gradient has the shape of "
                             "its parameter, so dJ/dW (inputs, outputs) = (layer input).T @ G, "
                             "where G, the gradient with respect to the layer's affine "
                             "output (Z or O, before any activation), has shape "
                             "(batch_size, outputs)."})
        expect_no_shortcut(grads_with_bias, used, _AUTOGRAD, "grads_with_bias",
                           "derive the gradients and compute them with the backward "
                           "equations; autograd is what they are checked against.")
        for name, t, t0 in zip(("X", "y", "W1", "b1", "W2", "b2"), inputs, before):
            expect_unchanged(t, t0, f"{tried} ({name})")
        expect(isinstance(got, (tuple, list)) and len(got) == 4,
               f"{tried} returned {describe(got)}; expected a tuple of four tensors "
               "(dW1, db1, dW2, db2).")
        expected = _autograd_grads(X, y, W1, b1, W2, b2, lambd)
        # data terms written the wrong way round, for the missing-transpose diagnosis
        Z = X @ W1 + b1
        H = torch.relu(Z)
        G_O = (torch.softmax(H @ W2 + b2, dim=1) - F.one_hot(y, q)) / n
        G_Z = (G_O @ W2.T) * (Z > 0)
        wrong_T = [(X.T @ G_Z).T if h == d else None, None, (H.T @ G_O).T if q == h else None,
                   None]
        for name, g, e, wt, p, is_bias in zip(("dW1", "db1", "dW2", "db2"), got, expected,
                                              wrong_T, (W1, b1, W2, b2),
                                              (False, True, False, True)):
            if not isinstance(g, torch.Tensor):
                raise CheckError(f"{tried}: {name} is {describe(g)}, expected a tensor "
                                 f"of shape {tuple(e.shape)}.")
            if big and not bool(torch.isfinite(g).all()):
                raise CheckError(f"{tried}: {name} contains nan or inf. exp(800) overflows: "
                                 "compute the softmax as torch.softmax(O, dim=1), or subtract "
                                 "each row's maximum from O before exponentiating.")
            _diagnose(name, g, e, wt, p, n, lambd, tried, is_bias)
    return "all four gradients match autograd, large logits included"


def _central(f, W, eps):
    G = torch.zeros_like(W)
    for idx in itertools.product(*[range(s) for s in W.shape]):
        Wp, Wm = W.clone(), W.clone()
        Wp[idx] += eps
        Wm[idx] -= eps
        G[idx] = (f(Wp) - f(Wm)) / (2 * eps)
    return G


def _forward_difference(f, W, eps):
    G = torch.zeros_like(W)
    for idx in itertools.product(*[range(s) for s in W.shape]):
        Wp = W.clone()
        Wp[idx] += eps
        G[idx] = (f(Wp) - f(W)) / eps
    return G


@exercise("numerical_grad", section="the backpropagation chapter, 'Checking gradients'")
def check_numerical_grad(numerical_grad):
    W = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=torch.float64)

    def f(V):
        return (V ** 3).sum() + V[0, 0] * V[1, 2]

    before = W.clone()
    eps = 1e-2
    tried = "numerical_grad(f, W, eps=0.01) with f(W) = sum(W**3) + W[0,0] * W[1,2]"
    got = call(numerical_grad, tried, f, W, eps=eps)
    expect(torch.allclose(W, before, atol=1e-12, rtol=0),
           f"{tried} left W changed after the call: {W.tolist()} instead of "
           f"{before.tolist()}. Restore each entry after perturbing it (or perturb a copy), "
           "or later entries are measured at the wrong point.")
    expected = _central(f, before, eps)
    expect_shape(got, W.shape, tried)
    expect(got.dtype == W.dtype,
           f"{tried} returned dtype {got.dtype} for a {W.dtype} W: create the result with W's "
           "dtype (torch.zeros_like(W)), or the differences lose most of their digits.")
    if not _exact(got, expected, atol=1e-9):
        if _exact(got, _forward_difference(f, before, eps), atol=1e-9):
            raise CheckError(f"{tried} returned the one-sided difference (f(W + eps) - f(W)) "
                             "/ eps, whose error shrinks only like eps. Use the central "
                             "difference (f(W + eps) - f(W - eps)) / (2 eps), error ~ eps^2.")
        if _exact(got, 2 * expected, atol=1e-9):
            raise CheckError(f"{tried} is twice the expected values: the two evaluations are "
                             "2 * eps apart, so divide by 2 * eps.")
        whole = (f(before + eps) - f(before - eps)) / (2 * eps)
        if _exact(got, torch.full_like(before, whole.item()), atol=1e-9):
            raise CheckError(f"{tried} has the same value in every entry: it moved all of W "
                             "at once. Perturb one entry at a time (eps at entry i, 0 "
                             "elsewhere).")
        expect_close(got, expected, tried, atol=1e-9, rtol=1e-9,
                     hint="entry (i, j) is (f(W + eps E_ij) - f(W - eps E_ij)) / (2 eps), "
                          "where E_ij is 1 at (i, j) and 0 elsewhere.")
    # Tensors of other shapes, with the default eps.
    cases = [("linspace(-1, 1, 5)", torch.linspace(-1, 1, 5, dtype=torch.float64)),
             ("a tensor of shape (2, 2, 3)",
              torch.linspace(-1.5, 1.5, 12, dtype=torch.float64).reshape(2, 2, 3))]
    for text, V in cases:
        V0 = V.clone()
        tried = f"numerical_grad(lambda U: tanh(U).sum(), {text}) with the default eps"
        got = call(numerical_grad, tried, lambda U: torch.tanh(U).sum(), V,
                   hint={(IndexError, ValueError, RuntimeError, TypeError):
                         "the function must work for a tensor of any shape: number the entries "
                         "with W.numel() and reshape, or use itertools.product over W.shape."})
        # Restoring an entry by adding eps back may leave a rounding error of 1e-16.
        expect(V.shape == V0.shape and torch.allclose(V, V0, atol=1e-12, rtol=0),
               f"{tried} left its tensor changed after the call: {V.tolist()} instead of "
               f"{V0.tolist()}. Perturb a copy, or restore each entry after perturbing it.")
        expect_close(got, 1 - torch.tanh(V0) ** 2, tried, atol=1e-7, rtol=1e-6,
                     hint="the default eps should be small (about 1e-6), as the exercise's "
                          "signature says.")
    return "central differences on any shape, W left unchanged"
