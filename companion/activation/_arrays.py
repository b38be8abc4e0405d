"""What the activation modules share: their results are NumPy arrays, never NumPy scalars."""

from __future__ import annotations

import numpy as np


def _out(values):
    """Return ``values`` as an ndarray (NumPy turns 0-d results into scalars)."""
    return np.asarray(values)
