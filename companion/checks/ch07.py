"""Chapter 7, backpropagation: the gradients of softmax cross-entropy, of a dense layer, of
max pooling and of convolution worked out by hand, and a gradient check.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array
from ..activation import softmax
from ..backprop import conv2d_backward, cross_entropy_backward, linear_backward, max_pool2d_backward, numerical_gradient
from ..convolution import correlate2d
from ._verdict import answer_array, float_answer, not_answered, read_numbers
from .generic import check_array, check_value

__all__ = [
    "check_cross_entropy_backward",
    "check_linear_backward",
    "check_max_pool_backward",
    "check_conv2d_backward",
    "check_gradient",
]


def _grad_input_shape(arr, name, ndims):
    arr = as_array(arr, name)
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} dimensions, got shape {arr.shape}")
    return arr


def _same(got, value, rtol, atol):
    """Whether the reader's array ``got`` equals ``value`` (same shape, within the tolerances)."""
    return got is not None and got.shape == np.shape(value) and np.allclose(got, value, rtol=rtol, atol=atol)


def check_cross_entropy_backward(answer, logits, target, atol=1e-3):
    """Check the gradient of the mean softmax cross-entropy with respect to the logits,
    worked out by hand (chapter 7).

    The expected answer is ``companion.cross_entropy_backward(logits, target)``, that is
    :math:`\\partial L / \\partial z_{n,i} = (\\hat y_{n,i} - y_{n,i}) / N` with
    :math:`\\hat y_n = \\operatorname{softmax}(z_n)` and :math:`y_n` the one-hot vector of
    the true class :math:`t_n`. The default tolerance accepts three decimals. A wrong answer
    that is a typical slip (no :math:`1/N`, the sign turned, :math:`\\hat y` without the
    :math:`-y`, or :math:`\\partial L / \\partial \\hat y` instead of
    :math:`\\partial L / \\partial z`) is named.

    Parameters
    ----------
    answer : object
        The reader's ``dL/dz``, the shape of ``logits``.
    logits : array_like, shape (N, Q) or (Q,)
        The scores :math:`z` of a batch, or of one example (then :math:`N = 1`).
    target : array_like of int, shape (N,) or ()
        The true classes :math:`t_n`, ``0 <= t_n < Q``.
    atol : float, default 1e-3
        Absolute tolerance of each entry.

    Returns
    -------
    bool

    Raises
    ------
    ValueError, TypeError
        If ``logits`` is not a 1-D or 2-D array of numbers, or ``target`` does not hold one
        class index per example.

    Examples
    --------
    >>> z = np.log([[1.0, 3.0], [1.0, 1.0]])          # probabilities (1/4, 3/4) and (1/2, 1/2)
    >>> check_cross_entropy_backward([[-0.375, 0.375], [0.25, -0.25]], z, [0, 1])
    Correct!
    True
    >>> check_cross_entropy_backward([[-0.75, 0.75], [0.5, -0.5]], z, [0, 1])  # doctest: +ELLIPSIS
    Not yet: that is y_hat - y without the 1/N of the batch mean...
    False
    """
    logits = as_array(logits, "logits").astype(np.float64)
    if logits.ndim not in (1, 2):
        raise ValueError(f"logits must have shape (N, Q) or (Q,), got shape {logits.shape}")
    expected = cross_entropy_backward(logits, np.asarray(target))
    if not_answered(**{"dL/dz": answer}):
        return False
    got, _ = answer_array(answer, "answer")
    if got is not None and not _same(got, expected, 0.0, atol):
        n = 1 if logits.ndim == 1 else logits.shape[0]
        probs = softmax(logits)
        onehot = np.eye(logits.shape[-1])[np.asarray(target, dtype=np.int64)]
        slips = [(-expected, "the sign is turned: the gradient is prediction minus truth, y_hat - y.")]
        if n > 1:
            slips += [(expected * n, f"that is y_hat - y without the 1/N of the batch mean: divide by N = {n}."),
                      (probs / n, "that is y_hat / N alone: subtract the one-hot y, 1 at the true class."),
                      (probs, "that is y_hat alone: subtract the one-hot y (1 at the true class) and divide "
                              f"by N = {n}.")]
        else:
            slips += [(probs, "that is y_hat alone: subtract the one-hot y, 1 at the true class.")]
        slips.append((-onehot / probs / n, "that is dL/dy_hat = -y / (N y_hat), the gradient of the loss "
                      "with respect to the probabilities; the softmax's Jacobian turns it into dL/dz = "
                      "(y_hat - y) / N."))
        for value, message in slips:
            if _same(got, value, 0.0, atol):
                print(f"Not yet: {message}")
                return False
    return check_array(float_answer(answer), expected, name="your dL/dz", rtol=0.0, atol=atol)


def check_linear_backward(answer, x, weight, grad_out, wrt="weight"):
    """Check one gradient of a dense layer worked out by hand (chapter 7).

    The dense layer computes :math:`z = f \\mathbf W^\\top + \\mathbf c`, one row per
    example. The expected answer is the matching result of
    ``companion.linear_backward(grad_out, x, weight)``:
    :math:`\\partial L / \\partial f = G \\mathbf W`,
    :math:`\\partial L / \\partial \\mathbf W = G^\\top f` and
    :math:`\\partial L / \\partial \\mathbf c = G^\\top \\mathbf 1`. A transposed answer, a
    weight gradient from one example only, or a bias gradient summed over the classes
    instead of the batch is named.

    Parameters
    ----------
    answer : object
        The reader's gradient: the shape of ``weight`` for ``wrt="weight"``, of ``x`` for
        ``wrt="input"``, ``(d_out,)`` for ``wrt="bias"``.
    x : array_like, shape (N, d_in)
        The layer's input :math:`f`, one row per example.
    weight : array_like, shape (d_out, d_in)
        :math:`\\mathbf W`.
    grad_out : array_like, shape (N, d_out)
        The upstream gradient :math:`G = \\partial L / \\partial z`.
    wrt : {"weight", "input", "bias"}, default "weight"
        Which gradient the answer is.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``wrt`` is not one of the three, or the shapes of ``x``, ``weight`` and
        ``grad_out`` do not fit together.

    Examples
    --------
    >>> f = np.array([[1, 2], [0, 1]])
    >>> W = np.array([[1, 0], [2, -1], [0, 3]])
    >>> G = np.array([[1, 0, -1], [2, 1, 0]])
    >>> check_linear_backward([[1, 4], [0, 1], [-1, -2]], f, W, G, wrt="weight")
    Correct!
    True
    >>> check_linear_backward([[1, 0, -1], [4, 1, -2]], f, W, G, wrt="weight")  # doctest: +ELLIPSIS
    Not yet: that is f^T G, the transpose...
    False
    """
    if wrt not in ("weight", "input", "bias"):
        raise ValueError(f"wrt must be 'weight', 'input' or 'bias', got {wrt!r}")
    x = _grad_input_shape(x, "x", (2,)).astype(np.float64)
    weight = _grad_input_shape(weight, "weight", (2,)).astype(np.float64)
    grad_out = _grad_input_shape(grad_out, "grad_out", (2,)).astype(np.float64)
    if grad_out.shape != (x.shape[0], weight.shape[0]):
        raise ValueError(f"grad_out must have shape (N, d_out) = {(x.shape[0], weight.shape[0])} for x of shape "
                         f"{x.shape} and weight of shape {weight.shape}, got {grad_out.shape}")
    gx, gw, gb = linear_backward(grad_out, x, weight)
    name = {"input": "dL/df", "weight": "dL/dW", "bias": "dL/dc"}[wrt]
    if not_answered(**{name: answer}):
        return False
    expected = {"input": gx, "weight": gw, "bias": gb}[wrt]
    got, _ = answer_array(answer, "answer")
    if got is not None and not _same(got, expected, 1e-5, 1e-8):
        slips = {
            "weight": [(gw.T, f"that is f^T G, the transpose: dL/dW has the shape of W, {weight.shape}, "
                              "and is G^T f."),
                       (np.outer(grad_out[0], x[0]), "that is the first example's share G_0 f_0^T only: "
                                                     "dL/dW sums over every example of the batch, G^T f.")],
            "input": [(gx.T, f"that is the transpose: dL/df has the shape of f, {x.shape}, and is G W.")],
            "bias": [(grad_out.sum(axis=1), "that sums each example's row of G over the classes: the bias "
                                            "of class i collects column i of G over the batch, G^T 1.")],
        }[wrt]
        for value, message in slips:
            if _same(got, value, 1e-5, 1e-8) and not _same(value, expected, 1e-5, 1e-8):
                print(f"Not yet: {message}")
                return False
    return check_array(float_answer(answer), expected, name=f"your {name}")


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
