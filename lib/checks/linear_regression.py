"""Self-checks for the linear regression chapter's exercises."""
import torch

from .core import CheckError, exercise, expect, expect_close

__all__ = ["check_sgd", "check_save_hyperparameters", "check_squared_loss"]


def _params():
    """Two parameters with known gradients, as after a backward pass."""
    w = torch.tensor([[1.0], [-2.0]], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    w.grad = torch.tensor([[0.4], [-1.0]])
    b.grad = torch.tensor([2.0])
    return w, b


@exercise("SGD", section="'Minibatch stochastic gradient descent' in the from-scratch section")
def check_sgd(SGD):
    w, b = _params()
    w0, b0, gw, gb = w.detach().clone(), b.detach().clone(), w.grad.clone(), b.grad.clone()
    opt = SGD([w, b], lr=0.1)
    try:
        opt.step()
    except NotImplementedError:
        raise
    except RuntimeError as e:
        if "in-place" in str(e) or "leaf" in str(e):
            raise CheckError(f"SGD([w, b], lr=0.1).step() raised RuntimeError: {e}. Hint: "
                             "autograd refuses to record an in-place update of a parameter; "
                             "do the update inside `with torch.no_grad():` (or decorate step "
                             "with @torch.no_grad()).") from None
        raise CheckError(f"SGD([w, b], lr=0.1).step() raised RuntimeError: {e}") from None
    tried = "SGD([w, b], lr=0.1).step() with w.grad = [[0.4], [-1.0]]"
    if torch.equal(w.detach(), w0):
        raise CheckError(f"{tried} left w unchanged at {w0.flatten().tolist()}. Hint: update "
                         "the parameter tensor in place (param -= ...); `param = param - ...` "
                         "only rebinds a local name.")
    step = (w.detach() - w0).flatten()
    if torch.allclose(step, (0.1 * gw).flatten()):
        raise CheckError(f"{tried} moved w by {step.tolist()}, along the gradient: that climbs "
                         "the loss. Hint: gradient descent subtracts, param -= lr * grad.")
    if torch.allclose(step, -gw.flatten()):
        raise CheckError(f"{tried} moved w by {step.tolist()}, the whole negative gradient. "
                         "Hint: scale the step by the learning rate, param -= lr * grad.")
    expect_close(w, w0 - 0.1 * gw, tried, hint="the update is param -= lr * param.grad.")
    expect_close(b, b0 - 0.1 * gb, "the same step() on b (b.grad = [2.0])",
                 hint="update every parameter in params, not only the first.")
    expect(w.requires_grad and w.grad_fn is None,
           "after step(), w is no longer a leaf tensor that requires grad: the update was "
           "recorded by autograd. Do it inside `with torch.no_grad():`.")
    opt.zero_grad()
    for name, p in (("w", w), ("b", b)):
        if p.grad is not None and torch.count_nonzero(p.grad) > 0:
            raise CheckError(
                f"after zero_grad(), {name}.grad is {p.grad.flatten().tolist()}, expected zeros. "
                "Hint: backward() adds to .grad, so zero_grad must reset it "
                "(param.grad.zero_()), or every step would also apply all the old gradients.")
    w2, b2 = _params()
    w2.grad = None
    try:
        SGD([w2, b2], lr=0.5).zero_grad()
    except (AttributeError, TypeError) as e:
        raise CheckError(f"zero_grad() on a parameter whose .grad is None (never used in a "
                         f"backward pass) raised {type(e).__name__}: {e}. Hint: skip parameters "
                         "whose grad is None.") from None
    w3, b3 = _params()
    w30 = w3.detach().clone()
    SGD([w3, b3], lr=0.5).step()
    expect_close(w3, w30 - 0.5 * w3.grad, "SGD([w, b], lr=0.5).step()",
                 hint="use the learning rate passed to __init__ (store it, e.g. with "
                      "self.save_hyperparameters() or self.lr = lr).")
    return "steps by -lr * grad, resets gradients"


@exercise("save_hyperparameters",
          section="'Utilities' in the object-oriented design section")
def check_save_hyperparameters(HyperParameters):
    class B(HyperParameters):
        def __init__(self, a, b, c=3):
            self.save_hyperparameters(ignore=["c"])

    class D(HyperParameters):
        def __init__(self, x, y=2.5):
            self.save_hyperparameters()

    try:
        obj = B(1, b="two")
        d = D(x=[7])
    except (NotImplementedError, CheckError):
        raise
    except Exception as e:  # noqa: BLE001
        raise CheckError(f"B(1, b='two'), whose __init__ calls "
                         f"self.save_hyperparameters(ignore=['c']), raised "
                         f"{type(e).__name__}: {e}") from None
    tried = "B(a=1, b='two', c=3) with save_hyperparameters(ignore=['c'])"
    for name, value in (("a", 1), ("b", "two")):
        expect(getattr(obj, name, None) == value,
               f"{tried} gave self.{name} = {getattr(obj, name, '<missing>')!r}, expected "
               f"{value!r}. Hint: read the caller's arguments with "
               "inspect.currentframe().f_back.f_locals and setattr each one.")
    expect(not hasattr(obj, "c"),
           f"{tried} set self.c = {getattr(obj, 'c', None)!r}, but c is in ignore. Hint: skip "
           "the names listed in ignore.")
    expect(not hasattr(obj, "self"),
           f"{tried} set an attribute named 'self'. Hint: skip the name 'self' as well.")
    expect(getattr(d, "x", None) == [7] and getattr(d, "y", None) == 2.5,
           f"D(x=[7]) with default y=2.5 gave x={getattr(d, 'x', '<missing>')!r}, "
           f"y={getattr(d, 'y', '<missing>')!r}; expected [7] and 2.5 (defaults count too).")
    return "saves the arguments, skips the ignored ones"


@exercise("squared_loss", section="'Defining the loss function' in the from-scratch section")
def check_squared_loss(squared_loss):
    y_hat = torch.tensor([[1.0], [2.0], [4.0]])
    y = torch.tensor([[1.5], [2.0], [1.0]])
    tried = "squared_loss(y_hat=[[1.], [2.], [4.]], y=[[1.5], [2.], [1.]])"
    try:
        got = squared_loss(y_hat, y)
    except (NotImplementedError, CheckError):
        raise
    except Exception as e:  # noqa: BLE001
        raise CheckError(f"{tried} raised {type(e).__name__}: {e}") from None
    expected = torch.tensor((0.25 + 0 + 9) / 2 / 3)
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        if torch.isclose(got.detach().reshape(()), expected * 2):
            raise CheckError(f"{tried} returned {got.item():.4f}, expected "
                             f"{expected.item():.4f}. Hint: the loss is half the squared "
                             "error, (y_hat - y)**2 / 2, so that its gradient is y_hat - y.")
        if torch.isclose(got.detach().reshape(()), expected * 3):
            raise CheckError(f"{tried} returned {got.item():.4f}, expected "
                             f"{expected.item():.4f}. Hint: average over the examples (mean), "
                             "do not sum, so the step size does not grow with the batch size.")
    expect(isinstance(got, torch.Tensor) and got.numel() == 1,
           f"{tried} returned {got!r}, expected a single number (a 0-d tensor): average the "
           "per-example losses with .mean().")
    expect_close(got.reshape(()), expected, tried,
                 hint="the loss is ((y_hat - y)**2 / 2).mean().")
    # The classic broadcasting bug: labels as a vector, predictions as a column.
    y_vec = y.reshape(-1)
    tried = "squared_loss(y_hat of shape (3, 1), y of shape (3,))"
    got = squared_loss(y_hat, y_vec)
    expect(isinstance(got, torch.Tensor) and got.numel() == 1,
           f"{tried} returned {got!r}, expected a single number.")
    if torch.isclose(got.detach().reshape(()), ((y_hat - y_vec) ** 2 / 2).mean()):
        raise CheckError(f"{tried} returned {got.item():.4f}, expected "
                         f"{expected.item():.4f}: y_hat - y broadcast a (3, 1) column against "
                         "a (3,) vector into a (3, 3) table of every pair. Hint: reshape y to "
                         "y_hat's shape first, y.reshape(y_hat.shape).")
    expect_close(got.reshape(()), expected, tried,
                 hint="reshape y to y_hat's shape before subtracting.")
    return "also with labels of shape (n,)"
