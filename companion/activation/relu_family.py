"""The ReLU family and its derivatives (chapter 3): leaky ReLU, ELU and GELU.

Each keeps ReLU's identity for large positive inputs and changes the negative side. As the
classic functions, each takes an array of any shape (PyTorch's argument names and defaults)
and returns a new floating-point array of the same shape, never a NumPy scalar; integer
and boolean input is converted to float64, float32 stays float32. :func:`erf`, which NumPy
lacks, is here for GELU.

The derivatives (``leaky_relu_grad``, ``elu_grad``, ``gelu_grad``) are evaluated at the
*input* ``x`` of the activation (not at its output), and follow PyTorch's autograd at every
kink: :math:`\\operatorname{LeakyReLU}'(0) = \\nu` and
:math:`\\operatorname{ELU}'(0) = \\alpha`.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import as_float, check_choice, check_real
from ._arrays import _out

__all__ = [
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "erf",
    "gelu",
    "gelu_grad",
]


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
