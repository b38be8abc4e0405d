"""companion.convolution against torch.nn.functional (conv2d, unfold, fold, pad) and scipy.signal."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from companion.convolution import (
    col2im,
    conv2d,
    conv2d_naive,
    conv_output_size,
    convolve2d,
    correlate2d,
    im2col,
    pad2d,
    receptive_field,
    receptive_field_box,
)

EXACT = dict(rtol=1e-10, atol=1e-12)
FLOAT32 = dict(rtol=1e-4, atol=1e-4)

# (N, C_in, H, W, C_out, kH, kW, stride, padding, dilation, bias)
CASES = [
    (1, 1, 5, 5, 1, 3, 3, 1, 0, 1, False),
    (2, 3, 8, 8, 4, 3, 3, 1, 1, 1, True),
    (3, 2, 9, 7, 5, 2, 3, 2, 0, 1, True),
    (2, 4, 10, 11, 3, 3, 2, 3, 1, 1, False),
    (1, 2, 12, 9, 2, 3, 3, 1, 2, 2, True),
    (2, 3, 11, 13, 4, 2, 2, 2, 1, 2, True),
    (2, 1, 7, 6, 3, 1, 1, 1, 0, 1, True),
    (1, 3, 6, 6, 2, 6, 6, 1, 0, 1, True),  # kernel as large as the input
    (2, 2, 9, 10, 3, 3, 5, (2, 1), (1, 2), (1, 2), True),  # pair arguments
    (2, 2, 13, 8, 2, 4, 3, (3, 2), (0, 1), (2, 1), False),
    (4, 5, 6, 7, 6, 3, 3, 3, 2, 1, True),
    (1, 1, 4, 4, 1, 3, 3, 2, 1, 2, False),
]


def make_case(case, dtype=np.float64, seed=0):
    n, c, h, w, o, kh, kw, stride, padding, dilation, with_bias = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    weight = rng.standard_normal((o, c, kh, kw)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype) if with_bias else None
    return x, weight, bias, dict(stride=stride, padding=padding, dilation=dilation)


def torch_conv(x, weight, bias, kw):
    b = None if bias is None else torch.from_numpy(bias)
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(weight), b, **kw).numpy()


@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_torch(case):
    x, weight, bias, kw = make_case(case)
    out = conv2d(x, weight, bias, **kw)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, torch_conv(x, weight, bias, kw), **EXACT)


@pytest.mark.parametrize("case", CASES[:6])
def test_conv2d_float32_stays_float32(case):
    x, weight, bias, kw = make_case(case, np.float32)
    out = conv2d(x, weight, bias, **kw)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, torch_conv(x, weight, bias, kw), **FLOAT32)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] * c[1] * c[2] * c[3] * c[4] <= 1000])
def test_conv2d_naive_matches_fast_and_torch(case):
    x, weight, bias, kw = make_case(case, seed=1)
    slow = conv2d_naive(x, weight, bias, **kw)
    np.testing.assert_allclose(slow, conv2d(x, weight, bias, **kw), **EXACT)
    np.testing.assert_allclose(slow, torch_conv(x, weight, bias, kw), **EXACT)


def test_conv2d_many_images_use_several_blocks(count_blocks):
    import companion.convolution as conv

    calls = count_blocks(conv, 500)  # forces blocks of one or two images
    x, weight, bias, kw = make_case((5, 2, 9, 9, 3, 3, 3, 1, 1, 1, True))
    np.testing.assert_allclose(conv.conv2d(x, weight, bias, **kw), torch_conv(x, weight, bias, kw), **EXACT)
    assert [len(blocks) for blocks in calls] == [5]  # 2*3*3 taps x 9*9 positions: one image a block


def test_conv2d_integer_input_becomes_float64():
    x = np.arange(16).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), dtype=np.int64)
    out = conv2d(x, w)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0, 0], [[10, 14, 18], [26, 30, 34], [42, 46, 50]])


def test_conv2d_float32_with_a_list_bias_stays_float32():
    x, weight, bias, kw = make_case(CASES[1], np.float32)
    out = conv2d(x, weight, bias.tolist(), **kw)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, torch_conv(x, weight, bias, kw), **FLOAT32)


def test_conv2d_accepts_lists_and_tensors():
    x, weight, bias, kw = make_case(CASES[1])
    out = conv2d(torch.from_numpy(x), weight.tolist(), torch.from_numpy(bias), **kw)
    np.testing.assert_allclose(out, torch_conv(x, weight, bias, kw), **EXACT)


@pytest.mark.parametrize("case", CASES)
def test_im2col_matches_unfold(case):
    x, weight, _, kw = make_case(case)
    kernel = weight.shape[2:]
    cols = im2col(x, kernel, **kw)
    expected = F.unfold(torch.from_numpy(x), kernel, **kw).numpy()
    assert cols.shape == expected.shape
    np.testing.assert_array_equal(cols, expected)
    # the matrix-product view of a convolution
    n, o = x.shape[0], weight.shape[0]
    y = weight.reshape(o, -1) @ cols
    np.testing.assert_allclose(y.reshape(torch_conv(x, weight, None, kw).shape), torch_conv(x, weight, None, kw), **EXACT)


def test_pad2d():
    x = np.arange(6.0).reshape(2, 3)
    out = pad2d(x, (1, 2), value=-1.0)
    assert out.shape == (4, 7)
    np.testing.assert_array_equal(out[1:3, 2:5], x)
    assert (out[0] == -1).all() and (out[:, :2] == -1).all()
    np.testing.assert_array_equal(pad2d(np.ones((2, 1, 2, 2)), 0), np.ones((2, 1, 2, 2)))


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

small = st.integers(min_value=1, max_value=4)
finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


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
    a=finite,
    b=finite,
    stride=small,
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
)
def test_conv2d_is_linear(seed, a, b, stride, padding, dilation):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.standard_normal((2, 2, 2, 9, 8))
    w1, w2 = rng.standard_normal((2, 3, 2, 3, 2))
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    # in the input ...
    np.testing.assert_allclose(
        conv2d(a * x1 + b * x2, w1, **kw), a * conv2d(x1, w1, **kw) + b * conv2d(x2, w1, **kw), rtol=1e-9, atol=1e-9
    )
    # ... and in the kernel
    np.testing.assert_allclose(
        conv2d(x1, a * w1 + b * w2, **kw), a * conv2d(x1, w1, **kw) + b * conv2d(x1, w2, **kw), rtol=1e-9, atol=1e-9
    )


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), dy=st.integers(-3, 3), dx=st.integers(-3, 3), kh=small, kw=small)
def test_conv2d_is_shift_equivariant(seed, dy, dx, kh, kw):
    """Shifting the input shifts the output: conv(shift(x)) == shift(conv(x)) (stride 1)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((1, 2, 14, 15))
    x[:, :, 3:-3, 3:-3] = rng.standard_normal((1, 2, 8, 9))  # zero margin of 3 >= |shift|
    weight = rng.standard_normal((2, 2, kh, kw))
    full = dict(padding=(kh - 1, kw - 1))  # every overlap, so nothing falls off the edge
    shifted = np.roll(x, (dy, dx), axis=(2, 3))
    np.testing.assert_allclose(
        conv2d(shifted, weight, **full), np.roll(conv2d(x, weight, **full), (dy, dx), axis=(2, 3)), **EXACT
    )


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


# --------------------------------------------------------------------------- col2im


@pytest.mark.parametrize("case", CASES)
def test_col2im_matches_fold_and_is_the_adjoint_of_im2col(case):
    x, weight, _, kw = make_case(case)
    kernel = weight.shape[2:]
    cols = np.random.default_rng(3).standard_normal(im2col(x, kernel, **kw).shape)
    folded = col2im(cols, x.shape, kernel, **kw)
    expected = F.fold(torch.from_numpy(cols), x.shape[2:], kernel, **kw).numpy()
    np.testing.assert_allclose(folded, expected, **EXACT)
    # <im2col(x), cols> == <x, col2im(cols)>
    np.testing.assert_allclose((im2col(x, kernel, **kw) * cols).sum(), (x * folded).sum(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "args, error, pattern",
    [
        ((np.ones((1, 4)), (1, 1, 3, 3), 2), ValueError, r"cols must be 3-D"),
        ((np.ones((1, 4, 4)), (1, 3, 3), 2), ValueError, r"x_shape must be a tuple \(N, C, H, W\)"),
        ((np.ones((1, 4, 4)), (1, 1, 0, 3), 2), ValueError, r"x_shape must be at least 1"),
        ((np.ones((1, 4, 5)), (1, 1, 3, 3), 2), ValueError, r"cols must have shape .*\(1, 4, 4\).*got \(1, 4, 5\)"),
        ((np.ones((1, 4, 4)), (1, 1, 3, 3), 0), ValueError, r"kernel_size must be at least 1"),
        ((np.ones((1, 4, 4)), (1, 1, 3, 3), 4), ValueError, r"kernel_size=4"),
    ],
)
def test_col2im_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        col2im(*args)


# --------------------------------------------------------------------------- bad input

X = np.ones((2, 3, 6, 6))
W = np.ones((4, 3, 3, 3))


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(x=np.ones((3, 6, 6))), ValueError, r"x must be 4-D, got a 3-D"),
        (dict(weight=np.ones((4, 3, 3))), ValueError, r"weight must be 4-D"),
        (dict(weight=np.ones((4, 2, 3, 3))), ValueError, r"weight has C_in=2 .* but x has 3 channels"),
        (dict(bias=np.ones(3)), ValueError, r"bias must have shape \(C_out,\) = \(4,\).*got \(3,\)"),
        (dict(bias=np.ones((4, 1))), ValueError, r"bias must be 1-D"),
        (dict(weight=np.ones((4, 3, 7, 3))), ValueError, r"kernel_size=7 .*padding=0"),
        (dict(weight=np.ones((4, 3, 3, 3)), dilation=3), ValueError, r"kernel_size=3 with dilation=3 spans 7"),
        (dict(stride=0), ValueError, r"stride must be at least 1, got 0"),
        (dict(stride=-2), ValueError, r"stride must be at least 1"),
        (dict(stride=(1, 0)), ValueError, r"stride must be at least 1"),
        (dict(stride=(1, 2, 3)), ValueError, r"stride must be an int or a pair"),
        (dict(stride=1.5), TypeError, r"stride must be an int or a pair of ints, got float"),
        (dict(dilation=0), ValueError, r"dilation must be at least 1, got 0"),
        (dict(padding=-1), ValueError, r"padding must be at least 0, got -1"),
        (dict(padding="same"), TypeError, r"padding must be an int or a pair"),
        (dict(x=np.ones((0, 3, 6, 6))), ValueError, r"x must not be empty"),
        (dict(weight=np.ones((0, 3, 3, 3))), ValueError, r"weight must not be empty"),
        (dict(x="image"), TypeError, r"x must be an array of numbers, got a str"),
        (dict(weight=None), TypeError, r"weight must be an array of numbers, got None"),
        (dict(x=np.full((2, 3, 6, 6), "a")), TypeError, r"x must hold numbers"),
    ],
)
@pytest.mark.parametrize("fn", [conv2d, conv2d_naive])
def test_conv2d_bad_input(fn, kwargs, error, pattern):
    args = dict(x=X, weight=W, bias=None, stride=1, padding=0, dilation=1)
    args.update(kwargs)
    x = args.pop("x")
    if fn is conv2d:  # the fast conv2d names its input as PyTorch does and takes more
        pattern = pattern.replace("x must", "input must").replace("but x has", "but input has")
        if isinstance(x, np.ndarray) and x.ndim == 3:  # unbatched is fine: 2-D is not
            x, pattern = np.ones((6, 6)), r"input must be 3-D or 4-D, got a 2-D"
        if args["padding"] == "same":
            args["padding"], error, pattern = "full", ValueError, r"padding must be one of 'same', 'valid', got 'full'"
    with pytest.raises(error, match=pattern):
        fn(x, **args)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(groups=2), ValueError, r"groups=2 must divide both the input channels C_in=3"),
        (dict(x=np.ones((2, 4, 6, 6)), weight=np.ones((6, 1, 3, 3)), groups=4), ValueError,
         r"groups=4 must divide both .* C_out=6"),
        (dict(x=np.ones((2, 4, 6, 6)), weight=np.ones((4, 1, 3, 3)), groups=2), ValueError,
         r"weight must have C_in / groups = 4 / 2 = 2 input channels per group .*got shape \(4, 1, 3, 3\)"),
        (dict(groups=0), ValueError, r"groups must be at least 1, got 0"),
        (dict(groups=1.0), TypeError, r"groups must be an int, got float"),
        (dict(padding="same", stride=2), ValueError, r"padding='same' is not supported for strided convolutions"),
        (dict(padding=1.5), TypeError, r"padding must be an int or a pair"),
        (dict(padding=("same", 1)), TypeError, r"padding must be an int"),
    ],
)
def test_conv2d_new_arguments_bad_input(kwargs, error, pattern):
    args = dict(x=X, weight=W, bias=None, stride=1, padding=0, dilation=1, groups=1)
    args.update(kwargs)
    with pytest.raises(error, match=pattern):
        conv2d(args.pop("x"), **args)
    # PyTorch refuses the same input
    t = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
    x = torch.from_numpy(kwargs.get("x", X))
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        F.conv2d(x, **t)


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
        ((np.ones((1, 6, 6)), 3), ValueError, r"x must be 4-D"),
        ((X, 0), ValueError, r"kernel_size must be at least 1"),
        ((X, 7), ValueError, r"kernel_size=7"),
        ((X, 3, 0), ValueError, r"stride must be at least 1"),
        ((X, 3, 1, -1), ValueError, r"padding must be at least 0"),
        ((X, 3, 1, 0, 0), ValueError, r"dilation must be at least 1"),
    ],
)
def test_im2col_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        im2col(*args)


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


# --------------------------------------------------------------------------- PyTorch's whole signature


@pytest.mark.parametrize(
    "x_shape, w_shape, kw",
    [
        ((2, 4, 7, 6), (4, 1, 3, 3), dict(groups=4)),  # depthwise
        ((2, 4, 7, 6), (6, 2, 3, 2), dict(groups=2, stride=(2, 1), padding=(1, 2), dilation=(2, 1))),
        ((2, 3, 7, 6), (4, 3, 2, 4), dict(padding="same", dilation=(1, 2))),  # odd totals: asymmetric
        ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding="same")),
        ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding="valid", stride=2)),
        ((3, 7, 6), (4, 3, 3, 3), dict(stride=2, padding=1)),  # unbatched
        ((4, 7, 6), (8, 2, 2, 2), dict(groups=2, padding=(1,))),  # unbatched, a 1-tuple
    ],
)
@pytest.mark.parametrize("with_bias", [False, True])
def test_conv2d_takes_pytorchs_whole_signature(x_shape, w_shape, kw, with_bias):
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if with_bias else None
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), None if b is None else torch.from_numpy(b), **kw)
    np.testing.assert_allclose(conv2d(x, w, b, **kw), expected.numpy(), **EXACT)
    # positionally, in PyTorch's order
    args = [kw.get(k, d) for k, d in (("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1))]
    np.testing.assert_allclose(conv2d(x, w, b, *args), expected.numpy(), **EXACT)


def test_conv2d_groups_is_one_convolution_per_group():
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 4, 5, 5)), rng.standard_normal((6, 2, 3, 3))
    halves = [conv2d(x[:, :2], w[:3]), conv2d(x[:, 2:], w[3:])]
    np.testing.assert_allclose(conv2d(x, w, groups=2), np.concatenate(halves, axis=1), **EXACT)


# ------------------------------------------------------------------ receptive_field

# Stacks of (kernel_size, stride[, dilation], kind): "conv" or "pool". In the autograd
# check a pool is an average pool: it has a max pool's geometry, and its gradient reaches
# every input of the window (a max pool's reaches only the winner).
RF_STACKS = [
    [(3, 1, "conv")],
    [(3, 1, "conv"), (3, 1, "conv")],
    [(3, 1, "conv"), (2, 2, "pool"), (3, 1, "conv")],
    [(5, 2, "conv"), (3, 1, 2, "conv"), (2, 2, "pool")],
    [(3, 2, "conv"), (3, 2, "conv"), (3, 2, "conv")],
    [(3, 1, 2, "conv"), (3, 1, 4, "conv"), (3, 1, 8, "conv")],
    [(2, 2, "pool"), (2, 2, "pool"), (1, 1, "conv")],
    [(4, 3, "conv"), (3, 3, "pool"), (2, 1, 3, "conv")],
    [(1, 1, "conv")],
]


def _rf_geometry(stack):
    return [tuple(layer[:-1]) for layer in stack]


def _autograd_region(stack, size=64):
    """Side lengths of the inputs where one central output unit has a nonzero gradient."""
    x = torch.ones((1, 1, size, size), dtype=torch.float64, requires_grad=True)
    y = x
    for layer in stack:
        k, s = layer[0], layer[1]
        d = layer[2] if len(layer) == 4 else 1
        if layer[-1] == "conv":
            w = torch.ones((1, 1, k, k), dtype=torch.float64)  # positive: no cancellation
            y = F.conv2d(y, w, stride=s, dilation=d)
        else:
            assert d == 1
            y = F.avg_pool2d(y, k, stride=s)
    i, j = y.shape[2] // 2, y.shape[3] // 2
    (g,) = torch.autograd.grad(y[0, 0, i, j], x)
    rows, cols = np.nonzero(g[0, 0].numpy())
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.mark.parametrize("stack", RF_STACKS)
def test_receptive_field_matches_autograd_region(stack):
    r = receptive_field(_rf_geometry(stack))
    assert isinstance(r, int)
    assert _autograd_region(stack) == (r, r)


def test_receptive_field_growth_rule_by_hand():
    assert receptive_field([]) == 1
    assert receptive_field([(3, 1)] * 3) == 7
    assert receptive_field(((3, 1), (2, 2), (3, 1))) == 8
    assert receptive_field([(3, 1, 2), (3, 1, 2)]) == 9
    assert receptive_field([[3, 2], [3, 2]]) == 7


@pytest.mark.parametrize(
    "layers, error, pattern",
    [
        ("33", TypeError, r"layers must be a list or tuple .* got str"),
        (3, TypeError, r"layers must be a list or tuple .* got int"),
        ([(3,)], ValueError, r"layers\[0\] must be a \(kernel_size, stride\)"),
        ([(3, 1), 3], ValueError, r"layers\[1\] must be a \(kernel_size, stride\)"),
        ([(3, 1, 1, 1)], ValueError, r"layers\[0\] must be"),
        ([(0, 1)], ValueError, r"layers\[0\] kernel_size must be at least 1, got 0"),
        ([(3, 0)], ValueError, r"layers\[0\] stride must be at least 1, got 0"),
        ([(3, 1, 0)], ValueError, r"layers\[0\] dilation must be at least 1, got 0"),
        ([(3.0, 1)], TypeError, r"layers\[0\] kernel_size must be an int, got float"),
    ],
)
def test_receptive_field_bad_input(layers, error, pattern):
    with pytest.raises(error, match=pattern):
        receptive_field(layers)


# ------------------------------------------------------------------ conv_matrix, locally connected, ERF

from companion.convolution import (  # noqa: E402
    conv_matrix,
    effective_receptive_field,
    locally_connected2d,
    locally_connected_param_count,
)

MATRIX_CASES = [  # (H, W, kH, kW, stride, padding, dilation)
    (5, 5, 3, 3, 1, 0, 1), (6, 7, 3, 2, 1, 1, 1), (7, 6, 3, 3, 2, 1, 1), (9, 8, 3, 3, 1, 2, 2),
    (8, 9, 2, 3, (2, 3), (1, 0), (1, 2)), (4, 4, 1, 1, 1, 0, 1),
]


@pytest.mark.parametrize("h, w, kh, kw, s, p, d", MATRIX_CASES)
def test_conv_matrix_is_torchs_jacobian_and_product(h, w, kh, kw, s, p, d):
    rng = np.random.default_rng(h * w + kh)
    K = rng.normal(size=(kh, kw))
    I = rng.normal(size=(h, w))
    M = conv_matrix((h, w), K, stride=s, padding=p, dilation=d)
    kt = torch.from_numpy(K)[None, None]

    def f(x):
        return F.conv2d(x.reshape(1, 1, h, w), kt, stride=s, padding=p, dilation=d).reshape(-1)

    J = torch.autograd.functional.jacobian(f, torch.from_numpy(I).reshape(-1))
    np.testing.assert_allclose(M, J.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(M @ I.ravel(), f(torch.from_numpy(I)).numpy(), rtol=1e-12, atol=1e-12)


def test_conv_matrix_is_doubly_block_toeplitz_for_stride_one():
    K = np.arange(1.0, 10.0).reshape(3, 3)
    h, w = 6, 7
    M4 = conv_matrix((h, w), K).reshape(4, 5, h, w)
    for i in range(4):
        for u in range(h):
            block = M4[i, :, u, :]
            np.testing.assert_array_equal(block, M4[0, :, u - i, :] if 0 <= u - i < h else 0 * block)
            for j in range(5):
                for v in range(w):
                    expected = K[u - i, v - j] if 0 <= u - i < 3 and 0 <= v - j < 3 else 0.0
                    assert block[j, v] == expected


def test_conv_matrix_bad_input():
    with pytest.raises(TypeError, match=r"^input_shape must be a pair of ints \(H, W\), got 5"):
        conv_matrix(5, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"^input_shape\[0\] must be at least 1, got 0"):
        conv_matrix((0, 3), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"^kernel must be 2-D, got a 1-D array"):
        conv_matrix((5, 5), np.ones(3))
    with pytest.raises(ValueError, match=r"^kernel_size=3 with dilation=2 spans 5 elements"):
        conv_matrix((4, 4), np.ones((3, 3)), dilation=2)
    with pytest.raises(ValueError, match=r"^stride must be at least 1, got 0"):
        conv_matrix((4, 4), np.ones((3, 3)), stride=0)


def _torch_locally_connected(x, V, b, p):
    """The same layer in torch: unfold the windows, then one weighted sum per position."""
    h_out, w_out, kh, kw = V.shape
    cols = F.unfold(torch.from_numpy(x)[None, None], (kh, kw), padding=p)[0]  # (kh*kw, h_out*w_out)
    out = (cols.T * torch.as_tensor(V).reshape(h_out * w_out, kh * kw)).sum(1).reshape(h_out, w_out)
    return out if b is None else out + torch.as_tensor(b)


@pytest.mark.parametrize("h, w, kh, kw, p", [(5, 5, 3, 3, 0), (6, 4, 2, 3, 1), (4, 4, 1, 1, 0), (7, 5, 3, 3, 2)])
@pytest.mark.parametrize("with_bias", [False, True])
def test_locally_connected_matches_torch_and_autograd(h, w, kh, kw, p, with_bias):
    rng = np.random.default_rng(h + 10 * kw + p)
    x = rng.normal(size=(h, w))
    h_out, w_out = h + 2 * p - kh + 1, w + 2 * p - kw + 1
    V = rng.normal(size=(h_out, w_out, kh, kw))
    b = rng.normal(size=(h_out, w_out)) if with_bias else None
    out = locally_connected2d(x, V, b, padding=p)
    np.testing.assert_allclose(out, _torch_locally_connected(x, V, b, p).numpy(), rtol=1e-12, atol=1e-12)
    # Its gradient with respect to V is the window itself (it is linear in V): check by autograd.
    Vt = torch.from_numpy(V).requires_grad_(True)
    _torch_locally_connected(x, Vt, b, p).sum().backward()
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, p), (kh, kw))
    np.testing.assert_allclose(Vt.grad.numpy(), windows, rtol=1e-12, atol=1e-12)


def test_locally_connected_with_shared_weights_is_conv2d():
    rng = np.random.default_rng(3)
    x, K = rng.normal(size=(8, 9)), rng.normal(size=(3, 3))
    V = np.broadcast_to(K, (6, 7, 3, 3))
    expected = F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(K)[None, None], torch.tensor([0.5],
                        dtype=torch.float64))[0, 0].numpy()
    np.testing.assert_allclose(locally_connected2d(x, V, np.full((6, 7), 0.5)), expected, rtol=1e-12, atol=1e-12)


def test_locally_connected_bad_input():
    x = np.zeros((5, 5))
    with pytest.raises(ValueError, match=r"^weight of shape \(2, 2, 3, 3\) needs \(H_out, W_out\) = \(3, 3\)"):
        locally_connected2d(x, np.zeros((2, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"^bias must have shape \(3, 3\), got \(2, 3\)"):
        locally_connected2d(x, np.zeros((3, 3, 3, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"^bias must be 2-D, got a 1-D array"):
        locally_connected2d(x, np.zeros((3, 3, 3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"^weight must be 4-D"):
        locally_connected2d(x, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"^padding must be at least 0, got -1"):
        locally_connected2d(x, np.zeros((3, 3, 3, 3)), padding=-1)


def test_locally_connected_param_count_matches_the_weights_it_takes():
    for size, k, p, bias in [(5, 3, 0, False), ((6, 4), (2, 3), 1, True), (512, 3, 1, False)]:
        h, w = (size, size) if isinstance(size, int) else size
        kh, kw = (k, k) if isinstance(k, int) else k
        h_out, w_out = h + 2 * p - kh + 1, w + 2 * p - kw + 1
        # torch's unfold gives one column per window: count the weights that multiply them
        n_windows = F.unfold(torch.zeros(1, 1, h, w), (kh, kw), padding=p).shape[-1]
        assert n_windows == h_out * w_out
        expected = n_windows * (kh * kw + (1 if bias else 0))
        assert locally_connected_param_count(size, k, padding=p, bias=bias) == expected
    assert locally_connected_param_count(512, 3, padding=1) == 512 * 512 * 9
    with pytest.raises(TypeError, match=r"^bias must be True or False"):
        locally_connected_param_count(5, 3, bias=1)
    with pytest.raises(ValueError, match=r"^kernel_size=7 with dilation=1 spans 7 elements"):
        locally_connected_param_count(5, 7)


@pytest.mark.parametrize("sizes, n", [([3, 3, 3], 11), ([3, 2, 5], 13), ([1], 4), ([3, 3, 3, 3, 3, 3], 17)])
def test_effective_receptive_field_is_torchs_input_gradient(sizes, n):
    rng = np.random.default_rng(len(sizes) + n)
    kernels = [rng.normal(size=(k, k)) for k in sizes]
    x = torch.from_numpy(rng.normal(size=(1, 1, n, n))).requires_grad_(True)
    y = x
    for k in kernels:
        y = F.conv2d(y, torch.from_numpy(k)[None, None])
    h_l = y.shape[-1]
    y[0, 0, h_l // 2, h_l // 2].backward()
    G = effective_receptive_field(kernels, n)
    np.testing.assert_allclose(G, x.grad[0, 0].numpy(), rtol=1e-12, atol=1e-12 * np.abs(G).max())
    # Its support (with positive kernels) is a square of the receptive field's side.
    support = effective_receptive_field([np.abs(k) + 0.1 for k in kernels], n) > 0
    rows, cols = np.nonzero(support)
    side = receptive_field([(k, 1) for k in sizes])
    assert rows.max() - rows.min() + 1 == side == cols.max() - cols.min() + 1


def test_effective_receptive_field_bad_input():
    with pytest.raises(TypeError, match=r"^kernels must be a non-empty list or tuple of 2-D arrays"):
        effective_receptive_field([], 5)
    with pytest.raises(TypeError, match=r"^kernels must be a non-empty list or tuple"):
        effective_receptive_field(np.ones((3, 3)), 5)
    with pytest.raises(ValueError, match=r"^kernels\[1\] must be 2-D"):
        effective_receptive_field([np.ones((3, 3)), np.ones(3)], 5)
    with pytest.raises(ValueError, match=r"^kernel_size=3 with dilation=1 spans 3 elements, more than the input of layer 3"):
        effective_receptive_field([np.ones((3, 3))] * 3, 6)


# ------------------------------------------------------------------ receptive_field_box

# (stack, padding per layer, index of the unit): the box must be the region where
# torch.autograd gives that unit a nonzero gradient, clipped to the image.
BOX_CASES = [
    ([(3, 1, "conv")], [0], (5, 7)),
    ([(3, 1, "conv")], [1], (0, 0)),
    ([(3, 1, "conv"), (2, 2, "pool"), (3, 1, "conv")], [0, 0, 0], (4, 9)),
    ([(3, 1, "conv"), (2, 2, "pool"), (3, 1, "conv"), (2, 2, "pool")], [1, 0, 1, 0], (3, 0)),
    ([(5, 2, "conv"), (3, 1, 2, "conv")], [2, 2], (6, 1)),
    ([(3, 2, "conv"), (3, 2, "conv")], [1, 1], (0, 5)),
]


def _autograd_box(stack, pads, index, size=40):
    x = torch.ones((1, 1, size, size), dtype=torch.float64, requires_grad=True)
    y = x
    for layer, p in zip(stack, pads):
        k, s = layer[0], layer[1]
        d = layer[2] if len(layer) == 4 else 1
        if layer[-1] == "conv":
            y = F.conv2d(y, torch.ones((1, 1, k, k), dtype=torch.float64), stride=s, padding=p, dilation=d)
        else:
            y = F.avg_pool2d(y, k, stride=s, padding=p)
    (g,) = torch.autograd.grad(y[0, 0, index[0], index[1]], x)
    rows, cols = np.nonzero(g[0, 0].numpy())
    return (int(rows.min()), int(rows.max()) + 1), (int(cols.min()), int(cols.max()) + 1)


@pytest.mark.parametrize("stack, pads, index", BOX_CASES)
def test_receptive_field_box_matches_autograd_region(stack, pads, index):
    size = 40
    box = receptive_field_box(_rf_geometry(stack), index, padding=pads)
    assert all(stop - start == receptive_field(_rf_geometry(stack)) for start, stop in box)
    clipped = tuple((max(start, 0), min(stop, size)) for start, stop in box)
    assert _autograd_box(stack, pads, index, size) == clipped


def test_receptive_field_box_by_hand_and_single_padding():
    assert receptive_field_box([(3, 1), (2, 2), (3, 1)], (4, 0)) == ((8, 16), (0, 8))
    assert receptive_field_box([(3, 1)], (0, 0), padding=1) == ((-1, 2), (-1, 2))
    assert receptive_field_box([(3, 1), (3, 1)], (2, 3), padding=1) == receptive_field_box(
        [(3, 1), (3, 1)], (2, 3), padding=[1, 1]) == ((0, 5), (1, 6))
    assert receptive_field_box([], (2, 3)) == ((2, 3), (3, 4))


@pytest.mark.parametrize(
    "index, padding, error, pattern",
    [
        (3, 0, TypeError, r"index must be a \(row, column\) tuple of two ints, got 3"),
        ((1,), 0, TypeError, r"index must be a \(row, column\) tuple"),
        ((-1, 0), 0, ValueError, r"index row must be at least 0, got -1"),
        ((0, 1.5), 0, TypeError, r"index column must be an int, got float"),
        ((0, 0), [1], ValueError, r"padding must give one value per layer \(2\), got 1"),
        ((0, 0), -1, ValueError, r"padding must be at least 0, got -1"),
        ((0, 0), [0, "1"], TypeError, r"padding\[1\] must be an int, got str"),
    ],
)
def test_receptive_field_box_bad_input(index, padding, error, pattern):
    with pytest.raises(error, match=pattern):
        receptive_field_box([(3, 1), (3, 1)], index, padding=padding)
