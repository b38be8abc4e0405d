"""Gradient descent with momentum, and Adam (chapter 10), one step at a time, and a training
loop that uses them.

:func:`momentum_step` and :func:`adam_step` return new arrays and leave their inputs
unchanged; they follow PyTorch's ``torch.optim.SGD(momentum=...)`` and ``torch.optim.Adam``
step for step. :func:`train_steps` trains chapter 8's network with either. This module uses
NumPy only.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, as_float, check_bool, check_choice, check_int, check_real
from .augmentation import random_augment
from .backprop import sgd_step
from .model import TinyCNN
from .training import minibatches

__all__ = ["momentum_step", "adam_step", "train_steps"]


def _same_shape(param, arrays):
    p = as_float(param, "param")
    out = []
    for name, a in arrays:
        a = as_float(a, name)
        if a.shape != p.shape:
            raise ValueError(f"{name} must have the shape of param, {p.shape}, got {a.shape}")
        out.append(a)
    return p, out


def _check_rate(value, name):
    return check_real(value, name, minimum=0, below=1, described="at least 0 and less than 1")


def momentum_step(param, grad, velocity, lr, momentum=0.9):
    """One step of gradient descent with momentum, PyTorch's form (eq-10-momentum).

    .. math::

        \\chi_\\tau = \\rho\\, \\chi_{\\tau-1} + g_\\tau, \\qquad
        \\theta_\\tau = \\theta_{\\tau-1} - \\eta\\, \\chi_\\tau,

    with ``velocity`` the previous ``nu`` (zeros before the first step), ``momentum`` the
    factor ``rho`` and ``lr`` the learning rate ``eta``. This is ``torch.optim.SGD`` with
    ``momentum=rho`` (no dampening, no Nesterov, no weight decay).

    Parameters
    ----------
    param, grad, velocity : array_like, all of one shape
        The parameter, the gradient of the loss with respect to it, the velocity.
    lr : float
        Learning rate, > 0.
    momentum : float, default 0.9
        ``0 <= momentum < 1``; 0 gives plain gradient descent.

    Returns
    -------
    param : ndarray, same shape
    velocity : ndarray, same shape

    Examples
    --------
    >>> p, v = momentum_step(np.array([1.0]), np.array([0.5]), np.zeros(1), lr=0.1)
    >>> p.tolist(), v.tolist()
    ([0.95], [0.5])
    >>> p, v = momentum_step(p, np.array([0.5]), v, lr=0.1)
    >>> v.tolist()
    [0.95]
    """
    p, (g, vel) = _same_shape(param, [("grad", grad), ("velocity", velocity)])
    check_real(lr, "lr", above=0, described="a positive number")
    _check_rate(momentum, "momentum")
    new_velocity = momentum * vel + g
    return p - lr * new_velocity, new_velocity


def adam_step(param, grad, m, v, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """One step of Adam (Kingma and Ba, 2015), as ``torch.optim.Adam`` computes it.

    .. math::

        \\bar g_\\tau = \\rho_1 \\bar g_{\\tau-1} + (1 - \\rho_1) g_\\tau, \\qquad
        \\overline{g^2}_\\tau = \\rho_2 \\overline{g^2}_{\\tau-1} + (1 - \\rho_2) g_\\tau^2,

        \\theta_\\tau = \\theta_{\\tau-1} - \\eta\\,
        \\frac{\\bar g_\\tau / (1 - \\rho_1^\\tau)}{\\sqrt{\\overline{g^2}_\\tau / (1 - \\rho_2^\\tau)} + \\delta},

    where ``m`` and ``v`` are the previous moments ``bar g`` and ``bar g^2`` (zeros before
    step 1), ``betas`` are ``(rho_1, rho_2)`` and ``eps`` is ``delta``; squares and roots act
    entry by entry.

    Parameters
    ----------
    param, grad, m, v : array_like, all of one shape
        The parameter, its gradient, the running mean of the gradient and of its square.
    step : int
        The number of this step, counted from 1 (it enters the bias correction).
    lr : float, default 1e-3
        Learning rate, > 0.
    betas : tuple of two floats, default (0.9, 0.999)
        Decay factors of the two moments, each ``0 <= beta < 1``.
    eps : float, default 1e-8
        Added to the root in the denominator, >= 0.

    Returns
    -------
    param, m, v : ndarray, each of the shape of ``param``

    Examples
    --------
    >>> p, m, v = adam_step(np.array([1.0]), np.array([0.5]), np.zeros(1), np.zeros(1), step=1, lr=0.1)
    >>> round(float(p[0]), 6), round(float(m[0]), 6), round(float(v[0]), 6)
    (0.9, 0.05, 0.00025)
    """
    p, (g, m1, m2) = _same_shape(param, [("grad", grad), ("m", m), ("v", v)])
    step = check_int(step, "step", minimum=1)
    check_real(lr, "lr", above=0, described="a positive number")
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair of numbers (beta1, beta2), got {betas!r}")
    beta1 = _check_rate(betas[0], "betas[0]")
    beta2 = _check_rate(betas[1], "betas[1]")
    check_real(eps, "eps", minimum=0, finite=True, described="a finite number at least 0")
    eps = float(eps)
    new_m = beta1 * m1 + (1.0 - beta1) * g
    new_v = beta2 * m2 + (1.0 - beta2) * g * g
    m_hat = new_m / (1.0 - beta1**step)
    v_hat = new_v / (1.0 - beta2**step)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v


def train_steps(model, x, y, optimizer="sgd", lr=0.1, epochs=1, batch_size=32, seed=0, momentum=0.9,
                betas=(0.9, 0.999), augment=False, max_shift=2, max_angle=10.0, on_epoch_end=None):
    """Train a :class:`companion.TinyCNN` (or :class:`companion.TinyCNNBN`) with one of the
    chapter's update rules, on the mini-batches of :func:`companion.minibatches`.

    Every parameter is updated by :func:`companion.sgd_step` (``"sgd"``), :func:`momentum_step`
    (``"momentum"``) or :func:`adam_step` (``"adam"``), the optimiser's state starting at 0,
    as ``torch.optim.SGD`` and ``torch.optim.Adam`` do.

    Parameters
    ----------
    model : TinyCNN or TinyCNNBN
        Trained in place.
    x : ndarray, shape (N, 1, H, W)
    y : ndarray of int, shape (N,)
    optimizer : {"sgd", "momentum", "adam"}, default "sgd"
    lr : float, default 0.1
    epochs, batch_size, seed : int, defaults 1, 32, 0
        ``seed`` orders the batches and seeds the augmentation.
    momentum : float, default 0.9
        ``rho`` of ``"momentum"``.
    betas : tuple of two floats, default (0.9, 0.999)
        ``(rho_1, rho_2)`` of ``"adam"``.
    augment : bool, default False
        Train on :func:`companion.random_augment` copies of every batch (``max_shift``,
        ``max_angle``), drawn afresh every epoch.
    on_epoch_end : callable or None, default None
        Called as ``on_epoch_end(epoch)`` (``epoch`` counted from 0) after the last update of
        every epoch, e.g. to score the model on validation digits; it must leave the model as
        it found it. The training is the same with or without it.

    Returns
    -------
    ndarray, float64, shape (number of steps,)
        The loss of every mini-batch, before its update.

    Examples
    --------
    >>> from companion.model import TinyCNN
    >>> net = TinyCNN(n_filters=2, image_size=8, n_classes=3)
    >>> x, y = np.random.default_rng(0).random((8, 1, 8, 8)), np.arange(8) % 3
    >>> train_steps(net, x, y, optimizer="adam", lr=0.01, batch_size=4).shape
    (2,)
    """
    if not isinstance(model, TinyCNN):
        raise TypeError(f"model must be a TinyCNN or TinyCNNBN, got {type(model).__name__}")
    x = model._check_input(x)
    y = as_array(y, "y", ndim=1, dtype_kind="iu")
    if len(y) != len(x):
        raise ValueError(f"x and y must hold as many examples, got {len(x)} and {len(y)}")
    check_choice(optimizer, "optimizer", ("sgd", "momentum", "adam"), described='"sgd", "momentum" or "adam"')
    check_real(lr, "lr", above=0, described="a positive number")
    epochs = check_int(epochs, "epochs", minimum=1)
    _check_rate(momentum, "momentum")
    augment = check_bool(augment, "augment")
    if on_epoch_end is not None and not callable(on_epoch_end):
        raise TypeError(f"on_epoch_end must be callable or None, got {type(on_epoch_end).__name__}")
    state = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in model.params.items()}
    losses, step = [], 0
    for epoch in range(epochs):
        rng = np.random.default_rng([seed, epoch, 10])
        for idx in minibatches(len(x), batch_size, seed, epoch):
            xb = random_augment(x[idx], rng, max_shift=max_shift, max_angle=max_angle) if augment else x[idx]
            loss, grads = model.loss_and_grads(xb, y[idx])
            losses.append(loss)
            step += 1
            for name, g in grads.items():
                p = model.params[name]
                first, second = state[name]
                if optimizer == "sgd":
                    model.params[name] = sgd_step(p, g, lr)
                elif optimizer == "momentum":
                    model.params[name], first = momentum_step(p, g, first, lr, momentum)
                elif optimizer == "adam":
                    model.params[name], first, second = adam_step(p, g, first, second, step, lr=lr, betas=betas)
                else:  # pragma: no cover - check_choice has refused every other name
                    raise ValueError(f'optimizer must be "sgd", "momentum" or "adam", got {optimizer!r}')
                state[name] = (first, second)
        if on_epoch_end is not None:
            on_epoch_end(epoch)
    return np.array(losses)
