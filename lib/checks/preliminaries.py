"""Self-checks for the preliminaries chapter's exercises."""
import torch

from .core import CheckError, exercise, expect, expect_close

__all__ = ["check_broadcast_shape", "check_chain_costs", "check_grad_at"]


def _call(fn, tried, *args):
    """Call the student's function; turn an unexpected exception into a readable failure."""
    try:
        return fn(*args)
    except (NotImplementedError, CheckError):
        raise
    except Exception as e:  # noqa: BLE001 - any crash is reported with what was tried
        raise CheckError(f"{tried} raised {type(e).__name__}: {e}") from None


@exercise("broadcast_shape", section="'Broadcasting' in the tensors section")
def check_broadcast_shape(broadcast_shape):
    cases = [((3, 1), (1, 2)), ((2, 2, 3), (1, 2, 1)), ((4,), (3, 1)), ((5, 1, 4), (3, 1)),
             ((1,), (2, 3)), ((2, 3), (2, 3)), ((), (2, 3))]
    for a, b in cases:
        tried = f"broadcast_shape({a}, {b})"
        got = _call(broadcast_shape, tried, a, b)
        expected = tuple(torch.broadcast_shapes(a, b))
        expect(got is not None and tuple(got) == expected,
               f"{tried} returned {got!r}, expected {expected}. "
               + ("Hint: line the shapes up from the right (the last axes), and pad the "
                  "shorter one with 1s on the left."
                  if len(a) != len(b) else
                  "Hint: on each axis the result takes the size that is not 1."))
    for a, b in [((3,), (4,)), ((2, 3), (3, 2)), ((2, 1, 3), (4, 2))]:
        tried = f"broadcast_shape({a}, {b})"
        try:
            got = broadcast_shape(a, b)
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as e:  # noqa: BLE001
            raise CheckError(f"{tried} raised {type(e).__name__}: {e}, expected a ValueError "
                             "(raise ValueError(...) yourself when two sizes clash).") from None
        raise CheckError(f"{tried} returned {got!r}, expected a ValueError: the sizes "
                         f"{a} and {b} cannot be broadcast, because on some axis they differ "
                         "and neither is 1.")
    return f"agrees with torch on {len(cases) + 3} pairs of shapes"


@exercise("chain_costs", section="'Matrix-matrix multiplication' in the linear algebra section")
def check_chain_costs(chain_costs):
    cases = [(2, 3, 4, 5), (2 ** 10, 2 ** 16, 2 ** 5, 2 ** 14), (7, 1, 7, 1), (1, 1, 1, 1)]
    for n, m, p, q in cases:
        tried = f"chain_costs({n}, {m}, {p}, {q})"
        got = _call(chain_costs, tried, n, m, p, q)
        expected = (n * m * p + n * p * q, m * p * q + n * m * q)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"{tried} returned {got!r}, expected a pair (cost of (AB)C, cost of A(BC)).")
        got = tuple(int(g) for g in got)
        if got == expected:
            continue
        if got == expected[::-1]:
            hint = "the two costs are swapped: return (cost of (AB)C, cost of A(BC))."
        elif got[0] in (n * m * p, n * p * q) or got[1] in (m * p * q, n * m * q):
            hint = ("each order does two products; count the multiplications of both, "
                    "the second one on the intermediate result.")
        else:
            hint = ("multiplying an (r, s) matrix by an (s, t) matrix takes r*s*t "
                    "multiplications, and gives an (r, t) matrix for the next product.")
        raise CheckError(f"{tried} returned {got}, expected {expected}. Hint: {hint}")
    return "both orders, on four chains"


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


@exercise("grad_at", section="the autograd section, 'Gradients and Python control flow'")
def check_grad_at(grad_at):
    # A smooth function with a known derivative.
    x = torch.tensor([0.0, 1.0, 2.0])
    tried = "grad_at(torch.sin, tensor([0., 1., 2.]))"
    got = _call(grad_at, tried, torch.sin, x)
    expect(got is not None, f"{tried} returned None, expected a tensor: return x's gradient "
                            "(the .grad of the tensor you called backward through).")
    expect_close(got, torch.cos(x), tried,
                 hint="the gradient of sum(sin(x)) is cos(x), elementwise. Did you return f(x) "
                      "instead of the gradient?" if torch.allclose(got.detach(), torch.sin(x))
                 else "the gradient of sum(sin(x)) is cos(x), elementwise.")
    expect(not x.requires_grad and x.grad is None,
           f"after {tried}, the caller's tensor has requires_grad={x.requires_grad} and "
           f"grad={x.grad}; grad_at must leave its argument unchanged. Work on a copy: "
           "x = x.detach().clone().requires_grad_(True).")
    # The control-flow function, at a positive and a negative scalar, and a vector.
    for a in (torch.tensor(0.37), torch.tensor(-1.5), torch.tensor([0.5, -0.2, 0.1])):
        tried = f"grad_at(control_flow_f, {a!r})"
        got = _call(grad_at, tried, control_flow_f, a)
        expect(got is not None, f"{tried} returned None, expected a tensor.")
        expected = control_flow_f(a) / a
        expect_close(got, expected, tried,
                     hint="f is linear on each side of zero, so its gradient is f(a) / a. "
                          "For a vector output, call backward on its sum.")
    # Called twice on the same tensor: gradients must not accumulate.
    a = torch.tensor(2.0)
    first = _call(grad_at, "grad_at(control_flow_f, tensor(2.))", control_flow_f, a).clone()
    second = _call(grad_at, "a second grad_at(control_flow_f, tensor(2.))", control_flow_f, a)
    expect_close(second, first, "calling grad_at(control_flow_f, tensor(2.)) a second time",
                 hint="the second call must give the same gradient as the first. Gradients "
                      "add up in .grad across backward calls: start from a fresh copy of x "
                      "(or zero its .grad) on every call.")
    return "cos for sin, f(a)/a for the control-flow f"
