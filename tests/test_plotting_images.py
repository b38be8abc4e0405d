"""Tests of companion.plotting.images (plot, show_matrix, plot_grid, plot_kernels, plot_feature_maps),
on matplotlib's off-screen Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from companion import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_array_and_tensor():
    ax = plotting.plot(np.arange(12, dtype=np.uint8).reshape(3, 4), title="t")
    assert ax.get_title() == "t" and len(ax.images) == 1 and not ax.axison
    assert ax.images[0].get_clim() == (0, 255)  # uint8 drawn as stored, not stretched
    t = torch.rand(1, 1, 5, 5, requires_grad=True)
    ax2 = plotting.plot(t)
    assert ax2.images[0].get_array().shape == (5, 5)
    assert np.allclose(ax2.images[0].get_array(), t.detach().numpy()[0, 0], rtol=1e-5, atol=1e-8)
    _, ax3 = plt.subplots()
    assert plotting.plot(np.zeros((2, 2), bool), ax=ax3) is ax3
    assert ax3.images[0].get_clim() == (0, 1)
    ax4 = plotting.plot(np.full((4, 4, 3), 0.5))  # colour floats in [0, 1]
    assert ax4.images[0].get_array().shape == (4, 4, 3)
    ax5 = plotting.plot(np.linspace(-1, 3, 9).reshape(3, 3), vmin=0, vmax=1)
    assert ax5.images[0].get_clim() == (0, 1)


def test_plot_never_shows(monkeypatch):
    calls = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: calls.append(1))
    plotting.plot(np.eye(3))
    plotting.plot_grid(np.zeros((2, 3, 3)))
    assert calls == []


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"x": np.zeros((2, 3, 5))}, ValueError, "x must be a 2-D image"),
        ({"x": "image"}, TypeError, "x must be an array"),
        ({"x": np.full((2, 2, 3), 2.0)}, ValueError, r"values in \[0, 1\]"),
        ({"title": 3}, TypeError, "title"),
        ({"ax": "left"}, TypeError, "ax must be a matplotlib Axes"),
        ({"size": 0}, ValueError, "size"),
    ],
)
def test_plot_bad_input(kwargs, exc, match):
    args = {"x": np.eye(2)}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plotting.plot(**args)


def test_show_matrix():
    a = np.array([[1, -2, 3], [4, 5, 6]])
    ax = plotting.show_matrix(a, window=(slice(0, 2), slice(1, None)), title="m")
    assert [t.get_text() for t in ax.texts] == ["1", "-2", "3", "4", "5", "6"]
    assert len(ax.patches) == 1 and ax.patches[0].get_width() == 2
    ax2 = plotting.show_matrix(np.array([[0.5, 1.25]]), fmt=".1f")
    assert [t.get_text() for t in ax2.texts] == ["0.5", "1.2"]
    ax3 = plotting.show_matrix(np.array([[0.5, 1.0]]))
    assert ax3.texts[0].get_text() == "0.50"
    ax4 = plotting.show_matrix(np.array([[2.0, 3.0]]), size=0.3)
    assert ax4.texts[1].get_text() == "3"


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"a": np.zeros((31, 2))}, ValueError, "at most 30"),
        ({"a": np.zeros(3)}, ValueError, "a must be 2-D"),
        ({"fmt": 3}, TypeError, "fmt"),
        ({"fmt": "q"}, ValueError, "fmt"),
        ({"window": (0, 1, 2)}, ValueError, "window must be a pair"),
        ({"window": ((0, 1), 5)}, ValueError, "window cols"),
        ({"window": ((0, 4), (0, 1))}, ValueError, "window rows 0:4"),
        ({"window": (slice(0, 2, 2), (0, 1))}, ValueError, "step 1"),
        ({"window": ((0.5, 1), (0, 1))}, TypeError, "window rows start"),
    ],
)
def test_show_matrix_bad_input(kwargs, exc, match):
    args = {"a": np.zeros((3, 3))}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plotting.show_matrix(**args)


def test_plot_grid_counts_images():
    fig = plotting.plot_grid(np.zeros((10, 28, 28), np.uint8), titles=[str(k) for k in range(10)], ncols=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 10 and len(fig.axes) == 12 and drawn[3].get_title() == "3"
    fig2 = plotting.plot_grid([np.zeros((3, 3)), np.ones((5, 4))], suptitle="two sizes")
    assert len(fig2.axes) == 2 and fig2._suptitle.get_text() == "two sizes"
    fig3 = plotting.plot_grid(torch.zeros(3, 1, 4, 4))
    assert len(fig3.axes) == 3
    fig4 = plotting.plot_grid(np.zeros((2, 4, 4, 3), np.uint8))
    assert fig4.axes[0].images[0].get_array().shape == (4, 4, 3)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"images": []}, ValueError, "must not be empty"),
        ({"images": np.zeros((2, 2))}, ValueError, "images must be"),
        ({"titles": "abc"}, TypeError, "titles"),
        ({"titles": ["a"]}, ValueError, "one entry per image"),
        ({"ncols": 0}, ValueError, "ncols"),
        ({"suptitle": 1}, TypeError, "suptitle"),
    ],
)
def test_plot_grid_bad_input(kwargs, exc, match):
    args = {"images": np.zeros((2, 3, 3))}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        plotting.plot_grid(**args)


def test_plot_kernels_shapes():
    w = np.random.default_rng(0).normal(size=(2, 3, 3, 3))
    fig = plotting.plot_kernels(w)
    assert len(fig.axes) == 6 and fig.axes[4].get_title() == "out 1, in 1"
    assert len(fig.axes[0].texts) == 9
    fig2 = plotting.plot_kernels(np.zeros((9, 9)), titles=["big"])
    assert fig2.axes[0].get_title() == "big" and not fig2.axes[0].texts
    fig3 = plotting.plot_kernels(torch.ones(4, 1, 2, 2), annotate=False)
    assert len(fig3.axes) == 4 and not fig3.axes[0].texts
    fig4 = plotting.plot_kernels(np.ones((6, 6)), annotate=True)
    assert len(fig4.axes[0].texts) == 36


def test_plot_kernels_with_companion_kernels():
    from companion import KERNELS

    fig = plotting.plot_kernels(dict(KERNELS))
    assert [ax.get_title() for ax in fig.axes if ax.images] == list(KERNELS)


@pytest.mark.parametrize(
    "weight, kwargs, exc, match",
    [
        ({}, {}, ValueError, "empty dict"),
        (np.zeros((2, 3, 3)), {}, ValueError, "weight must be 2-D or 4-D"),
        ({"a": np.zeros(3)}, {}, ValueError, "weight\\['a'\\] must be 2-D"),
        (np.zeros((3, 3)), {"annotate": "yes"}, TypeError, "annotate"),
    ],
)
def test_plot_kernels_bad_input(weight, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        plotting.plot_kernels(weight, **kwargs)


def test_plot_feature_maps():
    fig = plotting.plot_feature_maps(torch.rand(1, 5, 6, 6), ncols=3)
    assert [ax.get_title() for ax in fig.axes if ax.images] == [f"map {c}" for c in range(5)]
    fig2 = plotting.plot_feature_maps(np.zeros((2, 4, 4)), titles=["a", "b"])
    assert fig2.axes[1].get_title() == "b"
    with pytest.raises(ValueError, match="batch of one"):
        plotting.plot_feature_maps(np.zeros((2, 2, 4, 4)))
    with pytest.raises(ValueError, match="maps must be 3-D or 4-D"):
        plotting.plot_feature_maps(np.zeros((4, 4)))
