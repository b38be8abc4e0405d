"""Pictures of training (chapter 10): a quantity followed through the layers of a network,
and loss curves over several seeds drawn as their mean and spread.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_float
from ._style import check_ax, check_size, check_title, pyplot

__all__ = ["plot_layer_stds", "plot_seed_curves", "plot_seed_points"]


def plot_layer_stds(stds, ax=None, title=None, size=3.0):
    """Draw the standard deviation of the activations layer after layer, one line per scheme,
    on a logarithmic axis, and return the Axes.

    Parameters
    ----------
    stds : dict of str to array_like, each of shape (D,)
        Legend name -> the standard deviation after layers 1 to D (all positive).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure of ``(4/3 size) x size`` inches.
    title : str, optional
    size : float, default 3.0
        Height of a new figure in inches.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_layer_stds({"he": [1.0, 1.1, 0.9]})
    >>> len(ax.get_lines())
    1
    """
    if not isinstance(stds, dict) or not stds:
        raise TypeError(f"stds must be a non-empty dict of name -> values, got {type(stds).__name__}")
    curves = {str(k): as_float(v, f"stds[{k!r}]", ndim=1) for k, v in stds.items()}
    for k, v in curves.items():
        if np.any(~(v > 0)):
            raise ValueError(f"stds[{k!r}] must hold positive values for a logarithmic axis")
    check_ax(ax)
    check_title(title)
    size = check_size(size)
    plt = pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(4 * size / 3, size))
    for name, v in curves.items():
        ax.plot(np.arange(1, len(v) + 1), v, marker="o", markersize=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel("standard deviation")
    ax.legend(fontsize="small", frameon=False)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def plot_seed_curves(curves, ax=None, title=None, xlabel="step", ylabel="loss", size=3.0, smooth=1):
    """Draw curves measured over several seeds: the mean as a line, the range over the seeds
    (smallest to largest) as a band, and return the Axes.

    Parameters
    ----------
    curves : dict of str to array_like, each of shape (n_seeds, n_steps)
        Legend name -> one row per seed.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    xlabel, ylabel : str, defaults "step" and "loss"
    size : float, default 3.0
    smooth : int, default 1
        Each row is first replaced by its running mean over this many steps (1: as it is).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_seed_curves({"sgd": [[3.0, 2.0, 1.0], [3.0, 2.5, 1.5]]})
    >>> len(ax.collections)
    1
    """
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict of name -> (n_seeds, n_steps) values, "
                        f"got {type(curves).__name__}")
    arrays = {str(k): as_float(v, f"curves[{k!r}]", ndim=2) for k, v in curves.items()}
    if not isinstance(smooth, int) or isinstance(smooth, bool) or smooth < 1:
        raise ValueError(f"smooth must be an int of at least 1, got {smooth!r}")
    for k, v in arrays.items():
        if v.shape[1] < smooth:
            raise ValueError(f"curves[{k!r}] has {v.shape[1]} steps, fewer than smooth={smooth}")
    check_ax(ax)
    check_title(title)
    size = check_size(size)
    check_title(xlabel, "xlabel")
    check_title(ylabel, "ylabel")
    plt = pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(4 * size / 3, size))
    kernel = np.ones(smooth) / smooth
    for name, v in arrays.items():
        rows = np.array([np.convolve(r, kernel, mode="valid") for r in v])
        steps = np.arange(smooth, v.shape[1] + 1)
        line, = ax.plot(steps, rows.mean(axis=0), label=name, linewidth=1.2)
        ax.fill_between(steps, rows.min(axis=0), rows.max(axis=0), color=line.get_color(), alpha=0.25, linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small", frameon=False)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def plot_seed_points(x, values, ax=None, title=None, xlabel="x", ylabel=None, size=3.0, log_x=False):
    """Draw results measured over several seeds at a few settings: the mean as a marked line,
    the range over the seeds (smallest to largest) as an error bar, and return the Axes.

    Parameters
    ----------
    x : array_like, shape (n,)
        The settings (a learning rate, a shift).
    values : dict of str to array_like, each of shape (n_seeds, n)
        Legend name -> one row per seed.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    xlabel : str, default "x"
    ylabel : str, optional
    size : float, default 3.0
    log_x : bool, default False
        A logarithmic horizontal axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_seed_points([0.1, 1.0], {"a": [[0.8, 0.5], [0.9, 0.3]]}, log_x=True)
    >>> ax.get_xscale()
    'log'
    """
    xs = as_float(x, "x", ndim=1)
    if not isinstance(values, dict) or not values:
        raise TypeError(f"values must be a non-empty dict of name -> (n_seeds, n) values, got {type(values).__name__}")
    arrays = {str(k): as_float(v, f"values[{k!r}]", ndim=2) for k, v in values.items()}
    for k, v in arrays.items():
        if v.shape[1] != len(xs):
            raise ValueError(f"values[{k!r}] must have {len(xs)} columns, one per x, got shape {v.shape}")
    if not isinstance(log_x, bool):
        raise TypeError(f"log_x must be True or False, got {type(log_x).__name__}")
    check_ax(ax)
    check_title(title)
    check_title(xlabel, "xlabel")
    check_title(ylabel, "ylabel")
    size = check_size(size)
    plt = pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(4 * size / 3, size))
    for name, v in arrays.items():
        mean = v.mean(axis=0)
        err = np.maximum(np.stack([mean - v.min(axis=0), v.max(axis=0) - mean]), 0.0)  # rounding can go below 0
        ax.errorbar(xs, mean, yerr=err, marker="o", markersize=4, capsize=3, label=name)
    if log_x:
        ax.set_xscale("log")
        ax.minorticks_off()  # label the settings themselves, not the decades
    ax.set_xticks(xs, [f"{v:g}" for v in xs])
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.legend(fontsize="small", frameon=False)
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax
