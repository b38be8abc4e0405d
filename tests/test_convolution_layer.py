"""companion.convolution.layer against torch.nn.functional (conv2d, unfold, fold), and the
fast conv2d against its loops, conv2d_naive."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.convolution.layer import col2im, conv2d, conv2d_naive, im2col


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
    import companion.convolution.layer as conv

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


# --------------------------------------------------------------------------- properties


small = st.integers(min_value=1, max_value=4)


finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


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
