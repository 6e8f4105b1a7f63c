"""Self-checks for the introduction's exercises."""
import torch

from .core import exercise, expect, expect_close

__all__ = ["check_class_counts"]


@exercise("class_counts", section="the introduction, 'The data we will meet'")
def check_class_counts(class_counts):
    labels = torch.tensor([0, 2, 2, 9, 2, 0])
    expect_close(class_counts(labels), torch.tensor([2, 0, 3, 0, 0, 0, 0, 0, 0, 1]),
                 tried="class_counts(tensor([0, 2, 2, 9, 2, 0]))",
                 hint="entry i must count the labels equal to i, for every class, "
                      "including those that never occur.")
    got = class_counts(labels, num_classes=12)
    expect(tuple(got.shape) == (12,),
           f"class_counts(labels, num_classes=12) returned shape {tuple(got.shape)}, "
           "expected (12,): the result needs one entry per class, so use num_classes.")
    return "counts six labels correctly"
