"""A computational graph (chapter 9): its inputs and operations as boxes, the values flowing
forward along the arrows and, optionally, the gradients flowing back beside them.
"""

from __future__ import annotations

from ._style import EDGE, FRAME, INPUT, OUT_DONE, OUT_NOW, check_ax, check_size, check_title, pyplot

__all__ = ["plot_compgraph"]

GRAD = "#cc0000"  # the colour of the gradients written along the arrows


def _check_nodes(nodes):
    if not isinstance(nodes, dict) or not nodes:
        raise TypeError(f"nodes must be a non-empty dict of name -> (x, y, text), got {type(nodes).__name__}"
                        + (" (empty)" if isinstance(nodes, dict) else ""))
    out = {}
    for name, spec in nodes.items():
        if not isinstance(spec, (tuple, list)) or len(spec) != 3:
            raise ValueError(f"nodes[{name!r}] must be a tuple (x, y, text), got {spec!r}")
        x, y, text = spec
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y)):
            raise TypeError(f"nodes[{name!r}] must start with two numbers x, y, got {x!r}, {y!r}")
        if not isinstance(text, str):
            raise TypeError(f"nodes[{name!r}] text must be a str, got {type(text).__name__}")
        out[name] = (float(x), float(y), text)
    return out


def _check_edges(edges, nodes, what):
    pairs = list(edges)
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"every {what} must be a pair (source, target) of node names, got {pair!r}")
        missing = [n for n in pair if n not in nodes]
        if missing:
            raise ValueError(f"{what} {tuple(pair)!r} names unknown nodes {missing}; nodes are {sorted(nodes)}")
    return [tuple(p) for p in pairs]


def plot_compgraph(nodes, edges, ax=None, title=None, size=3.0, values=None, grads=None, leaves=None,
                   highlight=None):
    """Draw a computational graph and return the Axes.

    Each node is a box with its text (an operation such as ``"h = x w"``, or an input);
    each edge an arrow from an input of an operation to the operation. Inputs (``leaves``)
    are shaded blue, the other nodes green, and ``highlight`` nodes (a fork, say) darker
    green. ``values`` writes a number above an arrow (the forward pass), ``grads`` one below
    it in red (the backward pass: the gradient that travels back along that arrow).

    Parameters
    ----------
    nodes : dict of str to (float, float, str)
        Name -> ``(x, y, text)``: the centre of the box in data coordinates and its text
        (may have several lines, and MathText such as ``"$h_1$"``).
    edges : iterable of (str, str)
        ``(source, target)`` pairs of node names: ``source`` is an input of ``target``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure of ``(2 size) x size`` inches.
    title : str, optional
        Title above the graph; default None.
    size : float, default 3.0
        Height of a new figure in inches (used only when ``ax`` is None).
    values, grads : dict of (str, str) to str, optional
        Text written at the middle of an edge, above it (``values``, black) or below it
        (``grads``, red); default None. Each key must be one of ``edges``.
    leaves : iterable of str, optional
        The input nodes; default None: the nodes that are no edge's target.
    highlight : iterable of str, optional
        Nodes to emphasise; default None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> nodes = {"x": (0, 0, "x"), "y": (1, 0, "y = x x")}
    >>> ax = plot_compgraph(nodes, [("x", "y")], grads={("x", "y"): "2x"})
    >>> sorted(t.get_text() for t in ax.texts if t.get_text())  # the arrows are empty texts
    ['2x', 'x', 'y = x x']
    >>> plt.close("all")
    """
    nodes = _check_nodes(nodes)
    edges = _check_edges(edges, nodes, "edge")
    notes = {}
    for name, table in (("values", values), ("grads", grads)):
        if table is None:
            continue
        if not isinstance(table, dict):
            raise TypeError(f"{name} must be a dict of (source, target) -> str or None, got {type(table).__name__}")
        for key in _check_edges(table, nodes, f"{name} key"):
            if key not in edges:
                raise ValueError(f"{name} key {key!r} is not one of the edges")
            if not isinstance(table[key], str):
                raise TypeError(f"{name}[{key!r}] must be a str, got {type(table[key]).__name__}")
        notes[name] = {tuple(k): v for k, v in table.items()}
    targets = {t for _, t in edges}
    leaves = set(n for n in nodes if n not in targets) if leaves is None else set(_names(leaves, nodes, "leaves"))
    highlight = set() if highlight is None else set(_names(highlight, nodes, "highlight"))
    check_title(title)
    size = check_size(size)
    check_ax(ax)
    plt = pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(2 * size, size))
    boxes = {}  # drawn before the arrows, so that each arrow stops at the edge of its boxes
    for name, (x, y, text) in nodes.items():
        colour = OUT_NOW if name in highlight else (INPUT if name in leaves else OUT_DONE)
        boxes[name] = ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3,
                              bbox=dict(boxstyle="round,pad=0.35", fc=colour, ec=FRAME, lw=1.0))
    for source, target in edges:
        (x0, y0, _), (x1, y1, _) = nodes[source], nodes[target]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color=EDGE, lw=1.2, shrinkA=3, shrinkB=3,
                                    patchA=boxes[source].get_bbox_patch(), patchB=boxes[target].get_bbox_patch()))
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        if (source, target) in notes.get("values", {}):
            ax.text(xm, ym, notes["values"][(source, target)], ha="center", va="bottom", fontsize=8,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))
        if (source, target) in notes.get("grads", {}):
            ax.text(xm, ym, notes["grads"][(source, target)], ha="center", va="top", fontsize=8, color=GRAD,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))
    xs = [x for x, _, _ in nodes.values()]
    ys = [y for _, y, _ in nodes.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def _names(names, nodes, what):
    if isinstance(names, str):
        raise TypeError(f"{what} must be an iterable of node names, got the str {names!r}")
    names = list(names)
    unknown = [n for n in names if n not in nodes]
    if unknown:
        raise ValueError(f"{what} names unknown nodes {unknown}; nodes are {sorted(nodes)}")
    return names
