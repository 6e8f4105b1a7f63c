"""The preliminaries chapter's self-checks pass right answers and explain wrong ones."""
import pytest
import torch

import lib
from lib.checks import CheckError, NOT_IMPLEMENTED
from lib.checks.preliminaries import check_broadcast_shape, check_chain_costs, check_grad_at


def stub(*args, **kwargs):
    raise NotImplementedError


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


def test_broadcast_shape_solution_passes(capsys):
    check_broadcast_shape(broadcast_shape)
    assert "check passed" in capsys.readouterr().out


def test_broadcast_shape_stub_fails():
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_broadcast_shape(stub)


def test_broadcast_shape_aligned_from_the_left_fails():
    def left_aligned(shape_a, shape_b):
        n = max(len(shape_a), len(shape_b))
        a = tuple(shape_a) + (1,) * (n - len(shape_a))
        b = tuple(shape_b) + (1,) * (n - len(shape_b))
        return tuple(max(p, q) for p, q in zip(a, b))
    with pytest.raises(CheckError, match="line the shapes up from the right"):
        check_broadcast_shape(left_aligned)


def test_broadcast_shape_without_clash_detection_fails():
    def no_clash(shape_a, shape_b):
        n = max(len(shape_a), len(shape_b))
        a = (1,) * (n - len(shape_a)) + tuple(shape_a)
        b = (1,) * (n - len(shape_b)) + tuple(shape_b)
        return tuple(q if p == 1 else p for p, q in zip(a, b))
    with pytest.raises(CheckError, match=r"expected a ValueError.*cannot be broadcast"):
        check_broadcast_shape(no_clash)


def test_broadcast_shape_equal_lengths_only_fails_with_the_exception_named():
    def zip_only(shape_a, shape_b):
        return tuple(max(p, q) for p, q in zip(shape_a, shape_b))
    with pytest.raises(CheckError, match=r"broadcast_shape\(\(4,\), \(3, 1\)\) returned"):
        check_broadcast_shape(zip_only)


def test_broadcast_shape_taking_the_larger_size_fails_on_size_zero():
    def larger(shape_a, shape_b):
        n = max(len(shape_a), len(shape_b))
        a = (1,) * (n - len(shape_a)) + tuple(shape_a)
        b = (1,) * (n - len(shape_b)) + tuple(shape_b)
        if any(p != q and 1 not in (p, q) for p, q in zip(a, b)):
            raise ValueError("clash")
        return tuple(max(p, q) for p, q in zip(a, b))
    with pytest.raises(CheckError, match=r"\(0, 3\), \(1, 3\)\) returned \(1, 3\).*size 0.*not 1"):
        check_broadcast_shape(larger)


def test_broadcast_shape_returning_a_list_fails():
    with pytest.raises(CheckError, match=r"returned a list \[3, 2\], expected the tuple \(3, 2\): convert"):
        check_broadcast_shape(lambda a, b: list(broadcast_shape(a, b)))


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
    with pytest.raises(CheckError, match=r"calls torch\.\w+, which the exercise rules out"):
        check_broadcast_shape(via_torch)


def test_broadcast_shape_imported_shortcut_is_seen():
    from torch import broadcast_shapes as rule

    def imported(a, b):
        try:
            return tuple(rule(a, b))
        except RuntimeError as e:
            raise ValueError(str(e)) from None
    with pytest.raises(CheckError, match="calls torch.broadcast_shapes"):
        check_broadcast_shape(imported)


def test_broadcast_shape_assert_instead_of_value_error_fails():
    def asserting(shape_a, shape_b):
        n = max(len(shape_a), len(shape_b))
        a = (1,) * (n - len(shape_a)) + tuple(shape_a)
        b = (1,) * (n - len(shape_b)) + tuple(shape_b)
        assert all(p == q or 1 in (p, q) for p, q in zip(a, b))
        return tuple(q if p == 1 else p for p, q in zip(a, b))
    with pytest.raises(CheckError, match=r"(?s)raised AssertionError.*expected a ValueError") as info:
        check_broadcast_shape(asserting)
    assert isinstance(info.value.__cause__, AssertionError)  # the student's traceback is kept


def test_broadcast_shape_returning_none_on_a_clash_fails():
    def none_on_clash(a, b):
        try:
            return broadcast_shape(a, b)
        except ValueError:
            return None
    with pytest.raises(CheckError, match=r"\(3,\), \(4,\)\) returned None, expected a ValueError"):
        check_broadcast_shape(none_on_clash)


# --- chain_costs -----------------------------------------------------------------------

def chain_costs(n, m, p, q):
    return n * m * p + n * p * q, m * p * q + n * m * q


def test_chain_costs_solution_passes(capsys):
    check_chain_costs(chain_costs)
    assert "check passed" in capsys.readouterr().out


def test_chain_costs_stub_fails():
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_chain_costs(stub)


def test_chain_costs_swapped_fails():
    with pytest.raises(CheckError, match="swapped"):
        check_chain_costs(lambda n, m, p, q: chain_costs(n, m, p, q)[::-1])


def test_chain_costs_first_product_only_fails():
    with pytest.raises(CheckError, match="count the multiplications of both"):
        check_chain_costs(lambda n, m, p, q: (n * m * p, m * p * q))


def test_chain_costs_wrong_intermediate_shape_fails():
    # Forgets that AB is (n, p): uses m for the second product.
    with pytest.raises(CheckError, match=r"gives an \(r, t\) matrix"):
        check_chain_costs(lambda n, m, p, q: (n * m * p + n * m * q, m * p * q + n * p * q))


def test_chain_costs_floats_fail():
    with pytest.raises(CheckError, match="expected two whole numbers"):
        check_chain_costs(lambda n, m, p, q: tuple(float(c) for c in chain_costs(n, m, p, q)))


def test_chain_costs_single_number_fails():
    with pytest.raises(CheckError, match=r"returned 64, expected a pair"):
        check_chain_costs(lambda n, m, p, q: min(chain_costs(n, m, p, q)))


@pytest.mark.parametrize("wrong", [lambda *s: None, lambda *s: {"(AB)C": 1, "A(BC)": 2},
                                   lambda *s: "64 and 90"])
def test_chain_costs_wrong_types_fail_without_crashing(wrong):
    with pytest.raises(CheckError, match="chain_costs\\(2, 3, 4, 5\\) returned"):
        check_chain_costs(wrong)


def test_chain_costs_second_product_on_the_wrong_matrix_fails():
    with pytest.raises(CheckError, match=r"costs n\*p\*q"):
        check_chain_costs(lambda n, m, p, q: (n * m * p + m * p * q, m * p * q + n * m * q))


# --- grad_at ---------------------------------------------------------------------------

def grad_at(f, x):
    x = x.detach().clone().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


def test_grad_at_solution_passes(capsys):
    check_grad_at(grad_at)
    assert "check passed" in capsys.readouterr().out


def test_grad_at_stub_fails():
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_grad_at(stub)


def test_grad_at_returning_the_value_fails():
    with pytest.raises(CheckError, match=r"you returned f\(x\) instead of its gradient"):
        check_grad_at(lambda f, x: f(x.detach()))


def test_grad_at_without_sum_fails():
    def no_sum(f, x):
        x = x.detach().clone().requires_grad_(True)
        f(x).backward()
        return x.grad
    with pytest.raises(CheckError, match="raised RuntimeError.*scalar outputs"):
        check_grad_at(no_sum)


def test_grad_at_modifying_the_input_fails():
    def in_place(f, x):
        x.requires_grad_(True)
        f(x).sum().backward()
        return x.grad
    with pytest.raises(CheckError, match="leave its argument unchanged"):
        check_grad_at(in_place)


def test_grad_at_accumulating_fails():
    cache = {}

    def accumulating(f, x):
        # Reuses one leaf per input value and never zeroes its gradient.
        key = tuple(x.reshape(-1).tolist())
        leaf = cache.setdefault(key, x.detach().clone().requires_grad_(True))
        f(leaf).sum().backward()
        return leaf.grad
    with pytest.raises(CheckError, match="Gradients add up"):
        check_grad_at(accumulating)


def test_grad_at_returning_autograd_grads_tuple_fails():
    def as_tuple(f, x):
        x = x.detach().clone().requires_grad_(True)
        return torch.autograd.grad(f(x).sum(), x)
    with pytest.raises(CheckError, match="returns a tuple: return its element"):
        check_grad_at(as_tuple)


def test_grad_at_clone_without_detach_fails():
    def clone_only(f, x):
        x = x.clone().requires_grad_(True)
        f(x).sum().backward()
        return x.grad
    with pytest.raises(CheckError, match=r"where w requires grad.*(changed the caller's w|returned None)"):
        check_grad_at(clone_only)


def test_grad_at_forgetting_return_fails():
    def no_return(f, x):
        x = x.detach().clone().requires_grad_(True)
        f(x).sum().backward()
    with pytest.raises(CheckError, match="returned None, expected a tensor"):
        check_grad_at(no_return)


def test_grad_at_crash_keeps_the_students_traceback():
    def no_sum(f, x):
        x = x.detach().clone().requires_grad_(True)
        f(x).backward()
        return x.grad
    with pytest.raises(CheckError, match=r"grad_at\(torch.sin, .*raised RuntimeError.*Hint: if f\(x\)") as info:
        check_grad_at(no_sum)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_control_flow_f_scales_by_a_power_of_two():
    f = lib.checks.preliminaries.control_flow_f
    for a, factor in ((torch.tensor(0.37), 1), (torch.tensor(-1.5), 100)):
        k = (f(a) / a / factor).item()
        assert k > 1 and float(k).is_integer() and int(k) & (int(k) - 1) == 0
