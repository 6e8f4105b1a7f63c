"""Models: the `Module` base class, the `Classifier`, and minibatch SGD from scratch.

Introduced in the linear regression chapter (`Module`, `SGD`) and the softmax
regression chapter (`Classifier`).
"""
import math
import numbers

import torch
import torch.nn.functional as F
from torch import nn

from .hyperparams import HyperParameters
from .plotting import ProgressBoard

__all__ = ["Module", "Classifier", "SGD"]


class Module(nn.Module, HyperParameters):
    """Base class of models: a network, its loss, optimizer and logging."""

    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        self.save_hyperparameters()
        self.board = ProgressBoard()

    def loss(self, y_hat, y):
        raise NotImplementedError(
            f"{type(self).__name__} does not define loss(y_hat, y).")

    def forward(self, X):
        if not hasattr(self, "net"):
            raise NotImplementedError(
                f"{type(self).__name__} has neither a forward(X) method "
                "nor a self.net to call: define one of them.")
        return self.net(X)

    def plot(self, key, value, train):
        """Log a metric: a point on the board, a term of the history."""
        trainer = getattr(self, "trainer", None)
        if trainer is None:
            raise RuntimeError("Module.plot() logs against a Trainer: "
                               "call it during trainer.fit().")
        value = _one_number(key, value, self)
        trainer.log_metric(("train_" if train else "val_") + key, value)
        self.board.xlabel = "epoch"
        if train:
            x = trainer.train_batch_idx / trainer.num_train_batches
            n = trainer.num_train_batches / self.plot_train_per_epoch
        else:
            x = trainer.epoch + 1
            n = trainer.num_val_batches / self.plot_valid_per_epoch
        self.board.draw(x, value, ("train_" if train else "val_") + key,
                        every_n=int(n))

    def training_step(self, batch):
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot("loss", l, train=True)
        return l

    def validation_step(self, batch):
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot("loss", l, train=False)

    def configure_optimizers(self):
        if not hasattr(self, "lr"):
            raise NotImplementedError(
                f"{type(self).__name__} has no configure_optimizers() and no "
                "learning rate: define configure_optimizers() returning an "
                "optimizer, or take lr in __init__ and call self."
                "save_hyperparameters() so the default SGD can use self.lr.")
        _check_has_parameters(self)
        return torch.optim.SGD(self.parameters(), lr=learning_rate(self.lr))


class Classifier(Module):
    """Base class of classification models: cross-entropy loss, accuracy."""

    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot("loss", self.loss(Y_hat, batch[-1]), train=False)
        self.plot("acc", self.accuracy(Y_hat, batch[-1]), train=False)

    def accuracy(self, Y_hat, Y, averaged=True):
        """Fraction of rows of `Y_hat` whose largest entry is at label `Y`."""
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))  # (batch, num_classes)
        Y = _class_indices(Y_hat, Y, "accuracy")      # (batch,)
        preds = Y_hat.argmax(dim=1).type(Y.dtype)
        compare = (preds == Y).type(torch.float32)
        return compare.mean() if averaged else compare

    def loss(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))  # (batch, num_classes)
        Y = _class_indices(Y_hat, Y, "loss")          # (batch,)
        with _explain_out_of_range_labels(Y_hat):
            return F.cross_entropy(Y_hat, Y,
                                   reduction="mean" if averaged else "none")


def _module_getattr(self, name):
    """nn.Module's lookup of parameters and submodules, which first says when the model's
    ``__init__`` skipped ``super().__init__()`` (PyTorch reports a missing ``_backward_hooks``)."""
    if "_parameters" not in self.__dict__:
        raise AttributeError(_missing_init_message(self))
    return nn.Module.__getattr__(self, name)


Module.__getattr__ = _module_getattr


def _missing_init_message(model):
    name = type(model).__name__
    return (f"{name}.__init__ did not call super().__init__(), so PyTorch's part of the model "
            f"was never set up. Make super().__init__() the first line of {name}.__init__, "
            "before self.save_hyperparameters() and before creating layers or tensors.")


def _one_number(key, value, model):
    """`value`, detached, if it is one number; else a ValueError naming the metric."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{type(model).__name__}.plot({key!r}, ...) needs a tensor (the "
                        f"batch's {key}); got {type(value).__name__} {value!r}.")
    if value.numel() != 1:
        hint = (f" {type(model).__name__}.loss(y_hat, y) must average the loss of the examples "
                "into one number: end it with .mean()." if key == "loss" else
                " Average it over the batch, for example with .mean().")
        raise ValueError(f"the {key} of a minibatch must be one number, but {type(model).__name__}"
                         f" gave a tensor of shape {tuple(value.shape)}.{hint}")
    return value.detach()


def _check_has_parameters(model):
    """A ValueError if `model` has no parameters for the default optimizer to train."""
    if next(iter(model.parameters()), None) is None:
        raise ValueError(
            f"{type(model).__name__} has no parameters that PyTorch knows of, so the default "
            "optimizer has nothing to train. Tensors stored as self.w = torch.zeros(..., "
            "requires_grad=True) are not registered: wrap them as nn.Parameter(...), use "
            "layers such as nn.LazyLinear, or define configure_optimizers() to return "
            "lib.SGD([self.w, self.b], self.lr).")


def _class_indices(Y_hat, Y, where):
    """The labels `Y` as a vector of class indices, one per row of `Y_hat`; else a clear error."""
    name = f"Classifier.{where}"
    if not isinstance(Y, torch.Tensor):
        raise TypeError(f"{name}: the labels are a {type(Y).__name__}, not a tensor: convert "
                        "them with torch.as_tensor(y, dtype=torch.long).")
    n, q = Y_hat.shape
    if Y.ndim >= 2 and Y.shape[-1] == q and Y.numel() == n * q and q > 1:
        raise ValueError(f"{name}: the labels have shape {tuple(Y.shape)}, one row of {q} per "
                         "example (one-hot?), but class indices are expected: one integer per "
                         "example, shape (batch,). Convert one-hot labels with Y.argmax(dim=-1).")
    if where == "loss" and Y.is_floating_point():
        raise TypeError(f"{name}: the labels are {Y.dtype}, but class indices are integers: "
                        "convert them with Y.long().")
    Y = Y.reshape(-1)
    if Y.shape[0] != n:
        raise ValueError(f"{where}: {n} predictions but {Y.shape[0]} labels; "
                         "Y_hat must have one row per label in Y.")
    return Y


class _explain_out_of_range_labels:
    """Turns PyTorch's ``IndexError: Target 9 is out of bounds`` into what to change."""

    def __init__(self, Y_hat):
        self.num_outputs = Y_hat.shape[-1]

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is IndexError and "out of bounds" in str(error):
            raise IndexError(
                f"a label is not a class of the model's {self.num_outputs} outputs ({error}): "
                f"labels must lie in 0..{self.num_outputs - 1}. Give the model one output per "
                "class (for Fashion-MNIST, num_outputs=10).") from error
        return False


def learning_rate(lr):
    """`lr` if it is a positive, finite number; else a ValueError saying what to pass."""
    if isinstance(lr, torch.Tensor) and lr.numel() == 1:
        lr = lr.item()
    if not isinstance(lr, numbers.Real) or isinstance(lr, bool) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(
            f"the learning rate must be a positive number; got lr={lr!r}. Gradient descent "
            "steps *against* the gradient by lr times it, so a negative or zero rate climbs "
            "the loss or stands still. Typical values are 0.01 to 0.5, for example lr=0.1.")
    return lr


class SGD(HyperParameters):
    """Minibatch stochastic gradient descent, written out."""

    def __init__(self, params, lr):
        params = _sgd_params(params, lr)  # tensors that require gradients
        self.save_hyperparameters()

    @torch.no_grad()
    def step(self):
        for param in _with_gradients(self.params):
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()


def _sgd_params(params, lr):
    """`params` as a list of tensors that require gradients, and `lr` checked; else a ValueError."""
    params = [params] if isinstance(params, torch.Tensor) else list(params)
    if not params:
        raise ValueError("SGD got no parameters to optimize: pass the model's tensors, "
                         "for example SGD([w, b], lr=0.03) or SGD(model.parameters(), lr=0.03).")
    for i, p in enumerate(params):
        if not isinstance(p, torch.Tensor) or not p.requires_grad:
            raise ValueError(
                f"SGD: parameter {i} ({type(p).__name__}"
                f"{f' of shape {tuple(p.shape)}' if isinstance(p, torch.Tensor) else ''}) does "
                "not require gradients, so backward() gives it none to step with. Create it "
                "with requires_grad=True, for example torch.zeros(1, requires_grad=True), or "
                "call p.requires_grad_() on it.")
    learning_rate(lr)
    return params


def _with_gradients(params):
    """`params`, once each has a gradient; else a RuntimeError saying to call backward()."""
    for i, param in enumerate(params):
        if param.grad is None:
            raise RuntimeError(
                f"SGD.step: parameter {i} (shape {tuple(param.shape)}) has no gradient: call "
                "loss.backward() before step(), and check that the loss depends on it.")
    return params
