"""Chapter 4, pooling: pooled matrices and sizes, the cost of a convolution, average pooling
as a convolution, max pooling is not additive, the receptive field of a stack, global average
pooling and its gradient, upsampling by hand.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_choice, check_int
from ..backprop import global_avg_pool2d_backward
from ..convolution import conv2d, conv_output_size, receptive_field
from ..pooling import avg_pool2d, global_avg_pool2d, max_pool2d, upsample2d
from ._verdict import float_answer, not_answered, read_numbers
from .generic import check_array, check_number, check_value

__all__ = [
    "check_pool_output",
    "check_pooled_size",
    "check_multiply_adds",
    "check_avg_pool_as_conv",
    "check_max_pool_counterexample",
    "check_pooling_receptive_field",
    "check_global_avg_pool",
    "check_global_avg_pool_grad",
    "check_upsample",
]


def check_pool_output(answer, x, kernel_size, stride=None, padding=0, mode="max"):
    """Check a pooled matrix worked out by hand (chapter 4).

    The expected answer is ``companion.max_pool2d(x, kernel_size, stride, padding)`` for
    ``mode="max"`` and ``companion.avg_pool2d(...)`` for ``mode="avg"``.

    Parameters
    ----------
    answer : object
        The reader's pooled matrix.
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
        The input.
    kernel_size : int or (int, int)
        The window.
    stride : int or (int, int), optional
        Default None: the window size, as in PyTorch.
    padding : int or (int, int), default 0
    mode : {"max", "avg"}, default "max"

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.array([[1, 3, 2, 1], [6, 2, 0, 4], [5, 1, 7, 3], [2, 8, 1, 2]])
    >>> check_pool_output([[6, 4], [8, 7]], x, 2)
    Correct!
    True
    >>> check_pool_output([[3, 1.75], [4, 3.25]], x, 2, mode="avg")
    Correct!
    True
    """
    check_choice(mode, "mode", ("max", "avg"), described="'max' or 'avg'")
    if mode == "max":
        expected = max_pool2d(x, kernel_size, stride, padding)
    elif mode == "avg":
        expected = avg_pool2d(x, kernel_size, stride, padding)
    else:  # pragma: no cover - check_choice has rejected every other mode
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    if not_answered(**{f"{mode}-pooled matrix": answer}):
        return False
    return check_array(float_answer(answer), expected, name=f"your {mode}-pooled matrix", rtol=0.0, atol=1e-3)


def check_pooled_size(answer, input_size, kernel_size, stride=None, padding=0):
    """Check a predicted pooling output size, ``floor((input_size + 2p - k) / s) + 1`` (chapter 4).

    The expected answer is ``companion.conv_output_size(input_size, kernel_size, stride, padding)``
    with the pooling default ``stride = kernel_size`` (dilation 1).

    Parameters
    ----------
    answer : object
        The reader's prediction, an int.
    input_size : int
        Input length (height or width).
    kernel_size : int
    stride : int, optional
        Default None: ``kernel_size``.
    padding : int, default 0

    Returns
    -------
    bool

    Examples
    --------
    >>> check_pooled_size(5, input_size=11, kernel_size=2)
    Correct!
    True
    >>> check_pooled_size(6, input_size=11, kernel_size=2)
    Not yet: your pooled size is 6, expected 5 (off by 1).
    False
    """
    kernel_size = check_int(kernel_size, "kernel_size")
    stride = kernel_size if stride is None else check_int(stride, "stride")
    expected = conv_output_size(check_int(input_size, "input_size"), kernel_size, stride, check_int(padding, "padding"))
    if not_answered(**{"pooled size": answer}):
        return False
    return check_value(answer, int(expected), name="your pooled size")


def check_multiply_adds(answer, input_size, in_channels, out_channels, kernel_size, stride=1, padding=0):
    """Check the multiply-add count of a convolution on an ``input_size x input_size`` input (chapter 4).

    The expected answer is ``H_out * W_out * C_out * C_in * k * k`` with
    ``H_out = W_out = companion.conv_output_size(input_size, k, stride, padding)``: one multiply-add
    per weight per output position (the bias adds are not counted).

    Parameters
    ----------
    answer : object
        The reader's count, an int.
    input_size : int
        Height and width of the input.
    in_channels, out_channels, kernel_size : int
    stride : int, default 1
    padding : int, default 0

    Returns
    -------
    bool

    Examples
    --------
    >>> check_multiply_adds(11 * 11 * 64 * 32 * 9, input_size=13, in_channels=32, out_channels=64, kernel_size=3)
    Correct!
    True
    """
    c_in = check_int(in_channels, "in_channels", minimum=1)
    c_out = check_int(out_channels, "out_channels", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    side = conv_output_size(check_int(input_size, "input_size"), k, stride, padding)
    expected = int(side) * int(side) * c_out * c_in * k * k
    if not_answered(count=answer):
        return False
    return check_value(answer, expected, name="your count", rtol=0.0, atol=0.0)


def check_avg_pool_as_conv(weight, stride, kernel_size=2):
    """Check a convolution meant to compute average pooling (chapter 4).

    Runs ``companion.conv2d(x, weight, stride=stride)`` on a random ``(1, 1, 8, 8)`` input
    and compares it with ``companion.avg_pool2d(x, kernel_size)``.

    Parameters
    ----------
    weight : object
        The reader's kernel, shape ``(1, 1, kernel_size, kernel_size)``.
    stride : object
        The reader's stride, an int.
    kernel_size : int, default 2
        The pooling window to reproduce.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_avg_pool_as_conv(np.full((1, 1, 2, 2), 0.25), 2)
    Correct!
    True
    >>> check_avg_pool_as_conv(np.full((1, 1, 2, 2), 0.25), 1)
    Not yet: with this stride the convolution gives a 7 x 7 output; average pooling gives 4 x 4.
    False
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    x = np.random.default_rng(0).normal(size=(1, 1, 8, 8))
    expected = avg_pool2d(x, k)
    if not_answered(weight=weight, stride=stride):
        return False
    got = read_numbers(weight, "your weight")
    if got is None:
        return False
    if got.shape != (1, 1, k, k):
        print(f"Not yet: your weight has shape {got.shape}, expected (1, 1, {k}, {k}) (C_out, C_in, kH, kW).")
        return False
    if isinstance(stride, bool) or not isinstance(stride, numbers.Integral) or stride < 1:
        print(f"Not yet: the stride should be a positive int, got {stride!r}.")
        return False
    side = conv_output_size(8, k, int(stride))
    if side != expected.shape[-1]:
        print(f"Not yet: with this stride the convolution gives a {side} x {side} output; "
              f"average pooling gives {expected.shape[-1]} x {expected.shape[-1]}.")
        return False
    return check_array(conv2d(x, got.astype(np.float64), stride=int(stride)), expected,
                       name="your convolution's output")


def check_max_pool_counterexample(a, b, kernel_size=2):
    """Check two inputs showing that max pooling is not additive (chapter 4).

    Right when ``companion.max_pool2d(a + b, k)`` differs from
    ``companion.max_pool2d(a, k) + companion.max_pool2d(b, k)``.

    Parameters
    ----------
    a, b : object
        Two arrays of the same shape ``(H, W)``, at least ``kernel_size`` on each side.
    kernel_size : int, default 2

    Returns
    -------
    bool

    Examples
    --------
    >>> check_max_pool_counterexample([[1, 0], [0, 0]], [[0, 0], [0, 1]])
    Correct! max_pool(a + b) = [[1.]], but max_pool(a) + max_pool(b) = [[2.]].
    True
    >>> check_max_pool_counterexample([[1, 0], [0, 0]], [[1, 0], [0, 0]])
    Not yet: for these a and b both sides equal [[2.]]. Try a and b whose maxima sit in different places of a window.
    False
    """
    k = check_int(kernel_size, "kernel_size", minimum=1)
    if not_answered(a=a, b=b):
        return False
    arrays = []
    for name, value in (("a", a), ("b", b)):
        got = read_numbers(value, name)
        if got is None:
            return False
        if got.ndim != 2 or min(got.shape) < k:
            print(f"Not yet: {name} should be a 2-D array at least {k} x {k}, got shape {got.shape}.")
            return False
        arrays.append(got.astype(np.float64))
    if arrays[0].shape != arrays[1].shape:
        print(f"Not yet: a and b should have the same shape, got {arrays[0].shape} and {arrays[1].shape}.")
        return False
    left = max_pool2d(arrays[0] + arrays[1], k)
    right = max_pool2d(arrays[0], k) + max_pool2d(arrays[1], k)
    if np.allclose(left, right, rtol=1e-5, atol=1e-8):
        print(f"Not yet: for these a and b both sides equal {np.array2string(left, separator=', ')}. "
              "Try a and b whose maxima sit in different places of a window.")
        return False
    print(f"Correct! max_pool(a + b) = {np.array2string(left, separator=', ')}, "
          f"but max_pool(a) + max_pool(b) = {np.array2string(right, separator=', ')}.")
    return True


def check_pooling_receptive_field(answer, layers):
    """Check the receptive field of a stack of convolutions and pools (chapter 4).

    The expected answer is ``companion.receptive_field(layers)``.

    Parameters
    ----------
    answer : object
        The reader's side length, an int.
    layers : sequence of tuple
        ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` per layer, first first.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_pooling_receptive_field(8, [(3, 1), (2, 2), (3, 1)])
    Correct!
    True
    >>> check_pooling_receptive_field(6, [(3, 1), (2, 2), (3, 1)])
    Not yet: answer is 6, expected 8 (off by 2). A layer after a stride-2 layer steps 2 input pixels at a time: its k - 1 extra taps count double.
    False
    """
    expected = receptive_field(layers)
    no_strides = receptive_field([(layer[0], 1) + tuple(layer[2:]) for layer in layers])

    def hint(value):
        if value is not None and value == no_strides and no_strides != expected:
            return (" A layer after a stride-2 layer steps 2 input pixels at a time: its k - 1 extra taps "
                    "count double.")
        return ""

    return check_number(answer, expected, what="receptive field", hint=hint)


def check_global_avg_pool(answer, x):
    """Check global average pooling worked out by hand (chapter 4).

    The expected answer is ``companion.global_avg_pool2d(x)``, one mean per channel.

    Parameters
    ----------
    answer : object
        The reader's result, shape ``x.shape[:-2]``.
    x : array_like, shape (N, C, H, W) or (C, H, W)

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.array([[[1, 3], [2, 6]], [[0, 0], [4, 0]]])
    >>> check_global_avg_pool([3, 1], x)
    Correct!
    True
    >>> check_global_avg_pool([12, 4], x)
    Not yet: 2 of 2 entries of your pooled vector differ. First at index (0,): got 12, expected 3. Largest absolute error: 9.
    You summed each map: divide by H W = 4.
    False
    """
    expected = global_avg_pool2d(x)
    if not_answered(**{"pooled vector": answer}):
        return False
    hw = int(np.prod(np.shape(x)[-2:]))
    summed, _ = check_array_quiet(answer, expected * hw, "sum")
    ok = check_array(float_answer(answer), expected, name="your pooled vector", rtol=0.0, atol=1e-3)
    if not ok and summed:
        print(f"You summed each map: divide by H W = {hw}.")
    return ok


def check_array_quiet(answer, expected, name):
    """``(verdict, message)`` of :func:`check_array` with the tolerances of a hand computation,
    printing nothing."""
    from ._verdict import quietly

    return quietly(check_array, float_answer(answer), expected, name=name, rtol=0.0, atol=1e-3)


def check_global_avg_pool_grad(answer, grad_out, x):
    """Check the gradient of global average pooling worked out by hand (chapter 4).

    The expected answer is ``companion.global_avg_pool2d_backward(grad_out, x)``: every pixel
    of map ``c`` gets ``grad_out[..., c] / (H W)``.

    Parameters
    ----------
    answer : object
        The reader's gradient, the shape of ``x``.
    grad_out : array_like, shape x.shape[:-2]
        The upstream gradient.
    x : array_like, shape (N, C, H, W) or (C, H, W)
        The forward input.

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.zeros((1, 2, 2))
    >>> check_global_avg_pool_grad([[[2, 2], [2, 2]]], [8], x)
    Correct!
    True
    >>> check_global_avg_pool_grad([[[8, 8], [8, 8]]], [8], x)
    Not yet: 4 of 4 entries of your gradient differ. First at index (0, 0, 0): got 8, expected 2. Largest absolute error: 6.
    Each pixel counts 1 / (H W) = 1/4 in the mean: share the upstream gradient out.
    False
    """
    expected = global_avg_pool2d_backward(grad_out, x)
    if not_answered(gradient=answer):
        return False
    hw = expected.shape[-2] * expected.shape[-1]
    undivided, _ = check_array_quiet(answer, expected * hw, "undivided")
    ok = check_array(float_answer(answer), expected, name="your gradient", rtol=0.0, atol=1e-3)
    if not ok and undivided:
        print(f"Each pixel counts 1 / (H W) = 1/{hw} in the mean: share the upstream gradient out.")
    return ok


def check_upsample(answer, x, scale_factor, mode="bilinear"):
    """Check an upsampled matrix worked out by hand (chapter 4).

    The expected answer is ``companion.upsample2d(x, scale_factor, mode)``, which matches
    ``F.interpolate(..., align_corners=False)``.

    Parameters
    ----------
    answer : object
        The reader's upsampled array.
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
    scale_factor : int or (int, int)
    mode : {"nearest", "bilinear"}, default "bilinear"

    Returns
    -------
    bool

    Examples
    --------
    >>> check_upsample([[0, 0, 4, 4], [0, 0, 4, 4]], [[0, 4]], 2, mode="nearest")
    Correct!
    True
    >>> check_upsample([[0, 4/3, 8/3, 4], [0, 4/3, 8/3, 4]], [[0, 4]], 2)
    Not yet: 4 of 8 entries of your upsampled array differ. First at index (0, 1): got 1.33333, expected 1. Largest absolute error: 0.333333.
    That spreads the values evenly from corner to corner (align_corners=True); here pixel centres line up, as in F.interpolate's default: output pixel j sits at (j + 1/2) / f - 1/2.
    False
    """
    expected = upsample2d(x, scale_factor, mode)
    if not_answered(**{"upsampled array": answer}):
        return False
    ok = check_array(float_answer(answer), expected, name="your upsampled array", rtol=0.0, atol=1e-3)
    if not ok and mode == "bilinear":
        got, _ = check_array_quiet(answer, _align_corners(np.asarray(x, dtype=np.float64), scale_factor), "corners")
        if got:
            print("That spreads the values evenly from corner to corner (align_corners=True); here pixel centres "
                  "line up, as in F.interpolate's default: output pixel j sits at (j + 1/2) / f - 1/2.")
    return ok


def _align_corners(x, scale_factor):
    """Bilinear upsampling with ``align_corners=True``: the reader's likely mix-up."""
    f = (scale_factor, scale_factor) if isinstance(scale_factor, int) else tuple(scale_factor)
    out = x
    for axis, fa in zip((-2, -1), f):
        n = x.shape[axis]
        m = n * fa
        src = np.arange(m) * ((n - 1) / (m - 1)) if m > 1 else np.zeros(1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        shape = [1] * out.ndim
        shape[axis] = m
        frac = (src - lo).reshape(shape)
        out = np.take(out, lo, axis=axis) * (1 - frac) + np.take(out, hi, axis=axis) * frac
    return out
