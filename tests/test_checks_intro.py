import re

import pytest
import torch

import lib
from helpers import fails, solutions_pass, stubs_fail
from lib.checks.intro import check_class_counts


def solution(labels, num_classes=10):
    return (labels.reshape(-1, 1) == torch.arange(num_classes)).sum(dim=0)


def bincount_with_minlength(labels, num_classes=10):
    """Another right answer: torch.bincount with one entry per class, as floats."""
    return torch.bincount(labels.flatten(), minlength=num_classes).float()


def loop_over_classes(labels, num_classes=10):
    """Another right answer: one comparison per class, stacked."""
    return torch.stack([(labels == c).sum() for c in range(num_classes)])


def scatter_ones(labels, num_classes=10):
    """Another right answer: scatter-add a one per label into a zero tensor."""
    counts = torch.zeros(num_classes, dtype=torch.int64)
    return counts.scatter_add(0, labels.flatten(), torch.ones_like(labels.flatten()))


test_solutions_pass = solutions_pass((check_class_counts, solution),
                                     (check_class_counts, bincount_with_minlength),
                                     (check_class_counts, loop_over_classes),
                                     (check_class_counts, scatter_ones))
test_stubs_fail = stubs_fail(check_class_counts)


def present_only(labels, num_classes=10):
    # torch.unique's counts skip the classes that never occur.
    return torch.unique(labels, return_counts=True)[1]


def fixed_ten(labels, num_classes=10):
    return torch.bincount(labels, minlength=10)


def shifted(labels, num_classes=10):
    return (labels.reshape(-1, 1) == torch.arange(1, num_classes + 1)).sum(dim=0)


def fractions(labels, num_classes=10):
    return solution(labels, num_classes) / labels.numel()


def sorting(labels, num_classes=10):
    labels.copy_(labels.sort().values)
    return solution(labels, num_classes)


@pytest.mark.parametrize("wrong, message", [
    pytest.param(present_only, r"shape \(3,\), expected shape \(10,\)",
                 id="counting_only_the_classes_present"),
    pytest.param(fixed_ten, r"num_classes=12\) returned shape \(10,\).*use num_classes",
                 id="ignoring_num_classes"),
    pytest.param(shifted, r"(?s)entry j must count the labels equal to j.*Reread: the introduction",
                 id="off_by_one"),
    pytest.param(fractions, "returned the fractions.*do not divide", id="fractions_instead_of_counts"),
    pytest.param(lambda labels, num_classes=10: torch.bincount(labels), r"shape \(10,\)|shape \(12,\)",
                 id="bincount_without_minlength"),
    pytest.param(sorting, "changed its input in place", id="sorting_the_labels_in_place"),
])
def test_wrong_answers_are_caught(wrong, message):
    fails(check_class_counts, wrong, message)


@pytest.mark.parametrize("wrong, shown", [
    (lambda labels, num_classes=10: solution(labels, num_classes).tolist(), r"a list \[2, 0, 3"),
    (lambda labels, num_classes=10: None, "None"),
    (lambda labels, num_classes=10: {0: 2, 2: 3, 9: 1}, r"a dict \{0: 2"),
    (lambda labels, num_classes=10: solution(labels, num_classes).numpy(), "a numpy array"),
])
def test_answers_of_the_wrong_type_are_caught_without_crashing(wrong, shown):
    fails(check_class_counts, wrong, rf"returned {shown}.*expected a tensor of 10 counts")


def test_a_crash_names_the_call_and_keeps_the_students_error():
    def crashing(labels, num_classes=10):
        return (labels[:, None, None] == torch.arange(num_classes)).sum(dim=(0, 1))[5:]
    fails(check_class_counts, lambda labels, num_classes=10: labels.one_hot(),
          re.escape("class_counts(tensor([0, 2, 2, 9, 2, 0])) raised AttributeError"),
          cause=AttributeError)
    fails(check_class_counts, crashing, r"shape \(5,\)")


def test_the_old_and_new_names_are_one_module():
    # The committed notebooks call lib.checks.init..., the chapters the new names.
    import lib.checks.init
    import lib.checks.prelim
    assert lib.checks.init is lib.checks.numerical_stability
    assert lib.checks.prelim.check_grad_at is lib.checks.preliminaries.check_grad_at
    assert lib.checks.linreg is lib.checks.linear_regression
    assert lib.checks.softmax is lib.checks.softmax_regression
