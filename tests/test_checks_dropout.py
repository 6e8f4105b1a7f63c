"""The dropout chapter's self-checks: solutions pass, stubs and known wrong answers fail."""
import pytest
import torch
from torch import nn

import lib
from lib.checks import dropout as checks

NI = lib.checks.NOT_IMPLEMENTED


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# --- dropout_layer --------------------------------------------------------------------

def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability p must be in [0, 1], got p = {p}")
    if p == 1:
        return torch.zeros_like(X)
    keep = torch.rand_like(X) >= p
    return X * keep / (1 - p)


def test_dropout_layer_solution_passes(capsys):
    checks.check_dropout_layer(dropout_layer)
    assert "check passed" in capsys.readouterr().out


def test_dropout_layer_solution_passes_for_many_seeds(capsys):
    # The check is statistical: it must not fail a correct answer by bad luck.
    for seed in range(20):
        torch.manual_seed(seed)
        checks.check_dropout_layer(dropout_layer)
    assert capsys.readouterr().out.count("check passed") == 20


def test_dropout_layer_stub_fails():
    def stub(X, p):
        raise NotImplementedError

    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_dropout_layer(stub)


def test_dropout_layer_without_rescaling():
    def no_rescale(X, p):
        if not 0 <= p <= 1:
            raise ValueError(f"bad p = {p}")
        return X * (torch.rand_like(X) >= p)

    with pytest.raises(lib.checks.CheckError,
                       match=r"left the surviving elements unchanged, expected them divided by "
                             r"1 - p = 0\.5"):
        checks.check_dropout_layer(no_rescale)


def test_dropout_layer_keeps_with_probability_p():
    def keeps_p(X, p):
        if not 0 <= p <= 1:
            raise ValueError(f"bad p = {p}")
        if p == 1:
            return torch.zeros_like(X)
        if p == 0:
            return X.clone()
        return X * (torch.rand_like(X) < p) / (1 - p)

    with pytest.raises(lib.checks.CheckError,
                       match=r"zeroed 80\.\d% of the elements, expected about 20%: you kept each "
                             r"element with probability p = 0\.2"):
        checks.check_dropout_layer(keeps_p)


def test_dropout_layer_divides_by_zero_at_p_1():
    def no_special_case(X, p):
        if not 0 <= p <= 1:
            raise ValueError(f"bad p = {p}")
        return X * (torch.rand_like(X) >= p) / (1 - p)

    with pytest.raises(lib.checks.CheckError, match=r"dropout_layer\(X, 1\.0\) returned nan or inf"):
        checks.check_dropout_layer(no_special_case)


def test_dropout_layer_accepts_bad_p():
    def no_validation(X, p):
        if p >= 1:
            return torch.zeros_like(X)
        return X * (torch.rand_like(X) >= p) / (1 - p)

    with pytest.raises(lib.checks.CheckError,
                       match=r"dropout_layer\(X, -0\.1\) returned a tensor instead of raising "
                             r"ValueError"):
        checks.check_dropout_layer(no_validation)


def test_dropout_layer_with_assert():
    def with_assert(X, p):
        assert 0 <= p <= 1
        return dropout_layer(X, p)

    with pytest.raises(lib.checks.CheckError,
                       match=r"raised AssertionError, expected ValueError: an assert disappears"):
        checks.check_dropout_layer(with_assert)


def test_dropout_layer_silent_value_error():
    def vague(X, p):
        if not 0 <= p <= 1:
            raise ValueError("invalid argument")
        return dropout_layer(X, p)

    with pytest.raises(lib.checks.CheckError, match=r"make the message say which value was wrong"):
        checks.check_dropout_layer(vague)


def test_dropout_layer_in_place():
    def in_place(X, p):
        if not 0 <= p <= 1:
            raise ValueError(f"bad p = {p}")
        if p == 1:
            return X.zero_()
        X *= (torch.rand_like(X) >= p) / (1 - p)
        return X

    with pytest.raises(lib.checks.CheckError, match=r"changed its input X in place"):
        checks.check_dropout_layer(in_place)


# --- Dropout module -------------------------------------------------------------------

class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, X):
        if not self.training or self.p == 0:
            return X
        if self.p == 1:
            return torch.zeros_like(X)
        return X * (torch.rand_like(X) >= self.p) / (1 - self.p)


def test_dropout_module_solution_passes(capsys):
    checks.check_dropout_module(Dropout)
    assert "check passed" in capsys.readouterr().out


def test_torch_dropout_passes(capsys):
    checks.check_dropout_module(nn.Dropout)  # the reference implementation passes too
    assert "check passed" in capsys.readouterr().out


def test_dropout_module_stub_fails():
    class Stub(nn.Module):
        def __init__(self, p=0.5):
            raise NotImplementedError

        def forward(self, X):
            raise NotImplementedError

    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_dropout_module(Stub)


def test_dropout_module_stub_forward_fails():
    class HalfStub(nn.Module):
        def __init__(self, p=0.5):
            super().__init__()
            self.p = p

        def forward(self, X):
            raise NotImplementedError

    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_dropout_module(HalfStub)


def test_dropout_module_ignores_mode():
    class AlwaysOn(Dropout):
        def forward(self, X):
            if self.p == 1:
                return torch.zeros_like(X)
            return X * (torch.rand_like(X) >= self.p) / (1 - self.p)

    with pytest.raises(lib.checks.CheckError,
                       match=r"in evaluation mode .*changed its input.*still dropped elements: "
                             r"test self\.training"):
        checks.check_dropout_module(AlwaysOn)


def test_dropout_module_old_style_scaling():
    # "Classic" dropout: no rescaling in training, multiply by 1 - p at evaluation.
    class Classic(Dropout):
        def forward(self, X):
            if not self.training:
                return X * (1 - self.p)
            return X * (torch.rand_like(X) >= self.p)

    with pytest.raises(lib.checks.CheckError, match=r"left the surviving elements unchanged"):
        checks.check_dropout_module(Classic)


def test_dropout_module_scales_at_eval():
    class ScalesAtEval(Dropout):
        def forward(self, X):
            if not self.training:
                return X / (1 - self.p)
            return super().forward(X)

    with pytest.raises(lib.checks.CheckError,
                       match=r"scaled X by about 2: inverted dropout already rescaled"):
        checks.check_dropout_module(ScalesAtEval)


def test_dropout_module_keeps_with_probability_p():
    class KeepsP(Dropout):
        def forward(self, X):
            if not self.training or self.p in (0, 1):
                return super().forward(X)
            return X * (torch.rand_like(X) < self.p) / (1 - self.p)

    with pytest.raises(lib.checks.CheckError, match=r"you kept each element with probability p"):
        checks.check_dropout_module(KeepsP)


def test_dropout_module_not_a_module():
    class Plain:
        def __init__(self, p=0.5):
            self.p = p

    with pytest.raises(lib.checks.CheckError, match=r"expected an nn\.Module"):
        checks.check_dropout_module(Plain)
