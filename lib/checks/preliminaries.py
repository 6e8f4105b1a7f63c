"""Self-checks for the preliminaries chapter's exercises."""
import numbers

import torch

from .core import (CheckError, call, describe, exercise, expect, expect_close,
                   expect_no_shortcut, expect_tensor, outcome, watching)

__all__ = ["check_broadcast_shape", "check_chain_costs", "check_grad_at"]

# "Do not call PyTorch": the ways to let PyTorch work the shape out.
_TORCH_SHAPES = {f"torch.{name}": (torch, name)
                 for name in ("broadcast_shapes", "broadcast_tensors", "broadcast_to", "zeros",
                              "ones", "empty", "rand", "randn", "tensor")}


@exercise("broadcast_shape", section="'Broadcasting' in the tensors section")
def check_broadcast_shape(broadcast_shape):
    cases = [((3, 1), (1, 2)), ((2, 2, 3), (1, 2, 1)), ((4,), (3, 1)), ((5, 1, 4), (3, 1)),
             ((1,), (2, 3)), ((2, 3), (2, 3)), ((), (2, 3)), ((0, 3), (1, 3)), ((2, 1), (0,)),
             (torch.Size([6, 1, 5]), torch.Size([4, 1]))]
    expectations = [tuple(torch.broadcast_shapes(a, b)) for a, b in cases]
    with watching(_TORCH_SHAPES) as used:
        for (a, b), expected in zip(cases, expectations):
            tried = f"broadcast_shape({a}, {b})"
            got = call(broadcast_shape, tried, a, b)
            expect(isinstance(got, tuple),
                   f"{tried} returned {describe(got)}, expected the tuple {expected}"
                   + (": convert the list with tuple(...)." if isinstance(got, list) else "."))
            expect(all(isinstance(v, numbers.Integral) for v in got),
                   f"{tried} returned {describe(got)}, expected the tuple {expected}: a shape "
                   "holds whole numbers (Python ints), one per axis.")
            if got == expected:
                continue
            if 0 in a + b and got == tuple(max(p, q) for p, q in zip(
                    (1,) * (len(expected) - len(a)) + tuple(a),
                    (1,) * (len(expected) - len(b)) + tuple(b))):
                hint = ("an axis of size 0 broadcast against size 1 stays 0: keep the size "
                        "that is not 1, rather than the larger of the two.")
            elif len(a) != len(b):
                hint = ("line the shapes up from the right (the last axes), and pad the "
                        "shorter one with 1s on the left.")
            else:
                hint = "on each axis the result takes the size that is not 1."
            raise CheckError(f"{tried} returned {got!r}, expected {expected}. Hint: {hint}")
        for a, b in [((3,), (4,)), ((2, 3), (3, 2)), ((2, 1, 3), (4, 2)), ((0,), (2,))]:
            tried = f"broadcast_shape({a}, {b})"
            got, error = outcome(broadcast_shape, a, b)
            if isinstance(error, ValueError):
                continue
            if error is not None:
                raise CheckError(f"{tried} raised {type(error).__name__}: {error}, expected a "
                                 "ValueError (raise ValueError(...) yourself when two sizes "
                                 "clash).") from error
            raise CheckError(f"{tried} returned {describe(got)}, expected a ValueError: the "
                             f"sizes {a} and {b} cannot be broadcast, because on some axis they "
                             "differ and neither is 1.")
    expect_no_shortcut(broadcast_shape, used, _TORCH_SHAPES, "broadcast_shape",
                       "apply the broadcasting rule yourself, with plain Python tuples.")
    return f"agrees with torch on {len(cases) + 4} pairs of shapes"


def _is_integer(x):
    return (isinstance(x, numbers.Integral) and not isinstance(x, bool)) or (
        isinstance(x, torch.Tensor) and x.numel() == 1 and not x.is_floating_point()
        and x.dtype != torch.bool)


@exercise("chain_costs", section="'Matrix-matrix multiplication' in the linear algebra section")
def check_chain_costs(chain_costs):
    cases = [(2, 3, 4, 5), (2 ** 10, 2 ** 16, 2 ** 5, 2 ** 14), (7, 1, 7, 1), (1, 1, 1, 1),
             (3, 5, 2, 2)]
    for n, m, p, q in cases:
        tried = f"chain_costs({n}, {m}, {p}, {q})"
        got = call(chain_costs, tried, n, m, p, q)
        expected = (n * m * p + n * p * q, m * p * q + n * m * q)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"{tried} returned {describe(got)}, expected a pair of numbers "
               "(cost of (AB)C, cost of A(BC)).")
        expect(all(_is_integer(g) for g in got),
               f"{tried} returned {describe(got)}, expected two whole numbers: a number of "
               "multiplications is an integer (multiply the sizes; do not divide, and do "
               "not convert to float).")
        got = tuple(int(g) for g in got)
        if got == expected:
            continue
        if got == expected[::-1]:
            hint = "the two costs are swapped: return (cost of (AB)C, cost of A(BC))."
        elif got[0] in (n * m * p, n * p * q) or got[1] in (m * p * q, n * m * q):
            hint = ("each order does two products; count the multiplications of both, "
                    "the second one on the intermediate result.")
        elif got in ((n * m * p + m * p * q, m * p * q + n * m * p),
                     (n * m * p + m * p * q, m * p * q + n * m * q)):
            hint = ("the second product of (AB)C multiplies the (n, p) matrix AB by C, which "
                    "costs n*p*q.")
        else:
            hint = ("multiplying an (r, s) matrix by an (s, t) matrix takes r*s*t "
                    "multiplications, and gives an (r, t) matrix for the next product.")
        raise CheckError(f"{tried} returned {got}, expected {expected}. Hint: {hint}")
    return f"both orders, on {len(cases)} chains"


def control_flow_f(a):
    """The textbook's function with a loop and a branch: piecewise linear in `a`."""
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def _expect_gradient(grad_at, f, x, expected, tried, hint):
    got = call(grad_at, tried, f, x,
               hint={RuntimeError: "if f(x) is not a single number, call backward on "
                                   "f(x).sum()."} if x.dim() else "")
    if isinstance(got, tuple) and len(got) == 1:
        raise CheckError(f"{tried} returned a tuple holding one tensor; torch.autograd.grad "
                         "returns a tuple: return its element, the gradient itself.")
    expect(got is not None, f"{tried} returned None, expected a tensor: return x's gradient "
                            "(the .grad of the tensor you called backward through).")
    expect_tensor(got, tried, f"a tensor of shape {tuple(x.shape)}")
    if got.shape == x.shape and torch.allclose(got.detach().double(), f(x).detach().double()) \
            and not torch.allclose(expected.double(), f(x).detach().double()):
        hint = "you returned f(x) instead of its gradient."
    expect_close(got, expected, tried, hint=hint)
    return got


@exercise("grad_at", section="the autograd section, 'Gradients and Python control flow'")
def check_grad_at(grad_at):
    # A smooth function with a known derivative, on a vector and on a matrix.
    for x in (torch.tensor([0.0, 1.0, 2.0]), torch.tensor([[0.5, -1.0], [2.0, 3.0]])):
        tried = f"grad_at(torch.sin, {describe(x)})"
        _expect_gradient(grad_at, torch.sin, x, torch.cos(x), tried,
                         "the gradient of sum(sin(x)) is cos(x), elementwise.")
        expect(not x.requires_grad and x.grad is None,
               f"after {tried}, the caller's tensor has requires_grad={x.requires_grad} and "
               f"grad={x.grad}; grad_at must leave its argument unchanged. Work on a copy: "
               "x = x.detach().clone().requires_grad_(True).")
    # A caller's tensor that already requires a gradient and holds one: both stay as they are.
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    w.grad = torch.tensor([5.0, 5.0])
    tried = "grad_at(lambda v: v ** 2, w) where w requires grad and w.grad = [5., 5.]"
    _expect_gradient(grad_at, lambda v: v ** 2, w, 2 * w.detach(), tried,
                     "the gradient of sum(v ** 2) is 2 v.")
    expect(w.requires_grad and w.grad is not None and torch.equal(w.grad, torch.tensor([5.0, 5.0]))
           and torch.equal(w.detach(), torch.tensor([1.0, -2.0])),
           f"{tried} changed the caller's w (now w = {w.detach().tolist()}, w.grad = "
           f"{None if w.grad is None else w.grad.tolist()}): work on x.detach().clone(), "
           "detached, so that backward does not reach the caller's tensor.")
    # The control-flow function, at a positive and a negative scalar, and a vector.
    for a in (torch.tensor(0.37), torch.tensor(-1.5), torch.tensor([0.5, -0.2, 0.1])):
        tried = f"grad_at(control_flow_f, {a!r})"
        _expect_gradient(grad_at, control_flow_f, a, control_flow_f(a) / a, tried,
                         "f is linear on each side of zero, so its gradient is f(a) / a. "
                         "For a vector output, call backward on its sum.")
    # Called twice on the same tensor: gradients must not accumulate.
    a = torch.tensor(2.0)
    first = call(grad_at, "grad_at(control_flow_f, tensor(2.))", control_flow_f, a)
    expect_tensor(first, "grad_at(control_flow_f, tensor(2.))")
    first = first.detach().clone()
    second = call(grad_at, "a second grad_at(control_flow_f, tensor(2.))", control_flow_f, a)
    expect_close(second, first, "calling grad_at(control_flow_f, tensor(2.)) a second time",
                 hint="the second call must give the same gradient as the first. Gradients "
                      "add up in .grad across backward calls: start from a fresh copy of x "
                      "(or zero its .grad) on every call.")
    return "cos for sin, f(a)/a for the control-flow f, the caller's x untouched"
