"""companion.convolution.formulas against scipy.signal (correlate2d, convolve2d) and
torch.nn.functional (the output size of conv2d, pad)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from companion.convolution.formulas import conv_output_size, convolve2d, correlate2d, pad2d


EXACT = dict(rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------- scipy twins


SIGNAL_SHAPES = [((5, 5), (3, 3)), ((6, 8), (2, 3)), ((7, 4), (4, 2)), ((3, 3), (1, 1)), ((9, 6), (3, 6))]


BIG_KERNEL = [((3, 4), (5, 6)), ((4, 4), (2, 5)), ((2, 6), (3, 3))]


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes", SIGNAL_SHAPES)
def test_correlate2d_and_convolve2d_match_scipy(shapes, mode):
    rng = np.random.default_rng(2)
    image, kernel = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    np.testing.assert_allclose(correlate2d(image, kernel, mode), signal.correlate2d(image, kernel, mode), **EXACT)
    np.testing.assert_allclose(convolve2d(image, kernel, mode), signal.convolve2d(image, kernel, mode), **EXACT)


@pytest.mark.parametrize("mode", ["full", "same"])
@pytest.mark.parametrize("shapes", BIG_KERNEL)
def test_kernel_larger_than_image_matches_scipy(shapes, mode):
    rng = np.random.default_rng(3)
    image, kernel = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    np.testing.assert_allclose(correlate2d(image, kernel, mode), signal.correlate2d(image, kernel, mode), **EXACT)
    np.testing.assert_allclose(convolve2d(image, kernel, mode), signal.convolve2d(image, kernel, mode), **EXACT)


@pytest.mark.parametrize("shapes", BIG_KERNEL)
def test_valid_mode_with_larger_kernel_raises(shapes):
    with pytest.raises(ValueError, match="mode='valid'.*kernel"):
        correlate2d(np.ones(shapes[0]), np.ones(shapes[1]), "valid")
    with pytest.raises(ValueError, match="mode='valid'.*kernel"):
        convolve2d(np.ones(shapes[0]), np.ones(shapes[1]), "valid")


def test_default_modes():
    """convolve2d defaults to "full" like SciPy; correlate2d to "valid" (the course's API,
    the CNN habit), where SciPy's correlate2d defaults to "full"."""
    image, kernel = np.arange(20).reshape(4, 5), np.array([[1, 2], [0, -1]])
    np.testing.assert_array_equal(correlate2d(image, kernel), signal.correlate2d(image, kernel, "valid"))
    np.testing.assert_array_equal(convolve2d(image, kernel), signal.convolve2d(image, kernel))


def test_convolve2d_is_the_flipped_formula():
    rng = np.random.default_rng(4)
    image, kernel = rng.standard_normal((4, 5)), rng.standard_normal((2, 3))
    out = np.zeros((5, 7))
    for i in range(5):
        for j in range(7):
            for m in range(4):
                for n in range(5):
                    if 0 <= i - m < 2 and 0 <= j - n < 3:
                        out[i, j] += image[m, n] * kernel[i - m, j - n]
    np.testing.assert_allclose(convolve2d(image, kernel), out, **EXACT)


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3)
)
def test_conv_output_size_equals_torch(n, k, s, p, d):
    if d * (k - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError, match="kernel_size"):
            conv_output_size(n, k, s, p, d)
        return
    out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(s, 1), padding=(p, 0), dilation=(d, 1))
    assert conv_output_size(n, k, s, p, d) == out.shape[2]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    image=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    mode=st.sampled_from(["full", "valid"]),
)
def test_convolve2d_is_correlate2d_with_flipped_kernel(seed, image, kernel, mode):
    if mode == "valid" and (kernel[0] > image[0] or kernel[1] > image[1]):
        return
    rng = np.random.default_rng(seed)
    x, k = rng.standard_normal(image), rng.standard_normal(kernel)
    np.testing.assert_allclose(convolve2d(x, k, mode), correlate2d(x, k[::-1, ::-1], mode), **EXACT)


# --------------------------------------------------------------------------- pad2d against torch (eq-02-padding)


def test_pad2d():
    x = np.arange(6.0).reshape(2, 3)
    out = pad2d(x, (1, 2), value=-1.0)
    assert out.shape == (4, 7)
    np.testing.assert_array_equal(out[1:3, 2:5], x)
    assert (out[0] == -1).all() and (out[:, :2] == -1).all()
    np.testing.assert_array_equal(pad2d(np.ones((2, 1, 2, 2)), 0), np.ones((2, 1, 2, 2)))


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


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "args, error, pattern",
    [
        ((0, 3), ValueError, r"input_size must be at least 1, got 0"),
        ((5, 0), ValueError, r"kernel_size must be at least 1, got 0"),
        ((5, 3, 0), ValueError, r"stride must be at least 1, got 0"),
        ((5, 3, 1, -1), ValueError, r"padding must be at least 0, got -1"),
        ((5, 3, 1, 0, 0), ValueError, r"dilation must be at least 1, got 0"),
        ((5, 6), ValueError, r"kernel_size=6 with dilation=1 spans 6 .* n=5 .*padding=0"),
        ((5.0, 3), TypeError, r"input_size must be an int, got float"),
        (("5", 3), TypeError, r"input_size must be an int, got str"),
    ],
)
def test_conv_output_size_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        conv_output_size(*args)


@pytest.mark.parametrize(
    "args, error, pattern",
    [
        ((np.ones(4), 1), ValueError, r"x must be at least 2-D"),
        ((np.ones((3, 3)), -1), ValueError, r"padding must be at least 0"),
        (("abc", 1), TypeError, r"x must be an array of numbers"),
    ],
)
def test_pad2d_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        pad2d(*args)


@pytest.mark.parametrize("fn", [correlate2d, convolve2d])
@pytest.mark.parametrize(
    "args, error, pattern",
    [
        ((np.ones((2, 3, 3)), np.ones((2, 2))), ValueError, r"image must be 2-D, got a 3-D"),
        ((np.ones((3, 3)), np.ones(2)), ValueError, r"kernel must be 2-D, got a 1-D"),
        ((np.ones((0, 3)), np.ones((1, 1))), ValueError, r"image must not be empty"),
        ((np.ones((3, 3)), np.ones((0, 1))), ValueError, r"kernel must not be empty"),
        (("abc", np.ones((1, 1))), TypeError, r"image must be an array of numbers"),
        ((np.ones((3, 3)), np.ones((2, 2)), "circular"), ValueError, r"mode must be one of .*'circular'"),
        ((np.ones((3, 3)), np.ones((2, 2)), 1), TypeError, r"mode must be one of .*int"),
    ],
)
def test_correlate_convolve_bad_input(fn, args, error, pattern):
    with pytest.raises(error, match=pattern):
        fn(*args)
