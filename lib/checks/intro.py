"""Self-checks for the introduction's exercises."""
import torch

from .core import (CheckError, call, describe, exercise, expect, expect_close, expect_tensor,
                   expect_unchanged, same)

__all__ = ["check_class_counts"]


@exercise("class_counts", section="the introduction, 'The data we will meet'")
def check_class_counts(class_counts):
    labels = torch.tensor([0, 2, 2, 9, 2, 0])
    before = labels.clone()
    tried = "class_counts(tensor([0, 2, 2, 9, 2, 0]))"
    got = call(class_counts, tried, labels)
    expect_unchanged(labels, before, tried, hint="count without sorting or editing `labels`")
    expect_tensor(got, tried, "a tensor of 10 counts")
    expected = torch.tensor([2, 0, 3, 0, 0, 0, 0, 0, 0, 1])
    if same(got, expected / 6):
        raise CheckError(f"{tried} returned the fractions {describe(got)}, expected the counts "
                         f"{describe(expected)}: do not divide by the number of labels.")
    if got.shape != (10,):
        raise CheckError(f"{tried} returned a tensor of shape {tuple(got.shape)}, expected "
                         "shape (10,): one entry per class, including those that never occur "
                         "(torch.unique and torch.bincount without minlength skip them).")
    expect_close(got, expected, tried,
                 hint="entry j must count the labels equal to j, for every class, "
                      "including those that never occur.")
    tried = "class_counts(labels, num_classes=12)"
    got = call(class_counts, tried, labels, num_classes=12)
    expect_tensor(got, tried, "a tensor of 12 counts")
    expect(tuple(got.shape) == (12,),
           f"{tried} returned shape {tuple(got.shape)}, expected (12,): the result needs one "
           "entry per class, so use num_classes.")
    expect_close(got, torch.cat([expected, torch.zeros(2, dtype=torch.long)]), tried)
    big = torch.randint(0, 10, (1000,), generator=torch.Generator().manual_seed(0))
    tried = "class_counts(1000 random labels in 0..9)"
    got = call(class_counts, tried, big)
    expect_close(got, torch.bincount(big, minlength=10), tried,
                 hint="entry j must count the labels equal to j.")
    return "counts six labels correctly, and 1000"
