import pytest
import torch
import torch.nn.functional as F
from torch import nn

import lib


def test_accuracy_against_a_direct_count():
    torch.manual_seed(0)
    Y_hat, Y = torch.randn(50, 10), torch.randint(0, 10, (50,))
    expected = sum(int(Y_hat[i].argmax() == Y[i]) for i in range(50)) / 50
    acc = lib.Classifier().accuracy(Y_hat, Y)
    assert acc.item() == pytest.approx(expected)
    per_example = lib.Classifier().accuracy(Y_hat, Y, averaged=False)
    assert per_example.shape == (50,) and per_example.sum().item() == pytest.approx(expected * 50)


def test_accuracy_flattens_leading_dimensions():
    Y_hat = torch.tensor([[[0.1, 0.9], [0.8, 0.2]]])  # (1, 2, 2)
    assert lib.Classifier().accuracy(Y_hat, torch.tensor([[1, 1]])).item() == 0.5


def test_accuracy_rejects_mismatched_batch_sizes():
    with pytest.raises(ValueError, match="accuracy: 4 predictions but 3 labels"):
        lib.Classifier().accuracy(torch.randn(4, 10), torch.zeros(3, dtype=torch.long))


def test_classifier_loss_is_torch_cross_entropy():
    Y_hat, Y = torch.randn(8, 5), torch.randint(0, 5, (8,))
    c = lib.Classifier()
    torch.testing.assert_close(c.loss(Y_hat, Y), F.cross_entropy(Y_hat, Y))
    torch.testing.assert_close(c.loss(Y_hat, Y, averaged=False), F.cross_entropy(Y_hat, Y, reduction="none"))


def test_module_forward_uses_net_and_explains_when_missing():
    m = lib.Module()
    with pytest.raises(NotImplementedError, match=r"neither a forward\(X\) method nor a self.net"):
        m(torch.ones(1))
    m.net = nn.Linear(2, 1)
    assert m(torch.ones(3, 2)).shape == (3, 1)


def test_sgd_from_scratch_matches_torch_sgd():
    torch.manual_seed(0)
    w1 = torch.randn(3, requires_grad=True)
    w2 = w1.detach().clone().requires_grad_(True)
    ours, theirs = lib.SGD([w1], lr=0.1), torch.optim.SGD([w2], lr=0.1)
    for _ in range(3):
        for w, opt in ((w1, ours), (w2, theirs)):
            opt.zero_grad()
            ((w ** 3).sum()).backward()
            opt.step()
    torch.testing.assert_close(w1, w2)


def test_sgd_keeps_a_generator_of_parameters():
    net = nn.Linear(2, 1)
    opt = lib.SGD(net.parameters(), lr=0.1)  # a generator: must not be consumed by saving
    assert len(opt.params) == 2


def test_concise_linear_regression_initializes_as_its_docstring_says():
    # issue 20.2: the lazy layer's weights, set in __init__, were discarded when it
    # materialized, so the first forward pass left torch's default initialization.
    torch.manual_seed(0)
    model = lib.LinearRegression(lr=0.03)
    model(torch.randn(4, 1000))
    w, b = model.get_w_b()
    assert w.shape == (1, 1000) and b.shape == (1,)
    assert b.item() == 0
    assert abs(w.std().item() - 0.01) < 0.001 and abs(w.mean().item()) < 0.002
    # and it stays a plain, trainable layer afterwards
    assert type(model.net) is nn.Linear and model.net.weight.requires_grad
    before = model.net.weight.detach().clone()
    model(torch.randn(4, 1000))
    torch.testing.assert_close(model.net.weight.detach(), before)  # initialized only once
