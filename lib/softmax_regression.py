"""The model and helpers that the textbook's softmax regression chapter saves into d2l.

Chapter 4 of the textbook (linear neural networks for classification); in this course,
the softmax regression chapter. `SoftmaxRegression` is the concise model that later
sections reuse. `Accumulator`, `accuracy`, `Animator`, `get_fashion_mnist_labels`,
`get_dataloader_workers` and `load_data_fashion_mnist` are the same chapter's tools in
the function-style code of the textbook's earlier editions.
"""
from torch import nn

from .data import TEXT_LABELS, FashionMNIST
from .models import Classifier
from .plotting import set_axes, use_svg_display

__all__ = ["SoftmaxRegression", "Accumulator", "accuracy", "get_fashion_mnist_labels",
           "get_dataloader_workers", "load_data_fashion_mnist", "Animator"]


class SoftmaxRegression(Classifier):
    """Softmax regression: flatten, one linear layer (softmax regression chapter)."""

    def __init__(self, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))

    def forward(self, X):
        return self.net(X)


class Accumulator:
    """Running sums of `n` quantities (for example: summed loss, correct count, examples)."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        """Add one value to each sum."""
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        """Set every sum back to zero."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat, y):
    """The number (not the fraction) of correct predictions, as a float.

    `y_hat` holds either one row of scores per example or the predicted labels.
    """
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    correct = y_hat.type(y.dtype) == y
    return float(correct.type(y.dtype).sum())


def get_fashion_mnist_labels(labels):
    """The class names of Fashion-MNIST label indices."""
    return [TEXT_LABELS[int(i)] for i in labels]


def get_dataloader_workers():
    """The textbook's number of loader processes (our loaders read memory and need none)."""
    return 4


def load_data_fashion_mnist(batch_size, resize=None):
    """Fashion-MNIST as (training, validation) minibatch iterators of (1, H, W) images.

    The same batches, in the same order, as the textbook's DataLoaders, read from the
    local copy (see `lib.datasets.find_fashion_mnist`) and kept in memory.
    """
    if isinstance(resize, int):
        resize = (resize, resize)
    data = FashionMNIST(batch_size=batch_size, resize=tuple(resize) if resize else (28, 28))
    return data.train_dataloader(), data.val_dataloader()


class Animator:
    """A figure that redraws its curves each time points are added (earlier training loops)."""

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
                 nrows=1, ncols=1, figsize=(3.5, 2.5)):
        import matplotlib.pyplot as plt
        legend = [] if legend is None else legend
        use_svg_display()
        self.fig, self.axes = plt.subplots(nrows, ncols, figsize=figsize)
        if nrows * ncols == 1:
            self.axes = [self.axes]
        self.config_axes = lambda: set_axes(self.axes[0], xlabel, ylabel, xlim, ylim,
                                            xscale, yscale, legend)
        self.X, self.Y, self.fmts = None, None, fmts

    def add(self, x, y):
        """Add a point to each curve (`y` one value per curve; `x` shared or one per curve)."""
        from IPython import display
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        self.axes[0].cla()
        for xs, ys, fmt in zip(self.X, self.Y, self.fmts):
            self.axes[0].plot(xs, ys, fmt)
        self.config_axes()
        display.display(self.fig)
        display.clear_output(wait=True)
