"""companion.backprop against torch.autograd and against numerical_gradient."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion.backprop import (
    avg_pool2d_backward,
    conv2d_backward,
    conv2d_backward_naive,
    cross_entropy_backward,
    linear_backward,
    max_pool2d_backward,
    numerical_gradient,
    relu_backward,
    sgd_step,
)
from companion.convolution import conv2d
from companion.pooling import avg_pool2d, max_pool2d

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
    import companion.backprop as bp

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


# --------------------------------------------------------------------------- pooling

# (shape, kernel_size, stride, padding)
POOL_CASES = [
    ((2, 3, 8, 8), 2, None, 0),
    ((2, 2, 9, 7), 3, None, 0),
    ((2, 2, 9, 9), 3, 2, 1),  # overlapping windows accumulate
    ((1, 3, 10, 7), (3, 2), (1, 1), (1, 0)),
    ((2, 1, 7, 11), (2, 4), (3, 2), (1, 2)),
    ((3, 8, 6), 2, 1, 1),  # (C, H, W)
    ((7, 6), 3, 2, 1),  # (H, W)
]


def torch_pool(fn, a, k, s, p):
    """torch pools (C, H, W) and (N, C, H, W); a single (H, W) image gets a channel axis."""
    if a.dim() == 2:
        return fn(a[None], k, s, p)[0]
    return fn(a, k, s, p)


def make_pool(shape, k, s, p, fn, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, shape).astype(np.float64) if ties else rng.standard_normal(shape)
    grad_out = rng.standard_normal(fn(x, k, s, p).shape)
    return grad_out, x


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
def test_max_pool2d_backward_matches_autograd(shape, k, s, p, ties):
    """With many equal values (ties=True) the gradient must go to the first maximum."""
    grad_out, x = make_pool(shape, k, s, p, max_pool2d, ties=ties)
    (expected,) = torch_grads(lambda a: torch_pool(F.max_pool2d, a, k, s, p), grad_out, x)
    np.testing.assert_allclose(max_pool2d_backward(grad_out, x, k, s, p), expected, **EXACT)


def test_max_pool2d_backward_tie_goes_to_first_maximum():
    x = np.array([[1.0, 5.0], [5.0, 5.0]])
    np.testing.assert_array_equal(max_pool2d_backward([[7.0]], x, 2), [[0, 7], [0, 0]])


@pytest.mark.parametrize("shape, k, s, p", POOL_CASES)
def test_avg_pool2d_backward_matches_autograd(shape, k, s, p):
    grad_out, x = make_pool(shape, k, s, p, avg_pool2d, seed=1)
    (expected,) = torch_grads(lambda a: torch_pool(F.avg_pool2d, a, k, s, p), grad_out, x)
    np.testing.assert_allclose(avg_pool2d_backward(grad_out, x, k, s, p), expected, **EXACT)


@pytest.mark.parametrize("shape, k, s, p", [POOL_CASES[i] for i in (0, 2, 4, 6)])
@pytest.mark.parametrize(
    "forward, backward", [(max_pool2d, max_pool2d_backward), (avg_pool2d, avg_pool2d_backward)]
)
def test_pool_backward_matches_numerical_gradient(shape, k, s, p, forward, backward):
    rng = np.random.default_rng(2)
    # distinct values far apart (> 2 eps), so that no window's winner changes under the probe
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.01
    grad_out = rng.standard_normal(forward(x, k, s, p).shape)
    numeric = numerical_gradient(lambda v: float((forward(v, k, s, p) * grad_out).sum()), x)
    np.testing.assert_allclose(backward(grad_out, x, k, s, p), numeric, **NUMERIC)


@pytest.mark.parametrize("backward", [max_pool2d_backward, avg_pool2d_backward])
@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(grad_out=np.ones((2, 3, 3, 2))), ValueError, r"grad_out must have the shape of the .*\(2, 3, 3, 3\), got \(2, 3, 3, 2\)"),
        (dict(grad_out=np.ones((3, 3, 3))), ValueError, r"grad_out must be 4-D, got a 3-D"),
        (dict(grad_out="g"), TypeError, r"grad_out must be an array of numbers"),
        (dict(x=np.ones(6)), ValueError, r"x must be 2-D or 3-D or 4-D"),
        (dict(kernel_size=0), ValueError, r"kernel_size must be at least 1"),
        (dict(stride=0), ValueError, r"stride must be at least 1"),
        (dict(padding=2), ValueError, r"padding=2 must be at most kernel_size // 2 = 1"),
    ],
)
def test_pool_backward_bad_input(backward, kwargs, error, pattern):
    args = dict(grad_out=np.ones((2, 3, 3, 3)), x=np.ones((2, 3, 6, 6)), kernel_size=2, stride=None, padding=0)
    args.update(kwargs)
    with pytest.raises(error, match=pattern):
        backward(**args)


# --------------------------------------------------------------------------- dense parts


def test_relu_backward_matches_autograd_and_is_zero_at_zero():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4, 5))
    x[0, 0, :3] = 0.0
    grad_out = rng.standard_normal(x.shape)
    (expected,) = torch_grads(torch.relu, grad_out, x)
    out = relu_backward(grad_out, x)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(out[0, 0, :3], 0.0)


@pytest.mark.parametrize("n, d_in, d_out", [(1, 3, 2), (5, 7, 4), (8, 16, 10)])
def test_linear_backward_matches_autograd_and_numerical(n, d_in, d_out):
    rng = np.random.default_rng(5)
    x, weight, bias = rng.standard_normal((n, d_in)), rng.standard_normal((d_out, d_in)), rng.standard_normal(d_out)
    grad_out = rng.standard_normal((n, d_out))
    gx, gw, gb = linear_backward(grad_out, x, weight)
    tx, tw, tb = torch_grads(F.linear, grad_out, x, weight, bias)
    for ours, theirs in ((gx, tx), (gw, tw), (gb, tb)):
        np.testing.assert_allclose(ours, theirs, **EXACT)
    np.testing.assert_allclose(gw, numerical_gradient(lambda v: float(((x @ v.T) * grad_out).sum()), weight), **NUMERIC)


@pytest.mark.parametrize("n, k", [(1, 2), (4, 3), (16, 10)])
def test_cross_entropy_backward_matches_autograd_and_numerical(n, k):
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((n, k)) * 3
    targets = rng.integers(0, k, n)
    grad = cross_entropy_backward(logits, targets)
    (expected,) = torch_grads(lambda z: F.cross_entropy(z, torch.from_numpy(targets)), 1.0, logits)
    np.testing.assert_allclose(grad, expected, **EXACT)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15, rtol=1e-7)

    def loss(z):
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_p[np.arange(n), targets].mean()

    np.testing.assert_allclose(grad, numerical_gradient(loss, logits), **NUMERIC)


def test_cross_entropy_backward_is_stable_for_huge_logits():
    grad = cross_entropy_backward([[1000.0, 0.0], [0.0, -1000.0]], [1, 1])
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad, [[0.5, -0.5], [0.5, -0.5]], rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize(
    "fn, args, error, pattern",
    [
        (relu_backward, (np.ones(3), np.ones(4)), ValueError, r"grad_out must have the shape of x, \(4,\), got \(3,\)"),
        (relu_backward, ("a", np.ones(3)), TypeError, r"grad_out must be an array of numbers"),
        (relu_backward, (np.ones((0, 1)), np.ones(0)), ValueError, r"grad_out must have the shape of x, \(0,\), got \(0, 1\)"),
        (linear_backward, (np.ones((2, 3)), np.ones(4), np.ones((3, 4))), ValueError, r"grad_out must have the shape of the linear output, \(3,\)"),
        (linear_backward, (np.ones(()), np.ones(()), np.ones((3, 4))), ValueError, r"x must be at least 1-D"),
        (linear_backward, (np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 5))), ValueError, r"weight has in_features=5 .* but x has 4 features"),
        (linear_backward, (np.ones((2, 2)), np.ones((2, 4)), np.ones((3, 4))), ValueError, r"grad_out must have the shape of the linear output, \(2, 3\)"),
        (cross_entropy_backward, (np.ones(3), [0]), ValueError, r"target must have shape \(\) to match input of shape \(3,\)"),
        (cross_entropy_backward, (np.ones((2, 3)), [0, 1, 2]), ValueError, r"target must have shape \(2,\) to match input"),
        (cross_entropy_backward, (np.ones((2, 3)), [0, 3]), ValueError, r"target must be class indices in \[0, 3\).*got 3"),
        (cross_entropy_backward, (np.ones((2, 3)), [0, -1]), ValueError, r"target must be class indices"),
        (cross_entropy_backward, (np.ones((2, 3)), [0.0, 1.0]), TypeError, r"target must hold integer class indices, got an array of dtype float64"),
        (cross_entropy_backward, (np.ones((0, 3)), []), ValueError, r"input must not be empty"),
    ],
)
def test_dense_backward_bad_input(fn, args, error, pattern):
    with pytest.raises(error, match=pattern):
        fn(*args)


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


# --------------------------------------------------------------------------- learning


@pytest.mark.parametrize("lr", [0.0, 0.001, 0.1, 1.5])
@pytest.mark.parametrize("shape", [(3,), (4, 1, 3, 3), (10, 7)])
def test_sgd_step_matches_torch_optim_sgd(lr, shape):
    rng = np.random.default_rng(len(shape))
    param, grad = rng.normal(size=shape), rng.normal(size=shape)
    p_t = torch.tensor(param, requires_grad=True)
    p_t.grad = torch.tensor(grad)
    torch.optim.SGD([p_t], lr=lr).step()
    np.testing.assert_allclose(sgd_step(param, grad, lr), p_t.detach().numpy(), rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("lr", [0.02, 0.2, 0.45, 0.55])
def test_sgd_on_a_parabola_follows_torch_and_the_closed_form(lr):
    a, steps = 4.0, 15
    k = np.array([1.0])
    k_t = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([k_t], lr=lr)
    for t in range(1, steps + 1):
        k = sgd_step(k, a * k, lr=lr)
        optimizer.zero_grad()
        (a / 2 * k_t**2).sum().backward()
        optimizer.step()
        np.testing.assert_allclose(k, k_t.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(k, (1 - lr * a) ** t, rtol=1e-10, atol=1e-12)


def test_sgd_step_returns_a_new_array():
    param = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = param.copy()
    new = sgd_step(param, np.ones((2, 2)), 0.5)
    np.testing.assert_array_equal(new, before - 0.5)
    np.testing.assert_array_equal(param, before)
    assert new is not param


def test_sgd_step_descends_a_quadratic():
    k = np.array([3.0, -2.0])
    for _ in range(50):
        k = sgd_step(k, 2 * k, lr=0.1)  # L = |k|^2
    assert np.abs(k).max() < 1e-4


@pytest.mark.parametrize(
    "args, error, pattern",
    [
        ((np.ones(3), np.ones(2), 0.1), ValueError, r"grad must have the shape of param, \(3,\), got \(2,\)"),
        ((np.ones(3), np.ones(3), "0.1"), TypeError, r"lr must be a number, got str"),
        ((np.ones(3), np.ones(3), True), TypeError, r"lr must be a number, got bool"),
        ((np.ones(3), np.ones(3), -0.1), ValueError, r"lr must be a finite number >= 0, got -0.1"),
        ((np.ones(3), np.ones(3), float("nan")), ValueError, r"lr must be a finite number"),
        (("p", np.ones(3), 0.1), TypeError, r"param must be an array of numbers"),
        ((np.ones(3), None, 0.1), TypeError, r"grad must be an array of numbers, got None"),
    ],
)
def test_sgd_step_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        sgd_step(*args)


def test_numerical_gradient_leaves_x_alone_and_is_float64():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    before = x.copy()
    g = numerical_gradient(lambda v: float((v**3).sum()), x)
    assert g.dtype == np.float64 and g.shape == x.shape
    np.testing.assert_allclose(g, 3 * before.astype(np.float64) ** 2, rtol=1e-8, atol=1e-12)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_accepts_integer_input_and_0d_results():
    g = numerical_gradient(lambda v: np.sum(v * np.array([1.0, 2.0, 3.0])), [1, 1, 1])
    np.testing.assert_allclose(g, [1, 2, 3], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(
    "args, error, pattern",
    [
        (("f", np.ones(3)), TypeError, r"f must be a callable"),
        ((lambda v: v, np.ones(3)), ValueError, r"f must return a scalar, got an array of shape \(3,\)"),
        ((lambda v: v.sum(), "x"), TypeError, r"x must be an array of numbers"),
        ((lambda v: v.sum(), np.ones(3), 0.0), ValueError, r"eps must be a finite number > 0, got 0.0"),
        ((lambda v: v.sum(), np.ones(3), "1e-6"), TypeError, r"eps must be a number, got str"),
    ],
)
def test_numerical_gradient_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        numerical_gradient(*args)


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


POOL_BACKWARD_CASES = [
    ((2, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 6, 5), dict(kernel_size=(3, 2), stride=(2, 1), ceil_mode=True)),
    ((1, 2, 6, 6), dict(kernel_size=2, stride=1, padding=1)),
]


@pytest.mark.parametrize("shape, kw", POOL_BACKWARD_CASES)
@pytest.mark.parametrize("dilation", [1, 2])
def test_max_pool2d_backward_full_signature(shape, kw, dilation):
    rng = np.random.default_rng(12)
    x = rng.permutation(np.arange(float(np.prod(shape)))).reshape(shape) / 7.0  # no ties: differentiable
    kw = dict(kw, dilation=dilation)
    g = rng.standard_normal(max_pool2d(x, **kw).shape)
    (expected,) = torch_grads(lambda t: F.max_pool2d(t, **kw), g, x)
    got = max_pool2d_backward(g, x, **kw, return_indices=True)
    np.testing.assert_allclose(got, expected, **EXACT)
    np.testing.assert_allclose(got, numerical_gradient(lambda v: (max_pool2d(v, **kw) * g).sum(), x, eps=1e-4),
                               **NUMERIC)


@pytest.mark.parametrize("shape, kw", POOL_BACKWARD_CASES)
@pytest.mark.parametrize("count_include_pad, divisor_override", [(True, None), (False, None), (True, 5)])
def test_avg_pool2d_backward_full_signature(shape, kw, count_include_pad, divisor_override):
    rng = np.random.default_rng(13)
    x = rng.standard_normal(shape)
    kw = dict(kw, count_include_pad=count_include_pad, divisor_override=divisor_override)
    g = rng.standard_normal(avg_pool2d(x, **kw).shape)
    (expected,) = torch_grads(lambda t: F.avg_pool2d(t, **kw), g, x)
    got = avg_pool2d_backward(g, x, **kw)
    np.testing.assert_allclose(got, expected, **EXACT)
    np.testing.assert_allclose(got, numerical_gradient(lambda v: (avg_pool2d(v, **kw) * g).sum(), x), **NUMERIC)


def test_max_pool2d_backward_ties_go_to_the_first_maximum_with_overlaps():
    x = np.ones((1, 1, 4, 4))
    g = np.arange(9.0).reshape(1, 1, 3, 3)
    (expected,) = torch_grads(lambda t: F.max_pool2d(t, 2, 1), g, x)
    np.testing.assert_array_equal(max_pool2d_backward(g, x, 2, 1), expected)


@pytest.mark.parametrize(
    "forward, backward, theirs, kw",
    [
        (companion.softmax, companion.softmax_backward, torch.softmax, dict(axis=1)),
        (companion.softmax, companion.softmax_backward, torch.softmax, dict(dim=0)),
        (companion.log_softmax, companion.log_softmax_backward, torch.log_softmax, dict(axis=-1)),
        (companion.log_softmax, companion.log_softmax_backward, torch.log_softmax, dict(dim=2)),
        (companion.sigmoid, companion.sigmoid_backward, torch.sigmoid, dict()),
        (companion.tanh, companion.tanh_backward, torch.tanh, dict()),
    ],
)
@pytest.mark.parametrize("shape", [(3, 4, 2), ()])
def test_elementwise_and_softmax_backward(forward, backward, theirs, kw, shape):
    if shape == () and ("axis" in kw or "dim" in kw):
        kw = dict(axis=0)
    rng = np.random.default_rng(14)
    x, g = rng.standard_normal(shape), rng.standard_normal(shape)
    t_kw = {"dim": kw.get("dim", kw.get("axis"))} if kw else {}
    (expected,) = torch_grads(lambda t: theirs(t, **t_kw), g, x)
    got = backward(g, x, **kw)
    np.testing.assert_allclose(got, expected, **EXACT)
    np.testing.assert_allclose(got, numerical_gradient(lambda v: (forward(v, **kw) * g).sum(), x), **NUMERIC)
    assert backward(np.zeros((0, 2)), np.zeros((0, 2)), **({"axis": 1} if kw else {})).shape == (0, 2)


def test_linear_backward_takes_any_leading_axes():
    rng = np.random.default_rng(15)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)
    g = rng.standard_normal((2, 3, 5))
    expected = torch_grads(F.linear, g, x, w, b)
    for ours, theirs in zip(linear_backward(g, x, w), expected):
        np.testing.assert_allclose(ours, theirs, **EXACT)


LOSS_OPTIONS = [dict(), dict(reduction="sum"), dict(reduction="none"), dict(reduce=False)]


def _loss_grads(f, options, x, target, **extra):
    """PyTorch's gradients of a loss with respect to its input and (if float) its target."""
    tx = torch.tensor(x, requires_grad=True)
    tt = torch.tensor(target, requires_grad=target.dtype.kind == "f")
    t_options = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in {**options, **extra}.items()}
    out = f(tx, tt, **t_options)
    g = np.random.default_rng(16).standard_normal(out.shape)
    out.backward(torch.from_numpy(g))
    return g, tx.grad.numpy(), None if tt.grad is None else tt.grad.numpy()


@pytest.mark.parametrize("options", LOSS_OPTIONS)
@pytest.mark.parametrize("extra", [dict(), dict(label_smoothing=0.2), dict(weight=np.array([1.0, 0.5, 2.0]))])
@pytest.mark.parametrize("probabilities", [False, True])
def test_cross_entropy_backward_options(options, extra, probabilities):
    rng = np.random.default_rng(17)
    z = rng.standard_normal((4, 3, 2))
    target = rng.dirichlet(np.ones(3), size=(4, 2)).transpose(0, 2, 1).copy() if probabilities else \
        np.array([[0, 1], [2, -100], [1, 1], [0, 2]])
    g, gx, gt = _loss_grads(F.cross_entropy, options, z, target, **extra)
    kw = {**options, **extra}
    grad_out = g if g.ndim else float(g)
    got = companion.cross_entropy_backward(z, target, grad_out=grad_out, **kw)
    np.testing.assert_allclose(got, gx, **EXACT)
    if probabilities:
        np.testing.assert_allclose(companion.cross_entropy_backward(z, target, grad_out=grad_out, wrt="target", **kw),
                                   gt, **EXACT)
    if not g.ndim:
        numeric = numerical_gradient(lambda v: companion.cross_entropy(v, target, **kw) * grad_out, z)
        np.testing.assert_allclose(got, numeric, **NUMERIC)


@pytest.mark.parametrize("options", LOSS_OPTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse_loss"])
def test_bce_and_mse_backward_options(options, weighted, loss):
    rng = np.random.default_rng(18)
    x, y = rng.uniform(0.1, 0.9, size=(3, 4)), rng.uniform(size=(3, 4))
    extra = dict(weight=rng.uniform(size=(3, 4))) if weighted else {}
    g, gx, gy = _loss_grads(getattr(F, loss), options, x, y, **extra)
    grad_out = g if g.ndim else float(g)
    backward = getattr(companion, loss + "_backward")
    for wrt, expected in (("input", gx), ("target", gy)):
        np.testing.assert_allclose(backward(x, y, grad_out=grad_out, wrt=wrt, **options, **extra), expected, **EXACT)
    if not g.ndim:
        forward = getattr(companion, loss)
        numeric = numerical_gradient(lambda v: forward(v, y, **options, **extra) * grad_out, x)
        np.testing.assert_allclose(backward(x, y, grad_out=grad_out, **options, **extra), numeric, **NUMERIC)


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: companion.mse_loss_backward(np.ones(2), np.ones(2), reduction="none"), ValueError,
         r"^grad_out is needed with reduction='none'"),
        (lambda: companion.mse_loss_backward(np.ones(2), np.ones(2), reduction="none", grad_out=np.ones(3)),
         ValueError, r"^grad_out must have the shape of the loss, \(2,\), got \(3,\)"),
        (lambda: companion.mse_loss_backward(np.ones(2), np.ones(2), grad_out=np.ones(2)), ValueError,
         r"^grad_out must be 0-D"),
        (lambda: companion.binary_cross_entropy_backward(np.ones(2), np.ones(2), wrt="weight"), ValueError,
         r"^wrt must be one of 'input', 'target'"),
        (lambda: companion.cross_entropy_backward(np.ones((2, 3)), [0, 1], wrt="target"), ValueError,
         r"^wrt='target' needs class-probability targets"),
        (lambda: companion.softmax_backward(np.ones(3), np.ones(2)), ValueError,
         r"^grad_out must have the shape of input, \(2,\), got \(3,\)"),
        (lambda: max_pool2d_backward(np.ones((1, 1)), np.ones((3, 3)), 2, return_indices=1), TypeError,
         r"^return_indices must be True or False"),
    ],
)
def test_new_backward_bad_input(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_cross_entropy_backward_default_grad_out_with_options():
    rng = np.random.default_rng(19)
    z, t, w = rng.standard_normal((5, 3)), np.array([0, 2, 1, -100, 2]), np.array([1.0, 0.5, 2.0])
    tz = torch.tensor(z, requires_grad=True)
    F.cross_entropy(tz, torch.from_numpy(t), torch.from_numpy(w), label_smoothing=0.1).backward()
    got = cross_entropy_backward(z, t, w, size_average=True, reduce=True, label_smoothing=0.1)
    np.testing.assert_allclose(got, tz.grad.numpy(), **EXACT)


# --------------------------------------------------------------------------- global average pooling

from companion.backprop import global_avg_pool2d_backward  # noqa: E402
from companion.pooling import global_avg_pool2d  # noqa: E402


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 5, 7), (3, 4, 2, 2), (2, 6, 3)])
def test_global_avg_pool2d_backward_matches_autograd_and_numerical(shape):
    rng = np.random.default_rng(sum(shape))
    x, grad_out = rng.normal(size=shape), rng.normal(size=shape[:-2])
    t = torch.from_numpy(x).requires_grad_(True)
    out = F.adaptive_avg_pool2d(t, 1)[..., 0, 0]
    (out * torch.from_numpy(grad_out)).sum().backward()
    grad_x = global_avg_pool2d_backward(grad_out, x)
    assert grad_x.shape == x.shape
    np.testing.assert_allclose(grad_x, t.grad.numpy(), **EXACT)
    numeric = numerical_gradient(lambda v: float((global_avg_pool2d(v) * grad_out).sum()), x)
    np.testing.assert_allclose(grad_x, numeric, **NUMERIC)


def test_global_avg_pool2d_backward_float32_and_bad_input():
    x = np.ones((2, 3, 4, 4), dtype=np.float32)
    assert global_avg_pool2d_backward(np.ones((2, 3), dtype=np.float32), x).dtype == np.float32
    with pytest.raises(ValueError, match=r"grad_out must have the shape of the global_avg_pool2d output, \(2, 3\)"):
        global_avg_pool2d_backward(np.ones((2, 4)), x)
    with pytest.raises(ValueError, match="grad_out must be 2-D"):
        global_avg_pool2d_backward(np.ones((2, 3, 1, 1)), x)
    with pytest.raises(ValueError, match="x must be 3-D or 4-D"):
        global_avg_pool2d_backward(np.ones(2), np.ones((2, 2)))
    with pytest.raises(TypeError, match="grad_out"):
        global_avg_pool2d_backward("g", x)


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2),  # windows that tile the input: the gradient is a broadcast
    dict(kernel_size=3, padding=1, ceil_mode=True),  # tiles with padding and a partial last window
    dict(kernel_size=(2, 3), ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1),  # overlapping windows: one addition per tap
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pool_backward_with_ties_nan_and_minus_inf_matches_autograd(kw, dtype):
    """ReLU outputs tie at 0 in whole windows; a nan wins its window; an all--inf window sends
    its gradient to its first cell inside the input (PyTorch's rules)."""
    rng = np.random.default_rng(21)
    x = np.maximum(rng.standard_normal((2, 3, 7, 8)), 0).astype(dtype)
    x[0, 0, 1, 1] = np.nan
    x[0, 1, :3, :3] = -np.inf
    g = rng.standard_normal(max_pool2d(x, **kw).shape).astype(dtype)
    (expected,) = torch_grads(lambda t: F.max_pool2d(t, **kw), g, x)
    got = max_pool2d_backward(g, x, **kw)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)  # overlaps add in another order
    assert not np.signbit(got[got == 0]).any()  # 0.0, never -0.0, where a cell won nothing
    g[0, 0, 0, 0], g[1, 2, 1, 1] = np.inf, np.nan  # G * 0 would be nan: these take np.where
    (expected,) = torch_grads(lambda t: F.max_pool2d(t, **kw), g, x)
    np.testing.assert_allclose(max_pool2d_backward(g, x, **kw), expected, rtol=1e-6, atol=1e-6)
    g = np.nan_to_num(g)
    x = np.where(np.isfinite(x), x, 0).astype(dtype)
    (expected,) = torch_grads(lambda t: F.avg_pool2d(t, **kw), g, x)
    got = avg_pool2d_backward(g, x, **kw)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape, k", [((2, 3, 7, 9), 2), ((1, 2, 9, 8), 3), ((2, 1, 6, 6), (2, 3))])
def test_max_pool2d_backward_of_tiling_windows_is_exact_with_ties_and_leftover_cells(shape, k):
    """Windows that tile the input (each cell written once), ReLU's ties at 0, rows and columns
    that no window reaches (they get 0.0, as every cell that won nothing)."""
    rng = np.random.default_rng(22)
    x = np.maximum(rng.standard_normal(shape), 0)
    g = rng.standard_normal(max_pool2d(x, k).shape)
    (expected,) = torch_grads(lambda t: F.max_pool2d(t, k), g, x)
    got = max_pool2d_backward(g, x, k)
    np.testing.assert_array_equal(got, expected)
    assert not np.signbit(got[got == 0]).any()


@pytest.mark.parametrize("shape, kw", POOL_BACKWARD_CASES + [((3, 2, 8, 8), dict(kernel_size=2))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool2d_backward_with_the_forward_indices_matches_autograd(shape, kw, dtype):
    """The indices of max_pool2d(..., return_indices=True) give the same gradient as the search
    from x (with ReLU's ties at 0), and as PyTorch's autograd, which keeps its own indices."""
    rng = np.random.default_rng(23)
    x = np.maximum(rng.standard_normal(shape), 0).astype(dtype)
    out, indices = max_pool2d(x, **kw, return_indices=True)
    g = rng.standard_normal(out.shape).astype(dtype)
    (expected,) = torch_grads(lambda t: F.max_pool2d(t, **kw), g, x)
    kept = indices.copy()
    got = max_pool2d_backward(g, x, **kw, indices=indices)
    np.testing.assert_array_equal(indices, kept)  # the caller's indices are left as they were
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)  # overlaps add in another order
    np.testing.assert_array_equal(got, max_pool2d_backward(g, x, **kw))
    assert not np.signbit(got[got == 0]).any()


@pytest.mark.parametrize("shape, kw", [((2, 3, 6, 7), dict(kernel_size=2)),
                                       ((2, 3, 7, 7), dict(kernel_size=3, stride=2, padding=1))])
def test_max_pool2d_backward_adds_every_g_sent_to_an_index_as_pytorch_does(shape, kw):
    """Any indices in range, repeated ones included: each cell receives the sum of the G sent to
    it (PyTorch's own backward kernel, max_pool2d_with_indices_backward)."""
    rng = np.random.default_rng(24)
    x = rng.standard_normal(shape)
    out = max_pool2d(x, **kw)
    g = rng.standard_normal(out.shape)
    indices = rng.integers(0, 3, out.shape)  # many windows point at the same three cells
    k, s, p = (companion._validation.pair(kw.get(a, d), a) for a, d in
               (("kernel_size", 0), ("stride", kw["kernel_size"]), ("padding", 0)))
    expected = torch.ops.aten.max_pool2d_with_indices_backward(
        torch.from_numpy(g), torch.from_numpy(x), list(k), list(s), list(p), [1, 1], False, torch.from_numpy(indices))
    np.testing.assert_allclose(max_pool2d_backward(g, x, **kw, indices=indices), expected.numpy(), **EXACT)


@pytest.mark.parametrize(
    "indices, error, pattern",
    [
        (np.zeros((1, 1, 2, 2)), TypeError, r"^indices must be an array of integers, got dtype float64"),
        (np.zeros((1, 1, 2, 2), dtype=bool), TypeError, r"^indices must be an array of integers, got dtype bool"),
        (np.zeros((1, 1, 2, 3), dtype=np.int64), ValueError,
         r"^indices must have the shape of the max_pool2d output, \(1, 1, 2, 2\), got \(1, 1, 2, 3\)"),
        (np.full((1, 1, 2, 2), 16), ValueError, r"^indices must lie in \[0, 16\) \(H \* W of the input\), got values "
                                                r"from 16 to 16"),
        (np.array([[[[0, 1], [-1, 3]]]]), ValueError, r"^indices must lie in \[0, 16\).*from -1 to 3"),
    ],
)
def test_max_pool2d_backward_rejects_bad_indices(indices, error, pattern):
    with pytest.raises(error, match=pattern):
        max_pool2d_backward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 4, 4)), 2, indices=indices)


def test_max_pool2d_with_several_nans_in_a_window_points_at_the_last_one():
    """PyTorch replaces its running maximum at every nan, so the last nan of a window wins, in
    the indices and in the gradient."""
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    x[0, 0, 0, 0] = x[0, 0, 1, 1] = x[0, 1, 2, 2] = x[0, 1, 2, 3] = x[0, 1, 3, 2] = np.nan
    out, indices = max_pool2d(x, 2, return_indices=True)
    expected, expected_indices = F.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    np.testing.assert_array_equal(indices, expected_indices.numpy())
    np.testing.assert_array_equal(out, expected.numpy())
    g = np.arange(1.0, 9.0).reshape(1, 2, 2, 2)
    (grad,) = torch_grads(lambda t: F.max_pool2d(t, 2), g, x)
    np.testing.assert_array_equal(max_pool2d_backward(g, x, 2), grad)
