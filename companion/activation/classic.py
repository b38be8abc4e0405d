"""The classic activation functions and their derivatives (chapter 3): ReLU, the sigmoid,
tanh, and the softmax family.

Every function takes an array of any shape and returns a new floating-point array of
the same shape, computed element by element (``softmax`` and ``log_softmax`` work along
one axis). Integer and boolean input is converted to float64; float32 stays float32.
A 0-d input gives a 0-d array, never a NumPy scalar, so the return type is always
``numpy.ndarray``; an empty input gives an empty array. The argument names are PyTorch's
(``input``); the softmax family's axis is ``axis``, as in NumPy, and PyTorch's ``dim`` is
accepted too.

The derivatives (``relu_grad``, ``sigmoid_grad``, ``tanh_grad``) are evaluated at the
*input* ``x`` of the activation (not at its output), and follow PyTorch's autograd at the
kink of ReLU: :math:`\\operatorname{ReLU}'(0) = 0`.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_float, check_bool, check_int
from ._arrays import _out

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


def _check_axis(axis, ndim, name="axis"):
    """Return ``axis`` as a non-negative int, checked against an array of ``ndim`` dims."""
    axis = check_int(axis, name)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an array with {ndim} dimension(s)")
    return axis % ndim


def relu(input, inplace=False):
    r"""Rectified linear unit, element-wise.

    .. math:: f(x) = \max(0, x)

    Parameters
    ----------
    input : array_like, any shape
        Pre-activations (for example a feature map).
    inplace : bool, default False
        Write the result into ``input`` (which must then be a floating-point NumPy array)
        and return it, as PyTorch's ``inplace=True``.

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
    if check_bool(inplace, "inplace"):
        if not isinstance(input, np.ndarray) or input.dtype.kind != "f":
            raise TypeError(
                f"input must be a floating-point NumPy array for inplace=True, got {type(input).__name__}"
            )
        return np.maximum(input, 0, out=input)
    x = as_float(input, "input", allow_empty=True)
    return _out(np.maximum(x, 0))


def sigmoid(input):
    r"""Logistic sigmoid, element-wise, computed without overflow.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}

    For :math:`x < 0` the equivalent form :math:`e^{x} / (1 + e^{x})` is used, so that
    :math:`e^{-x}` is never evaluated for a large negative ``x``: only
    :math:`e^{-|x|} \le 1` is ever computed and no overflow warning is raised.

    Parameters
    ----------
    input : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in :math:`[0, 1]`.

    Examples
    --------
    >>> print(sigmoid([-1000.0, 0.0, 1000.0]))
    [0.  0.5 1. ]
    """
    x = as_float(input, "input", allow_empty=True)
    e = np.exp(-np.abs(x))  # in (0, 1], never overflows
    return _out(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def tanh(input):
    r"""Hyperbolic tangent, element-wise.

    .. math:: \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    Parameters
    ----------
    input : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in :math:`[-1, 1]`.

    Examples
    --------
    >>> print(tanh([0.0]))
    [0.]
    """
    x = as_float(input, "input", allow_empty=True)
    return _out(np.tanh(x))


def _check_z(z):
    z = as_float(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least 1 dimension (the axis of the classes), got a 0-d array")
    return z


def _softmax_input(input, axis, dtype, dim):
    """Check the arguments of :func:`softmax` and :func:`log_softmax`; return the input as an
    array of at least one dimension, the axis and the shape to give the result back."""
    if dim is not None:
        if axis != -1 and axis != dim:
            raise TypeError(f"give the axis once, as axis= (NumPy) or dim= (PyTorch), got axis={axis!r} and dim={dim!r}")
        axis, name = dim, "dim"
    else:
        axis, name = axis, "axis"
    z = as_float(input, "input", allow_empty=True)
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError as exc:
            raise TypeError(f"dtype must be a NumPy floating dtype or None, got {dtype!r}") from exc
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a NumPy floating dtype or None, got {dtype}")
        z = z.astype(dtype)
    shape = z.shape
    axis = _check_axis(axis, max(z.ndim, 1), name)  # a 0-d input is one class (PyTorch: dim 0 or -1)
    return z.reshape(shape or (1,)), axis, shape


def softmax(input, axis=-1, dtype=None, *, dim=None):
    r"""Softmax along ``axis``, stabilised by subtracting the maximum.

    .. math::

        \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=0}^{Q-1} e^{z_j}}
                                    = \frac{e^{z_i - \mu}}{\sum_{j=0}^{Q-1} e^{z_j - \mu}},
        \qquad \mu = \max_j z_j

    The two forms are equal (the factor :math:`e^{-\mu}` cancels); the second never
    overflows because every exponent is :math:`\le 0`. Compare :func:`softmax_naive`.

    Parameters
    ----------
    input : array_like, any shape
        Scores (logits) :math:`z`; :math:`Q` = ``input.shape[axis]`` classes. A 0-d input is one
        class (its softmax is 1); an empty input gives an empty result.
    axis : int, default -1
        The axis of the classes, as ``dim`` in ``torch.softmax``.
    dtype : numpy dtype, optional
        Cast the input to this floating dtype first, as PyTorch's ``dtype``. Default
        ``None``: keep it (integers become float64).
    dim : int, optional
        PyTorch's name for ``axis``; give one or the other.

    Returns
    -------
    numpy.ndarray, same shape as ``input``
        Probabilities: non-negative, summing to 1 along ``axis``.

    Examples
    --------
    >>> print(softmax([0.0, 0.0, 0.0, 0.0]))
    [0.25 0.25 0.25 0.25]
    >>> print(softmax([1000.0, 1000.0]))
    [0.5 0.5]
    >>> print(softmax([[1.0, 1.0], [3.0, 3.0]], dim=0))
    [[0.11920292 0.11920292]
     [0.88079708 0.88079708]]
    """
    z, axis, shape = _softmax_input(input, axis, dtype, dim)
    if z.size == 0:
        return z.reshape(shape).copy()
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return _out((e / np.sum(e, axis=axis, keepdims=True)).reshape(shape))


def log_softmax(input, axis=-1, dtype=None, *, dim=None):
    r"""Logarithm of the softmax along ``axis``, computed stably.

    .. math::

        \log \operatorname{softmax}(z)_i = (z_i - \mu) - \log \sum_{j=0}^{Q-1} e^{z_j - \mu},
        \qquad \mu = \max_j z_j

    This is finite even where :func:`softmax` underflows to 0 (where ``np.log(softmax(z))``
    would give ``-inf``).

    Parameters
    ----------
    input : array_like, any shape
        Scores (logits) :math:`z`; :math:`Q` = ``input.shape[axis]`` classes. A 0-d input is one
        class (its log-softmax is 0).
    axis : int, default -1
        The axis of the classes.
    dtype : numpy dtype, optional
        Cast the input to this floating dtype first. Default ``None``.
    dim : int, optional
        PyTorch's name for ``axis``; give one or the other.

    Returns
    -------
    numpy.ndarray, same shape as ``input``
        Log-probabilities (all :math:`\le 0`).

    Examples
    --------
    >>> print(log_softmax([0.0, 1000.0]))
    [-1000.     0.]
    """
    z, axis, shape = _softmax_input(input, axis, dtype, dim)
    if z.size == 0:
        return z.reshape(shape).copy()
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return _out((shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))).reshape(shape))


def softmax_naive(z, axis=-1):
    r"""Softmax by the textbook formula, *without* the max-shift: for teaching only.

    .. math:: \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=0}^{Q-1} e^{z_j}}

    For large scores :math:`e^{z_i}` overflows float64 (above about 709.78), the ratio
    becomes :math:`\infty / \infty` and the result is ``nan``; NumPy then emits its usual
    ``RuntimeWarning`` ("overflow encountered in exp", "invalid value encountered in
    divide"). This function deliberately lets that happen, so the book can show it. Use
    :func:`softmax` in real code.

    Parameters
    ----------
    z : array_like, at least 1-D
        Scores (logits); :math:`Q` = ``z.shape[axis]`` classes.
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
    s = sigmoid(as_float(x, "x"))
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
    t = tanh(as_float(x, "x"))
    return _out(1.0 - t * t)
