r"""Backpropagation: the gradients of chapter 7, each the partner of a forward function.

Every ``*_backward`` function takes the upstream gradient ``grad_out`` (the gradient of the
loss with respect to the forward output, :math:`\partial L / \partial Y`, same shape as the
output) and the forward inputs, and returns the gradients with respect to those inputs, as in
CS231n's ``layers.py``. The three results the book derives for a convolution layer
:math:`Y = X \star W + b` (stride :math:`s`, padding :math:`p`, dilation :math:`d`) are

.. math::

    \frac{\partial L}{\partial W[o, c, m, q]} &= \sum_{n, i, j}
        \frac{\partial L}{\partial Y[n, o, i, j]} \, X_{pad}[n, c, i s + m d, j s + q d]
        \quad \text{(cross-correlation of the input with the upstream gradient)} \\
    \frac{\partial L}{\partial X_{pad}[n, c, u, v]} &= \sum_{o, m, q}
        \frac{\partial L}{\partial Y[n, o, \frac{u - m d}{s}, \frac{v - q d}{s}]} W[o, c, m, q]
        \quad \text{(full convolution of the stride-dilated upstream gradient with } W) \\
    \frac{\partial L}{\partial b[o]} &= \sum_{n, i, j} \frac{\partial L}{\partial Y[n, o, i, j]}

where terms with a non-integer or out-of-range output index are zero. :func:`numerical_gradient`
checks any of them by central differences, and :func:`sgd_step` uses them to learn.
"""

from __future__ import annotations

import numpy as np

from ._kernels import (
    _add_taps,
    _avg_divisor,
    _block_columns,
    _check_avg,
    _check_conv,
    _check_conv2d,
    _check_pool,
    _crop,
    _first_tap,
    _image_blocks,
    _pad,
    _pad_for_reading,
    _per_image,
    _taps,
    _tile_view,
    _scatter_max_grad,
    _window_argmax,
    _winner_index,
    _windows,
)
from ._validation import (
    as_array,
    as_float,
    check_bool,
    check_choice,
    check_cross_entropy,
    check_loss_pair,
    check_real,
    check_reduction,
    check_unit_interval,
)
from .activation import log_softmax, sigmoid, softmax, tanh

__all__ = [
    "conv2d_backward",
    "conv2d_backward_naive",
    "max_pool2d_backward",
    "avg_pool2d_backward",
    "global_avg_pool2d_backward",
    "relu_backward",
    "sigmoid_backward",
    "tanh_backward",
    "softmax_backward",
    "log_softmax_backward",
    "linear_backward",
    "cross_entropy_backward",
    "binary_cross_entropy_backward",
    "mse_loss_backward",
    "sgd_step",
    "numerical_gradient",
]


def _check_grad_out(grad_out, expected_shape, what):
    grad_out = as_float(grad_out, "grad_out", len(expected_shape))
    if grad_out.shape != tuple(expected_shape):
        raise ValueError(
            f"grad_out must have the shape of the {what} output, {tuple(expected_shape)}, "
            f"got {grad_out.shape}"
        )
    return grad_out


# --------------------------------------------------------------------------- convolution


def _conv2d_grads(grad_out, x, weight, stride, sides, dilation, out_size):
    """The input and weight gradients of :func:`conv2d_backward` for one group.

    As in :func:`~companion.conv2d`, a block of images at a time, side by side: the block's
    columns ``(K, b*L)`` and upstream gradient ``(C_out, b*L)`` make two large matrix products
    (the steps NumPy runs on several cores), and col2im adds the column gradients back onto
    the input, one strided addition per kernel tap. With few taps per kernel (``K < 64``)
    reordering the upstream gradient would cost more than the products save, and each
    image has its own products instead.
    """
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    ho, wo = out_size
    dtype = x.dtype
    k, L = c * kh * kw, ho * wo
    view = _windows(_pad_for_reading(x, sides), (kh, kw), stride, dilation, out_size)
    w_mat = weight.reshape(c_out, k)
    grad_w = np.zeros((c_out, k), dtype=dtype)
    (t, b_), (l, r) = sides
    grad_xp = np.zeros((n, c, h + t + b_, w + l + r), dtype=dtype)
    grad_xp_cn = grad_xp.transpose(1, 0, 2, 3)  # the (C, N, H_pad, W_pad) view col2im adds into
    blocks = _image_blocks(n, k, L)
    buffer = np.empty(k * blocks[0][1] * L, dtype=dtype)  # the columns, reused by every block
    dbuffer = np.empty_like(buffer)  # and their gradient
    per_image = _per_image(k, c_out, backward=True)
    for n0, b in blocks:
        cols = _block_columns(view, n0, b, buffer, per_image)
        g = grad_out[n0 : n0 + b].reshape(b, c_out, L)
        if per_image:  # few taps per kernel: one product per image, as in conv2d
            grad_w += np.matmul(g, cols.transpose(0, 2, 1)).sum(axis=0)
            dcols = np.matmul(w_mat.T, g, out=dbuffer[: k * b * L].reshape(b, k, L))
            dcols = dcols.reshape(b, c, kh, kw, ho, wo).transpose(1, 2, 3, 0, 4, 5)
        else:  # the block's images side by side
            g_mat = g.transpose(1, 0, 2).reshape(c_out, b * L)
            grad_w += g_mat @ cols.T  # dL/dW: G against the input columns
            dcols = np.matmul(w_mat.T, g_mat, out=dbuffer[: k * b * L].reshape(k, b * L))  # dL/dcols
            dcols = dcols.reshape(c, kh, kw, b, ho, wo)
        _add_taps(grad_xp_cn[:, n0 : n0 + b], dcols, (kh, kw), stride, dilation, out_size)
    grad_x = np.ascontiguousarray(_crop(grad_xp, sides, (h, w)))
    return grad_x, grad_w.reshape(weight.shape)


def conv2d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of :func:`~companion.conv2d` with respect to its input, weight and bias.

    .. math::

        \\frac{\\partial L}{\\partial W} = \\text{cross-correlation of } X_{pad}
            \\text{ with } \\frac{\\partial L}{\\partial Y}:
        \\quad \\frac{\\partial L}{\\partial W[o, c, m, q]} = \\sum_{n, i, j}
            G[n, o, i, j] \\, X_{pad}[n, c, i s + m d, j s + q d]

        \\frac{\\partial L}{\\partial X_{pad}[n, c, u, v]} = \\sum_{o, m, q \\,:\\,
            u = i s + m d, \\; v = j s + q d} G[n, o, i, j] \\, W[o, c, m, q]
            \\quad (\\text{full convolution of } G \\text{, dilated by the stride, with } W)

        \\frac{\\partial L}{\\partial b[o]} = \\sum_{n, i, j} G[n, o, i, j]

    with :math:`G = \\partial L / \\partial Y` (``grad_out``); the input gradient is
    ``X_pad``'s with the padding cropped off. In matrix form, with the im2col columns
    ``cols`` (``(C_in kH kW, N H_out W_out)``) and ``W_mat = weight.reshape(C_out, -1)``:
    ``grad_W = G_mat @ cols.T`` and ``grad_cols = W_mat.T @ G_mat``, folded back onto the
    input by :func:`~companion.col2im`: two matrix products per block of images laid side by
    side (as in :func:`~companion.conv2d`) and one strided addition per kernel tap.

    With ``groups`` > 1 each group of channels has these gradients on its own (the input
    channels of a group meet only the kernels of that group).

    Parameters
    ----------
    grad_out : array_like, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Upstream gradient, the shape of ``conv2d(x, weight, ...)``.
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        The forward input.
    weight : array_like, shape (C_out, C_in / groups, kH, kW)
        The forward kernels.
    stride, padding, dilation, groups : defaults 1, 0, 1, 1
        As in the forward pass (``padding`` may be ``"same"`` or ``"valid"``).

    Returns
    -------
    grad_x : numpy.ndarray, shape of ``x``
    grad_weight : numpy.ndarray, shape (C_out, C_in / groups, kH, kW)
    grad_bias : numpy.ndarray, shape (C_out,)

    See Also
    --------
    conv2d : the forward pass.

    Examples
    --------
    >>> x = np.arange(9).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1, 2], [3, 4]]]])
    >>> gx, gw, gb = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    >>> gx[0, 0]
    array([[ 1.,  3.,  2.],
           [ 4., 10.,  6.],
           [ 3.,  7.,  4.]])
    >>> gw[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    >>> gb
    array([4.])
    >>> gx, gw, gb = conv2d_backward(np.ones((2, 3, 3)), np.ones((2, 3, 3)), np.ones((2, 1, 3, 3)),
    ...                              padding="same", groups=2)
    >>> gw[1, 0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    """
    x, weight, _, stride, sides, dilation, groups, out_size, unbatched = _check_conv2d(
        x, weight, None, stride, padding, dilation, groups, "x"
    )
    n, c_out = x.shape[0], weight.shape[0]
    ho, wo = out_size
    expected = (c_out, ho, wo) if unbatched else (n, c_out, ho, wo)
    grad_out = _check_grad_out(grad_out, expected, "conv2d").reshape(n, c_out, ho, wo)
    dtype = np.result_type(x.dtype, grad_out.dtype)
    x, weight, grad_out = (a.astype(dtype, copy=False) for a in (x, weight, grad_out))
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    if groups == 1:
        grad_x, grad_w = _conv2d_grads(grad_out, x, weight, stride, sides, dilation, out_size)
    else:  # each group on its own, side by side
        cg, og = x.shape[1] // groups, c_out // groups
        parts = [
            _conv2d_grads(grad_out[:, g * og : (g + 1) * og], x[:, g * cg : (g + 1) * cg],
                          weight[g * og : (g + 1) * og], stride, sides, dilation, out_size)
            for g in range(groups)
        ]
        grad_x = np.concatenate([p[0] for p in parts], axis=1)
        grad_w = np.concatenate([p[1] for p in parts], axis=0)
    return (grad_x[0] if unbatched else grad_x), grad_w, grad_bias


def conv2d_backward_naive(grad_out, x, weight, stride=1, padding=0, dilation=1):
    """:func:`conv2d_backward` written as loops over every term of the forward sum.

    The forward pass adds ``X_pad[n, c, i s + m d, j s + q d] * W[o, c, m, q]`` into
    ``Y[n, o, i, j]``; so, by the chain rule, each such term sends
    ``G[n, o, i, j] * W[o, c, m, q]`` to that input pixel, ``G[n, o, i, j] * X_pad[...]``
    to that weight, and ``G[n, o, i, j]`` to ``b[o]``:

    .. math::

        \\frac{\\partial L}{\\partial X_{pad}[n, c, i s + m d, j s + q d]}
            \\mathrel{+}= G[n, o, i, j] W[o, c, m, q], \\quad
        \\frac{\\partial L}{\\partial W[o, c, m, q]}
            \\mathrel{+}= G[n, o, i, j] X_{pad}[n, c, i s + m d, j s + q d]

    Same arguments, results and errors as :func:`conv2d_backward`; slow, for small arrays.

    Parameters
    ----------
    grad_out : array_like, shape (N, C_out, H_out, W_out)
    x : array_like, shape (N, C_in, H, W)
    weight : array_like, shape (C_out, C_in, kH, kW)
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1

    Returns
    -------
    grad_x : numpy.ndarray, shape (N, C_in, H, W)
    grad_weight : numpy.ndarray, shape (C_out, C_in, kH, kW)
    grad_bias : numpy.ndarray, shape (C_out,)

    See Also
    --------
    conv2d_naive : the forward pass, as loops.

    Examples
    --------
    >>> x = np.arange(9).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1, 2], [3, 4]]]])
    >>> gx, gw, gb = conv2d_backward_naive(np.ones((1, 1, 2, 2)), x, w)
    >>> gw[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    x, weight, _, (s_h, s_w), padding, (d_h, d_w), (ho, wo) = _check_conv(
        x, weight, None, stride, padding, dilation
    )
    n_batch, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    grad_out = _check_grad_out(grad_out, (n_batch, c_out, ho, wo), "conv2d")
    x_pad = _pad(x, padding)
    grad_xpad = np.zeros_like(x_pad)
    grad_w = np.zeros_like(weight)
    grad_b = np.zeros(c_out, dtype=x.dtype)
    for n in range(n_batch):
        for o in range(c_out):
            for i in range(ho):
                for j in range(wo):
                    g = grad_out[n, o, i, j]
                    grad_b[o] += g
                    for c in range(c_in):
                        for m in range(kh):
                            for q in range(kw):
                                u, v = i * s_h + m * d_h, j * s_w + q * d_w
                                grad_xpad[n, c, u, v] += g * weight[o, c, m, q]
                                grad_w[o, c, m, q] += g * x_pad[n, c, u, v]
    ph, pw = padding
    return grad_xpad[:, :, ph : ph + h, pw : pw + w].copy(), grad_w, grad_b


# --------------------------------------------------------------------------- pooling


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
    grad_out = _check_grad_out(grad_out, x.shape[:-2] + out_size, "max_pool2d")
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
    grad_out = _check_grad_out(grad_out, x.shape[:-2] + out_size, "avg_pool2d")
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
    grad_out = _check_grad_out(grad_out, x.shape[:-2], "global_avg_pool2d")
    dtype = np.result_type(x.dtype, grad_out.dtype)
    h, w = x.shape[-2:]
    share = grad_out.astype(dtype) / (h * w)
    return np.ascontiguousarray(np.broadcast_to(share[..., None, None], x.shape))


# --------------------------------------------------------------------------- dense parts


def relu_backward(grad_out, x):
    """Gradient of ``relu(x) = max(x, 0)``: the upstream gradient where ``x > 0``, else 0.

    .. math::

        \\frac{\\partial L}{\\partial x} = G \\odot \\mathbb{1}[x > 0]
        \\qquad (\\mathrm{ReLU}'(0) = 0)

    Parameters
    ----------
    grad_out : array_like, any shape
        Upstream gradient ``G``.
    x : array_like, same shape as ``grad_out``
        The forward input.

    Returns
    -------
    numpy.ndarray, shape of ``x``

    See Also
    --------
    relu : the forward pass.
    relu_grad : the derivative alone, ``1[x > 0]``.

    Examples
    --------
    >>> relu_backward([1, 2, 3], [-1, 0, 2])
    array([0., 0., 3.])
    """
    grad_out, x = _check_elementwise(grad_out, x)
    return np.where(x > 0, grad_out, 0.0).astype(np.result_type(grad_out, x), copy=False)


def _check_elementwise(grad_out, x, name="x"):
    """The upstream gradient and the input of an element-wise function: one shape (any)."""
    grad_out = as_float(grad_out, "grad_out", allow_empty=True)
    x = as_float(x, name, allow_empty=True)
    if grad_out.shape != x.shape:
        raise ValueError(f"grad_out must have the shape of {name}, {x.shape}, got {grad_out.shape}")
    return grad_out, x


def sigmoid_backward(grad_out, input):
    """Gradient of :func:`~companion.sigmoid`: the upstream gradient times :math:`\\sigma (1 - \\sigma)`.

    .. math::

        \\frac{\\partial L}{\\partial x} = G \\odot \\sigma(x) \\odot \\bigl(1 - \\sigma(x)\\bigr)

    Parameters
    ----------
    grad_out : array_like, any shape
        Upstream gradient ``G``.
    input : array_like, same shape as ``grad_out``
        The forward input.

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Examples
    --------
    >>> sigmoid_backward([4.0], [0.0])
    array([1.])
    """
    grad_out, x = _check_elementwise(grad_out, input, "input")
    s = sigmoid(x)
    return np.asarray(grad_out * (1.0 - s) * s)


def tanh_backward(grad_out, input):
    """Gradient of :func:`~companion.tanh`: the upstream gradient times :math:`1 - \\tanh^2`.

    .. math::

        \\frac{\\partial L}{\\partial x} = G \\odot \\bigl(1 - \\tanh^2(x)\\bigr)

    Parameters
    ----------
    grad_out : array_like, any shape
        Upstream gradient ``G``.
    input : array_like, same shape as ``grad_out``
        The forward input.

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Examples
    --------
    >>> tanh_backward([2.0], [0.0])
    array([2.])
    """
    grad_out, x = _check_elementwise(grad_out, input, "input")
    t = tanh(x)
    return np.asarray(grad_out * (1.0 - t * t))


def softmax_backward(grad_out, input, axis=-1, dtype=None, *, dim=None):
    """Gradient of :func:`~companion.softmax` along ``axis``, with its keyword arguments.

    .. math::

        \\frac{\\partial L}{\\partial z_i} = y_i \\Bigl(G_i - \\sum_j G_j y_j\\Bigr),
        \\qquad y = \\operatorname{softmax}(z)

    (the Jacobian :math:`\\operatorname{diag}(y) - y y^\\top` applied to ``G``).

    Parameters
    ----------
    grad_out : array_like, shape of ``input``
        Upstream gradient ``G``.
    input : array_like, any shape
        The forward input ``z``.
    axis, dtype, dim
        As in :func:`~companion.softmax`.

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Examples
    --------
    >>> softmax_backward([1.0, 0.0], [0.0, 0.0])
    array([ 0.25, -0.25])
    """
    y = softmax(input, axis, dtype, dim=dim)  # validates input, axis and dtype
    grad_out, _ = _check_elementwise(grad_out, y, "input")
    if y.ndim == 0:  # one class: softmax is the constant 1
        return np.zeros_like(y)
    axis = axis if dim is None else dim
    return y * (grad_out - np.sum(grad_out * y, axis=axis, keepdims=True))


def log_softmax_backward(grad_out, input, axis=-1, dtype=None, *, dim=None):
    """Gradient of :func:`~companion.log_softmax` along ``axis``, with its keyword arguments.

    .. math::

        \\frac{\\partial L}{\\partial z_i} = G_i - \\operatorname{softmax}(z)_i \\sum_j G_j

    Parameters
    ----------
    grad_out : array_like, shape of ``input``
        Upstream gradient ``G``.
    input : array_like, any shape
        The forward input ``z``.
    axis, dtype, dim
        As in :func:`~companion.log_softmax`.

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Examples
    --------
    >>> log_softmax_backward([1.0, 0.0], [0.0, 0.0])
    array([ 0.5, -0.5])
    """
    logy = log_softmax(input, axis, dtype, dim=dim)  # validates input, axis and dtype
    grad_out, _ = _check_elementwise(grad_out, logy, "input")
    if logy.ndim == 0:  # one class: log_softmax is the constant 0
        return np.zeros_like(logy)
    axis = axis if dim is None else dim
    return grad_out - np.exp(logy) * np.sum(grad_out, axis=axis, keepdims=True)


def linear_backward(grad_out, x, weight):
    """Gradients of the dense layer ``y = x W^T + b`` (``torch.nn.functional.linear``).

    .. math::

        \\frac{\\partial L}{\\partial x} = G W, \\qquad
        \\frac{\\partial L}{\\partial W} = G^T x, \\qquad
        \\frac{\\partial L}{\\partial b} = \\sum_n G[n, :]

    Parameters
    ----------
    grad_out : array_like, shape (*, out_features)
        Upstream gradient ``G``.
    x : array_like, shape (*, in_features)
        The forward input: ``(N, in_features)``, one vector, or any leading axes (their
        rows all count in the sums over :math:`n`).
    weight : array_like, shape (out_features, in_features)
        ``W``.

    Returns
    -------
    grad_x : numpy.ndarray, shape of ``x``
    grad_weight : numpy.ndarray, shape (out_features, in_features)
    grad_bias : numpy.ndarray, shape (out_features,)

    See Also
    --------
    linear : the forward pass.

    Examples
    --------
    >>> gx, gw, gb = linear_backward([[1, 2]], [[3, 4, 5]], [[1, 0, 0], [0, 1, 1]])
    >>> gx
    array([[1., 2., 2.]])
    >>> gw
    array([[ 3.,  4.,  5.],
           [ 6.,  8., 10.]])
    >>> gb
    array([1., 2.])
    """
    grad_out = as_float(grad_out, "grad_out", allow_empty=True)
    x = as_float(x, "x", allow_empty=True)
    weight = as_float(weight, "weight", 2)
    if x.ndim == 0:
        raise ValueError("x must be at least 1-D (in_features,) or (N, in_features), got a 0-d array")
    if weight.shape[1] != x.shape[-1]:
        raise ValueError(
            f"weight has in_features={weight.shape[1]} (shape {weight.shape}) "
            f"but x has {x.shape[-1]} features (shape {x.shape})"
        )
    expected = x.shape[:-1] + (weight.shape[0],)
    if grad_out.shape != expected:
        raise ValueError(f"grad_out must have the shape of the linear output, {expected}, got {grad_out.shape}")
    g2, x2 = grad_out.reshape(-1, weight.shape[0]), x.reshape(-1, weight.shape[1])
    return grad_out @ weight, g2.T @ x2, g2.sum(axis=0)


def _loss_scale(grad_out, reduction, loss_shape, total):
    """The factor each element's gradient is multiplied by: the upstream gradient of the
    loss (1 by default; one per element for ``reduction="none"``), divided by what
    ``"mean"`` divides by."""
    if reduction == "none":
        if grad_out is None:
            raise ValueError(f"grad_out is needed with reduction='none': an array of shape {loss_shape}")
        grad_out = as_float(grad_out, "grad_out", allow_empty=True)
        if grad_out.shape != tuple(loss_shape):
            raise ValueError(f"grad_out must have the shape of the loss, {tuple(loss_shape)}, got {grad_out.shape}")
        return grad_out
    g = 1.0 if grad_out is None else as_float(grad_out, "grad_out", 0)
    if reduction == "sum":
        return g
    elif reduction == "mean":
        return g / total
    else:  # pragma: no cover - check_reduction has rejected every other value
        raise ValueError(f"reduction must be one of 'none', 'mean', 'sum', got {reduction!r}")


def cross_entropy_backward(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                           reduction="mean", label_smoothing=0.0, *, grad_out=None, wrt="input"):
    """Gradient of :func:`~companion.cross_entropy` with respect to the logits (or the target).

    For :math:`L = -\\frac{1}{N} \\sum_n \\log \\mathrm{softmax}(z_n)[t_n]`
    (``torch.nn.functional.cross_entropy`` with integer targets),

    .. math::

        \\frac{\\partial L}{\\partial z[n, k]} = \\frac{\\mathrm{softmax}(z_n)[k]
            - \\mathbb{1}[k = t_n]}{N}

    and, for the general per-example loss :math:`\\ell_n = -\\sum_k a_{n,k} \\log
    \\mathrm{softmax}(z_n)[k]` of :func:`~companion.cross_entropy` (class weights, label
    smoothing, ignored examples, class probabilities),
    :math:`\\partial \\ell_n / \\partial z[n, k] = \\mathrm{softmax}(z_n)[k] \\sum_j a_{n,j}
    - a_{n,k}`, times the upstream gradient and divided as the reduction divides. With
    class-probability targets :math:`y`, ``wrt="target"`` gives
    :math:`\\partial \\ell_n / \\partial y[n, k] = -(1 - \\varepsilon) w_k \\log
    \\mathrm{softmax}(z_n)[k]`, likewise scaled.

    The softmax is computed stably, as :math:`e^{z - \\max z} / \\sum e^{z - \\max z}`.

    Parameters
    ----------
    input, target, weight, size_average, ignore_index, reduce, reduction, label_smoothing
        As in :func:`~companion.cross_entropy`: logits ``(N, K)``, ``(K,)`` or
        ``(N, K, d_1, ...)``, and class indices or probabilities.
    grad_out : float or array_like, optional
        The upstream gradient of the loss: a number for ``"mean"`` and ``"sum"`` (default
        1), an array of the loss's shape for ``"none"`` (required).
    wrt : {"input", "target"}, default "input"
        Which gradient; ``"target"`` only for class-probability targets.

    Returns
    -------
    numpy.ndarray, shape of ``input`` (or of ``target``)
        For the plain mean loss each example's row sums to 0.

    See Also
    --------
    cross_entropy : the forward pass, the loss itself.

    Examples
    --------
    >>> cross_entropy_backward([[0.0, 0.0], [0.0, 0.0]], [0, 1])
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    z, target, weight, axis, probabilities = check_cross_entropy(input, target, weight, ignore_index, label_smoothing)
    reduction = check_reduction(size_average, reduce, reduction)
    check_choice(wrt, "wrt", ("input", "target"))
    if wrt == "target" and not probabilities:
        raise ValueError("wrt='target' needs class-probability targets: class indices have no gradient")
    k = z.shape[axis]
    last = axis == z.ndim - 1  # (N, K) or (K,): the classes are already last
    moved = z if last else np.moveaxis(z, axis, -1)
    loss_shape = moved.shape[:-1]
    p = softmax(moved.reshape(-1, k), axis=-1)
    eps = float(label_smoothing)
    plain = not probabilities and weight is None and eps == 0 and reduction == "mean" and grad_out is None
    if plain and wrt == "input" and not np.any(target == ignore_index):  # chapter 7's loss: (p - onehot) / N
        p[np.arange(p.shape[0]), target.reshape(-1)] -= 1.0
        grad = (p / p.shape[0]).reshape(moved.shape)
        return grad if last else np.moveaxis(grad, -1, axis)
    if probabilities:
        a = np.moveaxis(target.astype(z.dtype, copy=False), axis, -1).reshape(-1, k)
        if eps > 0:
            a = a * (1 - eps) + eps / k
        if weight is not None:
            a = a * weight
        total = a.shape[0]
    else:
        t = target.reshape(-1).astype(np.intp)
        keep = t != ignore_index
        a = np.zeros_like(p)
        w_t = keep * (1.0 if weight is None else weight[np.where(keep, t, 0)])
        a[np.arange(t.size), np.where(keep, t, 0)] = w_t
        if eps > 0:
            a = (1 - eps) * a + eps / k * keep[:, None] * (1.0 if weight is None else weight)
        total = keep.sum() if weight is None else w_t.sum()
    scale = _loss_scale(grad_out, reduction, loss_shape, total)
    scale = np.reshape(scale, (-1, 1)) if np.ndim(scale) else scale
    if wrt == "input":
        grad = p * a.sum(axis=-1, keepdims=True) - a  # p - onehot(t) for the plain loss
    elif wrt == "target":
        lp = log_softmax(moved.reshape(-1, k), axis=-1)
        grad = -(1 - eps) * lp * (1.0 if weight is None else weight)
    else:  # pragma: no cover - check_choice has rejected every other value
        raise ValueError(f"wrt must be one of 'input', 'target', got {wrt!r}")
    if reduction == "mean" and grad_out is None:
        grad = grad / total
    else:
        grad = grad * scale
    grad = grad.reshape(moved.shape)
    return grad if last else np.moveaxis(grad, -1, axis)


def binary_cross_entropy_backward(input, target, weight=None, size_average=None, reduce=None, reduction="mean", *,
                                  grad_out=None, wrt="input"):
    """Gradient of :func:`~companion.binary_cross_entropy` with respect to ``input`` (or ``target``).

    .. math::

        \\frac{\\partial \\ell_n}{\\partial p_n} = w_n \\frac{p_n - y_n}{\\max(p_n (1 - p_n), 10^{-12})},
        \\qquad
        \\frac{\\partial \\ell_n}{\\partial y_n} = w_n \\log \\frac{1 - p_n}{p_n}

    (PyTorch's formulas, the first kept finite at ``p = 0`` and ``p = 1``), times the
    upstream gradient, divided by the number of entries for ``"mean"``.

    Parameters
    ----------
    input, target, weight, size_average, reduce, reduction
        As in :func:`~companion.binary_cross_entropy`.
    grad_out : float or array_like, optional
        The upstream gradient of the loss: a number for ``"mean"`` and ``"sum"`` (default
        1), an array of the input's shape for ``"none"`` (required).
    wrt : {"input", "target"}, default "input"

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Examples
    --------
    >>> binary_cross_entropy_backward([0.5, 0.5], [0.0, 1.0])
    array([ 1., -1.])
    """
    p, y, weight = check_loss_pair(input, target, weight)
    check_unit_interval(p, "input")
    check_unit_interval(y, "target")
    reduction = check_reduction(size_average, reduce, reduction)
    check_choice(wrt, "wrt", ("input", "target"))
    if wrt == "input":
        grad = (p - y) / np.maximum((1.0 - p) * p, 1e-12)
    elif wrt == "target":
        with np.errstate(divide="ignore"):
            grad = -np.log(p / (1.0 - p))
    else:  # pragma: no cover - check_choice has rejected every other value
        raise ValueError(f"wrt must be one of 'input', 'target', got {wrt!r}")
    if weight is not None:
        grad = grad * weight
    return np.asarray(grad * _loss_scale(grad_out, reduction, p.shape, p.size))


def mse_loss_backward(input, target, size_average=None, reduce=None, reduction="mean", weight=None, *,
                      grad_out=None, wrt="input"):
    """Gradient of :func:`~companion.mse_loss` with respect to ``input`` (or ``target``).

    .. math::

        \\frac{\\partial L}{\\partial \\hat y_n} = -\\frac{\\partial L}{\\partial y_n}
            = \\frac{2 w_n (\\hat y_n - y_n)}{D}

    with :math:`D` the number of entries (``"mean"``), the sum of the weights (``"mean"``
    with a ``weight``) or 1 (``"sum"``), times the upstream gradient.

    Parameters
    ----------
    input, target, size_average, reduce, reduction, weight
        As in :func:`~companion.mse_loss`.
    grad_out : float or array_like, optional
        The upstream gradient of the loss: a number for ``"mean"`` and ``"sum"`` (default
        1), an array of the input's shape for ``"none"`` (required).
    wrt : {"input", "target"}, default "input"

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Examples
    --------
    >>> mse_loss_backward([1.0, 2.0, 3.0], [1.0, 2.0, 6.0])
    array([ 0.,  0., -2.])
    """
    pred, target, weight = check_loss_pair(input, target, weight, weight_rule="same")
    reduction = check_reduction(size_average, reduce, reduction)
    check_choice(wrt, "wrt", ("input", "target"))
    if wrt == "input":
        grad = 2.0 * (pred - target)
    elif wrt == "target":
        grad = 2.0 * (target - pred)
    else:  # pragma: no cover - check_choice has rejected every other value
        raise ValueError(f"wrt must be one of 'input', 'target', got {wrt!r}")
    if weight is not None:
        grad = grad * weight
    total = pred.size if weight is None else np.sum(weight)
    return np.asarray(grad * _loss_scale(grad_out, reduction, pred.shape, total))


# --------------------------------------------------------------------------- learning


def sgd_step(param, grad, lr):
    """One step of gradient descent: ``K_new = K_old - lr * grad``.

    .. math::

        K_{new} = K_{old} - \\eta \\, \\frac{\\partial L}{\\partial K}

    Parameters
    ----------
    param : array_like, any shape
        The current parameters ``K_old``; not modified.
    grad : array_like, same shape as ``param``
        The gradient of the loss with respect to ``param``.
    lr : float
        The learning rate :math:`\\eta`, a finite number >= 0.

    Returns
    -------
    numpy.ndarray, shape of ``param``
        A new array.

    Examples
    --------
    >>> sgd_step([1.0, 2.0], [10, -10], lr=0.1)
    array([0., 3.])
    """
    param = as_float(param, "param")
    grad = as_float(grad, "grad")
    if grad.shape != param.shape:
        raise ValueError(f"grad must have the shape of param, {param.shape}, got {grad.shape}")
    check_real(lr, "lr", minimum=0, finite=True, described="a finite number >= 0")
    return param - lr * grad


def numerical_gradient(f, x, eps=1e-6):
    """Gradient of a scalar function by central differences, for gradient checks.

    .. math::

        \\frac{\\partial f}{\\partial x_k} \\approx
            \\frac{f(x + \\varepsilon e_k) - f(x - \\varepsilon e_k)}{2 \\varepsilon}

    The error is :math:`O(\\varepsilon^2)` (plus rounding, about
    :math:`10^{-16} |f| / \\varepsilon`), so with ``eps=1e-6`` and float64 the estimate
    matches an exact gradient to about 1e-8 relative.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``; called ``2 * x.size`` times with a float64 array of ``x``'s shape.
    x : array_like, any shape
        The point; computed on a float64 copy, so ``x`` is never modified.
    eps : float, default 1e-6
        The step :math:`\\varepsilon`, > 0.

    Returns
    -------
    numpy.ndarray, float64, shape of ``x``

    Examples
    --------
    >>> g = numerical_gradient(lambda v: (v ** 2).sum(), np.array([1.0, -2.0, 3.0]))
    >>> np.round(g, 6)
    array([ 2., -4.,  6.])
    """
    if not callable(f):
        raise TypeError(f"f must be a callable returning a scalar, got {type(f).__name__}")
    x = as_float(x, "x").astype(np.float64, copy=True)
    check_real(eps, "eps", above=0, finite=True, described="a finite number > 0")

    def value(point):
        out = np.asarray(f(point))
        if out.size != 1:
            raise ValueError(f"f must return a scalar, got an array of shape {out.shape}")
        return float(out.reshape(()))

    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        original = flat[k]
        flat[k] = original + eps
        f_plus = value(x)
        flat[k] = original - eps
        f_minus = value(x)
        flat[k] = original
        gflat[k] = (f_plus - f_minus) / (2 * eps)
    return grad
