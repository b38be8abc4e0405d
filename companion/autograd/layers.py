r"""The book's layers on tensors (chapter 9): convolution, max pooling, flatten, dense and loss.

Each function takes and returns :class:`~companion.autograd.engine.Tensor` objects, computes
its forward value with the plain NumPy function of the same name (``companion.conv2d`` ...)
and records as its backward rule the hand-derived gradient of chapter 7
(``conv2d_backward`` of :mod:`~companion.backprop.conv`, ``max_pool2d_backward`` of
:mod:`~companion.backprop.pooling`, ``linear_backward`` and ``cross_entropy_backward`` of
:mod:`~companion.backprop.dense`). The names and argument orders are PyTorch's
(``conv2d(x, weight, bias, stride, padding, dilation)``, ...). They are used as
``companion.autograd.conv2d``: exported flat, they would hide the NumPy functions.
"""

from __future__ import annotations

import numpy as np

from .. import convolution, layers, pooling
from .._validation import as_array
from ..backprop import conv2d_backward, cross_entropy_backward, linear_backward, max_pool2d_backward
from .engine import Tensor, as_tensor, make_node

__all__ = ["conv2d", "max_pool2d", "flatten", "linear", "cross_entropy"]

# None of these names is exported flat from companion: they would hide the NumPy functions.
FLAT_NAMES = ()

def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """:func:`companion.conv2d` on tensors; backward: :func:`~companion.conv2d_backward`.

    .. math::

        S[n, o, i, j] = b[o] + \\sum_{c, m, q} X_p[n, c, i s + m d, j s + q d] \\, K[o, c, m, q]

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : Tensor or array_like, shape (C_out, C_in, k_H, k_W)
    bias : Tensor or array_like, shape (C_out,), optional
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1
        As in :func:`companion.conv2d` (``padding`` may be ``"same"`` or ``"valid"``).

    Returns
    -------
    Tensor, shape (N, C_out, H_out, W_out) (or (C_out, H_out, W_out))

    Examples
    --------
    >>> x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    >>> k = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    >>> conv2d(x, k).sum().backward()
    >>> k.grad[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    x, weight = as_tensor(x, "x"), as_tensor(weight, "weight")
    bias = None if bias is None else as_tensor(bias, "bias")
    out = convolution.conv2d(x.data, weight.data, None if bias is None else bias.data, stride, padding, dilation)

    def backward(g):
        g_x, g_w, g_b = conv2d_backward(g, x.data, weight.data, stride, padding, dilation)
        return (g_x, g_w) if bias is None else (g_x, g_w, g_b)

    return make_node(out, "conv2d", (x, weight) if bias is None else (x, weight, bias), backward)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """:func:`companion.max_pool2d` on tensors; backward: :func:`~companion.max_pool2d_backward`.

    .. math:: P[n, c, i, j] = \\max_{m, q} X_p[n, c, i s + m, j s + q]

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``None``: the kernel size.
    padding : int or (int, int), default 0

    Returns
    -------
    Tensor, shape (N, C, H_P, W_P)

    Examples
    --------
    >>> x = Tensor([[[[1.0, 5.0], [3.0, 2.0]]]], requires_grad=True)
    >>> max_pool2d(x, 2).sum().backward()
    >>> x.grad[0, 0]
    array([[0., 1.],
           [0., 0.]])
    """
    x = as_tensor(x, "x")
    out = pooling.max_pool2d(x.data, kernel_size, stride, padding)
    return make_node(out, "max_pool2d", (x,),
                     lambda g: (max_pool2d_backward(g, x.data, kernel_size, stride, padding),))


def flatten(x):
    """:func:`companion.flatten` on tensors: ``(N, d_1, ..., d_k)`` to ``(N, d_1 ... d_k)``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, d_1, ..., d_k), k >= 1

    Returns
    -------
    Tensor, shape (N, d_1 * ... * d_k)

    Examples
    --------
    >>> flatten(Tensor(np.zeros((2, 3, 4, 4)))).shape
    (2, 48)
    """
    x = as_tensor(x, "x")
    out = layers.flatten(x.data)
    return make_node(out, "flatten", (x,), lambda g: (g.reshape(x.shape),))


def linear(x, weight, bias=None):
    """:func:`companion.linear` on tensors, ``z = f W^T + c``; backward: :func:`~companion.linear_backward`.

    .. math:: z = f \\, \\mathbf W^\\top + \\mathbf c

    Parameters
    ----------
    x : Tensor or array_like, shape (N, d_in) or (d_in,)
    weight : Tensor or array_like, shape (d_out, d_in)
    bias : Tensor or array_like, shape (d_out,), optional

    Returns
    -------
    Tensor, shape (N, d_out) (or (d_out,))

    Examples
    --------
    >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> linear([[3.0, 4.0]], w).sum().backward()
    >>> w.grad
    array([[3., 4.]])
    """
    x, weight = as_tensor(x, "x"), as_tensor(weight, "weight")
    bias = None if bias is None else as_tensor(bias, "bias")
    out = layers.linear(x.data, weight.data, None if bias is None else bias.data)

    def backward(g):
        g_x, g_w, g_b = linear_backward(g, x.data, weight.data)
        return (g_x, g_w) if bias is None else (g_x, g_w, g_b)

    return make_node(out, "linear", (x, weight) if bias is None else (x, weight, bias), backward)


def cross_entropy(logits, targets):
    """:func:`companion.cross_entropy` on tensors (the mean over the batch); backward:
    :func:`~companion.cross_entropy_backward`, times the upstream gradient.

    .. math::

        L = -\\frac{1}{N} \\sum_{n} \\log \\operatorname{softmax}(z_n)[t_n], \\qquad
        \\frac{\\partial L}{\\partial z_{n,i}} = \\frac{\\hat y_{n,i} - y_{n,i}}{N}

    Parameters
    ----------
    logits : Tensor or array_like, shape (N, Q)
    targets : array_like of int, shape (N,)
        The true classes, a plain array (not a Tensor: classes have no gradient).

    Returns
    -------
    Tensor, shape ()

    Examples
    --------
    >>> z = Tensor([[0.0, 0.0], [0.0, 0.0]], requires_grad=True)
    >>> cross_entropy(z, [0, 1]).backward()
    >>> z.grad
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    logits = as_tensor(logits, "logits")
    if isinstance(targets, Tensor):
        raise TypeError("targets must be a plain array of class indices, got a Tensor")
    targets = as_array(targets, "targets", ndim=1, dtype_kind="iu")
    if logits.data.ndim != 2:
        raise ValueError(f"logits must be 2-D (N, Q), got shape {logits.shape}")
    out = layers.cross_entropy(logits.data, targets)
    return make_node(out, "cross_entropy", (logits,), lambda g: (g * cross_entropy_backward(logits.data, targets),))
