"""companion.pooling against torch.nn.functional.max_pool2d / avg_pool2d."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.pooling import avg_pool2d, max_pool2d

EXACT = dict(rtol=1e-10, atol=1e-12)

# (shape, kernel_size, stride, padding)
CASES = [
    ((1, 1, 4, 4), 2, None, 0),
    ((2, 3, 8, 8), 2, None, 0),
    ((2, 3, 9, 7), 3, None, 0),  # leftover rows and columns are dropped
    ((2, 2, 9, 9), 3, 2, 1),  # overlapping windows, padding
    ((1, 4, 10, 7), (3, 2), (2, 1), (1, 0)),  # pair arguments
    ((3, 2, 6, 11), (2, 4), None, (1, 2)),
    ((2, 2, 7, 7), 5, 3, 2),
    ((1, 1, 5, 6), 1, 1, 0),
    ((2, 3, 12, 13), 4, 3, 2),
]


def torch_pool(fn, x, k, s, p):
    return fn(torch.from_numpy(x), k, s, p).numpy()


@pytest.mark.parametrize("shape, k, s, p", CASES)
def test_max_pool2d_matches_torch(shape, k, s, p):
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_array_equal(max_pool2d(x, k, s, p), torch_pool(F.max_pool2d, x, k, s, p))


@pytest.mark.parametrize("shape, k, s, p", CASES)
def test_avg_pool2d_matches_torch(shape, k, s, p):
    x = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_allclose(avg_pool2d(x, k, s, p), torch_pool(F.avg_pool2d, x, k, s, p), **EXACT)


@pytest.mark.parametrize("fn, torch_fn", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)])
def test_float32_stays_float32(fn, torch_fn):
    x = np.random.default_rng(2).standard_normal((2, 3, 9, 9)).astype(np.float32)
    out = fn(x, 3, 2, 1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, torch_pool(torch_fn, x, 3, 2, 1), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fn, torch_fn", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)])
def test_three_and_two_dimensional_inputs(fn, torch_fn):
    x = np.random.default_rng(3).standard_normal((3, 8, 6))
    out3 = fn(x, 2, 2, 1)
    assert out3.shape == (3, 5, 4)
    np.testing.assert_allclose(out3, torch_pool(torch_fn, x, 2, 2, 1), **EXACT)
    out2 = fn(x[0], 2, 2, 1)
    assert out2.shape == (5, 4)
    np.testing.assert_allclose(out2, out3[0], **EXACT)


def test_integer_input_becomes_float64():
    x = np.arange(16).reshape(4, 4)
    assert max_pool2d(x, 2).dtype == np.float64
    np.testing.assert_array_equal(max_pool2d(x, 2), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(avg_pool2d(x, 2), [[2.5, 4.5], [10.5, 12.5]])


def test_max_pool_padding_never_wins():
    x = -np.ones((1, 1, 3, 3))
    np.testing.assert_array_equal(max_pool2d(x, 3, 1, 1), -np.ones((1, 1, 3, 3)))


def test_avg_pool_counts_padding():
    out = avg_pool2d(np.ones((1, 1, 2, 2)), 2, 2, 1)
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 2), 0.25))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    dy=st.integers(-1, 1),
    dx=st.integers(-1, 1),
    rows=st.integers(1, 4),
    cols=st.integers(1, 4),
)
def test_max_pool_invariant_to_small_shifts(seed, dy, dx, rows, cols):
    """Each 3x3 window's maximum sits at its centre; a shift of one pixel keeps it inside
    the same window, so the pooled output does not change."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (2, 2, 3 * rows, 3 * cols))
    peaks = rng.uniform(2, 10, (2, 2, rows, cols))
    x[:, :, 1::3, 1::3] = peaks
    shifted = np.roll(x, (dy, dx), axis=(2, 3))
    np.testing.assert_array_equal(max_pool2d(x, 3), peaks)
    np.testing.assert_array_equal(max_pool2d(shifted, 3), peaks)


BAD = [
    (dict(x=np.ones(4)), ValueError, r"x must be 2-D or 3-D or 4-D, got a 1-D"),
    (dict(x=np.ones((1, 1, 1, 4, 4))), ValueError, r"x must be 2-D or 3-D or 4-D, got a 5-D"),
    (dict(x=np.ones((1, 0, 4, 4))), ValueError, r"x must not be empty"),
    (dict(x="image"), TypeError, r"x must be an array of numbers, got a str"),
    (dict(kernel_size=0), ValueError, r"kernel_size must be at least 1, got 0"),
    (dict(kernel_size=-2), ValueError, r"kernel_size must be at least 1"),
    (dict(kernel_size=2.0), TypeError, r"kernel_size must be an int or a pair"),
    (dict(kernel_size=7), ValueError, r"kernel_size=7 .*n=6"),
    (dict(stride=0), ValueError, r"stride must be at least 1, got 0"),
    (dict(stride=(2, -1)), ValueError, r"stride must be at least 1"),
    (dict(padding=-1), ValueError, r"padding must be at least 0, got -1"),
    (dict(kernel_size=3, padding=2), ValueError, r"padding=2 must be at most kernel_size // 2 = 1"),
    (dict(kernel_size=(4, 2), padding=(1, 2)), ValueError, r"padding=2 must be at most kernel_size // 2 = 1"),
]


@pytest.mark.parametrize("fn", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize("kwargs, error, pattern", BAD)
def test_bad_input(fn, kwargs, error, pattern):
    args = dict(x=np.ones((2, 3, 6, 6)), kernel_size=2, stride=None, padding=0)
    args.update(kwargs)
    with pytest.raises(error, match=pattern.replace("x must", "input must")):
        fn(args.pop("x"), **args)


@pytest.mark.parametrize("torch_fn", [F.max_pool2d, F.avg_pool2d])
def test_torch_also_rejects_large_padding(torch_fn):
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        torch_fn(torch.ones(1, 1, 6, 6), 3, 1, 2)


# --------------------------------------------------------------------------- PyTorch's whole signature

POOL_CASES = [
    ((2, 3, 7, 6), dict(kernel_size=3, stride=2, ceil_mode=True)),
    ((2, 3, 7, 6), dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 1), ceil_mode=True)),
    ((3, 6, 6), dict(kernel_size=2, stride=None, padding=1, ceil_mode=True)),  # unbatched
    ((1, 2, 5, 5), dict(kernel_size=(4,), stride=(), padding=(2,), ceil_mode=True)),  # 1-tuples, ()
    ((2, 2, 8, 7), dict(kernel_size=3, stride=1, padding=1)),
]


@pytest.mark.parametrize("shape, kw", POOL_CASES)
@pytest.mark.parametrize("dilation", [1, (2, 1)])
def test_max_pool2d_ceil_mode_dilation_and_indices_match_torch(shape, kw, dilation):
    x = np.random.default_rng(7).standard_normal(shape)
    x[..., 0, :2] = x[..., 1, 0:1]  # ties, which go to the first maximum
    kw = dict(kw, dilation=dilation)
    expected, idx = F.max_pool2d(torch.from_numpy(x), return_indices=True, **kw)
    np.testing.assert_array_equal(max_pool2d(x, **kw), expected.numpy())
    out, indices = max_pool2d(x, return_indices=True, **kw)
    np.testing.assert_array_equal(out, expected.numpy())
    np.testing.assert_array_equal(indices, idx.numpy())
    assert indices.dtype == np.int64


def test_max_pool2d_all_minus_inf_window_points_at_its_first_cell_inside():
    x = np.full((1, 1, 3, 3), -np.inf)
    out, indices = max_pool2d(x, 2, 2, 1, return_indices=True)
    _, expected = F.max_pool2d(torch.from_numpy(x), 2, 2, 1, return_indices=True)
    np.testing.assert_array_equal(indices, expected.numpy())
    assert np.all(out == -np.inf)


@pytest.mark.parametrize("shape, kw", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 3, -2])
def test_avg_pool2d_ceil_mode_and_divisors_match_torch(shape, kw, count_include_pad, divisor_override):
    x = np.random.default_rng(8).standard_normal(shape)
    kw = dict(kw, count_include_pad=count_include_pad, divisor_override=divisor_override)
    expected = F.avg_pool2d(torch.from_numpy(x), **kw).numpy()
    np.testing.assert_allclose(avg_pool2d(x, **kw), expected, **EXACT)
    args = [kw["kernel_size"], kw["stride"], kw.get("padding", 0), kw.get("ceil_mode", False), count_include_pad,
            divisor_override]
    np.testing.assert_allclose(avg_pool2d(x, *args), expected, **EXACT)


def test_ceil_mode_drops_a_window_that_would_start_in_the_padding():
    # 5 + 2*1 = 7 cells, kernel 2, stride 3: ceil gives 3 windows, but the third starts at 6 >= 5 + 1
    x = np.arange(25.0).reshape(1, 5, 5)
    out = max_pool2d(x, 2, 3, 1, ceil_mode=True)
    assert out.shape == F.max_pool2d(torch.from_numpy(x), 2, 3, 1, ceil_mode=True).shape == (1, 2, 2)


NEW_BAD = [
    (max_pool2d, dict(dilation=0), ValueError, r"^dilation must be at least 1, got 0"),
    (max_pool2d, dict(ceil_mode=1), TypeError, r"^ceil_mode must be True or False, got int: 1"),
    (max_pool2d, dict(kernel_size=3, dilation=3), ValueError, r"^kernel_size=3 with dilation=3 spans 7"),
    (max_pool2d, dict(kernel_size=4, stride=2, dilation=3, ceil_mode=True), ValueError,
     r"^kernel_size=4 with dilation=3 spans 10 elements, too many .* even with ceil_mode=True"),
    (max_pool2d, dict(kernel_size=(2, 2, 2)), ValueError, r"^kernel_size must be an int or a pair of ints"),
    (avg_pool2d, dict(divisor_override=0), ValueError, r"^divisor_override must be a non-zero int or None, got 0"),
    (avg_pool2d, dict(divisor_override=1.5), TypeError, r"^divisor_override must be an int, got float"),
    (avg_pool2d, dict(count_include_pad=None), TypeError, r"^count_include_pad must be True or False"),
    (avg_pool2d, dict(kernel_size=3, padding=2, ceil_mode=True), ValueError, r"^padding=2 must be at most kernel_size // 2"),
]


@pytest.mark.parametrize("fn, kwargs, error, pattern", NEW_BAD)
def test_new_arguments_bad_input_where_torch_refuses_too(fn, kwargs, error, pattern):
    x = np.ones((1, 2, 6, 6))
    args = dict(kernel_size=2)
    args.update(kwargs)
    with pytest.raises(error, match=pattern):
        fn(x, **args)
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        getattr(F, fn.__name__)(torch.from_numpy(x), **args)


def test_return_indices_must_be_a_bool():
    # Stricter than PyTorch, which takes any truthy value: the flag decides the return type.
    with pytest.raises(TypeError, match=r"^return_indices must be True or False"):
        max_pool2d(np.ones((1, 4, 4)), 2, return_indices="yes")
