"""Self-checks for the backpropagation chapter's exercises."""
import itertools

import torch
import torch.nn.functional as F

from .core import CheckError, exercise, expect, expect_close, expect_shape

__all__ = ["check_grads_with_bias", "check_numerical_grad"]

SECTION = "the backpropagation chapter, 'Backpropagation'"


def _same(got, expected, atol=1e-8):
    return (isinstance(got, torch.Tensor) and got.shape == expected.shape
            and torch.allclose(got.detach().double(), expected.double(), atol=atol, rtol=1e-6))


def _autograd_grads(X, y, W1, b1, W2, b2, lambd):
    params = [p.detach().clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    w1, c1, w2, c2 = params
    O = torch.relu(X @ w1.T + c1) @ w2.T + c2
    J = F.cross_entropy(O, y) + lambd / 2 * ((w1 ** 2).sum() + (w2 ** 2).sum())
    J.backward()
    return [p.grad for p in params]


def _diagnose(name, got, expected, data_term_T, param, n, lambd, tried, is_bias):
    """Raise a CheckError naming the likely mistake in one gradient, or return if right."""
    if _same(got, expected):
        return
    if isinstance(got, torch.Tensor) and got.shape == expected.shape:
        if _same(got, -expected):
            raise CheckError(f"{tried}: {name} has the wrong sign. The gradient points uphill "
                             "(the direction in which J grows); SGD subtracts it.")
        if not is_bias and _same(got, expected - lambd * param):
            raise CheckError(f"{tried}: {name} is missing the L2 term. J = L + s with "
                             f"s = lambda/2 (||W1||^2 + ||W2||^2), so add lambda * W to the "
                             "gradient of the loss.")
        if not is_bias and data_term_T is not None and _same(got, data_term_T + lambd * param):
            raise CheckError(f"{tried}: {name} is transposed in its data term: with rows as "
                             "examples, dJ/dW = G.T @ (layer input), where G is the gradient "
                             "with respect to the layer's output, shape (batch, outputs).")
        if is_bias and _same(got, expected / n):
            raise CheckError(f"{tried}: {name} is {n} times too small: the 1/batch of the "
                             "averaged loss is already in dJ/dO, so sum over the batch "
                             "(dim=0) instead of taking the mean.")
        if is_bias and _same(got, expected + lambd * param):
            raise CheckError(f"{tried}: {name} includes an L2 term, but the penalty s covers "
                             "the weights only, not the biases.")
    elif isinstance(got, torch.Tensor) and got.shape == expected.T.shape:
        raise CheckError(f"{tried}: {name} has shape {tuple(got.shape)}, expected "
                         f"{tuple(expected.shape)} (the shape of the parameter). A transpose "
                         "is missing: dJ/dW = G.T @ (layer input).")
    expect_close(got, expected, f"{tried}, {name}", atol=1e-8,
                 hint="compare your formula with the backward equations term by term.")


@exercise("grads_with_bias", section=SECTION)
def check_grads_with_bias(grads_with_bias):
    gen = torch.Generator().manual_seed(7)
    for n, d, h, q in ((6, 4, 5, 3), (5, 4, 4, 4)):   # the second has square weights
        X = torch.randn(n, d, generator=gen, dtype=torch.float64)
        y = torch.randint(0, q, (n,), generator=gen)
        W1 = torch.randn(h, d, generator=gen, dtype=torch.float64) * 0.5
        b1 = torch.randn(h, generator=gen, dtype=torch.float64) * 0.5
        W2 = torch.randn(q, h, generator=gen, dtype=torch.float64) * 0.5
        b2 = torch.randn(q, generator=gen, dtype=torch.float64) * 0.5
        lambd = 0.3
        tried = f"grads_with_bias on a batch of {n}, d={d}, h={h}, q={q}, lambd={lambd}"
        try:
            got = grads_with_bias(X, y, W1, b1, W2, b2, lambd)
        except NotImplementedError:
            raise
        except RuntimeError as e:  # NotImplementedError is a RuntimeError: handled above
            raise CheckError(
                f"{tried} raised RuntimeError: {e}. Check the shapes: each gradient has the "
                "shape of its parameter, so dJ/dW (outputs, inputs) = G.T @ (layer input), "
                "where G, the gradient with respect to the layer's output, has shape "
                "(batch, outputs).") from None
        expect(isinstance(got, (tuple, list)) and len(got) == 4,
               f"{tried} returned {type(got).__name__}"
               f"{f' of length {len(got)}' if hasattr(got, '__len__') else ''}; expected a "
               "tuple of four tensors (dW1, db1, dW2, db2).")
        expected = _autograd_grads(X, y, W1, b1, W2, b2, lambd)
        # data terms written the wrong way round, for the missing-transpose diagnosis
        Z = X @ W1.T + b1
        H = torch.relu(Z)
        G_O = (torch.softmax(H @ W2.T + b2, dim=1) - F.one_hot(y, q)) / n
        G_Z = (G_O @ W2) * (Z > 0)
        wrong_T = [(G_Z.T @ X).T if h == d else None, None, (G_O.T @ H).T if q == h else None,
                   None]
        for name, g, e, wt, p, is_bias in zip(("dW1", "db1", "dW2", "db2"), got, expected,
                                              wrong_T, (W1, b1, W2, b2),
                                              (False, True, False, True)):
            if not isinstance(g, torch.Tensor):
                raise CheckError(f"{tried}: {name} is a {type(g).__name__}, expected a tensor "
                                 f"of shape {tuple(e.shape)}.")
            _diagnose(name, g, e, wt, p, n, lambd, tried, is_bias)
    return "all four gradients match autograd"


def _central(f, W, eps):
    G = torch.zeros_like(W)
    for idx in itertools.product(*[range(s) for s in W.shape]):
        Wp, Wm = W.clone(), W.clone()
        Wp[idx] += eps
        Wm[idx] -= eps
        G[idx] = (f(Wp) - f(Wm)) / (2 * eps)
    return G


@exercise("numerical_grad", section="the backpropagation chapter, 'Checking gradients'")
def check_numerical_grad(numerical_grad):
    W = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=torch.float64)

    def f(V):
        return (V ** 3).sum() + V[0, 0] * V[1, 2]

    before = W.clone()
    eps = 1e-2
    tried = "numerical_grad(f, W, eps=0.01) with f(W) = sum(W**3) + W[0,0] * W[1,2]"
    got = numerical_grad(f, W, eps=eps)
    expect(torch.allclose(W, before, atol=1e-12, rtol=0),
           f"{tried} left W changed after the call: {W.tolist()} instead of "
           f"{before.tolist()}. Restore each entry after perturbing it (or perturb a copy), "
           "or later entries are measured at the wrong point.")
    expected = _central(f, before, eps)
    expect_shape(got, W.shape, tried)
    if not _same(got, expected, atol=1e-9):
        forward = torch.zeros_like(W)
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                Wp = before.clone()
                Wp[i, j] += eps
                forward[i, j] = (f(Wp) - f(before)) / eps
        if _same(got, forward, atol=1e-9):
            raise CheckError(f"{tried} returned the one-sided difference (f(W + eps) - f(W)) "
                             "/ eps, whose error shrinks only like eps. Use the central "
                             "difference (f(W + eps) - f(W - eps)) / (2 eps), error ~ eps^2.")
        if _same(got, 2 * expected, atol=1e-9):
            raise CheckError(f"{tried} is twice the expected values: the two evaluations are "
                             "2 * eps apart, so divide by 2 * eps.")
        expect_close(got, expected, tried, atol=1e-9,
                     hint="entry (i, j) is (f(W + eps E_ij) - f(W - eps E_ij)) / (2 eps), "
                          "where E_ij is 1 at (i, j) and 0 elsewhere.")
    V = torch.linspace(-1, 1, 5, dtype=torch.float64)
    got = numerical_grad(lambda U: torch.tanh(U).sum(), V)
    expect_close(got, 1 - torch.tanh(V) ** 2, "numerical_grad(lambda U: tanh(U).sum(), "
                 "linspace(-1, 1, 5)) with the default eps", atol=1e-7,
                 hint="the default eps should be small (about 1e-6) and the function must "
                      "work for a vector as well as a matrix.")
    return "central differences, W left unchanged"
