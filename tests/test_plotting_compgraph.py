"""Tests of companion.plotting.compgraph: plot_compgraph (chapter 9)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from companion import plotting
from companion.plotting import _style

NODES = {"x": (0, 1, "x"), "w": (0, 0, "w"), "h": (1, 0.5, "h = x w"), "L": (2, 0.5, "L = h + x")}
EDGES = [("x", "h"), ("w", "h"), ("h", "L"), ("x", "L")]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _boxes(ax):
    """Node text -> its box colour."""
    return {t.get_text(): to_hex(t.get_bbox_patch().get_facecolor()) for t in ax.texts
            if t.get_bbox_patch() is not None and t.get_fontsize() == 9}


def test_nodes_edges_and_colours():
    ax = plotting.plot_compgraph(NODES, EDGES, title="fork", highlight=["x"])
    colours = _boxes(ax)
    assert colours == {"x": _style.OUT_NOW, "w": _style.INPUT, "h = x w": _style.OUT_DONE,
                       "L = h + x": _style.OUT_DONE}
    arrows = [t for t in ax.texts if t.get_text() == "" and t.arrow_patch is not None]
    assert len(arrows) == len(EDGES)
    ends = sorted((tuple(a.xyann), tuple(a.xy)) for a in arrows)
    expected = sorted(((float(NODES[s][0]), float(NODES[s][1])), (float(NODES[t][0]), float(NODES[t][1])))
                      for s, t in EDGES)
    assert ends == expected
    assert ax.get_title() == "fork" and not ax.axison
    positions = {t.get_text(): t.get_position() for t in ax.texts if t.get_text()}
    np.testing.assert_allclose(positions["h = x w"], (1.0, 0.5), rtol=1e-12, atol=1e-12)


def test_values_above_and_gradients_below_the_middle_of_an_edge():
    fig, axes = plt.subplots(1, 2)
    ax = plotting.plot_compgraph(NODES, EDGES, ax=axes[1], values={("h", "L"): "6"},
                                 grads={("h", "L"): "1", ("x", "L"): "1"}, leaves=["x", "w"])
    assert ax is axes[1]
    notes = {t.get_text(): t for t in ax.texts if t.get_text() in ("6", "1")}
    assert notes["6"].get_va() == "bottom" and notes["1"].get_va() == "top"
    assert to_hex(notes["1"].get_color()) == "#cc0000"
    np.testing.assert_allclose(notes["6"].get_position(), (1.5, 0.5), rtol=1e-12, atol=1e-12)
    assert sum(t.get_text() == "1" for t in ax.texts) == 2


def test_bad_arguments():
    with pytest.raises(TypeError, match="nodes must be a non-empty dict"):
        plotting.plot_compgraph({}, [])
    with pytest.raises(TypeError, match="nodes must be a non-empty dict"):
        plotting.plot_compgraph([("x", 0, 0)], [])
    with pytest.raises(ValueError, match=r"nodes\['x'\] must be a tuple \(x, y, text\)"):
        plotting.plot_compgraph({"x": (0, 0)}, [])
    with pytest.raises(TypeError, match="must start with two numbers"):
        plotting.plot_compgraph({"x": ("0", 0, "x")}, [])
    with pytest.raises(TypeError, match="text must be a str"):
        plotting.plot_compgraph({"x": (0, 0, 1)}, [])
    with pytest.raises(ValueError, match="names unknown nodes"):
        plotting.plot_compgraph(NODES, [("x", "y")])
    with pytest.raises(ValueError, match="must be a pair"):
        plotting.plot_compgraph(NODES, [("x",)])
    with pytest.raises(TypeError, match="grads must be a dict"):
        plotting.plot_compgraph(NODES, EDGES, grads=[("x", "h")])
    with pytest.raises(ValueError, match="is not one of the edges"):
        plotting.plot_compgraph(NODES, EDGES, values={("w", "L"): "1"})
    with pytest.raises(TypeError, match="must be a str"):
        plotting.plot_compgraph(NODES, EDGES, grads={("x", "h"): 1.0})
    with pytest.raises(TypeError, match="highlight must be an iterable of node names"):
        plotting.plot_compgraph(NODES, EDGES, highlight="x")
    with pytest.raises(ValueError, match="leaves names unknown nodes"):
        plotting.plot_compgraph(NODES, EDGES, leaves=["q"])
    with pytest.raises(TypeError, match="title"):
        plotting.plot_compgraph(NODES, EDGES, title=3)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plotting.plot_compgraph(NODES, EDGES, ax="here")
    assert plt.get_fignums() == []  # nothing drawn before the checks
