"""The linear regression chapter's self-checks pass right answers and explain wrong ones."""
import contextlib
import inspect

import pytest
import torch

import lib
from helpers import fails, passes, solutions_pass, stubs_fail
from lib.checks import NOT_IMPLEMENTED
from lib.checks.linear_regression import check_save_hyperparameters, check_sgd, check_squared_loss


# --- SGD -------------------------------------------------------------------------------

class GoodSGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
                p -= self.lr * p.grad

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()


class StubSGD:
    def __init__(self, params, lr):
        raise NotImplementedError


def make_sgd(step=None, zero_grad=None):
    """A GoodSGD with one method replaced."""
    attrs = {}
    if step is not None:
        attrs["step"] = step
    if zero_grad is not None:
        attrs["zero_grad"] = zero_grad
    return type("VariantSGD", (GoodSGD,), attrs)


def stepping_by(update, no_grad=True):
    """A step that subtracts update(self, p) from each parameter p in place, under
    torch.no_grad() or (no_grad=False) not."""
    def step(self):
        with torch.no_grad() if no_grad else contextlib.nullcontext():
            for p in self.params:
                p -= update(self, p)
    return step


def stub_step(self):
    raise NotImplementedError


def rebinding_step(self):
    with torch.no_grad():
        for p in self.params:
            p = p - self.lr * p.grad  # noqa: F841 - the bug under test


def setting_grad_to_none(self):
    for p in self.params:
        p.grad = None


def zero_grad_on_missing_grad(self):
    for p in self.params:
        p.grad.zero_()


class KeepsGenerator(GoodSGD):
    def __init__(self, params, lr):
        self.params, self.lr = params, lr


@pytest.mark.parametrize("wrong, message", [
    pytest.param(make_sgd(step=stub_step), NOT_IMPLEMENTED, id="stub_step"),
    pytest.param(make_sgd(step=stepping_by(lambda self, p: -self.lr * p.grad)), "climbs the loss",
                 id="wrong_sign"),
    pytest.param(make_sgd(step=stepping_by(lambda self, p: p.grad)),
                 "scale the step by the learning rate", id="forgotten_lr"),
    pytest.param(make_sgd(step=stepping_by(lambda self, p: 0.1 * p.grad)),
                 "use the learning rate passed to __init__", id="hard_coded_lr"),
    pytest.param(make_sgd(zero_grad=lambda self: None), r"after zero_grad\(\), w.grad is .*expected zeros",
                 id="missing_zero_grad"),
    pytest.param(make_sgd(step=stepping_by(lambda self, p: self.lr * p.grad, no_grad=False)),
                 "torch.no_grad", id="without_no_grad"),
    pytest.param(make_sgd(step=rebinding_step), "left w unchanged", id="rebinding"),
    pytest.param(make_sgd(zero_grad=zero_grad_on_missing_grad), "whose grad is None",
                 id="zero_grad_on_missing_grad"),
    pytest.param(KeepsGenerator, "generator was used up", id="keeping_the_generator"),
    pytest.param(None, r"SGD\(\[w, b\], lr=0.1\) raised TypeError", id="not_a_class_fails_without_crashing"),
])
def test_sgd_wrong_answers(wrong, message):
    fails(check_sgd, wrong, message)


# --- save_hyperparameters --------------------------------------------------------------

class GoodHP:
    def save_hyperparameters(self, ignore=()):
        frame = inspect.currentframe().f_back
        skip = set(ignore) | {"self"}
        self.hparams = {k: v for k, v in frame.f_locals.items()
                        if k not in skip and not k.startswith("_")}
        for k, v in self.hparams.items():
            setattr(self, k, v)


class StubHP:
    def save_hyperparameters(self, ignore=()):
        raise NotImplementedError


class NoIgnore:
    def save_hyperparameters(self, ignore=()):
        for k, v in inspect.currentframe().f_back.f_locals.items():
            if k != "self":
                setattr(self, k, v)


class KeepsSelf:
    def save_hyperparameters(self, ignore=()):
        for k, v in inspect.currentframe().f_back.f_locals.items():
            if k not in ignore:
                setattr(self, k, v)


class OwnFrame:
    def save_hyperparameters(self, ignore=()):
        # Reads its own locals instead of the caller's.
        for k, v in dict(inspect.currentframe().f_locals).items():
            if k not in ("self", "ignore"):
                setattr(self, k, v)


class OnTheClass:
    def save_hyperparameters(self, ignore=()):
        for k, v in inspect.currentframe().f_back.f_locals.items():
            if k not in set(ignore) | {"self"}:
                setattr(type(self), k, v)


class ListOnly:
    def save_hyperparameters(self, ignore=[]):
        skip = ignore + ["self"]
        for k, v in inspect.currentframe().f_back.f_locals.items():
            if k not in skip:
                setattr(self, k, v)


class TooFarBack:
    def save_hyperparameters(self, ignore=()):
        for k, v in inspect.currentframe().f_back.f_back.f_locals.items():
            if k not in set(ignore) | {"self"}:
                setattr(self, k, v)


class EveryLocal:
    """Copies every local of the caller but self and the ignored ones: __class__ too."""

    def save_hyperparameters(self, ignore=()):
        caller = dict(inspect.currentframe().f_back.f_locals)
        for name in caller.keys() - set(ignore) - {"self"}:
            setattr(self, name, caller[name])


@pytest.mark.parametrize("wrong, message", [
    pytest.param(EveryLocal, r"came back as a Base, not a Child.*__class__", id="every_local"),
    pytest.param(NoIgnore, "cache is in ignore", id="ignoring_ignore"),
    pytest.param(KeepsSelf, "attribute named 'self'", id="keeping_self"),
    pytest.param(OwnFrame, r"gave no attribute width, expected self\.width = 16.*f_back", id="own_frame"),
    pytest.param(OnTheClass, r"after D\(1\) and D\(2\), the first has self.x = 2", id="on_the_class"),
    pytest.param(ListOnly, r"(?s)E\(lr=0.1, data='big'\).*raised TypeError", id="list_only_ignore"),
    pytest.param(TooFarBack, r"gave (no attribute width|self\.width = .*), expected self\.width = 16",
                 id="grand_caller_frame"),
])
def test_save_hyperparameters_wrong_answers(wrong, message):
    fails(check_save_hyperparameters, wrong, message)


# --- squared_loss ----------------------------------------------------------------------

def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()


def labels_reshaped_in_place(y_hat, y):
    y.resize_(y_hat.shape)
    return squared_loss(y_hat, y)


def column_only(y_hat, y):
    return ((y_hat - y) ** 2 / 2).mean(dim=1).reshape(())


@pytest.mark.parametrize("wrong, message", [
    pytest.param(lambda y_hat, y: ((y_hat - y) ** 2 / 2).mean(), r"\(3, 3\) table", id="broadcasting_bug"),
    pytest.param(lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2).mean(), "half the squared error",
                 id="without_half"),
    pytest.param(lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum(),
                 "average over the examples", id="sum"),
    pytest.param(lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2 / 2, "expected a single number",
                 id="per_example"),
    pytest.param(lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)).abs() / 2).mean(), "square the error",
                 id="absolute_error"),
    pytest.param(lambda y_hat, y: squared_loss(y_hat, y).item(),
                 r"returned 1\.54.*Python number has left PyTorch", id="python_number"),
    pytest.param(lambda y_hat, y: squared_loss(y_hat.detach(), y), "autograd cannot trace back to y_hat",
                 id="detached"),
    pytest.param(labels_reshaped_in_place, r"\(y\) changed its input in place",
                 id="reshaping_the_labels_in_place"),
])
def test_squared_loss_wrong_answers(wrong, message):
    fails(check_squared_loss, wrong, message)


def test_squared_loss_crash_is_reported_with_the_call():
    fails(check_squared_loss, column_only, r"squared_loss\(y_hat=.*raised RuntimeError", cause=RuntimeError)


# --- right answers written differently from the book's solutions -----------------------

class DecoratedSGD:
    """Keeps a tuple, steps with sub_ under the decorator, drops the gradients."""

    def __init__(self, params, lr=0.01):
        self.params = tuple(params)
        self.lr = lr

    @torch.no_grad()
    def step(self):
        for p in self.params:
            p.sub_(p.grad, alpha=self.lr)

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class DataSGD(GoodSGD):
    """Updates through .data, which autograd does not see."""

    def step(self):
        for p in self.params:
            p.data -= self.lr * p.grad


class ArgvaluesHP:
    """Reads the caller's arguments with inspect.getargvalues."""

    def save_hyperparameters(self, ignore=()):
        info = inspect.getargvalues(inspect.currentframe().f_back)
        for name in info.args:
            if name != "self" and name not in ignore:
                setattr(self, name, info.locals[name])


class CodeArgsHP:
    """Reads exactly the caller's argument names from its code object."""

    def save_hyperparameters(self, ignore=()):
        frame = inspect.currentframe().f_back
        code = frame.f_code
        for name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
            if name != "self" and name not in ignore:
                setattr(self, name, frame.f_locals[name])


def mse_halved(y_hat, y):
    return torch.nn.functional.mse_loss(y_hat, y.view_as(y_hat)) / 2


def flattened_loss(y_hat, y):
    return 0.5 * torch.mean((y_hat.flatten() - y.flatten()) ** 2)


@pytest.mark.parametrize("check, right", [
    pytest.param(check_sgd, DecoratedSGD, id="sgd_decorated_sub_"),
    pytest.param(check_sgd, DataSGD, id="sgd_through_data"),
    pytest.param(check_save_hyperparameters, ArgvaluesHP, id="hparams_getargvalues"),
    pytest.param(check_save_hyperparameters, CodeArgsHP, id="hparams_code_arguments"),
    pytest.param(check_squared_loss, mse_halved, id="loss_mse_halved"),
    pytest.param(check_squared_loss, flattened_loss, id="loss_flattened"),
])
def test_other_right_answers_pass(check, right, capsys):
    passes(check, right, capsys)


# --- every check: its right answers pass, a stub is not implemented yet ----------------

test_solutions_pass = solutions_pass(
    (check_sgd, GoodSGD),
    pytest.param(check_sgd, make_sgd(zero_grad=setting_grad_to_none), id="setting_grad_to_none"),
    (check_save_hyperparameters, GoodHP),
    pytest.param(check_save_hyperparameters, lib.HyperParameters, id="lib_version"),
    (check_squared_loss, squared_loss),
    pytest.param(check_squared_loss, lambda y_hat, y: ((y_hat.squeeze() - y.squeeze()) ** 2 / 2).mean(),
                 id="squeezing_both"))
test_stubs_fail = stubs_fail((check_sgd, StubSGD), (check_save_hyperparameters, StubHP), check_squared_loss)
