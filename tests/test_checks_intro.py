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


def test_fractions_instead_of_counts_are_caught():
    def fractions(labels, num_classes=10):
        return solution(labels, num_classes) / labels.numel()
    with pytest.raises(CheckError, match="returned the fractions.*do not divide"):
        check_class_counts(fractions)


def test_bincount_without_minlength_is_caught():
    with pytest.raises(CheckError, match=r"shape \(10,\)|shape \(12,\)"):
        check_class_counts(lambda labels, num_classes=10: torch.bincount(labels))


@pytest.mark.parametrize("wrong, shown", [
    (lambda labels, num_classes=10: solution(labels, num_classes).tolist(), r"a list \[2, 0, 3"),
    (lambda labels, num_classes=10: None, "None"),
    (lambda labels, num_classes=10: {0: 2, 2: 3, 9: 1}, r"a dict \{0: 2"),
    (lambda labels, num_classes=10: solution(labels, num_classes).numpy(), "a numpy array"),
])
def test_answers_of_the_wrong_type_are_caught_without_crashing(wrong, shown):
    with pytest.raises(CheckError, match=rf"returned {shown}.*expected a tensor of 10 counts"):
        check_class_counts(wrong)


def test_sorting_the_labels_in_place_is_caught():
    def sorting(labels, num_classes=10):
        labels.copy_(labels.sort().values)
        return solution(labels, num_classes)
    with pytest.raises(CheckError, match="changed its input in place"):
        check_class_counts(sorting)


def test_a_crash_names_the_call_and_keeps_the_students_error():
    def crashing(labels, num_classes=10):
        return (labels[:, None, None] == torch.arange(num_classes)).sum(dim=(0, 1))[5:]
    with pytest.raises(CheckError) as info:
        check_class_counts(lambda labels, num_classes=10: labels.one_hot())
    assert "class_counts(tensor([0, 2, 2, 9, 2, 0])) raised AttributeError" in str(info.value)
    assert isinstance(info.value.__cause__, AttributeError)
    with pytest.raises(CheckError, match=r"shape \(5,\)"):
        check_class_counts(crashing)


def test_the_old_and_new_names_are_one_module():
    # The committed notebooks call lib.checks.init..., the chapters the new names.
    import lib.checks.init
    import lib.checks.prelim
    assert lib.checks.init is lib.checks.numerical_stability
    assert lib.checks.prelim.check_grad_at is lib.checks.preliminaries.check_grad_at
    assert lib.checks.linreg is lib.checks.linear_regression
    assert lib.checks.softmax is lib.checks.softmax_regression
