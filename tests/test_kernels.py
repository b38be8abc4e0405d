"""companion._kernels: the window arithmetic that convolution, pooling and backprop share."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion import _kernels
from companion.convolution import im2col


@pytest.mark.parametrize("n, k, s, p, d", [(5, 3, 1, 0, 1), (7, 3, 2, 1, 1), (10, 3, 3, 2, 2), (6, 2, 2, 0, 3)])
def test_output_length_matches_torch(n, k, s, p, d):
    y = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
    assert _kernels._out_len(n, k, s, p, d, "input") == y.shape[-1]
    assert _kernels._output_size((n, n + 1), (k, k), (s, s), (p, p), (d, d))[0] == y.shape[-1]


def test_output_length_names_every_argument():
    with pytest.raises(ValueError, match=r"kernel_size=4 with dilation=2 spans 7 elements, more than the input "
                                         r"width of length n=5 padded with padding=0 on each side \(5\)"):
        _kernels._output_size((9, 5), (4, 4), (1, 1), (0, 0), (2, 2))


def test_pad_and_windows():
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    xp = _kernels._pad(x, (1, 2), value=-1.0)
    assert xp.shape == (1, 1, 5, 8) and xp[0, 0, 0, 0] == -1.0 and xp[0, 0, 1, 2] == 0.0
    view = _kernels._windows(xp, (2, 2), (1, 2), (2, 1), (3, 4))
    assert view.shape == (1, 1, 2, 2, 3, 4) and not view.flags.writeable
    # view[n, c, m, q, i, j] = xp[n, c, i*s_h + m*d_h, j*s_w + q*d_w]
    assert view[0, 0, 1, 1, 2, 3] == xp[0, 0, 2 * 1 + 1 * 2, 3 * 2 + 1 * 1]


def test_taps_and_add_taps_are_the_windows_seen_tap_by_tap():
    x = np.random.default_rng(0).normal(size=(2, 3, 7, 6))
    kernel, stride, dilation = (2, 3), (2, 1), (1, 2)
    out = _kernels._output_size(x.shape[2:], kernel, stride, (0, 0), dilation)
    view = _kernels._windows(x, kernel, stride, dilation, out)
    for m, q, rows, cols in _kernels._taps(kernel, stride, out, dilation):
        np.testing.assert_array_equal(x[:, :, rows, cols], view[:, :, m, q])
    # add_taps is the adjoint: <view, g> == <x, _add_taps(g)>
    g = np.random.default_rng(1).normal(size=view.shape)
    back = np.zeros(x.shape).transpose(1, 0, 2, 3)
    _kernels._add_taps(back, g.transpose(1, 2, 3, 0, 4, 5), kernel, stride, dilation, out)
    np.testing.assert_allclose((view * g).sum(), (x * back.transpose(1, 0, 2, 3)).sum(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, k, L, elements, expected", [
    (5, 18, 81, 1 << 20, [(0, 5)]),
    (5, 18, 81, 500, [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]),
    (5, 2, 10, 60, [(0, 3), (3, 2)]),
])
def test_image_blocks_fit_the_block_size(monkeypatch, n, k, L, elements, expected):
    monkeypatch.setattr(_kernels, "_BLOCK_ELEMENTS", elements)
    assert _kernels._image_blocks(n, k, L) == expected


@pytest.mark.parametrize("kernel, out", [((2, 2), (3, 3)), ((3, 3), (1, 1))])
@pytest.mark.parametrize("per_image", [False, True])
def test_block_columns_are_the_im2col_columns(kernel, out, per_image):
    x = np.random.default_rng(2).normal(size=(3, 2, out[0] + kernel[0] - 1, out[1] + kernel[1] - 1))
    view = _kernels._windows(x, kernel, (1, 1), (1, 1), out)
    k, L = 2 * kernel[0] * kernel[1], out[0] * out[1]
    cols = _kernels._block_columns(view, 1, 2, np.empty(k * 2 * L), per_image)
    expected = im2col(x, kernel)[1:3]
    if per_image:
        np.testing.assert_array_equal(cols, expected)
    else:
        np.testing.assert_array_equal(cols, expected.transpose(1, 0, 2).reshape(k, 2 * L))


def test_one_product_per_image_for_few_taps_or_a_forward_output_larger_than_the_columns():
    assert _kernels._per_image(9, 32) and _kernels._per_image(9, 8) and _kernels._per_image(63, 4)
    assert not _kernels._per_image(288, 64) and not _kernels._per_image(64, 64)
    assert _kernels._per_image(72, 128) and not _kernels._per_image(72, 128, backward=True)
    assert _kernels._per_image(9, 8, backward=True)


# (N, C_in, H, W), C_out, kernel, stride, padding, dilation, groups, bias
LAYOUT_CASES = [
    ((3, 1, 9, 8), 4, 3, 1, 0, 1, 1, True),
    ((2, 4, 8, 9), 6, (3, 2), 2, 1, 1, 1, False),
    ((2, 4, 10, 10), 4, 3, 1, 2, 2, 2, True),
    ((5, 8, 7, 7), 16, 3, 1, 1, 1, 1, True),
]


@pytest.mark.parametrize("per_image", [True, False])
@pytest.mark.parametrize("case", LAYOUT_CASES)
def test_both_product_layouts_match_torch(monkeypatch, count_blocks, per_image, case):
    """conv2d and conv2d_backward with each image's own product and with the images side by
    side, whichever the shape would choose, in blocks of one or two images."""
    import companion.backprop.conv as bp
    import companion.convolution.layer as conv

    shape, c_out, k, stride, padding, dilation, groups, with_bias = case
    monkeypatch.setattr(conv, "_per_image", lambda *args, **kwargs: per_image)
    monkeypatch.setattr(bp, "_per_image", lambda *args, **kwargs: per_image)
    forward_blocks, backward_blocks = count_blocks(conv, 600), count_blocks(bp, 600)
    rng = np.random.default_rng(3)
    kh, kw = (k, k) if isinstance(k, int) else k
    x = rng.standard_normal(shape)
    w = rng.standard_normal((c_out, shape[1] // groups, kh, kw))
    b = rng.standard_normal(c_out) if with_bias else None
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True) if with_bias else None
    ty = F.conv2d(tx, tw, tb, **kwargs)
    np.testing.assert_allclose(conv.conv2d(x, w, b, **kwargs), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(ty.shape)
    ty.backward(torch.from_numpy(g))
    gx, gw, gb = bp.conv2d_backward(g, x, w, **kwargs)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    if with_bias:
        np.testing.assert_allclose(gb, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert any(len(blocks) > 1 for blocks in forward_blocks + backward_blocks)  # several blocks ran


@pytest.mark.parametrize("bias", [None, np.array([1.0, -2.0, 3.0])])
def test_unblock_reorders_the_images_to_the_front_and_adds_the_bias(bias):
    y = np.arange(3 * 2 * 4.0).reshape(3, 2 * 4)  # (C_out, b*L): 3 kernels, 2 images, 4 positions
    out = np.empty((2, 3, 4))
    _kernels._unblock(y, 2, out, bias)
    expected = y.reshape(3, 2, 4).transpose(1, 0, 2) + (0 if bias is None else bias[:, None])
    np.testing.assert_array_equal(out, expected)


def test_pad_for_reading_copies_only_when_there_is_padding():
    x = np.ones((1, 1, 2, 2))
    assert _kernels._pad_for_reading(x, (0, 0)) is x
    assert _kernels._pad_for_reading(x, ((0, 0), (0, 0))) is x
    np.testing.assert_array_equal(_kernels._pad_for_reading(x, ((0, 1), (0, 0))), _kernels._pad(x, ((0, 1), (0, 0))))


def test_check_conv_and_check_pool_return_clean_values():
    x, w, b, stride, padding, dilation, out = _kernels._check_conv(
        np.ones((1, 2, 5, 5), dtype=np.float32), np.ones((3, 2, 3, 3)), [1, 2, 3], 2, 1, 1)
    assert x.dtype == w.dtype == b.dtype == np.float64
    assert (stride, padding, dilation, out) == ((2, 2), (1, 1), (1, 1), (3, 3))
    x, x4, kernel, stride, padding, dilation, out, sides = _kernels._check_pool(np.ones((4, 6)), 2, None, 1)
    assert x4.shape == (1, 1, 4, 6) and stride == kernel == (2, 2) and out == (3, 4)
    assert dilation == (1, 1) and sides == ((1, 1), (1, 1))
    # ceil_mode: a last, partial window, whose cells past the padding are added to it
    *_, out, sides = _kernels._check_pool(np.ones((1, 5, 5)), 2, (), 0, 1, True)
    assert out == (3, 3) and sides == ((0, 1), (0, 1))
    with pytest.raises(ValueError, match=r"padding=2 must be at most kernel_size // 2 = 1"):
        _kernels._check_pool(np.ones((4, 6)), 2, None, 2)
