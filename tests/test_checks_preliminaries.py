"""The preliminaries chapter's self-checks pass right answers and explain wrong ones."""
import pytest
import torch

import lib
from helpers import fails, solutions_pass, stubs_fail
from lib.checks.preliminaries import (check_broadcast_shape, check_chain_costs, check_chain_memory,
                                      check_grad_at)


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
                 r"gives an \(r, v\) matrix", id="wrong_intermediate_shape"),
    pytest.param(lambda n, m, p, q: tuple(float(c) for c in chain_costs(n, m, p, q)),
                 "expected two whole numbers", id="floats"),
    pytest.param(lambda n, m, p, q: min(chain_costs(n, m, p, q)), r"returned 64, expected a pair",
                 id="single_number"),
    pytest.param(lambda n, m, p, q: (n * m * p + m * p * q, m * p * q + n * m * q), r"costs m1\*m3\*m4",
                 id="second_product_on_the_wrong_matrix"),
])
def test_chain_costs_wrong_answers(wrong, message):
    fails(check_chain_costs, wrong, message)


@pytest.mark.parametrize("wrong", [lambda *s: None, lambda *s: {"(AB)C": 1, "A(BC)": 2},
                                   lambda *s: "64 and 90"])
def test_chain_costs_wrong_types_fail_without_crashing(wrong):
    fails(check_chain_costs, wrong, "chain_costs\\(2, 3, 4, 5\\) returned")


# --- chain_memory ----------------------------------------------------------------------

def chain_memory(m1, m2, m3, m4, bytes_per_entry=4):
    return m1 * m3 * bytes_per_entry, m2 * m4 * bytes_per_entry


def chain_memory_from_tensors(m1, m2, m3, m4, bytes_per_entry=4):
    """Another right answer: the bytes of empty tensors of the intermediate shapes, as ints."""
    dtype = {2: torch.float16, 4: torch.float32, 8: torch.float64}[bytes_per_entry]
    return tuple(torch.empty(0, dtype=dtype).element_size() * r * c
                 for r, c in ((m1, m3), (m2, m4)))


def chain_memory_as_tensors(m1, m2, m3, m4, bytes_per_entry=4):
    """Another right answer: integer tensors instead of Python ints."""
    shapes = torch.tensor([[m1, m3], [m2, m4]], dtype=torch.int64)
    return list(shapes.prod(dim=1) * bytes_per_entry)


@pytest.mark.parametrize("wrong, message", [
    pytest.param(lambda m1, m2, m3, m4, bytes_per_entry=4:
                 chain_memory(m1, m2, m3, m4, bytes_per_entry)[::-1], "swapped", id="swapped"),
    pytest.param(lambda m1, m2, m3, m4, bytes_per_entry=4: (m1 * m3, m2 * m4),
                 "number of entries", id="entries_not_bytes"),
    pytest.param(lambda m1, m2, m3, m4, bytes_per_entry=4: (m1 * m3 * 4, m2 * m4 * 4),
                 "bytes_per_entry you were given", id="always_four_bytes"),
    pytest.param(lambda m1, m2, m3, m4, bytes_per_entry=4:
                 (m1 * m2 * bytes_per_entry, m3 * m4 * bytes_per_entry),
                 r"AB has shape \(m1, m3\)", id="wrong_shapes"),
    pytest.param(lambda m1, m2, m3, m4, bytes_per_entry=4:
                 tuple(x / 1 for x in chain_memory(m1, m2, m3, m4, bytes_per_entry)),
                 "whole numbers of bytes", id="floats"),
    pytest.param(lambda m1, m2, m3, m4, bytes_per_entry=8:
                 chain_memory(m1, m2, m3, m4, bytes_per_entry), "default value 4",
                 id="wrong_default"),
    pytest.param(lambda m1, m2, m3, m4, bytes_per_entry=4: None, "expected a pair",
                 id="none"),
])
def test_chain_memory_wrong_answers(wrong, message):
    fails(check_chain_memory, wrong, message)


def chain_costs_by_shapes(m1, m2, m3, m4):
    """Another right answer: the cost of each product from the shapes it multiplies."""
    def cost(left, right):
        return left[0] * left[1] * right[1]
    a, b, c = (m1, m2), (m2, m3), (m3, m4)
    return [cost(a, b) + cost((m1, m3), c), cost(b, c) + cost(a, (m2, m4))]


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

def grad_by_autograd_grad(f, x):
    """Another right answer: torch.autograd.grad on a fresh leaf, nothing stored in .grad."""
    leaf = x.detach().requires_grad_()
    (gradient,) = torch.autograd.grad(f(leaf).sum(), leaf)
    return gradient


def grad_through_ones(f, x):
    """Another right answer: backward with a tensor of ones instead of a sum."""
    leaf = torch.tensor(x.tolist(), dtype=x.dtype, requires_grad=True)
    out = f(leaf)
    out.backward(torch.ones_like(out))
    return leaf.grad


test_solutions_pass = solutions_pass((check_broadcast_shape, broadcast_shape),
                                     (check_chain_costs, chain_costs),
                                     (check_chain_costs, chain_costs_by_shapes),
                                     (check_chain_memory, chain_memory),
                                     (check_chain_memory, chain_memory_from_tensors),
                                     (check_chain_memory, chain_memory_as_tensors),
                                     (check_grad_at, grad_at),
                                     (check_grad_at, grad_by_autograd_grad),
                                     (check_grad_at, grad_through_ones))
test_stubs_fail = stubs_fail(check_broadcast_shape, check_chain_costs, check_chain_memory,
                             check_grad_at)


def test_exp_series_is_exp_on_both_branches():
    f = lib.checks.preliminaries.exp_series
    for a in (torch.tensor(0.37), torch.tensor(-1.5), torch.tensor([[1.0, -2.0], [0.5, 3.0]])):
        assert torch.allclose(f(a), torch.exp(a), rtol=1e-5)
