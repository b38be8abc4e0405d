"""Tests of companion.plotting.training: plot_layer_stds and plot_seed_curves (chapter 10)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from companion import plotting


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_layer_stds_draws_each_scheme():
    ax = plotting.plot_layer_stds({"he": [1.0, 1.2, 0.9], "small": [0.5, 0.2, 0.05]}, title="t", size=2.5)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["he", "small"]
    np.testing.assert_array_equal(lines[1].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.5, 0.2, 0.05], rtol=1e-12, atol=1e-12)
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    _, ax2 = plt.subplots()
    assert plotting.plot_layer_stds({"a": [1.0]}, ax=ax2) is ax2


def test_plot_seed_curves_draws_mean_and_range():
    runs = np.array([[3.0, 2.0, 1.0, 0.5], [3.0, 2.5, 1.5, 0.7]])
    ax = plotting.plot_seed_curves({"sgd": runs}, title="losses", smooth=2)
    line = ax.get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), [2, 3, 4])
    smoothed = np.array([[2.5, 1.5, 0.75], [2.75, 2.0, 1.1]])
    np.testing.assert_allclose(line.get_ydata(), smoothed.mean(axis=0), rtol=1e-12, atol=1e-12)
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.75, rel=1e-12, abs=1e-12)
    assert band[:, 1].max() == pytest.approx(2.75, rel=1e-12, abs=1e-12)


def test_bad_input():
    with pytest.raises(TypeError, match="stds must be a non-empty dict"):
        plotting.plot_layer_stds([1.0, 2.0])
    with pytest.raises(ValueError, match="positive values"):
        plotting.plot_layer_stds({"a": [1.0, 0.0]})
    with pytest.raises(TypeError, match="curves must be a non-empty dict"):
        plotting.plot_seed_curves({})
    with pytest.raises(ValueError, match="must be 2-D"):
        plotting.plot_seed_curves({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="smooth must be an int"):
        plotting.plot_seed_curves({"a": [[1.0, 2.0]]}, smooth=0)
    with pytest.raises(ValueError, match="fewer than smooth"):
        plotting.plot_seed_curves({"a": [[1.0, 2.0]]}, smooth=3)
    with pytest.raises(TypeError, match="title must be a str"):
        plotting.plot_seed_curves({"a": [[1.0, 2.0]]}, title=3)


def test_plot_seed_points_draws_mean_and_range():
    runs = np.array([[0.8, 0.5, 0.1], [0.9, 0.3, 0.1], [0.85, 0.4, 0.1]])
    ax = plotting.plot_seed_points([0.05, 0.2, 0.8], {"plain": runs}, xlabel="lr", ylabel="acc", log_x=True,
                                   title="t")
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), runs.mean(axis=0), rtol=1e-12, atol=1e-12)
    segments = ax.collections[0].get_segments()
    np.testing.assert_allclose([s[:, 1].min() for s in segments], runs.min(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose([s[:, 1].max() for s in segments], runs.max(axis=0), rtol=1e-12, atol=1e-12)
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="must have 3 columns"):
        plotting.plot_seed_points([1, 2, 3], {"a": [[1.0, 2.0]]})
    with pytest.raises(TypeError, match="values must be a non-empty dict"):
        plotting.plot_seed_points([1, 2], [[1.0, 2.0]])
    with pytest.raises(TypeError, match="log_x must be True or False"):
        plotting.plot_seed_points([1, 2], {"a": [[1.0, 2.0]]}, log_x=1)
