"""Tests of companion.plotting.experiments: results over seeds, mean curves with their spread,
and the top patches of a unit with its receptive field (chapter 8)."""

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


def test_plot_seed_spread_draws_every_seed_and_the_mean_and_std():
    runs = {"a": [0.80, 0.84, 0.83, 0.81, 0.82], "b": [0.94, 0.95, 0.95, 0.93, 0.96]}
    ax = plotting.plot_seed_spread(runs, title="spread")
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    np.testing.assert_allclose(dots[1].get_xdata(), 100 * np.array(runs["b"]), rtol=1e-12, atol=1e-12)
    bars = ax.containers
    t = torch.tensor(runs["a"], dtype=torch.float64) * 100
    segs = bars[0].lines[2][0].get_segments()[0]
    np.testing.assert_allclose([segs[0][0], segs[1][0]], [(t.mean() - t.std()).item(), (t.mean() + t.std()).item()],
                               rtol=1e-12, atol=1e-12)
    assert ax.get_title() == "spread" and [x.get_text() for x in ax.get_yticklabels()] == ["a", "b"]
    fig, axes = plt.subplots(1, 2)
    assert plotting.plot_seed_spread(runs, ax=axes[1]) is axes[1]


def test_plot_paired_differences_joins_each_seed_and_draws_the_paired_interval():
    from scipy import stats

    a, b = [0.93, 0.95, 0.94, 0.96, 0.94], [0.92, 0.93, 0.94, 0.95, 0.92]
    left, right = plotting.plot_paired_differences({"A": a, "B": b}, confidence=0.9)
    lines = left.get_lines()
    assert len(lines) == 5 and [t.get_text() for t in left.get_xticklabels()] == ["A", "B"]
    np.testing.assert_allclose(lines[1].get_ydata(), [95.0, 93.0], rtol=1e-12, atol=1e-12)
    dots = right.get_lines()[0]
    np.testing.assert_allclose(dots.get_ydata(), 100 * (np.array(a) - np.array(b)), rtol=1e-12, atol=1e-12)
    ci = stats.ttest_rel(100 * np.array(a), 100 * np.array(b)).confidence_interval(0.9)
    segs = right.containers[0].lines[2][0].get_segments()[0]
    np.testing.assert_allclose([segs[0][1], segs[1][1]], [ci.low, ci.high], rtol=1e-9, atol=1e-9)
    assert any(ln.get_linestyle() == "--" and list(ln.get_ydata()) == [0, 0] for ln in right.get_lines())
    assert left.figure is right.figure


def test_plot_paired_differences_rejects_bad_runs():
    with pytest.raises(ValueError, match="exactly 2 settings"):
        plotting.plot_paired_differences({"A": [0.9, 0.8]})
    with pytest.raises(ValueError, match="same seeds"):
        plotting.plot_paired_differences({"A": [0.9, 0.8], "B": [0.9, 0.8, 0.7]})
    with pytest.raises(TypeError, match="unit"):
        plotting.plot_paired_differences({"A": [0.9, 0.8], "B": [0.9, 0.7]}, unit=3)
    with pytest.raises(ValueError, match="confidence"):
        plotting.plot_paired_differences({"A": [0.9, 0.8], "B": [0.9, 0.7]}, confidence=1.5)


def test_plot_mean_curves_mean_line_and_band():
    curves = {"train": [[1.0, 0.5, 0.2], [1.2, 0.7, 0.4]], "val": [[1.0, 0.8, 0.9], [1.0, 0.8, 1.1]]}
    ax = plotting.plot_mean_curves([1, 2, 3], curves, ylabel="loss", title="t", styles={"val": {"linestyle": "--"}})
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.1, 0.6, 0.3], rtol=1e-12, atol=1e-12)
    assert ax.get_lines()[1].get_linestyle() == "--"
    assert len(ax.collections) == 2 and ax.get_ylabel() == "loss" and ax.get_title() == "t"


def test_plot_mean_curves_log_band_stays_positive():
    # At x = 2 the mean minus one std is 0.55 - 0.6364 < 0: on a log axis the band stops at 0.1.
    curves = {"loss": [[1.0, 0.1], [2.0, 1.0]]}
    ax = plotting.plot_mean_curves([1, 2], curves, yscale="log")
    assert ax.get_yscale() == "log"
    lower = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert lower.min() > 0
    std = np.std([1.0, 2.0], ddof=1)
    np.testing.assert_allclose(sorted(set(np.round(lower, 12)))[:2], [0.1, 1.5 - std], rtol=1e-12, atol=1e-12)
    lin = plotting.plot_mean_curves([1, 2], curves)
    assert lin.get_yscale() == "linear" and lin.collections[0].get_paths()[0].vertices[:, 1].min() < 0


def test_plot_top_patches_draws_the_boxes():
    images = np.random.default_rng(0).random((2, 3, 28, 28))
    boxes = np.tile(np.array([[2, 10], [4, 12]]), (2, 3, 1, 1))
    fig = plotting.plot_top_patches(images, boxes, row_titles=["unit 0", "unit 1"])
    assert len(fig.axes) == 6
    rect = fig.axes[0].patches[0]
    assert (rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()) == (3.5, 1.5, 8, 8)
    assert fig.axes[3].get_ylabel() == "unit 1"


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: plotting.plot_seed_spread({}), TypeError, r"runs must be a non-empty dict .* \(empty\)"),
        (lambda: plotting.plot_seed_spread([0.5]), TypeError, "runs must be a non-empty dict of name -> values, got list"),
        (lambda: plotting.plot_seed_spread({1: [0.5, 0.6]}), TypeError, "runs keys must be str, got int"),
        (lambda: plotting.plot_seed_spread({"a": [0.5]}), ValueError, r"runs\['a'\] must hold at least 2 seeds, got 1"),
        (lambda: plotting.plot_mean_curves([1, 2], {"a": [[1, 2, 3], [1, 2, 3]]}), ValueError,
         r"curves\['a'\] must have one column per x \(2\)"),
        (lambda: plotting.plot_mean_curves([1], {"a": [[1], [2]]}, styles=[1]), TypeError, "styles must be a dict"),
        (lambda: plotting.plot_mean_curves([1], {"a": [[1], [2]]}, yscale="symlog"), ValueError,
         "yscale must be 'linear' or 'log'"),
        (lambda: plotting.plot_mean_curves([1], {"a": [[0], [2]]}, yscale="log"), ValueError,
         r"curves\['a'\] must be positive"),
        (lambda: plotting.plot_top_patches(np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 2, 2), dtype=int)), ValueError,
         r"boxes must have shape \(1, 2, 2, 2\)"),
        (lambda: plotting.plot_top_patches(np.zeros((1, 2, 5, 5)), np.zeros((1, 2, 2, 2), dtype=int), row_titles=["a", "b"]),
         ValueError, "row_titles must be a list of 1 str"),
    ],
)
def test_bad_input(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
