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

    with pytest.raises(lib.checks.CheckError, match=r"dropout_layer\(X, 0.5\) changed its input in place"):
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


def test_torch_dropout_passes_the_statistics():
    # The reference implementation meets every statistical test of the check ...
    for p in (0.5, 0.2, 0.8):
        checks._expect_dropped(nn.Dropout(p).train(), p, f"nn.Dropout({p})")
    checks._expect_dropped(nn.Dropout(0.3).train(), 0.3, "nn.Dropout(0.3)", shape=(40, 50, 50))


def test_torch_dropout_as_an_answer_is_a_forbidden_shortcut():
    # ... but the exercise asks for the mask to be written by hand.
    with pytest.raises(lib.checks.CheckError, match="calls torch.nn.functional.dropout, which the exercise rules out"):
        checks.check_dropout_module(nn.Dropout)


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


# --- more wrong answers ------------------------------------------------------------------

def checked(p):
    if not 0 <= p <= 1:
        raise ValueError(f"bad p = {p}")


def row_mask(X, p):
    checked(p)
    if p == 1:
        return torch.zeros_like(X)
    keep = torch.rand_like(X[..., :1]) >= p       # one draw per row, broadcast along it
    return X * keep / (1 - p)


def fixed_seed(X, p):
    checked(p)
    if p == 1:
        return torch.zeros_like(X)
    torch.manual_seed(0)                           # "for reproducibility"
    return X * (torch.rand_like(X) >= p) / (1 - p)


def cpu_mask(X, p):
    checked(p)
    if p == 1:
        return torch.zeros_like(X)
    return X * (torch.rand(X.shape) >= p) / (1 - p)


def library(X, p):
    checked(p)
    return torch.nn.functional.dropout(X, p, training=True)


def float32_result(X, p):
    return dropout_layer(X, p).float()


def lets_nan_through(X, p):
    if p < 0 or p > 1:
        raise ValueError(f"bad p = {p}")
    if p == 1:
        return torch.zeros_like(X)
    return X * (torch.rand_like(X) >= p) / (1 - p)


@pytest.mark.parametrize("wrong, message", [
    (row_mask, "dropped whole rows at once"),
    (fixed_seed, "exactly the same elements on a second call"),
    (cpu_mask, r"draws its mask with torch.rand\(X.shape...\).*torch.rand_like"),
    (library, "calls torch.nn.functional.dropout, which the exercise rules out"),
    (float32_result, "float64 tensor returned dtype torch.float32"),
    (lets_nan_through, "every comparison with nan is false"),
    (lambda X, p: None, r"dropout_layer\(X, 0.0\) returned None"),
])
def test_dropout_layer_more_wrong_answers(wrong, message):
    with pytest.raises(lib.checks.CheckError, match=message):
        checks.check_dropout_layer(wrong)


def test_dropout_module_calling_dropout_layer_fails():
    class Wrapper(nn.Module):
        def __init__(self, p=0.5):
            super().__init__()
            self.p = p

        def forward(self, X):
            return dropout_layer(X, self.p) if self.training else X
    with pytest.raises(lib.checks.CheckError, match="Dropout calls dropout_layer, which the exercise rules out"):
        checks.check_dropout_module(Wrapper)


def test_dropout_module_without_default_p_fails():
    class NoDefault(Dropout):
        def __init__(self, p):
            super().__init__(p)
    with pytest.raises(lib.checks.CheckError, match=r"Dropout\(\) raised TypeError"):
        checks.check_dropout_module(NoDefault)


def test_dropout_module_column_mask_fails():
    class ColumnMask(Dropout):
        def forward(self, X):
            if not self.training or self.p == 0:
                return X
            if self.p == 1:
                return torch.zeros_like(X)
            keep = torch.rand_like(X.reshape(-1, X.shape[-1])[:1]) >= self.p   # one row of draws
            return X * keep / (1 - self.p)
    with pytest.raises(lib.checks.CheckError, match="dropped whole columns at once"):
        checks.check_dropout_module(ColumnMask)


def test_dropout_module_mask_drawn_once_fails():
    class MaskOnce(Dropout):
        mask = None

        def forward(self, X):
            if not self.training or self.p in (0, 1):
                return X if self.p == 0 or not self.training else torch.zeros_like(X)
            if self.mask is None or self.mask.shape != X.shape:
                self.mask = torch.rand_like(X) >= self.p
            return X * self.mask / (1 - self.p)
    with pytest.raises(lib.checks.CheckError, match="same elements on a second call"):
        checks.check_dropout_module(MaskOnce)


def test_dropout_module_in_place_fails():
    class InPlace(Dropout):
        def forward(self, X):
            if not self.training or self.p == 0:
                return X
            if self.p == 1:
                return X.zero_()
            return X.mul_((torch.rand_like(X) >= self.p) / (1 - self.p))
    with pytest.raises(lib.checks.CheckError, match="changed its input in place"):
        checks.check_dropout_module(InPlace)
