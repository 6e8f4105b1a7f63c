"""The generalization chapter's self-checks pass right answers and name the wrong ones."""
import pytest
import torch

from helpers import fails, passes, solutions_pass, stubs_fail
from lib.checks.generalization import check_k_fold_split, check_l2_penalty


# --- l2_penalty ------------------------------------------------------------------------

def l2_penalty(w):
    return (w ** 2).sum() / 2


@pytest.mark.parametrize("right", [
    lambda w: 0.5 * torch.sum(w * w),
    lambda w: w.norm() ** 2 / 2,
    lambda w: torch.linalg.vector_norm(w) ** 2 * 0.5,
    lambda w: (w.reshape(-1) @ w.reshape(-1)) / 2,
    lambda w: torch.einsum("...,...->", w, w) / 2,       # a different way of writing it
    lambda w: sum((row ** 2).sum() for row in w.reshape(len(w), -1)) * 0.5,   # row by row
])
def test_l2_penalty_other_right_answers_pass(right, capsys):
    passes(check_l2_penalty, right, capsys)


def l2_penalty_in_place(w):
    with torch.no_grad():
        w.mul_(w)
    return w.sum() / 2


@pytest.mark.parametrize("wrong, message", [
    (lambda w: (w ** 2).sum(), "the penalty is half of it"),
    (lambda w: w.norm(), r"the norm \|\|w\|\| itself"),
    (lambda w: w.abs().sum(), "L1 norm"),
    (lambda w: (w ** 2).mean() / 2, "averages the squares"),
    (lambda w: w.sum() ** 2 / 2, "squares the sum"),
    (lambda w: w ** 2 / 2, "expected a single number"),
    (lambda w: ((w ** 2).sum() / 2).item(), "Python number"),
    (lambda w: (w.detach() ** 2).sum() / 2, "autograd cannot differentiate"),
    (lambda w: torch.tensor(float((w.detach() ** 2).sum() / 2)), "autograd cannot differentiate"),
    (lambda w: (w ** 2).sum(dim=0) / 2, "expected a single number"),
    (lambda w: w.norm() / 2, "half the norm"),
    pytest.param(l2_penalty_in_place, "changed w in place", id="in_place"),
    pytest.param(lambda w: 1 / 0, r"l2_penalty\(w\) with w = .* raised ZeroDivisionError",
                 id="crash_is_reported_with_what_was_tried"),
])
def test_l2_penalty_wrong_answers_are_named(wrong, message):
    fails(check_l2_penalty, wrong, message)


# --- k_fold_split ----------------------------------------------------------------------

def k_fold_split(n, k, i):
    if not 2 <= k <= n:
        raise ValueError(f"need 2 <= k <= n, got k={k}, n={n}")
    if not 0 <= i < k:
        raise ValueError(f"no fold {i}")
    folds = torch.tensor_split(torch.arange(n), k)
    return torch.cat([f for j, f in enumerate(folds) if j != i]), folds[i]


def strided(n, k, i):
    """Another right answer: fold i takes every k-th example, starting at i."""
    if not 2 <= k <= n or not 0 <= i < k:
        raise ValueError("bad arguments")
    idx = torch.arange(n)
    return idx[idx % k != i], idx[i::k]


def _validated(fn):
    """Wrap a split with the argument checks, so that only its folds are wrong."""
    def split(n, k, i):
        if not 2 <= k <= n or not 0 <= i < k:
            raise ValueError("bad arguments")
        return fn(n, k, i)
    return split


def overlap(n, k, i):
    train, val = k_fold_split(n, k, i)
    return torch.arange(n), val


def remainder_dropped(n, k, i):
    size = n // k
    idx = torch.arange(n)
    val = idx[i * size:(i + 1) * size]
    return torch.cat([idx[:i * size], idx[(i + 1) * size:]]), val


def remainder_in_last_fold(n, k, i):
    size = n // k
    idx = torch.arange(n)
    end = n if i == k - 1 else (i + 1) * size
    return torch.cat([idx[:i * size], idx[end:]]), idx[i * size:end]


def same_fold_always(n, k, i):
    return k_fold_split(n, k, 0)


def train_is_next_fold(n, k, i):
    folds = torch.tensor_split(torch.arange(n), k)
    return folds[(i + 1) % k], folds[i]


def shuffled_every_call(n, k, i):
    perm = torch.randperm(n)
    folds = torch.tensor_split(perm, k)
    return torch.cat([f for j, f in enumerate(folds) if j != i]), folds[i]


def float_indices(n, k, i):
    train, val = k_fold_split(n, k, i)
    return train.float(), val.float()


def lists(n, k, i):
    train, val = k_fold_split(n, k, i)
    return train.tolist(), val.tolist()


def one_based(n, k, i):
    """Folds numbered 1..k: i = k is accepted, i = 0 silently wraps to the last fold."""
    if not 2 <= k <= n:
        raise ValueError("bad k")
    folds = torch.tensor_split(torch.arange(n), k)
    return torch.cat([f for j, f in enumerate(folds) if j != (i - 1) % k]), folds[i - 1]


def no_argument_checks(n, k, i):
    folds = torch.tensor_split(torch.arange(n), k)
    return torch.cat([f for j, f in enumerate(folds) if j != i]), folds[i]


def type_error(n, k, i):
    if not 2 <= k <= n or not 0 <= i < k:
        raise TypeError("bad")
    return k_fold_split(n, k, i)


@pytest.mark.parametrize("wrong, message", [
    (_validated(overlap), "in both train_idx and val_idx"),
    (_validated(remainder_dropped), "never in a validation fold"),
    (_validated(remainder_in_last_fold), "differ by more than one"),
    (_validated(same_fold_always), "validation folds fold=0 and fold=1"),
    (_validated(train_is_next_fold), "in neither train_idx nor val_idx"),
    (_validated(shuffled_every_call), "do not shuffle inside the function|in the validation folds"),
    (_validated(float_indices), "expected integers"),
    (_validated(lists), "expected a 1-D tensor of integers"),
    (one_based, "folds count from 0"),
    (lambda n, k, i: k_fold_split(n, max(k, 2), i) if k <= n else k_fold_split(n, n, 0),
     "num_folds must be at least 2"),
    pytest.param(no_argument_checks, r"k_fold_split\(4, 5, 0\) returned .*expected a ValueError.*at most n",
                 id="without_argument_checks"),
    pytest.param(type_error, "raised TypeError: bad, expected a ValueError", id="wrong_exception_type"),
    pytest.param(lambda n, k, i: {}[i], r"k_fold_split\(10, 5, 0\) raised KeyError",
                 id="crash_is_reported_with_what_was_tried"),
])
def test_k_fold_wrong_answers_are_named(wrong, message):
    torch.manual_seed(0)
    fails(check_k_fold_split, wrong, message)


def masked_int32(n, k, i):
    """Another right answer: folds from a fold label per example, int32 indices, and
    the train indices listed in reverse order."""
    if k < 2 or k > n or i < 0 or i >= k:
        raise ValueError(f"k_fold_split: bad arguments n={n}, k={k}, i={i}")
    sizes = [n // k + (f < n % k) for f in range(k)]
    label = torch.repeat_interleave(torch.arange(k), torch.tensor(sizes))
    idx = torch.arange(n, dtype=torch.int32)
    return idx[label != i].flip(0), idx[label == i]


# --- every check: its solution passes, a stub is not implemented yet -------------------

test_solutions_pass = solutions_pass((check_l2_penalty, l2_penalty), (check_k_fold_split, k_fold_split),
                                     (check_k_fold_split, strided),
                                     (check_k_fold_split, masked_int32))
test_stubs_fail = stubs_fail(check_l2_penalty, check_k_fold_split)


@pytest.mark.parametrize("check, answer", [
    (check_l2_penalty, lambda w: None),
    (check_l2_penalty, lambda w: "12.5"),
    (check_k_fold_split, lambda n, k, i: None),
    (check_k_fold_split, lambda n, k, i: (None, None)),
    (check_k_fold_split, lambda n, k, i: torch.arange(n)),
])
def test_answers_of_the_wrong_type_fail_cleanly(check, answer):
    fails(check, answer, "expected")
