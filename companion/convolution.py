r"""Convolution: the operation of chapter 2 (padding, stride, dilation) and chapter 5 (channels).

What a CNN calls "convolution" is **cross-correlation**: the kernel slides over the input
without being flipped,

.. math::

    Y[n, o, i, j] = b[o] + \sum_c \sum_m \sum_q
        X_{pad}[n, c, i s_h + m d_h, j s_w + q d_w] \, W[o, c, m, q],

which is what :func:`torch.nn.functional.conv2d` computes and what :func:`conv2d` (fast) and
:func:`conv2d_naive` (loops that read like the formula) compute here. The flipped-kernel
formula of signal processing, :math:`Y[i, j] = \sum_m \sum_n X[m, n] K[i - m, j - n]`, is
true convolution: :func:`convolve2d`. :func:`correlate2d` and :func:`convolve2d` work on
single 2-D arrays, as :func:`scipy.signal.correlate2d` and :func:`scipy.signal.convolve2d`.

The fast :func:`conv2d` rests on :func:`im2col`: copy every receptive field into a column,
and the whole convolution becomes one matrix product. Its adjoint, :func:`col2im`, folds
columns back onto the image, adding where windows overlap; chapter 7's gradient of a
convolution (:func:`companion.conv2d_backward`) is made of it.

Shapes follow PyTorch: inputs ``(N, C_in, H, W)``, weights ``(C_out, C_in, kH, kW)``; the
output size along each axis is ``floor((n + 2p - d(k - 1) - 1) / s) + 1``
(:func:`conv_output_size`).
"""

from __future__ import annotations

import numpy as np

from ._kernels import (
    _add_taps,
    _block_columns,
    _check_conv,
    _check_conv2d,
    _float_dtype,
    _image_blocks,
    _out_len,
    _output_size,
    _pad,
    _pad_for_reading,
    _per_image,
    _unblock,
    _windows,
)
from ._validation import as_float, check_bool, check_choice, check_int, pair

__all__ = [
    "conv_output_size",
    "receptive_field",
    "receptive_field_box",
    "pad2d",
    "im2col",
    "col2im",
    "conv2d",
    "conv2d_naive",
    "correlate2d",
    "convolve2d",
    "conv_matrix",
    "locally_connected2d",
    "locally_connected_param_count",
    "effective_receptive_field",
]


# --------------------------------------------------------------------------- sizes and padding


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Length of a convolution or pooling output along one axis.

    .. math::

        H_{out} = \\left\\lfloor \\frac{H + 2p - d (k - 1) - 1}{s} \\right\\rfloor + 1

    Parameters
    ----------
    input_size : int
        Input length ``H`` (height or width), at least 1.
    kernel_size : int
        Kernel length ``k``, at least 1.
    stride : int, default 1
        Step ``s`` between windows, at least 1.
    padding : int, default 0
        Zeros ``p`` added on *each* side, at least 0.
    dilation : int, default 1
        Spacing ``d`` between kernel taps (1 = contiguous kernel), at least 1.

    Returns
    -------
    int
        The output length PyTorch produces.

    Raises
    ------
    ValueError
        If the dilated kernel, ``d (k - 1) + 1``, is longer than the padded input
        ``H + 2p``, so that not even one window fits.

    Examples
    --------
    >>> conv_output_size(28, 3)
    26
    >>> conv_output_size(28, 3, stride=2, padding=1)
    14
    >>> conv_output_size(7, 3, dilation=2)
    3
    """
    input_size = check_int(input_size, "input_size", 1)
    kernel_size = check_int(kernel_size, "kernel_size", 1)
    stride = check_int(stride, "stride", 1)
    padding = check_int(padding, "padding", 0)
    dilation = check_int(dilation, "dilation", 1)
    return _out_len(input_size, kernel_size, stride, padding, dilation, "input")


def receptive_field(layers):
    """Side length of the input region that one output unit of a stack of layers sees.

    Each layer is a convolution or a pooling window, given by its kernel length, stride
    and (optionally) dilation. Starting from :math:`r_0 = 1`, layer :math:`l` widens the
    region by :math:`k_l - 1` taps, each :math:`d_l` steps apart, and one step of its
    input is :math:`\\prod_{i<l} s_i` pixels of the image:

    .. math::

        r_l = r_{l-1} + (k_l - 1)\\, d_l \\prod_{i<l} s_i

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
        :math:`r_L`, the receptive field of the last layer, in input pixels.

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

    Unit :math:`u` of layer :math:`L` (along one axis, counted from 0) looks at the window
    that starts at input position :math:`u` of layer :math:`L` minus that layer's padding;
    walking back through the layers, one step of layer :math:`l`'s input is
    :math:`J_{l-1} = \\prod_{i<l} s_i` image pixels, so the region starts at

    .. math::

        a(u) = u \\, J_L - \\sum_{l=1}^{L} p_l \\, J_{l-1}

    and spans :func:`receptive_field` pixels, :math:`r_L`. With padding the region of a
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
        each span :math:`r_L` long.

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


def pad2d(x, padding, value=0.0):
    """Pad the last two axes of ``x`` with a constant, the same amount on both sides.

    .. math::

        X_{pad}[..., i + p_h, j + p_w] = X[..., i, j], \\qquad
        X_{pad} = \\text{value elsewhere}

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        At least 2-D. Integers become float64.
    padding : int or (int, int)
        ``p`` or ``(p_h, p_w)``, rows added above and below, columns left and right; >= 0.
    value : float, default 0.0
        The fill value (max pooling pads with ``-inf``).

    Returns
    -------
    numpy.ndarray, shape (..., H + 2 p_h, W + 2 p_w)
        A new array (a copy even when ``padding`` is 0), same float dtype as ``x``.

    Examples
    --------
    >>> pad2d([[1, 2], [3, 4]], 1)
    array([[0., 0., 0., 0.],
           [0., 1., 2., 0.],
           [0., 3., 4., 0.],
           [0., 0., 0., 0.]])
    """
    x = as_float(x, "x")
    if x.ndim < 2:
        raise ValueError(f"x must be at least 2-D, got a {x.ndim}-D array of shape {x.shape}")
    ph, pw = pair(padding, "padding", 0)
    return _pad(x, (ph, pw), value)


# --------------------------------------------------------------------------- im2col and col2im


def im2col(x, kernel_size, stride=1, padding=0, dilation=1):
    """Unfold every receptive field of a batch into a column (PyTorch's ``F.unfold``).

    .. math::

        \\text{cols}[n, \\; c k_H k_W + m k_W + q, \\; i W_{out} + j]
            = X_{pad}[n, c, i s_h + m d_h, j s_w + q d_w]

    Row ``c*kH*kW + m*kW + q`` holds kernel tap ``(c, m, q)``, the same order as
    ``weight.reshape(C_out, -1)``, and column ``i*W_out + j`` is output position ``(i, j)``.
    So a convolution is one matrix product: ``weight.reshape(C_out, -1) @ cols`` has shape
    ``(N, C_out, H_out*W_out)``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        The input batch. Integers become float64.
    kernel_size : int or (int, int)
        ``(kH, kW)``, at least 1.
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1
        As in :func:`conv2d`.

    Returns
    -------
    numpy.ndarray, shape (N, C*kH*kW, H_out*W_out)
        A new contiguous array with the dtype of ``x``.

    See Also
    --------
    col2im : its adjoint, which folds columns back onto the image.

    Examples
    --------
    >>> x = np.arange(9).reshape(1, 1, 3, 3)
    >>> im2col(x, 2)
    array([[[0., 1., 3., 4.],
            [1., 2., 4., 5.],
            [3., 4., 6., 7.],
            [4., 5., 7., 8.]]])
    """
    x = as_float(x, "x", 4)
    kernel_size = pair(kernel_size, "kernel_size", 1)
    stride = pair(stride, "stride", 1)
    padding = pair(padding, "padding", 0)
    dilation = pair(dilation, "dilation", 1)
    out_size = _output_size(x.shape[2:], kernel_size, stride, padding, dilation)
    n, c = x.shape[:2]
    view = _windows(_pad(x, padding), kernel_size, stride, dilation, out_size)
    return np.ascontiguousarray(view).reshape(n, c * kernel_size[0] * kernel_size[1], -1)


def col2im(cols, x_shape, kernel_size, stride=1, padding=0, dilation=1):
    """Fold columns back into an image, adding overlaps: the adjoint of :func:`im2col`.

    .. math::

        X[n, c, u, v] = \\sum_{m, q, i, j \\,:\\, i s_h + m d_h = u + p_h, \\;
            j s_w + q d_w = v + p_w} \\text{cols}[n, c k_H k_W + m k_W + q, i W_{out} + j]

    Every entry of ``cols`` is added to the input pixel it was copied from; pixels in several
    receptive fields collect several entries, and padding is cropped off. This is
    ``torch.nn.functional.fold`` and is how :func:`~companion.conv2d_backward` returns the gradient of
    the column matrix to the input.

    Parameters
    ----------
    cols : array_like, shape (N, C*kH*kW, H_out*W_out)
        In the layout of :func:`im2col`.
    x_shape : tuple of int
        ``(N, C, H, W)``, the shape of the image to rebuild.
    kernel_size : int or (int, int)
        ``(kH, kW)``.
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    See Also
    --------
    im2col : the unfolding it undoes, adding where windows overlap.

    Examples
    --------
    >>> cols = np.ones((1, 4, 4))      # a 3x3 image, 2x2 kernel: 4 taps, 4 positions
    >>> col2im(cols, (1, 1, 3, 3), 2)[0, 0]   # how many windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    cols = as_float(cols, "cols", 3)
    if not isinstance(x_shape, (tuple, list)) or len(x_shape) != 4:
        raise ValueError(f"x_shape must be a tuple (N, C, H, W), got {x_shape!r}")
    n, c, h, w = (check_int(v, "x_shape", 1) for v in x_shape)
    kernel_size = pair(kernel_size, "kernel_size", 1)
    stride = pair(stride, "stride", 1)
    padding = pair(padding, "padding", 0)
    dilation = pair(dilation, "dilation", 1)
    out_size = _output_size((h, w), kernel_size, stride, padding, dilation)
    expected = (n, c * kernel_size[0] * kernel_size[1], out_size[0] * out_size[1])
    if cols.shape != expected:
        raise ValueError(
            f"cols must have shape (N, C*kH*kW, H_out*W_out) = {expected} for x_shape="
            f"{tuple(x_shape)}, got {cols.shape}"
        )
    dcols = cols.reshape(n, c, *kernel_size, *out_size).transpose(1, 2, 3, 0, 4, 5)
    grad_xp = np.zeros((c, n, h + 2 * padding[0], w + 2 * padding[1]), dtype=cols.dtype)
    _add_taps(grad_xp, dcols, kernel_size, stride, dilation, out_size)
    ph, pw = padding
    return np.ascontiguousarray(grad_xp[:, :, ph : ph + h, pw : pw + w].transpose(1, 0, 2, 3))


# --------------------------------------------------------------------------- conv2d


def _conv2d_columns(x, weight, bias, stride, sides, dilation, out_size):
    """The matrix products of :func:`conv2d` for one group: ``(N, C_out, H_out * W_out)``.

    Where the time goes, and what keeps it low:

    * the im2col columns are copied from a strided view of the input (no copy of the input
      itself when there is no padding), a block of images at a time, so that the block
      stays in the CPU cache while the product reads it;
    * the block's images stand side by side, ``(K, b*L)``, so that one large product
      ``(C_out, K) @ (K, b*L)`` does the arithmetic: the matrix product is the only step
      NumPy spreads over several cores, so it should be as large as memory allows; its
      result, ``(C_out, b*L)``, is written into the output in one pass that reorders it to
      ``(b, C_out, L)`` and adds the bias;
    * when the output is larger than the columns (more kernels than taps, ``C_out > K``),
      or each output number takes few multiply-adds (``K < 64``), that pass would cost more
      than it saves: then each image has its own product, written straight into the output,
      with the bias inside it (the "bias trick": a row of ones under the columns and the
      bias as one more column of the kernel matrix).
    """
    n, c, _, _ = x.shape
    c_out, _, kh, kw = weight.shape
    ho, wo = out_size
    k, L = c * kh * kw, ho * wo
    view = _windows(_pad_for_reading(x, sides), (kh, kw), stride, dilation, (ho, wo))  # a view, no copy
    w_mat = weight.reshape(c_out, k)
    out = np.empty((n, c_out, L), dtype=x.dtype)
    blocks = _image_blocks(n, k, L)
    largest = blocks[0][1]
    if _per_image(k, c_out):
        if bias is not None:  # the bias trick: [W | b] @ [cols; 1] = W @ cols + b
            w_mat = np.concatenate([w_mat, bias[:, None]], axis=1)
        rows = w_mat.shape[1]  # K, or K + 1 with the row of ones
        buffer = np.ones((largest, rows, L), dtype=x.dtype)  # the copies below leave row K at 1
        for n0, b in blocks:
            np.copyto(buffer[:b, :k].reshape(b, c, kh, kw, ho, wo), view[n0 : n0 + b])  # (b, K, L) columns
            np.matmul(w_mat, buffer[:b], out=out[n0 : n0 + b])
        return out
    buffer = np.empty(k * largest * L, dtype=x.dtype)  # the columns, reused by every block
    products = np.empty(c_out * largest * L, dtype=x.dtype)  # and the products
    for n0, b in blocks:
        cols = _block_columns(view, n0, b, buffer)  # (K, b*L)
        y = np.matmul(w_mat, cols, out=products[: c_out * b * L].reshape(c_out, b * L))
        _unblock(y, b, out[n0 : n0 + b], bias)
    return out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) of a batch, as ``torch.nn.functional.conv2d``.

    .. math::

        Y[n, o, i, j] = b[o] + \\sum_{c=0}^{C_{in}/G-1} \\sum_{m=0}^{k_H-1} \\sum_{q=0}^{k_W-1}
            X_{pad}[n, g(o) \\tfrac{C_{in}}{G} + c, i s_h + m d_h, j s_w + q d_w] \\, W[o, c, m, q]

    where :math:`G` is ``groups`` and :math:`g(o) = \\lfloor o G / C_{out} \\rfloor` the group
    of output channel ``o`` (with the default ``groups=1``, every output channel sees every
    input channel: the formula of chapter 5).
    Computed as matrix products ``W.reshape(C_out, C_in*kH*kW) @ cols`` with the im2col
    columns of :func:`im2col`: one product per block of images laid side by side (the
    whole batch when its columns fit in a few megabytes), one set of products per group.
    The same numbers as :func:`conv2d_naive`, orders of magnitude faster.

    Parameters
    ----------
    input : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        Input batch, or one unbatched image. Integers become float64; float32 stays float32.
    weight : array_like, shape (C_out, C_in / groups, kH, kW)
        The kernels, one ``(C_in / groups, kH, kW)`` stack per output channel.
    bias : array_like, shape (C_out,), optional
        Added to every position of output channel ``o``. Default ``None``: no bias.
    stride : int or (int, int), default 1
        ``(s_h, s_w)``, the step between windows, >= 1.
    padding : int, (int, int), "valid" or "same", default 0
        ``(p_h, p_w)`` zeros added on each side, >= 0. ``"valid"`` is 0; ``"same"`` pads
        ``d (k - 1)`` zeros along each axis (one more at the bottom or right when that is
        odd), so that the output has the input's size; it needs ``stride=1``.
    dilation : int or (int, int), default 1
        ``(d_h, d_w)`` spacing between kernel taps; 1 is a contiguous kernel.
    groups : int, default 1
        ``G``, dividing ``C_in`` and ``C_out``: the channels are split into ``G`` groups and
        group ``g`` of the output sees only group ``g`` of the input. ``groups = C_in`` is a
        depthwise convolution.

    Returns
    -------
    numpy.ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        ``H_out = floor((H + 2 p_h - d_h (kH - 1) - 1) / s_h) + 1``, likewise ``W_out``;
        unbatched when ``input`` is. Dtype: the common float type of ``input`` and
        ``weight`` (``bias`` is cast to it).

    Raises
    ------
    ValueError, TypeError
        For wrong dimensions, a channel mismatch, ``groups`` not dividing the channels, a bad
        ``bias`` shape, a kernel larger than the padded input, non-positive stride or
        dilation, negative padding, ``padding="same"`` with a stride, empty arrays or
        non-numeric input.

    See Also
    --------
    conv2d_backward : its gradients with respect to input, weight and bias (chapter 7).

    Examples
    --------
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> w = np.array([[[[1, 0], [0, -1]]]])
    >>> conv2d(x, w)
    array([[[[-5., -5., -5.],
             [-5., -5., -5.],
             [-5., -5., -5.]]]])
    >>> conv2d(x, w, bias=[10], stride=2, padding=1)[0, 0]
    array([[10.,  8., 10.],
           [ 2.,  5., 17.],
           [10., 23., 25.]])
    >>> conv2d(np.ones((2, 3, 3)), np.ones((2, 1, 3, 3)), padding="same", groups=2)[0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    """
    x, weight, bias, stride, sides, dilation, groups, (ho, wo), unbatched = _check_conv2d(
        input, weight, bias, stride, padding, dilation, groups
    )
    n, c_out = x.shape[0], weight.shape[0]
    if groups == 1:
        out = _conv2d_columns(x, weight, bias, stride, sides, dilation, (ho, wo))
    else:  # one convolution per group of channels, side by side
        cg, og = x.shape[1] // groups, c_out // groups
        out = np.concatenate(
            [_conv2d_columns(x[:, g * cg : (g + 1) * cg], weight[g * og : (g + 1) * og],
                             None if bias is None else bias[g * og : (g + 1) * og], stride, sides,
                             dilation, (ho, wo)) for g in range(groups)],
            axis=1,
        )
    out = out.reshape(n, c_out, ho, wo)
    return out[0] if unbatched else out


def conv2d_naive(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution (cross-correlation) written as loops that read like the formula.

    .. math::

        Y[n, o, i, j] = b[o] + \\sum_{c} \\sum_{m} \\sum_{q}
            X_{pad}[n, c, i s_h + m d_h, j s_w + q d_w] \\, W[o, c, m, q]

    Same arguments, result and errors as :func:`conv2d`; only the speed differs (seven nested
    Python loops). Use it on small arrays, to see what :func:`conv2d` computes.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W)
    weight : array_like, shape (C_out, C_in, kH, kW)
    bias : array_like, shape (C_out,), optional
        Default ``None``: no bias.
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1

    Returns
    -------
    numpy.ndarray, shape (N, C_out, H_out, W_out)

    See Also
    --------
    conv2d_backward_naive : its gradients, written as loops as well.

    Examples
    --------
    >>> x = np.arange(9).reshape(1, 1, 3, 3)
    >>> w = np.ones((1, 1, 2, 2))
    >>> conv2d_naive(x, w, bias=[1])
    array([[[[ 9., 13.],
             [21., 25.]]]])
    """
    x, weight, bias, (s_h, s_w), padding, (d_h, d_w), (ho, wo) = _check_conv(
        x, weight, bias, stride, padding, dilation
    )
    x_pad = _pad(x, padding)
    n_batch, c_in = x.shape[:2]
    c_out, _, kh, kw = weight.shape
    y = np.zeros((n_batch, c_out, ho, wo), dtype=x.dtype)
    for n in range(n_batch):
        for o in range(c_out):
            for i in range(ho):
                for j in range(wo):
                    total = 0.0 if bias is None else bias[o]
                    for c in range(c_in):
                        for m in range(kh):
                            for q in range(kw):
                                total += x_pad[n, c, i * s_h + m * d_h, j * s_w + q * d_w] * weight[o, c, m, q]
                    y[n, o, i, j] = total
    return y


# --------------------------------------------------------------------------- 2-D signals


def _check_2d(image, kernel, mode):
    image = as_float(image, "image", 2)
    kernel = as_float(kernel, "kernel", 2)
    check_choice(mode, "mode", ("full", "same", "valid"))
    if mode == "valid" and (kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]):
        raise ValueError(
            f"mode='valid' needs the kernel to fit inside the image, got kernel of shape "
            f"{kernel.shape} and image of shape {image.shape}"
        )
    dtype = _float_dtype(image, kernel)
    return image.astype(dtype, copy=False), kernel.astype(dtype, copy=False)


def _correlate_valid(image, kernel):
    kh, kw = kernel.shape
    windows = np.lib.stride_tricks.sliding_window_view(image, (kh, kw))  # (H-kh+1, W-kw+1, kh, kw)
    return np.tensordot(windows, kernel, axes=([2, 3], [0, 1]))


def _correlate(image, kernel, mode, same_offset):
    kh, kw = kernel.shape
    if mode == "valid":
        return _correlate_valid(image, kernel)
    full = _correlate_valid(_pad(image, (kh - 1, kw - 1)), kernel)
    if mode == "full":
        return full
    elif mode == "same":
        a, b = same_offset
        return np.ascontiguousarray(full[a : a + image.shape[0], b : b + image.shape[1]])
    else:  # pragma: no cover - _check_2d has already rejected other modes
        raise ValueError(f"mode must be one of 'full', 'same', 'valid', got {mode!r}")


def correlate2d(image, kernel, mode="valid"):
    """Cross-correlation of two 2-D arrays, as ``scipy.signal.correlate2d`` (zero fill).

    .. math::

        Y[i, j] = \\sum_{m} \\sum_{n} X[i + m, j + n] \\, K[m, n]

    This is the operation CNNs call convolution (the kernel is not flipped).

    Parameters
    ----------
    image : array_like, shape (H, W)
        ``X``. Integers become float64.
    kernel : array_like, shape (kH, kW)
        ``K``.
    mode : {"valid", "full", "same"}, default "valid"
        ``"valid"``: only where the kernel fits inside the image, shape
        ``(H - kH + 1, W - kW + 1)``; the kernel must not be larger than the image (SciPy
        would swap the two arrays; we raise instead). The default is ``"valid"``, what a CNN
        layer computes; note that SciPy's default is ``"full"``.
        ``"full"``: every overlap, the image zero-padded by ``kH - 1`` and ``kW - 1`` on each
        side, shape ``(H + kH - 1, W + kW - 1)``. ``"same"``: the ``(H, W)`` centre of the
        full output, starting at row ``kH // 2`` and column ``kW // 2`` (SciPy's choice).

    Returns
    -------
    numpy.ndarray, 2-D

    Examples
    --------
    >>> x = np.arange(9).reshape(3, 3)
    >>> correlate2d(x, [[1, 0], [0, -1]])
    array([[-4., -4.],
           [-4., -4.]])
    >>> correlate2d(x, [[1, 2]], mode="same")
    array([[ 2.,  5.,  2.],
           [11., 14.,  5.],
           [20., 23.,  8.]])
    """
    image, kernel = _check_2d(image, kernel, mode)
    kh, kw = kernel.shape
    return _correlate(image, kernel, mode, (kh // 2, kw // 2))


def convolve2d(image, kernel, mode="full"):
    """True (flipped-kernel) convolution of two 2-D arrays, as ``scipy.signal.convolve2d``.

    .. math::

        Y[i, j] = \\sum_{m} \\sum_{n} X[m, n] \\, K[i - m, j - n]

    Equivalently, the cross-correlation (:func:`correlate2d`) of the image with the kernel
    rotated by 180 degrees, ``K[::-1, ::-1]``.

    Parameters
    ----------
    image : array_like, shape (H, W)
        ``X``. Integers become float64.
    kernel : array_like, shape (kH, kW)
        ``K``.
    mode : {"full", "same", "valid"}, default "full"
        ``"full"``: shape ``(H + kH - 1, W + kW - 1)``, every ``(i, j)`` where the sum has a
        term. ``"valid"``: shape ``(H - kH + 1, W - kW + 1)``; the kernel must not be larger
        than the image (SciPy would swap the two arrays; we raise instead). ``"same"``: the
        ``(H, W)`` centre of the full output, starting at row ``(kH - 1) // 2`` and column
        ``(kW - 1) // 2`` (SciPy's choice).

    Returns
    -------
    numpy.ndarray, 2-D

    Examples
    --------
    >>> convolve2d([[1, 2], [3, 4]], [[1, 1]])
    array([[1., 3., 2.],
           [3., 7., 4.]])
    >>> convolve2d(np.arange(9).reshape(3, 3), [[1, 0], [0, -1]], mode="valid")
    array([[4., 4.],
           [4., 4.]])
    """
    image, kernel = _check_2d(image, kernel, mode)
    kh, kw = kernel.shape
    return _correlate(image, kernel[::-1, ::-1], mode, ((kh - 1) // 2, (kw - 1) // 2))


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
        g = _correlate(g, k[::-1, ::-1], "full", None)
    return g
