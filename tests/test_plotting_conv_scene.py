"""Tests of companion.plotting.conv_scene (plot_conv_step, animate_conv), on matplotlib's
off-screen Agg backend."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from companion import plotting  # noqa: E402
from companion.plotting import _style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _out(n, k, s=1, p=0, d=1):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _input_colours(fig):
    return fig.axes[0].collections[0].get_facecolors()


@pytest.mark.parametrize(
    "shape, k, s, p, d",
    [((5, 5), 3, 1, 0, 1), ((5, 5), 3, 2, 1, 1), ((7, 6), (3, 2), (2, 1), (1, 0), (2, 1))],
)
def test_plot_conv_step_highlights_receptive_field(shape, k, s, p, d):
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    ph, pw = (p, p) if isinstance(p, int) else p
    dh, dw = (d, d) if isinstance(d, int) else d
    ho, wo = _out(shape[0], kh, sh, ph, dh), _out(shape[1], kw, sw, pw, dw)
    fig = plotting.plot_conv_step(shape, k, ho - 1, wo - 1, stride=s, padding=p, dilation=d)
    ax_in, ax_k, ax_out = fig.axes
    n_cells = (shape[0] + 2 * ph) * (shape[1] + 2 * pw)
    assert len(ax_in.collections[0].get_paths()) == n_cells
    assert len(ax_k.collections[0].get_paths()) == kh * kw
    assert len(ax_out.collections[0].get_paths()) == ho * wo
    foot = matplotlib.colors.to_rgba(_style.FOOT)
    foot_pad = matplotlib.colors.to_rgba(_style.FOOT_PAD)
    colours = [tuple(c) for c in _input_colours(fig)]
    assert sum(c in (foot, foot_pad) for c in colours) == kh * kw
    now = matplotlib.colors.to_rgba(_style.OUT_NOW)
    out_colours = [tuple(c) for c in ax_out.collections[0].get_facecolors()]
    assert out_colours[-1] == now and out_colours.count(now) == 1
    frame = ax_in.patches[-1]
    assert (frame.get_width(), frame.get_height()) == (dw * (kw - 1) + 1, dh * (kh - 1) + 1)


def test_plot_conv_step_values_match_cross_correlation():
    x = np.array([[1, 0, 2, 3, 1], [0, 1, 3, 1, 0], [2, 1, 0, 0, 2], [1, 3, 1, 2, 0], [0, 2, 1, 1, 3]])
    k = np.array([[-1, 0, 1], [-2, 0, 1], [0, -1, -1]])
    torch_y = torch.nn.functional.conv2d(torch.tensor(x[None, None]).double(), torch.tensor(k[None, None]).double())
    fig = plotting.plot_conv_step(x, k, 0, 0)
    assert fig._suptitle.get_text().startswith(f"output (0, 0) = {int(torch_y[0, 0, 0, 0])};")
    shown = [t for t in fig.axes[2].texts if t.get_visible() and t.get_text()[0] in "-0123456789"]
    assert [t.get_text() for t in shown] == [str(int(torch_y[0, 0, 0, 0]))]
    fig2 = plotting.plot_conv_step(x / 10, k, 2, 2, padding=1, annotate=True)
    ys = [t for t in fig2.axes[2].texts if t.get_visible() and t.get_text()[0] in "-0123456789."]
    assert len(ys) == 2 * 5 + 3  # cells done in reading order, and the current one
    fig3 = plotting.plot_conv_step(x, k, 0, 0, annotate=False)
    assert len(fig3.axes[0].texts) == 1  # only the panel label


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        (((5, 5), 3, 3, 0), {}, ValueError, r"i=3 must be in 0..2 \(the output height is 3\)"),
        (((5, 5), 3, 0, -1), {}, ValueError, "j=-1"),
        (((5, 5), 3, 0, 1.0), {}, TypeError, "j must be an int"),
        (((2, 2), 3, 0, 0), {}, ValueError, "larger than the padded input 2x2"),
        (((5, 5), 3, 0, 0), {"stride": 0}, ValueError, "stride"),
        (((5, 5), 3, 0, 0), {"padding": -1}, ValueError, "padding"),
        (((5, 5), 3, 0, 0), {"dilation": (1, 0)}, ValueError, "dilation"),
        (((30, 5), 3, 0, 0), {}, ValueError, "too large"),
        (((0, 5), 3, 0, 0), {}, ValueError, "x must be at least 1"),
        (((5, 5), 0, 0, 0), {}, ValueError, "kernel"),
        ((np.zeros(5), 3, 0, 0), {}, ValueError, "x must be 2-D"),
        (((5, 5), np.zeros(3), 0, 0), {}, ValueError, "kernel must be 2-D"),
        (((5, 5), 3, 0, 0), {"annotate": 1}, TypeError, "annotate"),
    ],
)
def test_plot_conv_step_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plotting.plot_conv_step(*args, **kwargs)


@pytest.mark.parametrize("shape, k, s, p, d", [((4, 4), 3, 1, 0, 1), ((5, 4), 2, (2, 1), 1, (1, 2))])
def test_animate_conv_one_frame_per_output_position(shape, k, s, p, d):
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    ho = _out(shape[0], pair(k)[0], pair(s)[0], pair(p)[0], pair(d)[0])
    wo = _out(shape[1], pair(k)[1], pair(s)[1], pair(p)[1], pair(d)[1])
    n_before = len(plt.get_fignums())
    anim = plotting.animate_conv(shape, k, stride=s, padding=p, dilation=d, dpi=40)
    assert len(plt.get_fignums()) == n_before  # nothing left for a notebook to show
    assert len(anim) == ho * wo and anim.output_shape == (ho, wo)
    gif = Image.open(io.BytesIO(anim.to_gif()))
    assert gif.format == "GIF" and gif.n_frames == ho * wo
    png = Image.open(io.BytesIO(anim._repr_png_()))
    assert png.format == "PNG" and png.n_frames == ho * wo
    assert repr(anim).startswith(f"<ConvAnimation: {ho * wo} frames, input {shape[0]}x{shape[1]}")


def test_animate_conv_is_deterministic_small_and_saves(tmp_path):
    x = np.arange(16).reshape(4, 4) % 4
    k = np.array([[1, 0, -1]] * 3)
    a = plotting.animate_conv(x, k)
    b = plotting.animate_conv(x, k)
    assert a.to_gif() == b.to_gif() and a.to_png() == b.to_png()
    # the book's typical case, a 5x5 input with padding 1 (25 frames), stays small
    typical = plotting.animate_conv(np.arange(25).reshape(5, 5) % 4, k, padding=1)
    assert len(typical.to_png()) < 300_000 and len(typical.to_gif()) < 300_000
    a.save(tmp_path / "a.gif")
    a.save(tmp_path / "a.png")
    assert Image.open(tmp_path / "a.gif").n_frames == 4
    assert (tmp_path / "a.png").read_bytes() == a.to_png()
    with pytest.raises(ValueError, match="path must end in .gif or .png"):
        a.save(tmp_path / "a.mp4")


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"interval": 0}, ValueError, "interval"),
        ({"dpi": 5}, ValueError, "dpi"),
        ({"max_frames": 3}, ValueError, "would have 9 frames"),
        ({"kernel": 6}, ValueError, "larger than the padded input"),
    ],
)
def test_animate_conv_bad_input(kwargs, exc, match):
    args = {"x": (5, 5), "kernel": 3}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plotting.animate_conv(**args)
