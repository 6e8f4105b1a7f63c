import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lib  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_accepts_d2l_style_arguments():
    x = torch.arange(0, 3, 0.5)
    ax = lib.plot(x, [x ** 2, 2 * x], "x", "f(x)", legend=["x^2", "2x"], figsize=(3, 2))
    assert len(ax.lines) == 2
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), (x ** 2).numpy())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x^2", "2x"]


def test_plot_y_only_and_tensors_with_grad():
    x = torch.arange(4.0, requires_grad=True)
    ax = lib.plot(x * 2)  # a tensor that requires grad is detached, not an error
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0, 1, 2, 3])


def test_plot_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="curve 0 has 3 x values but 4 y values"):
        lib.plot([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="2 x-sequences for 3 y-sequences"):
        lib.plot([[1, 2], [1, 2]], [[1, 2], [1, 2], [1, 2]])


def test_show_images_grid_and_titles():
    imgs = torch.rand(5, 1, 4, 4)
    axes = lib.show_images(imgs, 2, 3, titles=list("abcde"))
    assert len(axes) == 6
    assert [ax.get_title() for ax in axes[:5]] == list("abcde")
    assert not axes[5].axison  # the unused cell is blank


def test_progress_board_averages_every_n_points():
    board = lib.ProgressBoard("x")
    for x in range(6):
        board.draw(x, float(x), "f", every_n=3)
    assert board.data["f"] == [board.Point(1.0, 1.0), board.Point(4.0, 4.0)]


def test_progress_board_outside_a_notebook_draws_nothing():
    board = lib.ProgressBoard()
    board.draw(0, 1.0, "f")
    board.show()
    assert board.fig is None and not plt.get_fignums()
