"""Chapter 7, backpropagation: gradients of max pooling and convolution worked out by hand,
and a gradient check.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array
from ..backprop import conv2d_backward, max_pool2d_backward, numerical_gradient
from ..convolution import correlate2d
from ._verdict import answer_array, float_answer, not_answered, read_numbers
from .generic import check_array, check_value

__all__ = [
    "check_max_pool_backward",
    "check_conv2d_backward",
    "check_gradient",
]


def _grad_input_shape(arr, name, ndims):
    arr = as_array(arr, name)
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} dimensions, got shape {arr.shape}")
    return arr


def check_max_pool_backward(answer, x, grad_out, kernel_size=2, stride=None, padding=0):
    """Check a max-pooling gradient worked out by hand (chapter 7).

    The expected answer is ``companion.max_pool2d_backward(grad_out, x, kernel_size, stride,
    padding)``: each window sends its upstream gradient to its (first) maximum, and a pixel
    that wins several overlapping windows collects the sum.

    Parameters
    ----------
    answer : object
        The reader's ``dL/dX``, the shape of ``x``.
    x : array_like, shape (H, W) or (N, C, H, W)
        The forward input of the pooling layer.
    grad_out : array_like
        The upstream gradient ``dL/dP``, the shape of the pooled output.
    kernel_size, stride, padding : int or (int, int)
        As in :func:`companion.max_pool2d`; defaults 2, None (the kernel size), 0.

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.array([[1, 3], [4, 2]])
    >>> check_max_pool_backward([[0, 0], [5, 0]], x, [[5]])
    Correct!
    True
    >>> check_max_pool_backward([[0, 5], [0, 0]], x, [[5]])  # doctest: +ELLIPSIS
    Not yet: ...the maximum of each window...
    False
    """
    x = _grad_input_shape(x, "x", (2, 3, 4))
    expected = max_pool2d_backward(grad_out, x, kernel_size, stride, padding)
    if not_answered(**{"dL/dX": answer}):
        return False
    got, _ = answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
        if np.isclose(got.sum(), expected.sum(), rtol=1e-5, atol=1e-8):
            print(
                "Not yet: the total is right but some gradient sits in the wrong cell. Each window "
                "passes its upstream value to the maximum of each window (the first one, reading "
                "row by row, when several tie); the other cells of the window get 0."
            )
            check_array(got.astype(np.float64), expected, name="your dL/dX")
            return False
    return check_array(float_answer(answer), expected, name="your dL/dX")


def check_conv2d_backward(answer, x, weight, grad_out, wrt="weight", stride=1, padding=0, dilation=1):
    """Check one gradient of a convolution layer worked out by hand (chapter 7).

    The expected answer is the matching result of ``companion.conv2d_backward(grad_out, x,
    weight, stride, padding, dilation)``.

    Parameters
    ----------
    answer : object
        The reader's gradient: the shape of ``x`` for ``wrt="input"``, of ``weight`` for
        ``wrt="weight"``, ``(C_out,)`` (or one number for a single-channel 2-D layer) for
        ``wrt="bias"``.
    x : array_like, shape (H, W) or (N, C_in, H, W)
        The forward input; a 2-D ``x`` goes with a 2-D ``weight`` and ``grad_out``.
    weight : array_like, shape (kH, kW) or (C_out, C_in, kH, kW)
        The kernel.
    grad_out : array_like, shape (H_out, W_out) or (N, C_out, H_out, W_out)
        The upstream gradient ``dL/dS``.
    wrt : {"weight", "input", "bias"}, default "weight"
        Which gradient the answer is.
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.arange(9).reshape(3, 3)
    >>> k = np.array([[1, 2], [3, 4]])
    >>> check_conv2d_backward([[8, 12], [20, 24]], x, k, np.ones((2, 2)), wrt="weight")
    Correct!
    True
    >>> check_conv2d_backward(4, x, k, np.ones((2, 2)), wrt="bias")
    Correct!
    True
    """
    if wrt not in ("weight", "input", "bias"):
        raise ValueError(f"wrt must be 'weight', 'input' or 'bias', got {wrt!r}")
    x = _grad_input_shape(x, "x", (2, 4))
    weight = _grad_input_shape(weight, "weight", (x.ndim,))
    grad_out = _grad_input_shape(grad_out, "grad_out", (x.ndim,))
    flat = x.ndim == 2
    x4, w4, g4 = (a[None, None] if flat else a for a in (x, weight, grad_out))
    gx, gw, gb = conv2d_backward(g4, x4, w4, stride, padding, dilation)
    if not_answered(**{{"input": "dL/dX", "weight": "dL/dK", "bias": "dL/db"}[wrt]: answer}):
        return False
    if wrt == "bias":
        if flat:
            return check_value(answer, float(gb[0]), name="your dL/db")
        return check_array(float_answer(answer), gb, name="your dL/db")
    expected = {"input": gx, "weight": gw}[wrt]
    if flat:
        expected = expected[0, 0]
    name = {"input": "your dL/dX", "weight": "your dL/dK"}[wrt]
    got, _ = answer_array(answer, "answer")
    if (flat and got is not None and got.shape == expected.shape and not np.allclose(got, expected, rtol=1e-5, atol=1e-8)
            and got.ndim == 2 and np.allclose(got[::-1, ::-1], expected, rtol=1e-5, atol=1e-8)):
        print(f"Not yet: {name} is the right matrix turned by 180 degrees. Check which index runs "
              "forwards: write the sum term by term for one entry.")
        return False
    if (flat and wrt == "input" and got is not None and got.shape == expected.shape
            and stride == 1 and padding == 0 and dilation == 1
            and np.allclose(got, correlate2d(grad_out, weight, mode="full"), rtol=1e-5, atol=1e-8)):
        print("Not yet: that is the full cross-correlation of dL/dS with K. The input gradient "
              "is the full *convolution*: the kernel is turned by 180 degrees.")
        return False
    return check_array(float_answer(answer), expected, name=name)


def check_gradient(answer, f, x, rtol=1e-5, atol=1e-7, eps=1e-6):
    """Gradient check: compare an analytic gradient with central differences (chapter 7).

    The expected answer is ``companion.numerical_gradient(f, x, eps)``. The verdict also
    prints the order of the largest relative error ``|a - n| / max(|a|, |n|, 1e-12)``, the
    number gradient checks report, as the power of ten it stays below: its leading digits
    are rounding, which differs from one machine to the next.

    Parameters
    ----------
    answer : object
        The reader's gradient of ``f`` at ``x``, the shape of ``x``.
    f : callable
        ``f(x) -> scalar``.
    x : array_like
        The point.
    rtol, atol : float, defaults 1e-5, 1e-7
        Tolerances of the comparison.
    eps : float, default 1e-6
        Step of the central differences.

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.array([1.0, -2.0])
    >>> check_gradient(2 * x, lambda v: (v ** 2).sum(), x)  # doctest: +ELLIPSIS
    Correct! Largest relative error ...
    True
    >>> check_gradient(x, lambda v: (v ** 2).sum(), x)  # doctest: +ELLIPSIS
    Not yet: 2 of 2 entries of your gradient differ...
    False
    """
    if not callable(f):
        raise TypeError(f"f must be a callable returning a scalar, got {type(f).__name__}")
    x = as_array(x, "x").astype(np.float64)
    if not_answered(gradient=answer):
        return False
    try:
        expected = numerical_gradient(f, x, eps)
    except Exception as exc:  # the reader's f: report, never raise
        print(f"Not yet: f could not be evaluated at x ({type(exc).__name__}: {exc}).")
        return False
    got = read_numbers(answer, "your gradient")
    if got is None:
        return False
    if got.shape != expected.shape:
        return check_array(got, expected, name="your gradient", rtol=rtol, atol=atol)
    a = got.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(a - expected) / np.maximum(np.maximum(np.abs(a), np.abs(expected)), 1e-12)
    worst = float(np.nanmax(rel)) if rel.size else 0.0
    if np.allclose(a, expected, rtol=rtol, atol=atol):
        bound = f"below 1e{int(np.floor(np.log10(worst))) + 1}" if worst > 0 else "0"
        print(f"Correct! Largest relative error {bound}.")
        return True
    check_array(got, expected, name="your gradient", rtol=rtol, atol=atol)
    return False
