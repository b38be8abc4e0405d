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
"""

from __future__ import annotations

import numpy as np

from ._kernels import _avg_divisor, _check_avg, _check_pool, _first_inside, _pad_for_reading, _taps
from ._validation import check_bool

__all__ = ["max_pool2d", "avg_pool2d"]


def _max_with_indices(xp, hw, kernel_size, stride, padding, dilation, out_size):
    """Each window's maximum and its flat index ``row * W + col`` in its input plane.

    PyTorch's rule: the search runs over the taps inside the input in row-major order and
    keeps the *first* maximum (a later tap wins only if strictly larger, or nan); a window
    of ``-inf`` points at its first tap inside the input.
    """
    (h, w), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = hw, stride, padding, dilation, out_size
    first = _first_inside(sh, ph, dh, ho)[:, None] * w + _first_inside(sw, pw, dw, wo)[None, :]
    index = np.broadcast_to(first, xp.shape[:2] + out_size).astype(np.int64)
    best = np.full(index.shape, -np.inf, dtype=xp.dtype)
    i, j = np.arange(ho) * sh - ph, np.arange(wo) * sw - pw
    for m, q, rows, cols in _taps(kernel_size, stride, out_size, dilation):
        values = xp[:, :, rows, cols]
        better = (values > best) | np.isnan(values)  # padding cells hold -inf: never better
        best = np.where(better, values, best)
        index = np.where(better, (i + m * dh)[:, None] * w + (j + q * dw)[None, :], index)
    return best, index


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
        out, indices = _max_with_indices(xp, x.shape[-2:], kernel_size, stride, padding, dilation, out_size)
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
