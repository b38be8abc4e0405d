"""Activation functions and their derivatives (chapter 3).

Every function takes an array of any shape and returns a new floating-point array of
the same shape, computed element by element (``softmax`` and ``log_softmax`` work along
one axis). Integer and boolean input is converted to float64; float32 stays float32.
A 0-d input gives a 0-d array, never a NumPy scalar, so the return type is always
``numpy.ndarray``.

The derivatives ``relu_grad``, ``sigmoid_grad`` and ``tanh_grad`` are evaluated at the
*input* ``x`` of the activation (not at its output), and follow PyTorch's autograd,
in particular :math:`\\operatorname{ReLU}'(0) = 0`.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float, check_int

__all__ = [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softmax_naive",
    "relu_grad",
    "sigmoid_grad",
    "tanh_grad",
]


def _out(values):
    """Return ``values`` as an ndarray (NumPy turns 0-d results into scalars)."""
    return np.asarray(values)


def _check_axis(axis, ndim, name="axis"):
    """Return ``axis`` as a non-negative int, checked against an array of ``ndim`` dims."""
    axis = check_int(axis, name)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an array with {ndim} dimension(s)")
    return axis % ndim


def relu(x):
    r"""Rectified linear unit, element-wise.

    .. math:: f(x) = \max(0, x)

    Parameters
    ----------
    x : array_like, any shape
        Pre-activations (for example a feature map).

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Float array (float64 for integer input).

    See Also
    --------
    relu_grad : its derivative.
    relu_backward : the gradient of a loss through it (chapter 7).

    Examples
    --------
    >>> print(relu([-2.0, 0.0, 3.0]))
    [0. 0. 3.]
    """
    x = as_float(x, "x")
    return _out(np.maximum(x, 0))


def sigmoid(x):
    r"""Logistic sigmoid, element-wise, computed without overflow.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}

    For :math:`x < 0` the equivalent form :math:`e^{x} / (1 + e^{x})` is used, so that
    :math:`e^{-x}` is never evaluated for a large negative ``x``: only
    :math:`e^{-|x|} \le 1` is ever computed and no overflow warning is raised.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in :math:`[0, 1]`.

    Examples
    --------
    >>> print(sigmoid([-1000.0, 0.0, 1000.0]))
    [0.  0.5 1. ]
    """
    x = as_float(x, "x")
    e = np.exp(-np.abs(x))  # in (0, 1], never overflows
    return _out(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def tanh(x):
    r"""Hyperbolic tangent, element-wise.

    .. math:: \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in :math:`[-1, 1]`.

    Examples
    --------
    >>> print(tanh([0.0]))
    [0.]
    """
    x = as_float(x, "x")
    return _out(np.tanh(x))


def _check_z(z):
    z = as_float(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least 1 dimension (the axis of the classes), got a 0-d array")
    return z


def softmax(z, axis=-1):
    r"""Softmax along ``axis``, stabilised by subtracting the maximum.

    .. math::

        \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}
                                    = \frac{e^{z_i - m}}{\sum_{j=1}^{K} e^{z_j - m}},
        \qquad m = \max_j z_j

    The two forms are equal (the factor :math:`e^{-m}` cancels); the second never
    overflows because every exponent is :math:`\le 0`. Compare :func:`softmax_naive`.

    Parameters
    ----------
    z : array_like, at least 1-D
        Scores (logits); ``z.shape[axis] = K`` classes.
    axis : int, default -1
        The axis of the classes, as ``dim`` in ``torch.softmax``.

    Returns
    -------
    numpy.ndarray, same shape as ``z``
        Probabilities: non-negative, summing to 1 along ``axis``.

    Examples
    --------
    >>> print(softmax([0.0, 0.0, 0.0, 0.0]))
    [0.25 0.25 0.25 0.25]
    >>> print(softmax([1000.0, 1000.0]))
    [0.5 0.5]
    """
    z = _check_z(z)
    axis = _check_axis(axis, z.ndim)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return _out(e / np.sum(e, axis=axis, keepdims=True))


def log_softmax(z, axis=-1):
    r"""Logarithm of the softmax along ``axis``, computed stably.

    .. math::

        \log \operatorname{softmax}(z)_i = (z_i - m) - \log \sum_{j=1}^{K} e^{z_j - m},
        \qquad m = \max_j z_j

    This is finite even where :func:`softmax` underflows to 0 (where ``np.log(softmax(z))``
    would give ``-inf``).

    Parameters
    ----------
    z : array_like, at least 1-D
        Scores (logits); ``z.shape[axis] = K`` classes.
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    numpy.ndarray, same shape as ``z``
        Log-probabilities (all :math:`\le 0`).

    Examples
    --------
    >>> print(log_softmax([0.0, 1000.0]))
    [-1000.     0.]
    """
    z = _check_z(z)
    axis = _check_axis(axis, z.ndim)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return _out(shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)))


def softmax_naive(z, axis=-1):
    r"""Softmax by the textbook formula, *without* the max-shift: for teaching only.

    .. math:: \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}

    For large scores :math:`e^{z_i}` overflows float64 (above about 709.78), the ratio
    becomes :math:`\infty / \infty` and the result is ``nan``; NumPy then emits its usual
    ``RuntimeWarning`` ("overflow encountered in exp", "invalid value encountered in
    divide"). This function deliberately lets that happen, so the book can show it. Use
    :func:`softmax` in real code.

    Parameters
    ----------
    z : array_like, at least 1-D
        Scores (logits); ``z.shape[axis] = K`` classes.
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    numpy.ndarray, same shape as ``z``
        Probabilities, or ``nan`` where the exponentials overflowed.

    Examples
    --------
    >>> print(softmax_naive([0.0, 0.0]))
    [0.5 0.5]
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     print(softmax_naive([1000.0, 1000.0]))
    [nan nan]
    """
    z = _check_z(z)
    axis = _check_axis(axis, z.ndim)
    e = np.exp(z)
    return _out(e / np.sum(e, axis=axis, keepdims=True))


def relu_grad(x):
    r"""Derivative of ReLU, evaluated at the input ``x``.

    .. math::

        f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    At :math:`x = 0`, where ReLU has a kink, the value 0 is used, as PyTorch does.

    Parameters
    ----------
    x : array_like, any shape
        The *input* of the ReLU.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Zeros and ones (float).

    Examples
    --------
    >>> print(relu_grad([-2.0, 0.0, 3.0]))
    [0. 0. 1.]
    """
    x = as_float(x, "x")
    return _out((x > 0).astype(x.dtype))


def sigmoid_grad(x):
    r"""Derivative of the sigmoid, evaluated at the input ``x``.

    .. math:: \sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)

    Its largest value is :math:`\sigma'(0) = 1/4`; it vanishes for large :math:`|x|`
    (saturation).

    Parameters
    ----------
    x : array_like, any shape
        The *input* of the sigmoid.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in :math:`[0, 1/4]`.

    Examples
    --------
    >>> print(sigmoid_grad([0.0]))
    [0.25]
    """
    s = sigmoid(x)  # validates x
    return _out(s * (1.0 - s))


def tanh_grad(x):
    r"""Derivative of tanh, evaluated at the input ``x``.

    .. math:: \tanh'(x) = 1 - \tanh^2(x)

    Parameters
    ----------
    x : array_like, any shape
        The *input* of tanh.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in :math:`[0, 1]`, largest (1) at :math:`x = 0`.

    Examples
    --------
    >>> print(tanh_grad([0.0]))
    [1.]
    """
    t = tanh(x)  # validates x
    return _out(1.0 - t * t)
