"""The dropout chapter's self-checks: solutions pass, stubs and known wrong answers fail."""
import pytest
import torch
from torch import nn

from helpers import fails, solutions_pass, stubs_fail
from lib.checks import dropout as checks


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


@pytest.mark.slow  # trains or repeats for seconds: make test runs it, make test-fast does not
def test_dropout_layer_solution_passes_for_many_seeds(capsys):
    # The check is statistical: it must not fail a correct answer by bad luck.
    for seed in range(20):
        torch.manual_seed(seed)
        checks.check_dropout_layer(dropout_layer)
    assert capsys.readouterr().out.count("check passed") == 20


def checked(p):
    if not 0 <= p <= 1:
        raise ValueError(f"bad p = {p}")


def no_rescale(X, p):
    checked(p)
    return X * (torch.rand_like(X) >= p)


def keeps_p(X, p):
    checked(p)
    if p == 1:
        return torch.zeros_like(X)
    if p == 0:
        return X.clone()
    return X * (torch.rand_like(X) < p) / (1 - p)


def no_special_case(X, p):
    checked(p)
    return X * (torch.rand_like(X) >= p) / (1 - p)


def no_validation(X, p):
    if p >= 1:
        return torch.zeros_like(X)
    return X * (torch.rand_like(X) >= p) / (1 - p)


def with_assert(X, p):
    assert 0 <= p <= 1
    return dropout_layer(X, p)


def vague(X, p):
    if not 0 <= p <= 1:
        raise ValueError("invalid argument")
    return dropout_layer(X, p)


def in_place(X, p):
    checked(p)
    if p == 1:
        return X.zero_()
    X *= (torch.rand_like(X) >= p) / (1 - p)
    return X


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
    pytest.param(no_rescale, r"left the surviving elements unchanged, expected them divided by "
                             r"1 - p = 0\.5", id="without_rescaling"),
    pytest.param(keeps_p, r"zeroed 80\.\d% of the elements, expected about 20%: you kept each "
                          r"element with probability p = 0\.2", id="keeps_with_probability_p"),
    pytest.param(no_special_case, r"dropout_layer\(X, 1\.0\) returned nan or inf",
                 id="divides_by_zero_at_p_1"),
    pytest.param(no_validation, r"dropout_layer\(X, -0\.1\) returned a tensor instead of raising "
                                r"ValueError", id="accepts_bad_p"),
    pytest.param(with_assert, r"raised AssertionError, expected ValueError: an assert disappears",
                 id="with_assert"),
    pytest.param(vague, r"make the message say which value was wrong", id="silent_value_error"),
    pytest.param(in_place, r"dropout_layer\(X, 0.5\) changed its input in place", id="in_place"),
    (row_mask, "dropped whole rows at once"),
    (fixed_seed, "exactly the same elements on a second call"),
    (cpu_mask, r"draws its mask with torch.rand\(X.shape...\).*torch.rand_like"),
    (library, "calls torch.nn.functional.dropout, which the exercise rules out"),
    (float32_result, "float64 tensor returned dtype torch.float32"),
    (lets_nan_through, "every comparison with nan is false"),
    (lambda X, p: None, r"dropout_layer\(X, 0.0\) returned None"),
])
def test_dropout_layer_wrong_answers(wrong, message):
    fails(checks.check_dropout_layer, wrong, message)


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


class Stub(nn.Module):
    def __init__(self, p=0.5):
        raise NotImplementedError

    def forward(self, X):
        raise NotImplementedError


class HalfStub(Dropout):
    def forward(self, X):
        raise NotImplementedError


def test_torch_dropout_passes_the_statistics():
    # The reference implementation meets every statistical test of the check ...
    for p in (0.5, 0.2, 0.8):
        checks._expect_dropped(nn.Dropout(p).train(), p, f"nn.Dropout({p})")
    checks._expect_dropped(nn.Dropout(0.3).train(), 0.3, "nn.Dropout(0.3)", shape=(40, 50, 50))


def test_dropout_module_stub_forward_fails():
    fails(checks.check_dropout_module, HalfStub)


class AlwaysOn(Dropout):
    def forward(self, X):
        if self.p == 1:
            return torch.zeros_like(X)
        return X * (torch.rand_like(X) >= self.p) / (1 - self.p)


class Classic(Dropout):
    # "Classic" dropout: no rescaling in training, multiply by 1 - p at evaluation.
    def forward(self, X):
        if not self.training:
            return X * (1 - self.p)
        return X * (torch.rand_like(X) >= self.p)


class ScalesAtEval(Dropout):
    def forward(self, X):
        if not self.training:
            return X / (1 - self.p)
        return super().forward(X)


class KeepsP(Dropout):
    def forward(self, X):
        if not self.training or self.p in (0, 1):
            return super().forward(X)
        return X * (torch.rand_like(X) < self.p) / (1 - self.p)


class Plain:
    def __init__(self, p=0.5):
        self.p = p


class Wrapper(Dropout):
    def forward(self, X):
        return dropout_layer(X, self.p) if self.training else X


class NoDefault(Dropout):
    def __init__(self, p):
        super().__init__(p)


class ColumnMask(Dropout):
    def forward(self, X):
        if not self.training or self.p in (0, 1):
            return super().forward(X)
        keep = torch.rand_like(X.reshape(-1, X.shape[-1])[:1]) >= self.p   # one row of draws
        return X * keep / (1 - self.p)


class MaskOnce(Dropout):
    mask = None

    def forward(self, X):
        if not self.training or self.p in (0, 1):
            return X if self.p == 0 or not self.training else torch.zeros_like(X)
        if self.mask is None or self.mask.shape != X.shape:
            self.mask = torch.rand_like(X) >= self.p
        return X * self.mask / (1 - self.p)


class InPlace(Dropout):
    def forward(self, X):
        if not self.training or self.p == 0:
            return X
        if self.p == 1:
            return X.zero_()
        return X.mul_((torch.rand_like(X) >= self.p) / (1 - self.p))


@pytest.mark.parametrize("wrong, message", [
    # nn.Dropout passes the statistics (above), but the exercise asks for the mask written by hand.
    pytest.param(nn.Dropout, "calls torch.nn.functional.dropout, which the exercise rules out",
                 id="torch_dropout_is_a_forbidden_shortcut"),
    pytest.param(AlwaysOn, r"in evaluation mode .*changed its input.*still dropped elements: "
                           r"test self\.training", id="ignores_mode"),
    pytest.param(Classic, r"left the surviving elements unchanged", id="old_style_scaling"),
    pytest.param(ScalesAtEval, r"scaled X by about 2: inverted dropout already rescaled",
                 id="scales_at_eval"),
    pytest.param(KeepsP, r"you kept each element with probability p", id="keeps_with_probability_p"),
    pytest.param(Plain, r"expected an nn\.Module", id="not_a_module"),
    pytest.param(Wrapper, "Dropout calls dropout_layer, which the exercise rules out",
                 id="calling_dropout_layer"),
    pytest.param(NoDefault, r"Dropout\(\) raised TypeError", id="without_default_p"),
    pytest.param(ColumnMask, "dropped whole columns at once", id="column_mask"),
    pytest.param(MaskOnce, "same elements on a second call", id="mask_drawn_once"),
    pytest.param(InPlace, "changed its input in place", id="in_place"),
])
def test_dropout_module_wrong_answers(wrong, message):
    fails(checks.check_dropout_module, wrong, message)


# --- every check: its solution passes, a stub is not implemented yet -------------------

def dropout_layer_float_mask(X, p):
    """Another right answer: a float mask, `> p` rather than `>= p`, ValueError with %r."""
    if not 0 <= p <= 1:
        raise ValueError("p must lie in [0, 1], not %r" % (p,))
    if p == 1:
        return torch.zeros_like(X)
    mask = (torch.rand_like(X) > p).to(X.dtype)
    return mask * X / (1.0 - p)


class DropoutWhere(nn.Module):
    """Another right answer: torch.where, and p == 1 handled by the mask alone."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, X):
        if not self.training:
            return X
        keep = torch.rand_like(X) >= self.p
        scale = 1 / (1 - self.p) if self.p < 1 else 0.0
        return torch.where(keep, X * scale, torch.zeros_like(X))


test_solutions_pass = solutions_pass((checks.check_dropout_layer, dropout_layer),
                                     (checks.check_dropout_layer, dropout_layer_float_mask),
                                     (checks.check_dropout_module, Dropout),
                                     (checks.check_dropout_module, DropoutWhere))
test_stubs_fail = stubs_fail(checks.check_dropout_layer, (checks.check_dropout_module, Stub))
