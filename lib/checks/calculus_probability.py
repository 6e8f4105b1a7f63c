"""Self-checks for the calculus and probability chapter's exercises."""
import math

import torch

from .core import CheckError, call, exercise, expect, expect_close, expect_value_error

__all__ = ["check_numerical_derivative", "check_jacobian", "check_running_mean"]


def _number(got, tried):
    """A Python float from a number or a one-element tensor."""
    if isinstance(got, torch.Tensor):
        expect(got.numel() == 1, f"{tried} returned a tensor of shape {tuple(got.shape)}, "
                                 "expected a single number.")
        return float(got.detach().reshape(()))
    expect(isinstance(got, (int, float)),
           f"{tried} returned {type(got).__name__}, expected a number.")
    return float(got)


# ------------------------------------------------------------------ numerical derivative

def _cube(x):
    return x ** 3


@exercise("numerical_derivative", section="'Derivatives as limits'")
def check_numerical_derivative(numerical_derivative):
    x, delta = 1.0, 0.1
    tried = "numerical_derivative(f, 1.0, delta=0.1) with f(x) = x**3"
    got = _number(call(numerical_derivative, tried, _cube, x, delta), tried)
    central = ((x + delta) ** 3 - (x - delta) ** 3) / (2 * delta)
    if not math.isclose(got, central, rel_tol=1e-6):
        mistakes = [
            (((x + delta) ** 3 - x ** 3) / delta,
             "that is the forward difference (f(x + delta) - f(x)) / delta; use the central "
             "one, (f(x + delta) - f(x - delta)) / (2 delta), whose error shrinks like "
             "delta**2 instead of delta"),
            ((x ** 3 - (x - delta) ** 3) / delta,
             "that is the backward difference (f(x) - f(x - delta)) / delta; use the central "
             "one, (f(x + delta) - f(x - delta)) / (2 delta)"),
            (2 * central, "that is twice the slope: the two points x - delta and x + delta are "
                          "2 delta apart, so divide by 2 * delta"),
            (-central, "that has the wrong sign: subtract f(x - delta) from f(x + delta), not "
                       "the other way round"),
            (central / delta, "divide by 2 * delta, not by 2 * delta * delta (or delta**2)"),
        ]
        if math.isclose(got, 3.0, rel_tol=1e-12):
            raise CheckError(f"{tried} returned {got!r}, expected {central:.6f}: that is the "
                             "exact derivative 3 x**2, not a difference quotient; compute "
                             "(f(x + delta) - f(x - delta)) / (2 delta) with the delta you "
                             "were given.")
        for h_used in (1e-3, 1e-4, 1e-5, 1e-6):
            if math.isclose(got, ((x + h_used) ** 3 - (x - h_used) ** 3) / (2 * h_used),
                            rel_tol=1e-12):
                raise CheckError(f"{tried} returned {got:.9f}, the result for delta = "
                                 f"{h_used:g}, expected {central:.6f}: the delta passed in was "
                                 "ignored. Hint: use the argument delta, not a number written "
                                 "into the formula.")
        for wrong, hint in mistakes:
            if math.isclose(got, wrong, rel_tol=1e-6):
                raise CheckError(f"{tried} returned {got:.6f}, expected {central:.6f}: {hint}.")
        raise CheckError(f"{tried} returned {got:.6f}, expected {central:.6f}. Hint: the "
                         "central difference is (f(x + delta) - f(x - delta)) / (2 * delta).")
    tried = "numerical_derivative(f, 0.01) with f(x) = x**3 and the default delta"
    got = _number(call(numerical_derivative, tried, _cube, 0.01), tried)
    default = (0.011 ** 3 - 0.009 ** 3) / 0.002  # 3 x**2 + delta**2 = 3.01e-4
    expect(math.isclose(got, default, rel_tol=1e-6),
           f"{tried} returned {got:.6g}, expected {default:.6g} (delta = 0.001). Hint: give "
           "delta the default value 1e-3 in the signature.")
    xs = torch.tensor([0.0, 0.5, 1.0, 2.0], dtype=torch.float64)
    before = xs.clone()
    tried = "numerical_derivative(torch.sin, torch.tensor([0., 0.5, 1., 2.]), delta=1e-4)"
    got = call(numerical_derivative, tried, torch.sin, xs, 1e-4)
    expect(torch.equal(xs, before), f"{tried} changed its input x in place. Hint: compute "
                                    "x + delta and x - delta as new tensors (no x += delta).")
    expected = (torch.sin(xs + 1e-4) - torch.sin(xs - 1e-4)) / 2e-4
    expect_close(got, expected, tried, atol=1e-9, rtol=1e-7,
                 hint="the same formula works elementwise on a tensor of points; avoid "
                      "math functions and Python loops.")
    for bad_h in (0, -0.1):
        expect_value_error(numerical_derivative, f"numerical_derivative(f, 1.0, delta={bad_h})",
                           "a step delta <= 0 divides by zero or measures the slope backwards; "
                           "check delta first and raise ValueError('delta must be positive, "
                           "got ...')",
                           _cube, 1.0, bad_h)
    return "central difference, default delta, tensors, bad delta rejected"


# ------------------------------------------------------------------ Jacobian

def _f_tall(x):
    """R^2 -> R^3."""
    return torch.stack([x[0] * x[1], torch.sin(x[0]), x[1] ** 2])


def _f_square(x):
    """R^2 -> R^2, with a Jacobian that is not symmetric."""
    return torch.stack([x[0] ** 2 * x[1], 5 * x[0] + torch.cos(x[1])])


_A = torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.0, 4.0]])


def _f_linear(x):
    """R^3 -> R^2, x -> A x: its Jacobian is A."""
    return _A @ x


def _jacobian_case(my_jacobian, f, x, name):
    tried = f"my_jacobian({name}, x={x.tolist()})"
    x_in = x.clone()
    try:
        got = my_jacobian(f, x_in)
    except (NotImplementedError, CheckError):
        raise
    except RuntimeError as e:
        msg = str(e)
        if "second time" in msg or "already been freed" in msg:
            raise CheckError(f"{tried} raised RuntimeError: the second backward() went "
                             "through a graph the first one had freed. Hint: pass "
                             "retain_graph=True to every backward() but the last (or to "
                             "torch.autograd.grad), or recompute y = f(x) for each row.") from e
        if "does not require grad" in msg:
            raise CheckError(f"{tried} raised RuntimeError: {msg}. Hint: x does not require "
                             "gradients; work on a copy, x = x.detach().clone()."
                             "requires_grad_(), before calling f.") from e
        raise CheckError(f"{tried} raised RuntimeError: {e}") from e
    except Exception as e:  # noqa: BLE001
        raise CheckError(f"{tried} raised {type(e).__name__}: {e}") from e
    if not torch.equal(x_in, x) or x_in.requires_grad or x_in.grad is not None:
        raise CheckError(f"{tried} changed the caller's x (its values, requires_grad or "
                         ".grad). Hint: differentiate a copy, "
                         "x.detach().clone().requires_grad_(), and leave x alone.")
    return tried, got


@exercise("my_jacobian", section="'The Jacobian' in the calculus part")
def check_jacobian(my_jacobian):
    cases = [(_f_tall, torch.tensor([1.0, 2.0]), "f(x) = (x0 x1, sin x0, x1**2)"),
             (_f_square, torch.tensor([1.5, -0.5]), "f(x) = (x0**2 x1, 5 x0 + cos x1)"),
             (_f_linear, torch.tensor([0.3, -1.0, 2.0]), "f(x) = A x")]
    real_jacobian = torch.autograd.functional.jacobian

    def refuse(*args, **kwargs):
        raise CheckError("my_jacobian called torch.autograd.functional.jacobian; the exercise "
                         "asks you to build the Jacobian yourself, one row per output.")

    torch.autograd.functional.jacobian = refuse
    try:
        for f, x, name in cases:
            tried, got = _jacobian_case(my_jacobian, f, x, name)
            expected = real_jacobian(f, x)
            m, n = expected.shape
            if isinstance(got, (list, tuple)):
                raise CheckError(f"{tried} returned a {type(got).__name__}, expected a tensor "
                                 f"of shape ({m}, {n}). Hint: torch.stack(rows) turns the "
                                 "list of gradient rows into a matrix.")
            expect(isinstance(got, torch.Tensor),
                   f"{tried} returned {type(got).__name__}, expected a tensor of shape "
                   f"({m}, {n}).")
            got = got.detach()
            if tuple(got.shape) == (n,) or (got.numel() == n and m != 1):
                if torch.allclose(got.reshape(-1), expected.sum(0), atol=1e-5):
                    raise CheckError(
                        f"{tried} returned the vector {got.reshape(-1).tolist()}, the column "
                        f"sums of the ({m}, {n}) Jacobian: one backward of all outputs at "
                        "once (y.sum().backward() or y.backward(torch.ones_like(y))) adds the "
                        "rows up. Hint: one backward per output y[j], each giving row j.")
            if tuple(got.shape) == (n, m) and m != n:
                raise CheckError(f"{tried} returned shape ({n}, {m}), expected ({m}, {n}): "
                                 "that is the transpose. Hint: row j is the gradient of "
                                 "output j, so there is one row per output.")
            if tuple(got.shape) == (m, n) and m == n and not torch.allclose(got, expected) \
                    and torch.allclose(got, expected.T, atol=1e-5):
                raise CheckError(f"{tried} returned {got.tolist()}, the transpose of the "
                                 f"Jacobian {expected.tolist()}. Hint: row j is the gradient "
                                 "of output j, column r the derivative by x[r].")
            if tuple(got.shape) == (m, n) and torch.allclose(got, expected.cumsum(0),
                                                             atol=1e-5) \
                    and not torch.allclose(got, expected, atol=1e-5):
                raise CheckError(f"{tried} returned {got.tolist()}: row j is the sum of rows "
                                 f"0..j of the Jacobian {expected.tolist()}. backward() adds "
                                 "to x.grad, so each row carried the earlier ones. Hint: zero "
                                 "x.grad before each backward (x.grad = None), or use "
                                 "torch.autograd.grad, which does not accumulate.")
            expect_close(got, expected, tried,
                         hint="row j holds the partial derivatives of output j with respect "
                              "to x[0], x[1], ...")
    finally:
        torch.autograd.functional.jacobian = real_jacobian
    return "matches autograd on 3 functions, leaves x alone"


# ------------------------------------------------------------------ running mean

@exercise("running_mean", section="'The law of large numbers'")
def check_running_mean(running_mean):
    cases = [(torch.tensor([2.0, 4.0, 6.0, 8.0]), "samples = [2., 4., 6., 8.]"),
             (torch.tensor([5.0]), "samples = [5.]"),
             (torch.tensor([3, 1, 6, 2, 2]), "integer die rolls [3, 1, 6, 2, 2]"),
             (torch.linspace(-3.0, 7.0, 1000) ** 2 % 5, "1000 samples")]
    for x, name in cases:
        tried = f"running_mean({name})"
        x_in = x.clone()
        got = call(running_mean, tried, x_in)
        expect(torch.equal(x_in, x),
               f"{tried} changed the samples in place. Hint: use x.cumsum(0), which returns "
               "a new tensor, not x.cumsum_(0) or an assignment into x.")
        n = len(x)
        xf = x.double()
        expected = xf.cumsum(0) / torch.arange(1, n + 1, dtype=torch.float64)
        if isinstance(got, torch.Tensor) and got.numel() == 1 and n > 1:
            raise CheckError(f"{tried} returned a single number {got.reshape(()).item():.4g}, "
                             f"expected {n} running means, one per prefix of the samples. "
                             "Hint: the mean of all samples is only the last entry; "
                             "cumsum gives every prefix sum at once.")
        expect(isinstance(got, torch.Tensor),
               f"{tried} returned {type(got).__name__}, expected a 1-D tensor of length {n}.")
        expect(got.dtype.is_floating_point,
               f"{tried} returned a tensor of dtype {got.dtype}: means of integers are not "
               "integers. Hint: divide with /, not //, and start from floats (x.float()).")
        if tuple(got.shape) == (n,):
            g = got.detach().double()
            if not torch.isfinite(g).all():
                raise CheckError(f"{tried} returned {g[:4].tolist()}... with inf or nan. "
                                 "Hint: entry k is a mean of k + 1 samples, so divide by "
                                 "torch.arange(1, n + 1), not torch.arange(n), which starts "
                                 "at 0.")
            mistakes = [
                (xf.cumsum(0), "those are the running sums; divide entry k by the number "
                               "of samples in it, k + 1"),
                (xf.cumsum(0) / n, f"each prefix sum was divided by n = {n}; entry k is the "
                                   "mean of k + 1 samples, so divide by k + 1"),
                (xf.flip(0).cumsum(0) / torch.arange(1, n + 1),
                 "those are the running means of the samples taken from the end; start "
                 "from the first sample"),
                (xf.cumsum(0) / torch.arange(2, n + 2), "entry k was divided by k + 2; it "
                                                        "is the mean of k + 1 samples"),
            ]
            for wrong, hint in mistakes:
                if torch.allclose(g, wrong) and not torch.allclose(wrong, expected):
                    raise CheckError(f"{tried} returned {g[:4].tolist()}..., expected "
                                     f"{expected[:4].tolist()}...: {hint}.")
        expect_close(got, expected.to(got.dtype), tried,
                     hint="entry k is (x[0] + ... + x[k]) / (k + 1): "
                          "x.cumsum(0) / torch.arange(1, n + 1).")
    return "running means of floats and integers, input left alone"
