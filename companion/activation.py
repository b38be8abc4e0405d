"""Activation functions and their derivatives (chapter 3).

Every function takes an array of any shape and returns a new floating-point array of
the same shape, computed element by element (``softmax`` and ``log_softmax`` work along
one axis). Integer and boolean input is converted to float64; float32 stays float32.
A 0-d input gives a 0-d array, never a NumPy scalar, so the return type is always
``numpy.ndarray``; an empty input gives an empty array. The argument names are PyTorch's
(``input``); the softmax family's axis is ``axis``, as in NumPy, and PyTorch's ``dim`` is
accepted too.

The derivatives (``relu_grad``, ``sigmoid_grad``, ``tanh_grad``, ``leaky_relu_grad``,
``elu_grad``, ``gelu_grad``) are evaluated at the *input* ``x`` of the activation (not at
its output), and follow PyTorch's autograd at every kink, in particular
:math:`\\operatorname{ReLU}'(0) = 0`, :math:`\\operatorname{LeakyReLU}'(0) = \\nu` and
:math:`\\operatorname{ELU}'(0) = \\alpha`.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_float, check_bool, check_choice, check_int, check_real

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
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "erf",
    "gelu",
    "gelu_grad",
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

        \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}
                                    = \frac{e^{z_i - m}}{\sum_{j=1}^{K} e^{z_j - m}},
        \qquad m = \max_j z_j

    The two forms are equal (the factor :math:`e^{-m}` cancels); the second never
    overflows because every exponent is :math:`\le 0`. Compare :func:`softmax_naive`.

    Parameters
    ----------
    input : array_like, any shape
        Scores (logits) :math:`z`; ``input.shape[axis] = K`` classes. A 0-d input is one
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

        \log \operatorname{softmax}(z)_i = (z_i - m) - \log \sum_{j=1}^{K} e^{z_j - m},
        \qquad m = \max_j z_j

    This is finite even where :func:`softmax` underflows to 0 (where ``np.log(softmax(z))``
    would give ``-inf``).

    Parameters
    ----------
    input : array_like, any shape
        Scores (logits) :math:`z`; ``input.shape[axis] = K`` classes. A 0-d input is one
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


def _check_slope(negative_slope):
    return float(check_real(negative_slope, "negative_slope", minimum=0, finite=True,
                            described="a finite number at least 0"))


def leaky_relu(input, negative_slope=0.01):
    r"""Leaky ReLU, element-wise, as ``torch.nn.functional.leaky_relu``.

    .. math::

        \operatorname{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ \nu x & x \le 0 \end{cases}

    with the slope :math:`\nu` = ``negative_slope`` on the negative side (Maas et al., 2013).

    Parameters
    ----------
    input : array_like, any shape
        Pre-activations :math:`x`.
    negative_slope : float, default 0.01
        The slope :math:`\nu \ge 0` for :math:`x \le 0`; 0 gives ReLU.

    Returns
    -------
    numpy.ndarray, same shape as ``input``
        Float array (float64 for integer input).

    Examples
    --------
    >>> print(leaky_relu([-2.0, 0.0, 3.0], negative_slope=0.1))
    [-0.2  0.   3. ]
    """
    x = as_float(input, "input", allow_empty=True)
    a = _check_slope(negative_slope)
    return _out(np.where(x > 0, x, x * x.dtype.type(a)))


def leaky_relu_grad(x, negative_slope=0.01):
    r"""Derivative of leaky ReLU, evaluated at the input ``x``.

    .. math::

        \operatorname{LeakyReLU}'(x) = \begin{cases} 1 & x > 0 \\ \nu & x \le 0 \end{cases}

    At the kink :math:`x = 0` the value :math:`\nu` is used, as PyTorch's autograd does.

    Parameters
    ----------
    x : array_like, any shape
        The *input* of the leaky ReLU.
    negative_slope : float, default 0.01
        The slope :math:`\nu \ge 0`.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Ones and :math:`\nu`'s (float).

    Examples
    --------
    >>> print(leaky_relu_grad([-2.0, 0.0, 3.0], negative_slope=0.1))
    [0.1 0.1 1. ]
    """
    x = as_float(x, "x", allow_empty=True)
    a = _check_slope(negative_slope)
    return _out(np.where(x > 0, 1.0, a).astype(x.dtype))


def _check_alpha(alpha):
    return float(check_real(alpha, "alpha", minimum=0, finite=True,
                            described="a finite number at least 0"))


def elu(input, alpha=1.0):
    r"""Exponential linear unit, element-wise, as ``torch.nn.functional.elu``.

    .. math::

        \operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    (Clevert et al., 2016). It tends to :math:`-\alpha` for large negative :math:`x`, and
    :math:`e^x - 1` is computed with ``np.expm1``, accurate for tiny :math:`x`.

    Parameters
    ----------
    input : array_like, any shape
        Pre-activations :math:`x`.
    alpha : float, default 1.0
        The value :math:`\alpha \ge 0` approached on the left; 0 gives ReLU.

    Returns
    -------
    numpy.ndarray, same shape as ``input``
        Values above :math:`-\alpha`.

    Examples
    --------
    >>> print(elu([0.0, 2.0]))
    [0. 2.]
    """
    x = as_float(input, "input", allow_empty=True)
    a = _check_alpha(alpha)
    neg = x.dtype.type(a) * np.expm1(np.minimum(x, 0))
    return _out(np.where(x > 0, x, neg))


def elu_grad(x, alpha=1.0):
    r"""Derivative of ELU, evaluated at the input ``x``.

    .. math::

        \operatorname{ELU}'(x) = \begin{cases} 1 & x > 0 \\ \alpha\, e^{x} & x \le 0 \end{cases}

    At :math:`x = 0` the left branch gives :math:`\alpha`, as PyTorch's autograd does; for
    :math:`\alpha = 1` both sides agree and ELU is smooth there.

    Parameters
    ----------
    x : array_like, any shape
        The *input* of the ELU.
    alpha : float, default 1.0
        As in :func:`elu`.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in :math:`(0, \max(1, \alpha)]`.

    Examples
    --------
    >>> print(elu_grad([0.0, 2.0], alpha=2.0))
    [2. 1.]
    """
    x = as_float(x, "x", allow_empty=True)
    a = _check_alpha(alpha)
    return _out(np.where(x > 0, x.dtype.type(1), x.dtype.type(a) * np.exp(np.minimum(x, 0))))


_ERF = np.frompyfunc(math.erf, 1, 1)
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def erf(x):
    r"""The error function, element-wise, to float64 accuracy.

    .. math:: \operatorname{erf}(x) = \frac{2}{\sqrt{\pi}} \int_0^x e^{-t^2}\,dt

    NumPy has no ``erf``; this applies the standard library's ``math.erf`` (correct to
    the last bit or two of a float64) to every entry. It is slower than a NumPy ufunc,
    about a microsecond an entry, which is fast enough for this book.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    numpy.ndarray, same shape and floating dtype as ``x``
        Values in :math:`[-1, 1]`.

    Examples
    --------
    >>> print(erf([0.0, 1e6]))
    [0. 1.]
    """
    x = as_float(x, "x", allow_empty=True)
    return _out(np.asarray(_ERF(x.astype(np.float64)), dtype=np.float64).astype(x.dtype))


def _phi_cdf(x):
    """The standard normal CDF, ``Phi(x) = erfc(-x / sqrt 2) / 2``, in float64 (erfc, not
    ``1 + erf``, keeps its relative accuracy in the far left tail)."""
    return np.asarray(_ERFC(-x.astype(np.float64) / math.sqrt(2.0)), dtype=np.float64) / 2.0


_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715
_GELU_CLIP = 60.0  # beyond |x| = 60 every GELU formula has reached its limit in float64


def _check_approximate(approximate):
    return check_choice(approximate, "approximate", ("none", "tanh"),
                        described="'none' or 'tanh'", kind="a str")


def gelu(input, approximate="none"):
    r"""Gaussian error linear unit, element-wise, as ``torch.nn.functional.gelu``.

    .. math::

        \operatorname{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\Bigl(1 + \operatorname{erf}\bigl(x/\sqrt 2\bigr)\Bigr)

    with :math:`\Phi` the standard normal distribution function (Hendrycks and Gimpel,
    2016). With ``approximate="tanh"`` the tanh form of the same paper is used instead:

    .. math::

        \operatorname{GELU}_{\tanh}(x) = \frac{x}{2}\Bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\bigr)\Bigr)

    Parameters
    ----------
    input : array_like, any shape
        Pre-activations :math:`x`.
    approximate : {"none", "tanh"}, default "none"
        Which form, as PyTorch's argument of that name.

    Returns
    -------
    numpy.ndarray, same shape as ``input``
        Values at least :math:`\min_x x\Phi(x) \approx -0.17`.

    Examples
    --------
    >>> print(gelu([0.0, 10.0]))
    [ 0. 10.]
    """
    x = as_float(input, "input", allow_empty=True)
    mode = _check_approximate(approximate)
    if mode == "none":
        return _out((x.astype(np.float64) * _phi_cdf(x)).astype(x.dtype))
    elif mode == "tanh":
        xc = np.clip(x, -_GELU_CLIP, _GELU_CLIP)  # tanh is exactly +-1 long before: no overflow
        inner = x.dtype.type(_GELU_C) * (xc + x.dtype.type(_GELU_K) * xc ** 3)
        return _out(x.dtype.type(0.5) * x * (1 + np.tanh(inner)))
    else:  # pragma: no cover - check_choice refuses every other value
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu_grad(x, approximate="none"):
    r"""Derivative of GELU, evaluated at the input ``x``.

    .. math::

        \operatorname{GELU}'(x) = \Phi(x) + x\,\Phi'(x), \qquad
        \Phi'(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}

    and for ``approximate="tanh"``, with :math:`u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)`,

    .. math::

        \operatorname{GELU}_{\tanh}'(x) = \tfrac12\bigl(1 + \tanh u\bigr)
            + \tfrac12\, x\,\bigl(1 - \tanh^2 u\bigr)\sqrt{2/\pi}\,\bigl(1 + 3 \cdot 0.044715\, x^2\bigr)

    GELU is smooth, so there is no kink and no convention: :math:`\operatorname{GELU}'(0) = 1/2`.
    For :math:`|x| > 60` the limits 1 and 0 are returned directly, so that no :math:`x^3`
    overflows (PyTorch's tanh form gives ``nan`` from :math:`|x| \approx 10^{103}` on).

    Parameters
    ----------
    x : array_like, any shape
        The *input* of the GELU.
    approximate : {"none", "tanh"}, default "none"

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        Values in about :math:`[-0.13, 1.13]`.

    Examples
    --------
    >>> print(gelu_grad([0.0], approximate="tanh"))
    [0.5]
    """
    x = as_float(x, "x", allow_empty=True)
    mode = _check_approximate(approximate)
    if mode == "none":
        x64 = x.astype(np.float64)
        xc = np.clip(x64, -_GELU_CLIP, _GELU_CLIP)  # exp(-x^2/2) is exactly 0 beyond
        pdf = np.exp(-0.5 * xc * xc) / math.sqrt(2.0 * math.pi)
        return _out((_phi_cdf(x) + xc * pdf).astype(x.dtype))
    elif mode == "tanh":
        xc = np.clip(x, -_GELU_CLIP, _GELU_CLIP)
        t = np.tanh(x.dtype.type(_GELU_C) * (xc + x.dtype.type(_GELU_K) * xc ** 3))
        du = x.dtype.type(_GELU_C) * (1 + x.dtype.type(3 * _GELU_K) * xc * xc)
        return _out(x.dtype.type(0.5) * (1 + t) + x.dtype.type(0.5) * xc * (1 - t * t) * du)
    else:  # pragma: no cover - check_choice refuses every other value
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
