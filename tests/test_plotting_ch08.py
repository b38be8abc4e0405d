"""plot_probabilities (chapter 8)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from companion.plotting import plot_probabilities  # noqa: E402


def teardown_function():
    plt.close("all")


def test_one_bar_per_class_prediction_dark_true_class_outlined():
    p = np.array([0.05, 0.6, 0.3, 0.05])
    ax = plot_probabilities(p, true_class=2, title="a 2")
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights, p)
    faces = [b.get_facecolor() for b in ax.patches]
    assert faces[1] != faces[0] and faces[0] == faces[2] == faces[3]
    widths = [b.get_linewidth() for b in ax.patches]
    assert widths[2] == max(widths) > widths[1]
    assert ax.get_title() == "a 2"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]


def test_draws_on_a_given_axes_and_accepts_tensors():
    _, ax = plt.subplots()
    assert plot_probabilities(torch.softmax(torch.zeros(10), 0), ax=ax) is ax
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
def test_bad_input(kwargs, error):
    with pytest.raises(error):
        plot_probabilities(**kwargs)
