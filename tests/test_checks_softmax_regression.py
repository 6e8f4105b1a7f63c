"""The softmax chapter's self-checks: solutions pass, stubs and known wrong answers fail."""
import matplotlib

matplotlib.use("Agg")  # the show_images check draws figures; no display needed

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lib  # noqa: E402
from lib.checks import softmax_regression as checks  # noqa: E402

NI = lib.checks.NOT_IMPLEMENTED


def stub(*args, **kwargs):
    raise NotImplementedError


# --- stable_softmax ------------------------------------------------------------------

def stable_softmax(X):
    X = X - X.max(dim=1, keepdim=True).values
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def naive_softmax(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def softmax_wrong_axis(X):
    X = X - X.max(dim=0, keepdim=True).values
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(dim=0, keepdim=True)


def softmax_no_keepdim(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum(dim=1)


def softmax_global_max(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def test_softmax_solution_passes(capsys):
    checks.check_stable_softmax(stable_softmax)
    assert "check passed" in capsys.readouterr().out


def test_softmax_stub_fails():
    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_stable_softmax(stub)


def test_softmax_naive_overflows():
    with pytest.raises(lib.checks.CheckError, match=r"overflows to inf.*Subtract each row's maximum"):
        checks.check_stable_softmax(naive_softmax)


def test_softmax_wrong_axis():
    with pytest.raises(lib.checks.CheckError,
                       match=r"columns sum to 1 instead: you normalised over axis 0"):
        checks.check_stable_softmax(softmax_wrong_axis)


def test_softmax_without_keepdim():
    # (2, 3) / (2,) cannot broadcast: the crash is reported, not raised as is.
    with pytest.raises(lib.checks.CheckError, match=r"raised RuntimeError.*keepdim=True\)\s+has shape \(2, 1\)"):
        checks.check_stable_softmax(softmax_no_keepdim)


def test_softmax_without_keepdim_on_square_input():
    def square_only(X):  # keepdim on the rectangular first case, not on square ones
        X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
        if X.shape[0] == X.shape[1]:
            return X_exp / X_exp.sum(dim=1)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    with pytest.raises(lib.checks.CheckError, match=r"without keepdim=True"):
        checks.check_stable_softmax(square_only)


def test_softmax_one_global_max():
    with pytest.raises(lib.checks.CheckError, match=r"exp\(-1000\) underflows"):
        checks.check_stable_softmax(softmax_global_max)


def test_solution_agrees_with_torch():
    X = torch.randn(50, 7) * 30
    assert torch.allclose(stable_softmax(X), torch.softmax(X, dim=1), atol=1e-6)


# --- accuracy -------------------------------------------------------------------------

def accuracy(Y_hat, Y, averaged=True):
    preds = Y_hat.reshape(-1, Y_hat.shape[-1]).argmax(dim=1)
    compare = (preds.type(Y.dtype) == Y.reshape(-1)).type(torch.float32)
    return compare.mean() if averaged else compare


def accuracy_no_compare(Y_hat, Y, averaged=True):
    preds = Y_hat.argmax(dim=1).type(torch.float32)
    return preds.mean() if averaged else preds


def accuracy_wrong_axis(Y_hat, Y, averaged=True):
    compare = (Y_hat.argmax(dim=0) == Y).type(torch.float32)
    return compare.mean() if averaged else compare


def accuracy_count(Y_hat, Y, averaged=True):
    compare = (Y_hat.argmax(dim=1) == Y).type(torch.float32)
    return compare.sum() if averaged else compare


def test_accuracy_solution_passes(capsys):
    checks.check_accuracy(accuracy)
    assert "check passed" in capsys.readouterr().out


def test_accuracy_matches_classifier():
    Y_hat, Y = torch.randn(64, 10), torch.randint(0, 10, (64,))
    assert torch.allclose(accuracy(Y_hat, Y), lib.Classifier().accuracy(Y_hat, Y))
    checks.check_accuracy(lambda Y_hat, Y, averaged=True:
                          lib.Classifier().accuracy(Y_hat, Y, averaged))


def test_accuracy_stub_fails():
    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_accuracy(stub)


def test_accuracy_forgot_to_compare():
    with pytest.raises(lib.checks.CheckError, match=r"never compared with the labels"):
        checks.check_accuracy(accuracy_no_compare)


def test_accuracy_wrong_axis():
    with pytest.raises(lib.checks.CheckError, match=r"argmax over\s+dim=0"):
        checks.check_accuracy(accuracy_wrong_axis)


def test_accuracy_wrong_axis_on_square_input():
    def square_wrong_axis(Y_hat, Y, averaged=True):  # right on the 4x3 case, wrong on 3x3
        dim = 0 if Y_hat.shape[0] == Y_hat.shape[1] else 1
        compare = (Y_hat.argmax(dim=dim) == Y).type(torch.float32)
        return compare.mean() if averaged else compare
    with pytest.raises(lib.checks.CheckError, match=r"1/3 is what the argmax over dim=0 gives"):
        checks.check_accuracy(square_wrong_axis)


def test_accuracy_count_instead_of_fraction():
    with pytest.raises(lib.checks.CheckError, match=r"fraction of correct predictions"):
        checks.check_accuracy(accuracy_count)


def test_accuracy_ignores_averaged():
    def always_mean(Y_hat, Y, averaged=True):
        return (Y_hat.argmax(dim=1) == Y).float().mean()
    with pytest.raises(lib.checks.CheckError, match=r"averaged=False.*shape \(\)"):
        checks.check_accuracy(always_mean)


# --- show_images ----------------------------------------------------------------------

def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                           squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        ax.imshow(img.numpy() if torch.is_tensor(img) else img)
        ax.axis("off")
        if titles:
            ax.set_title(titles[i])
    return axes


def test_show_images_solution_passes(capsys):
    checks.check_show_images(show_images)
    assert "check passed" in capsys.readouterr().out
    assert plt.get_fignums() == []  # the check closes the figures it made


def test_lib_show_images_passes():
    checks.check_show_images(lib.show_images)


def test_show_images_stub_fails():
    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_show_images(stub)


def test_show_images_without_titles():
    def no_titles(imgs, num_rows, num_cols, titles=None, scale=1.5):
        return show_images(imgs, num_rows, num_cols, None, scale)
    with pytest.raises(lib.checks.CheckError, match=r"ax.set_title"):
        checks.check_show_images(no_titles)


def test_show_images_swapped_grid():
    def swapped(imgs, num_rows, num_cols, titles=None, scale=1.5):
        return show_images(imgs, num_cols, num_rows, titles, scale)
    with pytest.raises(lib.checks.CheckError, match=r"3 rows and 2 columns; expected 2 rows"):
        checks.check_show_images(swapped)


def test_show_images_returns_nothing():
    def returns_none(imgs, num_rows, num_cols, titles=None, scale=1.5):
        show_images(imgs, num_rows, num_cols, titles, scale)
    with pytest.raises(lib.checks.CheckError, match=r"returned None"):
        checks.check_show_images(returns_none)


def test_show_images_draws_one_image_everywhere():
    def same_image(imgs, num_rows, num_cols, titles=None, scale=1.5):
        return show_images([imgs[0]] * len(imgs), num_rows, num_cols, titles, scale)
    with pytest.raises(lib.checks.CheckError, match=r"does not show the third image"):
        checks.check_show_images(same_image)


def test_show_images_index_error_reported():
    def crashes(imgs, num_rows, num_cols, titles=None, scale=1.5):
        _, axes = plt.subplots(num_rows, num_cols)
        for i in range(num_rows * num_cols):  # one image too many
            axes.flatten()[i].imshow(imgs[i].numpy())
        return axes
    with pytest.raises(lib.checks.CheckError, match=r"raised IndexError"):
        checks.check_show_images(crashes)
    assert plt.get_fignums() == []


# --- more wrong answers ------------------------------------------------------------------

def test_softmax_subtracting_in_place_fails():
    def in_place(X):
        X -= X.max(dim=1, keepdim=True).values
        X_exp = torch.exp(X)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    with pytest.raises(lib.checks.CheckError, match="changed its input in place.*not X -= "):
        checks.check_stable_softmax(in_place)


@pytest.mark.parametrize("shift", [lambda X: X.min(dim=1, keepdim=True).values,
                                   lambda X: X.mean(dim=1, keepdim=True)])
def test_softmax_shifting_by_the_minimum_or_mean_fails(shift):
    def shifted(X):
        X_exp = torch.exp(X - shift(X))
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    with pytest.raises(lib.checks.CheckError, match=r"\[-1000, 0, 1000\].*Subtract the row's maximum"):
        checks.check_stable_softmax(shifted)


def test_softmax_float32_only_fails():
    with pytest.raises(lib.checks.CheckError, match="dtype torch.float32, expected torch.float64"):
        checks.check_stable_softmax(lambda X: stable_softmax(X.float()))


@pytest.mark.parametrize("wrong", [lambda X: None, lambda X: stable_softmax(X).tolist(),
                                   lambda X: stable_softmax(X).numpy()])
def test_softmax_wrong_types_fail_without_crashing(wrong):
    with pytest.raises(lib.checks.CheckError, match=r"returned (None|a list|a numpy array).*expected a tensor of shape \(2, 3\)"):
        checks.check_stable_softmax(wrong)


def test_accuracy_integer_division_fails():
    def integer_mean(Y_hat, Y, averaged=True):
        compare = (Y_hat.argmax(dim=1) == Y).long()
        return compare.sum() // len(Y) if averaged else compare.float()
    with pytest.raises(lib.checks.CheckError, match="integer division"):
        checks.check_accuracy(integer_mean)


def test_accuracy_mean_of_booleans_crash_is_explained():
    def bool_mean(Y_hat, Y, averaged=True):
        compare = Y_hat.argmax(dim=1) == Y
        return compare.mean() if averaged else compare
    with pytest.raises(lib.checks.CheckError, match="raised RuntimeError.*a mean needs floats: convert the booleans with .float") as info:
        checks.check_accuracy(bool_mean)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_accuracy_boolean_per_example_result_fails():
    def booleans(Y_hat, Y, averaged=True):
        compare = Y_hat.argmax(dim=1) == Y
        return compare.float().mean() if averaged else compare
    with pytest.raises(lib.checks.CheckError, match="dtype torch.bool, expected a float tensor"):
        checks.check_accuracy(booleans)


def test_accuracy_softmax_thresholding_fails():
    # "Correct when the label's score is above 0.5": wrong for logits and for close calls.
    def above_half(Y_hat, Y, averaged=True):
        compare = (Y_hat[torch.arange(len(Y)), Y] > 0.5).float()
        return compare.mean() if averaged else compare
    with pytest.raises(lib.checks.CheckError, match="expected"):
        checks.check_accuracy(above_half)


@pytest.mark.parametrize("wrong", [lambda Y_hat, Y, averaged=True: None,
                                   lambda Y_hat, Y, averaged=True: "50%",
                                   lambda Y_hat, Y, averaged=True: [0.5]])
def test_accuracy_wrong_types_fail_without_crashing(wrong):
    with pytest.raises(lib.checks.CheckError, match="expected the fraction 0.5"):
        checks.check_accuracy(wrong)


def test_accuracy_returning_the_per_example_tensor_when_averaged_fails():
    def never_averaged(Y_hat, Y, averaged=True):
        return (Y_hat.argmax(dim=1) == Y).float()
    with pytest.raises(lib.checks.CheckError, match="average the per-example results"):
        checks.check_accuracy(never_averaged)


def test_show_images_visible_ticks_fail():
    def with_ticks(imgs, num_rows, num_cols, titles=None, scale=1.5):
        _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                               squeeze=False)
        axes = axes.flatten()
        for i, (ax, img) in enumerate(zip(axes, imgs)):
            ax.imshow(img.numpy() if torch.is_tensor(img) else img)
            if titles:
                ax.set_title(titles[i])
        return axes
    with pytest.raises(lib.checks.CheckError, match=r"cells \[1, 2, 3, 4, 5\] still show tick marks"):
        checks.check_show_images(with_ticks)
    assert plt.get_fignums() == []


def test_show_images_d2l_way_of_hiding_ticks_passes(capsys):
    def d2l_style(imgs, num_rows, num_cols, titles=None, scale=1.5):
        _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                               squeeze=False)
        axes = axes.flatten()
        for i, (ax, img) in enumerate(zip(axes, imgs)):
            ax.imshow(img.numpy() if torch.is_tensor(img) else img)
            ax.axes.get_xaxis().set_visible(False)
            ax.axes.get_yaxis().set_visible(False)
            if titles:
                ax.set_title(titles[i])
        return axes
    checks.check_show_images(d2l_style)
    assert "check passed" in capsys.readouterr().out


def test_show_images_2d_array_of_axes_fails():
    def not_flat(imgs, num_rows, num_cols, titles=None, scale=1.5):
        axes = show_images(imgs, num_rows, num_cols, titles, scale)
        return axes.reshape(num_rows, num_cols)
    with pytest.raises(lib.checks.CheckError, match=r"array of axes of shape \(2, 3\).*axes.flatten"):
        checks.check_show_images(not_flat)


def test_show_images_ignoring_scale_fails():
    def fixed_scale(imgs, num_rows, num_cols, titles=None, scale=1.5):
        return show_images(imgs, num_rows, num_cols, titles)
    with pytest.raises(lib.checks.CheckError, match="expected 10 x 2: use the scale"):
        checks.check_show_images(fixed_scale)


def test_show_images_tensors_only_fails():
    def tensors_only(imgs, num_rows, num_cols, titles=None, scale=1.5):
        _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                               squeeze=False)
        axes = axes.flatten()
        for i, (ax, img) in enumerate(zip(axes, imgs)):
            ax.imshow(img.numpy())        # fails for numpy arrays
            ax.axis("off")
            if titles:
                ax.set_title(titles[i])
        return axes
    with pytest.raises(lib.checks.CheckError, match=r"numpy arrays\], 1, 2\) raised AttributeError.*convert only tensors"):
        checks.check_show_images(tensors_only)


def test_show_images_single_cell_without_squeeze_fails():
    def squeezed(imgs, num_rows, num_cols, titles=None, scale=1.5):
        _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale))
        axes = axes.flatten()
        for i, (ax, img) in enumerate(zip(axes, imgs)):
            ax.imshow(img.numpy() if torch.is_tensor(img) else img)
            ax.axis("off")
            if titles:
                ax.set_title(titles[i])
        return axes
    with pytest.raises(lib.checks.CheckError, match=r"\(one 4x6 image, 1, 1\) raised AttributeError.*squeeze=False"):
        checks.check_show_images(squeezed)
    assert plt.get_fignums() == []
