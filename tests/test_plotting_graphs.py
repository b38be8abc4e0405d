"""Tests of companion.plotting.graphs: plot_functions (graphs of activations, chapters 3 and 4),
plot_dense_connections (chapter 6) and plot_probabilities (chapter 8)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from companion import plotting


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_functions_draws_each_curve_with_its_data():
    x = np.linspace(-3, 3, 61)
    relu = torch.relu(torch.from_numpy(x)).numpy()
    ax = plotting.plot_functions(x, {"ReLU": relu, "sigmoid": torch.sigmoid(torch.from_numpy(x)).numpy()},
                                 title="two", xlabel="z", ylabel="f(z)")
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("ReLU", "sigmoid")]
    assert [ln.get_label() for ln in lines] == ["ReLU", "sigmoid"]
    np.testing.assert_allclose(lines[0].get_xdata(), x, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(lines[0].get_ydata(), relu, rtol=1e-7, atol=1e-12)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("two", "z", "f(z)")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ReLU", "sigmoid"]


def test_plot_functions_existing_axes_marker_nan_and_tensors():
    fig, axes = plt.subplots(1, 2)
    x = torch.linspace(-1, 1, 5)
    y = np.array([0.0, 0.0, np.nan, 1.0, 1.0])
    ax = plotting.plot_functions(x, {"step": y}, ax=axes[1], marker="o")
    assert ax is axes[1] and len(fig.axes) == 2
    line = [ln for ln in ax.get_lines() if ln.get_label() == "step"][0]
    assert line.get_marker() == "o" and np.isnan(line.get_ydata()[2])
    default = plotting.plot_functions(np.arange(3), {"a": [1, 2, 3]}, size=2.0)
    assert tuple(default.figure.get_size_inches()) == pytest.approx((8 / 3, 2.0))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(x=np.zeros((2, 2)), curves={"a": [1, 2]}), ValueError, "x must be 1-D"),
        (dict(x=[1, 2], curves={}), TypeError, "non-empty dict"),
        (dict(x=[1, 2], curves=[1, 2]), TypeError, "non-empty dict"),
        (dict(x=[1, 2], curves={1: [1, 2]}), TypeError, "keys must be str"),
        (dict(x=[1, 2], curves={"a": [1, 2, 3]}), ValueError, "has shape (3,), but x has shape (2,)"),
        (dict(x=[1, 2], curves={"a": "12"}), TypeError, "curves['a']"),
        (dict(x=[1, 2], curves={"a": [1, 2]}, title=3), TypeError, "title"),
        (dict(x=[1, 2], curves={"a": [1, 2]}, xlabel=3), TypeError, "xlabel"),
        (dict(x=[1, 2], curves={"a": [1, 2]}, ax="axes"), TypeError, "ax must be"),
        (dict(x=[1, 2], curves={"a": [1, 2]}, size=0), ValueError, "size"),
        (dict(x=[1, 2], curves={"a": [1, 2]}, marker=1), TypeError, "marker"),
    ],
)
def test_plot_functions_bad_input(kwargs, error, message):
    with pytest.raises(error) as info:
        plotting.plot_functions(**kwargs)
    assert message in str(info.value)


def test_dense_connections_one_line_per_weight_and_colours_by_sign():
    w = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    ax = plotting.plot_dense_connections(3, 2, weight=w, labels=("x", "o"), title="t")
    assert len(ax.lines) == 6
    assert ax.get_title() == "t"
    colours = [line.get_color() for line in ax.lines]
    assert colours[0] == "#cc0000" and colours[1] == "#1f5fbf"
    widths = [line.get_linewidth() for line in ax.lines]
    assert widths[4] == max(widths)  # |3| is the largest weight
    assert [t.get_text() for t in ax.texts] == ["x", "o"]


def test_dense_connections_draws_on_a_given_axes():
    _, ax = plt.subplots()
    assert plotting.plot_dense_connections(5, 1, ax=ax) is ax
    assert len(ax.lines) == 5


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"n_in": 0, "n_out": 2}, ValueError),
        ({"n_in": 41, "n_out": 2}, ValueError),
        ({"n_in": 2, "n_out": 2, "weight": np.zeros((2, 3))}, ValueError),
        ({"n_in": 2, "n_out": 2, "labels": "ab"}, TypeError),
        ({"n_in": 2, "n_out": 2, "title": 3}, TypeError),
        ({"n_in": 2, "n_out": 2, "size": -1}, ValueError),
        ({"n_in": 2, "n_out": 2, "ax": "axes"}, TypeError),
    ],
)
def test_dense_connections_bad_input(kwargs, error):
    with pytest.raises(error):
        plotting.plot_dense_connections(**kwargs)


def test_probabilities_one_bar_per_class_prediction_dark_true_class_outlined():
    p = np.array([0.05, 0.6, 0.3, 0.05])
    ax = plotting.plot_probabilities(p, true_class=2, title="a 2")
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights, p, rtol=1e-7, atol=1e-12)
    faces = [b.get_facecolor() for b in ax.patches]
    assert faces[1] != faces[0] and faces[0] == faces[2] == faces[3]
    widths = [b.get_linewidth() for b in ax.patches]
    assert widths[2] == max(widths) > widths[1]
    assert ax.get_title() == "a 2"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]


def test_probabilities_draws_on_a_given_axes_and_accepts_tensors():
    _, ax = plt.subplots()
    assert plotting.plot_probabilities(torch.softmax(torch.zeros(10), 0), ax=ax) is ax
    assert len(ax.patches) == 10


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"probs": np.zeros((2, 2))}, ValueError),
        ({"probs": "abc"}, TypeError),
        ({"probs": [0.5, 0.5], "true_class": 2}, ValueError),
        ({"probs": [0.5, 0.5], "true_class": -1}, ValueError),
        ({"probs": [0.5, 0.5], "title": 3}, TypeError),
        ({"probs": [0.5, 0.5], "size": 0}, ValueError),
        ({"probs": [0.5, 0.5], "ax": "axes"}, TypeError),
    ],
)
def test_probabilities_bad_input(kwargs, error):
    with pytest.raises(error):
        plotting.plot_probabilities(**kwargs)


def _filled_input_span(ax):
    """Width, in input pixels, of the filled input units (the bottom row) of the drawing."""
    import matplotlib.colors as mcolors

    filled = [c for c in ax.collections if len(c.get_offsets()) and
              mcolors.to_hex(c.get_facecolor()[0]) == "#b6d7a8" and c.get_offsets()[0][1] == 0]
    xs = np.concatenate([c.get_offsets()[:, 0] for c in filled])
    return int(xs.max() - xs.min() + 1)


@pytest.mark.parametrize("layers, n_in", [([(3, 1), (3, 1)], 9), ([(3, 1), (2, 2), (3, 1)], 20),
                                          ([(3, 1, 2), (3, 2)], 24), ([(5, 1)], 5)])
def test_receptive_field_drawing_fills_what_autograd_reaches(layers, n_in):
    ax = plotting.plot_receptive_field(layers, n_in, title="rf")
    assert ax.get_title() == "rf"
    # torch: the input positions with a nonzero gradient of the middle top unit
    x = torch.ones(1, 1, n_in, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        k, s = layer[0], layer[1]
        d = layer[2] if len(layer) == 3 else 1
        y = torch.nn.functional.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    y[0, 0, y.shape[-1] // 2].backward()
    reached = np.nonzero(x.grad[0, 0].numpy())[0]
    assert _filled_input_span(ax) == reached.max() - reached.min() + 1
    assert ax.texts[-1].get_text().endswith(f"r = {reached.max() - reached.min() + 1}")


def test_receptive_field_drawing_on_a_given_axes_and_bad_input():
    _, ax = plt.subplots()
    assert plotting.plot_receptive_field([(3, 1)], 6, ax=ax) is ax
    with pytest.raises(ValueError, match=r"^n_in must be at most 64"):
        plotting.plot_receptive_field([(3, 1)], 65)
    with pytest.raises(ValueError, match=r"^layer 2 \(kernel_size=3, dilation=1\) spans 3 units, more than the 2"):
        plotting.plot_receptive_field([(3, 1), (3, 1)], 4)
    with pytest.raises(TypeError, match=r"^layers must be a list or tuple"):
        plotting.plot_receptive_field("3x3", 6)
    with pytest.raises(ValueError, match=r"^n_in must be at least 1"):
        plotting.plot_receptive_field([(1, 1)], 0)
