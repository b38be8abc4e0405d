"""Tests of companion.plotting._style: the checks of the arguments every plotting helper takes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from companion.plotting import _style  # noqa: E402


def test_pyplot_is_matplotlib_pyplot():
    assert _style.pyplot() is plt


@pytest.mark.parametrize("size", [1, 2.5, np.float32(0.5)])
def test_check_size_returns_a_float(size):
    out = _style.check_size(size)
    assert isinstance(out, float) and out == float(size)


@pytest.mark.parametrize(
    "size, error, match",
    [
        (0, ValueError, r"^size must be a positive number of inches, got 0$"),
        (-1.5, ValueError, "got -1.5"),
        (float("nan"), ValueError, "got nan"),
        ("4", TypeError, r"^size must be a number, got str: '4'$"),
        (True, TypeError, "got bool"),
        (None, TypeError, "got NoneType"),
    ],
)
def test_check_size_bad_input(size, error, match):
    with pytest.raises(error, match=match):
        _style.check_size(size)


def test_check_title_and_ax():
    assert _style.check_title(None) is None and _style.check_title("t") == "t"
    with pytest.raises(TypeError, match="suptitle must be a str or None, got int"):
        _style.check_title(3, "suptitle")
    _, ax = plt.subplots()
    assert _style.check_ax(ax) is ax and _style.check_ax(None) is None
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None, got str"):
        _style.check_ax("axes")
    plt.close("all")
