import pytest
import torch

import lib
from lib.checks import NOT_IMPLEMENTED, CheckError
from lib.checks.intro import check_class_counts


def solution(labels, num_classes=10):
    return (labels.reshape(-1, 1) == torch.arange(num_classes)).sum(dim=0)


def test_solution_passes(capsys):
    check_class_counts(solution)
    assert "check passed" in capsys.readouterr().out


def test_stub_is_not_implemented():
    def stub(labels, num_classes=10):
        raise NotImplementedError
    with pytest.raises(CheckError, match=NOT_IMPLEMENTED):
        check_class_counts(stub)


def test_counting_only_the_classes_present_is_caught():
    # torch.unique's counts skip the classes that never occur.
    def present_only(labels, num_classes=10):
        return torch.unique(labels, return_counts=True)[1]
    with pytest.raises(CheckError, match=r"shape \(3,\), expected shape \(10,\)"):
        check_class_counts(present_only)


def test_ignoring_num_classes_is_caught():
    def fixed_ten(labels, num_classes=10):
        return torch.bincount(labels, minlength=10)
    with pytest.raises(CheckError, match=r"num_classes=12\) returned shape \(10,\).*use num_classes"):
        check_class_counts(fixed_ten)


def test_off_by_one_is_caught():
    def shifted(labels, num_classes=10):
        return (labels.reshape(-1, 1) == torch.arange(1, num_classes + 1)).sum(dim=0)
    with pytest.raises(CheckError, match=r"(?s)entry i must count the labels equal to i.*Reread: the introduction"):
        check_class_counts(shifted)


def test_intro_check_is_exported():
    assert lib.checks.intro.check_class_counts is check_class_counts
