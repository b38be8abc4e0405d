"""Self-checks for the book's exercises: tell the reader whether an answer is right, and if
not, what differs.

Every checker prints a verdict and returns ``True`` or ``False``. A wrong answer never
raises, whatever its kind (``None`` because a function forgot to ``return``, a list, a
string, the wrong shape): the reader gets a message and ``False``. Only a mistake in
*calling the checker* (what the book's author passes as the expected value or the
tolerances) raises ``TypeError`` or ``ValueError``.

The generic checkers are :func:`check_array` and :func:`check_value`. The chapter checkers
(``check_inverted``, ``check_patch_mean``, ``check_layout``, ``check_output_size``, ...)
compute the expected answer with the companion itself, never from a hard-coded number.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import as_array, check_int

__all__ = [
    "check_array",
    "check_value",
    "check_inverted",
    "check_patch_mean",
    "check_layout",
    "check_output_size",
]


def _check_options(name, rtol, atol):
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    for label, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
            raise TypeError(f"{label} must be a number, got {type(tol).__name__}")
        if not tol >= 0:
            raise ValueError(f"{label} must be at least 0, got {tol}")


def _answer_array(answer, name):
    """The reader's answer as a numeric array, or ``(None, message)`` saying why not."""
    if answer is None:
        return None, f"{name} is None. Did your function forget to `return` its result?"
    if isinstance(answer, (str, bytes)):
        return None, f"{name} is a {type(answer).__name__} ({answer!r:.40}), not numbers."
    if type(answer).__module__.startswith("torch"):
        answer = answer.detach().cpu().numpy()
    try:
        arr = np.asarray(answer)
    except (ValueError, TypeError):
        return None, f"{name} is not a rectangular array (rows of different lengths?)."
    if arr.dtype.kind not in "biuf":
        return None, f"{name} does not hold numbers (a {type(answer).__name__} of dtype {arr.dtype})."
    return arr, None


def _fmt(v):
    return f"{v:.6g}" if isinstance(v, float) else f"{v}"


def check_array(answer, expected, name="answer", rtol=1e-5, atol=1e-8, check_dtype=False):
    """Compare an array answer with the expected array; print a verdict and return it.

    The values match when ``|answer - expected| <= atol + rtol * |expected|`` everywhere
    (``numpy.isclose``). Otherwise the message says what differs: the type, the shape, or
    the number of wrong entries, the first one (index, value given, value expected) and the
    largest absolute error.

    Parameters
    ----------
    answer : object
        The reader's answer: an array, a nested list, a tensor, or anything else (then the
        verdict says why it is not an array of numbers).
    expected : array_like
        The right answer, computed by the caller with the companion.
    name : str, default "answer"
        How the message calls the answer.
    rtol, atol : float, default 1e-5, 1e-8
        Relative and absolute tolerance.
    check_dtype : bool, default False
        Also require the same dtype. When False, a right answer with another dtype is
        accepted with a note.

    Returns
    -------
    bool
        True if the answer is right.

    Raises
    ------
    TypeError, ValueError
        Only for a wrong call of the checker (``expected`` not numbers, a negative tolerance).

    Examples
    --------
    >>> check_array([[1, 2], [3, 4]], np.array([[1, 2], [3, 4]]))
    Correct!
    True
    >>> check_array([[1, 2], [3, 5]], np.array([[1, 2], [3, 4]]))
    Not yet: 1 of 4 entries of answer differ. First at index (1, 1): got 5, expected 4. Largest absolute error: 1.
    False
    >>> check_array(None, np.zeros(3))
    Not yet: answer is None. Did your function forget to `return` its result?
    False
    """
    _check_options(name, rtol, atol)
    if not isinstance(check_dtype, bool):
        raise TypeError(f"check_dtype must be a bool, got {type(check_dtype).__name__}")
    expected = as_array(expected, "expected", allow_empty=True)
    got, problem = _answer_array(answer, name)
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    if got.shape != expected.shape:
        hint = ""
        if got.ndim == expected.ndim and sorted(got.shape) == sorted(expected.shape):
            hint = " The same sizes in another order: are the axes in the right order?"
        elif got.size == expected.size:
            hint = " The same number of entries: a reshape or transpose may be missing."
        print(f"Not yet: {name} has shape {got.shape}, expected {expected.shape}.{hint}")
        return False
    if check_dtype and got.dtype != expected.dtype:
        print(f"Not yet: {name} has dtype {got.dtype}, expected {expected.dtype}.")
        return False
    a = got.astype(np.float64)
    b = expected.astype(np.float64)
    close = np.isclose(a, b, rtol=rtol, atol=atol)
    if close.all():
        note = "" if got.dtype == expected.dtype else f" (dtype {got.dtype}; the expected dtype is {expected.dtype})"
        print(f"Correct!{note}")
        return True
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    with np.errstate(invalid="ignore"):
        err = np.abs(a - b)
    worst = float(np.nanmax(err)) if np.isfinite(err).any() else float("nan")
    where = f"index {first}" if first else "the value"
    print(
        f"Not yet: {len(wrong)} of {got.size} entries of {name} differ. First at {where}: "
        f"got {_fmt(got[first].item())}, expected {_fmt(expected[first].item())}. "
        f"Largest absolute error: {_fmt(worst)}."
    )
    return False


def check_value(answer, expected, name="answer", rtol=1e-5, atol=1e-8):
    """Compare a single number with the expected one; print a verdict and return it.

    Parameters
    ----------
    answer : object
        The reader's answer: a Python or NumPy number, a 0-d array or a one-element tensor;
        anything else gets a message.
    expected : int, float, or bool
        The right answer, computed by the caller with the companion.
    name : str, default "answer"
        How the message calls the answer.
    rtol, atol : float, default 1e-5, 1e-8
        Relative and absolute tolerance: right when ``|answer - expected| <= atol + rtol * |expected|``.

    Returns
    -------
    bool
        True if the answer is right.

    Raises
    ------
    TypeError, ValueError
        Only for a wrong call of the checker.

    Examples
    --------
    >>> check_value(-6, -6)
    Correct!
    True
    >>> check_value(0.3333, 1 / 3)
    Not yet: answer is 0.3333, expected 0.333333 (off by 3.33333e-05).
    False
    >>> check_value([1, 2], 3)
    Not yet: answer should be one number, got an array of shape (2,).
    False
    """
    _check_options(name, rtol, atol)
    if isinstance(expected, np.generic):
        expected = expected.item()
    if not isinstance(expected, (numbers.Real, bool)):
        raise TypeError(f"expected must be a number, got {type(expected).__name__}")
    got, problem = _answer_array(answer, name)
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    is_tensor = type(answer).__module__.startswith("torch")
    if got.ndim > 0 and not (is_tensor and got.size == 1):
        print(f"Not yet: {name} should be one number, got an array of shape {got.shape}.")
        return False
    value = got.reshape(-1)[0].item()
    if np.isclose(float(value), float(expected), rtol=rtol, atol=atol):
        print("Correct!")
        return True
    off = abs(float(value) - float(expected))
    print(f"Not yet: {name} is {_fmt(value)}, expected {_fmt(expected)} (off by {_fmt(off)}).")
    return False


def check_inverted(answer, image):
    """Check the negative of an image (chapter 1): ``255 - I`` for integers, ``1 - x`` for floats.

    The expected answer is ``companion.invert(image)``.

    Parameters
    ----------
    answer : object
        The reader's inverted image, same shape as ``image``.
    image : array_like, any shape
        The original image, integers 0-255 or floats in [0, 1].

    Returns
    -------
    bool

    Examples
    --------
    >>> image = np.array([[0, 100], [200, 255]], dtype=np.uint8)
    >>> check_inverted(255 - image, image)
    Correct!
    True
    >>> check_inverted(-image, image)
    Not yet: 4 of 4 entries of your inverted image differ. First at index (0, 0): got 0, expected 255. Largest absolute error: 255.
    False
    """
    from .representation import invert

    return check_array(answer, invert(image), name="your inverted image")


def check_patch_mean(answer, image, top, left, height, width):
    """Check the mean brightness of a rectangular patch (chapter 1).

    The expected answer is the mean of ``companion.crop(image, top, left, height, width)``:
    the ``height`` x ``width`` block whose top-left pixel is ``(top, left)``.

    Parameters
    ----------
    answer : object
        The reader's mean, one number.
    image : array_like, shape (H, W)
        The image.
    top, left : int
        Row and column of the patch's top-left pixel, at least 0.
    height, width : int
        Size of the patch, at least 1; the patch must fit in the image.

    Returns
    -------
    bool

    Examples
    --------
    >>> image = np.arange(16).reshape(4, 4)
    >>> check_patch_mean(7.5, image, top=1, left=1, height=2, width=2)
    Correct!
    True
    """
    from .representation import crop

    image = as_array(image, "image", ndim=2)
    patch = crop(image, top, left, height, width)
    return check_value(answer, float(patch.mean()), name="your patch mean")


def check_layout(answer, image):
    """Check an ``(H, W, C)`` image moved to PyTorch's ``(C, H, W)`` layout (chapter 1).

    The expected answer is ``companion.hwc_to_chw(image)``. A common slip, reshaping
    instead of moving the axis, gets its own hint.

    Parameters
    ----------
    answer : object
        The reader's ``(C, H, W)`` array.
    image : array_like, shape (H, W, C)
        The image with its channels last.

    Returns
    -------
    bool

    Examples
    --------
    >>> rgb = np.arange(24).reshape(2, 4, 3)
    >>> check_layout(rgb.transpose(2, 0, 1), rgb)
    Correct!
    True
    >>> check_layout(rgb.reshape(3, 2, 4), rgb)  # doctest: +ELLIPSIS
    Not yet: ...Hint: reshape keeps the order of the numbers in memory...
    False
    """
    from .representation import hwc_to_chw

    image = as_array(image, "image", ndim=3)
    expected = hwc_to_chw(image)
    got, _ = _answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.allclose(got, expected):
        if np.array_equal(got, image.reshape(expected.shape)):
            print(
                "Not yet: the shape is right but the numbers are in the wrong places. Hint: "
                "reshape keeps the order of the numbers in memory, so channel values get mixed "
                "up; move the channel axis with np.transpose(image, (2, 0, 1)) instead."
            )
            return False
    return check_array(answer, expected, name="your (C, H, W) array")


def check_output_size(answer, n, kernel_size, stride=1, padding=0, dilation=1):
    """Check a predicted output size, ``floor((n + 2p - d(k - 1) - 1) / s) + 1`` (chapter 2).

    The expected answer is ``companion.conv_output_size(n, kernel_size, stride, padding,
    dilation)``.

    Parameters
    ----------
    answer : object
        The reader's prediction, an int.
    n : int
        Input length (height or width).
    kernel_size, stride, padding, dilation : int
        As in ``torch.nn.functional.conv2d``; defaults 1, 0, 1 for the last three.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_output_size(3, n=7, kernel_size=3, stride=2)
    Correct!
    True
    >>> check_output_size(2, n=7, kernel_size=3, stride=2)
    Not yet: your output size is 2, expected 3 (off by 1).
    False
    """
    from .convolution import conv_output_size

    for label, v in (("n", n), ("kernel_size", kernel_size), ("stride", stride),
                     ("padding", padding), ("dilation", dilation)):
        check_int(v, label)
    expected = conv_output_size(n, kernel_size, stride, padding, dilation)
    return check_value(answer, int(expected), name="your output size")
