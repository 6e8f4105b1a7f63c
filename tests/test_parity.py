"""Parity with d2l 1.0.3: the same seeded code gives the same numbers under `lib` and `d2l`."""
import warnings

import numpy as np
import pytest
import torch

import lib
import lib.data

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from d2l import torch as d2l


def linear_regression_from_scratch(d2l):
    """The textbook's linear regression from scratch, written against a d2l-like module."""

    class LinearRegressionScratch(d2l.Module):
        def __init__(self, num_inputs, lr, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)
            self.b = torch.zeros(1, requires_grad=True)

        def forward(self, X):
            return torch.matmul(X, self.w) + self.b

        def loss(self, y_hat, y):
            return ((y_hat - y) ** 2 / 2).mean()

        def configure_optimizers(self):
            return d2l.SGD([self.w, self.b], self.lr)

    torch.manual_seed(42)
    model = LinearRegressionScratch(2, lr=0.03)
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    trainer = d2l.Trainer(max_epochs=3)
    trainer.fit(model, data)
    return model, trainer


def test_linear_regression_from_scratch_matches_d2l(capsys):
    ours, _ = linear_regression_from_scratch(lib)
    theirs, _ = linear_regression_from_scratch(d2l)
    capsys.readouterr()  # d2l's board prints figure reprs outside a notebook
    torch.testing.assert_close(ours.w, theirs.w)
    torch.testing.assert_close(ours.b, theirs.b)
    assert list(ours.board.data) == list(theirs.board.data) == ["train_loss", "val_loss"]
    for key in ours.board.data:
        a = np.array([(p.x, p.y) for p in ours.board.data[key]])
        b = np.array([(p.x, float(p.y)) for p in theirs.board.data[key]])
        np.testing.assert_allclose(a, b, rtol=1e-6)
    # And the result is the textbook's: w and b recovered to within about 0.2.
    assert (ours.w.reshape(-1) - torch.tensor([2, -3.4])).abs().max() < 0.3
    assert abs(ours.b.item() - 4.2) < 0.3


@pytest.fixture(scope="module")
def both_fashion_mnist():
    root = lib.data.find_fashion_mnist(download=False).parent.parent  # torchvision's layout
    mp = pytest.MonkeyPatch()
    # d2l's DataModule defaults to root='../data' and 4 worker processes: point it at the
    # verified files (so torchvision finds them and downloads nothing) and load in-process.
    mp.setattr(d2l.DataModule.__init__, "__defaults__", (str(root), 0))
    yield lib.FashionMNIST(batch_size=256), d2l.FashionMNIST(batch_size=256)
    mp.undo()


def test_fashion_mnist_validation_batches_match_d2l(both_fashion_mnist):
    ours, theirs = both_fashion_mnist
    ours_batches, their_batches = list(ours.val_dataloader()), list(theirs.val_dataloader())
    assert len(ours_batches) == len(their_batches) == 40
    for (X1, y1), (X2, y2) in zip(ours_batches, their_batches):
        torch.testing.assert_close(X1, X2)
        torch.testing.assert_close(y1, y2)


def test_fashion_mnist_shuffled_training_batches_match_d2l(both_fashion_mnist):
    ours, theirs = both_fashion_mnist
    torch.manual_seed(7)
    X1, y1 = next(iter(ours.train_dataloader()))
    torch.manual_seed(7)
    X2, y2 = next(iter(theirs.train_dataloader()))
    torch.testing.assert_close(X1, X2)
    torch.testing.assert_close(y1, y2)


def test_text_labels_and_accuracy_match_d2l(both_fashion_mnist):
    ours, theirs = both_fashion_mnist
    assert ours.text_labels(range(10)) == theirs.text_labels(range(10))
    torch.manual_seed(0)
    Y_hat, Y = torch.randn(300, 10), torch.randint(0, 10, (300,))
    torch.testing.assert_close(lib.Classifier().accuracy(Y_hat, Y), d2l.Classifier().accuracy(Y_hat, Y))
    torch.testing.assert_close(lib.Classifier().loss(Y_hat, Y), d2l.Classifier().loss(Y_hat, Y))
