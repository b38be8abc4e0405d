"""companion.backprop.conv against torch.autograd and against numerical_gradient."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion.backprop.conv import conv2d_backward, conv2d_backward_naive
from companion.backprop.learning import numerical_gradient
from companion.convolution import conv2d


EXACT = dict(rtol=1e-10, atol=1e-12)


NUMERIC = dict(rtol=1e-6, atol=1e-8)


# (N, C_in, H, W, C_out, kH, kW, stride, padding, dilation)
CONV_CASES = [
    (1, 1, 5, 5, 1, 3, 3, 1, 0, 1),
    (2, 3, 7, 6, 4, 3, 2, 1, 1, 1),
    (2, 2, 9, 8, 3, 3, 3, 2, 0, 1),  # stride > 1
    (1, 2, 8, 9, 2, 2, 3, 3, 2, 1),  # stride 3 with padding: rows the windows skip
    (2, 2, 10, 9, 3, 3, 2, 1, 1, 2),  # dilation > 1
    (2, 3, 11, 10, 2, 3, 3, 2, 2, 2),  # all three at once
    (1, 2, 9, 11, 3, 2, 4, (2, 3), (1, 2), (2, 1)),  # pairs
    (3, 1, 6, 6, 2, 6, 6, 1, 0, 1),  # kernel as large as the input
]


def make_conv(case, seed=0):
    n, c, h, w, o, kh, kw, stride, padding, dilation = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    weight = rng.standard_normal((o, c, kh, kw))
    bias = rng.standard_normal(o)
    kw_ = dict(stride=stride, padding=padding, dilation=dilation)
    grad_out = rng.standard_normal(conv2d(x, weight, **kw_).shape)
    return grad_out, x, weight, bias, kw_


def torch_grads(fn, grad_out, *arrays):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    fn(*tensors).backward(torch.from_numpy(np.asarray(grad_out, dtype=np.float64)))
    return [t.grad.numpy() for t in tensors]


# --------------------------------------------------------------------------- conv2d


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_backward_matches_autograd(case):
    grad_out, x, weight, bias, kw = make_conv(case)
    gx, gw, gb = conv2d_backward(grad_out, x, weight, **kw)
    tx, tw, tb = torch_grads(lambda a, b, c: F.conv2d(a, b, c, **kw), grad_out, x, weight, bias)
    np.testing.assert_allclose(gx, tx, **EXACT)
    np.testing.assert_allclose(gw, tw, **EXACT)
    np.testing.assert_allclose(gb, tb, **EXACT)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_backward_matches_naive(case):
    grad_out, x, weight, _, kw = make_conv(case, seed=1)
    for fast, slow in zip(conv2d_backward(grad_out, x, weight, **kw), conv2d_backward_naive(grad_out, x, weight, **kw)):
        assert fast.shape == slow.shape
        np.testing.assert_allclose(fast, slow, **EXACT)


@pytest.mark.parametrize("case", [CONV_CASES[i] for i in (1, 3, 4, 5, 6)])
def test_conv2d_backward_matches_numerical_gradient(case):
    grad_out, x, weight, bias, kw = make_conv(case, seed=2)
    gx, gw, gb = conv2d_backward(grad_out, x, weight, **kw)

    def loss(x_, w_, b_):  # L = sum(G * Y), so dL/dY = G
        return float((conv2d(x_, w_, b_, **kw) * grad_out).sum())

    np.testing.assert_allclose(gx, numerical_gradient(lambda v: loss(v, weight, bias), x), **NUMERIC)
    np.testing.assert_allclose(gw, numerical_gradient(lambda v: loss(x, v, bias), weight), **NUMERIC)
    np.testing.assert_allclose(gb, numerical_gradient(lambda v: loss(x, weight, v), bias), **NUMERIC)


def test_conv2d_backward_several_blocks(count_blocks):
    import companion.backprop.conv as bp

    calls = count_blocks(bp, 300)
    grad_out, x, weight, bias, kw = make_conv((5, 2, 8, 7, 3, 3, 3, 2, 1, 2))
    for fast, slow in zip(bp.conv2d_backward(grad_out, x, weight, **kw), conv2d_backward_naive(grad_out, x, weight, **kw)):
        np.testing.assert_allclose(fast, slow, **EXACT)
    assert [len(blocks) for blocks in calls] == [5]  # 2*3*3 taps x 3*3 positions: one image a block


def test_conv2d_backward_float32():
    grad_out, x, weight, bias, kw = make_conv(CONV_CASES[5])
    f32 = [a.astype(np.float32) for a in (grad_out, x, weight)]
    grads = conv2d_backward(*f32, **kw)
    assert all(g.dtype == np.float32 for g in grads)
    for g, ref in zip(grads, conv2d_backward(grad_out, x, weight, **kw)):
        np.testing.assert_allclose(g, ref, rtol=1e-4, atol=1e-4)


# --------------------------------------------------------------------------- conv2d bad input


X = np.ones((2, 3, 6, 6))


W = np.ones((4, 3, 3, 3))


G = np.ones((2, 4, 4, 4))


@pytest.mark.parametrize("fn", [conv2d_backward, conv2d_backward_naive])
@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(grad_out=np.ones((2, 4, 4, 3))), ValueError, r"grad_out must have the shape of the conv2d output, \(2, 4, 4, 4\), got \(2, 4, 4, 3\)"),
        (dict(grad_out=np.ones((2, 4, 4, 4)), stride=2), ValueError, r"grad_out must have the shape of the conv2d output, \(2, 4, 2, 2\)"),
        (dict(grad_out=np.ones((4, 4, 4))), ValueError, r"grad_out must be 4-D"),
        (dict(x=np.ones((6, 6))), ValueError, r"x must be (3-D or )?4-D"),
        (dict(weight=np.ones((4, 2, 3, 3))), ValueError, r"weight has C_in=2 .* but x has 3 channels"),
        (dict(weight=np.ones((4, 3, 7, 7))), ValueError, r"kernel_size=7"),
        (dict(stride=0), ValueError, r"stride must be at least 1"),
        (dict(padding=-1), ValueError, r"padding must be at least 0"),
        (dict(dilation=0), ValueError, r"dilation must be at least 1"),
        (dict(x=np.ones((0, 3, 6, 6))), ValueError, r"x must not be empty"),
        (dict(weight="w"), TypeError, r"weight must be an array of numbers"),
    ],
)
def test_conv2d_backward_bad_input(fn, kwargs, error, pattern):
    args = dict(grad_out=G, x=X, weight=W, stride=1, padding=0, dilation=1)
    args.update(kwargs)
    with pytest.raises(error, match=pattern):
        fn(**args)


# --------------------------------------------------------------------------- PyTorch's whole signature


@pytest.mark.parametrize(
    "x_shape, w_shape, kw",
    [
        ((2, 4, 7, 6), (6, 2, 3, 2), dict(groups=2, stride=(2, 1), padding=(1, 2), dilation=(2, 1))),
        ((2, 4, 6, 6), (4, 1, 3, 3), dict(groups=4, stride=2, padding=1)),
        ((2, 3, 6, 5), (4, 3, 2, 3), dict(padding="same", dilation=(1, 2))),
        ((3, 6, 5), (2, 3, 3, 3), dict(padding="valid", stride=2, dilation=2)),  # unbatched
    ],
)
def test_conv2d_backward_full_signature_matches_autograd_and_finite_differences(x_shape, w_shape, kw):
    rng = np.random.default_rng(11)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    g = rng.standard_normal(conv2d(x, w, b, **kw).shape)
    expected = torch_grads(lambda x_, w_, b_: F.conv2d(x_, w_, b_, **kw), g, x, w, b)
    got = conv2d_backward(g, x, w, **kw)
    for ours, theirs in zip(got, expected):
        np.testing.assert_allclose(ours, theirs, **EXACT)
    np.testing.assert_allclose(got[0], numerical_gradient(lambda v: (conv2d(v, w, b, **kw) * g).sum(), x), **NUMERIC)
    np.testing.assert_allclose(got[1], numerical_gradient(lambda v: (conv2d(x, v, b, **kw) * g).sum(), w), **NUMERIC)
