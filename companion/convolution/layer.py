r"""The convolution layer (chapters 2 and 5): ``conv2d`` on batches of multi-channel images.

What a CNN calls "convolution" is **cross-correlation**: the kernel slides over the input
without being flipped,

.. math::

    Y[n, o, i, j] = b[o] + \sum_c \sum_m \sum_q
        X_{pad}[n, c, i s_h + m d_h, j s_w + q d_w] \, W[o, c, m, q],

which is what :func:`torch.nn.functional.conv2d` computes and what :func:`conv2d` (fast) and
:func:`conv2d_naive` (loops that read like the formula) compute here.

The fast :func:`conv2d` rests on :func:`im2col`: copy every receptive field into a column,
and the whole convolution becomes one matrix product. Its adjoint, :func:`col2im`, folds
columns back onto the image, adding where windows overlap; chapter 7's gradient of a
convolution (:func:`companion.conv2d_backward`) is made of it.

Shapes follow PyTorch: inputs ``(N, C_in, H, W)``, weights ``(C_out, C_in, kH, kW)``; the
output size along each axis is ``floor((n + 2p - d(k - 1) - 1) / s) + 1``
(:func:`~companion.conv_output_size`).
"""

from __future__ import annotations

import numpy as np

from .._kernels import (
    _add_taps,
    _block_columns,
    _check_conv,
    _check_conv2d,
    _image_blocks,
    _output_size,
    _pad,
    _pad_for_reading,
    _per_image,
    _unblock,
    _windows,
)
from .._validation import as_float, check_int, pair

__all__ = ["im2col", "col2im", "conv2d", "conv2d_naive"]


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
