"""lib.figures: the MLP diagram and the computational graph draw what they are given."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.patches as mpatches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lib.figures import draw_graph, draw_mlp  # noqa: E402


def shapes(ax, kind):
    return [p for p in ax.patches if isinstance(p, kind)]


def arrows(ax):
    return [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]


def test_draw_mlp_units_and_connections():
    ax = draw_mlp((4, 5, 3))
    assert len(shapes(ax, mpatches.Circle)) == 4 + 5 + 3
    assert len(arrows(ax)) == 4 * 5 + 5 * 3              # fully connected, layer to layer
    texts = {t.get_text() for t in ax.texts}
    assert {"$x_{1}$", "$h_{5}$", "$o_{3}$", "input layer", "hidden layer",
            "output layer"} <= texts
    plt.close(ax.figure)


def test_draw_mlp_deeper_names_hidden_layers():
    ax = draw_mlp((2, 3, 3, 1))
    texts = {t.get_text() for t in ax.texts}
    assert {"hidden layer 1", "hidden layer 2"} <= texts
    plt.close(ax.figure)


@pytest.mark.parametrize("sizes", [(3,), (3, 0, 2), (2.5, 3)])
def test_draw_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="at least two layers"):
        draw_mlp(sizes)


def test_draw_mlp_label_count():
    with pytest.raises(ValueError, match="2 layer_names for 3 layers"):
        draw_mlp((2, 2, 2), layer_names=["in", "out"])


def test_draw_graph_nodes_and_edges():
    nodes = {"x": (0, 0, "var", "$x$"), "f": (1, 0, "op", "$f$"), "y": (2, 0, "var", "$y$")}
    ax = draw_graph(nodes, [("x", "f"), ("f", "y")])
    assert len(shapes(ax, mpatches.Rectangle)) == 2
    assert len(shapes(ax, mpatches.Circle)) == 1
    assert len(arrows(ax)) == 2
    # arrows start and end on the outlines, not at the centres
    start, end = arrows(ax)[0].xyann, arrows(ax)[0].xy
    assert start[0] == pytest.approx(0.3) and end[0] == pytest.approx(0.7)
    plt.close(ax.figure)


def test_draw_graph_unknown_node():
    with pytest.raises(ValueError, match="unknown node.*'z'"):
        draw_graph({"x": (0, 0, "var", "x")}, [("x", "z")])


def test_draw_graph_bad_kind():
    with pytest.raises(ValueError, match="kind 'var' or 'op'"):
        draw_graph({"x": (0, 0, "box", "x")}, [])
