"""The softmax chapter's self-checks: solutions pass, stubs and known wrong answers fail."""
import matplotlib

matplotlib.use("Agg")  # the show_images check draws figures; no display needed

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lib  # noqa: E402
from helpers import fails, passes, solutions_pass, stubs_fail  # noqa: E402
from lib.checks import softmax_regression as checks  # noqa: E402


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


def softmax_keepdim_on_rectangles_only(X):  # keepdim on the rectangular first case, not on square ones
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    if X.shape[0] == X.shape[1]:
        return X_exp / X_exp.sum(dim=1)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def softmax_global_max(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def softmax_subtracting_in_place(X):
    X -= X.max(dim=1, keepdim=True).values
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


@pytest.mark.parametrize("wrong, message", [
    pytest.param(naive_softmax, r"overflows to inf.*Subtract each row's maximum", id="naive_overflows"),
    pytest.param(softmax_wrong_axis, r"columns sum to 1 instead: you normalised over axis 0",
                 id="wrong_axis"),
    # (2, 3) / (2,) cannot broadcast: the crash is reported, not raised as is.
    pytest.param(softmax_no_keepdim, r"raised RuntimeError.*keepdim=True\)\s+has shape \(2, 1\)",
                 id="without_keepdim"),
    pytest.param(softmax_keepdim_on_rectangles_only, r"without keepdim=True",
                 id="without_keepdim_on_square_input"),
    pytest.param(softmax_global_max, r"exp\(-1000\) underflows", id="one_global_max"),
    pytest.param(softmax_subtracting_in_place, "changed its input in place.*not X -= ",
                 id="subtracting_in_place"),
    pytest.param(lambda X: stable_softmax(X.float()), "dtype torch.float32, expected torch.float64",
                 id="float32_only"),
])
def test_softmax_wrong_answers(wrong, message):
    fails(checks.check_stable_softmax, wrong, message)


@pytest.mark.parametrize("shift", [lambda X: X.min(dim=1, keepdim=True).values,
                                   lambda X: X.mean(dim=1, keepdim=True)])
def test_softmax_shifting_by_the_minimum_or_mean_fails(shift):
    def shifted(X):
        X_exp = torch.exp(X - shift(X))
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    fails(checks.check_stable_softmax, shifted, r"\[-1000, 0, 1000\].*Subtract the row's maximum")


@pytest.mark.parametrize("wrong", [lambda X: None, lambda X: stable_softmax(X).tolist(),
                                   lambda X: stable_softmax(X).numpy()])
def test_softmax_wrong_types_fail_without_crashing(wrong):
    fails(checks.check_stable_softmax, wrong,
          r"returned (None|a list|a numpy array).*expected a tensor of shape \(2, 3\)")


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


def accuracy_wrong_axis_on_square_input(Y_hat, Y, averaged=True):  # right on the 4x3 case, wrong on 3x3
    dim = 0 if Y_hat.shape[0] == Y_hat.shape[1] else 1
    compare = (Y_hat.argmax(dim=dim) == Y).type(torch.float32)
    return compare.mean() if averaged else compare


def accuracy_count(Y_hat, Y, averaged=True):
    compare = (Y_hat.argmax(dim=1) == Y).type(torch.float32)
    return compare.sum() if averaged else compare


def accuracy_always_mean(Y_hat, Y, averaged=True):
    return (Y_hat.argmax(dim=1) == Y).float().mean()


def accuracy_integer_mean(Y_hat, Y, averaged=True):
    compare = (Y_hat.argmax(dim=1) == Y).long()
    return compare.sum() // len(Y) if averaged else compare.float()


def accuracy_mean_of_booleans(Y_hat, Y, averaged=True):
    compare = Y_hat.argmax(dim=1) == Y
    return compare.mean() if averaged else compare


def accuracy_booleans(Y_hat, Y, averaged=True):
    compare = Y_hat.argmax(dim=1) == Y
    return compare.float().mean() if averaged else compare


def accuracy_above_half(Y_hat, Y, averaged=True):
    # "Correct when the label's score is above 0.5": wrong for logits and for close calls.
    compare = (Y_hat[torch.arange(len(Y)), Y] > 0.5).float()
    return compare.mean() if averaged else compare


def accuracy_never_averaged(Y_hat, Y, averaged=True):
    return (Y_hat.argmax(dim=1) == Y).float()


def test_accuracy_matches_classifier():
    Y_hat, Y = torch.randn(64, 10), torch.randint(0, 10, (64,))
    assert torch.allclose(accuracy(Y_hat, Y), lib.Classifier().accuracy(Y_hat, Y))
    checks.check_accuracy(lambda Y_hat, Y, averaged=True:
                          lib.Classifier().accuracy(Y_hat, Y, averaged))


@pytest.mark.parametrize("wrong, message", [
    pytest.param(accuracy_no_compare, r"never compared with the labels", id="forgot_to_compare"),
    pytest.param(accuracy_wrong_axis, r"argmax over\s+dim=0", id="wrong_axis"),
    pytest.param(accuracy_wrong_axis_on_square_input, r"1/3 is what the argmax over dim=0 gives",
                 id="wrong_axis_on_square_input"),
    pytest.param(accuracy_count, r"fraction of correct predictions", id="count_instead_of_fraction"),
    pytest.param(accuracy_always_mean, r"averaged=False.*shape \(\)", id="ignores_averaged"),
    pytest.param(accuracy_integer_mean, "integer division", id="integer_division"),
    pytest.param(accuracy_booleans, "dtype torch.bool, expected a float tensor",
                 id="boolean_per_example_result"),
    pytest.param(accuracy_above_half, "expected", id="softmax_thresholding"),
    pytest.param(accuracy_never_averaged, "average the per-example results",
                 id="returning_the_per_example_tensor_when_averaged"),
])
def test_accuracy_wrong_answers(wrong, message):
    fails(checks.check_accuracy, wrong, message)


def test_accuracy_mean_of_booleans_crash_is_explained():
    fails(checks.check_accuracy, accuracy_mean_of_booleans,
          "raised RuntimeError.*a mean needs floats: convert the booleans with .float", cause=RuntimeError)


@pytest.mark.parametrize("wrong", [lambda Y_hat, Y, averaged=True: None,
                                   lambda Y_hat, Y, averaged=True: "50%",
                                   lambda Y_hat, Y, averaged=True: [0.5]])
def test_accuracy_wrong_types_fail_without_crashing(wrong):
    fails(checks.check_accuracy, wrong, "expected the fraction 0.5")


# --- every check: its solution passes, a stub is not implemented yet -------------------

test_solutions_pass = solutions_pass((checks.check_stable_softmax, stable_softmax),
                                     (checks.check_accuracy, accuracy))
test_stubs_fail = stubs_fail(checks.check_stable_softmax, checks.check_accuracy,
                             checks.check_show_images)


# --- show_images ----------------------------------------------------------------------

def tensor_pixels(img):
    return img.numpy() if torch.is_tensor(img) else img


def hide_ticks_d2l_way(ax):
    ax.axes.get_xaxis().set_visible(False)
    ax.axes.get_yaxis().set_visible(False)


def make_show_images(pixels=tensor_pixels, hide_ticks=lambda ax: ax.axis("off"), squeeze=False):
    """The chapter's show_images, or a variant: each image's array from `pixels(img)`, its
    ticks hidden by `hide_ticks(ax)`, the grid made with plt.subplots(squeeze=squeeze)."""
    def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
        _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                               squeeze=squeeze)
        axes = axes.flatten()
        for i, (ax, img) in enumerate(zip(axes, imgs)):
            ax.imshow(pixels(img))
            hide_ticks(ax)
            if titles:
                ax.set_title(titles[i])
        return axes
    return show_images


show_images = make_show_images()


def show_images_without_titles(imgs, num_rows, num_cols, titles=None, scale=1.5):
    return show_images(imgs, num_rows, num_cols, None, scale)


def show_images_swapped_grid(imgs, num_rows, num_cols, titles=None, scale=1.5):
    return show_images(imgs, num_cols, num_rows, titles, scale)


def show_images_returning_nothing(imgs, num_rows, num_cols, titles=None, scale=1.5):
    show_images(imgs, num_rows, num_cols, titles, scale)


def show_images_one_image_everywhere(imgs, num_rows, num_cols, titles=None, scale=1.5):
    return show_images([imgs[0]] * len(imgs), num_rows, num_cols, titles, scale)


def show_images_one_image_too_many(imgs, num_rows, num_cols, titles=None, scale=1.5):
    _, axes = plt.subplots(num_rows, num_cols)
    for i in range(num_rows * num_cols):  # one image too many
        axes.flatten()[i].imshow(imgs[i].numpy())
    return axes


def show_images_2d_array_of_axes(imgs, num_rows, num_cols, titles=None, scale=1.5):
    axes = show_images(imgs, num_rows, num_cols, titles, scale)
    return axes.reshape(num_rows, num_cols)


def show_images_fixed_scale(imgs, num_rows, num_cols, titles=None, scale=1.5):
    return show_images(imgs, num_rows, num_cols, titles)


@pytest.mark.parametrize("right", [
    pytest.param(show_images, id="solution"),
    pytest.param(lib.show_images, id="lib"),
    pytest.param(make_show_images(hide_ticks=hide_ticks_d2l_way), id="d2l_way_of_hiding_ticks"),
])
def test_show_images_right_answers_pass(right, capsys):
    passes(checks.check_show_images, right, capsys)
    assert plt.get_fignums() == []  # the check closes the figures it made


@pytest.mark.parametrize("wrong, message", [
    pytest.param(show_images_without_titles, r"ax.set_title", id="without_titles"),
    pytest.param(show_images_swapped_grid, r"3 rows and 2 columns; expected 2 rows", id="swapped_grid"),
    pytest.param(show_images_returning_nothing, r"returned None", id="returns_nothing"),
    pytest.param(show_images_one_image_everywhere, r"does not show the third image",
                 id="draws_one_image_everywhere"),
    pytest.param(show_images_one_image_too_many, r"raised IndexError", id="index_error_reported"),
    pytest.param(make_show_images(hide_ticks=lambda ax: None),
                 r"cells \[1, 2, 3, 4, 5\] still show tick marks", id="visible_ticks"),
    pytest.param(show_images_2d_array_of_axes, r"array of axes of shape \(2, 3\).*axes.flatten",
                 id="2d_array_of_axes"),
    pytest.param(show_images_fixed_scale, "expected 10 x 2: use the scale", id="ignoring_scale"),
    pytest.param(make_show_images(pixels=lambda img: img.numpy()),  # fails for numpy arrays
                 r"numpy arrays\], 1, 2\) raised AttributeError.*convert only tensors",
                 id="tensors_only"),
    pytest.param(make_show_images(squeeze=True),
                 r"\(one 4x6 image, 1, 1\) raised AttributeError.*squeeze=False",
                 id="single_cell_without_squeeze"),
])
def test_show_images_wrong_answers(wrong, message):
    fails(checks.check_show_images, wrong, message)
    assert plt.get_fignums() == []  # the check closes the figures it made, failing or not


# --- right answers written differently from the book's solutions ----------------------

def stable_softmax_logsumexp(X):
    """The log-sum-exp way: exp(X - logsumexp(X)), row by row."""
    return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))


def stable_softmax_by_rows(X):
    """One row at a time, with amax; a new tensor of X's dtype."""
    rows = []
    for row in X:
        e = (row - row.amax()).exp()
        rows.append(e / e.sum())
    return torch.stack(rows)


def accuracy_python_float(Y_hat, Y, averaged=True):
    hits = (Y_hat.argmax(-1) == Y).to(torch.float64)
    return hits.sum().item() / len(Y) if averaged else hits


def accuracy_numpy_scalar(Y_hat, Y, averaged=True):
    hits = torch.eq(torch.argmax(Y_hat, dim=1), Y).float()
    return hits.numpy().mean(dtype="float32") if averaged else hits


@pytest.mark.parametrize("check, right", [
    pytest.param(checks.check_stable_softmax, stable_softmax_logsumexp, id="softmax_logsumexp"),
    pytest.param(checks.check_stable_softmax, stable_softmax_by_rows, id="softmax_by_rows"),
    pytest.param(checks.check_accuracy, accuracy_python_float, id="accuracy_python_float"),
    pytest.param(checks.check_accuracy, accuracy_numpy_scalar, id="accuracy_numpy_scalar"),
])
def test_right_answers_of_our_own_pass(check, right, capsys):
    passes(check, right, capsys)
