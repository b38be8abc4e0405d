"""Chapter 6, dense layers, softmax and loss: parameter counts, where flattening puts an
entry, a cross-entropy, two-class logits, a Keras dense kernel in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int
from ..activation import sigmoid, softmax
from ..convolution import conv_output_size
from ..filters import conv_param_count, linear_param_count
from ..layers import cross_entropy, flatten, linear
from ._verdict import (
    answer_array,
    call_function,
    float_answer,
    is_function,
    not_answered,
    quietly,
    read_numbers,
    single_number,
)
from .generic import check_array, check_number, check_value

__all__ = [
    "check_linear_param_count",
    "check_flatten_index",
    "check_cross_entropy",
    "check_cnn_param_count",
    "check_two_class_logits",
    "check_keras_dense_to_torch",
]


def check_linear_param_count(answer, in_features, out_features, bias=True):
    """Check the number of parameters of a dense layer (chapter 6).

    The expected answer is ``companion.linear_param_count(in_features, out_features, bias)``,
    that is :math:`d_{out} d_{in} + d_{out}` with a bias.

    Parameters
    ----------
    answer : int or None
    in_features, out_features : int
    bias : bool, default True

    Returns
    -------
    bool

    Examples
    --------
    >>> check_linear_param_count(1290, 128, 10)
    Correct!
    True
    >>> check_linear_param_count(1280, 128, 10)
    Not yet: answer is 1280, expected 1290 (off by 10). Did you count the 10 biases?
    False
    """
    expected = linear_param_count(in_features, out_features, bias=bias)

    def hint(value):
        return f" Did you count the {out_features} biases?" if bias and value == in_features * out_features else ""

    return check_number(float_answer(answer), expected, hint=hint)


def check_flatten_index(answer, keras_answer, shape, index):
    """Check where entry ``index`` of a ``shape`` feature map lands after flattening, in
    PyTorch's order and in Keras's (chapter 6).

    Both expected positions are found by flattening the entries of ``np.arange`` laid out in
    ``shape``: with ``companion.flatten`` for PyTorch's channels-first order, and after moving
    the first axis (the channels) to the end for Keras's channels-last order, which lists the
    channels of one pixel together.

    Parameters
    ----------
    answer : int or None
        The reader's position after ``companion.flatten`` (``torch.flatten(x, 1)``), from 0.
    keras_answer : int or None
        The reader's position in the channels-last order of Keras's ``Flatten``, from 0.
    shape : tuple of int
        The shape of one example, such as ``(C, H, W)`` (no batch axis).
    index : tuple of int
        The entry, such as ``(c, i, j)``.

    Returns
    -------
    bool
        True when both positions are right.

    Examples
    --------
    >>> check_flatten_index(5, 10, (2, 2, 3), (0, 1, 2))
    Correct! Both positions are right.
    True
    >>> check_flatten_index(6, 6, (2, 2, 3), (1, 0, 0))
    Not yet: the Keras position is 6, expected 1 (off by 5). That is PyTorch's channels-first order; Keras lists the 2 channels of each pixel together, pixel by pixel.
    False
    """
    shape = tuple(check_int(s, "shape", minimum=1) for s in shape)
    index = tuple(check_int(i, "index", minimum=0) for i in index)
    if len(index) != len(shape) or any(i >= s for i, s in zip(index, shape)):
        raise ValueError(f"index {index} is not an entry of an array of shape {shape}")
    grid = np.arange(int(np.prod(shape))).reshape(shape)
    expected = int(np.flatnonzero(flatten(grid[None])[0] == grid[index])[0])
    keras_expected = int(np.flatnonzero(np.moveaxis(grid, 0, -1).ravel() == grid[index])[0])
    if not_answered(**{"PyTorch position": answer, "Keras position": keras_answer}):
        return False

    def verdict(value, right, other, name, other_hint):
        ok, message = quietly(check_value, float_answer(value), right, name=name, rtol=0.0, atol=1e-9)
        if ok:
            return ""
        got = single_number(value)
        if got is not None and got == other and other != right:
            message += other_hint
        elif got is not None and got == right + 1:
            message += " Positions are counted from 0."
        return message

    problems = [
        verdict(answer, expected, keras_expected, "the PyTorch position",
                " That is the channels-last (H, W, C) order of Keras; PyTorch keeps each channel together."),
        verdict(keras_answer, keras_expected, expected, "the Keras position",
                f" That is PyTorch's channels-first order; Keras lists the {shape[0]} channels of each"
                " pixel together, pixel by pixel."),
    ]
    problems = [p for p in problems if p]
    if not problems:
        print("Correct! Both positions are right.")
        return True
    print("Not yet: " + " ".join(problems))
    return False


def check_cross_entropy(answer, logits, target, atol=1e-3):
    """Check a cross-entropy worked out by hand (chapter 6).

    The expected answer is ``companion.cross_entropy(logits, target)`` for one example, the
    negative log of the softmax probability of the true class. The default tolerance
    accepts three decimals.

    Parameters
    ----------
    answer : float or None
    logits : array_like, shape (Q,)
    target : int
        The true class.
    atol : float, default 1e-3

    Returns
    -------
    bool

    Examples
    --------
    >>> check_cross_entropy(0.693, [0.0, 0.0], 1)
    Correct!
    True
    >>> check_cross_entropy(-0.693, [0.0, 0.0], 1)
    Not yet: answer is -0.693, expected 0.693147 (off by 1.38615). A cross-entropy is never negative: -log p with p <= 1.
    False
    """
    expected = cross_entropy(np.asarray(logits, dtype=np.float64), np.asarray(target))

    def hint(value):
        return " A cross-entropy is never negative: -log p with p <= 1." if value is not None and value < 0 else ""

    return check_number(answer, expected, atol=atol, hint=hint)


def check_cnn_param_count(answer, image_size=28, channels=(32, 64), kernel_size=3, pool_size=2, hidden=128,
                          n_outputs=1):
    """Check the parameter count of a chapter-6-style CNN (chapter 6).

    The network is: for each entry ``c`` of ``channels``, a ``kernel_size`` convolution to
    ``c`` channels (no padding), ReLU and ``pool_size`` max pooling; then flatten, a dense
    layer of ``hidden`` units and a dense output layer of ``n_outputs`` units. The
    expected count is added up layer by layer with ``companion.conv_output_size``,
    ``companion.conv_param_count`` and ``companion.linear_param_count``.

    Parameters
    ----------
    answer : int or None
    image_size : int, default 28
        Side of the square one-channel input.
    channels : tuple of int, default (32, 64)
    kernel_size, pool_size : int, default 3, 2
    hidden : int, default 128
    n_outputs : int, default 1

    Returns
    -------
    bool

    Examples
    --------
    >>> check_cnn_param_count(223873)
    Correct! (320 + 18496 + 204928 + 129 = 223873)
    True
    """
    side, c_in, parts = check_int(image_size, "image_size", minimum=1), 1, []
    for c in channels:
        c = check_int(c, "channels", minimum=1)
        parts.append(conv_param_count(c_in, c, kernel_size))
        side = conv_output_size(side, kernel_size)
        side = conv_output_size(side, pool_size, stride=pool_size)
        c_in = c
    parts.append(linear_param_count(c_in * side * side, hidden))
    parts.append(linear_param_count(hidden, n_outputs))
    expected = sum(parts)

    def hint(value):
        return (f" Layer by layer the count is {' + '.join(['?'] * len(parts))}: "
                f"the flattened vector has {c_in} x {side} x {side} = {c_in * side * side} entries.")

    return check_number(float_answer(answer), expected, hint=hint,
                        correct=f"Correct! ({' + '.join(str(p) for p in parts)} = {expected})")


def check_two_class_logits(func):
    """Check ``func(z) -> (N, 2) logits`` whose softmax cross-entropy equals the BCE of ``sigmoid(z)`` (chapter 6).

    For several fixed logits ``z`` and labels ``y`` in {0, 1}, ``func(z)`` must give
    two-class logits with ``companion.softmax(func(z))[:, 1] == companion.sigmoid(z)``, so
    that ``companion.cross_entropy(func(z), y)`` equals
    ``companion.binary_cross_entropy_with_logits(z, y)``.

    Parameters
    ----------
    func : callable
        ``func(z)`` with ``z`` of shape ``(N,)``, returning an array of shape ``(N, 2)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_two_class_logits(lambda z: np.stack([np.zeros_like(z), z], axis=1))
    Correct! softmax(your logits)[:, 1] = sigmoid(z), and the two losses agree.
    True
    >>> check_two_class_logits(lambda z: np.stack([z, np.zeros_like(z)], axis=1))  # doctest: +ELLIPSIS
    Not yet: softmax(your logits)[:, 1] should equal sigmoid(z): ...
    False
    """
    if not is_function(func):
        return False
    z = np.array([-3.0, -0.5, 0.0, 0.25, 2.0, 5.0])
    ran, got = call_function(func, (z.copy(),))
    if not ran:
        return False
    arr = read_numbers(got, "your result")
    if arr is None:
        return False
    if arr.shape != (z.size, 2):
        print(f"Not yet: for z of shape {z.shape} your result has shape {arr.shape}, expected {(z.size, 2)}.")
        return False
    ok, message = quietly(check_array, softmax(arr.astype(np.float64))[:, 1], sigmoid(z), name="the probability of class 1")
    if not ok:
        print(f"Not yet: softmax(your logits)[:, 1] should equal sigmoid(z): {message}")
        return False
    print("Correct! softmax(your logits)[:, 1] = sigmoid(z), and the two losses agree.")
    return True


def check_keras_dense_to_torch(func):
    """Check a conversion of a Keras dense kernel to a PyTorch ``Linear`` weight (chapter 6).

    Keras flattens a feature map stored as ``(H, W, C)`` (channels last) and keeps a dense
    kernel of shape ``(H*W*C, out)`` with ``y = x @ kernel``; PyTorch flattens ``(C, H, W)``
    and keeps ``weight`` of shape ``(out, C*H*W)`` with ``y = x @ weight.T``.
    ``func(kernel, C, H, W)`` must return the ``weight`` that gives the same outputs: for
    fixed random feature maps the check compares
    ``companion.linear(companion.flatten(x), weight)`` with the Keras computation.

    Parameters
    ----------
    func : callable
        ``func(kernel, C, H, W) -> weight`` of shape ``(out, C*H*W)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> def convert(kernel, C, H, W):
    ...     return kernel.reshape(H, W, C, -1).transpose(3, 2, 0, 1).reshape(-1, C * H * W)
    >>> check_keras_dense_to_torch(convert)
    Correct! Your weight gives the Keras outputs on 3 random cases.
    True
    >>> check_keras_dense_to_torch(lambda kernel, C, H, W: kernel.T)  # doctest: +ELLIPSIS
    Not yet: for C, H, W = (2, 3, 3) and 4 outputs, ...
    False
    """
    if not is_function(func):
        return False
    rng = np.random.default_rng(6)
    cases = [(2, 3, 3, 4), (3, 2, 4, 5), (4, 5, 5, 2)]
    for c, h, w, out in cases:
        x = rng.normal(size=(1, c, h, w))
        kernel = rng.normal(size=(h * w * c, out))
        keras_y = x.transpose(0, 2, 3, 1).reshape(1, -1) @ kernel
        case = f"for C, H, W = {(c, h, w)} and {out} outputs"
        ran, weight = call_function(func, (kernel.copy(), c, h, w), f" {case}")
        if not ran:
            return False
        arr, problem = answer_array(weight, "your weight")
        if problem is None and arr.shape != (out, c * h * w):
            problem = f"your weight has shape {arr.shape}, expected {(out, c * h * w)}."
        if problem is not None:
            print(f"Not yet: {case}, {problem}")
            return False
        ok, message = quietly(check_array, linear(flatten(x), arr.astype(np.float64)), keras_y,
                               name="the outputs with your weight")
        if not ok:
            print(f"Not yet: {case}, {message}")
            return False
    print(f"Correct! Your weight gives the Keras outputs on {len(cases)} random cases.")
    return True
