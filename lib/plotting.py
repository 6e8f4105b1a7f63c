"""Plotting helpers and the live training board (linear regression and softmax chapters)."""
import collections
import time

import numpy as np
import torch

__all__ = ["use_svg_display", "set_figsize", "set_axes", "plot", "show_images", "ProgressBoard"]


def use_svg_display():
    """Render inline figures as SVG: sharp at any zoom, small for line plots."""
    from matplotlib_inline import backend_inline
    backend_inline.set_matplotlib_formats("svg")


def set_figsize(figsize=(3.5, 2.5)):
    """Set the default size of new matplotlib figures, in inches."""
    import matplotlib.pyplot as plt
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Label, limit, scale and add a legend to matplotlib axes."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid(True)


def _to_numpy(a):
    if isinstance(a, torch.Tensor):
        return a.detach().cpu().numpy()
    return np.asarray(a)


def _has_one_axis(X):
    return (getattr(X, "ndim", None) == 1
            or isinstance(X, (list, tuple)) and len(X) > 0 and not hasattr(X[0], "__len__"))


FMTS = ("-", "m--", "g-.", "r:")


def plot(X, Y=None, xlabel=None, ylabel=None, legend=(), xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=FMTS,
         figsize=(3.5, 2.5), axes=None):
    """Plot one or several curves, with d2l's arguments (linear regression chapter).

    `X` and `Y` may be a single sequence or a list of sequences; with `Y` omitted,
    `X` holds the y values and they are plotted against their index.
    """
    import matplotlib.pyplot as plt
    if _has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif _has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        if len(X) != 1:
            raise ValueError(f"plot() got {len(X)} x-sequences for {len(Y)} y-sequences: "
                             "pass one x shared by all curves, or one x per curve.")
        X = X * len(Y)
    for i, (x, y) in enumerate(zip(X, Y)):
        if len(x) and len(x) != len(y):
            raise ValueError(f"plot(): curve {i} has {len(x)} x values but {len(y)} y values; "
                             "X and Y must have the same length.")
    fmts = _formats(fmts, len(Y))
    _check_legend(legend, len(Y))
    if axes is None:
        set_figsize(figsize)
        axes = plt.gca()
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts):
        if len(x):
            axes.plot(_to_numpy(x), _to_numpy(y), fmt)
        else:
            axes.plot(_to_numpy(y), fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


def _formats(fmts, n):
    """One line format per curve. The default four repeat, the repeats in the next colors of
    matplotlib's cycle; formats the caller chose must be enough for every curve."""
    if isinstance(fmts, str):
        fmts = (fmts,)
    if len(fmts) >= n:
        return fmts
    if tuple(fmts) == FMTS:
        return [f if i < len(FMTS) else f.lstrip("mgr") for i, f in
                enumerate(FMTS[i % len(FMTS)] for i in range(n))]
    raise ValueError(f"plot() got {n} curves but {len(fmts)} formats in fmts={tuple(fmts)!r}, "
                     "so some curves would not be drawn: give one format per curve.")


def _check_legend(legend, n):
    """A ValueError unless the legend, if any, has one label per curve."""
    if legend and not isinstance(legend, str) and len(legend) != n:
        raise ValueError(f"plot() got {len(legend)} legend labels for {n} curves: give one "
                         f"label per curve, in the order of the curves (legend={list(legend)!r}).")


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Show a grid of images with optional titles (softmax regression chapter)."""
    import matplotlib.pyplot as plt
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        img = _to_numpy(img)
        if img.ndim == 3 and img.shape[0] in (1, 3):  # (C, H, W) -> (H, W, C)
            img = img.transpose(1, 2, 0).squeeze()
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles is not None and i < len(titles):
            ax.set_title(titles[i], fontsize=9)
    for ax in axes[len(imgs):]:
        ax.axis("off")
    plt.tight_layout()
    return axes


def _number(name, value):
    """`value` as a float, or a one-element tensor kept as it is (read when the points are
    averaged, so that a GPU is not waited for at every step); else a TypeError naming `name`."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.detach()
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError) as e:
        raise TypeError(f"ProgressBoard.draw: {name} must be a number or a one-element tensor "
                        f"(for example loss.item()); got {value!r}.") from e


class _Live:
    """When the boards of a running notebook redraw.

    A redraw costs far more than a training step (tens of milliseconds against a few), so
    a board with new points redraws only when the time since its last redraw is at least
    COST_RATIO times what one redraw costs on this machine, and at least MIN_SECONDS:
    drawing then stays under about 1/COST_RATIO of the training time. Boards with points
    not yet drawn are drawn once more when the notebook cell ends, so the final state
    always shows.
    """
    COST_RATIO = 40    # drawing takes at most about 1/40 (2.5%) of the time
    MIN_SECONDS = 1.0  # and a board redraws at most once a second
    boards = []
    hooked = False
    warm = False       # set by the process's first redraw, which also loads fonts and backends
    draw_cost = 0.15   # seconds one redraw takes: a first guess, then measured (see show)

    @classmethod
    def point_added(cls, board):
        """`board` has a new point: remember to draw it, and redraw now if that is due."""
        board._dirty = True
        cls.register(board)
        now = time.perf_counter()
        if board._last_draw is None:
            board._last_draw = now  # the first point: wait a while before the first redraw
        elif now - board._last_draw >= max(cls.COST_RATIO * cls.draw_cost, cls.MIN_SECONDS):
            board.show()

    @classmethod
    def register(cls, board):
        if board not in cls.boards:
            cls.boards.append(board)
        if not cls.hooked:
            ip = _ipython()
            if ip is not None:
                ip.events.register("post_run_cell", cls.flush_all)
                cls.hooked = True

    @classmethod
    def flush_all(cls, *args):
        boards, cls.boards = cls.boards, []
        for board in boards:
            board.show()
            board._handle = None  # the next cell gets a display of its own
            board._last_draw = None


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    ip = get_ipython()
    # Only a kernel (notebook, Jupyter Book build) displays figures; a terminal IPython
    # or a plain script just records the points.
    return ip if ip is not None and getattr(ip, "kernel", None) is not None else None


class ProgressBoard:
    """Plot metrics while a model trains (linear regression chapter).

    Points are averaged over `every_n` raw values, as in d2l. In a notebook the figure
    is one display that updates in place; redraws are spaced by 40 times what a redraw
    costs (about 6 s), so drawing stays under about 5% of the training time, and the
    final state is always drawn when the training (or the cell) ends. Outside a notebook it only records the points in
    ``board.data``.
    """
    Point = collections.namedtuple("Point", ["x", "y"])

    def __init__(self, xlabel=None, ylabel=None, xlim=None, ylim=None, xscale="linear",
                 yscale="linear", ls=("-", "--", "-.", ":"),
                 colors=("C0", "C1", "C2", "C3"), fig=None, axes=None,
                 figsize=(4.5, 3), display=True):
        self.xlabel, self.ylabel, self.xlim, self.ylim = xlabel, ylabel, xlim, ylim
        self.xscale, self.yscale, self.ls, self.colors = xscale, yscale, ls, colors
        self.fig, self.axes, self.figsize, self.display = fig, axes, figsize, display
        self.raw_points = collections.OrderedDict()
        self.data = collections.OrderedDict()
        self._handle = None
        self._last_draw = None   # wall time of the last redraw
        self.draw_seconds = 0.0  # total seconds spent redrawing (see `make bench`)
        self._dirty = False

    def draw(self, x, y, label, every_n=1):
        """Add (x, y) to curve `label`; plot the mean of every `every_n`."""
        x, y = _number("x", x), _number("y", y)  # checked now, not later
        points = self.raw_points.setdefault(label, [])
        curve = self.data.setdefault(label, [])
        points.append((x, y))
        if len(points) < max(int(every_n), 1):
            return                                # wait for every_n points
        xs, ys = zip(*[(float(x), float(y)) for x, y in points])
        curve.append(self.Point(sum(xs) / len(xs), sum(ys) / len(ys)))
        points.clear()
        if self.display and _ipython() is not None:
            _Live.point_added(self)           # redraws now and then (_Live)

    def _render(self):
        if self.fig is None:
            from matplotlib.figure import Figure  # not pyplot: no duplicate inline figure
            self.fig = Figure(figsize=self.figsize)  # no layout engine: 3x faster redraws
        if self.axes is None:
            self.axes = self.fig.add_subplot()
        ax = self.axes
        ax.cla()
        for (label, pts), ls, color in zip(self.data.items(), self.ls * 8, self.colors * 8):
            ax.plot([p.x for p in pts], [p.y for p in pts], linestyle=ls, color=color, label=label)
        ax.set_xlabel(self.xlabel or "")
        if self.ylabel:
            ax.set_ylabel(self.ylabel)
        ax.set_xscale(self.xscale)
        ax.set_yscale(self.yscale)
        if self.xlim:
            ax.set_xlim(self.xlim)
        if self.ylim:
            ax.set_ylim(self.ylim)
        if self.data:
            ax.legend()
        ax.grid(True)

    def show(self):
        """Redraw the figure now (a no-op outside a notebook or when nothing changed)."""
        if not self._dirty or not self.display or _ipython() is None:
            return
        from IPython import display
        start = time.perf_counter()
        self._render()
        if self._handle is None:
            self._handle = display.display(self.fig, display_id=True)
        else:
            self._handle.update(self.fig)
        self._last_draw = time.perf_counter()
        cost = self._last_draw - start
        self.draw_seconds += cost
        if _Live.warm:
            _Live.draw_cost = cost
        else:
            _Live.warm = True
        self._dirty = False
