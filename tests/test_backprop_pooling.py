"""companion.backprop.pooling against torch.autograd and against numerical_gradient."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion.backprop.learning import numerical_gradient
from companion.backprop.pooling import avg_pool2d_backward, global_avg_pool2d_backward, max_pool2d_backward
from companion.pooling import avg_pool2d, global_avg_pool2d, max_pool2d


EXACT = dict(rtol=1e-10, atol=1e-12)


NUMERIC = dict(rtol=1e-6, atol=1e-8)


def torch_grads(fn, grad_out, *arrays):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    fn(*tensors).backward(torch.from_numpy(np.asarray(grad_out, dtype=np.float64)))
    return [t.grad.numpy() for t in tensors]


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


def test_max_pool2d_backward_return_indices_must_be_a_bool():
    with pytest.raises(TypeError, match=r"^return_indices must be True or False"):
        max_pool2d_backward(np.ones((1, 1)), np.ones((3, 3)), 2, return_indices=1)


# --------------------------------------------------------------------------- PyTorch's whole signature


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


# --------------------------------------------------------------------------- global average pooling


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


# --------------------------------------------------------------------------- ties, nan and -inf; the indices of the forward pass


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
