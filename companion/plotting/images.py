"""Pictures of arrays: an image, a small matrix with its numbers, a grid of images, the
kernels of a layer and the feature maps of one image (chapters 1, 2, 4 and 5).

Grayscale scaling: integer images (``uint8`` as stored) are drawn on the fixed range
0-255 (black to white), boolean images on 0-1, and float images from their own minimum
(black) to maximum (white) unless ``vmin``/``vmax`` are given.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array, check_int
from ._style import EDGE, check_ax, check_size, check_title, pyplot

__all__ = ["plot", "show_matrix", "plot_grid", "plot_kernels", "plot_feature_maps"]


def _image(x, name):
    """Check an image for drawing: squeeze leading size-1 axes, accept (H, W) or (H, W, 3|4)."""
    arr = as_array(x, name)
    while arr.ndim > 2 and arr.shape[0] == 1 and not (arr.ndim == 3 and arr.shape[-1] in (3, 4)):
        arr = arr[0]
    if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4)):
        return arr
    raise ValueError(
        f"{name} must be a 2-D image (H, W) or a colour image (H, W, 3), got shape {arr.shape}"
    )


def _limits(arr, vmin, vmax):
    """The grayscale range of the rule in the module docstring."""
    if vmin is not None or vmax is not None:
        return vmin, vmax
    if arr.dtype.kind == "b":
        return 0, 1
    if arr.dtype.kind in "iu":
        return 0, 255
    return None, None


def _draw_image(ax, arr, cmap, vmin, vmax, title):
    if arr.ndim == 3:
        if arr.dtype.kind == "f" and (arr.min() < 0 or arr.max() > 1):
            raise ValueError(
                f"a float colour image must have values in [0, 1], got {arr.min():.3g}..{arr.max():.3g}"
            )
        ax.imshow(arr, interpolation="nearest")
    else:
        lo, hi = _limits(arr, vmin, vmax)
        ax.imshow(arr, cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)


def plot(x, title=None, ax=None, size=4.0, cmap="gray", vmin=None, vmax=None):
    """Draw an image, in grayscale and without axes, and return the Axes.

    The ``plot`` helper of the source material. Leading axes of size 1 are dropped, so a
    PyTorch batch of one, ``(1, 1, H, W)``, draws like ``(H, W)``. A ``torch.Tensor`` is
    detached and moved to the CPU first. Does not call ``plt.show()`` (see the module's
    rule for notebooks).

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (H, W) or (H, W, 3)
        A grayscale image, or an RGB image (uint8 0-255 or floats in [0, 1]).
    title : str, optional
        Title drawn above the image; default None (no title).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a new figure of ``size`` x ``size`` inches.
    size : float, default 4.0
        Figure size in inches, used only when ``ax`` is None.
    cmap : str, default "gray"
        Colour map for a 2-D image.
    vmin, vmax : float, optional
        Values drawn black and white; default None: 0-255 for integer images, the data's
        own range for floats.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plot(np.eye(3), title="identity")
    >>> ax.get_title(), len(ax.images)
    ('identity', 1)
    >>> plt.close("all")
    """
    arr = _image(x, "x")
    check_title(title)
    check_ax(ax)
    size = check_size(size)
    if ax is None:
        _, ax = pyplot().subplots(figsize=(size, size))
    _draw_image(ax, arr, cmap, vmin, vmax, title)
    return ax


def _window(window, shape):
    """Return (top, bottom, left, right) of a (rows, cols) window given as slices or pairs."""
    if not (isinstance(window, (tuple, list)) and len(window) == 2):
        raise ValueError(f"window must be a pair (rows, cols) of slices or (start, stop) pairs, got {window!r}")
    bounds = []
    for part, n, what in zip(window, shape, ("rows", "cols")):
        if isinstance(part, slice):
            if part.step not in (None, 1):
                raise ValueError(f"window {what} must have step 1, got {part!r}")
            start, stop = part.start or 0, n if part.stop is None else part.stop
        elif isinstance(part, (tuple, list)) and len(part) == 2:
            start, stop = part
        else:
            raise ValueError(f"window {what} must be a slice or a (start, stop) pair, got {part!r}")
        start = check_int(start, f"window {what} start", minimum=0)
        stop = check_int(stop, f"window {what} stop", minimum=0)
        if not start < stop <= n:
            raise ValueError(f"window {what} {start}:{stop} must satisfy 0 <= start < stop <= {n}")
        bounds.append((start, stop))
    return bounds[0] + bounds[1]


def _default_fmt(arr):
    if arr.dtype.kind in "biu" or np.all(arr == np.round(arr)):
        return ".0f" if arr.dtype.kind == "f" else "d"
    return ".2f"


def _annotate(ax, arr, fmt, fontsize, dark_from=None):
    """Write each value of a 2-D array in its cell (white on dark cells)."""
    im = ax.images[-1]
    for (r, c), v in np.ndenumerate(arr):
        rgba = im.cmap(im.norm(v))
        dark = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] < 0.5
        text = format(int(v) if fmt == "d" else float(v), fmt)
        ax.text(c, r, text, ha="center", va="center", fontsize=fontsize,
                color="white" if dark else "black")


def _grid_lines(ax, h, w):
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color=EDGE, linewidth=1)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xticks([])
    ax.set_yticks([])


def show_matrix(a, ax=None, fmt=None, window=None, title=None, cmap="Blues", size=None):
    """Draw a small matrix as a grid of cells with its numbers written in them.

    For examples worked by hand: the cells are shaded lightly by value, and an optional
    window (for instance the region a kernel covers) is outlined in red.

    Parameters
    ----------
    a : array_like or torch.Tensor, shape (H, W)
        The matrix; at most 30 x 30.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default None creates a figure sized to the matrix.
    fmt : str, optional
        Format spec of each number, e.g. ``"d"`` or ``".2f"``; default None: integers for
        integer-valued matrices, else two decimals.
    window : pair, optional
        ``(rows, cols)``, each a ``slice`` or a ``(start, stop)`` pair (stop excluded, as in
        Python), e.g. ``((0, 3), (0, 3))`` for the top-left 3x3 block; default None.
    title : str, optional
        Title above the matrix.
    cmap : str, default "Blues"
        Colour map of the shading (the lighter 60% of it is used).
    size : float, optional
        Inches per cell when a figure is created; default None (0.5).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = show_matrix(np.arange(25).reshape(5, 5), window=((0, 3), (0, 3)))
    >>> len(ax.texts), len(ax.patches)
    (25, 1)
    >>> plt.close("all")
    """
    arr = as_array(a, "a", ndim=2)
    if max(arr.shape) > 30:
        raise ValueError(f"a must be at most 30 x 30 to write its numbers, got shape {arr.shape}")
    check_ax(ax)
    check_title(title)
    if fmt is None:
        fmt = _default_fmt(arr)
    elif not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format spec str such as '.2f', got {type(fmt).__name__}")
    try:
        format(int(arr.flat[0]) if fmt == "d" else float(arr.flat[0]), fmt)
    except ValueError as exc:
        raise ValueError(f"fmt={fmt!r} is not a valid format spec for these numbers") from exc
    bounds = None if window is None else _window(window, arr.shape)
    cell = 0.5 if size is None else check_size(size)
    if ax is None:
        h, w = arr.shape
        _, ax = pyplot().subplots(figsize=(max(w * cell, 1.0), max(h * cell, 1.0) + 0.3))
    import matplotlib.colors as mcolors
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    base = colormaps[cmap]
    light = mcolors.ListedColormap(base(np.linspace(0.0, 0.6, 256)))
    values = arr.astype(np.float64)
    ax.imshow(values, cmap=light, interpolation="nearest")
    _grid_lines(ax, *arr.shape)
    _annotate(ax, arr, fmt, fontsize=10)
    if bounds is not None:
        top, bottom, left, right = bounds
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top,
                               fill=False, edgecolor="#cc0000", linewidth=3))
    if title is not None:
        ax.set_title(title)
    return ax


def _image_list(images, name):
    """A list of drawable images from an (N, H, W) / (N, 1, H, W) array or a sequence."""
    if isinstance(images, (list, tuple)):
        if len(images) == 0:
            raise ValueError(f"{name} must not be empty")
        return [_image(im, f"{name}[{k}]") for k, im in enumerate(images)]
    arr = as_array(images, name)
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] in (3, 4)):
        return list(arr)
    raise ValueError(
        f"{name} must be (N, H, W), (N, 1, H, W), (N, H, W, 3) or a list of images, got shape {arr.shape}"
    )


def _titles(titles, n):
    if titles is None:
        return [None] * n
    if isinstance(titles, str) or not isinstance(titles, (list, tuple)):
        raise TypeError(f"titles must be a list of str, got {type(titles).__name__}")
    if len(titles) != n:
        raise ValueError(f"titles must have one entry per image ({n}), got {len(titles)}")
    return [None if t is None else str(t) for t in titles]


def _grid_figure(n, ncols, size, suptitle):
    ncols = check_int(ncols, "ncols", minimum=1)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = pyplot().subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.1),
                                   squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    if suptitle is not None:
        fig.suptitle(suptitle)
    return fig, list(axes.flat[:n])


def plot_grid(images, titles=None, ncols=8, cmap="gray", size=1.5, vmin=None, vmax=None, suptitle=None):
    """Draw images side by side in a grid (MNIST digits, feature maps, filters).

    Each image is scaled by the module's grayscale rule on its own (0-255 for uint8, its own
    range for floats) unless ``vmin``/``vmax`` fix a common range.

    Parameters
    ----------
    images : array_like or torch.Tensor, shape (N, H, W), (N, 1, H, W) or (N, H, W, 3); or a list
        The images; a list may mix sizes.
    titles : list of str, optional
        One title per image; default None.
    ncols : int, default 8
        Images per row (fewer if there are fewer images).
    cmap : str, default "gray"
        Colour map of grayscale images.
    size : float, default 1.5
        Inches per image.
    vmin, vmax : float, optional
        Common black and white values; default None (per image).
    suptitle : str, optional
        Title of the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per image (``fig.axes[:N]``), then any empty cells of the last row.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_grid(np.zeros((10, 28, 28), dtype=np.uint8), ncols=5)
    >>> sum(len(ax.images) for ax in fig.axes)
    10
    >>> plt.close(fig)
    """
    ims = _image_list(images, "images")
    names = _titles(titles, len(ims))
    size = check_size(size)
    check_title(suptitle, "suptitle")
    fig, axes = _grid_figure(len(ims), ncols, size, suptitle)
    for ax, im, t in zip(axes, ims, names):
        _draw_image(ax, im, cmap, vmin, vmax, t)
    return fig


def plot_kernels(weight, titles=None, annotate=None, cmap="RdBu_r", size=1.4, suptitle=None):
    """Draw convolution kernels, with their values written in when they are small.

    Each kernel is coloured on a range symmetric about 0 (zero is the middle colour, white
    for the default ``"RdBu_r"``: positive weights red, negative blue).

    Parameters
    ----------
    weight : array_like, torch.Tensor, or dict
        ``(kH, kW)`` one kernel; ``(C_out, C_in, kH, kW)`` a layer's weights, drawn as
        ``C_out`` rows of ``C_in`` kernels; or a dict ``{name: (kH, kW) kernel}``, such as
        ``companion.KERNELS``, titled by name.
    titles : list of str, optional
        One per kernel; default None: the dict's names, or ``"out o, in c"`` for 4-D weights.
    annotate : bool, optional
        Write the values in the cells; default None: when kernels are at most 7x7.
    cmap : str, default "RdBu_r"
        Colour map.
    size : float, default 1.4
        Inches per kernel.
    suptitle : str, optional
        Title of the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per kernel.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    >>> fig = plot_kernels({"vertical": sobel, "horizontal": sobel.T})
    >>> [ax.get_title() for ax in fig.axes], len(fig.axes[0].texts)
    (['vertical', 'horizontal'], 9)
    >>> plt.close(fig)
    """
    if isinstance(weight, dict):
        if not weight:
            raise ValueError("weight must not be an empty dict")
        kernels = [as_array(k, f"weight[{name!r}]", ndim=2) for name, k in weight.items()]
        default_titles = [str(name) for name in weight]
        ncols = min(len(kernels), 6)
    else:
        arr = as_array(weight, "weight", ndim=(2, 4))
        if arr.ndim == 2:
            kernels, default_titles, ncols = [arr], [None], 1
        else:
            c_out, c_in = arr.shape[:2]
            kernels = [arr[o, c] for o in range(c_out) for c in range(c_in)]
            default_titles = [f"out {o}, in {c}" for o in range(c_out) for c in range(c_in)]
            ncols = c_in if c_in > 1 else min(c_out, 8)
    names = default_titles if titles is None else _titles(titles, len(kernels))
    if annotate is None:
        annotate = max(max(k.shape) for k in kernels) <= 7
    elif not isinstance(annotate, bool):
        raise TypeError(f"annotate must be a bool or None, got {type(annotate).__name__}")
    size = check_size(size)
    check_title(suptitle, "suptitle")
    fig, axes = _grid_figure(len(kernels), ncols, size, suptitle)
    for ax, k, t in zip(axes, kernels, names):
        m = float(np.abs(k).max()) or 1.0
        ax.imshow(k.astype(np.float64), cmap=cmap, vmin=-m, vmax=m, interpolation="nearest")
        _grid_lines(ax, *k.shape)
        if annotate:
            _annotate(ax, k, _default_fmt(k), fontsize=8 if max(k.shape) <= 5 else 6)
        if t is not None:
            ax.set_title(t, fontsize=9)
    return fig


def plot_feature_maps(maps, titles=None, ncols=8, cmap="gray", size=1.5, suptitle=None):
    """Draw the feature maps of one image, one panel per channel.

    Parameters
    ----------
    maps : array_like or torch.Tensor, shape (C, H, W) or (1, C, H, W)
        The output of a convolution layer for one image (a batch of one is accepted).
    titles : list of str, optional
        One per map; default None: ``"map 0"``, ``"map 1"``, ...
    ncols : int, default 8
        Maps per row.
    cmap : str, default "gray"
        Colour map; each map is scaled to its own range (black = its minimum).
    size : float, default 1.5
        Inches per map.
    suptitle : str, optional
        Title of the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per map.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_feature_maps(np.random.default_rng(0).normal(size=(4, 6, 6)))
    >>> [ax.get_title() for ax in fig.axes]
    ['map 0', 'map 1', 'map 2', 'map 3']
    >>> plt.close(fig)
    """
    arr = as_array(maps, "maps", ndim=(3, 4))
    if arr.ndim == 4:
        if arr.shape[0] != 1:
            raise ValueError(f"maps must be (C, H, W) or a batch of one (1, C, H, W), got shape {arr.shape}")
        arr = arr[0]
    if titles is None:
        titles = [f"map {c}" for c in range(arr.shape[0])]
    return plot_grid(list(arr), titles=titles, ncols=ncols, cmap=cmap, size=size, suptitle=suptitle)
