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
    """Base class of models: a network, its loss, its optimizer, and what it logs."""

    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        self.save_hyperparameters()
        self.board = ProgressBoard()

    def loss(self, y_hat, y):
        raise NotImplementedError(f"{type(self).__name__} does not define loss(y_hat, y).")

    def forward(self, X):
        if not hasattr(self, "net"):
            raise NotImplementedError(f"{type(self).__name__} has neither a forward(X) method "
                                      "nor a self.net to call: define one of them.")
        return self.net(X)

    def plot(self, key, value, train):
        """Log a metric: a point on the board, and a term of the epoch's history."""
        trainer = getattr(self, "trainer", None)
        if trainer is None:
            raise RuntimeError("Module.plot() logs against a Trainer: call it during trainer.fit().")
        value = value.detach()
        trainer.log_metric(("train_" if train else "val_") + key, value)
        self.board.xlabel = "epoch"
        if train:
            x = trainer.train_batch_idx / trainer.num_train_batches
            n = trainer.num_train_batches / self.plot_train_per_epoch
        else:
            x = trainer.epoch + 1
            n = trainer.num_val_batches / self.plot_valid_per_epoch
        self.board.draw(x, value.to("cpu"), ("train_" if train else "val_") + key,
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
                f"{type(self).__name__} has no configure_optimizers() and no learning rate: "
                "define configure_optimizers() returning an optimizer, or take lr in __init__ "
                "and call self.save_hyperparameters() so the default SGD can use self.lr.")
        return torch.optim.SGD(self.parameters(), lr=learning_rate(self.lr))


class Classifier(Module):
    """Base class of classification models: cross-entropy loss and accuracy (softmax chapter)."""

    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot("loss", self.loss(Y_hat, batch[-1]), train=False)
        self.plot("acc", self.accuracy(Y_hat, batch[-1]), train=False)

    def accuracy(self, Y_hat, Y, averaged=True):
        """Fraction of rows of `Y_hat` whose largest entry is at the label in `Y`."""
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))  # (batch, num_classes)
        Y = Y.reshape(-1)                              # (batch,)
        if Y_hat.shape[0] != Y.shape[0]:
            raise ValueError(f"accuracy: {Y_hat.shape[0]} predictions but {Y.shape[0]} labels; "
                             "Y_hat must have one row per label in Y.")
        preds = Y_hat.argmax(dim=1).type(Y.dtype)
        compare = (preds == Y).type(torch.float32)
        return compare.mean() if averaged else compare

    def loss(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))  # (batch, num_classes)
        Y = Y.reshape((-1,))
        return F.cross_entropy(Y_hat, Y, reduction="mean" if averaged else "none")


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
    """Minibatch stochastic gradient descent, written out (linear regression chapter)."""

    def __init__(self, params, lr):
        params = _sgd_params(params, lr)  # a list of tensors that require gradients
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
