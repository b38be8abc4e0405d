"""A kernel sliding over an input, after Dumoulin and Visin's convolution-arithmetic guide
(chapter 2): one step as a still (:func:`plot_conv_step`) or every step as an animation
(:func:`animate_conv`).

Both draw the same three panels: the padded input with the receptive field of one output
cell, the kernel, and the output. The positions and the values come from the math modules
(:func:`companion.conv_output_size`'s formula and :func:`companion.conv2d_naive`), so the
picture cannot disagree with what the book computes.
"""

from __future__ import annotations

import io
import numbers

import numpy as np

from .._kernels import _out_len
from .._validation import as_array, check_int, pair
from ..convolution import conv2d_naive
from ._style import EDGE, FOOT, FOOT_PAD, FRAME, INPUT, OUT, OUT_DONE, OUT_NOW, PAD, pyplot

__all__ = ["plot_conv_step", "animate_conv", "ConvAnimation"]


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
        try:  # floor((n + 2p - d(k - 1) - 1) / s) + 1, the book's formula
            self.ho = _out_len(self.h, self.kh, self.s[0], self.p[0], self.d[0], "input height")
            self.wo = _out_len(self.w, self.kw, self.s[1], self.p[1], self.d[1], "input width")
        except ValueError:
            raise ValueError(
                f"kernel {self.kh}x{self.kw} with dilation {self.d} spans "
                f"{self.d[0] * (self.kh - 1) + 1}x{self.d[1] * (self.kw - 1) + 1}, larger than the "
                f"padded input {self.h + 2 * self.p[0]}x{self.w + 2 * self.p[1]}"
            ) from None
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
        """S[i, j] = sum_m sum_n I_pad[i s + m d, j s + n d] K[m, n], by the book's loops."""
        y = conv2d_naive(self.x.astype(np.float64)[None, None], self.k.astype(np.float64)[None, None],
                         stride=self.s, padding=self.p, dilation=self.d)[0, 0]
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
            [Rectangle((c, r), 1, 1) for r, c in self.in_keys], edgecolors=EDGE, linewidths=0.8,
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
                    color=FRAME, visible=False)
        self.frame = Rectangle((0, 0), 1, 1, fill=False, edgecolor=FRAME, linewidth=2.5)
        ax_in.add_patch(self.frame)
        ax_k.add_collection(PatchCollection(
            [Rectangle((n, m), 1, 1) for m in range(self.kh) for n in range(self.kw)],
            facecolors=FOOT, edgecolors=EDGE, linewidths=0.8))
        if write_k:
            for (m, n), v in np.ndenumerate(self.k):
                ax_k.text(n + 0.5, m + 0.45, self._fmt(v.item()), ha="center", va="center",
                          fontsize=small)
        self.out_keys = [(i, j) for i in range(self.ho) for j in range(self.wo)]
        self.out_cells = PatchCollection(
            [Rectangle((j, i), 1, 1) for i, j in self.out_keys], edgecolors=EDGE, linewidths=0.8)
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
            colours.append((FOOT_PAD if pad else FOOT) if inside else (PAD if pad else INPUT))
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
            [OUT_NOW if key == (i, j) else OUT_DONE if key < (i, j) else OUT for key in self.out_keys]
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
    fig = pyplot().figure(figsize=scene.figsize())
    scene.draw(fig)
    scene.show(i, j)
    return fig


class ConvAnimation:
    """An animation of a kernel sliding over an input, one frame per output position.

    Made by :func:`animate_conv`. In a notebook it displays as an animated PNG (the
    ``image/png`` output; browsers, JupyterLab, Colab and the book's website animate it); its
    text form is a fixed one-line summary, the same on every machine.

    Attributes
    ----------
    frames : list
        The frames, palette images (``PIL.Image.Image``), in reading order of the output cells.
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
