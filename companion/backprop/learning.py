"""Learning from the gradients (chapter 7): a step of gradient descent, and the numerical
gradient that checks every backward pass of the book.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_float, check_real

__all__ = ["sgd_step", "numerical_gradient"]


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
