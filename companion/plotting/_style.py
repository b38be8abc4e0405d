"""The look shared by the book's pictures: colours, figure sizes, and the checks of the
arguments every plotting helper takes (``size``, ``title``, ``ax``).

matplotlib is imported only inside :func:`pyplot`, when a helper first draws.
"""

from __future__ import annotations

from .._validation import check_real

__all__: list[str] = []

# Colours of the sliding-kernel pictures, after Dumoulin & Visin's convolution arithmetic;
# the other pictures reuse them.
INPUT = "#cfe2f3"
PAD = "#ffffff"
FOOT = "#6fa8dc"
FOOT_PAD = "#b7d3ee"
FRAME = "#1c4587"
OUT = "#eef5ea"
OUT_DONE = "#b6d7a8"
OUT_NOW = "#6aa84f"
EDGE = "#666666"


def pyplot():
    """``matplotlib.pyplot``, imported on first use."""
    import matplotlib.pyplot as plt

    return plt


def check_size(size, name="size"):
    """A figure size in inches: a positive number, returned as a float."""
    return float(check_real(size, name, above=0, described="a positive number of inches"))


def check_title(title, name="title"):
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{name} must be a str or None, got {type(title).__name__}")
    return title


def check_ax(ax):
    if ax is not None and not hasattr(ax, "imshow"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax
