"""Bad input to `lib`: each case must fail where the value enters, with a message saying
what was wrong and how to fix it (issue 11). One row per bad input: what is called, the
exception it must raise, and a pattern its message must match.
"""
import math
import re
import traceback

import numpy as np
import pytest
import torch
from torch import nn

import lib


class LinReg(lib.Module):
    def __init__(self, lr=0.03):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Linear(2, 1)

    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2 / 2).mean()


def synth(**kw):
    return lib.SyntheticRegressionData(w=torch.tensor([2.0, -3.4]), b=4.2, **kw)


def fit(model=None, data=None, **trainer_kw):
    torch.manual_seed(0)
    return lib.Trainer(**{"max_epochs": 1, **trainer_kw}).fit(model or LinReg(), data or synth())


def board_draw_then_valid(first):
    board = lib.ProgressBoard(display=False)
    board.draw(*first)
    board.draw(1, 0.5, "loss")


def add_to_class_without_class():
    @lib.add_to_class
    def helper(self):
        return 1


def sgd_step_without_backward():
    w = torch.zeros(2, requires_grad=True)
    lib.SGD([w], lr=0.1).step()


POSITIVE_INT = r"must be a positive integer; got {!r}\. For example {}="

CASES = [
    # --- data: batch sizes, sizes of the splits, noise, shapes
    ("synth batch_size=2.5", lambda: synth(batch_size=2.5), ValueError,
     r"batch_size must be a positive integer; got 2\.5\. For example batch_size=32"),
    ("synth batch_size=0", lambda: synth(batch_size=0), ValueError,
     r"batch_size must be a positive integer; got 0"),
    ("synth batch_size=-8", lambda: synth(batch_size=-8), ValueError,
     r"batch_size must be a positive integer; got -8"),
    ("synth batch_size='32'", lambda: synth(batch_size="32"), ValueError,
     r"batch_size must be a positive integer; got '32'"),
    ("synth batch_size=True", lambda: synth(batch_size=True), ValueError,
     r"batch_size must be a positive integer; got True"),
    ("synth num_train=0", lambda: synth(num_train=0), ValueError,
     r"num_train must be a positive integer; got 0\. For example num_train=1000"),
    ("synth num_train=-10", lambda: synth(num_train=-10), ValueError,
     r"num_train must be a positive integer; got -10"),
    ("synth num_train=1.5", lambda: synth(num_train=1.5), ValueError,
     r"num_train must be a positive integer; got 1\.5"),
    ("synth num_val=-1", lambda: synth(num_val=-1), ValueError,
     r"num_val must be an integer >= 0; got -1\. For example num_val=1000"),
    ("synth noise=-0.1", lambda: synth(noise=-0.1), ValueError,
     r"noise is the standard deviation of the noise, a number >= 0; got -0\.1"),
    ("synth noise='low'", lambda: synth(noise="low"), ValueError,
     r"noise is the standard deviation .*got 'low'"),
    ("synth w matrix", lambda: lib.SyntheticRegressionData(w=torch.ones(2, 2), b=1.0), ValueError,
     r"w must be a vector of weights, one per feature .*got shape \(2, 2\)"),
    ("synth b vector", lambda: lib.SyntheticRegressionData(w=torch.ones(2), b=torch.ones(3)),
     ValueError, r"b must be a scalar bias; got shape \(3,\)"),
    ("TensorLoader batch_size=2.5", lambda: lib.TensorLoader((torch.ones(4, 2),), 2.5), ValueError,
     r"batch_size must be a positive integer; got 2\.5"),
    ("TensorLoader batch_size=None", lambda: lib.TensorLoader((torch.ones(4, 2),), None), ValueError,
     r"batch_size must be a positive integer; got None"),
    ("TensorLoader ragged", lambda: lib.TensorLoader((torch.ones(3, 2), torch.ones(4)), 2), ValueError,
     r"all tensors need the same first dimension, got \[\(3, 2\), \(4,\)\]"),
    ("FashionMNIST batch_size=2.5", lambda: lib.FashionMNIST(batch_size=2.5), ValueError,
     r"batch_size must be a positive integer; got 2\.5\. For example batch_size=64"),
    ("FashionMNIST batch_size=0", lambda: lib.FashionMNIST(batch_size=0), ValueError,
     r"batch_size must be a positive integer; got 0"),
    ("FashionMNIST resize=28", lambda: lib.FashionMNIST(resize=28), ValueError,
     r"resize must be two positive integers \(height, width\), for example resize=\(28, 28\)"),
    ("FashionMNIST resize=(28.0, 28)", lambda: lib.FashionMNIST(resize=(28.0, 28)), ValueError,
     r"resize must be two positive integers .*got \(28\.0, 28\)"),
    ("FashionMNIST resize=(0, 28)", lambda: lib.FashionMNIST(resize=(0, 28)), ValueError,
     r"resize must be two positive integers .*got \(0, 28\)"),
    ("FashionMNIST resize=np.float32", lambda: lib.FashionMNIST(resize=(np.float32(28), 28)),
     ValueError, r"resize must be two positive integers"),
    ("FashionMNIST root that does not exist", lambda: lib.FashionMNIST(root="/nonexistent/fmnist"),
     FileNotFoundError, r"root= is '/nonexistent/fmnist', which is not an existing folder\. Fix the path"),
    # --- the trainer
    ("Trainer max_epochs=-1", lambda: lib.Trainer(max_epochs=-1), ValueError,
     r"max_epochs must be a positive integer; got -1\. For example max_epochs=10"),
    ("Trainer max_epochs=0", lambda: lib.Trainer(max_epochs=0), ValueError,
     r"max_epochs must be a positive integer; got 0"),
    ("Trainer max_epochs=2.5", lambda: lib.Trainer(max_epochs=2.5), ValueError,
     r"max_epochs must be a positive integer; got 2\.5"),
    ("Trainer max_epochs='10'", lambda: lib.Trainer(max_epochs="10"), ValueError,
     r"max_epochs must be a positive integer; got '10'"),
    ("Trainer num_gpus=-1", lambda: lib.Trainer(max_epochs=1, num_gpus=-1), ValueError,
     r"num_gpus must be an integer >= 0; got -1\. For example num_gpus=0"),
    ("Trainer num_gpus=99", lambda: lib.Trainer(max_epochs=1, num_gpus=99), ValueError,
     r"Trainer\(num_gpus=99\) asks for 99 GPU\(s\) but torch sees \d+"),
    ("Trainer gradient_clip_val=-1", lambda: lib.Trainer(max_epochs=1, gradient_clip_val=-1),
     ValueError, r"gradient_clip_val must be >= 0 \(0 turns clipping off\); got -1"),
    ("Trainer gradient_clip_val=nan", lambda: lib.Trainer(max_epochs=1, gradient_clip_val=math.nan),
     ValueError, r"gradient_clip_val must be >= 0 .*got nan"),
    ("fit data=None", lambda: fit(data=object()), TypeError,
     r"needs data with a training loader, but got a object without train_dataloader\(\)"),
    ("fit DataModule without get_dataloader", lambda: fit(data=lib.DataModule()), TypeError,
     r"needs data with a training loader.*get_dataloader\(train\)"),
    ("fit model without configure_optimizers", lambda: lib.Trainer(max_epochs=1).fit(object(), synth()),
     TypeError, r"has no configure_optimizers\(\) method"),
    ("fit lr=-0.1", lambda: fit(model=LinReg(lr=-0.1)), ValueError,
     r"the learning rate must be a positive number; got lr=-0\.1\. .*climbs"),
    ("fit lr=0", lambda: fit(model=LinReg(lr=0)), ValueError,
     r"the learning rate must be a positive number; got lr=0\."),
    ("fit lr='0.1'", lambda: fit(model=LinReg(lr="0.1")), ValueError,
     r"the learning rate must be a positive number; got lr='0\.1'"),
    ("fit lr=inf", lambda: fit(model=LinReg(lr=math.inf)), ValueError,
     r"the learning rate must be a positive number; got lr=inf"),
    ("fit diverging lr=10", lambda: fit(model=LinReg(lr=10.0), max_epochs=3), FloatingPointError,
     r"training diverged at learning rate 10\.0\. Try a smaller learning rate"),
    # --- SGD from scratch
    ("SGD([])", lambda: lib.SGD([], lr=0.1), ValueError,
     r"SGD got no parameters to optimize: pass the model's tensors, for example SGD\(\[w, b\]"),
    ("SGD(empty generator)", lambda: lib.SGD(nn.Sequential().parameters(), lr=0.1), ValueError,
     r"SGD got no parameters to optimize"),
    ("SGD negative lr", lambda: lib.SGD([torch.zeros(1, requires_grad=True)], lr=-0.03), ValueError,
     r"the learning rate must be a positive number; got lr=-0\.03\. Gradient descent steps \*against\*"),
    ("SGD lr=None", lambda: lib.SGD([torch.zeros(1, requires_grad=True)], lr=None), ValueError,
     r"the learning rate must be a positive number; got lr=None"),
    ("SGD param without requires_grad", lambda: lib.SGD([torch.zeros(2, 1)], lr=0.1), ValueError,
     r"SGD: parameter 0 \(Tensor of shape \(2, 1\)\) does not require gradients.*requires_grad=True"),
    ("SGD second param without requires_grad",
     lambda: lib.SGD([torch.zeros(1, requires_grad=True), torch.zeros(3)], lr=0.1), ValueError,
     r"SGD: parameter 1 \(Tensor of shape \(3,\)\) does not require gradients"),
    ("SGD list of numbers", lambda: lib.SGD([1.0, 2.0], lr=0.1), ValueError,
     r"SGD: parameter 0 \(float\) does not require gradients"),
    ("SGD step before backward", sgd_step_without_backward, RuntimeError,
     r"SGD\.step: parameter 0 \(shape \(2,\)\) has no gradient: call loss\.backward\(\) before step\(\)"),
    # --- plotting and class patching
    ("ProgressBoard.draw(1, None)", lambda: board_draw_then_valid((1, None, "loss")), TypeError,
     r"ProgressBoard\.draw: y must be a number or a one-element tensor \(for example loss\.item\(\)\); got None"),
    ("ProgressBoard.draw('a', 1)", lambda: board_draw_then_valid(("a", 1.0, "loss")), TypeError,
     r"ProgressBoard\.draw: x must be a number .*got 'a'"),
    ("ProgressBoard.draw(1, vector)", lambda: board_draw_then_valid((1, torch.ones(3), "loss")),
     TypeError, r"ProgressBoard\.draw: y must be a number or a one-element tensor"),
    ("@add_to_class without (Class)", add_to_class_without_class, TypeError,
     r"add_to_class needs the class to add to: write @add_to_class\(Trainer\) above the function"),
    ("add_to_class(instance)", lambda: lib.add_to_class(lib.Trainer(max_epochs=1)), TypeError,
     r"add_to_class needs the class to add to"),
    ("plot mismatched lengths", lambda: lib.plot([0, 1, 2], [[1, 2]]), ValueError,
     r"plot\(\): curve 0 has 3 x values but 2 y values"),
    ("save_hyperparameters outside __init__",
     lambda: lib.HyperParameters().save_hyperparameters(), RuntimeError,
     r"save_hyperparameters\(\) was called from <lambda>\(\).*inside your class's __init__ method"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_there_are_at_least_40_pinned_bad_inputs():
    assert len(CASES) >= 40 and len({c[0] for c in CASES}) == len(CASES)


def test_a_bad_progress_board_point_does_not_break_the_next_valid_one():
    board = lib.ProgressBoard(display=False)
    with pytest.raises(TypeError):
        board.draw(1, None, "loss")
    board.draw(1, torch.tensor(0.5), "loss")  # used to fail here, one call late
    assert board.data["loss"] == [board.Point(1.0, 0.5)]


def test_resize_accepts_numpy_integers():
    data = lib.FashionMNIST(batch_size=4, resize=(np.int64(32), np.int32(30)))
    assert data.resize == (32, 30) and all(type(r) is int for r in data.resize)
    X, _ = next(iter(data.val_dataloader()))
    assert X.shape == (4, 1, 32, 30)


def users_data(get_dataloader):
    """A user's DataModule, batch size 8, whose class has the given get_dataloader method."""
    class UsersData(lib.DataModule):
        def __init__(self):
            super().__init__()
            self.batch_size = 8
    UsersData.get_dataloader = get_dataloader
    return UsersData()


def test_a_typo_in_the_users_get_dataloader_keeps_the_users_traceback():
    def get_dataloader(self, train):
        X = torch.randn(16, 2)
        return self.get_tensorloader((X, X[:, :1]), trian)  # noqa: F821 - the typo under test

    with pytest.raises(NameError, match="trian") as e:
        fit(data=users_data(get_dataloader))
    frames = [f.name for f in traceback.extract_tb(e.value.__traceback__)]
    assert frames[-1] == "get_dataloader", frames  # the user's own line is shown last


def test_an_empty_training_set_is_an_error_before_training():
    def get_dataloader(self, train):
        return self.get_tensorloader((torch.ones(0, 2), torch.ones(0, 1)), train)

    with pytest.raises(ValueError, match=r"train_dataloader\(\) has no minibatches: check that the "
                                         r"training set is not empty \(num_train > 0\)"):
        fit(data=users_data(get_dataloader))


def test_missing_loader_error_chains_the_cause():
    with pytest.raises(TypeError) as e:
        fit(data=lib.DataModule())
    assert isinstance(e.value.__cause__, NotImplementedError)


def test_divergence_with_a_negative_rate_does_not_advise_a_smaller_one():
    """A user's own optimizer with a negative rate: the advice must not say 'smaller'."""
    class Climb(LinReg):
        def configure_optimizers(self):
            return lib.SGD.__new__(lib.SGD)  # skip the constructor's check on purpose

    model = Climb(lr=0.03)
    opt = model.configure_optimizers()
    opt.params, opt.lr = list(model.parameters()), -5.0
    model.configure_optimizers = lambda: opt
    with pytest.raises(FloatingPointError) as e:
        fit(model=model, max_epochs=20)
    msg = str(e.value)
    assert "a rate <= 0 climbs the loss. Use a positive learning rate" in msg
    assert "smaller" not in msg


def test_valid_numpy_integers_are_accepted_where_integers_are_asked():
    data = synth(num_train=np.int64(100), num_val=np.int32(20), batch_size=np.int64(10))
    assert len(data.train_dataloader()) == 10
    assert len(fit(data=data, max_epochs=np.int64(2))) == 2
