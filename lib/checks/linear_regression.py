"""Self-checks for the linear regression chapter's exercises."""
import torch

from .core import (CheckError, call, describe, exercise, expect, expect_close, expect_tensor,
                   expect_unchanged, same)

__all__ = ["check_sgd", "check_save_hyperparameters", "check_squared_loss"]


def _params():
    """Two parameters with known gradients, as after a backward pass."""
    w = torch.tensor([[1.0], [-2.0]], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    w.grad = torch.tensor([[0.4], [-1.0]])
    b.grad = torch.tensor([2.0])
    return w, b


_NO_GRAD_HINT = ("autograd refuses to record an in-place update of a parameter; do the update "
                 "inside `with torch.no_grad():` (or decorate step with @torch.no_grad()).")


def _optimizer(SGD, tried, params, lr):
    """SGD(params, lr=lr), or a failure if that is not an object with step and zero_grad."""
    opt = call(SGD, tried, params, lr=lr)
    expect(callable(getattr(opt, "step", None)) and callable(getattr(opt, "zero_grad", None)),
           f"{tried} gave {describe(opt)}, expected an optimizer object with the methods "
           "step() and zero_grad(): SGD must be a class.")
    return opt


@exercise("SGD", section="'The SGD step' in the from-scratch section")
def check_sgd(SGD):
    w, b = _params()
    w0, b0, gw, gb = w.detach().clone(), b.detach().clone(), w.grad.clone(), b.grad.clone()
    opt = _optimizer(SGD, "SGD([w, b], lr=0.1)", [w, b], lr=0.1)
    call(opt.step, "SGD([w, b], lr=0.1).step()",
         hint={RuntimeError: _NO_GRAD_HINT})
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
    call(opt.zero_grad, "SGD([w, b], lr=0.1).zero_grad()")
    for name, p in (("w", w), ("b", b)):
        if p.grad is not None and torch.count_nonzero(p.grad) > 0:
            raise CheckError(
                f"after zero_grad(), {name}.grad is {p.grad.flatten().tolist()}, expected zeros. "
                "Hint: backward() adds to .grad, so zero_grad must reset it "
                "(param.grad.zero_()), or every step would also apply all the old gradients.")
    w2, b2 = _params()
    w2.grad = None
    call(_optimizer(SGD, "SGD([w, b], lr=0.5)", [w2, b2], lr=0.5).zero_grad,
         "zero_grad() on a parameter whose .grad is None (never used in a backward pass)",
         hint={(AttributeError, TypeError): "skip parameters whose grad is None."})
    w3, b3 = _params()
    w30 = w3.detach().clone()
    call(_optimizer(SGD, "SGD([w, b], lr=0.5)", [w3, b3], lr=0.5).step,
         "SGD([w, b], lr=0.5).step()")
    expect_close(w3, w30 - 0.5 * w3.grad, "SGD([w, b], lr=0.5).step()",
                 hint="use the learning rate passed to __init__ (store it, e.g. with "
                      "self.save_hyperparameters() or self.lr = lr).")
    # As in training: the parameters arrive as a generator (model.parameters() is one),
    # and step and zero_grad run again and again.
    w4, b4 = _params()
    tried = "SGD(a generator of [w, b], lr=0.1), as model.parameters() gives, after two steps"
    opt = _optimizer(SGD, tried, (p for p in (w4, b4)), lr=0.1)
    for _ in range(2):
        call(opt.step, f"{tried}: step()")
        call(opt.zero_grad, f"{tried}: zero_grad()")
        w4.grad, b4.grad = torch.tensor([[0.4], [-1.0]]), torch.tensor([2.0])
    expected = torch.tensor([[1.0 - 0.08], [-2.0 + 0.2]])
    if same(w4, torch.tensor([[1.0 - 0.04], [-2.0 + 0.1]])):
        raise CheckError(f"{tried}: the second step did not move w. The generator was used up "
                         "by the first pass over it: keep the parameters as a list, "
                         "self.params = list(params).")
    expect_close(w4, expected, tried, hint="every step must move every parameter.")
    return "steps by -lr * grad, resets gradients, keeps a generator's parameters"


@exercise("save_hyperparameters",
          section="'Three helpers' in the object-oriented design section")
def check_save_hyperparameters(HyperParameters):
    expect(isinstance(HyperParameters, type) and callable(
               getattr(HyperParameters, "save_hyperparameters", None)),
           f"check_save_hyperparameters was given {describe(HyperParameters)}, expected the "
           "class MyHyperParameters, with a method save_hyperparameters(self, ignore=()).")
    class Layer(HyperParameters):
        def __init__(self, width, act, cache=3):
            self.save_hyperparameters(ignore=["cache"])

    class D(HyperParameters):
        def __init__(self, x, y=2.5):
            self.save_hyperparameters()

    class E(HyperParameters):
        def __init__(self, lr, data=None, net=None):
            self.save_hyperparameters(ignore=("data", "net"))

    tried = "Layer(16, act='relu'), whose __init__ calls self.save_hyperparameters(ignore=['cache'])"
    obj = call(Layer, tried, 16, act="relu")
    d = call(D, "D(x=[7]), whose __init__ calls self.save_hyperparameters()", x=[7])
    tried = "Layer(width=16, act='relu', cache=3) with save_hyperparameters(ignore=['cache'])"
    for name, value in (("width", 16), ("act", "relu")):
        expect(getattr(obj, name, None) == value,
               f"{tried} gave {_attribute(obj, name)}, expected self.{name} = {value!r}. "
               "Hint: read the caller's arguments with "
               "inspect.currentframe().f_back.f_locals and setattr each one.")
    expect(not hasattr(obj, "cache"),
           f"{tried} set self.cache = {getattr(obj, 'cache', None)!r}, but cache is in ignore. "
           "Hint: skip the names listed in ignore.")
    expect(not hasattr(obj, "self"),
           f"{tried} set an attribute named 'self'. Hint: skip the name 'self' as well.")
    expect(not hasattr(obj, "ignore"),
           f"{tried} set an attribute named 'ignore': that is save_hyperparameters' own "
           "argument, so the variables were read from its own frame. Read the caller's: "
           "inspect.currentframe().f_back.")
    expect(getattr(d, "x", None) == [7] and getattr(d, "y", None) == 2.5,
           f"D(x=[7]) with default y=2.5 gave {_attribute(d, 'x')} and {_attribute(d, 'y')}; "
           "expected [7] and 2.5 (defaults count too).")
    e = call(E, "E(lr=0.1, data='big'), whose __init__ calls "
                "self.save_hyperparameters(ignore=('data', 'net'))", lr=0.1, data="big")
    expect(getattr(e, "lr", None) == 0.1 and not hasattr(e, "data") and not hasattr(e, "net"),
           "E(lr=0.1, data='big') with ignore=('data', 'net') (a tuple) gave "
           f"{_attribute(e, 'lr')} and {_attribute(e, 'data')}; expected lr=0.1 and no data "
           "or net attribute: ignore may be any sequence of names.")
    # Two objects keep their own values (no sharing through the class).
    first, second = call(D, "D(1)", 1), call(D, "D(2)", 2)
    expect(getattr(first, "x", None) == 1 and getattr(second, "x", None) == 2,
           f"after D(1) and D(2), the first has {_attribute(first, 'x')}: "
           "store the values on the object (setattr(self, ...)), not on its class or in a "
           "dictionary the class shares.")
    # Models call super().__init__() first: then the caller's f_locals also holds
    # __class__, and setting it would turn a subclass's object into its parent's class.
    class Base(HyperParameters):
        def __init__(self, lr):
            super().__init__()
            self.save_hyperparameters()

    class Child(Base):
        pass

    tried = ("Child(lr=0.1), a subclass of Base, whose __init__ calls super().__init__() "
             "and then self.save_hyperparameters(),")
    child = call(Child, tried, lr=0.1)
    expect(type(child) is Child,
           f"{tried} came back as a {type(child).__name__}, not a Child: when __init__ uses "
           "super(), the caller's f_locals also holds __class__, and setting it changes "
           "the object's class. Keep only the __init__'s arguments (for example the first "
           "f_code.co_argcount names of f_code.co_varnames), or skip names that start with '_'.")
    expect(getattr(child, "lr", None) == 0.1,
           f"{tried} gave {_attribute(child, 'lr')}, expected self.lr = 0.1.")
    return "saves the arguments, skips the ignored ones"


def _attribute(obj, name):
    """`self.<name> = <value>` in words, or that it is missing."""
    if not hasattr(obj, name):
        return f"no attribute {name}"
    return f"self.{name} = {describe(getattr(obj, name))}"


def _loss_value(got, tried):
    """The loss as a 0-d tensor, or a failure saying why it is not one."""
    expect_tensor(got, tried, "a single number as a 0-d tensor (so that backward() works)")
    expect(got.numel() == 1,
           f"{tried} returned a tensor of shape {tuple(got.shape)}, expected a single number "
           "(a 0-d tensor): average the per-example losses with .mean().")
    return got.reshape(())


@exercise("squared_loss", section="'The loss' in the from-scratch section")
def check_squared_loss(squared_loss):
    y_hat = torch.tensor([[1.0], [2.0], [4.0]], requires_grad=True)
    y = torch.tensor([[1.5], [2.0], [1.0]])
    y_hat0, y0 = y_hat.detach().clone(), y.clone()
    tried = "squared_loss(y_hat=[[1.], [2.], [4.]], y=[[1.5], [2.], [1.]])"
    got = call(squared_loss, tried, y_hat, y)
    expect_unchanged(y, y0, tried + " (y)")
    expect_unchanged(y_hat, y_hat0, tried + " (y_hat)")
    expected = torch.tensor((0.25 + 0 + 9) / 2 / 3)
    diff = (y_hat0 - y).reshape(-1)
    wrong = {"the loss is half the squared error, (y_hat - y)**2 / 2, so that its gradient "
             "is y_hat - y.": (diff ** 2).mean(),
             "average over the examples (mean), do not sum, so the step size does not grow "
             "with the batch size.": (diff ** 2 / 2).sum(),
             "square the error: the absolute error |y_hat - y| is another loss.":
                 (diff.abs() / 2).mean(),
             "the difference is y_hat - y, squared, then halved: ((y_hat - y) ** 2) / 2.":
                 ((diff / 2) ** 2).mean()}
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        for hint, value in wrong.items():
            if same(got.detach().reshape(()), value):
                raise CheckError(f"{tried} returned {got.item():.4f}, expected "
                                 f"{expected.item():.4f}. Hint: {hint}")
    value = _loss_value(got, tried)
    expect_close(value, expected, tried, atol=1e-6, rtol=1e-6,
                 hint="the loss is ((y_hat - y)**2 / 2).mean().")
    expect(value.requires_grad,
           f"{tried} returned a tensor that autograd cannot trace back to y_hat: compute the "
           "loss with tensor operations (no .item(), float() or .detach()) so that "
           "backward() reaches the parameters.")
    # The classic broadcasting bug: labels as a vector, predictions as a column; and a
    # batch of one, where squeezing everything gives a 0-d tensor.
    for y_hat, y_vec in ((y_hat0, y0.reshape(-1)), (torch.tensor([[2.0]]), torch.tensor([0.5])),
                         (torch.arange(5.0).reshape(5, 1), torch.tensor([0.5, -1, 2, 3.5, 0]))):
        n, y_before = len(y_vec), y_vec.clone()
        expected = ((y_hat.reshape(-1) - y_vec) ** 2 / 2).mean()
        broadcast = ((y_hat - y_vec) ** 2 / 2).mean()
        tried = f"squared_loss(y_hat of shape ({n}, 1), y of shape ({n},))"
        got = call(squared_loss, tried, y_hat, y_vec)
        expect_unchanged(y_vec, y_before, tried + " (y)",
                         hint="reshape returns a new view: y.reshape(y_hat.shape), not "
                              "y.resize_ or y.unsqueeze_")
        if isinstance(got, torch.Tensor) and got.numel() == 1 and n > 1 and same(
                got.detach().reshape(()), broadcast):
            raise CheckError(f"{tried} returned {got.item():.4f}, expected "
                             f"{expected.item():.4f}: y_hat - y broadcast a ({n}, 1) column "
                             f"against a ({n},) vector into a ({n}, {n}) table of every pair. "
                             "Hint: reshape y to y_hat's shape first, y.reshape(y_hat.shape).")
        expect_close(_loss_value(got, tried), expected, tried, atol=1e-6, rtol=1e-6,
                     hint="reshape y to y_hat's shape before subtracting.")
    return "also with labels of shape (n,), and a batch of one"
