"""Self-checks for the softmax regression chapter's exercises."""
import torch

from .core import CheckError, describe, exercise, expect, expect_close, expect_shape

__all__ = ["check_stable_softmax", "check_accuracy", "check_show_images"]


def _call(fn, what, *args, hint="", **kwargs):
    """Call the student's function; turn a crash (other than a stub) into a check failure."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as e:  # a shape error, a wrong keyword, ...
        raise CheckError(f"{what} raised {type(e).__name__}: {e}."
                         + (f" Hint: {hint}" if hint else "")) from None


@exercise("stable_softmax", section="'The softmax' and 'Softmax and log together, concisely'")
def check_stable_softmax(stable_softmax):
    X = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])  # (2, 3): rows and columns differ
    tried = "stable_softmax(tensor([[1., 2., 3.], [0., 0., 0.]]))"
    got = _call(stable_softmax, tried, X,
                hint="if the sizes do not match, keep the summed axis: "
                     "X_exp.sum(dim=1, keepdim=True) has shape (2, 1) and broadcasts over "
                     "each row; X_exp.sum(dim=1) has shape (2,) and does not.")
    expect_shape(got, (2, 3), tried)
    rows = got.sum(dim=1)
    if not torch.allclose(rows, torch.ones(2), atol=1e-5):
        cols = got.sum(dim=0)
        wrong_axis = torch.allclose(cols, torch.ones(3), atol=1e-5)
        raise CheckError(
            f"{tried}: the rows of the result sum to {describe(rows)}, but each row is one example "
            "and must sum to 1."
            + (" The columns sum to 1 instead: you normalised over axis 0 (the examples); "
               "sum over axis 1 with keepdim=True." if wrong_axis else ""))
    expect_close(got, torch.softmax(X, dim=1), tried,
                 hint="each entry is exp(x_ij) divided by the sum of exp over row i.")
    # A square input: summing without keepdim broadcasts silently in the wrong direction.
    S = torch.tensor([[0.0, 1.0, 2.0], [5.0, 1.0, 0.0], [3.0, 3.0, -1.0]])
    tried = "stable_softmax(tensor([[0., 1., 2.], [5., 1., 0.], [3., 3., -1.]]))"
    expect_close(_call(stable_softmax, tried, S), torch.softmax(S, dim=1), tried,
                 hint="on a square matrix, dividing by X.sum(dim=1) without keepdim=True "
                      "divides column j by the sum of row j; keep the summed axis.")
    big = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0]])
    tried = "stable_softmax(tensor([[1000., 1001., 1002.], [-1000., -1000., -1000.]]))"
    got = _call(stable_softmax, tried, big)
    expect_shape(got, (2, 3), tried)
    expect(bool(torch.isfinite(got).all()),
           f"{tried} returned {describe(got)}: exp(1000) overflows to inf in float32 (and "
           "exp(-1000) underflows to 0), giving inf/inf = nan or 0/0 = nan. Subtract each "
           "row's maximum from the row before exponentiating: the softmax does not change.")
    expect_close(got, torch.softmax(big, dim=1), tried,
                 hint="subtract the maximum of each row (X.max(dim=1, keepdim=True).values), "
                      "not one maximum of the whole matrix, whose row of -1000s would underflow.")
    return "rows sum to 1, and large logits stay finite"


@exercise("accuracy", section="'The base classification model'")
def check_accuracy(accuracy):
    Y_hat = torch.tensor([[0.1, 0.7, 0.2],    # predicts 1
                          [0.8, 0.1, 0.1],    # predicts 0
                          [0.2, 0.2, 0.6],    # predicts 2
                          [0.3, 0.4, 0.3]])   # predicts 1
    Y = torch.tensor([1, 2, 2, 0])            # right, wrong, right, wrong
    tried = "accuracy(Y_hat, tensor([1, 2, 2, 0])) with 4 examples, 3 classes, predictions [1, 0, 2, 1]"
    try:
        got = accuracy(Y_hat, Y)
    except NotImplementedError:
        raise
    except Exception as e:
        raise CheckError(
            f"{tried} raised {type(e).__name__}: {e}. Y_hat has one row per example: the "
            "argmax over dim=1 gives one prediction per example (4 here), the argmax over "
            "dim=0 one per class (3), which cannot be compared with the 4 labels.") from None
    got = torch.as_tensor(got).to(torch.float32)
    if got.numel() == 1 and abs(float(got) - 1.0) < 1e-6:
        raise CheckError(f"{tried} returned {describe(got)}, expected 0.5 (two of four right). "
                         "1.0 is the mean of the predicted class indices [1, 0, 2, 1]: the "
                         "predictions were never compared with the labels Y.")
    if got.numel() == 1 and abs(float(got) - 2.0) < 1e-6:
        raise CheckError(f"{tried} returned {describe(got)}, expected 0.5: with averaged=True "
                         "return the fraction of correct predictions, not their count.")
    expect_close(got.reshape(()) if got.numel() == 1 else got,
                 torch.tensor(0.5), tried,
                 hint="take the argmax of each row (dim=1: one row per example), compare it "
                      "with Y, and average the 0/1 results.")
    # A square case, where the argmax over the wrong axis runs without an error.
    Y_hat = torch.tensor([[0.5, 0.3, 0.2],
                          [0.6, 0.1, 0.3],
                          [0.7, 0.2, 0.1]])
    Y = torch.tensor([0, 0, 0])
    tried = ("accuracy(tensor([[0.5, 0.3, 0.2], [0.6, 0.1, 0.3], [0.7, 0.2, 0.1]]), "
             "tensor([0, 0, 0]))")
    got = torch.as_tensor(_call(accuracy, tried, Y_hat, Y)).to(torch.float32)
    if got.numel() == 1 and abs(float(got) - 1 / 3) < 1e-4:
        raise CheckError(f"{tried} returned {describe(got)}, expected 1.0 (every row's largest "
                         "entry is in column 0). 1/3 is what the argmax over dim=0 gives: for "
                         "each class it picks the example that scores it highest. Take the "
                         "argmax over dim=1, the classes of each example.")
    expect_close(got.reshape(()) if got.numel() == 1 else got, torch.tensor(1.0), tried,
                 hint="the argmax must run over the classes of each example (dim=1).")
    tried = "accuracy(tensor([[0.1, 0.9], [0.9, 0.1], [0.4, 0.6]]), tensor([1, 1, 1]), averaged=False)"
    got = _call(accuracy, tried, torch.tensor([[0.1, 0.9], [0.9, 0.1], [0.4, 0.6]]),
                torch.tensor([1, 1, 1]), averaged=False)
    expect_shape(got, (3,), tried)
    expect_close(got.to(torch.float32), torch.tensor([1.0, 0.0, 1.0]), tried,
                 hint="with averaged=False, return one 0/1 entry per example.")
    return "it compares each row's prediction with its label"


def _axes_list(axes):
    import numpy as np
    if isinstance(axes, np.ndarray):
        return list(axes.flatten())
    try:
        return list(axes)
    except TypeError:
        return [axes]


@exercise("show_images", section="'The Fashion-MNIST dataset'")
def check_show_images(show_images):
    import matplotlib.pyplot as plt
    imgs = torch.linspace(0, 1, 5 * 4 * 6).reshape(5, 4, 6)  # five 4x6 images, no channel axis
    titles = ["a", "b", "c", "d", "e"]
    tried = "show_images(five 4x6 images, num_rows=2, num_cols=3, titles=['a', ..., 'e'])"
    before = set(plt.get_fignums())
    try:
        axes = _call(show_images, tried, imgs, 2, 3, titles=titles)
        expect(axes is not None, f"{tried} returned None: return the axes of the grid "
                                 "(for example axes.flatten() from plt.subplots).")
        axes = _axes_list(axes)
        expect(len(axes) == 6 and all(hasattr(ax, "imshow") for ax in axes),
               f"{tried} returned {len(axes)} object(s); expected the 6 axes of a 2 x 3 grid, "
               "one per cell, as a flat sequence.")
        geometry = axes[0].get_subplotspec().get_geometry()[:2]
        expect(tuple(geometry) == (2, 3),
               f"{tried} drew a grid of {geometry[0]} rows and {geometry[1]} columns; "
               "expected 2 rows and 3 columns: plt.subplots(num_rows, num_cols, ...).")
        drawn = [len(ax.images) for ax in axes]
        expect(drawn[:5] == [1] * 5,
               f"{tried}: the number of images drawn in each cell is {drawn}; expected one "
               "image in each of the first five cells (ax.imshow).")
        shown = axes[2].images[0].get_array()
        expect(tuple(shown.shape) == (4, 6),
               f"{tried}: cell 3 shows an array of shape {tuple(shown.shape)}, expected the "
               "third image, of shape (4, 6).")
        expect(abs(float(shown.mean()) - float(imgs[2].mean())) < 1e-5,
               f"{tried}: cell 3 does not show the third image; draw imgs[i] in axes[i].")
        got_titles = [ax.get_title() for ax in axes[:5]]
        expect(got_titles == titles,
               f"{tried}: the titles are {got_titles}, expected {titles}: "
               "call ax.set_title(titles[i]) for each image.")
        fig = axes[0].figure
        w, h = fig.get_size_inches()
        expect(abs(w - 3 * 1.5) < 1e-6 and abs(h - 2 * 1.5) < 1e-6,
               f"{tried}: the figure is {w:g} x {h:g} inches; expected "
               "(num_cols * scale, num_rows * scale) = 4.5 x 3.")
        tried = "show_images(five images, 1, 5) without titles"
        axes = _axes_list(_call(show_images, tried, imgs, 1, 5))
        expect(len(axes) == 5 and all(ax.get_title() == "" for ax in axes),
               f"{tried}: expected 5 axes without titles; titles=None means no titles.")
    finally:  # the check's own figures are not part of the page
        for num in set(plt.get_fignums()) - before:
            plt.close(num)
    return "a 2 x 3 grid with the right images and titles"
