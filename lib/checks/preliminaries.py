"""Self-checks for the preliminaries chapter's exercises."""
import numbers

import torch

from .core import (CheckError, call, describe, exercise, expect, expect_close,
                   expect_no_shortcut, expect_tensor, outcome, watching)

__all__ = ["check_broadcast_shape", "check_chain_costs", "check_chain_memory", "check_grad_at"]

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


@exercise("chain_costs", section="'Products' in the linear algebra section")
def check_chain_costs(chain_costs):
    cases = [(2, 3, 4, 5), (2 ** 10, 2 ** 16, 2 ** 5, 2 ** 14), (7, 1, 7, 1), (1, 1, 1, 1),
             (3, 5, 2, 2)]
    for m1, m2, m3, m4 in cases:
        tried = f"chain_costs({m1}, {m2}, {m3}, {m4})"
        got = call(chain_costs, tried, m1, m2, m3, m4)
        expected = (m1 * m2 * m3 + m1 * m3 * m4, m2 * m3 * m4 + m1 * m2 * m4)
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
        elif got[0] in (m1 * m2 * m3, m1 * m3 * m4) or got[1] in (m2 * m3 * m4, m1 * m2 * m4):
            hint = ("each order does two products; count the multiplications of both, "
                    "the second one on the intermediate result.")
        elif got in ((m1 * m2 * m3 + m2 * m3 * m4, m2 * m3 * m4 + m1 * m2 * m3),
                     (m1 * m2 * m3 + m2 * m3 * m4, m2 * m3 * m4 + m1 * m2 * m4)):
            hint = ("the second product of (AB)C multiplies the (m1, m3) matrix AB by C, which "
                    "costs m1*m3*m4.")
        else:
            hint = ("multiplying an (r, c) matrix by a (c, v) matrix takes r*c*v "
                    "multiplications, and gives an (r, v) matrix for the next product.")
        raise CheckError(f"{tried} returned {got}, expected {expected}. Hint: {hint}")
    return f"both orders, on {len(cases)} chains"


@exercise("chain_memory", section="'Products' in the linear algebra section")
def check_chain_memory(chain_memory):
    cases = [((2, 3, 4, 5), 4), ((2 ** 10, 2 ** 16, 2 ** 5, 2 ** 14), 4), ((7, 1, 7, 1), 8),
             ((3, 5, 2, 6), 2)]
    for (m1, m2, m3, m4), size in cases:
        tried = f"chain_memory({m1}, {m2}, {m3}, {m4}, bytes_per_entry={size})"
        got = call(chain_memory, tried, m1, m2, m3, m4, bytes_per_entry=size)
        expected = (m1 * m3 * size, m2 * m4 * size)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"{tried} returned {describe(got)}, expected a pair of numbers "
               "(bytes of AB, bytes of BC).")
        expect(all(_is_integer(g) for g in got),
               f"{tried} returned {describe(got)}, expected two whole numbers of bytes "
               "(multiply the sizes; do not divide, and do not convert to float).")
        got = tuple(int(g) for g in got)
        if got == expected:
            continue
        if got == expected[::-1]:
            hint = "the two are swapped: return (bytes of AB, bytes of BC)."
        elif got == (m1 * m3, m2 * m4):
            hint = "that is the number of entries; multiply it by bytes_per_entry."
        elif got == (m1 * m3 * 4, m2 * m4 * 4):
            hint = "use the bytes_per_entry you were given, not always 4."
        else:
            hint = ("AB has shape (m1, m3) and BC has shape (m2, m4); an intermediate "
                    "matrix holds rows * columns entries of bytes_per_entry bytes each.")
        raise CheckError(f"{tried} returned {got}, expected {expected}. Hint: {hint}")
    tried = "chain_memory(2, 3, 4, 5) with the default bytes_per_entry"
    got = call(chain_memory, tried, 2, 3, 4, 5)
    expect(isinstance(got, (tuple, list)) and len(got) == 2
           and tuple(int(g) for g in got) == (2 * 4 * 4, 3 * 5 * 4),
           f"{tried} returned {describe(got)}, expected (32, 60). Hint: give bytes_per_entry "
           "the default value 4 (float32) in the signature.")
    return f"both intermediates, on {len(cases) + 1} chains"


def exp_series(a):
    """The chapter's function with a branch and a loop: exp(a), summed term by term."""
    if a.sum() < 0:
        return 1 / exp_series(-a)
    term, total, j = torch.ones_like(a), torch.ones_like(a), 0
    while term.abs().max() > 1e-8:
        j += 1
        term = term * a / j
        total = total + term
    return total


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


@exercise("grad_at", section="the autograd section, 'Branches and loops'")
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
    # The control-flow function, at a positive and a negative scalar, a vector and a matrix.
    for a in (torch.tensor(0.37), torch.tensor(-1.5), torch.tensor([0.5, -0.2, 0.1]),
              torch.tensor([[1.0, -2.0], [0.5, 3.0]])):
        tried = f"grad_at(exp_series, {a!r})"
        _expect_gradient(grad_at, exp_series, a, torch.exp(a), tried,
                         "exp_series sums the series of exp, so its gradient is exp(a). "
                         "For a vector output, call backward on its sum.")
    # Called twice on the same tensor: gradients must not accumulate.
    a = torch.tensor(2.0)
    first = call(grad_at, "grad_at(exp_series, tensor(2.))", exp_series, a)
    expect_tensor(first, "grad_at(exp_series, tensor(2.))")
    first = first.detach().clone()
    second = call(grad_at, "a second grad_at(exp_series, tensor(2.))", exp_series, a)
    expect_close(second, first, "calling grad_at(exp_series, tensor(2.)) a second time",
                 hint="the second call must give the same gradient as the first. Gradients "
                      "add up in .grad across backward calls: start from a fresh copy of x "
                      "(or zero its .grad) on every call.")
    return "cos for sin, exp for exp_series, the caller's x untouched"
