"""The linear regression chapter's self-checks pass right answers and explain wrong ones."""
import inspect

import pytest
import torch

from lib.checks import CheckError, NOT_IMPLEMENTED
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


def make_sgd(step=None, zero_grad=None):
    """A GoodSGD with one method replaced."""
    attrs = {}
    if step is not None:
        attrs["step"] = step
    if zero_grad is not None:
        attrs["zero_grad"] = zero_grad
    return type("VariantSGD", (GoodSGD,), attrs)


def test_sgd_solution_passes(capsys):
    check_sgd(GoodSGD)
    assert "check passed" in capsys.readouterr().out


def test_sgd_setting_grad_to_none_passes(capsys):
    def zero_grad(self):
        for p in self.params:
            p.grad = None
    check_sgd(make_sgd(zero_grad=zero_grad))
    assert "check passed" in capsys.readouterr().out


def test_sgd_stub_fails():
    class Stub:
        def __init__(self, params, lr):
            raise NotImplementedError
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_sgd(Stub)


def test_sgd_stub_step_fails():
    def step(self):
        raise NotImplementedError
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_sgd(make_sgd(step=step))


def test_sgd_wrong_sign_fails():
    def step(self):
        with torch.no_grad():
            for p in self.params:
                p += self.lr * p.grad
    with pytest.raises(CheckError, match="climbs the loss"):
        check_sgd(make_sgd(step=step))


def test_sgd_forgotten_lr_fails():
    def step(self):
        with torch.no_grad():
            for p in self.params:
                p -= p.grad
    with pytest.raises(CheckError, match="scale the step by the learning rate"):
        check_sgd(make_sgd(step=step))


def test_sgd_hard_coded_lr_fails():
    def step(self):
        with torch.no_grad():
            for p in self.params:
                p -= 0.1 * p.grad
    with pytest.raises(CheckError, match="use the learning rate passed to __init__"):
        check_sgd(make_sgd(step=step))


def test_sgd_missing_zero_grad_fails():
    with pytest.raises(CheckError, match=r"after zero_grad\(\), w.grad is .*expected zeros"):
        check_sgd(make_sgd(zero_grad=lambda self: None))


def test_sgd_without_no_grad_fails():
    def step(self):
        for p in self.params:
            p -= self.lr * p.grad
    with pytest.raises(CheckError, match="torch.no_grad"):
        check_sgd(make_sgd(step=step))


def test_sgd_rebinding_fails():
    def step(self):
        with torch.no_grad():
            for p in self.params:
                p = p - self.lr * p.grad  # noqa: F841 - the bug under test
    with pytest.raises(CheckError, match="left w unchanged"):
        check_sgd(make_sgd(step=step))


def test_sgd_zero_grad_on_missing_grad_fails():
    def zero_grad(self):
        for p in self.params:
            p.grad.zero_()
    with pytest.raises(CheckError, match="whose grad is None"):
        check_sgd(make_sgd(zero_grad=zero_grad))


# --- save_hyperparameters --------------------------------------------------------------

class GoodHP:
    def save_hyperparameters(self, ignore=()):
        frame = inspect.currentframe().f_back
        skip = set(ignore) | {"self"}
        self.hparams = {k: v for k, v in frame.f_locals.items()
                        if k not in skip and not k.startswith("_")}
        for k, v in self.hparams.items():
            setattr(self, k, v)


def test_save_hyperparameters_solution_passes(capsys):
    check_save_hyperparameters(GoodHP)
    assert "check passed" in capsys.readouterr().out


def test_save_hyperparameters_lib_version_passes(capsys):
    import lib
    check_save_hyperparameters(lib.HyperParameters)
    assert "check passed" in capsys.readouterr().out


def test_save_hyperparameters_stub_fails():
    class Stub:
        def save_hyperparameters(self, ignore=()):
            raise NotImplementedError
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_save_hyperparameters(Stub)


def test_save_hyperparameters_ignoring_ignore_fails():
    class NoIgnore:
        def save_hyperparameters(self, ignore=()):
            for k, v in inspect.currentframe().f_back.f_locals.items():
                if k != "self":
                    setattr(self, k, v)
    with pytest.raises(CheckError, match="c is in ignore"):
        check_save_hyperparameters(NoIgnore)


def test_save_hyperparameters_keeping_self_fails():
    class KeepsSelf:
        def save_hyperparameters(self, ignore=()):
            for k, v in inspect.currentframe().f_back.f_locals.items():
                if k not in ignore:
                    setattr(self, k, v)
    with pytest.raises(CheckError, match="attribute named 'self'"):
        check_save_hyperparameters(KeepsSelf)


def test_save_hyperparameters_own_frame_fails():
    class OwnFrame:
        def save_hyperparameters(self, ignore=()):
            # Reads its own locals instead of the caller's.
            for k, v in dict(inspect.currentframe().f_locals).items():
                if k not in ("self", "ignore"):
                    setattr(self, k, v)
    with pytest.raises(CheckError, match=r"gave no attribute a, expected self\.a = 1.*f_back"):
        check_save_hyperparameters(OwnFrame)


# --- squared_loss ----------------------------------------------------------------------

def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()


def test_squared_loss_solution_passes(capsys):
    check_squared_loss(squared_loss)
    assert "check passed" in capsys.readouterr().out


def test_squared_loss_stub_fails():
    def stub(y_hat, y):
        raise NotImplementedError
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_squared_loss(stub)


def test_squared_loss_broadcasting_bug_fails():
    with pytest.raises(CheckError, match=r"\(3, 3\) table"):
        check_squared_loss(lambda y_hat, y: ((y_hat - y) ** 2 / 2).mean())


def test_squared_loss_without_half_fails():
    with pytest.raises(CheckError, match="half the squared error"):
        check_squared_loss(lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2).mean())


def test_squared_loss_sum_fails():
    with pytest.raises(CheckError, match="average over the examples"):
        check_squared_loss(lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum())


def test_squared_loss_per_example_fails():
    with pytest.raises(CheckError, match="expected a single number"):
        check_squared_loss(lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2 / 2)


def test_squared_loss_absolute_error_fails():
    with pytest.raises(CheckError, match="square the error"):
        check_squared_loss(lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)).abs() / 2).mean())


def test_squared_loss_python_number_fails():
    with pytest.raises(CheckError, match=r"returned 1\.54.*Python number has left PyTorch"):
        check_squared_loss(lambda y_hat, y: squared_loss(y_hat, y).item())


def test_squared_loss_detached_fails():
    with pytest.raises(CheckError, match="autograd cannot trace back to y_hat"):
        check_squared_loss(lambda y_hat, y: squared_loss(y_hat.detach(), y))


def test_squared_loss_reshaping_the_labels_in_place_fails():
    def in_place(y_hat, y):
        y.resize_(y_hat.shape)
        return squared_loss(y_hat, y)
    with pytest.raises(CheckError, match=r"\(y\) changed its input in place"):
        check_squared_loss(in_place)


def test_squared_loss_crash_is_reported_with_the_call():
    def column_only(y_hat, y):
        return ((y_hat - y) ** 2 / 2).mean(dim=1).reshape(())
    with pytest.raises(CheckError, match=r"squared_loss\(y_hat=.*raised RuntimeError") as info:
        check_squared_loss(column_only)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_squared_loss_squeezing_both_passes(capsys):
    check_squared_loss(lambda y_hat, y: ((y_hat.squeeze() - y.squeeze()) ** 2 / 2).mean())
    assert "check passed" in capsys.readouterr().out


def test_sgd_keeping_the_generator_fails():
    class KeepsGenerator(GoodSGD):
        def __init__(self, params, lr):
            self.params, self.lr = params, lr
    with pytest.raises(CheckError, match="generator was used up"):
        check_sgd(KeepsGenerator)


def test_sgd_not_a_class_fails_without_crashing():
    with pytest.raises(CheckError, match=r"SGD\(\[w, b\], lr=0.1\) raised TypeError"):
        check_sgd(None)


def test_save_hyperparameters_on_the_class_fails():
    class OnTheClass:
        def save_hyperparameters(self, ignore=()):
            for k, v in inspect.currentframe().f_back.f_locals.items():
                if k not in set(ignore) | {"self"}:
                    setattr(type(self), k, v)
    with pytest.raises(CheckError, match=r"after D\(1\) and D\(2\), the first has self.x = 2"):
        check_save_hyperparameters(OnTheClass)


def test_save_hyperparameters_list_only_ignore_fails():
    class ListOnly:
        def save_hyperparameters(self, ignore=[]):
            skip = ignore + ["self"]
            for k, v in inspect.currentframe().f_back.f_locals.items():
                if k not in skip:
                    setattr(self, k, v)
    with pytest.raises(CheckError, match=r"(?s)E\(lr=0.1, data='big'\).*raised TypeError"):
        check_save_hyperparameters(ListOnly)


def test_save_hyperparameters_grand_caller_frame_fails():
    class TooFarBack:
        def save_hyperparameters(self, ignore=()):
            for k, v in inspect.currentframe().f_back.f_back.f_locals.items():
                if k not in set(ignore) | {"self"}:
                    setattr(self, k, v)
    with pytest.raises(CheckError, match=r"gave (no attribute a|self\.a = .*), expected self\.a = 1"):
        check_save_hyperparameters(TooFarBack)
