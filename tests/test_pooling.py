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


# --------------------------------------------------------------------------- global average pooling,
# blur pooling, upsampling, transposed convolution

from companion.convolution import conv2d  # noqa: E402
from companion.backprop import conv2d_backward  # noqa: E402
from companion.pooling import (  # noqa: E402
    binomial_filter,
    blur_pool2d,
    conv_transpose2d,
    global_avg_pool2d,
    max_pool2d as _max_pool2d,
    upsample2d,
)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 5, 7), (4, 64, 5, 5), (3, 6, 2)])
def test_global_avg_pool2d_matches_adaptive_avg_pool2d(shape):
    x = np.random.default_rng(len(shape) + shape[-1]).normal(size=shape)
    expected = F.adaptive_avg_pool2d(torch.from_numpy(x), 1).numpy()[..., 0, 0]
    out = global_avg_pool2d(x)
    assert out.shape == shape[:-2]
    np.testing.assert_allclose(out, expected, **EXACT)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(global_avg_pool2d(x32), F.adaptive_avg_pool2d(torch.from_numpy(x32), 1).numpy()[..., 0, 0],
                               rtol=1e-5, atol=1e-6)
    assert global_avg_pool2d(x32).dtype == np.float32


@pytest.mark.parametrize("bad, error, pattern", [
    (np.ones((4, 4)), ValueError, "input must be 3-D or 4-D"),
    (np.ones((1, 1, 1, 2, 2)), ValueError, "input must be 3-D or 4-D"),
    ("abc", TypeError, "input must be an array"),
    (np.ones((1, 2, 0, 3)), ValueError, "must not be empty"),
])
def test_global_avg_pool2d_bad_input(bad, error, pattern):
    with pytest.raises(error, match=pattern):
        global_avg_pool2d(bad)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 7])
def test_binomial_filter_is_pascal_and_sums_to_one(k):
    kernel = binomial_filter(k)
    assert kernel.shape == (k, k)
    np.testing.assert_allclose(kernel.sum(), 1.0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kernel, kernel.T, rtol=0, atol=0)
    import math

    row = np.array([math.comb(k - 1, m) for m in range(k)], dtype=float)
    np.testing.assert_allclose(kernel * 4 ** (k - 1), np.outer(row, row), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k, error", [(0, ValueError), (17, ValueError), (2.0, TypeError)])
def test_binomial_filter_bad_input(k, error):
    with pytest.raises(error, match="kernel_size"):
        binomial_filter(k)


def _torch_blur(x, k, s, mode):
    c = x.shape[1]
    weight = torch.from_numpy(binomial_filter(k)).to(torch.from_numpy(x).dtype).expand(c, 1, k, k)
    t = F.pad(torch.from_numpy(x), ((k - 1) // 2, k // 2, (k - 1) // 2, k // 2),
              mode="reflect" if mode == "reflect" else "constant")
    return F.conv2d(t, weight, stride=s, groups=c).numpy()


@pytest.mark.parametrize("mode", ["reflect", "zeros"])
@pytest.mark.parametrize("shape, k, s", [((2, 3, 8, 8), 3, 2), ((1, 2, 9, 7), 3, 2), ((2, 1, 10, 11), 4, 2),
                                         ((1, 3, 6, 6), 2, 2), ((1, 2, 12, 9), 5, 3), ((1, 1, 5, 5), 1, 2),
                                         ((1, 2, 7, 7), 3, 1)])
def test_blur_pool2d_matches_grouped_conv2d(shape, k, s, mode):
    x = np.random.default_rng(sum(shape) + k).normal(size=shape)
    out = blur_pool2d(x, k, s, mode)
    expected = _torch_blur(x, k, s, mode)
    assert out.shape == expected.shape == shape[:2] + ((shape[2] - 1) // s + 1, (shape[3] - 1) // s + 1)
    np.testing.assert_allclose(out, expected, **EXACT)
    np.testing.assert_allclose(blur_pool2d(x[0], k, s, mode), expected[0], **EXACT)
    np.testing.assert_allclose(blur_pool2d(x[0, 0], k, s, mode), expected[0, 0], **EXACT)


def test_blur_pool2d_keeps_a_constant_and_max_blur_pool_composes():
    np.testing.assert_allclose(blur_pool2d(np.full((1, 1, 9, 9), 3.0)), np.full((1, 1, 5, 5), 3.0),
                               rtol=1e-12, atol=1e-12)
    x = np.random.default_rng(5).normal(size=(1, 2, 10, 10))
    t = torch.from_numpy(x)
    expected = _torch_blur(F.max_pool2d(t, 2, stride=1).numpy(), 3, 2, "reflect")
    np.testing.assert_allclose(blur_pool2d(_max_pool2d(x, 2, stride=1)), expected, **EXACT)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(input=np.ones((1, 1, 1, 4))), ValueError, "padding_mode='reflect'"),
    (dict(input=np.ones((4, 4)), padding_mode="circular"), ValueError, "padding_mode"),
    (dict(input=np.ones((4, 4)), stride=0), ValueError, "stride"),
    (dict(input=np.ones((4, 4)), kernel_size=0), ValueError, "kernel_size"),
    (dict(input=np.ones(4)), ValueError, "input must be"),
    (dict(input=np.ones((4, 4)), stride=1.5), TypeError, "stride"),
])
def test_blur_pool2d_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        blur_pool2d(**kwargs)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("shape, f", [((2, 3, 5, 7), 2), ((1, 2, 4, 3), 3), ((1, 1, 1, 1), 4), ((2, 1, 3, 6), (2, 3)),
                                      ((1, 2, 6, 5), 1), ((1, 1, 2, 2), 5)])
def test_upsample2d_matches_interpolate(shape, f, mode):
    x = np.random.default_rng(sum(shape)).normal(size=shape)
    scale = f if isinstance(f, int) else tuple(float(v) for v in f)
    expected = F.interpolate(torch.from_numpy(x), scale_factor=scale, mode=mode,
                             align_corners=False if mode == "bilinear" else None).numpy()
    out = upsample2d(x, f, mode)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **EXACT)
    np.testing.assert_allclose(upsample2d(x[0, 0], f, mode), expected[0, 0], **EXACT)


def test_upsample2d_gradient_matches_autograd():
    # Upsampling is linear: its gradient is the transpose of its matrix, checked through autograd.
    x = np.random.default_rng(3).normal(size=(1, 2, 3, 4))
    g = np.random.default_rng(4).normal(size=(1, 2, 6, 8))
    for mode in ("nearest", "bilinear"):
        t = torch.from_numpy(x).requires_grad_(True)
        (F.interpolate(t, scale_factor=2, mode=mode, align_corners=False if mode == "bilinear" else None)
         * torch.from_numpy(g)).sum().backward()
        basis = np.eye(x.size).reshape((x.size,) + x.shape)
        ours = np.array([(upsample2d(e, 2, mode) * g).sum() for e in basis]).reshape(x.shape)
        np.testing.assert_allclose(ours, t.grad.numpy(), **EXACT)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(input=np.ones((2, 2)), scale_factor=0), ValueError, "scale_factor"),
    (dict(input=np.ones((2, 2)), scale_factor=1.5), TypeError, "scale_factor"),
    (dict(input=np.ones((2, 2)), scale_factor=2, mode="bicubic"), ValueError, "mode"),
    (dict(input=np.ones(2), scale_factor=2), ValueError, "input must be"),
])
def test_upsample2d_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        upsample2d(**kwargs)


TRANSPOSED = [  # (x shape, weight shape, stride, padding, output_padding, dilation)
    ((1, 1, 2, 2), (1, 1, 2, 2), 2, 0, 0, 1),
    ((2, 3, 4, 5), (3, 2, 3, 3), 1, 0, 0, 1),
    ((2, 3, 4, 5), (3, 2, 3, 3), 2, 1, 1, 1),
    ((1, 2, 3, 3), (2, 4, 3, 2), 3, 2, 0, 2),
    ((1, 2, 5, 4), (2, 3, 2, 3), (2, 3), (1, 0), (1, 2), (1, 2)),
    ((2, 1, 3, 3), (1, 1, 4, 4), 2, 1, 0, 1),
]


@pytest.mark.parametrize("xs, ws, s, p, op, d", TRANSPOSED)
def test_conv_transpose2d_matches_torch(xs, ws, s, p, op, d):
    rng = np.random.default_rng(sum(xs) + sum(ws))
    x, w, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[1])
    expected = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=s, padding=p,
                                  output_padding=op, dilation=d).numpy()
    out = conv_transpose2d(x, w, b, stride=s, padding=p, output_padding=op, dilation=d)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **EXACT)
    np.testing.assert_allclose(conv_transpose2d(x[0], w, b, s, p, op, d), expected[0], **EXACT)
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    e32 = F.conv_transpose2d(torch.from_numpy(x32), torch.from_numpy(w32), stride=s, padding=p, output_padding=op,
                             dilation=d).numpy()
    scale = np.abs(e32).max()
    np.testing.assert_allclose(conv_transpose2d(x32, w32, None, s, p, op, d), e32, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize("xs, ws, s, p, op, d", TRANSPOSED)
def test_conv_transpose2d_is_the_input_gradient_of_conv2d(xs, ws, s, p, op, d):
    rng = np.random.default_rng(7 + sum(xs))
    g = rng.normal(size=xs)                       # the gradient of a conv2d output of this shape
    w = rng.normal(size=ws)
    y = conv_transpose2d(g, w, stride=s, padding=p, output_padding=op, dilation=d)
    x = np.zeros(y.shape)                         # the conv2d input this transposed conv maps back to
    assert conv2d(x, w, stride=s, padding=p, dilation=d).shape == g.shape
    grad_x, _, _ = conv2d_backward(g, x, w, stride=s, padding=p, dilation=d)
    np.testing.assert_allclose(y, grad_x, **EXACT)
    # and through autograd: d/dx <conv2d(x, w), g> = conv_transpose2d(g, w)
    t = torch.from_numpy(x).requires_grad_(True)
    (F.conv2d(t, torch.from_numpy(w), stride=s, padding=p, dilation=d) * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(y, t.grad.numpy(), **EXACT)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(input=np.ones((1, 2, 3, 3)), weight=np.ones((3, 1, 2, 2))), ValueError, "C_in = 2"),
    (dict(input=np.ones((1, 1, 3, 3)), weight=np.ones((1, 1, 2))), ValueError, "weight must be 4-D"),
    (dict(input=np.ones((3, 3)), weight=np.ones((1, 1, 2, 2))), ValueError, "input must be 3-D or 4-D"),
    (dict(input=np.ones((1, 1, 3, 3)), weight=np.ones((1, 2, 2, 2)), bias=np.ones(3)), ValueError, "bias"),
    (dict(input=np.ones((1, 1, 3, 3)), weight=np.ones((1, 1, 2, 2)), output_padding=1), ValueError,
     "output_padding=1 must be smaller"),
    (dict(input=np.ones((1, 1, 1, 1)), weight=np.ones((1, 1, 1, 1)), padding=1), ValueError, "nothing would be left"),
    (dict(input=np.ones((1, 1, 3, 3)), weight=np.ones((1, 1, 2, 2)), stride=0), ValueError, "stride"),
    (dict(input=np.ones((1, 1, 3, 3)), weight=np.ones((1, 1, 2, 2)), padding=-1), ValueError, "padding"),
    (dict(input="x", weight=np.ones((1, 1, 2, 2))), TypeError, "input"),
])
def test_conv_transpose2d_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        conv_transpose2d(**kwargs)
