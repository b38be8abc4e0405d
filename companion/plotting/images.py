"""Pictures for the book: images, matrices with their numbers, kernels, feature maps, and
a kernel sliding over an input.

This is the only module of the companion that uses matplotlib, and it imports it lazily
(inside the functions), so ``import companion`` stays fast.

The rule for notebooks
----------------------
No helper calls ``plt.show()``. Each draws into a figure and **returns** it: the helpers
that draw one panel (:func:`plot`, :func:`show_matrix`) take an optional ``ax`` and return
the ``matplotlib.axes.Axes``; the helpers that draw several panels (:func:`plot_grid`,
:func:`plot_kernels`, :func:`plot_feature_maps`, :func:`plot_conv_step`) return the
``matplotlib.figure.Figure``. A book cell that draws ends with ``plt.show()``, which renders
the figure and leaves no ``<Axes: ...>`` or ``<Figure size ...>`` text in the output (a
cell may also assign the result, ``ax = plot(x)``, to add to it before showing). Scripts do
the same.

:func:`animate_conv` is different: it draws nothing on screen and returns a
:class:`ConvAnimation`, whose notebook display is an animated PNG (``image/png``, which
nbval does not compare) plus a short, fixed text ``repr``; ``.to_gif()`` gives a GIF.

Grayscale scaling: integer images (``uint8`` as stored) are drawn on the fixed range
0-255 (black to white), boolean images on 0-1, and float images from their own minimum
(black) to maximum (white) unless ``vmin``/``vmax`` are given.
"""

from __future__ import annotations

import io
import numbers

import numpy as np

from .._validation import as_array, check_int, pair

__all__ = [
    "plot",
    "show_matrix",
    "plot_grid",
    "plot_kernels",
    "plot_feature_maps",
    "plot_conv_step",
    "animate_conv",
    "ConvAnimation",
    "plot_functions",
]

# Colours of the sliding-kernel pictures, after Dumoulin & Visin's convolution arithmetic.
_INPUT = "#cfe2f3"
_PAD = "#ffffff"
_FOOT = "#6fa8dc"
_FOOT_PAD = "#b7d3ee"
_FRAME = "#1c4587"
_OUT = "#eef5ea"
_OUT_DONE = "#b6d7a8"
_OUT_NOW = "#6aa84f"
_EDGE = "#666666"


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _out_size(n, k, s, p, d):
    """floor((n + 2p - d(k - 1) - 1) / s) + 1, the output size of the book's formula."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


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


def _check_size(size, name="size"):
    if isinstance(size, bool) or not isinstance(size, numbers.Real) or not size > 0:
        raise ValueError(f"{name} must be a positive number of inches, got {size!r}")
    return float(size)


def _check_title(title, name="title"):
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{name} must be a str or None, got {type(title).__name__}")
    return title


def _check_ax(ax):
    if ax is not None and not hasattr(ax, "imshow"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


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
    _check_title(title)
    _check_ax(ax)
    size = _check_size(size)
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(size, size))
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
    ax.grid(which="minor", color=_EDGE, linewidth=1)
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
    _check_ax(ax)
    _check_title(title)
    if fmt is None:
        fmt = _default_fmt(arr)
    elif not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format spec str such as '.2f', got {type(fmt).__name__}")
    try:
        format(int(arr.flat[0]) if fmt == "d" else float(arr.flat[0]), fmt)
    except ValueError as exc:
        raise ValueError(f"fmt={fmt!r} is not a valid format spec for these numbers") from exc
    bounds = None if window is None else _window(window, arr.shape)
    cell = 0.5 if size is None else _check_size(size)
    if ax is None:
        h, w = arr.shape
        _, ax = _pyplot().subplots(figsize=(max(w * cell, 1.0), max(h * cell, 1.0) + 0.3))
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
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.1),
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
    size = _check_size(size)
    _check_title(suptitle, "suptitle")
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
    size = _check_size(size)
    _check_title(suptitle, "suptitle")
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


# ---------------------------------------------------------------------------------------
# The kernel sliding over the input: one still (plot_conv_step) or all of them (animate_conv)
# ---------------------------------------------------------------------------------------


def _pair_text(name, v):
    return f"{name} {v[0]}" if v[0] == v[1] else f"{name} {v}"


class _ConvScene:
    """The three panels of a convolution step, drawn once and updated for each position."""

    def __init__(self, x, kernel, stride, padding, dilation, annotate):
        # x: 2-D array or a (H, W) shape; kernel: 2-D array or an int / pair size.
        if isinstance(x, tuple) and len(x) == 2 and all(isinstance(v, numbers.Integral) for v in x):
            self.h, self.w = check_int(x[0], "x", 1), check_int(x[1], "x", 1)
            self.x = None
        else:
            self.x = as_array(x, "x", ndim=2)
            self.h, self.w = self.x.shape
        if isinstance(kernel, numbers.Integral) or (
            isinstance(kernel, tuple) and all(isinstance(v, numbers.Integral) for v in kernel)
        ):
            self.kh, self.kw = pair(kernel, "kernel", minimum=1)
            self.k = None
        else:
            self.k = as_array(kernel, "kernel", ndim=2)
            self.kh, self.kw = self.k.shape
        self.s = pair(stride, "stride", minimum=1)
        self.p = pair(padding, "padding", minimum=0)
        self.d = pair(dilation, "dilation", minimum=1)
        self.ho = _out_size(self.h, self.kh, self.s[0], self.p[0], self.d[0])
        self.wo = _out_size(self.w, self.kw, self.s[1], self.p[1], self.d[1])
        if self.ho < 1 or self.wo < 1:
            raise ValueError(
                f"kernel {self.kh}x{self.kw} with dilation {self.d} spans "
                f"{self.d[0] * (self.kh - 1) + 1}x{self.d[1] * (self.kw - 1) + 1}, larger than the "
                f"padded input {self.h + 2 * self.p[0]}x{self.w + 2 * self.p[1]}"
            )
        if max(self.h + 2 * self.p[0], self.w + 2 * self.p[1]) > 24:
            raise ValueError(
                f"x is too large to draw cell by cell: padded input "
                f"{self.h + 2 * self.p[0]}x{self.w + 2 * self.p[1]}, at most 24x24"
            )
        if annotate is not None and not isinstance(annotate, bool):
            raise TypeError(f"annotate must be a bool or None, got {type(annotate).__name__}")
        self.annotate = annotate
        self.y = None
        if self.x is not None and self.k is not None:
            self.y = self._correlate()

    def _footprint(self, i, j):
        """Padded-input cells (r, c) that kernel entry (m, n) covers for output (i, j)."""
        return {
            (i * self.s[0] + m * self.d[0], j * self.s[1] + n * self.d[1]): (m, n)
            for m in range(self.kh)
            for n in range(self.kw)
        }

    def _correlate(self):
        """S[i, j] = sum_m sum_n I_pad[i s + m d, j s + n d] K[m, n]: the literal loops."""
        xp = np.pad(self.x.astype(np.float64), [(self.p[0],) * 2, (self.p[1],) * 2])
        y = np.zeros((self.ho, self.wo))
        for i in range(self.ho):
            for j in range(self.wo):
                for (r, c), (m, n) in self._footprint(i, j).items():
                    y[i, j] += xp[r, c] * self.k[m, n]
        if self.x.dtype.kind in "biu" and self.k.dtype.kind in "biu":
            y = y.astype(np.int64)
        return y

    def _fmt(self, v):
        return f"{v:d}" if isinstance(v, (int, np.integer)) else f"{v:.2g}"

    def draw(self, fig):
        from matplotlib.collections import PatchCollection
        from matplotlib.patches import Rectangle

        hp, wp = self.h + 2 * self.p[0], self.w + 2 * self.p[1]
        rows = max(hp, self.kh, self.ho)
        width, height = fig.get_size_inches()
        ax_in, ax_k, ax_out = fig.subplots(1, 3, gridspec_kw={
            "width_ratios": [wp, self.kw, self.wo], "wspace": 0.12,
            "left": 0.15 / width, "right": 1 - 0.15 / width,
            "bottom": 0.1 / height, "top": 1 - 0.75 / height})
        write_x = self.x is not None and (self.annotate if self.annotate is not None else True)
        write_k = self.k is not None and (self.annotate if self.annotate is not None else True)
        small = 7 if max(hp, self.wo) > 10 else 9
        self.in_keys = [(r, c) for r in range(hp) for c in range(wp)]
        self.in_pad = [
            not (self.p[0] <= r < self.p[0] + self.h and self.p[1] <= c < self.p[1] + self.w)
            for r, c in self.in_keys
        ]
        self.in_cells = PatchCollection(
            [Rectangle((c, r), 1, 1) for r, c in self.in_keys], edgecolors=_EDGE, linewidths=0.8,
            linestyles=[(0, (3, 2)) if pad else "solid" for pad in self.in_pad])
        ax_in.add_collection(self.in_cells)
        self.weight_texts = {}
        for (r, c), pad in zip(self.in_keys, self.in_pad):
            if write_x:
                v = 0 if pad else self.x[r - self.p[0], c - self.p[1]].item()
                ax_in.text(c + 0.5, r + 0.45, self._fmt(v), ha="center", va="center",
                           fontsize=small, color="#999999" if pad else "black")
            if write_k:
                self.weight_texts[r, c] = ax_in.text(
                    c + 0.93, r + 0.93, "", ha="right", va="bottom", fontsize=small - 3,
                    color=_FRAME, visible=False)
        self.frame = Rectangle((0, 0), 1, 1, fill=False, edgecolor=_FRAME, linewidth=2.5)
        ax_in.add_patch(self.frame)
        ax_k.add_collection(PatchCollection(
            [Rectangle((n, m), 1, 1) for m in range(self.kh) for n in range(self.kw)],
            facecolors=_FOOT, edgecolors=_EDGE, linewidths=0.8))
        if write_k:
            for (m, n), v in np.ndenumerate(self.k):
                ax_k.text(n + 0.5, m + 0.45, self._fmt(v.item()), ha="center", va="center",
                          fontsize=small)
        self.out_keys = [(i, j) for i in range(self.ho) for j in range(self.wo)]
        self.out_cells = PatchCollection(
            [Rectangle((j, i), 1, 1) for i, j in self.out_keys], edgecolors=_EDGE, linewidths=0.8)
        ax_out.add_collection(self.out_cells)
        self.out_texts = {}
        if self.y is not None and write_x:
            for i, j in self.out_keys:
                self.out_texts[i, j] = ax_out.text(
                    j + 0.5, i + 0.45, self._fmt(self.y[i, j].item()), ha="center",
                    va="center", fontsize=small, visible=False)
        title_in = f"input {self.h}x{self.w}"
        if self.p != (0, 0):
            title_in += f", {_pair_text('padding', self.p)}"
        title_k = f"kernel {self.kh}x{self.kw}"
        if self.d != (1, 1):
            title_k += f", {_pair_text('dilation', self.d)}"
        for ax, ncols, title in ((ax_in, wp, title_in), (ax_k, self.kw, title_k),
                                 (ax_out, self.wo, f"output {self.ho}x{self.wo}")):
            ax.set_xlim(-0.05, ncols + 0.05)
            ax.set_ylim(rows + 0.05, -0.05)
            ax.set_aspect("equal", anchor="N")
            ax.set_axis_off()
            # A text, not ax.set_title: titles re-run a costly layout on every frame.
            ax.text(0, -0.25, title, fontsize=9, ha="left", va="bottom")
        self.suptitle = fig.suptitle("", fontsize=10)
        self.settings = ", ".join(
            [_pair_text("stride", self.s), _pair_text("padding", self.p), _pair_text("dilation", self.d)]
        )

    def show(self, i, j):
        """Highlight the receptive field of output (i, j) and the outputs done so far."""
        foot = self._footprint(i, j)
        colours = []
        for key, pad in zip(self.in_keys, self.in_pad):
            inside = key in foot
            colours.append((_FOOT_PAD if pad else _FOOT) if inside else (_PAD if pad else _INPUT))
            if key in self.weight_texts:
                text = self.weight_texts[key]
                text.set_visible(inside)
                if inside:
                    m, n = foot[key]
                    text.set_text(f"×{self._fmt(self.k[m, n].item())}")
        self.in_cells.set_facecolor(colours)
        top, left = i * self.s[0], j * self.s[1]
        self.frame.set_bounds(left, top, self.d[1] * (self.kw - 1) + 1, self.d[0] * (self.kh - 1) + 1)
        self.out_cells.set_facecolor(
            [_OUT_NOW if key == (i, j) else _OUT_DONE if key < (i, j) else _OUT for key in self.out_keys]
        )
        for key, text in self.out_texts.items():
            text.set_visible(key <= (i, j))
        value = "" if self.y is None else f" = {self._fmt(self.y[i, j].item())}"
        self.suptitle.set_text(f"output ({i}, {j}){value};  {self.settings}")

    def figsize(self):
        hp, wp = self.h + 2 * self.p[0], self.w + 2 * self.p[1]
        cell = 0.4 if max(hp, self.wo) <= 10 else 0.26
        rows = max(hp, self.kh, self.ho)
        return ((wp + self.kw + self.wo) * cell * 1.12 + 0.3, rows * cell + 0.85)


def _position(value, name, n, what):
    value = check_int(value, name)
    if not 0 <= value < n:
        raise ValueError(f"{name}={value} must be in 0..{n - 1} (the output {what} is {n})")
    return value


def plot_conv_step(x, kernel, i, j, stride=1, padding=0, dilation=1, annotate=None):
    """Draw one step of a convolution: the kernel over the input and the output cell it makes.

    In the manner of Dumoulin and Visin's convolution-arithmetic guide: three panels, the
    (padded) input with its padding cells dashed and the cells the kernel covers for output
    ``(i, j)`` shaded and framed (with gaps when ``dilation > 1``), the kernel, and the output
    grid with cell ``(i, j)`` highlighted and the cells before it (in reading order) done.
    When values are given, they are written in the cells, each covered input cell shows the
    weight that multiplies it, and the output cells show the cross-correlation

    .. math:: S[i, j] = \\sum_m \\sum_n I_p[i s + m d,\\ j s + n d]\\, K[m, n]

    of the zero-padded input ``I_p``. The output size is
    ``floor((n + 2p - d(k - 1) - 1) / s) + 1`` in each direction.

    Parameters
    ----------
    x : array_like of shape (H, W), or a tuple (H, W)
        The input's values, or just its shape (then no numbers are written).
    kernel : array_like of shape (kH, kW), or an int or pair
        The kernel's values, or just its size.
    i, j : int
        Row and column of the output cell, ``0 <= i < H_out``, ``0 <= j < W_out``.
    stride, padding, dilation : int or pair of int, default 1, 0, 1
        As in ``torch.nn.functional.conv2d``.
    annotate : bool, optional
        Write the values; default None: whenever values are given.

    Returns
    -------
    matplotlib.figure.Figure
        With three Axes: input, kernel, output. The padded input is at most 24x24.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plot_conv_step((5, 5), 3, i=1, j=0, stride=2, padding=1)
    >>> [ax.texts[-1].get_text() for ax in fig.axes]
    ['input 5x5, padding 1', 'kernel 3x3', 'output 3x3']
    >>> plt.close(fig)
    """
    scene = _ConvScene(x, kernel, stride, padding, dilation, annotate)
    i = _position(i, "i", scene.ho, "height")
    j = _position(j, "j", scene.wo, "width")
    fig = _pyplot().figure(figsize=scene.figsize())
    scene.draw(fig)
    scene.show(i, j)
    return fig


class ConvAnimation:
    """An animation of a kernel sliding over an input, one frame per output position.

    Made by :func:`animate_conv`. In a notebook it displays as an animated PNG (the
    ``image/png`` output, which nbval does not compare; browsers, JupyterLab, Colab and the
    book's website animate it); its text form is a fixed one-line summary.

    Attributes
    ----------
    frames : list of PIL.Image.Image
        The frames, palette images, in reading order of the output cells.
    output_shape : tuple of int
        ``(H_out, W_out)``; ``len(frames) == H_out * W_out``.
    """

    def __init__(self, frames, durations, description, output_shape):
        self.frames = frames
        self.durations = durations
        self.description = description
        self.output_shape = output_shape

    def __len__(self):
        return len(self.frames)

    def __repr__(self):
        return f"<ConvAnimation: {len(self.frames)} frames, {self.description}>"

    def _encode(self, fmt):
        buf = io.BytesIO()
        first, rest = self.frames[0], self.frames[1:]
        first.save(buf, format=fmt, save_all=True, append_images=rest, duration=self.durations,
                   loop=0, optimize=False, **({"disposal": 1} if fmt == "GIF" else {}))
        return buf.getvalue()

    def to_gif(self):
        """Return the animation as GIF bytes (looping forever)."""
        return self._encode("GIF")

    def to_png(self):
        """Return the animation as animated PNG (APNG) bytes (looping forever)."""
        return self._encode("PNG")

    def _repr_png_(self):
        return self.to_png()

    def save(self, path):
        """Write the animation to ``path``: GIF if it ends in ``.gif``, APNG if ``.png``."""
        name = str(path).lower()
        if name.endswith(".gif"):
            data = self.to_gif()
        elif name.endswith(".png"):
            data = self.to_png()
        else:
            raise ValueError(f"path must end in .gif or .png, got {str(path)!r}")
        with open(path, "wb") as f:
            f.write(data)


def animate_conv(x, kernel, stride=1, padding=0, dilation=1, annotate=None, interval=600,
                 dpi=80, max_frames=400):
    """Animate a kernel sliding over an input: one frame per output position.

    Each frame is :func:`plot_conv_step` for one output cell ``(i, j)``, in reading order;
    the positions come from the same ``stride``, ``padding`` and ``dilation`` as the
    output-size formula ``floor((n + 2p - d(k - 1) - 1) / s) + 1``, so there are exactly
    ``H_out * W_out`` frames. Nothing is shown on screen (no pyplot figure is created); the
    frames are rendered off-screen with matplotlib's Agg canvas and quantised to one shared
    palette, so the same call gives the same bytes.

    Parameters
    ----------
    x : array_like of shape (H, W), or a tuple (H, W)
        The input's values, or just its shape.
    kernel : array_like of shape (kH, kW), or an int or pair
        The kernel's values, or just its size.
    stride, padding, dilation : int or pair of int, default 1, 0, 1
        As in ``torch.nn.functional.conv2d``.
    annotate : bool, optional
        Write the values; default None: whenever values are given.
    interval : int, default 600
        Milliseconds per frame (the last frame stays three times as long).
    dpi : int, default 80
        Resolution of the frames.
    max_frames : int, default 400
        Refuse to render more frames than this.

    Returns
    -------
    ConvAnimation
        Displays as an animated PNG in a notebook; ``.to_gif()`` and ``.to_png()`` give
        bytes, ``.save(path)`` writes a file.

    Examples
    --------
    >>> anim = animate_conv((5, 5), 3, padding=1, stride=2)
    >>> anim
    <ConvAnimation: 9 frames, input 5x5, kernel 3x3, stride 2, padding 1, dilation 1, output 3x3>
    >>> anim.to_gif()[:6]
    b'GIF89a'
    """
    scene = _ConvScene(x, kernel, stride, padding, dilation, annotate)
    interval = check_int(interval, "interval", minimum=1)
    dpi = check_int(dpi, "dpi", minimum=10)
    max_frames = check_int(max_frames, "max_frames", minimum=1)
    n = scene.ho * scene.wo
    if n > max_frames:
        raise ValueError(
            f"the animation would have {n} frames (output {scene.ho}x{scene.wo}), more than "
            f"max_frames={max_frames}; use a smaller input or a larger stride"
        )
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    fig = Figure(figsize=scene.figsize(), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    scene.draw(fig)
    rgb = []
    for i in range(scene.ho):
        for j in range(scene.wo):
            scene.show(i, j)
            canvas.draw()
            rgb.append(np.asarray(canvas.buffer_rgba())[..., :3].copy())
    # One palette for all frames: quantise them stacked, then map each frame onto it.
    stack = Image.fromarray(np.concatenate(rgb, axis=0))
    palette = stack.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    frames = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE) for f in rgb]
    durations = [interval] * (n - 1) + [3 * interval]
    description = (
        f"input {scene.h}x{scene.w}, kernel {scene.kh}x{scene.kw}, {scene.settings}, "
        f"output {scene.ho}x{scene.wo}"
    )
    return ConvAnimation(frames, durations, description, (scene.ho, scene.wo))


# ---------------------------------------------------------------------------------------
# Graphs of functions of one variable (activations, curves against depth or window size)
# ---------------------------------------------------------------------------------------


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
    _check_title(title)
    _check_title(xlabel, "xlabel")
    _check_title(ylabel, "ylabel")
    _check_ax(ax)
    size = _check_size(size)
    if marker is not None and not isinstance(marker, str):
        raise TypeError(f"marker must be a str such as 'o', got {type(marker).__name__}")
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(size * 4 / 3, size))
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


# ---------------------------------------------------------------------------------------
# Chapter 6: a dense layer drawn as a graph
# ---------------------------------------------------------------------------------------

__all__ += ["plot_dense_connections"]


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
    _check_title(title)
    _check_ax(ax)
    size = _check_size(size)
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(size * 4 / 3, size))
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
    for x, ys, face in ((0.0, y_in, _INPUT), (1.0, y_out, _OUT_DONE)):
        ax.scatter(np.full(len(ys), x), ys, s=(radius * 72 * size / (height + 1)) ** 2 * 4, c=face,
                   edgecolors=_EDGE, zorder=2)
    ax.text(0.0, -1.0, labels[0], ha="center", va="top")
    ax.text(1.0, -1.0, labels[1], ha="center", va="top")
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylim(-1.8, height)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------
# Chapter 8: what a trained classifier says about one image
# ---------------------------------------------------------------------------------------

__all__ += ["plot_probabilities"]


def plot_probabilities(probs, true_class=None, ax=None, title=None, size=2.5):
    """Draw a classifier's probabilities for one image as bars, one per class.

    The predicted class (the tallest bar) is drawn dark, the others light; with
    ``true_class`` given, that bar gets a thick outline, so a wrong prediction shows as an
    outlined bar that is not the dark one.

    Parameters
    ----------
    probs : array_like or torch.Tensor, shape (K,)
        Probabilities (or any scores) of the ``K`` classes.
    true_class : int, optional
        The right class, ``0 <= true_class < K``; default None.
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
    _check_title(title)
    _check_ax(ax)
    size = _check_size(size)
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(size * 4 / 3, size))
    predicted = int(np.argmax(p))
    colours = [_FRAME if k == predicted else _FOOT_PAD for k in range(len(p))]
    bars = ax.bar(np.arange(len(p)), p, color=colours, edgecolor=_EDGE, linewidth=0.6)
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
