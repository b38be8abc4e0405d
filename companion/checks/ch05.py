"""Chapter 5, multiple filters and feature maps: parameter counts, a multi-channel output
cell, shapes through a stack of layers, a luma filter, a kernel that finds a pattern, the
parameters of a depthwise-separable block, the costs of a layer.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array, check_choice, check_int, pair
from ..convolution import conv2d, conv_output_size, correlate2d
from ..filters import conv_param_count, layer_costs
from ..representation import LUMA_WEIGHTS
from ._verdict import float_answer, fmt, not_answered, read_numbers
from .generic import check_array, check_number

__all__ = [
    "check_conv_param_count",
    "check_multichannel_cell",
    "check_shape_after_layers",
    "check_luma_filter",
    "check_pattern_kernel",
    "check_separable_param_count",
    "check_layer_cost",
]


def check_conv_param_count(answer, in_channels, out_channels, kernel_size, bias=True, layers=1):
    """Check the number of parameters of a convolutional layer, or of a stack of them (chapter 5).

    The expected answer is ``layers`` times ``companion.conv_param_count(in_channels,
    out_channels, kernel_size, bias)``, that is :math:`C_{out} C_{in} k_H k_W + C_{out}` per
    layer with a bias.

    Parameters
    ----------
    answer : int or None
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    bias : bool, default True
    layers : int, default 1
        How many such layers are stacked (each ``out_channels -> out_channels`` after the
        first, so pass ``in_channels == out_channels`` when ``layers > 1``).

    Returns
    -------
    bool

    Examples
    --------
    >>> check_conv_param_count(18496, 32, 64, 3)
    Correct!
    True
    >>> check_conv_param_count(18432, 32, 64, 3)
    Not yet: answer is 18432, expected 18496 (off by 64). Did you count the 64 biases?
    False
    >>> check_conv_param_count(640, 32, 64, 3)
    Not yet: answer is 640, expected 18496 (off by 17856). Each filter is C_in = 32 channels deep: count its 32 x 3 x 3 weights.
    False
    >>> check_conv_param_count(36928, 64, 64, 3, layers=2)
    Not yet: answer is 36928, expected 73856 (off by 36928). That is one layer; the stack has 2.
    False
    """
    check_int(layers, "layers", minimum=1)
    if layers > 1 and in_channels != out_channels:
        raise ValueError(f"layers={layers} needs in_channels == out_channels, got "
                         f"{in_channels} and {out_channels}")
    one = conv_param_count(in_channels, out_channels, kernel_size, bias=bias)
    expected = layers * one
    k_h, k_w = pair(kernel_size, "kernel_size", 1)
    weights = out_channels * in_channels * k_h * k_w

    def hint(value):
        if value is None:
            return ""
        if layers > 1 and value == one:
            return f" That is one layer; the stack has {layers}."
        if bias and value == weights:
            return f" Did you count the {out_channels} biases?"
        if in_channels > 1 and value in (out_channels * k_h * k_w + out_channels * bias, out_channels * k_h * k_w):
            return (f" Each filter is C_in = {in_channels} channels deep: count its "
                    f"{in_channels} x {k_h} x {k_w} weights.")
        if not bias and value == weights + out_channels:
            return " This layer has no bias."
        return ""

    return check_number(float_answer(answer), expected, hint=hint)


def check_multichannel_cell(answer, x, weight, o, i, j, bias=None):
    """Check one output value of a multi-channel convolution computed by hand (chapter 5).

    The expected value is ``companion.conv2d(x[None], weight, bias)[0, o, i, j]``:

    .. math:: Y[o, i, j] = b_o + \\sum_c \\sum_m \\sum_q X[c, i + m, j + q]\\, W[o, c, m, q]

    Parameters
    ----------
    answer : number or None
        The reader's value.
    x : array_like, shape (C_in, H, W)
        One input with its channels.
    weight : array_like, shape (C_out, C_in, kH, kW)
    o, i, j : int
        Output channel, row and column.
    bias : array_like, shape (C_out,), optional

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``(o, i, j)`` is outside the output (a wrong call of the checker).

    Examples
    --------
    >>> x = np.arange(18).reshape(2, 3, 3)
    >>> w = np.ones((1, 2, 2, 2))
    >>> check_multichannel_cell(52, x, w, o=0, i=0, j=0)   # (0+1+3+4) + (9+10+12+13)
    Correct!
    True
    >>> check_multichannel_cell(8, x, w, o=0, i=0, j=0)
    Not yet: your value of output (0, 0, 0) is 8, expected 52 (off by 44). That is the sum over input channel 0 alone: add the other channels' sums.
    False
    """
    x = as_array(x, "x", ndim=3)
    weight = as_array(weight, "weight", ndim=4)
    if weight.shape[1] != x.shape[0]:
        raise ValueError(f"weight has {weight.shape[1]} input channels but x has {x.shape[0]}")
    out = conv2d(x[None], weight, bias)[0]
    o, i, j = check_int(o, "o", 0), check_int(i, "i", 0), check_int(j, "j", 0)
    if o >= out.shape[0] or i >= out.shape[1] or j >= out.shape[2]:
        raise ValueError(f"(o, i, j) = ({o}, {i}, {j}) is outside the output of shape {out.shape}")

    def hint(value):
        if value is None:
            return ""
        parts = [float(correlate2d(x[c], weight[o, c])[i, j]) for c in range(x.shape[0])]
        b = 0.0 if bias is None else float(np.asarray(bias, dtype=np.float64).reshape(-1)[o])
        for c, part in enumerate(parts):
            if x.shape[0] > 1 and (np.isclose(value, part, rtol=1e-5, atol=1e-8) or (b != 0 and np.isclose(value, part + b, rtol=1e-5, atol=1e-8))):
                return f" That is the sum over input channel {c} alone: add the other channels' sums."
        if b != 0 and np.isclose(value, sum(parts), rtol=1e-5, atol=1e-8):
            return f" Did you add the bias b_{o} = {fmt(b)}?"
        return ""

    return check_number(float_answer(answer), float(out[o, i, j]), what="value",
                        name=f"your value of output ({o}, {i}, {j})", rtol=1e-5, atol=1e-8, hint=hint)


_LAYER_KINDS = ("conv", "pool")


def check_shape_after_layers(answer, input_shape, layers):
    """Check the shape ``(C, H, W)`` of one image after a stack of layers (chapter 5).

    Each layer is ``("conv", out_channels, kernel_size)`` (stride 1, no padding) or
    ``("pool", kernel_size)`` (stride = window); the expected sizes come from
    ``companion.conv_output_size``. An activation does not change the shape, so it is not
    listed.

    Parameters
    ----------
    answer : tuple of 3 ints or None
        ``(C, H, W)`` after the last layer.
    input_shape : tuple of 3 ints
        ``(C_in, H, W)`` of the input.
    layers : sequence of tuples
        As above, in order.

    Returns
    -------
    bool

    Examples
    --------
    >>> layers = [("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2)]
    >>> check_shape_after_layers((64, 5, 5), (1, 28, 28), layers)
    Correct!
    True
    >>> check_shape_after_layers((64, 7, 7), (1, 28, 28), layers)
    Not yet: your shape is (64, 7, 7), expected (64, 5, 5). After layer 0 ('conv', 32, 3) the shape is (32, 26, 26), after layer 1 ('pool', 2) (32, 13, 13), after layer 2 ('conv', 64, 3) (64, 11, 11), after layer 3 ('pool', 2) (64, 5, 5): compare with yours step by step.
    False
    """
    try:
        shape = tuple(int(v) for v in input_shape)
    except (TypeError, ValueError):
        raise TypeError(f"input_shape must be a tuple of 3 ints, got {input_shape!r}") from None
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}")
    steps = []
    for n, layer in enumerate(layers):
        if not isinstance(layer, tuple) or not layer or layer[0] not in _LAYER_KINDS:
            raise ValueError(f"layers[{n}] must be ('conv', out_channels, kernel_size) or "
                             f"('pool', kernel_size), got {layer!r}")
        c, h, w = shape
        if layer[0] == "conv":
            if len(layer) != 3:
                raise ValueError(f"layers[{n}] must be ('conv', out_channels, kernel_size), got {layer!r}")
            k = check_int(layer[2], f"layers[{n}] kernel_size", 1)
            shape = (check_int(layer[1], f"layers[{n}] out_channels", 1),
                     conv_output_size(h, k), conv_output_size(w, k))
        else:
            if len(layer) != 2:
                raise ValueError(f"layers[{n}] must be ('pool', kernel_size), got {layer!r}")
            k = check_int(layer[1], f"layers[{n}] kernel_size", 1)
            shape = (c, conv_output_size(h, k, stride=k), conv_output_size(w, k, stride=k))
        steps.append(f"after layer {n} {layer!r} {'the shape is ' if n == 0 else ''}{shape}")
    if not_answered(shape=answer):
        return False
    try:
        got = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        print(f"Not yet: the shape should be a tuple of ints such as (64, 5, 5), got {answer!r:.40}.")
        return False
    if got == shape:
        print("Correct!")
        return True
    if len(got) == 3 and got == (shape[1], shape[2], shape[0]):
        print(f"Not yet: your shape {got} is channels last (Keras's H, W, C); PyTorch and this book "
              f"put the channels first: {shape}.")
        return False
    print(f"Not yet: your shape is {got}, expected {shape}. {', '.join(steps).capitalize()}: "
          "compare with yours step by step.")
    return False


def check_luma_filter(weight, kernel, weights="rec601"):
    """Check a 3-channel filter that applies ``kernel`` to the luma of an RGB input (chapter 5).

    By linearity, filtering the grayscale image :math:`\\sum_c w_c X_c` with :math:`K` equals
    a 3-channel filter whose channel :math:`c` is :math:`w_c K`. The expected weight, shape
    ``(1, 3, kH, kW)``, is built from ``companion.LUMA_WEIGHTS[weights]`` and ``kernel``; the
    message also says whether the reader's weight gives the same feature map as
    ``companion.rgb_to_grayscale`` followed by ``companion.correlate2d`` on a random image.

    Parameters
    ----------
    weight : array_like, shape (1, 3, kH, kW), or None
        The reader's filter.
    kernel : array_like, shape (kH, kW)
        The kernel applied to the grayscale image.
    weights : {"rec601", "rec709", "average"}, default "rec601"

    Returns
    -------
    bool

    Examples
    --------
    >>> w = np.array([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1)
    >>> check_luma_filter(w, [[1.0]])
    Correct!
    True
    >>> check_luma_filter(np.ones((1, 3, 1, 1)) / 3, [[1.0]])
    Not yet: 3 of 3 entries of your weight differ. First at index (0, 0, 0, 0): got 0.333333, expected 0.299. Largest absolute error: 0.253667.
    False
    """
    kernel = as_array(kernel, "kernel", ndim=2)
    check_choice(weights, "weights", LUMA_WEIGHTS, described=f"one of {sorted(LUMA_WEIGHTS)}")
    luma = np.asarray(LUMA_WEIGHTS[weights], dtype=np.float64)
    expected = (luma[:, None, None] * kernel.astype(np.float64))[None]
    if not_answered(weight=weight):
        return False
    return check_array(weight, expected, name="your weight")


def check_pattern_kernel(kernel, image, top, left):
    """Check a kernel designed to find a pattern: its largest response must be there (chapter 5).

    The kernel is applied by cross-correlation (``companion.correlate2d``, ``"valid"``) to
    ``image``; the largest output, counting its sign (a large negative output is not a
    large response), must be at ``(top, left)``, the top-left corner of the pattern's
    window, and larger than every other output by at least 1e-9 (a tie does not count as
    finding the pattern). A kernel whose most negative output is there instead, the
    pattern's kernel with the wrong sign, gets its own hint.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW), or None
        The reader's kernel.
    image : array_like, shape (H, W)
        The test image that contains the pattern.
    top, left : int
        Where the pattern's window starts, a valid output position.

    Returns
    -------
    bool

    Examples
    --------
    >>> image = np.zeros((5, 5)); image[1:4, 2] = 1.0      # a short vertical bar
    >>> check_pattern_kernel([[-1, 1, -1]] * 3, image, top=1, left=1)
    Correct! The largest response, 3, is at (1, 1); the runner-up is 2 at (0, 1).
    True
    >>> check_pattern_kernel(np.ones((3, 3)), image, top=1, left=1)
    Not yet: the largest response, 3, is reached at 3 places, (1, 0) among them; make the pattern's response the only maximum.
    False
    >>> check_pattern_kernel([[1, -1, 1]] * 3, image, top=1, left=1)  # doctest: +ELLIPSIS
    Not yet: the largest response, 3, is reached at 2 places, (1, 0) among them; ... Hint: ...flip the sign of your kernel.
    False
    """
    image = as_array(image, "image", ndim=2)
    top, left = check_int(top, "top", 0), check_int(left, "left", 0)
    if not_answered(kernel=kernel):
        return False
    got = read_numbers(kernel, "your kernel")
    if got is None:
        return False
    if got.ndim != 2 or got.shape[0] > image.shape[0] or got.shape[1] > image.shape[1]:
        print(f"Not yet: your kernel should be a 2-D array no larger than the image {image.shape}, "
              f"got shape {got.shape}.")
        return False
    response = correlate2d(image, got.astype(np.float64))
    if top >= response.shape[0] or left >= response.shape[1]:
        raise ValueError(f"(top, left) = ({top}, {left}) is outside the response of shape {response.shape}")
    best = float(response.max())
    at_best = np.argwhere(response >= best - 1e-9)
    where = tuple(int(v) for v in at_best[0])
    lowest = float(response.min())
    at_lowest = np.argwhere(response <= lowest + 1e-9)
    hint = ""
    if len(at_lowest) == 1 and tuple(int(v) for v in at_lowest[0]) == (top, left) and lowest < 0:
        hint = (" Hint: the largest response counts its sign, and your kernel's most negative "
                "response is at the pattern: flip the sign of your kernel.")
    if len(at_best) > 1:
        print(f"Not yet: the largest response, {fmt(best)}, is reached at {len(at_best)} places, "
              f"{where} among them; make the pattern's response the only maximum.{hint}")
        return False
    if where != (top, left):
        print(f"Not yet: the largest response, {fmt(best)}, is at {where}, not at the pattern "
              f"({top}, {left}), where it is {fmt(float(response[top, left]))}.{hint}")
        return False
    rest = response.copy()
    rest[top, left] = -np.inf
    second = np.unravel_index(int(np.argmax(rest)), rest.shape)
    print(f"Correct! The largest response, {fmt(best)}, is at {where}; the runner-up is "
          f"{fmt(float(rest[second]))} at {tuple(int(v) for v in second)}.")
    return True


def check_separable_param_count(answer, in_channels, out_channels, kernel_size=3, bias=True):
    """Check the parameters of a depthwise-separable block (chapter 5).

    The block is a depthwise ``k x k`` convolution (``groups = C_in``, ``C_in -> C_in``)
    followed by a pointwise 1 x 1 convolution (``C_in -> C_out``); the expected answer is
    ``conv_param_count(1, C_in, k, bias) + conv_param_count(C_in, C_out, 1, bias)``, that is
    :math:`C_{in} k^2 + C_{out} C_{in}` weights plus :math:`C_{in} + C_{out}` biases.

    Parameters
    ----------
    answer : object
        The reader's count, an int.
    in_channels, out_channels : int
    kernel_size : int, default 3
    bias : bool, default True
        Whether both convolutions have biases.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_separable_param_count(32 * 9 + 32 + 64 * 32 + 64, 32, 64)
    Correct!
    True
    >>> check_separable_param_count(64 * 32 * 9 + 64, 32, 64)
    Not yet: answer is 18496, expected 2432 (off by 16064). That is a standard 3 x 3 layer; the depthwise part has one 3 x 3 kernel per channel, the pointwise part one 1 x 1 weight per channel pair.
    False
    """
    c_in = check_int(in_channels, "in_channels", 1)
    c_out = check_int(out_channels, "out_channels", 1)
    k = check_int(kernel_size, "kernel_size", 1)
    expected = conv_param_count(1, c_in, k, bias=bias) + conv_param_count(c_in, c_out, 1, bias=bias)
    standard = conv_param_count(c_in, c_out, k, bias=bias)
    weights_only = c_in * k * k + c_out * c_in

    def hint(value):
        if value == standard:
            return (f" That is a standard {k} x {k} layer; the depthwise part has one {k} x {k} kernel per channel, "
                    f"the pointwise part one 1 x 1 weight per channel pair.")
        if bias and value == weights_only:
            return f" Did you count the biases, {c_in} of the depthwise and {c_out} of the pointwise convolution?"
        return ""

    return check_number(answer, expected, what="count", hint=hint)


def check_layer_cost(answer, layers, input_shape, layer=-1, what="macs"):
    """Check one cost of one layer of a network, as ``companion.layer_costs`` computes it (chapter 5).

    Parameters
    ----------
    answer : object
        The reader's number, an int.
    layers : sequence of tuple
        The network, in the form :func:`~companion.layer_costs` takes.
    input_shape : (int, int, int)
        ``(C, H, W)`` of one input.
    layer : int, default -1
        Which layer, an index into ``layers`` (negative counts from the end).
    what : {"macs", "params", "activations"}, default "macs"
        Multiply-adds, parameters, or output values of that layer, for one image.

    Returns
    -------
    bool

    Examples
    --------
    >>> net = [("conv", 32, 3), ("relu",), ("pool", 2), ("conv", 64, 3)]
    >>> check_layer_cost(11 * 11 * 64 * 32 * 9, net, (1, 28, 28))
    Correct!
    True
    >>> check_layer_cost(2 * 11 * 11 * 64 * 32 * 9, net, (1, 28, 28))
    Not yet: answer is 4460544, expected 2230272 (off by 2.23027e+06). That is twice the count: a multiply-add is one operation here (PyTorch's FLOP counter counts it as 2).
    False
    """
    check_choice(what, "what", ("macs", "params", "activations"))
    rows = layer_costs(layers, input_shape)
    index = check_int(layer, "layer")
    if not -len(rows) <= index < len(rows):
        raise ValueError(f"layer must index one of the {len(rows)} layers, got {layer}")
    expected = rows[index][what]
    names = {"macs": "multiply-adds", "params": "parameters", "activations": "output values"}

    def hint(value):
        if what == "macs" and value == 2 * expected and expected:
            return (" That is twice the count: a multiply-add is one operation here (PyTorch's FLOP counter "
                    "counts it as 2).")
        return ""

    return check_number(answer, expected, what=f"number of {names[what]}", hint=hint)
