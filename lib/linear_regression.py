"""The models and helpers that the textbook's linear regression chapter saves into d2l.

Chapter 3 of the textbook (linear neural networks for regression, with its sections on
generalization and weight decay); in this course, the linear regression chapter.
`LinearRegressionScratch` and `LinearRegression` are the classes that later sections
(weight decay) reuse. The plain functions below (`synthetic_data`, `linreg`,
`squared_loss`, `sgd`, `load_array`, `evaluate_loss`) and `Timer` are the same chapter's
tools in the function-style code that the textbook's earlier editions used.
"""
import time

import numpy as np
import torch
from torch import nn

from .models import SGD, Module

__all__ = ["LinearRegressionScratch", "LinearRegression", "Timer", "synthetic_data", "linreg",
           "squared_loss", "sgd", "load_array", "evaluate_loss"]


class LinearRegressionScratch(Module):
    """Linear regression written out: weights, loss and SGD by hand (linear regression chapter)."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)  # (d, 1)
        self.b = torch.zeros(1, requires_grad=True)

    def forward(self, X):
        return torch.matmul(X, self.w) + self.b

    def loss(self, y_hat, y):
        _check_same_shape(y_hat, y)
        return ((y_hat - y) ** 2 / 2).mean()

    def configure_optimizers(self):
        return SGD([self.w, self.b], self.lr)


class _NormalLazyLinear(nn.LazyLinear):
    """A lazy linear layer whose weights start as N(0, sigma^2) and bias as 0.

    Setting a lazy layer's weights in ``__init__`` does nothing: they are replaced when
    the first input fixes their shape. This layer draws them then, instead of torch's
    default, and becomes a plain ``nn.Linear``.
    """

    def __init__(self, out_features, sigma=0.01):
        self.sigma = sigma
        super().__init__(out_features)

    def reset_parameters(self):  # called by torch once the shape is known
        if not self.has_uninitialized_params() and self.in_features != 0:
            nn.init.normal_(self.weight, 0, self.sigma)
            nn.init.zeros_(self.bias)


class LinearRegression(Module):
    """Linear regression with torch's layer, loss and optimizer (linear regression chapter).

    Its weights start as N(0, 0.01^2) and its bias as 0, once the first input fixes the
    number of features.
    """

    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = _NormalLazyLinear(1, sigma=0.01)

    def forward(self, X):
        return self.net(X)

    def loss(self, y_hat, y):
        _check_same_shape(y_hat, y)
        return nn.functional.mse_loss(y_hat, y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), self.lr)

    def get_w_b(self):
        """The learned weight (1, d) and bias (1,)."""
        return self.net.weight.data, self.net.bias.data


def _check_same_shape(y_hat, y):
    """A ValueError if predictions and targets differ in shape: (n, 1) against (n,) would
    broadcast to an (n, n) table of every prediction against every target, a wrong loss."""
    if y_hat.shape != y.shape:
        raise ValueError(
            f"the predictions have shape {tuple(y_hat.shape)} but the targets {tuple(y.shape)}: "
            "subtracting them would broadcast to a table of every prediction against every "
            "target. Give the targets the predictions' shape, for example y.reshape(-1, 1).")


class Timer:
    """A stopwatch that keeps every lap (linear regression chapter: timing vectorization)."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start a lap."""
        self.tik = time.time()

    def stop(self):
        """End the lap, record it, and return its seconds."""
        self.times.append(time.time() - self.tik)
        return self.times[-1]

    def avg(self):
        """Mean lap time."""
        return sum(self.times) / len(self.times)

    def sum(self):
        """Total time of all laps."""
        return sum(self.times)

    def cumsum(self):
        """Running totals of the lap times."""
        return np.array(self.times).cumsum().tolist()


def synthetic_data(w, b, num_examples):
    """Features X ~ N(0, 1) and labels y = Xw + b + N(0, 0.01^2), y of shape (n, 1)."""
    X = torch.normal(0, 1, (num_examples, len(w)))  # (n, d)
    y = torch.matmul(X, w) + b                      # (n,)
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def linreg(X, w, b):
    """The linear model Xw + b."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Half the squared error of each example (not averaged)."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """One minibatch SGD step on summed-loss gradients, then zero the gradients."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def load_array(data_arrays, batch_size, is_train=True):
    """A torch DataLoader over in-memory tensors, shuffled when `is_train`."""
    dataset = torch.utils.data.TensorDataset(*data_arrays)
    return torch.utils.data.DataLoader(dataset, batch_size, shuffle=is_train)


def evaluate_loss(net, data_iter, loss):
    """Mean of `loss` (an unreduced loss) of `net` over every example of `data_iter`."""
    total, count = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        total += float(l.detach().sum())
        count += l.numel()
    return total / count
