"""The backprop chapter's checks: solutions pass, stubs and plausible wrong answers fail helpfully."""
import pytest
import torch
import torch.nn.functional as F

from helpers import fails, solutions_pass, stubs_fail
from lib.checks import backprop as checks


def grads_with_bias(X, y, W1, b1, W2, b2, lambd, sign=1, transpose=False, l2=True,
                    bias_mean=False):
    n, q = X.shape[0], W2.shape[1]
    Z = X @ W1 + b1
    H = torch.relu(Z)
    O = H @ W2 + b2
    G_O = (torch.softmax(O, dim=1) - F.one_hot(y, q)) / n
    dW2 = (G_O.T @ H if transpose else H.T @ G_O) + (lambd * W2 if l2 else 0)
    db2 = G_O.mean(dim=0) if bias_mean else G_O.sum(dim=0)
    G_Z = (G_O @ W2.T) * (Z > 0)
    dW1 = (G_Z.T @ X if transpose else X.T @ G_Z) + (lambd * W1 if l2 else 0)
    db1 = G_Z.mean(dim=0) if bias_mean else G_Z.sum(dim=0)
    return tuple(sign * g for g in (dW1, db1, dW2, db2))


def numerical_grad(f, W, eps=1e-6, one_sided=False, halve=True, restore=True, flat=False):
    G = torch.zeros_like(W)
    Wf, Gf = W.reshape(-1), G.reshape(-1)       # views into W and G
    for i in range(Wf.numel()):
        old = Wf[i].item()
        Wf[i] = old + eps
        up = f(W)
        Wf[i] = old if one_sided else old - eps
        down = f(W)
        if restore:
            Wf[i] = old
        Gf[i] = (up - down) / (eps if one_sided or not halve else 2 * eps)
    return G.reshape(-1) if flat else G


def numerical_grad_chapter(f, W, eps=1e-6):
    """The chapter's solution: W is never modified."""
    grad = torch.zeros(W.numel(), dtype=W.dtype)
    for i in range(W.numel()):
        step = torch.zeros(W.numel(), dtype=W.dtype)
        step[i] = eps
        step = step.reshape(W.shape)
        grad[i] = (f(W + step) - f(W - step)) / (2 * eps)
    return grad.reshape(W.shape)


def numerical_grad_add_back(f, W, eps=1e-6):
    """Perturbs W in place and adds eps back, as the chapter's gradient check does."""
    G = torch.zeros_like(W)
    for idx in torch.cartesian_prod(*[torch.arange(s) for s in W.shape]).reshape(
            -1, W.dim()).tolist():
        idx = tuple(idx)
        W[idx] += eps
        up = float(f(W))
        W[idx] -= 2 * eps
        down = float(f(W))
        W[idx] += eps                       # may leave W off by one rounding error
        G[idx] = (up - down) / (2 * eps)
    return G


def grads_with_bias_outer_products(X, y, W1, b1, W2, b2, lambd):
    """One example at a time, summing outer products; biases as (h,) and (q,)."""
    n = len(y)
    gW1, gb1 = lambd * W1.clone(), torch.zeros_like(b1)
    gW2, gb2 = lambd * W2.clone(), torch.zeros_like(b2)
    for x, label in zip(X, y):
        z = x @ W1 + b1
        h = z.clamp(min=0)
        o = h @ W2 + b2
        p = torch.exp(o - o.max())
        g_o = p / p.sum()
        g_o[label] -= 1
        g_o = g_o / n
        gW2 += torch.outer(h, g_o)
        gb2 += g_o
        g_z = (W2 @ g_o) * (z > 0).to(X.dtype)
        gW1 += torch.outer(x, g_z)
        gb1 += g_z
    return [gW1, gb1, gW2, gb2]


test_solutions_pass = solutions_pass((checks.check_grads_with_bias, grads_with_bias),
                                     (checks.check_grads_with_bias,
                                      grads_with_bias_outer_products),
                                     (checks.check_numerical_grad, numerical_grad_add_back),
                                     (checks.check_numerical_grad, numerical_grad),
                                     (checks.check_numerical_grad, numerical_grad_chapter))
test_stubs_fail = stubs_fail(checks.check_grads_with_bias, checks.check_numerical_grad)


@pytest.mark.parametrize("options, message", [
    (dict(sign=-1), "wrong sign"),
    (dict(transpose=True), "Check the shapes.*\\(layer input\\).T @ G"),
    (dict(transpose=True, l2=False), "transpose is missing"),
    (dict(l2=False), "missing the L2 term"),
    (dict(bias_mean=True), "sum over the batch"),
])
def test_grads_with_bias_wrong_answers(options, message):
    fails(checks.check_grads_with_bias, lambda *a: grads_with_bias(*a, **options), message)


@pytest.mark.parametrize("options, message", [
    (dict(one_sided=True), "one-sided difference"),
    (dict(halve=False), "divide by 2 \\* eps"),
    (dict(restore=False), "left W changed"),
    (dict(flat=True), "shape"),
])
def test_numerical_grad_wrong_answers(options, message):
    fails(checks.check_numerical_grad,
          lambda f, W, eps=1e-6: numerical_grad(f, W, eps, **options), message)


# --- more wrong answers ------------------------------------------------------------------

def naive_softmax_grads(X, y, W1, b1, W2, b2, lambd):
    n, q = X.shape[0], W2.shape[1]
    Z = X @ W1 + b1
    H = torch.relu(Z)
    E = torch.exp(H @ W2 + b2)                            # overflows for large logits
    G_O = (E / E.sum(dim=1, keepdim=True) - F.one_hot(y, q)) / n
    G_Z = (G_O @ W2.T) * (Z > 0)
    return (X.T @ G_Z + lambd * W1, G_Z.sum(dim=0), H.T @ G_O + lambd * W2, G_O.sum(dim=0))


def not_divided_by_n(X, y, W1, b1, W2, b2, lambd):
    n = X.shape[0]
    dW1, db1, dW2, db2 = grads_with_bias(X, y, W1, b1, W2, b2, lambd)
    return (dW1 - lambd * W1) * n + lambd * W1, db1 * n, (dW2 - lambd * W2) * n + lambd * W2, db2 * n


def by_autograd(X, y, W1, b1, W2, b2, lambd):
    """Right values, computed as the check computes its reference: with J.backward()."""
    return tuple(checks._autograd_grads(X, y, W1, b1, W2, b2, lambd))


def relu_in_place_on_input(X, y, W1, b1, W2, b2, lambd):
    X.clamp_(min=0)            # "the ReLU" applied to the wrong tensor, in place
    return grads_with_bias(X, y, W1, b1, W2, b2, lambd)


def transposed_data_term_on_square_weights(X, y, W1, b1, W2, b2, lambd):
    # right shape only because W is square: X.T @ G_Z transposed is still wrong
    g = list(grads_with_bias(X, y, W1, b1, W2, b2, lambd))
    if W1.shape[0] == W1.shape[1]:
        g[0] = (g[0] - lambd * W1).T + lambd * W1
    return tuple(g)


def regularized_bias(X, y, W1, b1, W2, b2, lambd):
    dW1, db1, dW2, db2 = grads_with_bias(X, y, W1, b1, W2, b2, lambd)
    return dW1, db1 + lambd * b1, dW2, db2


@pytest.mark.parametrize("wrong, message", [
    pytest.param(transposed_data_term_on_square_weights, "transposed in its data term",
                 id="transposed_data_term_on_square_weights"),
    pytest.param(regularized_bias, "weights only", id="regularized_bias"),
    pytest.param(lambda *a: grads_with_bias(*a)[:2], "tuple of four tensors", id="wrong_type"),
    (naive_softmax_grads, "logits near 800: .* nan or inf. exp\\(800\\) overflows"),
    (not_divided_by_n, "6 times too large"),
    (by_autograd, "calls Tensor.backward, which the exercise rules out"),
    (relu_in_place_on_input, r"\(X\) changed its input in place"),
    (lambda *args: grads_with_bias(*args)[:3], "returned a tuple of 3 items \\(Tensor\\); expected a tuple of four"),
    (lambda *args: {"dW1": 0}, "returned a dict"),
])
def test_grads_with_bias_more_wrong_answers(wrong, message):
    fails(checks.check_grads_with_bias, wrong, message)


def numerical_grad_2d_only(f, W, eps=1e-6):
    G = torch.zeros_like(W)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            Wp, Wm = W.clone(), W.clone()
            Wp[i, j] += eps
            Wm[i, j] -= eps
            G[i, j] = (f(Wp) - f(Wm)) / (2 * eps)
    return G


def numerical_grad_float32(f, W, eps=1e-6):
    return numerical_grad(f, W, eps).float()


def numerical_grad_all_at_once(f, W, eps=1e-6):
    return torch.full_like(W, ((f(W + eps) - f(W - eps)) / (2 * eps)).item())


def numerical_grad_big_default(f, W, eps=1e-1):
    return numerical_grad(f, W, eps)


@pytest.mark.parametrize("wrong, message", [
    (numerical_grad_2d_only, r"linspace\(-1, 1, 5\)\) with the default eps raised IndexError.*any shape"),
    (numerical_grad_float32, "dtype torch.float32 for a torch.float64 W"),
    (numerical_grad_all_at_once, "moved all of W at once"),
    (numerical_grad_big_default, "default eps should be small"),
    (lambda f, W, eps=1e-6: numerical_grad(f, W, eps).tolist(), "returned a list"),
])
def test_numerical_grad_more_wrong_answers(wrong, message):
    fails(checks.check_numerical_grad, wrong, message)
