"""Zero padding (equation eq-02-padding of chapter 2) against PyTorch and NumPy.

tests/test_convolution.py checks ``pad2d`` by hand; this module holds it to
``torch.nn.functional.pad``, the reference the book's equation cell shows.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion import pad2d


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (2, 3, 4, 6)])
@pytest.mark.parametrize("padding", [0, 1, 2, (1, 3), (0, 2)])
def test_pad2d_matches_torch_pad(shape, padding):
    x = np.random.default_rng(0).normal(size=shape)
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    expected = F.pad(torch.from_numpy(x), (pw, pw, ph, ph)).numpy()
    out = pad2d(x, padding)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)


def test_pad2d_constant_value_matches_torch_and_numpy():
    x = np.arange(12.0).reshape(3, 4)
    expected = F.pad(torch.from_numpy(x), (2, 2, 1, 1), value=-np.inf).numpy()
    np.testing.assert_array_equal(pad2d(x, (1, 2), value=-np.inf), expected)
    np.testing.assert_array_equal(pad2d(x, (1, 2), value=-np.inf),
                                  np.pad(x, ((1, 1), (2, 2)), constant_values=-np.inf))


def test_pad2d_integer_image_becomes_float():
    x = np.array([[3, 1], [4, 2]])
    out = pad2d(x, 1)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, F.pad(torch.tensor(x, dtype=torch.float64), (1, 1, 1, 1)).numpy())
