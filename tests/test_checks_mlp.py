"""The mlp chapter's checks: solutions pass, stubs and plausible wrong answers fail helpfully."""
import pytest
import torch

import lib
from lib.checks import mlp as checks


def relu(X):
    return torch.max(X, torch.zeros_like(X))


def mlp_forward(X, params):
    H = X.reshape(X.shape[0], -1)
    for W, b in params[:-1]:
        H = relu(H @ W + b)
    W, b = params[-1]
    return H @ W + b


def prelu(X, alpha):
    return torch.max(X, torch.zeros_like(X)) + alpha * torch.min(X, torch.zeros_like(X))


def stub(*args):
    raise NotImplementedError


def test_solutions_pass(capsys):
    checks.check_relu(relu)
    checks.check_mlp_forward(mlp_forward)
    checks.check_prelu(prelu)
    assert capsys.readouterr().out.count("check passed") == 3


@pytest.mark.parametrize("check", [checks.check_relu, checks.check_mlp_forward,
                                   checks.check_prelu])
def test_stub_is_not_implemented(check):
    with pytest.raises(lib.checks.CheckError, match=lib.checks.NOT_IMPLEMENTED):
        check(stub)


@pytest.mark.parametrize("wrong, message", [
    (lambda X: torch.min(X, torch.zeros_like(X)), "min\\(x, 0\\).*torch.max"),
    (lambda X: X.clone(), "unchanged"),
    (lambda X: X.clamp_(min=0), "changed its input"),
    (lambda X: torch.max(X, torch.zeros(X.shape, dtype=torch.float64)), "dtype"),
    (lambda X: torch.abs(X), "expected"),
])
def test_relu_wrong_answers(wrong, message):
    with pytest.raises(lib.checks.CheckError, match=message):
        checks.check_relu(wrong)


def no_flatten(X, params):
    H = X
    for W, b in params[:-1]:
        H = relu(H @ W + b)
    return H @ params[-1][0] + params[-1][1]


def no_activation(X, params):
    H = X.reshape(X.shape[0], -1)
    for W, b in params:
        H = H @ W + b
    return H


def relu_on_output(X, params):
    H = X.reshape(X.shape[0], -1)
    for W, b in params:
        H = relu(H @ W + b)
    return H


def one_hidden_only(X, params):
    (W1, b1), (W2, b2) = params[0], params[-1]
    return relu(X.reshape(X.shape[0], -1) @ W1 + b1) @ W2 + b2


@pytest.mark.parametrize("wrong, message", [
    (no_flatten, "flatten"),
    (no_activation, "without any activation"),
    (relu_on_output, "after the output layer"),
    (one_hidden_only, "every \\(W, b\\) pair"),
])
def test_mlp_forward_wrong_answers(wrong, message):
    with pytest.raises(lib.checks.CheckError, match=message):
        checks.check_mlp_forward(wrong)


def prelu_float(X, alpha):
    """Right values, but alpha turned into a Python float: autograd cannot learn it."""
    alpha = float(alpha.detach()) if torch.is_tensor(alpha) else alpha
    return torch.where(X > 0, X, alpha * X)


@pytest.mark.parametrize("wrong, message", [
    (lambda X, alpha: relu(X), "ReLU's values"),
    (lambda X, alpha: alpha * X, "alpha \\* x everywhere"),
    (lambda X, alpha: torch.max(X, alpha * X), "only when alpha <= 1"),
    (prelu_float, "autograd cannot trace"),
])
def test_prelu_wrong_answers(wrong, message):
    with pytest.raises(lib.checks.CheckError, match=message):
        checks.check_prelu(wrong)


def test_failures_say_where_to_reread():
    with pytest.raises(lib.checks.CheckError, match="Reread: the multilayer perceptrons"):
        checks.check_relu(lambda X: X.clone())
