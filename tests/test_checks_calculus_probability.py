"""The calculus and probability chapter's self-checks pass right answers and name wrong ones."""
import math

import pytest
import torch

from helpers import fails, solutions_pass, stubs_fail
from lib.checks import CheckError
from lib.checks.calculus_probability import (check_jacobian, check_numerical_derivative,
                                             check_running_mean)


# --- numerical_derivative --------------------------------------------------------------

def numerical_derivative(f, x, h=1e-3):
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}")
    return (f(x + h) - f(x - h)) / (2 * h)


def with_h_check(formula):
    """A numerical derivative with the right argument check and a given formula."""
    def nd(f, x, h=1e-3):
        if h <= 0:
            raise ValueError("h must be positive")
        return formula(f, x, h)
    return nd


@pytest.mark.parametrize("formula, message", [
    (lambda f, x, h: (f(x + h) - f(x)) / h, "forward difference"),
    (lambda f, x, h: (f(x) - f(x - h)) / h, "backward difference"),
    (lambda f, x, h: (f(x + h) - f(x - h)) / h, "divide by 2 \\* delta"),
    (lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "wrong sign"),
    (lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h * h), "not by 2 \\* delta \\* delta"),
    (lambda f, x, h: (f(x + 1e-3) - f(x - 1e-3)) / 2e-3, "the delta passed in was ignored"),
    (lambda f, x, h: 3 * x ** 2, "exact derivative"),
])
def test_numerical_derivative_wrong_formulas_are_named(formula, message):
    fails(check_numerical_derivative, with_h_check(formula), message)


def nd_wrong_default_h(f, x, h=1e-5):
    if h <= 0:
        raise ValueError("h must be positive")
    return (f(x + h) - f(x - h)) / (2 * h)


def nd_with_math_functions(f, x, h=1e-3):
    if h <= 0:
        raise ValueError("h must be positive")
    return (f(x + h) - f(x - h)) / (2 * h) if not hasattr(x, "shape") else \
        torch.tensor([(f(torch.tensor(v + h)) - f(torch.tensor(v - h))) / (2 * h)
                      for v in x.tolist()], dtype=torch.float32)


def nd_in_place(f, x, h=1e-3):
    if h <= 0:
        raise ValueError("h must be positive")
    if isinstance(x, torch.Tensor):
        x += h
        up = f(x)
        x -= 2 * h
        down = f(x)
        return (up - down) / (2 * h)
    return (f(x + h) - f(x - h)) / (2 * h)


def nd_without_h_check(f, x, h=1e-3):
    return (f(x + h) - f(x - h)) / (2 * h)


def nd_crashing(f, x, h=1e-3):
    return math.sqrt(-1)


@pytest.mark.parametrize("wrong, message", [
    pytest.param(nd_wrong_default_h, "default value 1e-3", id="wrong_default_h"),
    pytest.param(nd_with_math_functions, "elementwise on a tensor", id="math_functions_fail_on_tensors"),
    pytest.param(nd_in_place, "changed its input x in place", id="in_place"),
    pytest.param(nd_without_h_check, "delta must be positive|expected a ValueError", id="without_h_check"),
    pytest.param(nd_crashing, r"numerical_derivative\(f, 1.0, delta=0.1\).*raised ValueError",
                 id="crash_is_reported"),
])
def test_numerical_derivative_wrong_answers(wrong, message):
    fails(check_numerical_derivative, wrong, message)


# --- my_jacobian -----------------------------------------------------------------------

def my_jacobian(f, x):
    x = x.detach().clone().requires_grad_()
    y = f(x)
    return torch.stack([torch.autograd.grad(y[i], x, retain_graph=True)[0]
                        for i in range(len(y))])


def backward_rows(f, x, zero_grad=True, retain_graph=True):
    """The Jacobian at x built row by row with y[i].backward(): right when x is a leaf that
    requires gradients, its grad is reset before each row and the graph is kept."""
    y = f(x)
    rows = []
    for i in range(len(y)):
        if zero_grad:
            x.grad = None
        y[i].backward(retain_graph=retain_graph)
        rows.append(x.grad.clone())
    return torch.stack(rows)


def fresh_leaf(x):
    return x.detach().clone().requires_grad_()


def jacobian_with_backward(f, x):
    return backward_rows(f, fresh_leaf(x))


def transposed(f, x):
    return my_jacobian(f, x).T


def accumulated(f, x):
    return backward_rows(f, fresh_leaf(x), zero_grad=False)


def column_sums(f, x):
    x = fresh_leaf(x)
    f(x).sum().backward()
    return x.grad


def no_retain_graph(f, x):
    return backward_rows(f, fresh_leaf(x), retain_graph=False)


def list_of_rows(f, x):
    return list(my_jacobian(f, x))


def mutates_x(f, x):
    x.requires_grad_()
    y = f(x)
    return torch.stack([torch.autograd.grad(y[i], x, retain_graph=True)[0]
                        for i in range(len(y))])


def forgets_requires_grad(f, x):
    return backward_rows(f, x, zero_grad=False)


def uses_library(f, x):
    return torch.autograd.functional.jacobian(f, x)


@pytest.mark.parametrize("wrong, message", [
    (transposed, "transpose"),
    (accumulated, "sum of rows 0..j"),
    (column_sums, "column sums"),
    (no_retain_graph, "retain_graph=True"),
    (list_of_rows, "torch.stack"),
    (mutates_x, "changed the caller's x"),
    (forgets_requires_grad, "does not require gradients"),
    (uses_library, "build the Jacobian yourself"),
])
def test_jacobian_wrong_answers_are_named(wrong, message):
    fails(check_jacobian, wrong, message)


def test_jacobian_check_restores_torch_after_refusing():
    with pytest.raises(CheckError):
        check_jacobian(uses_library)
    J = torch.autograd.functional.jacobian(lambda x: 2 * x, torch.ones(2))
    assert torch.equal(J, 2 * torch.eye(2))


# --- running_mean ----------------------------------------------------------------------

def running_mean(samples):
    return samples.cumsum(0) / torch.arange(1, len(samples) + 1, dtype=torch.float32)


def running_mean_loop(samples):
    return torch.tensor([samples[:k + 1].float().mean().item() for k in range(len(samples))])


def in_place(samples):
    samples.cumsum_(0)
    return samples / torch.arange(1, len(samples) + 1)


@pytest.mark.parametrize("wrong, message", [
    (lambda x: x.cumsum(0) / torch.arange(len(x)), "not torch.arange\\(n\\)"),
    (lambda x: x.cumsum(0) / len(x), "divided by n"),
    (lambda x: x.float().mean(), "single number"),
    (lambda x: x.cumsum(0).float(), "running sums"),
    (lambda x: x.flip(0).cumsum(0) / torch.arange(1, len(x) + 1), "taken from the end"),
    (lambda x: x.cumsum(0) / torch.arange(2, len(x) + 2), "divided by k \\+ 2"),
    (lambda x: x.cumsum(0) // torch.arange(1, len(x) + 1), "dtype torch.int64|not integers"),
    (in_place, "changed the samples in place"),
])
def test_running_mean_wrong_answers_are_named(wrong, message):
    fails(check_running_mean, wrong, message)


def test_running_mean_crash_is_reported():
    fails(check_running_mean, lambda x: x.cumsum(), r"running_mean\(samples = \[2., 4., 6., 8.\]\) raised")


# --- every check: its solution passes, a stub is not implemented yet -------------------

def numerical_derivative_delta(f, x, delta=1e-3):
    """Another right answer: the parameter named as in the chapter, the two sides apart."""
    if delta <= 0:
        raise ValueError("delta must be positive")
    right, left = f(x + delta), f(x - delta)
    return (right - left) / (delta + delta)


def jacobian_by_columns_of_rows(f, x):
    """Another right answer: one torch.autograd.grad per output, on a fresh leaf per row."""
    rows = []
    for i in range(len(f(x))):
        leaf = x.detach().clone().requires_grad_(True)
        (row,) = torch.autograd.grad(f(leaf)[i], leaf)
        rows.append(row)
    return torch.stack(rows, dim=0)


def running_mean_by_division(samples):
    """Another right answer: float64 cumulative sums over a float count."""
    counts = torch.arange(1, len(samples) + 1, dtype=torch.float64)
    return samples.double().cumsum(dim=0) / counts


test_solutions_pass = solutions_pass(
    (check_numerical_derivative, numerical_derivative),
    (check_numerical_derivative, numerical_derivative_delta),
    (check_jacobian, jacobian_by_columns_of_rows),
    (check_running_mean, running_mean_by_division),
    (check_jacobian, my_jacobian), (check_jacobian, jacobian_with_backward),
    (check_running_mean, running_mean), (check_running_mean, running_mean_loop))
test_stubs_fail = stubs_fail(check_numerical_derivative, check_jacobian, check_running_mean)


@pytest.mark.parametrize("check, answer", [
    (check_numerical_derivative, lambda f, x, h=1e-3: None),
    (check_numerical_derivative, lambda f, x, h=1e-3: "3.01"),
    (check_jacobian, lambda f, x: None),
    (check_jacobian, lambda f, x: torch.zeros(2, 2, 2)),
    (check_running_mean, lambda x: None),
    (check_running_mean, lambda x: x.tolist()),
])
def test_answers_of_the_wrong_type_fail_cleanly(check, answer):
    fails(check, answer, "expected")
