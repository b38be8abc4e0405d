"""Graphs: functions of one variable (activations and their derivatives, curves against
depth or window size; chapter 3 on), the receptive field of a stack of layers (chapter 2),
a dense layer drawn as a graph (chapter 6) and a classifier's probabilities for one image
(chapter 8).
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array, check_int
from ..convolution import receptive_field
from ._style import EDGE, FOOT_PAD, FRAME, INPUT, OUT_DONE, check_ax, check_size, check_title, pyplot

__all__ = ["plot_functions", "plot_dense_connections", "plot_probabilities", "plot_receptive_field"]


def plot_functions(x, curves, ax=None, title=None, xlabel="x", ylabel=None, size=3.0, marker=None):
    """Draw one or more functions of one variable against the same ``x`` and return the Axes.

    For graphs such as an activation function and its derivative. Light lines mark the two
    axes through 0, a legend names the curves, and ``NaN`` values leave a gap (use one to
    break the line at a jump).

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (n,)
        The points where the functions were evaluated, increasing.
    curves : dict of str to array_like, each of shape (n,)
        Legend name -> values at ``x``; drawn in order, one colour each.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure of ``(4/3 size) x size`` inches.
    title : str, optional
        Title above the graph; default None.
    xlabel : str, default "x"
        Label of the horizontal axis.
    ylabel : str, optional
        Label of the vertical axis; default None.
    size : float, default 3.0
        Height of a new figure in inches (used only when ``ax`` is None).
    marker : str, optional
        A matplotlib marker such as ``"o"`` drawn at every point; default None (lines only).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> x = np.linspace(-2, 2, 5)
    >>> ax = plot_functions(x, {"x^2": x ** 2, "x^3": x ** 3}, title="powers")
    >>> [line.get_label() for line in ax.get_lines()[-2:]], ax.get_title()
    (['x^2', 'x^3'], 'powers')
    >>> plt.close("all")
    """
    xs = as_array(x, "x", ndim=1).astype(np.float64)
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict of name -> values, got {type(curves).__name__}"
                        + (" (empty)" if isinstance(curves, dict) else ""))
    ys = {}
    for name, values in curves.items():
        if not isinstance(name, str):
            raise TypeError(f"curves keys must be str (legend names), got {type(name).__name__}")
        y = as_array(values, f"curves[{name!r}]", ndim=1).astype(np.float64)
        if y.shape != xs.shape:
            raise ValueError(f"curves[{name!r}] has shape {y.shape}, but x has shape {xs.shape}")
        ys[name] = y
    check_title(title)
    check_title(xlabel, "xlabel")
    check_title(ylabel, "ylabel")
    check_ax(ax)
    size = check_size(size)
    if marker is not None and not isinstance(marker, str):
        raise TypeError(f"marker must be a str such as 'o', got {type(marker).__name__}")
    if ax is None:
        _, ax = pyplot().subplots(figsize=(size * 4 / 3, size))
    ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
    for name, y in ys.items():
        ax.plot(xs, y, label=name, marker=marker, markersize=4 if marker else None)
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend(fontsize="small", frameon=False)
    return ax


def plot_dense_connections(n_in, n_out, weight=None, ax=None, labels=("inputs", "outputs"), title=None, size=3.0):
    """Draw a dense layer as a graph: every one of ``n_in`` inputs joined to every one of ``n_out`` outputs.

    Inputs are a column of circles on the left, outputs a column on the right, and each of
    the ``n_in * n_out`` lines is one weight :math:`W_{k,i}`. With ``weight`` given, a line's
    colour shows the sign of its weight (red positive, blue negative) and its width the size.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and outputs, each at most 40.
    weight : array_like, shape (n_out, n_in), optional
        The weights to draw; default None (all lines alike).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure of ``(4/3 size) x size`` inches.
    labels : pair of str, default ("inputs", "outputs")
        Names written under the two columns.
    title : str, optional
        Title above the graph; default None.
    size : float, default 3.0
        Height of a new figure in inches (used only when ``ax`` is None).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_dense_connections(4, 3)
    >>> len(ax.lines)  # one line per weight
    12
    >>> plt.close("all")
    """
    n_in = check_int(n_in, "n_in", minimum=1)
    n_out = check_int(n_out, "n_out", minimum=1)
    if max(n_in, n_out) > 40:
        raise ValueError(f"n_in and n_out must be at most 40 to be drawn, got n_in={n_in}, n_out={n_out}")
    if weight is not None:
        weight = as_array(weight, "weight", ndim=2).astype(np.float64)
        if weight.shape != (n_out, n_in):
            raise ValueError(f"weight must have shape (n_out, n_in) = {(n_out, n_in)}, got {weight.shape}")
    if not (isinstance(labels, (tuple, list)) and len(labels) == 2 and all(isinstance(s, str) for s in labels)):
        raise TypeError(f"labels must be a pair of str, got {labels!r}")
    check_title(title)
    check_ax(ax)
    size = check_size(size)
    if ax is None:
        _, ax = pyplot().subplots(figsize=(size * 4 / 3, size))
    height = max(n_in, n_out)

    def column(n):
        return (height - 1) / 2 + (n - 1) / 2 - np.arange(n)  # centred, top to bottom

    y_in, y_out = column(n_in), column(n_out)
    scale = np.abs(weight).max() if weight is not None and np.abs(weight).max() > 0 else 1.0
    for k in range(n_out):
        for i in range(n_in):
            if weight is None:
                color, width = "#999999", 0.8
            else:
                color = "#cc0000" if weight[k, i] > 0 else "#1f5fbf"
                width = 0.3 + 2.2 * abs(weight[k, i]) / scale
            ax.plot([0.0, 1.0], [y_in[i], y_out[k]], color=color, linewidth=width, zorder=1)
    radius = 0.3
    for x, ys, face in ((0.0, y_in, INPUT), (1.0, y_out, OUT_DONE)):
        ax.scatter(np.full(len(ys), x), ys, s=(radius * 72 * size / (height + 1)) ** 2 * 4, c=face,
                   edgecolors=EDGE, zorder=2)
    ax.text(0.0, -1.0, labels[0], ha="center", va="top")
    ax.text(1.0, -1.0, labels[1], ha="center", va="top")
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylim(-1.8, height)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def plot_probabilities(probs, true_class=None, ax=None, title=None, size=2.5):
    """Draw a classifier's probabilities for one image as bars, one per class.

    The predicted class (the tallest bar) is drawn dark, the others light; with
    ``true_class`` given, that bar gets a thick outline, so a wrong prediction shows as an
    outlined bar that is not the dark one.

    Parameters
    ----------
    probs : array_like or torch.Tensor, shape (Q,)
        Probabilities (or any scores) of the ``Q`` classes.
    true_class : int, optional
        The right class, ``0 <= true_class < Q``; default None.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure of ``(4/3 size) x size`` inches.
    title : str, optional
        Title above the bars; default None.
    size : float, default 2.5
        Height of a new figure in inches (used only when ``ax`` is None).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_probabilities([0.1, 0.7, 0.2], true_class=2)
    >>> len(ax.patches), [round(float(b.get_height()), 1) for b in ax.patches]
    (3, [0.1, 0.7, 0.2])
    >>> plt.close("all")
    """
    p = as_array(probs, "probs", ndim=1).astype(np.float64)
    if true_class is not None:
        true_class = check_int(true_class, "true_class", minimum=0)
        if true_class >= len(p):
            raise ValueError(f"true_class must be below the number of classes {len(p)}, got {true_class}")
    check_title(title)
    check_ax(ax)
    size = check_size(size)
    if ax is None:
        _, ax = pyplot().subplots(figsize=(size * 4 / 3, size))
    predicted = int(np.argmax(p))
    colours = [FRAME if k == predicted else FOOT_PAD for k in range(len(p))]
    bars = ax.bar(np.arange(len(p)), p, color=colours, edgecolor=EDGE, linewidth=0.6)
    if true_class is not None:
        bars[true_class].set_edgecolor("#cc0000")
        bars[true_class].set_linewidth(2.0)
    ax.set_xticks(np.arange(len(p)))
    ax.set_xlabel("class")
    ax.set_ylim(0, max(1.0, float(p.max())) * 1.05 if p.max() > 0 else 1.0)
    ax.spines[["top", "right"]].set_visible(False)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def plot_receptive_field(layers, n_in, ax=None, title=None, size=3.0):
    """Draw how the receptive field of one unit grows through a stack of layers, in 1-D.

    Each row is one layer's units along one axis (the input at the bottom), each unit
    drawn above the centre of the input pixels its window covers. The unit in the middle
    of the top row, and every unit it depends on, are filled; lines join each filled
    unit to the taps of its window. The filled input pixels are its receptive field,
    :func:`companion.receptive_field` pixels wide, written at the right of each row.

    Parameters
    ----------
    layers : sequence of tuple
        ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` per layer, first
        layer first, as for :func:`companion.receptive_field`; no padding.
    n_in : int
        Number of input pixels drawn, at most 64; the stack must leave at least one unit.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure of ``(2 size) x size`` inches.
    title : str, optional
    size : float, default 3.0
        Height of a new figure in inches.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_receptive_field([(3, 1), (3, 1)], 9)
    >>> [t.get_text() for t in ax.texts][-1]
    'layer 2: r = 5'
    >>> plt.close("all")
    """
    receptive_field(layers)  # checks the layers
    n_in = check_int(n_in, "n_in", minimum=1)
    if n_in > 64:
        raise ValueError(f"n_in must be at most 64 to be drawn, got {n_in}")
    check_title(title)
    check_ax(ax)
    size = check_size(size)
    geometry = [(int(l[0]), int(l[1]), int(l[2]) if len(l) == 3 else 1) for l in layers]
    # position of unit i of each layer, in input pixels: centre of its window
    positions, n = [np.arange(n_in, dtype=float)], n_in
    for l, (k, s, d) in enumerate(geometry):
        span = d * (k - 1) + 1
        if span > n:
            raise ValueError(f"layer {l + 1} (kernel_size={k}, dilation={d}) spans {span} units, "
                             f"more than the {n} it receives from n_in={n_in}")
        n = (n - span) // s + 1
        prev = positions[-1]
        positions.append(np.array([(prev[i * s] + prev[i * s + span - 1]) / 2 for i in range(n)]))
    # the units the middle top unit depends on, layer by layer downwards
    active = [None] * len(positions)
    active[-1] = {len(positions[-1]) // 2}
    edges = []
    for l in range(len(geometry), 0, -1):
        k, s, d = geometry[l - 1]
        below = set()
        for i in active[l]:
            for m in range(k):
                below.add(i * s + m * d)
                edges.append((l, i, i * s + m * d))
        active[l - 1] = below
    if ax is None:
        _, ax = pyplot().subplots(figsize=(2 * size, size))
    for l, i, j in edges:
        ax.plot([positions[l][i], positions[l - 1][j]], [l, l - 1], color=EDGE, linewidth=0.8, zorder=1)
    for l, xs in enumerate(positions):
        on = np.array([i in active[l] for i in range(len(xs))])
        ax.scatter(xs[~on], np.full((~on).sum(), l), s=40, c="white", edgecolors=FRAME, zorder=2)
        ax.scatter(xs[on], np.full(on.sum(), l), s=40, c=OUT_DONE, edgecolors=EDGE, zorder=2)
        label = "input" if l == 0 else f"layer {l}: r = {receptive_field(layers[:l])}"
        ax.text(n_in + 0.5, l, label, ha="left", va="center")
    ax.set_xlim(-0.8, n_in + 0.3 + 0.22 * n_in)
    ax.set_ylim(-0.6, len(positions) - 0.4)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax
