"""companion.convolution.locality against torch: the matrix of a convolution is the Jacobian
of F.conv2d, a locally connected layer is F.unfold with a weight per window, and receptive
fields are where torch.autograd finds a nonzero gradient."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion.convolution.locality import (
    conv_matrix,
    effective_receptive_field,
    locally_connected2d,
    locally_connected_param_count,
    receptive_field,
    receptive_field_box,
)


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
