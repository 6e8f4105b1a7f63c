"""Mistakes that explain themselves (issue 23.5): what a student's model or data gets
wrong, which PyTorch reports in its own terms (or not at all), is named with its fix at
the call that caused it."""
import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

import lib

matplotlib.use("Agg")


class Blobs(lib.DataModule):
    """Ten classes of 2x2 images."""

    def __init__(self, n=64, batch_size=16, one_hot=False):
        super().__init__()
        self.save_hyperparameters()
        self.y = torch.arange(n) % 10
        self.X = torch.randn(n, 2, 2) + self.y.reshape(-1, 1, 1)
        if one_hot:
            self.y = nn.functional.one_hot(self.y, 10).float()

    def get_dataloader(self, train):
        return self.get_tensorloader((self.X, self.y), train)


def classifier(num_outputs=10):
    model = lib.Classifier()
    model.lr = 0.1
    model.net = nn.Sequential(nn.Flatten(), nn.Linear(4, num_outputs))
    return model


def test_too_few_outputs_for_the_labels():
    with pytest.raises(IndexError, match=r"not a class of the model's 5 outputs.*0\.\.4.*"
                                         r"one output per class"):
        lib.Trainer(max_epochs=1).fit(classifier(num_outputs=5), Blobs())


def test_one_hot_labels_where_class_indices_are_expected():
    with pytest.raises(ValueError, match=r"one-hot.*class indices.*argmax"):
        lib.Trainer(max_epochs=1).fit(classifier(), Blobs(one_hot=True))
    with pytest.raises(ValueError, match=r"one-hot"):
        lib.Classifier().accuracy(torch.randn(4, 3), torch.eye(3)[[0, 1, 2, 0]])


def test_float_labels_are_named():
    with pytest.raises(TypeError, match=r"labels are torch.float32.*Y.long\(\)"):
        lib.Classifier().loss(torch.randn(4, 3), torch.tensor([0.0, 1.0, 2.0, 1.0]))


def test_a_loss_that_is_not_one_number_is_blamed_on_the_loss():
    class Forgetful(lib.Classifier):
        def loss(self, Y_hat, Y):
            return nn.functional.cross_entropy(Y_hat, Y, reduction="none")  # no .mean()

    model = Forgetful()
    model.lr, model.net = 0.1, nn.Sequential(nn.Flatten(), nn.Linear(4, 10))
    with pytest.raises(ValueError, match=r"loss of a minibatch must be one number.*shape \(16,\)"
                                         r".*Forgetful.loss.*\.mean\(\)"):
        lib.Trainer(max_epochs=1).fit(model, Blobs())


def test_a_model_class_instead_of_a_model():
    class MyModel(lib.Classifier):
        def __init__(self, lr=0.1):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(4, 10))

    with pytest.raises(TypeError, match=r"got the class MyModel as its model.*MyModel\(lr=0.1\)"):
        lib.Trainer(max_epochs=1).fit(MyModel, Blobs())
    with pytest.raises(TypeError, match=r"got the class Blobs as its data.*Blobs\(batch_size=32\)"):
        lib.Trainer(max_epochs=1).fit(MyModel(), Blobs)


def test_numpy_arrays_where_tensors_are_needed():
    X, y = np.zeros((8, 2), dtype=np.float32), np.zeros(8, dtype=np.int64)
    with pytest.raises(TypeError, match=r"data 0 is a numpy.ndarray, not a torch tensor.*"
                                        r"torch.as_tensor"):
        lib.TensorLoader((X, y), batch_size=4)
    with pytest.raises(TypeError, match=r"labels are a ndarray.*torch.as_tensor"):
        lib.Classifier().loss(torch.randn(8, 3), y)


def test_forgotten_super_init():
    class Scratch(lib.Module):
        def __init__(self, lr):
            self.save_hyperparameters()  # no super().__init__() first
            self.w = torch.zeros(2, 1, requires_grad=True)

        def forward(self, X):
            return X @ self.w

    model = Scratch(lr=0.1)
    with pytest.raises(AttributeError, match=r"Scratch.__init__ did not call super\(\).__init__\(\)"):
        model(torch.ones(3, 2))
    with pytest.raises(TypeError, match=r"did not call super\(\).__init__\(\).*first line"):
        lib.Trainer(max_epochs=1).fit(model, Blobs())


def test_plain_tensors_where_parameters_are_needed():
    with pytest.raises(ValueError, match=r"does not require gradients.*requires_grad=True"):
        lib.SGD([torch.zeros(2)], lr=0.1)

    class Unregistered(lib.Module):
        def __init__(self, lr):
            super().__init__()
            self.save_hyperparameters()
            self.w = torch.zeros(2, 1, requires_grad=True)  # a tensor, not an nn.Parameter

    with pytest.raises(ValueError, match=r"no parameters that PyTorch knows of.*nn.Parameter"):
        Unregistered(lr=0.1).configure_optimizers()


def test_regression_targets_of_another_shape_do_not_broadcast():
    y_hat, y = torch.zeros(5, 1), torch.zeros(5)
    for model in (lib.LinearRegression(lr=0.1), lib.LinearRegressionScratch(1, lr=0.1)):
        with pytest.raises(ValueError, match=r"shape \(5, 1\) but the targets \(5,\).*reshape"):
            model.loss(y_hat, y)


def test_plot_draws_every_curve():
    x = np.arange(4)
    axes = lib.plot(x, [x * k for k in range(5)])
    assert len(axes.get_lines()) == 5
    styles = [(line.get_linestyle(), line.get_color()) for line in axes.get_lines()]
    assert len(set(styles)) == 5  # five curves, five looks
    with pytest.raises(ValueError, match=r"5 curves but 2 formats"):
        lib.plot(x, [x * k for k in range(5)], fmts=("-", "--"))


def test_plot_inputs_that_do_not_fit():
    with pytest.raises(ValueError, match=r"curve 1 has 4 x values but 3 y values"):
        lib.plot(np.arange(4), [np.arange(4), np.arange(3)])
    with pytest.raises(ValueError, match=r"3 legend labels for 2 curves"):
        lib.plot(np.arange(4), [np.arange(4), np.arange(4)], legend=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"1 legend labels for 2 curves"):
        lib.plot(np.arange(4), [np.arange(4), np.arange(4)], legend=["a"])
