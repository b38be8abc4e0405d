"""plot_dense_connections (chapter 6)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from companion.plotting import plot_dense_connections  # noqa: E402


def teardown_function():
    plt.close("all")


def test_one_line_per_weight_and_colours_by_sign():
    w = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    ax = plot_dense_connections(3, 2, weight=w, labels=("x", "o"), title="t")
    assert len(ax.lines) == 6
    assert ax.get_title() == "t"
    colours = [line.get_color() for line in ax.lines]
    assert colours[0] == "#cc0000" and colours[1] == "#1f5fbf"
    widths = [line.get_linewidth() for line in ax.lines]
    assert widths[4] == max(widths)  # |3| is the largest weight
    assert [t.get_text() for t in ax.texts] == ["x", "o"]


def test_draws_on_a_given_axes():
    _, ax = plt.subplots()
    assert plot_dense_connections(5, 1, ax=ax) is ax
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
def test_bad_input(kwargs, error):
    with pytest.raises(error):
        plot_dense_connections(**kwargs)
