"""Self-checks for the softmax regression chapter's exercises."""
import numbers

import numpy as np
import torch

from .core import (CheckError, call, describe, exercise, expect, expect_close, expect_shape,
                   expect_tensor, expect_unchanged, same)

__all__ = ["check_stable_softmax", "check_accuracy", "check_show_images"]


def _expect_finite(stable_softmax, X, why_not_finite, hint):
    """Check stable_softmax on extreme logits X: finite, X's dtype, equal to the softmax."""
    tried = f"stable_softmax({describe(X)})"
    got = call(stable_softmax, tried, X)
    expect_shape(got, X.shape, tried)
    expect(bool(torch.isfinite(got).all()), f"{tried} returned {describe(got)}: {why_not_finite}")
    expect(got.dtype == X.dtype,
           f"{tried} returned dtype {got.dtype}, expected {X.dtype} like its input: keep the "
           "computation in X's dtype.")
    tight = X.dtype == torch.float64
    expect_close(got, torch.softmax(X, dim=1), tried, hint=hint,
                 atol=1e-12 if tight else 1e-5, rtol=1e-9 if tight else 1e-4)


@exercise("stable_softmax", section="'The softmax' and 'Softmax and log together, concisely'")
def check_stable_softmax(stable_softmax):
    X = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])  # (2, 3): rows and columns differ
    tried = "stable_softmax(tensor([[1., 2., 3.], [0., 0., 0.]]))"
    got = call(stable_softmax, tried, X,
                hint={RuntimeError: "if the sizes do not match, keep the summed axis: "
                      "X_exp.sum(dim=1, keepdim=True) has shape (2, 1) and broadcasts over "
                      "each row; X_exp.sum(dim=1) has shape (2,) and does not."})
    expect_shape(got, (2, 3), tried)
    expect(got.is_floating_point(),
           f"{tried} returned a tensor of dtype {got.dtype}, expected probabilities: floats.")
    rows = got.sum(dim=1)
    if not same(rows, torch.ones(2), atol=1e-5):
        wrong_axis = same(got.sum(dim=0), torch.ones(3), atol=1e-5)
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
    expect_close(call(stable_softmax, tried, S), torch.softmax(S, dim=1), tried,
                 hint="on a square matrix, dividing by X.sum(dim=1) without keepdim=True "
                      "divides column j by the sum of row j; keep the summed axis.")
    # Inputs left alone: subtracting the maximum in place would change the caller's logits.
    L = torch.tensor([[2.0, -1.0, 0.5, 3.0]])
    tried = "stable_softmax(tensor([[2., -1., 0.5, 3.]])), a batch of one"
    L_in = L.clone()
    got = call(stable_softmax, tried, L_in)
    expect_unchanged(L_in, L, tried, hint="write X = X - X.max(...), which makes a new "
                     "tensor, not X -= X.max(...), which overwrites the caller's logits")
    expect_close(got, torch.softmax(L, dim=1), tried)
    _expect_finite(stable_softmax, torch.tensor([[1000.0, 1001.0, 1002.0],
                                                 [-1000.0, -1000.0, -1000.0]]),
                   "exp(1000) overflows to inf in float32 (and exp(-1000) underflows to 0), "
                   "giving inf/inf = nan or 0/0 = nan. Subtract each row's maximum from the row "
                   "before exponentiating: the softmax does not change.",
                   hint="subtract the maximum of each row (X.max(dim=1, keepdim=True).values), "
                        "not one maximum of the whole matrix, whose row of -1000s would "
                        "underflow.")
    # One row spread from -1000 to 1000: subtracting the row's minimum or mean overflows.
    _expect_finite(stable_softmax, torch.tensor([[-1000.0, 0.0, 1000.0], [5.0, -3.0, 1.0]],
                                                dtype=torch.float64),
                   "on the row [-1000, 0, 1000] shifting by the row's minimum or mean still "
                   "leaves exp(1000) or exp(2000), which overflow. Subtract the row's maximum, "
                   "so that the largest exponent is exp(0) = 1.",
                   hint="subtract each row's maximum before exponentiating.")
    return "rows sum to 1, large logits stay finite, the input is left alone"


def _accuracy_hint(error):
    """The hint for an error raised by the student's accuracy on a 4 x 3 Y_hat."""
    if not isinstance(error, RuntimeError):
        return ""
    if "dtype" in str(error):
        return "a mean needs floats: convert the booleans with .float() first."
    return ("Y_hat has one row per example: the argmax over dim=1 gives one prediction per "
            "example (4 here), the argmax over dim=0 one per class (3), which cannot be "
            "compared with the 4 labels.")


def _fraction(got, tried, expected):
    """The student's averaged accuracy as a float, or a failure naming what came back.

    A 0-d tensor, a Python number and a NumPy scalar are all a fraction."""
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        expect(not got.dtype.is_complex and got.dtype != torch.bool,
               f"{tried} returned {describe(got)}, expected the fraction {expected}.")
        return float(got)
    expect(isinstance(got, numbers.Real) and not isinstance(got, (bool, np.bool_)),
           f"{tried} returned {describe(got)}, expected the fraction {expected} "
           "(a 0-d tensor or a number)"
           + (": with averaged=True, average the per-example results with .mean()."
              if isinstance(got, torch.Tensor) else "."))
    return float(got)


@exercise("accuracy", section="'The base classification model'")
def check_accuracy(accuracy):
    Y_hat = torch.tensor([[0.1, 0.7, 0.2],    # predicts 1
                          [0.8, 0.1, 0.1],    # predicts 0
                          [0.2, 0.2, 0.6],    # predicts 2
                          [0.3, 0.4, 0.3]])   # predicts 1
    Y = torch.tensor([1, 2, 2, 0])            # right, wrong, right, wrong
    Y_hat0, Y0 = Y_hat.clone(), Y.clone()
    tried = ("accuracy(Y_hat, tensor([1, 2, 2, 0])) with 4 examples, 3 classes, "
             "predictions [1, 0, 2, 1]")
    got = call(accuracy, tried, Y_hat, Y,
               hint=_accuracy_hint)
    expect_unchanged(Y_hat, Y_hat0, tried + " (Y_hat)")
    expect_unchanged(Y, Y0, tried + " (Y)")
    value = _fraction(got, tried, 0.5)
    if abs(value - 1.0) < 1e-6:
        raise CheckError(f"{tried} returned {describe(got)}, expected 0.5 (two of four right). "
                         "1.0 is the mean of the predicted class indices [1, 0, 2, 1]: the "
                         "predictions were never compared with the labels Y.")
    if abs(value - 2.0) < 1e-6:
        raise CheckError(f"{tried} returned {describe(got)}, expected 0.5: with averaged=True "
                         "return the fraction of correct predictions, not their count.")
    if value == 0.0:
        raise CheckError(f"{tried} returned {describe(got)}, expected 0.5: an integer division "
                         "(// or a mean of integers) rounds 2 / 4 down to 0. Convert the "
                         "comparisons to float before averaging.")
    expect(abs(value - 0.5) < 1e-6,
           f"{tried} returned {describe(got)}, expected 0.5. Hint: take the argmax of each row "
           "(dim=1: one row per example), compare it with Y, and average the 0/1 results.")
    # A square case, where the argmax over the wrong axis runs without an error.
    Y_hat = torch.tensor([[0.5, 0.3, 0.2],
                          [0.6, 0.1, 0.3],
                          [0.7, 0.2, 0.1]])
    Y = torch.tensor([0, 0, 0])
    tried = ("accuracy(tensor([[0.5, 0.3, 0.2], [0.6, 0.1, 0.3], [0.7, 0.2, 0.1]]), "
             "tensor([0, 0, 0]))")
    value = _fraction(call(accuracy, tried, Y_hat, Y), tried, 1.0)
    if abs(value - 1 / 3) < 1e-4:
        raise CheckError(f"{tried} returned {value:.4f}, expected 1.0 (every row's largest "
                         "entry is in column 0). 1/3 is what the argmax over dim=0 gives: for "
                         "each class it picks the example that scores it highest. Take the "
                         "argmax over dim=1, the classes of each example.")
    expect(abs(value - 1.0) < 1e-6, f"{tried} returned {value:.4f}, expected 1.0. Hint: the "
                                     "argmax must run over the classes of each example (dim=1).")
    # Logits (negative scores) and many classes: still the argmax of each row.
    gen = torch.Generator().manual_seed(5)
    logits = torch.randn(50, 10, generator=gen) * 20 - 30
    labels = torch.randint(0, 10, (50,), generator=gen)
    labels[:20] = logits[:20].argmax(dim=1)
    expected = (logits.argmax(dim=1) == labels).float().mean().item()
    tried = "accuracy(logits of shape (50, 10), all negative, labels of shape (50,))"
    value = _fraction(call(accuracy, tried, logits, labels), tried, round(expected, 4))
    expect(abs(value - expected) < 1e-6,
           f"{tried} returned {value:.4f}, expected {expected:.4f}: scores may be logits "
           "(any real numbers), and the prediction is still the argmax of each row.")
    tried = ("accuracy(tensor([[0.1, 0.9], [0.9, 0.1], [0.4, 0.6]]), tensor([1, 1, 1]), "
             "averaged=False)")
    got = call(accuracy, tried, torch.tensor([[0.1, 0.9], [0.9, 0.1], [0.4, 0.6]]),
               torch.tensor([1, 1, 1]), averaged=False)
    expect_shape(got, (3,), tried)
    expect(got.is_floating_point(),
           f"{tried} returned a tensor of dtype {got.dtype}, expected a float tensor of 1s "
           "and 0s: convert the comparison with .float() (or .type(torch.float32)).")
    expect_close(got, torch.tensor([1.0, 0.0, 1.0]), tried,
                 hint="with averaged=False, return one 0/1 entry per example.")
    return "it compares each row's prediction with its label"


def _flat_axes(axes, tried, count):
    """The student's returned axes as a list, or a failure saying why they are not flat."""
    import numpy as np
    expect(axes is not None, f"{tried} returned None: return the axes of the grid "
                             "(for example axes.flatten() from plt.subplots).")
    if isinstance(axes, np.ndarray) and axes.ndim != 1:
        raise CheckError(f"{tried} returned an array of axes of shape {axes.shape}, expected a "
                         f"flat sequence of {count} axes: return axes.flatten().")
    if hasattr(axes, "imshow"):
        raise CheckError(f"{tried} returned a single Axes, expected a flat sequence of "
                         f"{count} axes. plt.subplots returns one Axes, not an array, for a "
                         "1 x 1 grid unless you pass squeeze=False.")
    try:
        axes = list(axes)
    except TypeError:
        raise CheckError(f"{tried} returned {describe(axes)}, expected a flat sequence of "
                         f"{count} axes.") from None
    expect(len(axes) == count and all(hasattr(ax, "imshow") for ax in axes),
           f"{tried} returned {len(axes)} object(s) of types "
           f"{sorted({type(ax).__name__ for ax in axes})}; expected the {count} axes of the "
           "grid, one per cell, as a flat sequence.")
    return axes


def _ticks_hidden(ax):
    """True when an axes shows no tick marks or tick labels."""
    if not ax.axison:
        return True
    for axis in (ax.xaxis, ax.yaxis):
        if not axis.get_visible() or len(axis.get_ticklocs()) == 0:
            continue
        for tick in axis.get_major_ticks():
            if any(part.get_visible() for part in (tick.tick1line, tick.tick2line, tick.label1)):
                return False
    return True


@exercise("show_images", section="'The Fashion-MNIST dataset'")
def check_show_images(show_images):
    import matplotlib.pyplot as plt
    imgs = torch.linspace(0, 1, 5 * 4 * 6).reshape(5, 4, 6)  # five 4x6 images, no channel axis
    imgs0 = imgs.clone()
    titles = ["a", "b", "c", "d", "e"]
    tried = "show_images(five 4x6 images, num_rows=2, num_cols=3, titles=['a', ..., 'e'])"
    before = set(plt.get_fignums())
    try:
        axes = _flat_axes(call(show_images, tried, imgs, 2, 3, titles=titles), tried, 6)
        expect_unchanged(imgs, imgs0, tried)
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
        shows_ticks = [i + 1 for i, ax in enumerate(axes[:5]) if not _ticks_hidden(ax)]
        expect(not shows_ticks,
               f"{tried}: cells {shows_ticks} still show tick marks; hide them with "
               "ax.set_xticks([]) and ax.set_yticks([]) (or ax.axis('off')).")
        fig = axes[0].figure
        w, h = fig.get_size_inches()
        expect(abs(w - 3 * 1.5) < 1e-6 and abs(h - 2 * 1.5) < 1e-6,
               f"{tried}: the figure is {w:g} x {h:g} inches; expected "
               "(num_cols * scale, num_rows * scale) = 4.5 x 3 (figsize is width, height).")
        tried = "show_images(five images, 1, 5, scale=2) without titles"
        axes = _flat_axes(call(show_images, tried, imgs, 1, 5, scale=2), tried, 5)
        expect(all(ax.get_title() == "" for ax in axes),
               f"{tried}: expected 5 axes without titles; titles=None means no titles.")
        w, h = axes[0].figure.get_size_inches()
        expect(abs(w - 10) < 1e-6 and abs(h - 2) < 1e-6,
               f"{tried}: the figure is {w:g} x {h:g} inches; expected 10 x 2: use the "
               "scale argument, figsize=(num_cols * scale, num_rows * scale).")
        # Arrays as well as tensors, and a grid of a single cell.
        import numpy as np
        arrays = [np.full((3, 3), 0.25), np.eye(3)]
        tried = "show_images([two 3x3 numpy arrays], 1, 2)"
        axes = _flat_axes(call(show_images, tried, arrays, 1, 2,
                               hint={(AttributeError, TypeError):
                                     "the images may be numpy arrays as well as tensors: "
                                     "convert only tensors (torch.is_tensor(img))."}), tried, 2)
        expect([len(ax.images) for ax in axes] == [1, 1],
               f"{tried}: expected one image in each of the two cells.")
        tried = "show_images(one 4x6 image, 1, 1)"
        _flat_axes(call(show_images, tried, imgs[:1], 1, 1,
                        hint={(AttributeError, TypeError):
                              "for a 1 x 1 grid plt.subplots returns a single Axes; pass "
                              "squeeze=False to always get an array."}), tried, 1)
    finally:  # the check's own figures are not part of the page
        for num in set(plt.get_fignums()) - before:
            plt.close(num)
    return "grids with the right images, titles, size and no ticks"
