"""Chapter 2, why convolution: the receptive field of a stack of layers, the matrix of a
convolution and the parameters of a locally connected layer (the checks of
:mod:`companion.convolution.locality`).
"""

from __future__ import annotations

from .._validation import pair
from ..convolution import conv_matrix, locally_connected_param_count, receptive_field
from ._verdict import answer_array, like_answer, not_answered
from .generic import check_array, check_number

__all__ = [
    "check_receptive_field",
    "check_conv_matrix",
    "check_locally_connected_count",
]


def check_receptive_field(answer, layers):
    """Check the receptive field of a stack of layers, ``companion.receptive_field(layers)`` (chapter 2).

    Parameters
    ----------
    answer : object
        The reader's side length, in input pixels.
    layers : sequence of tuple
        ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` per layer, first first.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_receptive_field(7, [(3, 1), (2, 2), (3, 1)])
    Not yet: your receptive field is 7, expected 8 (off by 1). After a layer of stride s, each further tap spans s pixels.
    False
    """
    expected = receptive_field(layers)
    return check_number(answer, expected, what="receptive field", name="your receptive field",
                        hint=lambda v: " After a layer of stride s, each further tap spans s pixels."
                        if v is not None else "")


def check_conv_matrix(answer, input_shape, kernel, stride=1, padding=0, dilation=1):
    """Check the matrix ``M`` of a convolution, ``flat(S) = M @ flat(I)`` (chapter 2).

    The expected matrix is ``companion.conv_matrix(input_shape, kernel, stride, padding,
    dilation)``: one row per output position, one column per input pixel (row-major),
    with no columns for the padding.

    Parameters
    ----------
    answer : object
        The reader's matrix, shape ``(H_out * W_out, H * W)``.
    input_shape : pair of int
    kernel : array_like, shape (kH, kW)
    stride, padding, dilation : int, default 1, 0, 1

    Returns
    -------
    bool

    Examples
    --------
    >>> check_conv_matrix([[1, 2, 0], [0, 1, 2]], (1, 3), [[1, 2]])
    Correct!
    True
    >>> check_conv_matrix([[1, 2, 0, 0]], (1, 3), [[1, 2]])
    Not yet: your M has shape (1, 4), expected (2, 3). One row per output position, one column per input pixel (padding has no column).
    False
    """
    expected = conv_matrix(input_shape, kernel, stride=stride, padding=padding, dilation=dilation)
    if not_answered(M=answer):
        return False
    got, _ = answer_array(answer, "your M")
    if got is not None and got.shape != expected.shape:
        print(f"Not yet: your M has shape {got.shape}, expected {expected.shape}. One row per output "
              f"position, one column per input pixel (padding has no column).")
        return False
    return check_array(answer, like_answer(answer, expected), name="your M")


def check_locally_connected_count(answer, input_size, kernel_size, padding=0, bias=False):
    """Check the number of parameters of a locally connected layer (chapter 2).

    The expected count is ``companion.locally_connected_param_count(input_size,
    kernel_size, padding, bias)``: a window of :math:`k_H k_W` weights of its own at every
    output position (and one bias each, with ``bias=True``).

    Parameters
    ----------
    answer : object
        The reader's count.
    input_size, kernel_size : int or pair of int
    padding : int, default 0
    bias : bool, default False

    Returns
    -------
    bool

    Examples
    --------
    >>> check_locally_connected_count(9, 5, 3)
    Not yet: your count is 9, expected 81 (off by 72). Every one of the 3 x 3 output positions has weights of its own.
    False
    """
    expected = locally_connected_param_count(input_size, kernel_size, padding=padding, bias=bias)
    h, w = pair(input_size, "input_size", 1)
    kh, kw = pair(kernel_size, "kernel_size", 1)
    h_out, w_out = h + 2 * padding - kh + 1, w + 2 * padding - kw + 1
    return check_number(answer, expected, what="count", name="your count",
                        hint=lambda v: f" Every one of the {h_out} x {w_out} output positions has weights of its own."
                        if v is not None else "")
