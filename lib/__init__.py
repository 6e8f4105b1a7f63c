"""lib: the small, d2l-compatible training library of the Foundations of Deep Learning book.

Code written for the d2l textbook's PyTorch chapters runs with ``import lib as d2l``.
Importing it has no side effects: no downloads, no seeding, no warning filters.
"""
from . import checks
from .figures import draw_graph, draw_mlp
from .data import DataModule, FashionMNIST, SyntheticRegressionData, TensorLoader
from .hyperparams import HyperParameters, add_to_class
from .models import SGD, Classifier, Module
from .plotting import ProgressBoard, plot, set_axes, set_figsize, show_images, use_svg_display
from .training import Trainer

__all__ = [
    "HyperParameters", "add_to_class",
    "plot", "set_axes", "set_figsize", "use_svg_display", "show_images", "ProgressBoard",
    "DataModule", "TensorLoader", "SyntheticRegressionData", "FashionMNIST",
    "Module", "Classifier", "SGD",
    "Trainer",
    "draw_mlp", "draw_graph",
    "checks",
]
