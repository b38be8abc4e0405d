"""Backpropagation through the dense parts of a network (chapter 7): the activations,
softmax, the dense layer and the losses.

Every ``*_backward`` function takes the upstream gradient ``grad_out`` (the gradient of the
loss with respect to the forward output, same shape as the output) and the forward inputs,
and returns the gradients with respect to those inputs. A loss ends the network, so its
upstream gradient comes last, as the keyword ``grad_out``: by default 1, the gradient of the
loss itself (an array of the loss's shape is needed with ``reduction="none"``).
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    as_float,
    check_choice,
    check_cross_entropy,
    check_loss_pair,
    check_reduction,
    check_unit_interval,
)
from ..activation import log_softmax, sigmoid, softmax, tanh

__all__ = [
    "relu_backward",
    "sigmoid_backward",
    "tanh_backward",
    "softmax_backward",
    "log_softmax_backward",
    "linear_backward",
    "cross_entropy_backward",
    "binary_cross_entropy_backward",
    "mse_loss_backward",
]


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

        \\frac{\\partial L}{\\partial z[n, i]} = \\frac{\\mathrm{softmax}(z_n)[i]
            - \\mathbb{1}[i = t_n]}{N}

    and, for the general per-example loss :math:`\\ell_n = -\\sum_i a_{n,i} \\log
    \\mathrm{softmax}(z_n)[i]` of :func:`~companion.cross_entropy` (class weights, label
    smoothing, ignored examples, class probabilities),
    :math:`\\partial \\ell_n / \\partial z[n, i] = \\mathrm{softmax}(z_n)[i] \\sum_j a_{n,j}
    - a_{n,i}`, times the upstream gradient and divided as the reduction divides. With
    class-probability targets :math:`y`, ``wrt="target"`` gives
    :math:`\\partial \\ell_n / \\partial y[n, i] = -(1 - \\varepsilon) \\omega_i \\log
    \\mathrm{softmax}(z_n)[i]`, likewise scaled.

    The softmax is computed stably, as :math:`e^{z - \\max z} / \\sum e^{z - \\max z}`.

    Parameters
    ----------
    input, target, weight, size_average, ignore_index, reduce, reduction, label_smoothing
        As in :func:`~companion.cross_entropy`: logits ``(N, Q)``, ``(Q,)`` or
        ``(N, Q, d_1, ...)``, and class indices or probabilities.
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
    last = axis == z.ndim - 1  # (N, Q) or (Q,): the classes are already last
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
