"""Tests of companion.plotting.plot_functions (graphs of activations, chapters 3 and 4)."""

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
    np.testing.assert_allclose(lines[0].get_xdata(), x)
    np.testing.assert_allclose(lines[0].get_ydata(), relu)
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
