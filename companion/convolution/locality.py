r"""Why convolution (chapter 2): locality, shared weights and receptive fields.

A convolution is a dense layer with most of its weights zero and the rest shared:
:func:`conv_matrix` writes it as that matrix. :func:`locally_connected2d` is the layer in
between, local but not shared (:func:`locally_connected_param_count` counts what sharing
saves). Stacked, local layers see more and more of the image: :func:`receptive_field` is the
size of the region one output sees, :func:`receptive_field_box` where it lies, and
:func:`effective_receptive_field` how strongly each of its pixels counts.
"""

from __future__ import annotations

import numpy as np

from .._kernels import _float_dtype, _out_len, _pad
from .._validation import as_float, check_bool, check_int, pair
from .formulas import convolve2d

__all__ = [
    "conv_matrix",
    "locally_connected2d",
    "locally_connected_param_count",
    "receptive_field",
    "receptive_field_box",
    "effective_receptive_field",
]


# --------------------------------------------------------------------------- where convolution comes from


def _image_shape(input_shape):
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise TypeError(f"input_shape must be a pair of ints (H, W), got {input_shape!r}")
    return check_int(input_shape[0], "input_shape[0]", 1), check_int(input_shape[1], "input_shape[1]", 1)


def conv_matrix(input_shape, kernel, stride=1, padding=0, dilation=1):
    r"""The matrix :math:`M` of a single-channel convolution: ``flat(S) = M @ flat(I)``.

    Entry :math:`(i W_{\text{out}} + j,\; u W + v)` holds the weight that input pixel
    :math:`(u, v)` receives in output :math:`(i, j)`:

    .. math::

        M[i W_{\text{out}} + j,\; u W + v] = \sum_{m, q} K[m, q]\,
            \mathbb 1[u = i s + m d - p]\; \mathbb 1[v = j s + q d - p]

    (taps that fall on the zero padding have no column). Flattening is row-major. For
    stride 1, :math:`M` is **doubly block-Toeplitz**: cut into :math:`H_{\text{out}} \times H`
    blocks of shape :math:`(W_{\text{out}}, W)`, block :math:`(i, u)` depends only on
    :math:`u - i`, and every block is itself Toeplitz (its entry :math:`(j, v)` depends only
    on :math:`v - j`).

    Parameters
    ----------
    input_shape : pair of int
        :math:`(H, W)`, the shape of the image :math:`I`.
    kernel : array_like, shape (kH, kW)
        :math:`K`.
    stride, padding, dilation : int or pair of int, defaults 1, 0, 1
        As in :func:`conv2d`.

    Returns
    -------
    numpy.ndarray, shape (H_out * W_out, H * W)
        :math:`M`, in the kernel's float dtype (float64 for integers).

    Examples
    --------
    >>> conv_matrix((1, 3), [[1, 2]])
    array([[1., 2., 0.],
           [0., 1., 2.]])
    """
    h, w = _image_shape(input_shape)
    kernel = as_float(kernel, "kernel", 2)
    s = pair(stride, "stride", 1)
    p = pair(padding, "padding", 0)
    d = pair(dilation, "dilation", 1)
    kh, kw = kernel.shape
    h_out = _out_len(h, kh, s[0], p[0], d[0], "input height")
    w_out = _out_len(w, kw, s[1], p[1], d[1], "input width")
    i, j, m, q = np.meshgrid(np.arange(h_out), np.arange(w_out), np.arange(kh), np.arange(kw), indexing="ij")
    u = i * s[0] + m * d[0] - p[0]
    v = j * s[1] + q * d[1] - p[1]
    inside = (u >= 0) & (u < h) & (v >= 0) & (v < w)
    M = np.zeros((h_out * w_out, h * w), dtype=kernel.dtype)
    rows = (i * w_out + j)[inside]
    cols = (u * w + v)[inside]
    np.add.at(M, (rows, cols), np.broadcast_to(kernel, i.shape)[inside])
    return M


def _check_local(input, weight, bias, padding):
    x = as_float(input, "input", 2)
    weight = as_float(weight, "weight", 4)
    p = check_int(padding, "padding", 0)
    h_out, w_out, kh, kw = weight.shape
    expected = (x.shape[0] + 2 * p - kh + 1, x.shape[1] + 2 * p - kw + 1)
    if (h_out, w_out) != expected:
        raise ValueError(
            f"weight of shape {weight.shape} needs (H_out, W_out) = {expected} for an input of shape "
            f"{x.shape} with padding={p} and a {kh}x{kw} window, got ({h_out}, {w_out})"
        )
    if bias is not None:
        bias = as_float(bias, "bias", 2)
        if bias.shape != (h_out, w_out):
            raise ValueError(f"bias must have shape {(h_out, w_out)}, got {bias.shape}")
    return x, weight, bias, p


def locally_connected2d(input, weight, bias=None, padding=0):
    r"""A locally connected layer: a window at every position, with weights of its own.

    .. math::

        S[i, j] = b[i, j] + \sum_{m=0}^{k_H-1} \sum_{q=0}^{k_W-1} V[i, j, m, q]\, I_p[i + m, j + q]

    It is a dense layer restricted to a :math:`k_H \times k_W` window (locality) but not
    yet sharing its weights; with :math:`V[i, j, m, q] = K[m, q]` and :math:`b[i, j] = b`
    at every position it becomes the convolution :math:`S = b + I \star K`. Stride 1.

    Parameters
    ----------
    input : array_like, shape (H, W)
        The image :math:`I`.
    weight : array_like, shape (H_out, W_out, kH, kW)
        :math:`V`, one window of weights per output position;
        :math:`H_{\text{out}} = H + 2p - k_H + 1`, likewise :math:`W_{\text{out}}`.
    bias : array_like, shape (H_out, W_out), optional
        One bias per output position. Default ``None``: none.
    padding : int, default 0
        Zeros added on every side first (:math:`I_p`).

    Returns
    -------
    numpy.ndarray, shape (H_out, W_out)

    Examples
    --------
    >>> V = np.ones((2, 2, 1, 2)); V[1, 1] = [10, 0]
    >>> locally_connected2d([[1, 2, 3], [4, 5, 6]], V)
    array([[ 3.,  5.],
           [ 9., 50.]])
    """
    x, weight, bias, p = _check_local(input, weight, bias, padding)
    kh, kw = weight.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(_pad(x, (p, p)), (kh, kw))  # (H_out, W_out, kh, kw)
    out = np.einsum("ijmq,ijmq->ij", windows, weight)
    return out if bias is None else out + bias


def locally_connected_param_count(input_size, kernel_size, padding=0, bias=False):
    r"""Number of parameters of :func:`locally_connected2d` on an :math:`H \times W` image.

    .. math::

        \lvert\theta\rvert = H_{\text{out}} W_{\text{out}}\, k_H k_W
            \;(+\, H_{\text{out}} W_{\text{out}} \text{ with biases})

    Parameters
    ----------
    input_size : int or pair of int
        :math:`(H, W)`.
    kernel_size : int or pair of int
        :math:`(k_H, k_W)`.
    padding : int, default 0
    bias : bool, default False
        Whether each output position has a bias.

    Returns
    -------
    int

    Examples
    --------
    >>> locally_connected_param_count(512, 3, padding=1)   # 512 * 512 windows of 9 weights
    2359296
    """
    h, w = pair(input_size, "input_size", 1)
    kh, kw = pair(kernel_size, "kernel_size", 1)
    p = check_int(padding, "padding", 0)
    extra = 1 if check_bool(bias, "bias") else 0
    h_out = _out_len(h, kh, 1, p, 1, "input height")
    w_out = _out_len(w, kw, 1, p, 1, "input width")
    return int(h_out * w_out * (kh * kw + extra))


# --------------------------------------------------------------------------- receptive fields


def receptive_field(layers):
    """Side length of the input region that one output unit of a stack of layers sees.

    Each layer is a convolution or a pooling window, given by its kernel length, stride
    and (optionally) dilation. Starting from :math:`r_0 = 1`, layer :math:`l` widens the
    region by :math:`k_l - 1` taps, each :math:`d_l` steps apart, and one step of its
    input is :math:`\\prod_{l' < l} s_{l'}` pixels of the image:

    .. math::

        r_l = r_{l-1} + (k_l - 1)\\, d_l \\prod_{l' < l} s_{l'}

    Padding does not change the size of the region (it only decides where the region of
    a unit at the border overhangs the image), so it is not an argument.

    Parameters
    ----------
    layers : sequence of tuple
        One ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` tuple of ints
        per layer, first layer first; convolutions and pools alike. Kernel size, stride
        and dilation are at least 1. An empty sequence is the identity (``1``).

    Returns
    -------
    int
        :math:`r_D`, the receptive field of the last of the :math:`D` layers, in input pixels.

    Examples
    --------
    >>> receptive_field([(3, 1), (3, 1)])          # two 3x3 convolutions see 5x5
    5
    >>> receptive_field([(3, 1), (2, 2), (3, 1)])  # conv, 2x2 pool, conv
    8
    >>> receptive_field([(3, 1, 2)])               # one dilated 3x3 kernel
    5
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, (list, tuple)):
        raise TypeError(
            f"layers must be a list or tuple of (kernel_size, stride[, dilation]) tuples, "
            f"got {type(layers).__name__}: {layers!r}"
        )
    checked = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) not in (2, 3):
            raise ValueError(
                f"layers[{i}] must be a (kernel_size, stride) or (kernel_size, stride, dilation) "
                f"tuple, got {layer!r}"
            )
        k = check_int(layer[0], f"layers[{i}] kernel_size", 1)
        s = check_int(layer[1], f"layers[{i}] stride", 1)
        d = check_int(layer[2], f"layers[{i}] dilation", 1) if len(layer) == 3 else 1
        checked.append((k, s, d))
    r, jump = 1, 1  # jump: input pixels per step of the current layer's input
    for k, s, d in checked:
        r += (k - 1) * d * jump
        jump *= s
    return r


def receptive_field_box(layers, index, padding=0):
    """The rows and columns of the input that one output unit of a stack of layers sees.

    Unit :math:`i` of the last layer :math:`D` (along one axis, counted from 0) looks at the
    window that starts at input position :math:`i` of layer :math:`D` minus that layer's padding;
    walking back through the layers, one step of layer :math:`l`'s input is
    :math:`J_{l-1} = \\prod_{l' < l} s_{l'}` image pixels, so the region starts at

    .. math::

        a(i) = i \\, J_D - \\sum_{l=1}^{D} p_l \\, J_{l-1}

    and spans :func:`receptive_field` pixels, :math:`r_D`. With padding the region of a
    unit near the border starts before pixel 0 (negative) or ends after the last pixel;
    those positions are padding, not image.

    Parameters
    ----------
    layers : sequence of tuple
        One ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` per layer, as
        for :func:`receptive_field`.
    index : tuple of int
        ``(i, j)``, the row and column of the unit in the last layer's output, at least 0.
    padding : int or sequence of int, default 0
        Each layer's padding on every side: one int for all layers, or one per layer.

    Returns
    -------
    tuple of tuple of int
        ``((row_start, row_stop), (col_start, col_stop))``, stops exclusive as in a slice,
        each span :math:`r_D` long.

    Examples
    --------
    >>> receptive_field_box([(3, 1), (2, 2), (3, 1)], (4, 0))   # conv, pool, conv: 8 pixels
    ((8, 16), (0, 8))
    >>> receptive_field_box([(3, 1)], (0, 0), padding=1)         # overhangs the image by one
    ((-1, 2), (-1, 2))
    """
    r = receptive_field(layers)
    n_layers = len(layers)
    if not isinstance(index, (list, tuple)) or len(index) != 2:
        raise TypeError(f"index must be a (row, column) tuple of two ints, got {index!r}")
    i = check_int(index[0], "index row", 0)
    j = check_int(index[1], "index column", 0)
    if isinstance(padding, (list, tuple)):
        if len(padding) != n_layers:
            raise ValueError(f"padding must give one value per layer ({n_layers}), got {len(padding)}: {padding!r}")
        pads = [check_int(p, f"padding[{n}]", 0) for n, p in enumerate(padding)]
    else:
        pads = [check_int(padding, "padding", 0)] * n_layers
    offset, jump = 0, 1
    for layer, p in zip(layers, pads):
        offset += p * jump
        jump *= layer[1]
    row, col = i * jump - offset, j * jump - offset
    return (row, row + r), (col, col + r)


def effective_receptive_field(kernels, input_size):
    r"""How strongly one output unit of a linear stack of convolutions depends on each pixel.

    For a stack of single-channel, stride-1, unpadded convolutions
    :math:`S_l = S_{l-1} \star K_l` (:math:`S_0 = I`), return the gradient
    :math:`\partial S_L / \partial I` of the centre unit :math:`c = \lfloor H_L/2 \rfloor`
    with respect to the input. It is computed as the backward pass computes it: start
    from a one at the centre of the last map and apply, layer by layer from the last, the
    gradient of a cross-correlation, a full *true* convolution with the same kernel:

    .. math::

        G_{l-1} = G_l * K_l \quad(\text{mode full}), \qquad G_L = \text{one 1 at the centre, zeros elsewhere}

    Its support is the receptive field (:func:`receptive_field`); its magnitude, the
    effective receptive field of Luo et al. (2016), is concentrated in the centre.

    Parameters
    ----------
    kernels : sequence of array_like, each of shape (k_l, k_l')
        :math:`K_1, \dots, K_L`, first layer first.
    input_size : int or pair of int
        :math:`(H, W)`; it must leave at least one output unit.

    Returns
    -------
    numpy.ndarray, shape (H, W)
        :math:`G_0`, the gradient of the centre unit with respect to every input pixel.

    Examples
    --------
    >>> effective_receptive_field([np.ones((2, 2)), np.ones((2, 2))], 3)
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    if isinstance(kernels, (str, bytes, np.ndarray)) or not isinstance(kernels, (list, tuple)) or not kernels:
        raise TypeError(f"kernels must be a non-empty list or tuple of 2-D arrays, got {kernels!r:.80}")
    ks = [as_float(k, f"kernels[{l}]", 2) for l, k in enumerate(kernels)]
    h, w = pair(input_size, "input_size", 1)
    h_l, w_l = h, w
    for l, k in enumerate(ks):
        h_l = _out_len(h_l, k.shape[0], 1, 0, 1, f"input of layer {l + 1} (height)")
        w_l = _out_len(w_l, k.shape[1], 1, 0, 1, f"input of layer {l + 1} (width)")
    g = np.zeros((h_l, w_l), dtype=_float_dtype(*ks))
    g[h_l // 2, w_l // 2] = 1
    for k in reversed(ks):
        g = convolve2d(g, k, "full")
    return g
