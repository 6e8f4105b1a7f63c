"""Textbook-style code runs unchanged with `import lib as d2l`, patches included."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import lib as d2l  # noqa: E402


@pytest.fixture
def restore_trainer(monkeypatch):
    """Textbook patches replace Trainer methods for good: undo them after each test."""
    for name in ("fit_epoch", "prepare_batch", "clip_gradients"):
        monkeypatch.setattr(d2l.Trainer, name, getattr(d2l.Trainer, name))
    monkeypatch.setattr(d2l.Classifier, "accuracy", d2l.Classifier.accuracy)
    yield
    plt.close("all")


class Data(d2l.DataModule):
    """A textbook-style DataModule subclass: its own __init__, root and workers untouched."""

    def __init__(self, num_train=256, num_val=64, batch_size=32):
        super().__init__()
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = torch.randn(n, 4)
        self.y = (self.X.sum(dim=1) > 0).long()

    def get_dataloader(self, train):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


class SoftmaxRegression(d2l.Classifier):
    def __init__(self, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))


def test_data_module_defaults_like_d2l():
    data = Data()
    assert (data.root, data.num_workers) == ("../data", 4)
    assert len(data.train_dataloader()) == 8 and len(data.val_dataloader()) == 2


def test_textbook_patches_of_the_trainer_are_used(restore_trainer):
    calls = {"prepare_batch": 0, "fit_epoch": 0, "clip": 0, "accuracy": 0}

    @d2l.add_to_class(d2l.Trainer)
    def prepare_batch(self, batch):
        calls["prepare_batch"] += 1
        return batch

    @d2l.add_to_class(d2l.Trainer)
    def clip_gradients(self, grad_clip_val, model):
        calls["clip"] += 1

    @d2l.add_to_class(d2l.Trainer)
    def fit_epoch(self):  # the textbook's loop, written against the attribute protocol
        calls["fit_epoch"] += 1
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                if self.gradient_clip_val > 0:
                    self.clip_gradients(self.gradient_clip_val, self.model)
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1

    @d2l.add_to_class(d2l.Classifier)
    def accuracy(self, Y_hat, Y, averaged=True):
        calls["accuracy"] += 1
        compare = (Y_hat.argmax(axis=1).type(Y.dtype) == Y).type(torch.float32)
        return compare.mean() if averaged else compare

    torch.manual_seed(0)
    trainer = d2l.Trainer(max_epochs=3, gradient_clip_val=1)
    history = trainer.fit(SoftmaxRegression(2, lr=0.1), Data())
    assert calls == {"prepare_batch": 3 * (8 + 2), "fit_epoch": 3, "clip": 3 * 8, "accuracy": 3 * 2}
    assert trainer.train_batch_idx == 24 and trainer.val_batch_idx == 6
    assert len(history) == 3 and "val_acc" in history[-1]


def test_fashion_mnist_the_textbook_way():
    data = d2l.FashionMNIST(resize=(32, 32))
    assert (len(data.train), len(data.val)) == (60000, 10000)
    assert data.train[0][0].shape == (1, 32, 32)
    X, y = next(iter(data.train_dataloader()))
    assert X.shape == (64, 1, 32, 32) and y.shape == (64,)
    axes = data.visualize((X, y))
    assert [ax.get_title() for ax in axes] == data.text_labels(y[:8])
    plt.close("all")


def test_progress_board_on_its_own_and_plot():
    board = d2l.ProgressBoard("x")
    for x in range(10):
        board.draw(x, x ** 2, "square", every_n=2)
    assert len(board.data["square"]) == 5
    x = torch.arange(-2.0, 2.0, 0.5, requires_grad=True)
    y = torch.relu(x)
    d2l.plot(x.detach(), y.detach(), "x", "relu(x)", figsize=(5, 2.5))
    plt.close("all")
