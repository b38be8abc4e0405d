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

from ._validation import as_float, pair
from .convolution import _out_len, _pad

__all__ = ["max_pool2d", "avg_pool2d"]


def _check_pool(x, kernel_size, stride, padding, name="x"):
    """Validate pooling arguments; return a 4-D view of ``x``, the pairs and the output size."""
    x = as_float(x, name, (2, 3, 4))
    kernel_size = pair(kernel_size, "kernel_size", 1)
    stride = kernel_size if stride is None else pair(stride, "stride", 1)
    padding = pair(padding, "padding", 0)
    for axis in (0, 1):
        if padding[axis] > kernel_size[axis] // 2:
            raise ValueError(
                f"padding={padding[axis]} must be at most kernel_size // 2 = "
                f"{kernel_size[axis] // 2} (kernel_size={kernel_size[axis]}, axis {'HW'[axis]})"
            )
    out_size = tuple(
        _out_len(x.shape[-2 + a], kernel_size[a], stride[a], padding[a], 1, what)
        for a, what in enumerate(("input height", "input width"))
    )
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
    return x, x4, kernel_size, stride, padding, out_size


def _offsets(kernel_size, stride, out_size):
    """Yield ``(m, q, rows, cols)``: the slices of the padded input that kernel tap ``(m, q)``
    meets over all output positions, ``X_pad[..., i*s_h + m, j*s_w + q]``."""
    (kh, kw), (sh, sw), (ho, wo) = kernel_size, stride, out_size
    for m in range(kh):
        for q in range(kw):
            yield m, q, slice(m, m + sh * (ho - 1) + 1, sh), slice(q, q + sw * (wo - 1) + 1, sw)


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
    for _, _, rows, cols in _offsets(kernel_size, stride, out_size):
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
    for _, _, rows, cols in _offsets(kernel_size, stride, out_size):
        out += xp[:, :, rows, cols]
    out /= kernel_size[0] * kernel_size[1]
    return out.reshape(x.shape[:-2] + out_size)
