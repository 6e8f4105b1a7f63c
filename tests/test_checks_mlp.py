"""The mlp chapter's checks: solutions pass, stubs and plausible wrong answers fail helpfully."""
import pytest
import torch

from helpers import fails, passes, solutions_pass, stubs_fail
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


test_solutions_pass = solutions_pass((checks.check_relu, relu),
                                     (checks.check_mlp_forward, mlp_forward),
                                     (checks.check_prelu, prelu))
test_stubs_fail = stubs_fail(checks.check_relu, checks.check_mlp_forward, checks.check_prelu)


@pytest.mark.parametrize("wrong, message", [
    (lambda X: torch.min(X, torch.zeros_like(X)), "min\\(x, 0\\).*torch.max"),
    (lambda X: X.clone(), "unchanged"),
    (lambda X: X.masked_fill_(X < 0, 0), "changed its input"),
    (lambda X: torch.relu(X), "calls torch.relu, which the exercise rules out"),
    (lambda X: X.clamp(min=0), "calls Tensor.clamp, which the exercise rules out"),
    (lambda X: torch.nn.functional.relu(X), "calls torch.nn.functional.relu, which the exercise"),
    (lambda X: X * (X > 0), "nan.*multiplying by a mask"),
    (lambda X: (X + X.abs()) / 2, "nan.*multiplying by a mask, or"),
    (lambda X: torch.max(X, torch.zeros(X.shape[0], X.shape[1])), r"tensor\(\[-3.0, 2.0, -0.1, 0.0\]\)\) raised \w+Error.*zeros_like"),
    (lambda X: None, "returned None, expected a tensor of shape"),
    (lambda X: torch.max(X, torch.zeros_like(X)).tolist(), r"returned a list \[\[0.0, 0.0, 0.0\], .*expected a tensor"),
    (lambda X: torch.max(X, torch.zeros(X.shape, dtype=torch.float64)), "dtype"),
    (lambda X: torch.abs(X), "expected"),
])
def test_relu_wrong_answers(wrong, message):
    fails(checks.check_relu, wrong, message)


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


def two_layers_hard_coded(X, params):
    (W1, b1), (W2, b2) = params[0], params[1]
    return relu(X.reshape(X.shape[0], -1) @ W1 + b1) @ W2 + b2


def hard_coded_784(X, params):
    return mlp_forward(X.reshape(-1, 9), params)   # the first case's 3 x 3 images, fixed


def sigmoid_hidden(X, params):
    H = X.reshape(X.shape[0], -1)
    for W, b in params[:-1]:
        H = torch.sigmoid(H @ W + b)
    return H @ params[-1][0] + params[-1][1]


def softmax_on_output(X, params):
    return torch.softmax(mlp_forward(X, params), dim=1)


def softmax_when_single_pair(X, params):
    # "with a single pair it is softmax regression", read as the model from scratch
    logits = mlp_forward(X, params)
    return torch.softmax(logits, dim=1) if len(params) == 1 else logits


def in_place_squeeze(X, params):
    if X.dim() == 4:
        X.squeeze_(1)          # drops the channel axis of the caller's tensor
    return mlp_forward(X, params)


@pytest.mark.parametrize("wrong, message", [
    (no_flatten, "flatten"),
    (no_activation, "without any activation"),
    (relu_on_output, "after the output layer"),
    (one_hidden_only, "every \\(W, b\\) pair"),
    (two_layers_hard_coded, "however many there are"),
    (hard_coded_784, "not a fixed size such as 784"),
    (sigmoid_hidden, "used the sigmoid"),
    (softmax_on_output, "returned probabilities, a softmax"),
    (softmax_when_single_pair, r"layer sizes 4 -> 3\) returned probabilities.*single pair"),
    (in_place_squeeze, r"changed its input in place"),
    (lambda X, params: None, "returned None, expected a tensor of shape \\(5, 4\\)"),
])
def test_mlp_forward_wrong_answers(wrong, message):
    fails(checks.check_mlp_forward, wrong, message)


def prelu_float(X, alpha):
    """Right values, but alpha turned into a Python float: autograd cannot learn it."""
    alpha = float(alpha.detach()) if torch.is_tensor(alpha) else alpha
    return torch.where(X > 0, X, alpha * X)


def prelu_in_place(X, alpha):
    X[X < 0] *= alpha
    return X


def prelu_1d_only(X, alpha):
    return torch.stack([x if x > 0 else alpha * x for x in X])


@pytest.mark.parametrize("wrong, message", [
    (lambda X, alpha: relu(X), "ReLU's values"),
    (lambda X, alpha: alpha * X, "alpha \\* x everywhere"),
    (lambda X, alpha: torch.max(X, alpha * X), "only when alpha <= 1"),
    (prelu_float, "autograd cannot trace"),
    (prelu_in_place, "changed its input in place"),
    (lambda X, alpha: torch.where(X > 0, X, alpha * X).numpy(), "returned a numpy array"),
    (lambda X, alpha: torch.where(X >= 0, X, alpha * X), None),
    (prelu_1d_only, r"shape \(2, 2, 3\), alpha=0.5\) raised RuntimeError"),
])
def test_prelu_wrong_answers(wrong, message):
    if message is None:  # a right answer written differently
        checks.check_prelu(wrong)
        return
    fails(checks.check_prelu, wrong, message)


def test_failures_say_where_to_reread():
    fails(checks.check_relu, lambda X: X.clone(), "Reread: the multilayer perceptrons")


# --- right answers written differently from the book's solutions ----------------------

def relu_where_max(X):
    """max against a zero of X's dtype and shape, via zeros_like and the method form."""
    zeros = torch.zeros_like(X)
    return X.maximum(zeros) if X.dim() else torch.max(X, zeros)


def mlp_forward_indexed(X, params):
    """Index the layers instead of splitting off the last one; flatten with flatten(1)."""
    H = X.flatten(1) if X.dim() > 1 else X
    for k, (W, b) in enumerate(params):
        H = torch.addmm(b, H, W)
        if k < len(params) - 1:
            H = torch.max(H, torch.zeros_like(H))
    return H


def prelu_where(X, alpha):
    """torch.where with the two branches of the definition."""
    return torch.where(X > 0, X, X * alpha)


@pytest.mark.parametrize("check, right", [
    pytest.param(checks.check_relu, relu_where_max, id="relu_maximum"),
    pytest.param(checks.check_mlp_forward, mlp_forward_indexed, id="mlp_forward_addmm"),
    pytest.param(checks.check_prelu, prelu_where, id="prelu_where"),
])
def test_right_answers_of_our_own_pass(check, right, capsys):
    passes(check, right, capsys)
