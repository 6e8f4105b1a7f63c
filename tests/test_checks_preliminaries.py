"""The preliminaries chapter's self-checks pass right answers and explain wrong ones."""
import pytest
import torch

import lib
from helpers import fails, solutions_pass, stubs_fail
from lib.checks.preliminaries import check_broadcast_shape, check_chain_costs, check_grad_at


# --- broadcast_shape -------------------------------------------------------------------

def broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    out = []
    for p, q in zip(a, b):
        if p != q and 1 not in (p, q):
            raise ValueError("clash")
        out.append(q if p == 1 else p)
    return tuple(out)


def right_aligned(shape_a, shape_b):
    """Both shapes padded with leading 1s to the same length, as the solution lines them up."""
    n = max(len(shape_a), len(shape_b))
    return (1,) * (n - len(shape_a)) + tuple(shape_a), (1,) * (n - len(shape_b)) + tuple(shape_b)


def left_aligned(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (n - len(shape_a))
    b = tuple(shape_b) + (1,) * (n - len(shape_b))
    return tuple(max(p, q) for p, q in zip(a, b))


def no_clash(shape_a, shape_b):
    a, b = right_aligned(shape_a, shape_b)
    return tuple(q if p == 1 else p for p, q in zip(a, b))


def zip_only(shape_a, shape_b):
    return tuple(max(p, q) for p, q in zip(shape_a, shape_b))


def larger(shape_a, shape_b):
    a, b = right_aligned(shape_a, shape_b)
    if any(p != q and 1 not in (p, q) for p, q in zip(a, b)):
        raise ValueError("clash")
    return tuple(max(p, q) for p, q in zip(a, b))


def asserting(shape_a, shape_b):
    a, b = right_aligned(shape_a, shape_b)
    assert all(p == q or 1 in (p, q) for p, q in zip(a, b))
    return tuple(q if p == 1 else p for p, q in zip(a, b))


def none_on_clash(a, b):
    try:
        return broadcast_shape(a, b)
    except ValueError:
        return None


@pytest.mark.parametrize("wrong, message", [
    pytest.param(left_aligned, "line the shapes up from the right", id="aligned_from_the_left"),
    pytest.param(no_clash, r"expected a ValueError.*cannot be broadcast", id="without_clash_detection"),
    pytest.param(zip_only, r"broadcast_shape\(\(4,\), \(3, 1\)\) returned",
                 id="equal_lengths_only_fails_with_the_exception_named"),
    pytest.param(larger, r"\(0, 3\), \(1, 3\)\) returned \(1, 3\).*size 0.*not 1",
                 id="taking_the_larger_size_fails_on_size_zero"),
    pytest.param(lambda a, b: list(broadcast_shape(a, b)),
                 r"returned a list \[3, 2\], expected the tuple \(3, 2\): convert", id="returning_a_list"),
    pytest.param(none_on_clash, r"\(3,\), \(4,\)\) returned None, expected a ValueError",
                 id="returning_none_on_a_clash"),
])
def test_broadcast_shape_wrong_answers(wrong, message):
    fails(check_broadcast_shape, wrong, message)


def test_broadcast_shape_assert_instead_of_value_error_fails():
    fails(check_broadcast_shape, asserting, r"(?s)raised AssertionError.*expected a ValueError",
          cause=AssertionError)  # the student's traceback is kept


@pytest.mark.parametrize("shortcut", [
    lambda a, b: tuple(torch.broadcast_shapes(a, b)),
    lambda a, b: tuple((torch.zeros(a) + torch.zeros(b)).shape),
])
def test_broadcast_shape_calling_pytorch_fails(shortcut):
    def via_torch(a, b):
        try:
            return shortcut(a, b)
        except RuntimeError as e:
            raise ValueError(str(e)) from None
    fails(check_broadcast_shape, via_torch, r"calls torch\.\w+, which the exercise rules out")


def test_broadcast_shape_imported_shortcut_is_seen():
    from torch import broadcast_shapes as rule

    def imported(a, b):
        try:
            return tuple(rule(a, b))
        except RuntimeError as e:
            raise ValueError(str(e)) from None
    fails(check_broadcast_shape, imported, "calls torch.broadcast_shapes")


# --- chain_costs -----------------------------------------------------------------------

def chain_costs(n, m, p, q):
    return n * m * p + n * p * q, m * p * q + n * m * q


@pytest.mark.parametrize("wrong, message", [
    pytest.param(lambda n, m, p, q: chain_costs(n, m, p, q)[::-1], "swapped", id="swapped"),
    pytest.param(lambda n, m, p, q: (n * m * p, m * p * q), "count the multiplications of both",
                 id="first_product_only"),
    # Forgets that AB is (n, p): uses m for the second product.
    pytest.param(lambda n, m, p, q: (n * m * p + n * m * q, m * p * q + n * p * q),
                 r"gives an \(r, t\) matrix", id="wrong_intermediate_shape"),
    pytest.param(lambda n, m, p, q: tuple(float(c) for c in chain_costs(n, m, p, q)),
                 "expected two whole numbers", id="floats"),
    pytest.param(lambda n, m, p, q: min(chain_costs(n, m, p, q)), r"returned 64, expected a pair",
                 id="single_number"),
    pytest.param(lambda n, m, p, q: (n * m * p + m * p * q, m * p * q + n * m * q), r"costs n\*p\*q",
                 id="second_product_on_the_wrong_matrix"),
])
def test_chain_costs_wrong_answers(wrong, message):
    fails(check_chain_costs, wrong, message)


@pytest.mark.parametrize("wrong", [lambda *s: None, lambda *s: {"(AB)C": 1, "A(BC)": 2},
                                   lambda *s: "64 and 90"])
def test_chain_costs_wrong_types_fail_without_crashing(wrong):
    fails(check_chain_costs, wrong, "chain_costs\\(2, 3, 4, 5\\) returned")


# --- grad_at ---------------------------------------------------------------------------

def grad_at(f, x):
    x = x.detach().clone().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


def no_sum(f, x):
    x = x.detach().clone().requires_grad_(True)
    f(x).backward()
    return x.grad


def in_place(f, x):
    x.requires_grad_(True)
    f(x).sum().backward()
    return x.grad


def accumulating():
    """A grad_at that reuses one leaf per input value and never zeroes its gradient."""
    cache = {}

    def grad_at(f, x):
        key = tuple(x.reshape(-1).tolist())
        leaf = cache.setdefault(key, x.detach().clone().requires_grad_(True))
        f(leaf).sum().backward()
        return leaf.grad
    return grad_at


def as_tuple(f, x):
    x = x.detach().clone().requires_grad_(True)
    return torch.autograd.grad(f(x).sum(), x)


def clone_only(f, x):
    x = x.clone().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


def no_return(f, x):
    x = x.detach().clone().requires_grad_(True)
    f(x).sum().backward()


@pytest.mark.parametrize("wrong, message", [
    pytest.param(lambda f, x: f(x.detach()), r"you returned f\(x\) instead of its gradient",
                 id="returning_the_value"),
    pytest.param(no_sum, "raised RuntimeError.*scalar outputs", id="without_sum"),
    pytest.param(in_place, "leave its argument unchanged", id="modifying_the_input"),
    pytest.param(accumulating(), "Gradients add up", id="accumulating"),
    pytest.param(as_tuple, "returns a tuple: return its element", id="returning_autograd_grads_tuple"),
    pytest.param(clone_only, r"where w requires grad.*(changed the caller's w|returned None)",
                 id="clone_without_detach"),
    pytest.param(no_return, "returned None, expected a tensor", id="forgetting_return"),
])
def test_grad_at_wrong_answers(wrong, message):
    fails(check_grad_at, wrong, message)


def test_grad_at_crash_keeps_the_students_traceback():
    fails(check_grad_at, no_sum, r"grad_at\(torch.sin, .*raised RuntimeError.*Hint: if f\(x\)",
          cause=RuntimeError)


# --- every check: its solution passes, a stub is not implemented yet -------------------

test_solutions_pass = solutions_pass((check_broadcast_shape, broadcast_shape),
                                     (check_chain_costs, chain_costs), (check_grad_at, grad_at))
test_stubs_fail = stubs_fail(check_broadcast_shape, check_chain_costs, check_grad_at)


def test_control_flow_f_scales_by_a_power_of_two():
    f = lib.checks.preliminaries.control_flow_f
    for a, factor in ((torch.tensor(0.37), 1), (torch.tensor(-1.5), 100)):
        k = (f(a) / a / factor).item()
        assert k > 1 and float(k).is_integer() and int(k) & (int(k) - 1) == 0
