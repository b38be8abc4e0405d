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

from ._kernels import _add_taps, _block_columns, _check_conv, _check_pool, _image_blocks, _pad, _per_image, _taps, _windows
from ._validation import as_array, as_float, check_real

__all__ = [
    "conv2d_backward",
    "conv2d_backward_naive",
    "max_pool2d_backward",
    "avg_pool2d_backward",
    "relu_backward",
    "linear_backward",
    "cross_entropy_backward",
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


def conv2d_backward(grad_out, x, weight, stride=1, padding=0, dilation=1):
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
    input by :func:`~companion.col2im`: two matrix products (per image, or per block of images when the
    output is small, as in :func:`~companion.conv2d`) and one strided addition per kernel tap.

    Parameters
    ----------
    grad_out : array_like, shape (N, C_out, H_out, W_out)
        Upstream gradient, the shape of ``conv2d(x, weight, ...)``.
    x : array_like, shape (N, C_in, H, W)
        The forward input.
    weight : array_like, shape (C_out, C_in, kH, kW)
        The forward kernels.
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1
        As in the forward pass.

    Returns
    -------
    grad_x : numpy.ndarray, shape (N, C_in, H, W)
    grad_weight : numpy.ndarray, shape (C_out, C_in, kH, kW)
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
    """
    x, weight, _, stride, padding, dilation, out_size = _check_conv(
        x, weight, None, stride, padding, dilation
    )
    n, c, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    ho, wo = out_size
    grad_out = _check_grad_out(grad_out, (n, c_out, ho, wo), "conv2d")
    dtype = np.result_type(x.dtype, grad_out.dtype)
    x, weight, grad_out = (a.astype(dtype, copy=False) for a in (x, weight, grad_out))
    k, L = c * kh * kw, ho * wo

    grad_bias = grad_out.sum(axis=(0, 2, 3))
    view = _windows(_pad(x, padding), (kh, kw), stride, dilation, out_size)
    w_mat = weight.reshape(c_out, k)
    grad_w = np.zeros((c_out, k), dtype=dtype)
    grad_xp = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]), dtype=dtype)
    grad_xp_cn = grad_xp.transpose(1, 0, 2, 3)  # the (C, N, H_pad, W_pad) view col2im adds into
    blocks = _image_blocks(n, k, L)
    buffer = np.empty(k * blocks[0][1] * L, dtype=dtype)
    for n0, b in blocks:
        g = grad_out[n0 : n0 + b].reshape(b, c_out, L)
        cols = _block_columns(view, n0, b, buffer)
        if _per_image(k, L):  # one product per image, as in conv2d
            grad_w += np.matmul(g, cols.transpose(0, 2, 1)).sum(axis=0)
            dcols = np.matmul(w_mat.T, g).reshape(b, c, kh, kw, ho, wo).transpose(1, 2, 3, 0, 4, 5)
        else:  # the block's images side by side
            g_mat = g.transpose(1, 0, 2).reshape(c_out, b * L)
            grad_w += g_mat @ cols.T  # dL/dW: G against the input columns
            dcols = (w_mat.T @ g_mat).reshape(c, kh, kw, b, ho, wo)  # dL/dcols
        _add_taps(grad_xp_cn[:, n0 : n0 + b], dcols, (kh, kw), stride, dilation, out_size)
    ph, pw = padding
    grad_x = np.ascontiguousarray(grad_xp[:, :, ph : ph + h, pw : pw + w])
    return grad_x, grad_w.reshape(weight.shape), grad_bias


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


def max_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0):
    """Gradient of :func:`~companion.max_pool2d` with respect to its input.

    .. math::

        \\frac{\\partial L}{\\partial X_{pad}[n, c, u, v]} = \\sum_{i, j \\,:\\,
            (u, v) = \\operatorname{argmax}_{(i s_h + m, \\, j s_w + q)} X_{pad}}
            G[n, c, i, j]

    Each window passes its upstream gradient to the one input that won it, the *first*
    maximum in row-major order when several tie (as PyTorch does); the others get 0. Where
    windows overlap, a pixel that wins several of them collects the sum.

    Parameters
    ----------
    grad_out : array_like, shape (..., H_out, W_out)
        Upstream gradient, the shape of ``max_pool2d(x, kernel_size, stride, padding)``.
    x : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The forward input.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``None``: the kernel size.
    padding : int or (int, int), default 0

    Returns
    -------
    numpy.ndarray, shape of ``x``

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
    x, x4, kernel_size, stride, padding, out_size = _check_pool(x, kernel_size, stride, padding)
    grad_out = _check_grad_out(grad_out, x.shape[:-2] + out_size, "max_pool2d")
    dtype = np.result_type(x.dtype, grad_out.dtype)
    g4 = grad_out.astype(dtype, copy=False).reshape(x4.shape[:2] + out_size)
    xp = _pad(x4, padding, -np.inf)
    # Which tap (m, q) of each window holds its first maximum: a strict ">" keeps the first.
    best = winner = None
    for m, q, rows, cols in _taps(kernel_size, stride, out_size):
        tap = m * kernel_size[1] + q
        values = xp[:, :, rows, cols]
        if best is None:
            best, winner = values.copy(), np.zeros(values.shape, dtype=np.intp)
        else:
            better = values > best
            best[better] = values[better]
            winner[better] = tap
    grad_xp = np.zeros(xp.shape, dtype=dtype)
    for m, q, rows, cols in _taps(kernel_size, stride, out_size):
        tap = m * kernel_size[1] + q
        grad_xp[:, :, rows, cols] += np.where(winner == tap, g4, 0.0)
    ph, pw = padding
    grad_x = grad_xp[:, :, ph : ph + x.shape[-2], pw : pw + x.shape[-1]]
    return np.ascontiguousarray(grad_x).reshape(x.shape)


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0):
    """Gradient of :func:`~companion.avg_pool2d` (``count_include_pad=True``).

    .. math::

        \\frac{\\partial L}{\\partial X_{pad}[n, c, u, v]} = \\frac{1}{k_H k_W}
            \\sum_{i, j \\,:\\, (u, v) \\in \\text{window}(i, j)} G[n, c, i, j]

    Each window shares its upstream gradient equally among its ``kH * kW`` cells (padding
    cells included, then cropped off); overlapping windows add up.

    Parameters
    ----------
    grad_out : array_like, shape (..., H_out, W_out)
        Upstream gradient, the shape of ``avg_pool2d(x, kernel_size, stride, padding)``.
    x : array_like, shape (N, C, H, W), (C, H, W) or (H, W)
        The forward input (only its shape matters).
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``None``: the kernel size.
    padding : int or (int, int), default 0

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
    x, x4, kernel_size, stride, padding, out_size = _check_pool(x, kernel_size, stride, padding)
    grad_out = _check_grad_out(grad_out, x.shape[:-2] + out_size, "avg_pool2d")
    dtype = np.result_type(x.dtype, grad_out.dtype)
    share = grad_out.astype(dtype).reshape(x4.shape[:2] + out_size) / (kernel_size[0] * kernel_size[1])
    ph, pw = padding
    grad_xp = np.zeros(x4.shape[:2] + (x4.shape[2] + 2 * ph, x4.shape[3] + 2 * pw), dtype=dtype)
    for _, _, rows, cols in _taps(kernel_size, stride, out_size):
        grad_xp[:, :, rows, cols] += share
    grad_x = grad_xp[:, :, ph : ph + x.shape[-2], pw : pw + x.shape[-1]]
    return np.ascontiguousarray(grad_x).reshape(x.shape)


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
    grad_out = as_float(grad_out, "grad_out")
    x = as_float(x, "x")
    if grad_out.shape != x.shape:
        raise ValueError(f"grad_out must have the shape of x, {x.shape}, got {grad_out.shape}")
    return np.where(x > 0, grad_out, 0.0).astype(np.result_type(grad_out, x), copy=False)


def linear_backward(grad_out, x, weight):
    """Gradients of the dense layer ``y = x W^T + b`` (``torch.nn.functional.linear``).

    .. math::

        \\frac{\\partial L}{\\partial x} = G W, \\qquad
        \\frac{\\partial L}{\\partial W} = G^T x, \\qquad
        \\frac{\\partial L}{\\partial b} = \\sum_n G[n, :]

    Parameters
    ----------
    grad_out : array_like, shape (N, out_features)
        Upstream gradient ``G``.
    x : array_like, shape (N, in_features)
        The forward input.
    weight : array_like, shape (out_features, in_features)
        ``W``.

    Returns
    -------
    grad_x : numpy.ndarray, shape (N, in_features)
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
    grad_out = as_float(grad_out, "grad_out", 2)
    x = as_float(x, "x", 2)
    weight = as_float(weight, "weight", 2)
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"weight has in_features={weight.shape[1]} (shape {weight.shape}) "
            f"but x has {x.shape[1]} features (shape {x.shape})"
        )
    expected = (x.shape[0], weight.shape[0])
    if grad_out.shape != expected:
        raise ValueError(f"grad_out must have the shape of the linear output, {expected}, got {grad_out.shape}")
    return grad_out @ weight, grad_out.T @ x, grad_out.sum(axis=0)


def cross_entropy_backward(logits, targets):
    """Gradient of the mean cross-entropy loss with respect to the logits.

    For :math:`L = -\\frac{1}{N} \\sum_n \\log \\mathrm{softmax}(z_n)[t_n]`
    (``torch.nn.functional.cross_entropy`` with integer targets),

    .. math::

        \\frac{\\partial L}{\\partial z[n, k]} = \\frac{\\mathrm{softmax}(z_n)[k]
            - \\mathbb{1}[k = t_n]}{N}

    The softmax is computed stably, as :math:`e^{z - \\max z} / \\sum e^{z - \\max z}`.

    Parameters
    ----------
    logits : array_like, shape (N, K)
        Scores ``z``, one row per example.
    targets : array_like of int, shape (N,)
        Class indices ``t_n`` in ``[0, K)``.

    Returns
    -------
    numpy.ndarray, shape (N, K)
        Each row sums to 0.

    See Also
    --------
    cross_entropy : the forward pass, the loss itself.

    Examples
    --------
    >>> cross_entropy_backward([[0.0, 0.0], [0.0, 0.0]], [0, 1])
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    logits = as_float(logits, "logits", 2)
    targets = as_array(targets, "targets", 1, dtype_kind="iu")
    n, k = logits.shape
    if targets.shape[0] != n:
        raise ValueError(f"targets must have one entry per row of logits ({n}), got shape {targets.shape}")
    if targets.min() < 0 or targets.max() >= k:
        raise ValueError(
            f"targets must be class indices in [0, {k}) for logits with K={k} columns, "
            f"got values from {targets.min()} to {targets.max()}"
        )
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    grad = exp / exp.sum(axis=1, keepdims=True)
    grad[np.arange(n), targets] -= 1.0
    return grad / n


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
