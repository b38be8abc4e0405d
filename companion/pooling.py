r"""Pooling: the operation of chapter 4.

A pooling layer slides a ``kH x kW`` window over every channel separately and keeps one
number per window: the largest (:func:`max_pool2d`) or the mean (:func:`avg_pool2d`),

.. math::

    Y_{max}[n, c, i, j] = \max_{m, q} X_{pad}[n, c, i s_h + m, j s_w + q], \qquad
    Y_{avg}[n, c, i, j] = \frac{1}{k_H k_W} \sum_{m, q} X_{pad}[n, c, i s_h + m, j s_w + q].

Both follow ``torch.nn.functional``, whose arguments they take: the stride defaults to the
kernel size, max pooling pads with :math:`-\infty` (padding never wins), average pooling
pads with zeros that count in the mean (``count_include_pad=True``), and the padding may be
at most half the kernel. ``ceil_mode=True`` rounds the output size up, adding a last,
partial window at the bottom and right (but never one that would start in the padding);
max pooling also takes a ``dilation`` and can return, with ``return_indices=True``, where
each maximum came from.

The input may be ``(N, C, H, W)``, ``(C, H, W)`` or a single ``(H, W)`` image; the output has
the same number of dimensions as the input.

The chapter's other ways to change the size of a feature map live here too:
:func:`global_avg_pool2d` (one mean per channel, the end of modern CNNs),
:func:`blur_pool2d` (anti-aliased downsampling: a binomial blur, then a stride, from
:func:`binomial_filter`), :func:`upsample2d` (nearest and bilinear upsampling, as
``F.interpolate``) and :func:`conv_transpose2d` (the transposed convolution, as
``F.conv_transpose2d``, a learned upsampler).
"""

from __future__ import annotations

import numpy as np

from ._kernels import (
    _avg_divisor,
    _check_avg,
    _check_pool,
    _first_tap,
    _pad,
    _pad_for_reading,
    _taps,
    _window_argmax,
    _winner_index,
)
from ._validation import as_float, check_bool, check_choice, check_int, pair

__all__ = [
    "max_pool2d",
    "avg_pool2d",
    "global_avg_pool2d",
    "binomial_filter",
    "blur_pool2d",
    "upsample2d",
    "conv_transpose2d",
]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max pooling, as ``torch.nn.functional.max_pool2d``.

    .. math::

        Y[n, c, i, j] = \\max_{0 \\le m < k_H, \\; 0 \\le q < k_W}
            X_{pad}[n, c, i s_h + m d_h, j s_w + q d_w]

    where ``X_pad`` is ``input`` padded with :math:`-\\infty`.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The input; every channel is pooled separately. Integers become float64.
    kernel_size : int or (int, int)
        ``(kH, kW)``, the window, >= 1.
    stride : int or (int, int), optional
        ``(s_h, s_w)``, >= 1. Default ``None``: the kernel size (windows do not overlap).
    padding : int or (int, int), default 0
        ``(p_h, p_w)`` cells of :math:`-\\infty` on each side, at most ``kernel_size // 2``.
    dilation : int or (int, int), default 1
        ``(d_h, d_w)``, the spacing between the cells of a window.
    ceil_mode : bool, default False
        Round the output size up instead of down: a last, partial window at the bottom and
        right, unless it would start in the padding.
    return_indices : bool, default False
        Also return where each maximum came from (as PyTorch, the return type follows
        this flag).

    Returns
    -------
    out : numpy.ndarray, shape (..., H_out, W_out)
        Same leading axes as ``input``;
        ``H_out = floor((H + 2 p_h - d_h (kH - 1) - 1) / s_h) + 1`` (``ceil`` with
        ``ceil_mode``), likewise ``W_out``.
    indices : numpy.ndarray of int64, shape of ``out``
        Only with ``return_indices=True``: the flat index ``row * W + col`` of each maximum
        in its ``(H, W)`` input plane, the first one in row-major order when several tie
        (PyTorch's indices).

    See Also
    --------
    max_pool2d_backward : its gradient with respect to the input (chapter 7).

    Examples
    --------
    >>> x = np.array([[1, 3, 2, 0],
    ...               [4, 2, 1, 5],
    ...               [0, 1, 7, 2],
    ...               [3, 2, 0, 1]])
    >>> max_pool2d(x, 2)
    array([[4., 5.],
           [3., 7.]])
    >>> max_pool2d(x, 3, stride=1)
    array([[7., 7.],
           [7., 7.]])
    >>> max_pool2d(x, 3, stride=2, ceil_mode=True, return_indices=True)
    (array([[7., 7.],
           [7., 7.]]), array([[10, 10],
           [10, 10]]))
    """
    x, x4, kernel_size, stride, padding, dilation, out_size, sides = _check_pool(
        input, kernel_size, stride, padding, dilation, ceil_mode
    )
    return_indices = check_bool(return_indices, "return_indices")
    xp = _pad_for_reading(x4, sides, -np.inf)  # x4 itself when there is no padding
    shape = x.shape[:-2] + out_size
    if return_indices:
        first = _first_tap(kernel_size, stride, padding, dilation, out_size)
        out, winner = _window_argmax(xp, kernel_size, stride, dilation, out_size, first)
        indices = _winner_index(winner, x.shape[-2:], kernel_size, stride, padding, dilation)
        return out.reshape(shape), indices.reshape(shape)
    out = None
    for _, _, rows, cols in _taps(kernel_size, stride, out_size, dilation):
        if out is None:
            out = xp[:, :, rows, cols].copy()
        else:
            np.maximum(out, xp[:, :, rows, cols], out=out)
    return out.reshape(shape)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average pooling, as ``torch.nn.functional.avg_pool2d``.

    .. math::

        Y[n, c, i, j] = \\frac{1}{D_{ij}} \\sum_{m=0}^{k_H-1} \\sum_{q=0}^{k_W-1}
            X_{pad}[n, c, i s_h + m, j s_w + q]

    where ``X_pad`` is ``input`` padded with zeros and the divisor :math:`D_{ij}` is, by
    default, :math:`k_H k_W` (the padding zeros count in the mean).

    Parameters
    ----------
    input : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The input; every channel is pooled separately. Integers become float64.
    kernel_size : int or (int, int)
        ``(kH, kW)``, the window, >= 1.
    stride : int or (int, int), optional
        ``(s_h, s_w)``, >= 1. Default ``None``: the kernel size.
    padding : int or (int, int), default 0
        ``(p_h, p_w)`` zeros on each side, at most ``kernel_size // 2``.
    ceil_mode : bool, default False
        Round the output size up: a last, partial window, unless it would start in the
        padding. Its divisor counts only its cells up to the padded edge.
    count_include_pad : bool, default True
        Whether the padding cells count in :math:`D_{ij}`; ``False`` divides by the number of
        input cells in the window.
    divisor_override : int, optional
        A fixed non-zero :math:`D` for every window. Default ``None``.

    Returns
    -------
    numpy.ndarray, shape (..., H_out, W_out)
        Same leading axes as ``input``;
        ``H_out = floor((H + 2 p_h - kH) / s_h) + 1`` (``ceil`` with ``ceil_mode``),
        likewise ``W_out``.

    See Also
    --------
    avg_pool2d_backward : its gradient with respect to the input (chapter 7).

    Examples
    --------
    >>> x = np.array([[1, 3, 2, 0],
    ...               [4, 2, 1, 5],
    ...               [0, 1, 7, 2],
    ...               [3, 2, 0, 1]])
    >>> avg_pool2d(x, 2)
    array([[2.5, 2. ],
           [1.5, 2.5]])
    >>> np.round(avg_pool2d(x, 3, stride=2, ceil_mode=True), 2)
    array([[2.33, 2.83],
           [2.17, 2.5 ]])
    """
    x, x4, kernel_size, stride, padding, _, out_size, sides = _check_pool(
        input, kernel_size, stride, padding, 1, ceil_mode
    )
    count_include_pad, divisor_override = _check_avg(count_include_pad, divisor_override)
    xp = _pad_for_reading(x4, sides, 0.0)  # x4 itself when there is no padding
    out = np.zeros(x4.shape[:2] + out_size, dtype=x4.dtype)
    for _, _, rows, cols in _taps(kernel_size, stride, out_size):
        out += xp[:, :, rows, cols]
    out /= _avg_divisor(x.shape[-2:], kernel_size, stride, padding, out_size, ceil_mode, count_include_pad,
                        divisor_override)
    return out.reshape(x.shape[:-2] + out_size)



def global_avg_pool2d(input):
    """Global average pooling: the mean of each whole feature map, as
    ``torch.nn.functional.adaptive_avg_pool2d(input, 1)`` without its two trailing axes.

    .. math::

        P_{gap}[n, c] = \\frac{1}{H W} \\sum_{u=0}^{H-1} \\sum_{v=0}^{W-1} X[n, c, u, v]

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        Feature maps. Integers become float64.

    Returns
    -------
    numpy.ndarray, shape (N, C) or (C,)
        One number per channel (and image).

    See Also
    --------
    global_avg_pool2d_backward : its gradient (chapter 7's rule for average pooling).
    avg_pool2d : the same mean over a window of the map.

    Examples
    --------
    >>> x = np.array([[[1, 3], [2, 6]], [[0, 0], [4, 0]]])   # (C, H, W) = (2, 2, 2)
    >>> global_avg_pool2d(x)
    array([3., 1.])
    >>> global_avg_pool2d(np.ones((5, 64, 7, 7))).shape
    (5, 64)
    """
    x = as_float(input, "input", (3, 4))
    return x.mean(axis=(-2, -1))


def binomial_filter(kernel_size):
    """The ``k x k`` binomial blur of anti-aliased downsampling: a row of Pascal's triangle,
    normalised to sum to 1, times itself.

    .. math::

        K_{blur}[m, q] = \\frac{\\binom{k-1}{m} \\binom{k-1}{q}}{4^{k-1}}

    ``k = 1`` is the identity, ``k = 2`` the 2 x 2 box, ``k = 3`` the outer product of
    ``(1, 2, 1) / 4`` with itself (Zhang, 2019, uses ``k = 3`` by default).

    Parameters
    ----------
    kernel_size : int, 1 <= k <= 16
        :math:`k`.

    Returns
    -------
    numpy.ndarray, shape (k, k), float64
        Non-negative, symmetric, summing to 1.

    Examples
    --------
    >>> binomial_filter(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    k = check_int(kernel_size, "kernel_size", 1)
    if k > 16:
        raise ValueError(f"kernel_size must be at most 16, got {k}")
    row = np.ones(1)
    for _ in range(k - 1):
        row = np.convolve(row, [1.0, 1.0])
    row /= row.sum()
    return np.outer(row, row)


def blur_pool2d(input, kernel_size=3, stride=2, padding_mode="reflect"):
    """Anti-aliased downsampling (BlurPool): blur every channel with :func:`binomial_filter`,
    then keep every ``stride``-th row and column.

    .. math::

        Y[n, c, i, j] = \\sum_{m=0}^{k-1} \\sum_{q=0}^{k-1}
            X_{pad}[n, c, s i + m, s j + q] \\, K_{blur}[m, q]

    ``X_pad`` is the input padded with ``(k - 1) // 2`` cells at the top and left and
    ``k // 2`` at the bottom and right, by reflection (``"reflect"``, the mirror image
    without repeating the edge, as ``F.pad(..., mode="reflect")`` and Zhang's code) or with
    zeros (``"zeros"``). This is a depthwise convolution (``F.conv2d`` with ``groups=C``
    and the same ``(k, k)`` kernel for every channel). ``H_out = floor((H - 1) / s) + 1``
    (with ``k >= 1``: each output row starts at an input row). Max-blur-pooling, Zhang's
    replacement for a max pool, is ``blur_pool2d(max_pool2d(x, 2, stride=1))``.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        Integers become float64.
    kernel_size : int, default 3
        :math:`k`, the size of the binomial blur, 1 to 16.
    stride : int, default 2
        :math:`s`, >= 1.
    padding_mode : {"reflect", "zeros"}, default "reflect"
        How the border is filled. ``"reflect"`` needs ``k // 2 < min(H, W)``.

    Returns
    -------
    numpy.ndarray, shape (..., H_out, W_out)
        Same leading axes as ``input``.

    Examples
    --------
    >>> x = np.array([[0, 0, 4, 4],
    ...               [0, 0, 4, 4],
    ...               [0, 0, 4, 4],
    ...               [0, 0, 4, 4]])
    >>> blur_pool2d(x)
    array([[0., 3.],
           [0., 3.]])
    """
    x = as_float(input, "input", (2, 3, 4))
    kernel = binomial_filter(kernel_size)
    k = kernel.shape[0]
    stride = check_int(stride, "stride", 1)
    check_choice(padding_mode, "padding_mode", ("reflect", "zeros"))
    before, after = (k - 1) // 2, k // 2
    h, w = x.shape[-2:]
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
    widths = ((0, 0), (0, 0), (before, after), (before, after))
    if padding_mode == "reflect":
        if after >= min(h, w):
            raise ValueError(
                f"padding_mode='reflect' with kernel_size={k} pads {after} cells, which needs an input "
                f"of at least {after + 1} x {after + 1}, got {h} x {w}"
            )
        xp = np.pad(x4, widths, mode="reflect")
    elif padding_mode == "zeros":
        xp = np.pad(x4, widths)
    else:  # pragma: no cover - check_choice has rejected every other mode
        raise ValueError(f"padding_mode must be 'reflect' or 'zeros', got {padding_mode!r}")
    out_size = ((h - 1) // stride + 1, (w - 1) // stride + 1)
    out = np.zeros(x4.shape[:2] + out_size, dtype=x4.dtype)
    for m, q, rows, cols in _taps((k, k), (stride, stride), out_size):
        out += kernel[m, q] * xp[:, :, rows, cols]
    return out.reshape(x.shape[:-2] + out_size)


def upsample2d(input, scale_factor, mode="nearest"):
    """Nearest or bilinear upsampling by an integer factor, as
    ``torch.nn.functional.interpolate(input, scale_factor=..., mode=..., align_corners=False)``.

    Output pixel :math:`(i, j)` sits at the input coordinate
    :math:`(\\tilde u, \\tilde v) = ((i + \\tfrac12) / f_H - \\tfrac12, (j + \\tfrac12) / f_W - \\tfrac12)`
    (pixel centres line up; ``align_corners=False``). ``"nearest"`` copies the input pixel
    :math:`(\\lfloor i / f_H \\rfloor, \\lfloor j / f_W \\rfloor)`; ``"bilinear"`` mixes the four
    pixels around :math:`(\\tilde u, \\tilde v)` (clamped to the image), with
    :math:`u_0 = \\lfloor \\tilde u \\rfloor`, :math:`\\xi_u = \\tilde u - u_0` and likewise
    :math:`v_0, \\xi_v`:

    .. math::

        Y[n, c, i, j] = (1 - \\xi_u)(1 - \\xi_v) X[u_0, v_0] + (1 - \\xi_u) \\xi_v X[u_0, v_1]
            + \\xi_u (1 - \\xi_v) X[u_1, v_0] + \\xi_u \\xi_v X[u_1, v_1]

    where :math:`u_1 = \\min(u_0 + 1, H - 1)`, :math:`v_1 = \\min(v_0 + 1, W - 1)` and
    :math:`\\tilde u < 0` counts as 0.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        Integers become float64.
    scale_factor : int or (int, int)
        :math:`(f_H, f_W)`, >= 1: the output is ``(f_H H, f_W W)``.
    mode : {"nearest", "bilinear"}, default "nearest"

    Returns
    -------
    numpy.ndarray, shape (..., f_H H, f_W W)

    Examples
    --------
    >>> x = np.array([[0, 4],
    ...               [8, 12]])
    >>> upsample2d(x, 2)
    array([[ 0.,  0.,  4.,  4.],
           [ 0.,  0.,  4.,  4.],
           [ 8.,  8., 12., 12.],
           [ 8.,  8., 12., 12.]])
    >>> upsample2d(x, 2, mode="bilinear")
    array([[ 0.,  1.,  3.,  4.],
           [ 2.,  3.,  5.,  6.],
           [ 6.,  7.,  9., 10.],
           [ 8.,  9., 11., 12.]])
    """
    x = as_float(input, "input", (2, 3, 4))
    f = pair(scale_factor, "scale_factor", 1)
    check_choice(mode, "mode", ("nearest", "bilinear"))
    h, w = x.shape[-2:]
    if mode == "nearest":
        rows = np.arange(h * f[0]) // f[0]
        cols = np.arange(w * f[1]) // f[1]
        return x[..., rows[:, None], cols[None, :]]
    elif mode == "bilinear":
        out = x
        for axis, (n, fa) in zip((-2, -1), ((h, f[0]), (w, f[1]))):
            src = np.maximum((np.arange(n * fa) + 0.5) / fa - 0.5, 0.0)
            lo = np.floor(src).astype(np.int64)
            hi = np.minimum(lo + 1, n - 1)
            frac = (src - lo).astype(x.dtype)
            shape = [1] * out.ndim
            shape[axis] = n * fa
            frac = frac.reshape(shape)
            out = np.take(out, lo, axis=axis) * (1 - frac) + np.take(out, hi, axis=axis) * frac
        return out
    else:  # pragma: no cover - check_choice has rejected every other mode
        raise ValueError(f"mode must be 'nearest' or 'bilinear', got {mode!r}")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Transposed convolution, as ``torch.nn.functional.conv_transpose2d`` (``groups=1``).

    Every input value stamps the kernel, scaled by itself, onto the output, ``s`` cells
    further for each step of the input; overlapping stamps add up, and ``p`` cells are then
    cropped from every side:

    .. math::

        Y_{full}[n, o, i s + m d, j s + q d] \\mathrel{+}= X[n, c, i, j] \\, K[c, o, m, q],
        \\qquad Y[n, o, u, v] = b_o + Y_{full}[n, o, u + p, v + p]

    It is the gradient of :func:`~companion.conv2d` with respect to its input: with the
    same ``weight``, stride, padding and dilation, ``conv_transpose2d(G, weight, ...)`` is
    the ``grad_x`` of :func:`~companion.conv2d_backward` (chapter 7), hence the name and the
    weight shape ``(C_in, C_out, kH, kW)``, the conv2d weight's with its first two axes
    read the other way.

    Parameters
    ----------
    input : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : array_like, shape (C_in, C_out, kH, kW)
    bias : array_like, shape (C_out,), optional
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1
    output_padding : int or (int, int), default 0
        Extra rows and columns at the bottom and right, to pick one of the input sizes that
        a strided conv2d maps to the same size; less than ``max(stride, dilation)``.

    Returns
    -------
    numpy.ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        ``H_out = (H - 1) s - 2 p + d (kH - 1) + output_padding + 1``, likewise ``W_out``.

    Examples
    --------
    >>> x = np.array([[[1, 2],
    ...                [3, 4]]])              # (C_in, H, W) = (1, 2, 2)
    >>> w = np.ones((1, 1, 2, 2))
    >>> conv_transpose2d(x, w, stride=2)[0]   # each input value becomes a 2 x 2 block
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> conv_transpose2d(x, w)[0]             # stride 1: the stamps overlap
    array([[ 1.,  3.,  2.],
           [ 4., 10.,  6.],
           [ 3.,  7.,  4.]])
    """
    x = as_float(input, "input", (3, 4))
    weight = as_float(weight, "weight", 4)
    unbatched = x.ndim == 3
    x4 = x[None] if unbatched else x
    if weight.shape[0] != x4.shape[1]:
        raise ValueError(
            f"weight must have shape (C_in, C_out, kH, kW) with C_in = {x4.shape[1]} (input of shape "
            f"{x.shape}), got {weight.shape}"
        )
    c_out = weight.shape[1]
    if bias is not None:
        bias = as_float(bias, "bias", 1)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape (C_out,) = ({c_out},) to match weight {weight.shape}, "
                             f"got {bias.shape}")
    stride = pair(stride, "stride", 1)
    padding = pair(padding, "padding", 0)
    dilation = pair(dilation, "dilation", 1)
    output_padding = pair(output_padding, "output_padding", 0)
    kh, kw = weight.shape[2:]
    h, w = x4.shape[2:]
    full, out_size = [], []
    for a, (n, k) in enumerate(((h, kh), (w, kw))):
        if output_padding[a] >= max(stride[a], dilation[a]):
            raise ValueError(
                f"output_padding={output_padding[a]} must be smaller than stride={stride[a]} or "
                f"dilation={dilation[a]} (axis {'HW'[a]})"
            )
        length = (n - 1) * stride[a] + dilation[a] * (k - 1) + 1 + output_padding[a]
        if length - 2 * padding[a] < 1:
            raise ValueError(
                f"padding={padding[a]} crops {2 * padding[a]} cells from an output of {length} "
                f"(axis {'HW'[a]}): nothing would be left"
            )
        full.append(length)
        out_size.append(length - 2 * padding[a])
    dtype = np.result_type(x4.dtype, weight.dtype)
    y = np.zeros((x4.shape[0], c_out, full[0], full[1]), dtype=dtype)
    rows_in = (h - 1) * stride[0] + 1
    cols_in = (w - 1) * stride[1] + 1
    for m in range(kh):
        for q in range(kw):
            r0, c0 = m * dilation[0], q * dilation[1]
            y[:, :, r0 : r0 + rows_in : stride[0], c0 : c0 + cols_in : stride[1]] += np.einsum(
                "ncij,co->noij", x4, weight[:, :, m, q]
            )
    y = y[:, :, padding[0] : padding[0] + out_size[0], padding[1] : padding[1] + out_size[1]]
    if bias is not None:
        y = y + bias.astype(dtype)[None, :, None, None]
    y = np.ascontiguousarray(y)
    return y[0] if unbatched else y
