"""Models: the `Module` base class, the `Classifier`, and minibatch SGD from scratch.

Introduced in the linear regression chapter (`Module`, `SGD`) and the softmax
regression chapter (`Classifier`).
"""
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
        return torch.optim.SGD(self.parameters(), lr=self.lr)


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


class SGD(HyperParameters):
    """Minibatch stochastic gradient descent, written out (linear regression chapter)."""

    def __init__(self, params, lr):
        params = list(params)
        self.save_hyperparameters()

    @torch.no_grad()
    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
