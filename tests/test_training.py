import math

import pytest
import torch
from torch import nn

import lib


class LinearRegression(lib.Module):
    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Linear(2, 1)

    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2 / 2).mean()


@pytest.fixture
def data():
    torch.manual_seed(0)
    return lib.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)


def test_fit_recovers_the_parameters_and_returns_the_history(data):
    model = LinearRegression(lr=0.03)
    history = lib.Trainer(max_epochs=10).fit(model, data)
    assert [h["epoch"] for h in history] == list(range(1, 11))
    assert set(history[0]) == {"epoch", "train_loss", "val_loss"}
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["val_loss"] < 0.01
    torch.testing.assert_close(model.net.weight.data, torch.tensor([[2, -3.4]]), atol=0.05, rtol=0)
    # The history is the mean of the per-batch losses: check one epoch by hand.
    assert model.board.data["val_loss"][-1].y == pytest.approx(history[-1]["val_loss"], rel=1e-5)


def test_classifier_history_has_accuracy():
    torch.manual_seed(0)
    X = torch.randn(200, 2)
    y = (X[:, 0] > 0).long()

    class Data(lib.DataModule):
        def __init__(self):
            super().__init__()
            self.batch_size = 50

        def get_dataloader(self, train):
            return self.get_tensorloader((X, y), train)

    class Logistic(lib.Classifier):
        def __init__(self, lr):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Linear(2, 2)

    history = lib.Trainer(max_epochs=5).fit(Logistic(lr=0.5), Data())
    assert 0.9 < history[-1]["val_acc"] <= 1.0


def test_a_patched_fit_epoch_is_used(data, monkeypatch):
    calls = []
    original = lib.Trainer.fit_epoch

    def fit_epoch(self):
        calls.append(self.epoch)
        original(self)
    monkeypatch.setattr(lib.Trainer, "fit_epoch", fit_epoch)
    lib.Trainer(max_epochs=2).fit(LinearRegression(lr=0.03), data)
    assert calls == [0, 1]


def test_a_patched_prepare_batch_is_used(data, monkeypatch):
    seen = []
    monkeypatch.setattr(lib.Trainer, "prepare_batch", lib.Trainer.prepare_batch)  # restored after

    @lib.add_to_class(lib.Trainer)  # the textbook's way of patching
    def prepare_batch(self, batch):
        seen.append(len(batch[0]))
        return batch
    lib.Trainer(max_epochs=1).fit(LinearRegression(lr=0.03), data)
    assert len(seen) == 32 + 32  # training and validation batches


def test_gradient_clipping_bounds_the_norm():
    net = nn.Linear(3, 1)
    (net(torch.full((4, 3), 100.0)).sum()).backward()
    lib.Trainer(max_epochs=1, gradient_clip_val=1.0).clip_gradients(1.0, net)
    norm = torch.sqrt(sum((p.grad ** 2).sum() for p in net.parameters()))
    assert norm.item() == pytest.approx(1.0, rel=1e-5)


def test_negative_gradient_clip_val_is_rejected():
    with pytest.raises(ValueError, match=r"gradient_clip_val must be >= 0 \(0 turns clipping off\); got -1"):
        lib.Trainer(max_epochs=1, gradient_clip_val=-1)


def test_asking_for_absent_gpus_is_a_clear_error():
    n = torch.cuda.device_count()
    with pytest.raises(ValueError, match=rf"asks for {n + 1} GPU\(s\) but torch sees {n}\. Use num_gpus=0"):
        lib.Trainer(max_epochs=1, num_gpus=n + 1)


def test_model_without_configure_optimizers(data):
    with pytest.raises(TypeError, match=r"has no configure_optimizers\(\) method"):
        lib.Trainer(max_epochs=1).fit(nn.Linear(2, 1), data)

    class NoLr(lib.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(2, 1)
    with pytest.raises(NotImplementedError, match=r"no configure_optimizers\(\) and no learning rate"):
        lib.Trainer(max_epochs=1).fit(NoLr(), data)


def test_data_without_a_train_loader():
    with pytest.raises(TypeError, match=r"needs data with a training loader.*get_dataloader\(train\)"):
        lib.Trainer(max_epochs=1).fit(LinearRegression(lr=0.1), lib.DataModule())
    with pytest.raises(TypeError, match="needs data with a training loader"):
        lib.Trainer(max_epochs=1).fit(LinearRegression(lr=0.1), torch.ones(3))


def test_diverging_loss_stops_with_advice(data):
    with pytest.raises(FloatingPointError, match=r"became (nan|inf) in epoch \d+.*at learning rate 10.*smaller learning rate"):
        lib.Trainer(max_epochs=5).fit(LinearRegression(lr=10), data)


def test_cuda_training_when_available(data):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    model = LinearRegression(lr=0.03)
    history = lib.Trainer(max_epochs=2, num_gpus=1).fit(model, data)
    assert next(model.parameters()).device.type == "cuda"
    assert math.isfinite(history[-1]["val_loss"])
