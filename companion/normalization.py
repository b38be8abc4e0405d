"""Batch normalisation of convolutional feature maps (chapter 10): forward, backward, and
the running statistics used at inference, as ``torch.nn.BatchNorm2d`` computes them.

Each channel ``c`` of a batch ``X`` of shape ``(N, C, H, W)`` is normalised by the mean and
the biased variance of its ``N H W`` entries, then scaled by ``gamma_c`` and shifted by
``beta_c`` (PyTorch's ``weight`` and ``bias``; bold in the book, as learned parameters are), and
:class:`TinyCNNBN`, chapter 8's network with such a layer after its convolution. This module
uses NumPy only.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float, check_bool, check_real
from .backprop import conv2d_backward, linear_backward, max_pool2d_backward, relu_backward
from .convolution import conv2d
from .layers import flatten, linear
from .model import TinyCNN
from .pooling import max_pool2d

__all__ = [
    "batch_norm2d",
    "batch_norm2d_backward",
    "batch_norm2d_update_running",
    "batch_norm2d_eval",
    "TinyCNNBN",
]


def _check_x(x, name="x"):
    x = as_float(x, name, ndim=4)
    return x


def _check_channel(a, name, channels):
    a = as_float(a, name, ndim=1)
    if a.shape != (channels,):
        raise ValueError(f"{name} must have shape ({channels},), one entry per channel of x, got {a.shape}")
    return a


def _check_eps(eps):
    return float(check_real(eps, "eps", above=0, finite=True, described="a positive number"))


def _normalised(x, eps):
    """``(X - mean) / sqrt(var + eps)`` per channel, and ``1 / sqrt(var + eps)`` of shape (C,)."""
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))  # biased: divides by N H W
    inv_std = 1.0 / np.sqrt(var + eps)
    return (x - mean[None, :, None, None]) * inv_std[None, :, None, None], inv_std


def batch_norm2d(x, gamma, beta, eps=1e-5):
    """Batch normalisation in training mode: each channel by its own batch statistics.

    .. math::

        \\bar X_c = \\frac{1}{NHW} \\sum_{n,i,j} X_{n,c,i,j}, \\quad
        V_c = \\frac{1}{NHW} \\sum_{n,i,j} (X_{n,c,i,j} - \\bar X_c)^2, \\quad
        \\tilde X_{n,c,i,j} = \\boldsymbol\\gamma_c \\frac{X_{n,c,i,j} - \\bar X_c}{\\sqrt{V_c + \\delta}} + \\boldsymbol\\beta_c,

    with ``gamma`` the scales and ``eps`` the ``delta`` of eq-10-bn. Equal to
    ``F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Needs more than one value per channel (``N H W > 1``).
    gamma, beta : array_like, shape (C,)
        Scale and shift of every channel.
    eps : float, default 1e-5
        Added to the variance, > 0.

    Returns
    -------
    ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)
    >>> batch_norm2d(x, np.ones(1), np.zeros(1), eps=0.0001).ravel().round(4).tolist()
    [-1.0, 1.0]
    """
    x = _check_x(x)
    gamma = _check_channel(gamma, "gamma", x.shape[1])
    beta = _check_channel(beta, "beta", x.shape[1])
    eps = _check_eps(eps)
    _need_several(x)
    x_hat, _ = _normalised(x, eps)
    return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]


def _need_several(x):
    n, _, h, w = x.shape
    if n * h * w < 2:
        raise ValueError(f"x must hold more than one value per channel (N * H * W > 1) to compute a variance, "
                         f"got shape {x.shape}")


def batch_norm2d_backward(grad_out, x, gamma, eps=1e-5):
    """The gradients of :func:`batch_norm2d` (training mode) with respect to ``x``, ``gamma``, ``beta``.

    With ``G`` the gradient of the output, ``hat X`` the normalised input and
    sums over ``(n, i, j)`` (eq-10-bn-backward):

    .. math::

        \\frac{\\partial L}{\\partial \\boldsymbol\\beta_c} = \\sum G_{n,c,i,j}, \\qquad
        \\frac{\\partial L}{\\partial \\boldsymbol\\gamma_c} = \\sum G_{n,c,i,j} \\hat X_{n,c,i,j},

        \\frac{\\partial L}{\\partial X_{n,c,i,j}} = \\frac{\\boldsymbol\\gamma_c}{\\sqrt{V_c + \\delta}}
        \\Big( G_{n,c,i,j} - \\frac{1}{NHW} \\frac{\\partial L}{\\partial \\boldsymbol\\beta_c}
        - \\hat X_{n,c,i,j} \\frac{1}{NHW} \\frac{\\partial L}{\\partial \\boldsymbol\\gamma_c} \\Big).

    Parameters
    ----------
    grad_out : array_like, shape (N, C, H, W)
    x : array_like, shape (N, C, H, W)
        The input of the forward pass.
    gamma : array_like, shape (C,)
    eps : float, default 1e-5

    Returns
    -------
    grad_x : ndarray, shape (N, C, H, W)
    grad_gamma : ndarray, shape (C,)
    grad_beta : ndarray, shape (C,)

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)
    >>> gx, gg, gb = batch_norm2d_backward(np.ones((2, 1, 1, 1)), x, np.ones(1))
    >>> gx.ravel().tolist(), gb.tolist()
    ([0.0, 0.0], [2.0])
    """
    x = _check_x(x)
    g = _check_x(grad_out, "grad_out")
    if g.shape != x.shape:
        raise ValueError(f"grad_out must have the shape of x, {x.shape}, got {g.shape}")
    gamma = _check_channel(gamma, "gamma", x.shape[1])
    eps = _check_eps(eps)
    _need_several(x)
    x_hat, inv_std = _normalised(x, eps)
    grad_beta = g.sum(axis=(0, 2, 3))
    grad_gamma = (g * x_hat).sum(axis=(0, 2, 3))
    m = x.shape[0] * x.shape[2] * x.shape[3]
    scale = (gamma * inv_std)[None, :, None, None]
    grad_x = scale * (g - grad_beta[None, :, None, None] / m - x_hat * grad_gamma[None, :, None, None] / m)
    return grad_x, grad_gamma, grad_beta


def batch_norm2d_update_running(running_mean, running_var, x, momentum=0.1):
    """The running statistics after one training batch, as ``nn.BatchNorm2d`` keeps them.

    .. math::

        \\bar X^{\\mathrm{run}} \\leftarrow (1 - \\kappa) \\bar X^{\\mathrm{run}} + \\kappa \\bar X, \\qquad
        V^{\\mathrm{run}} \\leftarrow (1 - \\kappa) V^{\\mathrm{run}} + \\kappa \\frac{NHW}{NHW - 1} V,

    with ``kappa`` the ``momentum``: the running variance uses the unbiased
    estimate of the batch variance, while the normalisation itself uses the biased one.

    Parameters
    ----------
    running_mean, running_var : array_like, shape (C,)
        PyTorch starts them at 0 and 1.
    x : array_like, shape (N, C, H, W)
    momentum : float, default 0.1
        ``0 <= momentum <= 1``.

    Returns
    -------
    running_mean, running_var : ndarray, shape (C,)

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)
    >>> mean, var = batch_norm2d_update_running(np.zeros(1), np.ones(1), x)
    >>> mean.round(6).tolist(), var.round(6).tolist()
    ([0.2], [1.1])
    """
    x = _check_x(x)
    c = x.shape[1]
    mean_run = _check_channel(running_mean, "running_mean", c)
    var_run = _check_channel(running_var, "running_var", c)
    check_real(momentum, "momentum", minimum=0, finite=True, described="between 0 and 1")
    if momentum > 1:
        raise ValueError(f"momentum must be between 0 and 1, got {momentum!r}")
    _need_several(x)
    m = x.shape[0] * x.shape[2] * x.shape[3]
    mean = x.mean(axis=(0, 2, 3))
    var_unbiased = x.var(axis=(0, 2, 3)) * m / (m - 1)
    return (1 - momentum) * mean_run + momentum * mean, (1 - momentum) * var_run + momentum * var_unbiased


def batch_norm2d_eval(x, running_mean, running_var, gamma, beta, eps=1e-5):
    """Batch normalisation in evaluation mode: every channel by the stored running statistics.

    .. math::

        \\tilde X_{n,c,i,j} = \\boldsymbol\\gamma_c \\frac{X_{n,c,i,j} - \\bar X^{\\mathrm{run}}_c}
        {\\sqrt{V^{\\mathrm{run}}_c + \\delta}} + \\boldsymbol\\beta_c .

    Each example's output no longer depends on the rest of its batch. Equal to
    ``F.batch_norm(x, running_mean, running_var, gamma, beta, training=False, eps=eps)``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    running_mean, running_var, gamma, beta : array_like, shape (C,)
    eps : float, default 1e-5

    Returns
    -------
    ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)
    >>> batch_norm2d_eval(x, np.array([1.0]), np.array([4.0]), np.ones(1), np.zeros(1), eps=0.0).ravel().tolist()
    [0.0, 1.0]
    """
    x = _check_x(x)
    c = x.shape[1]
    mean = _check_channel(running_mean, "running_mean", c)
    var = _check_channel(running_var, "running_var", c)
    gamma = _check_channel(gamma, "gamma", c)
    beta = _check_channel(beta, "beta", c)
    eps = float(check_real(eps, "eps", minimum=0, finite=True, described="a finite number at least 0"))
    if np.any(var + eps <= 0):
        raise ValueError("running_var + eps must be positive in every channel")
    inv_std = 1.0 / np.sqrt(var + eps)
    return (gamma * inv_std)[None, :, None, None] * (x - mean[None, :, None, None]) + beta[None, :, None, None]


class TinyCNNBN(TinyCNN):
    """Chapter 8's network with a batch normalisation between the convolution and the ReLU:
    ``softmax(Dense(Flatten(MaxPool(ReLU(BN(conv2d(I, K) + b))))))``, in NumPy.

    The parameters of :class:`companion.TinyCNN` plus ``"gamma"`` (ones) and ``"beta"``
    (zeros), both of shape ``(F,)``; the running statistics ``running_mean`` (zeros) and
    ``running_var`` (ones) are kept as ``nn.BatchNorm2d`` keeps them (momentum 0.1). In
    training mode (the default, :meth:`train`) every forward pass normalises by the batch's
    statistics and updates the running ones; after :meth:`eval` it uses the running ones.

    Parameters
    ----------
    n_filters, kernel_size, pool_size, n_classes, image_size, seed
        As :class:`companion.TinyCNN`.
    eps : float, default 1e-5
    momentum : float, default 0.1

    Examples
    --------
    >>> net = TinyCNNBN(n_filters=2, image_size=8, n_classes=3)
    >>> net.forward(np.random.default_rng(0).random((4, 1, 8, 8)))[0].shape
    (4, 3)
    >>> net.running_mean.shape
    (2,)
    """

    def __init__(self, n_filters=8, kernel_size=3, pool_size=2, n_classes=10, image_size=28, seed=0, eps=1e-5,
                 momentum=0.1):
        super().__init__(n_filters, kernel_size, pool_size, n_classes, image_size, seed)
        self.eps = _check_eps(eps)
        self.momentum = float(check_real(momentum, "momentum", minimum=0, finite=True))
        if self.momentum > 1:
            raise ValueError(f"momentum must be between 0 and 1, got {momentum!r}")
        self.params["gamma"] = np.ones(self.n_filters)
        self.params["beta"] = np.zeros(self.n_filters)
        self.running_mean = np.zeros(self.n_filters)
        self.running_var = np.ones(self.n_filters)
        self.training = True

    def train(self):
        """Training mode: normalise by each batch's statistics (and update the running ones)."""
        self.training = True
        return self

    def eval(self):
        """Evaluation mode: normalise by the running statistics; each output depends on its image only."""
        self.training = False
        return self

    def forward(self, x, keep_indices=True):
        """Logits and the cache for :meth:`backward`; in training mode, also update the running statistics.

        ``keep_indices``: as in :meth:`companion.model.TinyCNN.forward`; only in training mode (the only mode
        :meth:`backward` takes) are the pooling indices kept.
        """
        x = self._check_input(x)
        keep_indices = check_bool(keep_indices, "keep_indices") and self.training
        p = self.params
        conv = conv2d(x, p["K"], p["b"])
        if self.training:
            bn = batch_norm2d(conv, p["gamma"], p["beta"], self.eps)
            self.running_mean, self.running_var = batch_norm2d_update_running(
                self.running_mean, self.running_var, conv, self.momentum)
        else:
            bn = batch_norm2d_eval(conv, self.running_mean, self.running_var, p["gamma"], p["beta"], self.eps)
        act = np.maximum(bn, 0.0)
        if keep_indices:
            pooled, where = max_pool2d(act, self.pool_size, return_indices=True)
        else:
            pooled, where = max_pool2d(act, self.pool_size), None
        flat = flatten(pooled)
        logits = linear(flat, p["W"], p["c"])
        return logits, {"x": x, "conv": conv, "bn": bn, "act": act, "pooled": pooled, "where": where, "flat": flat}

    def backward(self, cache, grad_logits):
        """The gradient of every parameter (training mode), through :func:`batch_norm2d_backward`."""
        if not self.training:
            raise ValueError("backward needs the training-mode forward pass: call train() first")
        p = self.params
        grad_flat, grad_W, grad_c = linear_backward(grad_logits, cache["flat"], p["W"])
        grad_act = max_pool2d_backward(grad_flat.reshape(cache["pooled"].shape), cache["act"], self.pool_size,
                                       indices=cache["where"])
        grad_bn = relu_backward(grad_act, cache["bn"])
        grad_conv, grad_gamma, grad_beta = batch_norm2d_backward(grad_bn, cache["conv"], p["gamma"], self.eps)
        _, grad_K, grad_b = conv2d_backward(grad_conv, cache["x"], p["K"])
        return {"K": grad_K, "b": grad_b, "W": grad_W, "c": grad_c, "gamma": grad_gamma, "beta": grad_beta}
