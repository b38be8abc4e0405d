"""Pictures of experiments (chapter 8 and the page on comparing results): results over several
seeds, two settings compared seed by seed, mean curves with their spread, and the input patches
that excite a unit most, with its receptive field drawn.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array
from ._style import EDGE, FRAME, OUT_NOW, check_ax, check_size, check_title, pyplot

__all__ = ["plot_seed_spread", "plot_paired_differences", "plot_mean_curves", "plot_top_patches"]


def _check_runs(runs, name, ndim):
    if not isinstance(runs, dict) or not runs:
        raise TypeError(f"{name} must be a non-empty dict of name -> values, got {type(runs).__name__}"
                        + (" (empty)" if isinstance(runs, dict) else ""))
    out = {}
    for key, values in runs.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be str, got {type(key).__name__}: {key!r}")
        arr = as_array(values, f"{name}[{key!r}]", ndim=ndim, dtype_kind="iuf").astype(np.float64)
        if arr.shape[0] < 2:
            raise ValueError(f"{name}[{key!r}] must hold at least 2 seeds, got {arr.shape[0]}")
        out[key] = arr
    return out


def plot_seed_spread(runs, ax=None, title=None, xlabel="validation accuracy (%)", size=3.0):
    """Each setting's results over seeds: one dot per seed, and the mean ± one standard
    deviation as a bar; settings top to bottom in the order of ``runs``. Return the Axes.

    Parameters
    ----------
    runs : dict of str to array_like, each of shape (S,)
        Setting name -> accuracies (fractions in [0, 1]) of ``S >= 2`` seeds; drawn in percent.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure ``(2 size) x (0.35 n + 1)`` inches.
    title : str, optional
    xlabel : str, default "validation accuracy (%)"
    size : float, default 3.0

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_seed_spread({"1 kernel": [0.80, 0.84, 0.83], "8 kernels": [0.94, 0.95, 0.95]})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['1 kernel', '8 kernels']
    >>> plt.close("all")
    """
    runs = _check_runs(runs, "runs", 1)
    ax = check_ax(ax)
    title = check_title(title)
    size = check_size(size)
    if ax is None:
        _, ax = pyplot().subplots(figsize=(2 * size, 0.35 * len(runs) + 1.0))
    labels = list(runs)
    for row, key in enumerate(labels):
        values = 100 * runs[key]
        mean, std = values.mean(), values.std(ddof=1)
        ax.plot(values, np.full(values.shape, row), "o", color=OUT_NOW, markersize=4, alpha=0.7)
        ax.errorbar([mean], [row], xerr=[std], fmt="|", color=FRAME, markersize=12, capsize=4, linewidth=1.5)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="0.9")
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def plot_paired_differences(runs, size=3.0, confidence=0.95, unit="points"):
    """Two settings trained on the same seeds, compared seed by seed. Return the two Axes.

    Left, each seed's two results joined by a line (the first setting on the left). Right,
    the differences :math:`a_j - b_j`, one dot per seed, with their mean and its Student-t
    interval (:func:`companion.paired_difference`) as a bar, and a dashed line at 0: the
    difference is shown when the bar does not cross it.

    Parameters
    ----------
    runs : dict of str to array_like, each of shape (J,)
        Exactly two settings, name -> results (fractions in [0, 1], drawn in percent) on the
        same ``J >= 2`` seeds, in the same order.
    size : float, default 3.0
        Height in inches; the figure is ``(2.4 size) x size``.
    confidence : float, default 0.95
        Of the interval, strictly between 0 and 1.
    unit : str, default "points"
        The name of the differences' unit on the right axis (percentage points); the axis
        reads "left minus right", the first setting's result less the second's.

    Returns
    -------
    tuple of matplotlib.axes.Axes
        ``(ax_pairs, ax_differences)``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> left, right = plot_paired_differences({"A": [0.93, 0.95, 0.94], "B": [0.92, 0.93, 0.94]})
    >>> len(left.get_lines()), [t.get_text() for t in left.get_xticklabels()]
    (3, ['A', 'B'])
    >>> plt.close("all")
    """
    runs = _check_runs(runs, "runs", 1)
    if len(runs) != 2:
        raise ValueError(f"runs must hold exactly 2 settings, got {len(runs)}: {list(runs)}")
    (name_a, a), (name_b, b) = runs.items()
    if a.shape != b.shape:
        raise ValueError(f"runs[{name_a!r}] and runs[{name_b!r}] must hold the same seeds, got {a.shape[0]} "
                         f"and {b.shape[0]} results")
    size = check_size(size)
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a str, got {type(unit).__name__}: {unit!r}")
    from ..statistics import paired_difference

    mean, low, high = paired_difference(100 * a, 100 * b, confidence=confidence)
    fig, (left, right) = pyplot().subplots(1, 2, figsize=(2.4 * size, size),
                                           gridspec_kw={"width_ratios": [1.3, 1.0]})
    for x, y in zip(100 * a, 100 * b):
        left.plot([0, 1], [x, y], "o-", color=OUT_NOW, markersize=4, alpha=0.8)
    left.set_xticks([0, 1])
    left.set_xticklabels([name_a, name_b])
    left.set_xlim(-0.4, 1.4)
    left.set_ylabel("accuracy (%)")
    left.set_title("each seed, both settings", fontsize=10)
    left.grid(axis="y", color="0.9")
    diff = 100 * (a - b)
    offsets = np.linspace(-0.15, 0.15, diff.shape[0])
    right.plot(offsets, diff, "o", color=OUT_NOW, markersize=4, alpha=0.8)
    right.errorbar([0.45], [mean], yerr=[[mean - low], [high - mean]], fmt="s", color=FRAME, markersize=5,
                   capsize=5, linewidth=1.5)
    right.axhline(0.0, color=EDGE, linestyle="--", linewidth=1)
    right.set_xticks([0, 0.45])
    right.set_xticklabels(["seeds", "mean"])
    right.set_xlim(-0.4, 0.8)
    right.set_ylabel(f"left minus right ({unit})")
    right.set_title(f"differences, {round(100 * confidence)}% interval", fontsize=10)
    right.grid(axis="y", color="0.9")
    fig.tight_layout()
    return left, right


def plot_mean_curves(x, curves, ax=None, title=None, xlabel="epoch", ylabel=None, size=3.0, styles=None,
                     yscale="linear"):
    """Curves over seeds: the mean as a line and a band of ± one standard deviation around it.

    Parameters
    ----------
    x : array_like, shape (E,)
        The common horizontal positions, e.g. the epochs 1 to E.
    curves : dict of str to array_like, each of shape (S, E)
        Legend name -> one row per seed (``S >= 2``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a ``(4/3 size) x size`` inch figure.
    title, xlabel, ylabel : str, optional
    size : float, default 3.0
    styles : dict of str to dict, optional
        Extra line arguments per name, e.g. ``{"training": {"linestyle": "--"}}``.
    yscale : {"linear", "log"}, default "linear"
        With ``"log"`` every value must be positive, and where the mean minus one standard
        deviation would fall to zero or below (off a logarithmic axis), the band's lower edge
        stops at the lowest value any seed took there instead.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_mean_curves([1, 2, 3], {"loss": [[3.0, 2.0, 1.5], [2.8, 2.2, 1.4]]})
    >>> ax.get_lines()[0].get_ydata().tolist()
    [2.9, 2.1, 1.45]
    >>> plt.close("all")
    """
    xs = as_array(x, "x", ndim=1).astype(np.float64)
    curves = _check_runs(curves, "curves", 2)
    for key, arr in curves.items():
        if arr.shape[1] != xs.shape[0]:
            raise ValueError(f"curves[{key!r}] must have one column per x ({xs.shape[0]}), got shape {arr.shape}")
    if styles is not None and not isinstance(styles, dict):
        raise TypeError(f"styles must be a dict of name -> line arguments or None, got {type(styles).__name__}")
    if yscale not in ("linear", "log"):
        raise ValueError(f"yscale must be 'linear' or 'log', got {yscale!r}")
    if yscale == "log":
        for key, arr in curves.items():
            if not np.all(arr > 0):
                raise ValueError(f"curves[{key!r}] must be positive for yscale='log', got minimum {arr.min()!r}")
    ax = check_ax(ax)
    title = check_title(title)
    size = check_size(size)
    if ax is None:
        _, ax = pyplot().subplots(figsize=(4 * size / 3, size))
    for key, arr in curves.items():
        mean, std = arr.mean(axis=0), arr.std(axis=0, ddof=1)
        lower = mean - std
        if yscale == "log":
            lower = np.where(lower > 0, lower, arr.min(axis=0))
        (line,) = ax.plot(xs, mean, label=key, **(styles or {}).get(key, {}))
        ax.fill_between(xs, lower, mean + std, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_yscale(yscale)
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize="small", frameon=False)
    return ax


def plot_top_patches(images, boxes, row_titles=None, size=0.8):
    """A grid of images, each with a rectangle around a region: for each row (a unit of a
    network), the inputs that excite it most and the receptive field that it sees in each.

    Parameters
    ----------
    images : array_like, shape (R, C, H, W)
        ``C`` grayscale images for each of ``R`` rows.
    boxes : array_like of int, shape (R, C, 2, 2)
        ``((row_start, row_stop), (col_start, col_stop))`` of each image's region, stops
        exclusive, as :func:`companion.receptive_field_box` returns them.
    row_titles : list of str, optional
        A label left of each row; default None.
    size : float, default 0.8
        Side of one image in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_top_patches(np.zeros((2, 3, 28, 28)), np.tile([[0, 8], [4, 12]], (2, 3, 1, 1)))
    >>> len(fig.axes), len(fig.axes[0].patches)
    (6, 1)
    >>> plt.close("all")
    """
    images = as_array(images, "images", ndim=4)
    boxes = as_array(boxes, "boxes", ndim=4, dtype_kind="iu")
    n_rows, n_cols = images.shape[:2]
    if boxes.shape != (n_rows, n_cols, 2, 2):
        raise ValueError(f"boxes must have shape {(n_rows, n_cols, 2, 2)} to match images {images.shape}, "
                         f"got {boxes.shape}")
    if row_titles is not None:
        if not isinstance(row_titles, (list, tuple)) or len(row_titles) != n_rows:
            raise ValueError(f"row_titles must be a list of {n_rows} str or None, got {row_titles!r}")
    size = check_size(size)
    plt = pyplot()
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + (0.9 if row_titles else 0), size * n_rows),
                             squeeze=False)
    for r in range(n_rows):
        for c in range(n_cols):
            ax = axes[r, c]
            ax.imshow(images[r, c], cmap="gray")
            (r0, r1), (c0, c1) = boxes[r, c]
            ax.add_patch(plt.Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="#e06666",
                                       linewidth=1.4))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlim(-0.5, images.shape[3] - 0.5)
            ax.set_ylim(images.shape[2] - 0.5, -0.5)
        if row_titles:
            axes[r, 0].set_ylabel(row_titles[r], rotation=0, ha="right", va="center", fontsize=8)
    fig.tight_layout(pad=0.2)
    return fig

