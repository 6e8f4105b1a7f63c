"""lib: the small, d2l-compatible training library of the Foundations of Deep Learning book.

Code written for the d2l textbook's PyTorch chapters runs with ``import lib as d2l``:
besides the names in ``__all__``, `lib` has the textbook's framework aliases
(``d2l.tensor``, ``d2l.reshape``, ... from `lib.compat`) and ``d2l.plt`` (pyplot,
imported on first use). Importing it has no side effects: no downloads, no seeding,
no warning filters, no pyplot.
"""
from . import checks
from .figures import draw_graph, draw_mlp
from .data import DataModule, FashionMNIST, SyntheticRegressionData, TensorLoader
from .devices import cpu, gpu, num_gpus, try_all_gpus, try_gpu
from .hyperparams import HyperParameters, add_to_class
from .linear_regression import (LinearRegression, LinearRegressionScratch, Timer, evaluate_loss,
                                linreg, load_array, sgd, squared_loss, synthetic_data)
from .models import SGD, Classifier, Module
from .plotting import ProgressBoard, plot, set_axes, set_figsize, show_images, use_svg_display
from .softmax_regression import (Accumulator, Animator, SoftmaxRegression, accuracy,
                                 get_dataloader_workers, get_fashion_mnist_labels,
                                 load_data_fashion_mnist)
from .training import Trainer
from .compat import *  # noqa: F401,F403  the textbook's framework aliases (see lib/compat.py)

__all__ = [
    "HyperParameters", "add_to_class",
    "plot", "set_axes", "set_figsize", "use_svg_display", "show_images", "ProgressBoard",
    "DataModule", "TensorLoader", "SyntheticRegressionData", "FashionMNIST",
    "Module", "Classifier", "SGD",
    "Trainer",
    "LinearRegressionScratch", "LinearRegression", "Timer", "synthetic_data", "linreg",
    "squared_loss", "sgd", "load_array", "evaluate_loss",
    "SoftmaxRegression", "Accumulator", "accuracy", "get_fashion_mnist_labels",
    "get_dataloader_workers", "load_data_fashion_mnist", "Animator",
    "cpu", "gpu", "num_gpus", "try_gpu", "try_all_gpus",
    "draw_mlp", "draw_graph",
    "checks",
]


def __getattr__(name):
    """``lib.plt`` is matplotlib's pyplot, imported only when first asked for."""
    if name == "plt":
        import matplotlib.pyplot as plt
        return plt
    raise AttributeError(f"module 'lib' has no attribute {name!r}")
