"""Self-checks for the generalization and weight decay chapter's exercises."""
import torch

from .core import CheckError, call, exercise, expect, expect_close, expect_value_error

__all__ = ["check_l2_penalty", "check_k_fold_split"]



# --------------------------------------------------------------------------- l2_penalty

def _penalty_case(fn, w):
    """Run fn on a leaf copy of w; return (tried, result, the leaf)."""
    leaf = w.clone().requires_grad_()
    before = leaf.detach().clone()
    shape = "x".join(map(str, w.shape)) or "0-d"
    tried = (f"l2_penalty(w) with w = {w.tolist()}" if w.numel() <= 4
             else f"l2_penalty(w) with a {shape} tensor w")
    got = call(fn, tried, leaf)
    if not torch.equal(leaf.detach(), before):
        raise CheckError(f"{tried} changed w in place (its entries are now "
                         f"{leaf.detach().reshape(-1)[:4].tolist()}...). Hint: compute w ** 2, "
                         "not w.pow_(2) or w *= w; the penalty must leave the weights alone.")
    return tried, got, leaf


def _diagnose_penalty(tried, got, w):
    """Name the usual mistakes by the value they produce."""
    if isinstance(got, (int, float)):
        raise CheckError(f"{tried} returned the Python number {got!r}, expected a 0-d tensor. "
                         "Hint: do not call .item() or float(): autograd can only "
                         "differentiate tensors.")
    expect(isinstance(got, torch.Tensor),
           f"{tried} returned {type(got).__name__}, expected a 0-d tensor.")
    if got.numel() != 1:
        raise CheckError(f"{tried} returned a tensor of shape {tuple(got.shape)}, expected a "
                         "single number. Hint: sum the squares over all entries "
                         "((w ** 2).sum(), with no dim argument).")
    value = got.detach().double().reshape(())
    w = w.detach().double()
    expected = (w ** 2).sum() / 2
    if torch.isclose(value, expected):
        return
    mistakes = [
        (2 * expected, "that is the whole squared norm; the penalty is half of it, "
                       "(w ** 2).sum() / 2, so that its gradient is w"),
        ((w ** 2).sum().sqrt(), "that is the norm ||w|| itself; the penalty uses its "
                                "square, (w ** 2).sum() / 2"),
        ((w ** 2).sum().sqrt() / 2, "that is half the norm; the penalty is half the "
                                    "squared norm, (w ** 2).sum() / 2"),
        (w.abs().sum(), "that is the L1 norm (sum of absolute values); square the entries "
                        "instead"),
        (w.abs().sum() / 2, "that is half the L1 norm (sum of absolute values); square the "
                            "entries instead"),
        ((w ** 2).mean() / 2, "that averages the squares; sum them, so that every weight "
                              "counts fully whatever the size of w"),
        ((w ** 2).mean(), "that is the mean of the squares; the penalty is half their sum"),
        (w.sum() ** 2 / 2, "that squares the sum of the entries, so positive and negative "
                           "weights cancel; square each entry first, then sum"),
    ]
    for wrong, hint in mistakes:
        if torch.isclose(value, wrong) and not torch.isclose(wrong, expected):
            raise CheckError(f"{tried} returned {value.item():.6g}, expected "
                             f"{expected.item():.6g}: {hint}.")
    raise CheckError(f"{tried} returned {value.item():.6g}, expected {expected.item():.6g}. "
                     "Hint: the penalty is (w ** 2).sum() / 2.")


@exercise("l2_penalty", section="'From scratch' in the weight decay section")
def check_l2_penalty(l2_penalty):
    cases = [torch.tensor([[3.0], [-4.0]]),
             torch.tensor([1.0, -2.0, 0.5]),
             torch.arange(-6.0, 6.0).reshape(3, 4) / 4,
             torch.linspace(-1.0, 2.0, 24).reshape(2, 3, 4),
             torch.zeros(5, 1)]
    for w in cases:
        tried, got, leaf = _penalty_case(l2_penalty, w)
        _diagnose_penalty(tried, got, w)
        if not got.requires_grad:
            raise CheckError(f"{tried} returned a tensor that autograd cannot differentiate "
                             "(it does not depend on w in the graph). Hint: no .detach(), "
                             ".item(), .numpy() or torch.tensor(...) of a result: compute it "
                             "with tensor operations on w itself.")
        try:
            got.reshape(()).backward()
        except RuntimeError as e:
            raise CheckError(f"calling backward() on {tried} raised RuntimeError: {e}") from e
        expect_close(leaf.grad, w, f"the gradient of {tried}",
                     hint="the gradient of (w ** 2).sum() / 2 is w itself; a factor 2 means "
                          "the 1/2 is missing.")
    return "half the squared norm, with gradient w, for 5 shapes"


# --------------------------------------------------------------------------- k_fold_split

def _as_indices(got, tried, n):
    """Check the pair's types and return (train, val) as sorted Python lists."""
    expect(isinstance(got, (tuple, list)) and len(got) == 2,
           f"{tried} returned {type(got).__name__}, expected a pair (train_idx, val_idx).")
    out = []
    for name, t in zip(("train_idx", "val_idx"), got):
        if not isinstance(t, torch.Tensor):
            raise CheckError(f"{tried} returned {name} as {type(t).__name__}, expected a 1-D "
                             "tensor of integers. Hint: torch.arange(n) and its pieces are "
                             "tensors; wrap a list with torch.tensor(...).")
        if t.dtype.is_floating_point or t.dtype == torch.bool:
            raise CheckError(f"{tried} returned {name} with dtype {t.dtype}, expected integers "
                             "(torch.long) that can index a tensor.")
        if t.ndim != 1:
            raise CheckError(f"{tried} returned {name} of shape {tuple(t.shape)}, expected a "
                             "1-D tensor of indices.")
        values = t.tolist()
        bad = [v for v in values if not 0 <= v < n]
        if bad:
            raise CheckError(f"{tried} returned {name} with indices {bad[:5]} outside "
                             f"0..{n - 1}. Hint: examples are numbered from 0 to n - 1.")
        out.append(values)
    return out


def _check_fold(n, num_folds, fold, train, val, tried):
    """One fold: no overlap, no duplicates, nothing missing."""
    both = sorted(set(train) & set(val))
    if both:
        raise CheckError(f"{tried}: examples {both[:5]} are in both train_idx and val_idx, "
                         "so the model would be validated on examples it trained on. Hint: "
                         "train on every fold except fold number `fold`.")
    for name, values in (("train_idx", train), ("val_idx", val)):
        if len(values) != len(set(values)):
            dup = sorted({v for v in values if values.count(v) > 1})
            raise CheckError(f"{tried}: {name} lists examples {dup[:5]} more than once.")
    missing = sorted(set(range(n)) - set(train) - set(val))
    if missing:
        raise CheckError(f"{tried}: examples {missing[:5]} are in neither train_idx nor "
                         "val_idx. Hint: train_idx must hold every example outside fold number "
                         "`fold`, i.e. all the other num_folds - 1 folds together.")


@exercise("k_fold_split", section="'Validation sets and K-fold cross-validation'")
def check_k_fold_split(k_fold_split):
    for n, num_folds in [(10, 5), (8, 3), (11, 4), (7, 7), (5, 2), (23, 5)]:
        seen = {}
        sizes = []
        for fold in range(num_folds):
            tried = f"k_fold_split({n}, {num_folds}, {fold})"
            got = call(k_fold_split, tried, n, num_folds, fold)
            train, val = _as_indices(got, tried, n)
            _check_fold(n, num_folds, fold, train, val, tried)
            again = _as_indices(call(k_fold_split, tried, n, num_folds, fold), tried, n)
            expect(sorted(again[1]) == sorted(val),
                   f"calling {tried} twice gave two different validation folds "
                   f"({sorted(val)[:5]}... and {sorted(again[1])[:5]}...). Hint: the folds "
                   "must not change between calls, or some examples would never be "
                   "validated: do not shuffle inside the function.")
            for v in val:
                if v in seen:
                    raise CheckError(
                        f"k_fold_split({n}, {num_folds}, fold): example {v} is in the validation "
                        f"folds fold={seen[v]} and fold={fold}. Hint: the validation fold must "
                        "depend on `fold`, and the num_folds folds must not overlap.")
                seen[v] = fold
            sizes.append(len(val))
        never = sorted(set(range(n)) - set(seen))
        if never:
            raise CheckError(
                f"k_fold_split({n}, {num_folds}, fold) for fold = 0..{num_folds - 1}: examples "
                f"{never[:5]} are never in a validation fold (fold sizes {sizes}). Hint: when "
                "num_folds does not divide n, the n % num_folds leftover examples must go into "
                "some folds too (one extra each), not be dropped.")
        if max(sizes) - min(sizes) > 1:
            raise CheckError(
                f"k_fold_split({n}, {num_folds}, fold) for fold = 0..{num_folds - 1} gave folds "
                f"of sizes {sizes}, which differ by more than one. Hint: spread the "
                "n % num_folds leftover examples over the first folds, one each "
                "(torch.tensor_split does this), instead of giving them all to the last fold.")
    for args, why in [((10, 1, 0), "one fold leaves nothing to train on; num_folds must be "
                                   "at least 2"),
                      ((4, 5, 0), "5 folds of 4 examples would leave a fold empty; num_folds "
                                  "must be at most n"),
                      ((10, 5, 5), "folds count from 0, so fold = 5 does not exist when "
                                   "num_folds = 5"),
                      ((10, 5, -1), "fold = -1 is not a fold number; fold must be in "
                                    "0..num_folds-1")]:
        expect_value_error(k_fold_split, f"k_fold_split{args}", why, *args)
    return "every example validated once, fold sizes within one, bad arguments rejected"
