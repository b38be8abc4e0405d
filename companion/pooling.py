r"""Pooling: the operation of chapter 4.

A pooling layer slides a ``kH x kW`` window over every channel separately and keeps one
number per window: the largest (:func:`max_pool2d`) or the mean (:func:`avg_pool2d`),

.. math::

    Y_{max}[n, c, i, j] = \max_{m, q} X_{pad}[n, c, i s_h + m, j s_w + q], \qquad
    Y_{avg}[n, c, i, j] = \frac{1}{k_H k_W} \sum_{m, q} X_{pad}[n, c, i s_h + m, j s_w + q].

Both follow ``torch.nn.functional``: the stride defaults to the kernel size, max pooling pads
with :math:`-\infty` (padding never wins), average pooling pads with zeros that count in the
mean (``count_include_pad=True``), and the padding may be at most half the kernel.

The input may be ``(N, C, H, W)``, ``(C, H, W)`` or a single ``(H, W)`` image; the output has
the same number of dimensions as the input.
"""

from __future__ import annotations

import numpy as np

from ._kernels import _check_pool, _pad, _taps

__all__ = ["max_pool2d", "avg_pool2d"]


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Max pooling, as ``torch.nn.functional.max_pool2d``.

    .. math::

        Y[n, c, i, j] = \\max_{0 \\le m < k_H, \\; 0 \\le q < k_W}
            X_{pad}[n, c, i s_h + m, j s_w + q]

    where ``X_pad`` is ``x`` padded with :math:`-\\infty`.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The input; every channel is pooled separately. Integers become float64.
    kernel_size : int or (int, int)
        ``(kH, kW)``, the window, >= 1.
    stride : int or (int, int), optional
        ``(s_h, s_w)``, >= 1. Default ``None``: the kernel size (windows do not overlap).
    padding : int or (int, int), default 0
        ``(p_h, p_w)`` cells of :math:`-\\infty` on each side, at most ``kernel_size // 2``.

    Returns
    -------
    numpy.ndarray, shape (..., H_out, W_out)
        Same leading axes as ``x``;
        ``H_out = floor((H + 2 p_h - kH) / s_h) + 1``, likewise ``W_out``.

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
    """
    x, x4, kernel_size, stride, padding, out_size = _check_pool(x, kernel_size, stride, padding)
    xp = _pad(x4, padding, -np.inf)
    out = None
    for _, _, rows, cols in _taps(kernel_size, stride, out_size):
        if out is None:
            out = xp[:, :, rows, cols].copy()
        else:
            np.maximum(out, xp[:, :, rows, cols], out=out)
    return out.reshape(x.shape[:-2] + out_size)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Average pooling, as ``torch.nn.functional.avg_pool2d`` (``count_include_pad=True``).

    .. math::

        Y[n, c, i, j] = \\frac{1}{k_H k_W} \\sum_{m=0}^{k_H-1} \\sum_{q=0}^{k_W-1}
            X_{pad}[n, c, i s_h + m, j s_w + q]

    where ``X_pad`` is ``x`` padded with zeros, which count in the mean.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The input; every channel is pooled separately. Integers become float64.
    kernel_size : int or (int, int)
        ``(kH, kW)``, the window, >= 1.
    stride : int or (int, int), optional
        ``(s_h, s_w)``, >= 1. Default ``None``: the kernel size.
    padding : int or (int, int), default 0
        ``(p_h, p_w)`` zeros on each side, at most ``kernel_size // 2``.

    Returns
    -------
    numpy.ndarray, shape (..., H_out, W_out)
        Same leading axes as ``x``;
        ``H_out = floor((H + 2 p_h - kH) / s_h) + 1``, likewise ``W_out``.

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
    """
    x, x4, kernel_size, stride, padding, out_size = _check_pool(x, kernel_size, stride, padding)
    xp = _pad(x4, padding, 0.0)
    out = np.zeros(x4.shape[:2] + out_size, dtype=x4.dtype)
    for _, _, rows, cols in _taps(kernel_size, stride, out_size):
        out += xp[:, :, rows, cols]
    out /= kernel_size[0] * kernel_size[1]
    return out.reshape(x.shape[:-2] + out_size)
