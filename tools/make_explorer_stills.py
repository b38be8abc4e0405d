"""Draw the still figures that stand in for the interactive explorers where no script runs
(Jupyter, Colab): book/images/explorer_<name>.png, with the companion's plotting helpers.

Each still shows the explorer's opening state: the settings its script starts with
(book/_ext/static/explorers.js). Run from the repository's root:

    .venv/bin/python tools/make_explorer_stills.py

and commit the PNGs (small: 8-bit palette images at a modest resolution).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import companion  # noqa: E402
from explorers import WORKED_CONV, WORKED_POOL  # noqa: E402

OUT = ROOT / "book" / "images"
DPI = 72


def save(fig, name):
    """Write the figure as a small palette PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    buf.seek(0)
    image = Image.open(buf).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    path = OUT / f"explorer_{name}.png"
    image.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


def convolution():
    fig = companion.plot_conv_step(np.array(WORKED_CONV), companion.KERNELS["vertical_edge"].astype(int), i=0, j=0)
    save(fig, "convolution")


def pooling():
    I = np.array(WORKED_POOL, dtype=np.float64)
    P = companion.max_pool2d(I, kernel_size=2)
    grad = companion.max_pool2d_backward(np.ones_like(P), I, kernel_size=2)
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.6), gridspec_kw={"width_ratios": [1, 0.6, 1]})
    companion.show_matrix(I, ax=axes[0], fmt=".0f", window=((0, 2), (0, 2)), title="I, window of P[0,0]")
    companion.show_matrix(P, ax=axes[1], fmt=".0f", cmap="Greens", title="P = max pool, k = s = 2")
    companion.show_matrix(grad, ax=axes[2], fmt=".0f", cmap="Oranges", title="gradient sent back to I")
    fig.tight_layout()
    save(fig, "pooling")


def activation():
    x = np.linspace(-5, 5, 201)
    x0 = 0.5
    fig, ax = plt.subplots(figsize=(5.0, 3.0))
    companion.plot_functions(x, {"ReLU(x)": companion.relu(x), "ReLU'(x)": companion.relu_grad(x)}, ax=ax,
                             title="ReLU and its slope; the point x = 0.5")
    ax.plot([x0], [companion.relu(np.array([x0]))[0]], "o", color="black")
    save(fig, "activation")


def receptive_field():
    # The explorer's opening stack: 3x3 conv, 2x2 stride-2 pool, 3x3 conv on a 16 x 16 input,
    # unit (0, 0) of the last layer. The region is where its gradient is nonzero.
    n, layers, unit = 16, [(3, 1), (2, 2), (3, 1)], (0, 0)
    r = companion.receptive_field(layers)
    mask = np.zeros((n, n))
    mask[unit[0] * 2:unit[0] * 2 + r, unit[1] * 2:unit[1] * 2 + r] = 1
    fig, ax = plt.subplots(figsize=(3.2, 3.2))
    companion.plot(mask, ax=ax, cmap="Blues", vmin=0, vmax=1.6,
                   title=f"receptive field of unit (0, 0): {r} x {r}")
    save(fig, "receptive_field")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for make in (convolution, pooling, activation, receptive_field):
        make()
