r"""Backpropagation through a convolution (chapter 7): the gradients of :func:`~companion.conv2d`.

Like every ``*_backward`` function of the book, these take the upstream gradient
``grad_out`` (the gradient of the loss with respect to the forward output,
:math:`\partial L / \partial Y`, same shape as the output) and the forward inputs, and return
the gradients with respect to those inputs, as in CS231n's ``layers.py``. The three results
the book derives for a convolution layer :math:`Y = X \star W + b` (stride :math:`s`, padding
:math:`p`, dilation :math:`d`) are

.. math::

    \frac{\partial L}{\partial W[o, c, m, q]} &= \sum_{n, i, j}
        \frac{\partial L}{\partial Y[n, o, i, j]} \, X_{pad}[n, c, i s + m d, j s + q d]
        \quad \text{(cross-correlation of the input with the upstream gradient)} \\
    \frac{\partial L}{\partial X_{pad}[n, c, u, v]} &= \sum_{o, m, q}
        \frac{\partial L}{\partial Y[n, o, \frac{u - m d}{s}, \frac{v - q d}{s}]} W[o, c, m, q]
        \quad \text{(full convolution of the stride-dilated upstream gradient with } W) \\
    \frac{\partial L}{\partial b[o]} &= \sum_{n, i, j} \frac{\partial L}{\partial Y[n, o, i, j]}

where terms with a non-integer or out-of-range output index are zero.
:func:`conv2d_backward` computes them as matrix products on the im2col columns;
:func:`conv2d_backward_naive` writes them as loops over every term of the forward sum.
:func:`~companion.numerical_gradient` checks either by central differences.
"""

from __future__ import annotations

import numpy as np

from .._kernels import (
    _add_taps,
    _block_columns,
    _check_conv,
    _check_conv2d,
    _crop,
    _image_blocks,
    _pad,
    _pad_for_reading,
    _per_image,
    _windows,
)
from .._validation import check_grad_out

__all__ = ["conv2d_backward", "conv2d_backward_naive"]


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
    grad_out = check_grad_out(grad_out, expected, "conv2d").reshape(n, c_out, ho, wo)
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
    grad_out = check_grad_out(grad_out, (n_batch, c_out, ho, wo), "conv2d")
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
