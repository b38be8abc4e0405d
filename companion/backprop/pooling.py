"""Backpropagation through pooling (chapters 4 and 7): the gradients of max, average and
global average pooling with respect to their input.

Pooling has no weights, so each ``*_backward`` function returns one array, the gradient of
the loss with respect to the forward input, from the upstream gradient ``grad_out`` (the
shape of the forward output) and the forward input. Max pooling sends each window's gradient
to the one input that won it; average pooling shares it equally among the window's cells.
"""

from __future__ import annotations

import numpy as np

from .._kernels import (
    _avg_divisor,
    _check_avg,
    _check_pool,
    _crop,
    _first_tap,
    _pad_for_reading,
    _scatter_max_grad,
    _taps,
    _tile_view,
    _window_argmax,
    _winner_index,
)
from .._validation import as_float, check_bool, check_grad_out

__all__ = ["max_pool2d_backward", "avg_pool2d_backward", "global_avg_pool2d_backward"]


def max_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                        return_indices=False, indices=None):
    """Gradient of :func:`~companion.max_pool2d` with respect to its input.

    .. math::

        \\frac{\\partial L}{\\partial X[n, c, u, v]} = \\sum_{i, j \\,:\\,
            (u, v) = \\operatorname{argmax}_{(i s_h + m d_h, \\, j s_w + q d_w)} X_{pad}}
            G[n, c, i, j]

    Each window passes its upstream gradient to the one input that won it, the *first*
    maximum in row-major order when several tie (as PyTorch does; the flat indices of
    ``max_pool2d(..., return_indices=True)``); the others get 0. Where windows overlap, a
    pixel that wins several of them collects the sum.

    Parameters
    ----------
    grad_out : array_like, shape (..., H_out, W_out)
        Upstream gradient, the shape of ``max_pool2d(x, kernel_size, stride, padding, ...)``.
    x : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The forward input.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``None``: the kernel size.
    padding, dilation : int or (int, int), defaults 0, 1
    ceil_mode : bool, default False
        As in the forward pass.
    return_indices : bool, default False
        Accepted, and ignored, so that the forward pass's keyword arguments can be passed as
        they are.
    indices : array_like of int, shape of ``grad_out``, optional
        Where each window's maximum is, as ``max_pool2d(..., return_indices=True)`` returns
        it: the flat index ``row * W + col`` in its ``(H, W)`` plane, ``0 <= index < H W``.
        Given, the winners are not searched again: each ``G`` is added at its index (the
        backward pass of PyTorch, which keeps these indices from the forward pass). Default
        ``None``: the winners are found from ``x``.

    Returns
    -------
    numpy.ndarray, shape of ``x``

    Raises
    ------
    TypeError
        If ``indices`` is not of an integer dtype.
    ValueError
        If ``grad_out`` or ``indices`` does not have the shape of the forward output, or an
        index lies outside its plane.

    See Also
    --------
    max_pool2d : the forward pass.

    Examples
    --------
    >>> x = np.array([[1, 3, 2, 0],
    ...               [4, 2, 1, 5],
    ...               [0, 1, 7, 2],
    ...               [3, 2, 0, 1]])
    >>> max_pool2d_backward([[10, 20], [30, 40]], x, 2)
    array([[ 0.,  0.,  0.,  0.],
           [10.,  0.,  0., 20.],
           [ 0.,  0., 40.,  0.],
           [30.,  0.,  0.,  0.]])
    """
    x, x4, kernel_size, stride, padding, dilation, out_size, sides = _check_pool(
        x, kernel_size, stride, padding, dilation, ceil_mode, "x"
    )
    check_bool(return_indices, "return_indices")
    grad_out = check_grad_out(grad_out, x.shape[:-2] + out_size, "max_pool2d")
    if indices is not None:
        indices = _check_indices(indices, grad_out.shape, x.shape[-2:])
    dtype = np.result_type(x.dtype, grad_out.dtype)
    g = grad_out.astype(dtype, copy=False).reshape(x4.shape[:2] + out_size)
    if indices is None:  # search the winners again, as the forward pass did
        xp = _pad_for_reading(x4, sides, -np.inf)
        first = _first_tap(kernel_size, stride, padding, dilation, out_size)
        _, winner = _window_argmax(xp, kernel_size, stride, dilation, out_size, first)
        indices = _winner_index(winner, x.shape[-2:], kernel_size, stride, padding, dilation)
    return _scatter_max_grad(g, indices.reshape(g.shape), x.shape[-2:]).reshape(x.shape)


def _check_indices(indices, shape, hw):
    """``indices`` of max pooling as an int64 array of ``shape``, each in ``[0, H W)``."""
    indices = np.asarray(indices)
    if not np.issubdtype(indices.dtype, np.integer):  # bool is not an integer dtype here
        raise TypeError(f"indices must be an array of integers, got dtype {indices.dtype}")
    if indices.shape != tuple(shape):
        raise ValueError(f"indices must have the shape of the max_pool2d output, {tuple(shape)}, got {indices.shape}")
    indices = indices.astype(np.int64, copy=False)
    size = hw[0] * hw[1]
    # one pass for both ends: read as unsigned, a negative index is larger than any in range
    if indices.size and indices.view(np.uint64).max() >= size:
        raise ValueError(
            f"indices must lie in [0, {size}) (H * W of the input), got values from "
            f"{indices.min()} to {indices.max()}"
        )
    return indices


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                        divisor_override=None):
    """Gradient of :func:`~companion.avg_pool2d` with respect to its input.

    .. math::

        \\frac{\\partial L}{\\partial X_{pad}[n, c, u, v]} =
            \\sum_{i, j \\,:\\, (u, v) \\in \\text{window}(i, j)} \\frac{G[n, c, i, j]}{D_{ij}}

    Each window shares its upstream gradient equally among its cells, divided by the same
    :math:`D_{ij}` as the forward pass (by default :math:`k_H k_W`, padding cells included,
    then cropped off); overlapping windows add up.

    Parameters
    ----------
    grad_out : array_like, shape (..., H_out, W_out)
        Upstream gradient, the shape of ``avg_pool2d(x, kernel_size, stride, padding, ...)``.
    x : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The forward input (only its shape matters).
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``None``: the kernel size.
    padding : int or (int, int), default 0
    ceil_mode, count_include_pad, divisor_override : defaults False, True, None
        As in the forward pass.

    Returns
    -------
    numpy.ndarray, shape of ``x``

    See Also
    --------
    avg_pool2d : the forward pass.

    Examples
    --------
    >>> avg_pool2d_backward([[4, 8]], np.zeros((2, 4)), 2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])
    """
    x, x4, kernel_size, stride, padding, _, out_size, sides = _check_pool(
        x, kernel_size, stride, padding, 1, ceil_mode, "x"
    )
    count_include_pad, divisor_override = _check_avg(count_include_pad, divisor_override)
    grad_out = check_grad_out(grad_out, x.shape[:-2] + out_size, "avg_pool2d")
    dtype = np.result_type(x.dtype, grad_out.dtype)
    divisor = _avg_divisor(x.shape[-2:], kernel_size, stride, padding, out_size, ceil_mode, count_include_pad,
                           divisor_override)
    share = grad_out.astype(dtype).reshape(x4.shape[:2] + out_size) / divisor
    (t, b), (l, r) = sides
    grad_xp = np.zeros(x4.shape[:2] + (x4.shape[2] + t + b, x4.shape[3] + l + r), dtype=dtype)
    if stride == kernel_size:
        # Windows that tile the input: each cell belongs to one window and gets its share,
        # one broadcast over the taps (a reshape), no loop and no addition.
        _tile_view(grad_xp, kernel_size, out_size)[...] = share[:, :, :, None, :, None]
    else:
        # Overlapping windows: one strided addition per tap, as col2im does.
        for _, _, rows, cols in _taps(kernel_size, stride, out_size):
            grad_xp[:, :, rows, cols] += share
    return np.ascontiguousarray(_crop(grad_xp, sides, x.shape[-2:])).reshape(x.shape)


def global_avg_pool2d_backward(grad_out, x):
    """Gradient of :func:`~companion.global_avg_pool2d` with respect to its input.

    .. math::

        \\frac{\\partial L}{\\partial X[n, c, u, v]} = \\frac{G[n, c]}{H W}

    Every pixel of a map counts once in its mean, with weight :math:`1 / (H W)`, so each
    receives that share of its channel's upstream gradient: the rule of
    :func:`avg_pool2d_backward` for one window covering the whole map.

    Parameters
    ----------
    grad_out : array_like, shape (N, C) or (C,)
        Upstream gradient :math:`G`, the shape of ``global_avg_pool2d(x)``.
    x : array_like, shape (N, C, H, W) or (C, H, W)
        The forward input (only its shape matters).

    Returns
    -------
    numpy.ndarray, shape of ``x``

    See Also
    --------
    global_avg_pool2d : the forward pass.

    Examples
    --------
    >>> global_avg_pool2d_backward([8, -4], np.zeros((2, 2, 2)))
    array([[[ 2.,  2.],
            [ 2.,  2.]],
    <BLANKLINE>
           [[-1., -1.],
            [-1., -1.]]])
    """
    x = as_float(x, "x", (3, 4))
    grad_out = check_grad_out(grad_out, x.shape[:-2], "global_avg_pool2d")
    dtype = np.result_type(x.dtype, grad_out.dtype)
    h, w = x.shape[-2:]
    share = grad_out.astype(dtype) / (h * w)
    return np.ascontiguousarray(np.broadcast_to(share[..., None, None], x.shape))
