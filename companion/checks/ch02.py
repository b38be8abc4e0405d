"""Chapter 2, convolution: output sizes, output cells and maps, same padding, kernels that
shift or combine, the reader's own correlate2d and convolve2d, the output of a shifted
image. The checks of the chapter's "why convolution" (receptive fields, the matrix of a
convolution, locally connected layers) are in :mod:`companion.checks.ch02_locality`.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_array, check_int
from ..convolution import conv2d, conv_output_size, convolve2d, correlate2d
from ._verdict import answer_array, call_function, is_function, like_answer, not_answered, quietly
from .generic import check_array, check_value

__all__ = [
    "check_output_size",
    "check_conv_cell",
    "check_conv_output",
    "check_same_padding",
    "check_unread_columns",
    "check_shift_kernel",
    "check_correlate2d",
    "check_convolve2d",
    "check_combined_kernel",
    "check_shifted_output",
]


def check_output_size(answer, input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Check a predicted output size, ``floor((input_size + 2p - d(k - 1) - 1) / s) + 1`` (chapter 2).

    The expected answer is ``companion.conv_output_size(input_size, kernel_size, stride, padding,
    dilation)``.

    Parameters
    ----------
    answer : object
        The reader's prediction, an int.
    input_size : int
        Input length (height or width).
    kernel_size, stride, padding, dilation : int
        As in ``torch.nn.functional.conv2d``; defaults 1, 0, 1 for the last three.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_output_size(3, input_size=7, kernel_size=3, stride=2)
    Correct!
    True
    >>> check_output_size(2, input_size=7, kernel_size=3, stride=2)
    Not yet: your output size is 2, expected 3 (off by 1).
    False
    >>> check_output_size(None, input_size=7, kernel_size=3, stride=2)
    Not answered yet: replace None by your output size, then run the cell again.
    False
    """
    for label, v in (("input_size", input_size), ("kernel_size", kernel_size), ("stride", stride),
                     ("padding", padding), ("dilation", dilation)):
        check_int(v, label)
    expected = conv_output_size(input_size, kernel_size, stride, padding, dilation)
    if not_answered(**{"output size": answer}):
        return False
    return check_value(answer, int(expected), name="your output size")


def check_conv_cell(answer, image, kernel, i, j, stride=1, padding=0, dilation=1, flip=False):
    """Check one output value of a 2-D convolution computed by hand (chapter 2).

    The expected value is ``companion.conv2d(image, kernel, stride=stride, padding=padding,
    dilation=dilation)[i, j]`` (cross-correlation, what ``F.conv2d`` computes) for one
    single-channel image. With ``flip=True`` the kernel is rotated by 180 degrees first,
    which gives true convolution (``companion.convolve2d``) at the same place.

    Parameters
    ----------
    answer : object
        The reader's number.
    image : array_like, shape (H, W)
        The input.
    kernel : array_like, shape (kH, kW)
        The kernel.
    i, j : int
        Row and column of the output value.
    stride, padding, dilation : int, default 1, 0, 1
        As in ``torch.nn.functional.conv2d``.
    flip : bool, default False
        Rotate the kernel by 180 degrees (true convolution).

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``(i, j)`` is outside the output (a wrong call of the checker).

    Examples
    --------
    >>> x = np.arange(16).reshape(4, 4)
    >>> k = np.array([[1, 0], [0, -1]])
    >>> check_conv_cell(-5, x, k, i=0, j=0)
    Correct!
    True
    >>> check_conv_cell(-5, x, k, i=0, j=0, flip=True)
    Not yet: your value of output (0, 0) is -5, expected 5 (off by 10).
    False
    """
    image = as_array(image, "image", ndim=2)
    kernel = as_array(kernel, "kernel", ndim=2)
    if not isinstance(flip, bool):
        raise TypeError(f"flip must be a bool, got {type(flip).__name__}")
    if flip:
        kernel = kernel[::-1, ::-1]
    out = conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding,
                 dilation=dilation)[0, 0]
    i, j = check_int(i, "i", 0), check_int(j, "j", 0)
    if i >= out.shape[0] or j >= out.shape[1]:
        raise ValueError(f"(i, j) = ({i}, {j}) is outside the output of shape {out.shape}")
    if not_answered(value=answer):
        return False
    return check_value(answer, float(out[i, j]), name=f"your value of output ({i}, {j})")


def check_conv_output(answer, image, kernel, stride=1, padding=0, dilation=1):
    """Check a whole output map of a single-channel convolution (chapter 2).

    The expected array is ``companion.conv2d`` (cross-correlation, as ``F.conv2d``) of the
    image with the kernel.

    Parameters
    ----------
    answer : object
        The reader's 2-D output.
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding, dilation : int, default 1, 0, 1

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.arange(9).reshape(3, 3)
    >>> check_conv_output([[8, 12], [20, 24]], x, np.ones((2, 2)))
    Correct!
    True
    >>> check_conv_output([[8, 12]], x, np.ones((2, 2)))
    Not yet: your output has shape (1, 2), expected (2, 2).
    False
    """
    image = as_array(image, "image", ndim=2)
    kernel = as_array(kernel, "kernel", ndim=2)
    expected = conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding,
                      dilation=dilation)[0, 0]
    if not_answered(output=answer):
        return False
    return check_array(answer, like_answer(answer, expected), name="your output")


def check_same_padding(answer, input_size, kernel_size, dilation=1):
    """Check the padding that keeps the size of an input with stride 1 (chapter 2).

    The expected padding ``p`` is the one for which ``companion.conv_output_size(input_size,
    kernel_size, padding=p, dilation=dilation) == input_size``, that is ``p = d (k - 1) / 2``.

    Parameters
    ----------
    answer : object
        The reader's padding, an int.
    input_size : int
        Input length.
    kernel_size : int
        Kernel length ``k``.
    dilation : int, default 1

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If no padding keeps the size (``d (k - 1)`` odd), a wrong call of the checker.

    Examples
    --------
    >>> check_same_padding(1, 28, kernel_size=3)
    Correct!
    True
    >>> check_same_padding(2, 28, kernel_size=3)
    Not yet: your padding is 2, expected 1 (off by 1).
    With padding 2 the output length is 30, not 28.
    False
    """
    input_size = check_int(input_size, "input_size", 1)
    kernel_size = check_int(kernel_size, "kernel_size", 1)
    dilation = check_int(dilation, "dilation", 1)
    span = dilation * (kernel_size - 1)
    if span % 2:
        raise ValueError(
            f"no padding keeps the size for kernel_size={kernel_size}, dilation={dilation}: "
            f"d (k - 1) = {span} is odd"
        )
    expected = span // 2  # size + 2p - d(k - 1) - 1 + 1 = size
    if conv_output_size(input_size, kernel_size, padding=expected, dilation=dilation) != input_size:  # pragma: no cover
        raise RuntimeError("conv_output_size disagrees with the same-padding rule")
    if not_answered(padding=answer):
        return False
    ok = check_value(answer, expected, name="your padding")
    if not ok and isinstance(answer, numbers.Integral) and not isinstance(answer, bool) and answer >= 0:
        try:
            size = conv_output_size(input_size, kernel_size, padding=int(answer), dilation=dilation)
        except ValueError:
            print(f"With padding {answer} the kernel does not fit at all.")
        else:
            print(f"With padding {answer} the output length is {size}, not {input_size}.")
    return ok


def check_unread_columns(answer, input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Check which columns of the padded input a strided, dilated kernel never reads (chapter 2).

    Output column ``j`` reads the padded columns ``j s + q d`` for ``q = 0, ..., k - 1``
    (eq-02-conv-layer), for ``j`` below ``companion.conv_output_size(...)``. The expected
    answer is every column ``0 <= c < input_size + 2 padding`` that no such sum hits: the
    columns after the last window, and, when the stride and the dilation leave gaps, columns
    between the taps, inside the image too.

    Parameters
    ----------
    answer : object
        The reader's columns, indices of the padded input (0-based), in any order.
    input_size : int
        Input length, before padding.
    kernel_size, stride, padding, dilation : int
        As in ``torch.nn.functional.conv2d``; defaults 1, 0, 1 for the last three.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_unread_columns([1, 9], input_size=9, kernel_size=3, stride=3, padding=1, dilation=2)
    Correct!
    True
    >>> check_unread_columns([9], input_size=9, kernel_size=3, stride=3, padding=1, dilation=2)
    Not yet: the kernel never reads padded column 1 either (missing from your answer).
    False
    """
    for label, v in (("input_size", input_size), ("kernel_size", kernel_size), ("stride", stride),
                     ("padding", padding), ("dilation", dilation)):
        check_int(v, label)
    n_out = conv_output_size(input_size, kernel_size, stride, padding, dilation)
    read = {j * stride + q * dilation for j in range(n_out) for q in range(kernel_size)}
    expected = sorted(set(range(input_size + 2 * padding)) - read)
    if not_answered(columns=answer):
        return False
    got, message = answer_array(answer, "your answer")
    if got is None:
        print(f"Not yet: {message} Give the columns as a list of integers, e.g. [0, 5].")
        return False
    got = got.reshape(-1)
    if got.size and (not np.all(np.mod(got, 1) == 0)):
        print("Not yet: columns are whole numbers, indices of the padded input.")
        return False
    given = {int(c) for c in got}
    missing = [c for c in expected if c not in given]
    extra = sorted(given - set(expected))

    def columns(cs):
        return f"column {cs[0]}" if len(cs) == 1 else "columns " + ", ".join(map(str, cs))

    if not missing and not extra:
        print("Correct!")
        return True
    parts = []
    if missing:
        parts.append(f"the kernel never reads padded {columns(missing)} either (missing from your answer)")
    if extra:
        outside = [c for c in extra if not 0 <= c < input_size + 2 * padding]
        inside = [c for c in extra if c not in outside]
        if inside:
            parts.append(f"padded {columns(inside)} {'is' if len(inside) == 1 else 'are'} read by some window")
        if outside:
            parts.append(f"the padded input has columns 0 to {input_size + 2 * padding - 1} only, "
                         f"not {', '.join(map(str, outside))}")
    print("Not yet: " + "; ".join(parts) + ".")
    return False


def check_shift_kernel(answer, down=0, right=1):
    """Check a kernel that moves an image by ``(down, right)`` pixels (chapter 2).

    The reader's kernel is applied by cross-correlation with ``mode="same"``
    (``companion.correlate2d``) to a test image; the result must be the test image moved
    ``down`` rows down and ``right`` columns to the right, with zeros coming in (negative
    values move up or left).

    Parameters
    ----------
    answer : object
        The reader's kernel, a 2-D array (3 x 3 is enough for shifts of one pixel).
    down, right : int, default 0, 1
        The shift, each between -3 and 3.

    Returns
    -------
    bool

    Examples
    --------
    >>> k = np.zeros((3, 3)); k[1, 0] = 1
    >>> check_shift_kernel(k, down=0, right=1)
    Correct!
    True
    >>> check_shift_kernel(k[:, ::-1], down=0, right=1)  # doctest: +ELLIPSIS
    Not yet: ... the image filtered with your kernel differ...
    False
    """
    down = check_int(down, "down")
    right = check_int(right, "right")
    if abs(down) > 3 or abs(right) > 3:
        raise ValueError(f"down and right must be between -3 and 3, got ({down}, {right})")
    image = (np.arange(1, 49).reshape(6, 8) % 11 + 1).astype(np.float64)
    h, w = image.shape
    expected = np.zeros_like(image)
    expected[max(down, 0):h + min(down, 0), max(right, 0):w + min(right, 0)] = \
        image[max(-down, 0):h - max(down, 0), max(-right, 0):w - max(right, 0)]
    if not_answered(kernel=answer):
        return False
    kernel, problem = answer_array(answer, "your kernel")
    if problem is None and kernel.ndim != 2:
        problem = f"your kernel should be a 2-D array, got shape {kernel.shape}."
    if problem is None and (kernel.shape[0] > h or kernel.shape[1] > w):
        problem = f"your kernel of shape {kernel.shape} is larger than the test image {image.shape}."
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    return check_array(correlate2d(image, kernel.astype(np.float64), mode="same"), expected,
                       name="the image filtered with your kernel")


def _run_cases(func, reference, what):
    """Run ``func(image, kernel)`` on fixed random cases; compare with ``reference``."""
    if not is_function(func):
        return False
    rng = np.random.default_rng(2)
    shapes = [((5, 5), (3, 3)), ((4, 7), (2, 3)), ((6, 3), (3, 1)), ((3, 3), (3, 3)),
              ((8, 6), (1, 1)), ((9, 10), (4, 2))]
    for k, (image_shape, kernel_shape) in enumerate(shapes):
        if k % 2 == 0:
            image = rng.integers(0, 10, size=image_shape).astype(np.float64)
            kernel = rng.integers(-3, 4, size=kernel_shape).astype(np.float64)
        else:
            image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
        case = f"image of shape {image_shape} and kernel of shape {kernel_shape}"
        ran, got = call_function(func, (image.copy(), kernel.copy()), f" on an {case}")
        if not ran:
            return False
        ok, message = quietly(check_array, got, reference(image, kernel), name="your result")
        if not ok:
            print(f"Not yet: on an {case}, {message}")
            return False
    print(f"Correct! Your function matches companion.{what} on {len(shapes)} random cases.")
    return True


def check_correlate2d(func):
    """Check the reader's single-channel cross-correlation, valid mode (chapter 2).

    ``func(image, kernel)`` is run on six fixed random cases (square and non-square images and
    kernels, integers and floats) and compared with ``companion.correlate2d(image, kernel)``,
    which computes :math:`S[i, j] = \\sum_m \\sum_n I[i + m, j + n] K[m, n]`. The verdict
    names the first case that differs; an exception raised by ``func`` is reported, not
    raised.

    Parameters
    ----------
    func : callable
        ``func(image, kernel) -> array`` of shape ``(H - kH + 1, W - kW + 1)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> from companion import correlate2d
    >>> check_correlate2d(correlate2d)
    Correct! Your function matches companion.correlate2d on 6 random cases.
    True
    >>> check_correlate2d(lambda image, kernel: None)
    Not yet: on an image of shape (5, 5) and kernel of shape (3, 3), your result is None. Did your function forget to `return` its result?
    False
    """
    return _run_cases(func, correlate2d, "correlate2d")


def check_convolve2d(func):
    """Check the reader's single-channel true convolution, full mode (chapter 2).

    Like :func:`check_correlate2d`, against ``companion.convolve2d(image, kernel)`` (mode
    ``"full"``), which computes :math:`Y[i, j] = \\sum_m \\sum_n X[m, n] K[i - m, j - n]`.

    Parameters
    ----------
    func : callable
        ``func(image, kernel) -> array`` of shape ``(H + kH - 1, W + kW - 1)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> from companion import convolve2d, correlate2d
    >>> check_convolve2d(convolve2d)
    Correct! Your function matches companion.convolve2d on 6 random cases.
    True
    >>> check_convolve2d(lambda x, k: correlate2d(x, k, mode="full"))  # doctest: +ELLIPSIS
    Not yet: on an image of shape (5, 5) and kernel of shape (3, 3), ... entries of your result differ...
    False
    """
    return _run_cases(func, convolve2d, "convolve2d")


def check_combined_kernel(answer, first, second):
    """Check the single kernel equivalent to two cross-correlations in a row (chapter 2).

    Correlating with ``first`` and then with ``second`` (valid mode) equals one correlation
    with the true convolution of the two kernels, full mode: the expected kernel is
    ``companion.convolve2d(first, second)``, of shape ``(kH1 + kH2 - 1, kW1 + kW2 - 1)``.

    Parameters
    ----------
    answer : object
        The reader's combined kernel.
    first, second : array_like, 2-D
        The kernels, in the order they are applied.

    Returns
    -------
    bool

    Examples
    --------
    >>> a, b = np.array([[1, 2]]), np.array([[1], [-1]])
    >>> check_combined_kernel([[1, 2], [-1, -2]], a, b)
    Correct!
    True
    """
    first = as_array(first, "first", ndim=2)
    second = as_array(second, "second", ndim=2)
    expected = convolve2d(first, second)
    if not_answered(**{"combined kernel": answer}):
        return False
    got, _ = answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
        if np.allclose(got, correlate2d(first, second, mode="full"), rtol=1e-5, atol=1e-8) or np.allclose(
            got, correlate2d(second, first, mode="full"), rtol=1e-5, atol=1e-8
        ):
            print(
                "Not yet: that is a cross-correlation of the two kernels. Write out the double "
                "sum: the indices of one kernel run backwards, as in true convolution."
            )
            return False
    return check_array(answer, like_answer(answer, expected), name="your combined kernel")


def check_shifted_output(answer, image, kernel, down, right):
    """Check the feature map of an image shifted by ``(down, right)`` pixels (chapter 2).

    The image is shifted with zeros coming in (``T_{u,v}``, :math:`u` = ``down``,
    :math:`v` = ``right``, both at least 0) and correlated with the kernel (mode "valid"):
    the expected array is ``companion.correlate2d(T_{u,v} image, kernel)``. Where the
    shifted-out border of the image is zero, this is the unshifted feature map shifted
    the same way: translation equivariance.

    Parameters
    ----------
    answer : object
        The reader's feature map, shape ``(H - kH + 1, W - kW + 1)``.
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    down, right : int
        The shift, at least 0 and less than the image's height and width.

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.zeros((3, 3)); x[0, 0] = 1
    >>> check_shifted_output([[1, 0], [0, 0]], x, np.ones((2, 2)), down=1, right=1)
    Not yet: 3 of 4 entries of your output differ. First at index (0, 1): got 0, expected 1. Largest absolute error: 1.
    False
    >>> check_shifted_output([[1, 1], [1, 1]], x, np.ones((2, 2)), down=1, right=1)
    Correct!
    True
    """
    image = as_array(image, "image", ndim=2)
    kernel = as_array(kernel, "kernel", ndim=2)
    u = check_int(down, "down", 0)
    v = check_int(right, "right", 0)
    h, w = image.shape
    if u >= h or v >= w:
        raise ValueError(f"the shift (down, right) = ({u}, {v}) must be less than the image's shape {image.shape}")
    shifted = np.zeros(image.shape, dtype=np.float64)
    shifted[u:, v:] = image[: h - u, : w - v]
    expected = correlate2d(shifted, kernel)
    if not_answered(output=answer):
        return False
    return check_array(answer, like_answer(answer, expected), name="your output")
