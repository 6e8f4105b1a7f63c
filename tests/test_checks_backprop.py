"""The backprop chapter's checks: solutions pass, stubs and plausible wrong answers fail helpfully."""
import pytest
import torch
import torch.nn.functional as F

import lib
from lib.checks import backprop as checks


def grads_with_bias(X, y, W1, b1, W2, b2, lambd, sign=1, transpose=False, l2=True,
                    bias_mean=False):
    n, q = X.shape[0], W2.shape[0]
    Z = X @ W1.T + b1
    H = torch.relu(Z)
    O = H @ W2.T + b2
    G_O = (torch.softmax(O, dim=1) - F.one_hot(y, q)) / n
    dW2 = (H.T @ G_O if transpose else G_O.T @ H) + (lambd * W2 if l2 else 0)
    db2 = G_O.mean(dim=0) if bias_mean else G_O.sum(dim=0)
    G_Z = (G_O @ W2) * (Z > 0)
    dW1 = (X.T @ G_Z if transpose else G_Z.T @ X) + (lambd * W1 if l2 else 0)
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


def stub(*args, **kwargs):
    raise NotImplementedError


def test_solutions_pass(capsys):
    checks.check_grads_with_bias(grads_with_bias)
    checks.check_numerical_grad(numerical_grad)
    checks.check_numerical_grad(numerical_grad_chapter)
    assert capsys.readouterr().out.count("check passed") == 3


@pytest.mark.parametrize("check", [checks.check_grads_with_bias, checks.check_numerical_grad])
def test_stub_is_not_implemented(check):
    with pytest.raises(lib.checks.CheckError, match=lib.checks.NOT_IMPLEMENTED):
        check(stub)


@pytest.mark.parametrize("options, message", [
    (dict(sign=-1), "wrong sign"),
    (dict(transpose=True), "Check the shapes.*G.T @"),
    (dict(transpose=True, l2=False), "transpose is missing"),
    (dict(l2=False), "missing the L2 term"),
    (dict(bias_mean=True), "sum over the batch"),
])
def test_grads_with_bias_wrong_answers(options, message):
    with pytest.raises(lib.checks.CheckError, match=message):
        checks.check_grads_with_bias(lambda *a: grads_with_bias(*a, **options))


def test_grads_transposed_data_term_on_square_weights():
    # right shape only because W is square: X.T @ G_Z transposed back is still wrong
    def wrong(X, y, W1, b1, W2, b2, lambd):
        g = list(grads_with_bias(X, y, W1, b1, W2, b2, lambd))
        if W1.shape[0] == W1.shape[1]:
            g[0] = (g[0] - lambd * W1).T + lambd * W1
        return tuple(g)
    with pytest.raises(lib.checks.CheckError, match="transposed in its data term"):
        checks.check_grads_with_bias(wrong)


def test_grads_regularized_bias():
    def wrong(X, y, W1, b1, W2, b2, lambd):
        dW1, db1, dW2, db2 = grads_with_bias(X, y, W1, b1, W2, b2, lambd)
        return dW1, db1 + lambd * b1, dW2, db2
    with pytest.raises(lib.checks.CheckError, match="weights only"):
        checks.check_grads_with_bias(wrong)


def test_grads_wrong_type():
    with pytest.raises(lib.checks.CheckError, match="tuple of four tensors"):
        checks.check_grads_with_bias(lambda *a: grads_with_bias(*a)[:2])


@pytest.mark.parametrize("options, message", [
    (dict(one_sided=True), "one-sided difference"),
    (dict(halve=False), "divide by 2 \\* eps"),
    (dict(restore=False), "left W changed"),
    (dict(flat=True), "shape"),
])
def test_numerical_grad_wrong_answers(options, message):
    with pytest.raises(lib.checks.CheckError, match=message):
        checks.check_numerical_grad(lambda f, W, eps=1e-6: numerical_grad(f, W, eps, **options))
