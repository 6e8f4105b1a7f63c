"""Diagrams that matplotlib does not draw by itself, drawn with plain patches and arrows.

`draw_mlp` is introduced in the multilayer perceptrons chapter, `draw_graph` in the
backpropagation chapter.
"""
import math

__all__ = ["draw_mlp", "draw_graph"]


def _new_axes(ax, figsize):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _finish(ax, xs, ys, margin):
    ax.set_xlim(min(xs) - margin, max(xs) + margin)
    ax.set_ylim(min(ys) - margin, max(ys) + margin)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_mlp(layer_sizes, layer_names=None, unit_names=None, ax=None, figsize=(5, 3)):
    """Draw a fully connected network, inputs at the bottom (multilayer perceptrons chapter).

    `layer_sizes` lists the number of units per layer, e.g. ``(4, 5, 3)``; every unit
    is joined to every unit of the next layer. `layer_names` labels the layers
    (default: "input layer", "hidden layer", ..., "output layer"); `unit_names` gives
    one letter per layer for the unit labels (default: x, h, o for three layers).
    Returns the matplotlib axes.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2 or any(not isinstance(n, int) or n < 1 for n in sizes):
        raise ValueError(f"draw_mlp needs at least two layers of at least one unit each; "
                         f"got layer_sizes={layer_sizes!r}.")
    depth = len(sizes)
    if layer_names is None:
        hidden = (["hidden layer"] if depth == 3 else
                  [f"hidden layer {i}" for i in range(1, depth - 1)])
        layer_names = ["input layer", *hidden, "output layer"]
    if unit_names is None:
        unit_names = ["x", *(["h"] if depth == 3 else [f"h^{{({i})}}" for i in range(1, depth - 1)]),
                      "o"]
    for arg, name in ((layer_names, "layer_names"), (unit_names, "unit_names")):
        if len(arg) != depth:
            raise ValueError(f"draw_mlp got {len(arg)} {name} for {depth} layers.")
    ax = _new_axes(ax, figsize)
    r, dy = 0.28, 1.5
    # unit i of a layer of n units sits at x = i - (n - 1) / 2, so layers are centred
    pos = [[(i - (n - 1) / 2, k * dy) for i in range(n)] for k, n in enumerate(sizes)]
    for lower, upper in zip(pos[:-1], pos[1:]):
        for (x0, y0) in lower:
            for (x1, y1) in upper:
                ax.annotate("", xy=(x1, y1 - r), xytext=(x0, y0 + r),
                            arrowprops=dict(arrowstyle="-|>", color="0.55", lw=0.7,
                                            shrinkA=0, shrinkB=0, mutation_scale=7))
    import matplotlib.patches as mpatches
    colors = ["#cfe2f3", *["#d9ead3"] * (depth - 2), "#fce5cd"]
    for k, layer in enumerate(pos):
        for i, (x, y) in enumerate(layer, start=1):
            ax.add_patch(mpatches.Circle((x, y), r, facecolor=colors[k], edgecolor="0.2", lw=1))
            ax.text(x, y, f"${unit_names[k]}_{{{i}}}$", ha="center", va="center", fontsize=9)
        left = min(x for x, _ in layer)
        ax.text(left - 0.6, layer[0][1], layer_names[k], ha="right", va="center", fontsize=9)
    xs = [x for layer in pos for x, _ in layer]
    ys = [y for layer in pos for _, y in layer]
    ax.set_xlim(min(xs) - 3.2, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_graph(nodes, edges, ax=None, figsize=(8, 3), radius=0.3, fontsize=11):
    """Draw a computational graph (backpropagation chapter).

    `nodes` maps a name to ``(x, y, kind, label)``: `kind` is ``"var"`` for a value
    (drawn as a square) or ``"op"`` for an operation (a circle); `label` is the text
    inside (matplotlib mathtext allowed). `edges` lists ``(source, target)`` names: an
    arrow says that the target is computed from the source. Returns the axes.
    """
    import matplotlib.patches as mpatches
    for name, spec in nodes.items():
        if len(spec) != 4 or spec[2] not in ("var", "op"):
            raise ValueError(f"draw_graph: node {name!r} must be (x, y, kind, label) with kind "
                             f"'var' or 'op'; got {spec!r}.")
    for src, dst in edges:
        missing = [n for n in (src, dst) if n not in nodes]
        if missing:
            raise ValueError(f"draw_graph: edge ({src!r}, {dst!r}) names unknown node(s) "
                             f"{missing}; the nodes are {sorted(nodes)}.")
    ax = _new_axes(ax, figsize)
    for src, dst in edges:
        (x0, y0), (x1, y1) = nodes[src][:2], nodes[dst][:2]
        d = math.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        # stop at the node's outline; a square's reaches further along a diagonal
        def reach(kind):
            return radius if kind == "op" else radius / max(abs(ux), abs(uy))
        ra, rb = reach(nodes[src][2]), reach(nodes[dst][2])
        ax.annotate("", xy=(x1 - rb * ux, y1 - rb * uy), xytext=(x0 + ra * ux, y0 + ra * uy),
                    arrowprops=dict(arrowstyle="-|>", color="0.25", lw=1.1, shrinkA=0,
                                    shrinkB=0, mutation_scale=10))
    for name, (x, y, kind, label) in nodes.items():
        if kind == "op":
            patch = mpatches.Circle((x, y), radius, facecolor="#fce5cd", edgecolor="0.2", lw=1)
        else:
            patch = mpatches.Rectangle((x - radius, y - radius), 2 * radius, 2 * radius,
                                       facecolor="#cfe2f3", edgecolor="0.2", lw=1)
        ax.add_patch(patch)
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize)
    xs = [spec[0] for spec in nodes.values()]
    ys = [spec[1] for spec in nodes.values()]
    return _finish(ax, xs, ys, radius + 0.15)
