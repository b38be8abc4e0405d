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

from .._validation import as_array, check_int

__all__ = [
    "check_array",
    "check_value",
    "check_inverted",
    "check_patch_mean",
    "check_layout",
    "check_brightened",
    "check_output_size",
    "check_conv_cell",
    "check_conv_output",
    "check_same_padding",
    "check_shift_kernel",
    "check_correlate2d",
    "check_convolve2d",
    "check_combined_kernel",
    "check_activation",
    "check_collapsed_linear",
    "check_vanishing_depth",
    "check_abs_network",
    "check_pool_output",
    "check_pooled_size",
    "check_multiply_adds",
    "check_avg_pool_as_conv",
    "check_max_pool_counterexample",
    "check_max_pool_backward",
    "check_conv2d_backward",
    "check_gradient",
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
    from ..representation import invert

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
    from ..representation import crop

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
    from ..representation import hwc_to_chw

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
    from ..convolution import conv_output_size

    for label, v in (("n", n), ("kernel_size", kernel_size), ("stride", stride),
                     ("padding", padding), ("dilation", dilation)):
        check_int(v, label)
    expected = conv_output_size(n, kernel_size, stride, padding, dilation)
    return check_value(answer, int(expected), name="your output size")


def check_brightened(answer, image, amount):
    """Check an 8-bit image brightened by ``amount`` without wrap-around (chapter 1).

    The expected answer is ``companion.to_uint8(companion.to_float(image) + amount / 255)``:
    every pixel ``amount`` levels brighter, clipped at 255 (white) and 0 (black), still
    ``uint8``. Adding to a ``uint8`` array directly wraps around (``250 + 10 = 4``); that
    slip gets its own hint.

    Parameters
    ----------
    answer : object
        The reader's brightened image, same shape as ``image``, dtype ``uint8``.
    image : array_like of int, any shape
        The original image, integers 0-255.
    amount : int
        Gray levels to add (negative darkens).

    Returns
    -------
    bool

    Examples
    --------
    >>> image = np.array([[0, 100], [200, 250]], dtype=np.uint8)
    >>> check_brightened(np.array([[60, 160], [255, 255]], dtype=np.uint8), image, 60)
    Correct!
    True
    >>> check_brightened(image + 60, image, 60)  # doctest: +ELLIPSIS
    Not yet: ...wrapped around...
    False
    """
    from ..representation import to_float, to_uint8

    image = as_array(image, "image", dtype_kind="iu")
    amount = check_int(amount, "amount")
    if _not_answered(answer=answer):
        return False
    expected = to_uint8(np.clip(to_float(image) + amount / 255.0, 0.0, 1.0))
    got, _ = _answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.array_equal(got, expected):
        wrapped = ((image.astype(np.int64) + amount) % 256).astype(np.uint8)
        if np.array_equal(got, wrapped):
            print(
                "Not yet: the bright pixels wrapped around (uint8 arithmetic is modulo 256, so "
                "250 + 10 gives 4). Hint: compute in a wider type (np.int16 or floats), clip to "
                "0..255, then convert back with .astype(np.uint8)."
            )
            return False
    if got is not None and got.shape == expected.shape and np.array_equal(got, expected) \
            and got.dtype != np.uint8:
        print(f"Not yet: the values are right, but the dtype is {got.dtype}; store the image as "
              "uint8 again (.astype(np.uint8)).")
        return False
    return check_array(answer, expected, name="your brightened image")


# --- chapter 3: activation functions -------------------------------------------------------

def _not_answered(**values):
    """Print a note and return True when an exercise's answer is still ``None``."""
    missing = [name for name, value in values.items() if value is None]
    if missing:
        print(f"Not answered yet: replace None by your {' and '.join(missing)}, then run the cell again.")
        return True
    return False


def _float_answer(answer):
    """Integer answers worked out by hand compare as floats, without a dtype note."""
    got, problem = _answer_array(answer, "answer")
    if problem is None and got.dtype.kind in "biu":
        return got.astype(np.float64)
    return answer

_ACTIVATIONS = ("relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softmax")


def check_activation(answer, name, x, atol=1e-3):
    """Check the values of an activation function or its derivative at ``x`` (chapter 3).

    The expected answer is ``companion.<name>(x)``. The default tolerance accepts values
    worked out by hand to three decimals.

    Parameters
    ----------
    answer : object
        The reader's values, same shape as ``x``.
    name : str
        One of ``"relu"``, ``"relu_grad"``, ``"sigmoid"``, ``"sigmoid_grad"``, ``"tanh"``,
        ``"tanh_grad"``, ``"softmax"`` (along the last axis).
    x : array_like, any shape
        Where the function is evaluated.
    atol : float, default 1e-3
        Absolute tolerance.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_activation([0, 0, 2], "relu", [-1.0, 0.0, 2.0])
    Correct!
    True
    >>> check_activation([0.0, 1.0, 1.0], "relu_grad", [-1.0, 0.0, 2.0])
    Not yet: 1 of 3 entries of your relu_grad values differ. First at index (1,): got 1, expected 0. Largest absolute error: 1. Note: ReLU'(0) = 0 by convention.
    False
    """
    if _not_answered(**{f"{name} values": answer}):
        return False
    from .. import activation

    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name not in _ACTIVATIONS:
        raise ValueError(f"name must be one of {', '.join(_ACTIVATIONS)}; got {name!r}")
    expected = getattr(activation, name)(x)
    answer = _float_answer(answer)
    label = f"your {name} values"
    if name != "relu_grad":
        return check_array(answer, expected, name=label, rtol=0.0, atol=atol)
    x_arr = np.asarray(x, dtype=np.float64)
    got, _ = _answer_array(answer, label)
    at_zero = (x_arr == 0)
    if (got is not None and got.shape == expected.shape and at_zero.any()
            and np.allclose(got[~at_zero], expected[~at_zero], atol=atol)
            and not np.allclose(got[at_zero], 0.0, atol=atol)):
        # A wrong value only at the kink: say which convention the book uses.
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            check_array(answer, expected, name=label, rtol=0.0, atol=atol)
        print(buf.getvalue().rstrip("\n") + " Note: ReLU'(0) = 0 by convention.")
        return False
    return check_array(answer, expected, name=label, rtol=0.0, atol=atol)


def check_collapsed_linear(weight, bias, w1, b1, w2, b2):
    """Check the single layer ``(W, b)`` that equals two affine layers in a row (chapter 3).

    Two layers ``x -> W2 (W1 x + b1) + b2`` equal one, ``x -> W x + b``, with
    ``W = W2 W1`` and ``b = W2 b1 + b2``. The expected ``W`` and ``b`` are computed with
    ``companion.linear``: ``W`` as the two layers (without biases) applied to the identity
    matrix, ``b`` as the two layers applied to the zero vector.

    Parameters
    ----------
    weight : object
        The reader's ``W``, shape ``(out2, in1)``.
    bias : object
        The reader's ``b``, shape ``(out2,)``.
    w1, b1 : array_like, shapes (out1, in1) and (out1,)
        The first layer.
    w2, b2 : array_like, shapes (out2, out1) and (out2,)
        The second layer.

    Returns
    -------
    bool
        True if both ``W`` and ``b`` are right.

    Examples
    --------
    >>> w1, b1 = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 0.0])
    >>> w2, b2 = np.array([[1.0, 1.0]]), np.array([0.5])
    >>> check_collapsed_linear([[1.0, 2.0]], [1.5], w1, b1, w2, b2)
    Correct!
    Correct!
    True
    """
    if _not_answered(W=weight, b=bias):
        return False
    from ..layers import linear

    w1 = as_array(w1, "w1", ndim=2)
    w2 = as_array(w2, "w2", ndim=2)
    eye = np.eye(w1.shape[1])
    expected_w = linear(linear(eye, w1), w2).T          # columns: images of the unit vectors
    expected_b = linear(linear(np.zeros(w1.shape[1]), w1, b1), w2, b2)
    ok_w = check_array(weight, expected_w, name="your W")
    ok_b = check_array(bias, expected_b, name="your b")
    return ok_w and ok_b


def check_vanishing_depth(answer, threshold=1e-6):
    """Check the smallest depth ``L`` with ``(max sigma')^L < threshold`` (chapter 3).

    The largest slope of the sigmoid is ``companion.sigmoid_grad(0) = 1/4``; the expected
    answer is the smallest integer ``L >= 1`` with ``sigmoid_grad(0) ** L < threshold``.

    Parameters
    ----------
    answer : object
        The reader's depth, an int.
    threshold : float, default 1e-6
        Strictly between 0 and 1.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_vanishing_depth(10, threshold=1e-6)
    Correct!
    True
    >>> check_vanishing_depth(9, threshold=1e-6)
    Not yet: your depth is 9, expected 10 (off by 1). At L = 9 the bound is 3.8147e-06.
    False
    """
    if _not_answered(depth=answer):
        return False
    from ..activation import sigmoid_grad

    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a number, got {type(threshold).__name__}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold}")
    factor = float(sigmoid_grad(0.0))
    depth = 1
    while factor ** depth >= threshold:
        depth += 1
    got, problem = _answer_array(answer, "your depth")
    if (problem is None and got.ndim == 0 and got.dtype.kind in "iuf" and float(got) >= 1
            and float(got) == int(got) and int(got) != depth):
        print(f"Not yet: your depth is {int(got)}, expected {depth} (off by {abs(int(got) - depth)}). "
              f"At L = {int(got)} the bound is {factor ** int(got):.5g}.")
        return False
    return check_value(answer, depth, name="your depth")


def check_abs_network(w1, b1, w2, b2):
    """Check a one-hidden-layer ReLU network meant to compute ``|x|`` (chapter 3).

    The network is ``x -> linear(relu(linear(x, w1, b1)), w2, b2)`` (companion functions),
    evaluated at 41 points from -5 to 5 and compared with ``np.abs``.

    Parameters
    ----------
    w1 : object
        Shape ``(H, 1)``: one input, ``H`` hidden units.
    b1 : object
        Shape ``(H,)``.
    w2 : object
        Shape ``(1, H)``: one output.
    b2 : object
        Shape ``(1,)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_abs_network([[1.0], [-1.0]], [0.0, 0.0], [[1.0, 1.0]], [0.0])
    Correct!
    True
    >>> check_abs_network([[1.0], [-1.0]], [0.0, 0.0], [[1.0, -1.0]], [0.0])
    Not yet: at x = -5 your network gives -5, |x| = 5 (wrong at 20 of 41 points).
    False
    """
    if _not_answered(w1=w1, b1=b1, w2=w2, b2=b2):
        return False
    from ..activation import relu
    from ..layers import linear

    params = {}
    for name, value, ndim in (("w1", w1, 2), ("b1", b1, 1), ("w2", w2, 2), ("b2", b2, 1)):
        got, problem = _answer_array(value, name)
        if problem is not None:
            print(f"Not yet: {problem}")
            return False
        if got.ndim != ndim:
            print(f"Not yet: {name} should have {ndim} dimension(s), got shape {got.shape}.")
            return False
        params[name] = got.astype(np.float64)
    h = params["w1"].shape[0]
    expected_shapes = {"w1": (h, 1), "b1": (h,), "w2": (1, h), "b2": (1,)}
    for name, shape in expected_shapes.items():
        if params[name].shape != shape:
            print(f"Not yet: with {h} hidden unit(s), {name} should have shape {shape}, "
                  f"got {params[name].shape}.")
            return False
    xs = np.linspace(-5.0, 5.0, 41)[:, None]
    out = linear(relu(linear(xs, params["w1"], params["b1"])), params["w2"], params["b2"])[:, 0]
    want = np.abs(xs[:, 0])
    wrong = ~np.isclose(out, want, rtol=1e-6, atol=1e-9)
    if not wrong.any():
        print("Correct!")
        return True
    k = int(np.argmax(wrong))
    print(f"Not yet: at x = {xs[k, 0]:.3g} your network gives {out[k]:.6g}, |x| = {want[k]:.6g} "
          f"(wrong at {int(wrong.sum())} of {wrong.size} points).")
    return False


# --- chapter 4: pooling ----------------------------------------------------------------------


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
    if _not_answered(**{f"{mode}-pooled matrix": answer}):
        return False
    from ..pooling import avg_pool2d, max_pool2d

    if mode == "max":
        expected = max_pool2d(x, kernel_size, stride, padding)
    elif mode == "avg":
        expected = avg_pool2d(x, kernel_size, stride, padding)
    else:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    return check_array(_float_answer(answer), expected, name=f"your {mode}-pooled matrix", rtol=0.0, atol=1e-3)


def check_pooled_size(answer, n, kernel_size, stride=None, padding=0):
    """Check a predicted pooling output size, ``floor((n + 2p - k) / s) + 1`` (chapter 4).

    The expected answer is ``companion.conv_output_size(n, kernel_size, stride, padding)``
    with the pooling default ``stride = kernel_size`` (dilation 1).

    Parameters
    ----------
    answer : object
        The reader's prediction, an int.
    n : int
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
    >>> check_pooled_size(5, n=11, kernel_size=2)
    Correct!
    True
    >>> check_pooled_size(6, n=11, kernel_size=2)
    Not yet: your pooled size is 6, expected 5 (off by 1).
    False
    """
    if _not_answered(**{"pooled size": answer}):
        return False
    from ..convolution import conv_output_size

    kernel_size = check_int(kernel_size, "kernel_size")
    stride = kernel_size if stride is None else check_int(stride, "stride")
    expected = conv_output_size(check_int(n, "n"), kernel_size, stride, check_int(padding, "padding"))
    return check_value(answer, int(expected), name="your pooled size")


def check_multiply_adds(answer, n, in_channels, out_channels, kernel_size, stride=1, padding=0):
    """Check the multiply-add count of a convolution on an ``n x n`` input (chapter 4).

    The expected answer is ``H_out * W_out * C_out * C_in * k * k`` with
    ``H_out = W_out = companion.conv_output_size(n, k, stride, padding)``: one multiply-add
    per weight per output position (the bias adds are not counted).

    Parameters
    ----------
    answer : object
        The reader's count, an int.
    n : int
        Height and width of the input.
    in_channels, out_channels, kernel_size : int
    stride : int, default 1
    padding : int, default 0

    Returns
    -------
    bool

    Examples
    --------
    >>> check_multiply_adds(11 * 11 * 64 * 32 * 9, n=13, in_channels=32, out_channels=64, kernel_size=3)
    Correct!
    True
    """
    if _not_answered(count=answer):
        return False
    from ..convolution import conv_output_size

    c_in = check_int(in_channels, "in_channels", minimum=1)
    c_out = check_int(out_channels, "out_channels", minimum=1)
    k = check_int(kernel_size, "kernel_size", minimum=1)
    side = conv_output_size(check_int(n, "n"), k, stride, padding)
    expected = int(side) * int(side) * c_out * c_in * k * k
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
    if _not_answered(weight=weight, stride=stride):
        return False
    from ..convolution import conv2d, conv_output_size
    from ..pooling import avg_pool2d

    k = check_int(kernel_size, "kernel_size", minimum=1)
    x = np.random.default_rng(0).normal(size=(1, 1, 8, 8))
    expected = avg_pool2d(x, k)
    got, problem = _answer_array(weight, "your weight")
    if problem is not None:
        print(f"Not yet: {problem}")
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
    if _not_answered(a=a, b=b):
        return False
    from ..pooling import max_pool2d

    k = check_int(kernel_size, "kernel_size", minimum=1)
    arrays = []
    for name, value in (("a", a), ("b", b)):
        got, problem = _answer_array(value, name)
        if problem is not None:
            print(f"Not yet: {problem}")
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
    if np.allclose(left, right):
        print(f"Not yet: for these a and b both sides equal {np.array2string(left, separator=', ')}. "
              "Try a and b whose maxima sit in different places of a window.")
        return False
    print(f"Correct! max_pool(a + b) = {np.array2string(left, separator=', ')}, "
          f"but max_pool(a) + max_pool(b) = {np.array2string(right, separator=', ')}.")
    return True


# --------------------------------------------------------------------------- chapter 2


def _quietly(check, *args, **kwargs):
    """Run a checker without printing; return (verdict, its message without "Not yet: ")."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ok = check(*args, **kwargs)
    message = buf.getvalue().strip()
    return ok, message[len("Not yet: "):] if message.startswith("Not yet: ") else message


def _like_answer(answer, expected):
    """``expected`` as integers when both it and the answer are integers (no dtype note)."""
    got, _ = _answer_array(answer, "answer")
    if got is not None and got.dtype.kind in "iu" and np.array_equal(expected, np.round(expected)):
        return expected.astype(np.int64)
    return expected


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
    from ..convolution import conv2d

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
    if _not_answered(value=answer):
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
    from ..convolution import conv2d

    image = as_array(image, "image", ndim=2)
    kernel = as_array(kernel, "kernel", ndim=2)
    expected = conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding,
                      dilation=dilation)[0, 0]
    if _not_answered(output=answer):
        return False
    return check_array(answer, _like_answer(answer, expected), name="your output")


def check_same_padding(answer, n, kernel_size, dilation=1):
    """Check the padding that keeps the size of an input with stride 1 (chapter 2).

    The expected padding ``p`` is the one for which ``companion.conv_output_size(n,
    kernel_size, padding=p, dilation=dilation) == n``, that is ``p = d (k - 1) / 2``.

    Parameters
    ----------
    answer : object
        The reader's padding, an int.
    n : int
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
    from ..convolution import conv_output_size

    n = check_int(n, "n", 1)
    kernel_size = check_int(kernel_size, "kernel_size", 1)
    dilation = check_int(dilation, "dilation", 1)
    span = dilation * (kernel_size - 1)
    if span % 2:
        raise ValueError(
            f"no padding keeps the size for kernel_size={kernel_size}, dilation={dilation}: "
            f"d (k - 1) = {span} is odd"
        )
    expected = span // 2  # n + 2p - d(k - 1) - 1 + 1 = n
    if conv_output_size(n, kernel_size, padding=expected, dilation=dilation) != n:  # pragma: no cover
        raise RuntimeError("conv_output_size disagrees with the same-padding rule")
    if _not_answered(padding=answer):
        return False
    ok = check_value(answer, expected, name="your padding")
    if not ok and isinstance(answer, numbers.Integral) and not isinstance(answer, bool) and answer >= 0:
        try:
            size = conv_output_size(n, kernel_size, padding=int(answer), dilation=dilation)
        except ValueError:
            print(f"With padding {answer} the kernel does not fit at all.")
        else:
            print(f"With padding {answer} the output length is {size}, not {n}.")
    return ok


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
    from ..convolution import correlate2d

    down = check_int(down, "down")
    right = check_int(right, "right")
    if abs(down) > 3 or abs(right) > 3:
        raise ValueError(f"down and right must be between -3 and 3, got ({down}, {right})")
    image = (np.arange(1, 49).reshape(6, 8) % 11 + 1).astype(np.float64)
    h, w = image.shape
    expected = np.zeros_like(image)
    expected[max(down, 0):h + min(down, 0), max(right, 0):w + min(right, 0)] = \
        image[max(-down, 0):h - max(down, 0), max(-right, 0):w - max(right, 0)]
    if _not_answered(kernel=answer):
        return False
    kernel, problem = _answer_array(answer, "your kernel")
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
    if not callable(func):
        print(f"Not yet: pass your function itself (without parentheses), got a {type(func).__name__}.")
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
        try:
            got = func(image.copy(), kernel.copy())
        except Exception as exc:  # the reader's code may raise anything
            print(f"Not yet: your function raised {type(exc).__name__} ({exc}) on an {case}.")
            return False
        ok, message = _quietly(check_array, got, reference(image, kernel), name="your result")
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
    from ..convolution import correlate2d

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
    from ..convolution import convolve2d

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
    from ..convolution import convolve2d, correlate2d

    first = as_array(first, "first", ndim=2)
    second = as_array(second, "second", ndim=2)
    expected = convolve2d(first, second)
    if _not_answered(**{"combined kernel": answer}):
        return False
    got, _ = _answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.allclose(got, expected):
        if np.allclose(got, correlate2d(first, second, mode="full")) or np.allclose(
            got, correlate2d(second, first, mode="full")
        ):
            print(
                "Not yet: that is a cross-correlation of the two kernels. Write out the double "
                "sum: the indices of one kernel run backwards, as in true convolution."
            )
            return False
    return check_array(answer, _like_answer(answer, expected), name="your combined kernel")


# --------------------------------------------------------------------------- chapter 7


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
    from ..backprop import max_pool2d_backward

    x = _grad_input_shape(x, "x", (2, 3, 4))
    expected = max_pool2d_backward(grad_out, x, kernel_size, stride, padding)
    if _not_answered(**{"dL/dX": answer}):
        return False
    got, _ = _answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.allclose(got, expected):
        if np.isclose(got.sum(), expected.sum()):
            print(
                "Not yet: the total is right but some gradient sits in the wrong cell. Each window "
                "passes its upstream value to the maximum of each window (the first one, reading "
                "row by row, when several tie); the other cells of the window get 0."
            )
            check_array(got.astype(np.float64), expected, name="your dL/dX")
            return False
    return check_array(_float_answer(answer), expected, name="your dL/dX")


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
    from ..backprop import conv2d_backward
    from ..convolution import correlate2d

    if wrt not in ("weight", "input", "bias"):
        raise ValueError(f"wrt must be 'weight', 'input' or 'bias', got {wrt!r}")
    x = _grad_input_shape(x, "x", (2, 4))
    weight = _grad_input_shape(weight, "weight", (x.ndim,))
    grad_out = _grad_input_shape(grad_out, "grad_out", (x.ndim,))
    flat = x.ndim == 2
    x4, w4, g4 = (a[None, None] if flat else a for a in (x, weight, grad_out))
    gx, gw, gb = conv2d_backward(g4, x4, w4, stride, padding, dilation)
    if _not_answered(**{{"input": "dL/dX", "weight": "dL/dK", "bias": "dL/db"}[wrt]: answer}):
        return False
    if wrt == "bias":
        if flat:
            return check_value(answer, float(gb[0]), name="your dL/db")
        return check_array(_float_answer(answer), gb, name="your dL/db")
    expected = {"input": gx, "weight": gw}[wrt]
    if flat:
        expected = expected[0, 0]
    name = {"input": "your dL/dX", "weight": "your dL/dK"}[wrt]
    got, _ = _answer_array(answer, "answer")
    if (flat and got is not None and got.shape == expected.shape and not np.allclose(got, expected)
            and got.ndim == 2 and np.allclose(got[::-1, ::-1], expected)):
        print(f"Not yet: {name} is the right matrix turned by 180 degrees. Check which index runs "
              "forwards: write the sum term by term for one entry.")
        return False
    if (flat and wrt == "input" and got is not None and got.shape == expected.shape
            and stride == 1 and padding == 0 and dilation == 1
            and np.allclose(got, correlate2d(grad_out, weight, mode="full"))):
        print("Not yet: that is the full cross-correlation of dL/dS with K. The input gradient "
              "is the full *convolution*: the kernel is turned by 180 degrees.")
        return False
    return check_array(_float_answer(answer), expected, name=name)


def check_gradient(answer, f, x, rtol=1e-5, atol=1e-7, eps=1e-6):
    """Gradient check: compare an analytic gradient with central differences (chapter 7).

    The expected answer is ``companion.numerical_gradient(f, x, eps)``. The verdict also
    prints the largest relative error ``|a - n| / max(|a|, |n|, 1e-12)``, the number gradient
    checks report.

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
    from ..backprop import numerical_gradient

    if not callable(f):
        raise TypeError(f"f must be a callable returning a scalar, got {type(f).__name__}")
    x = as_array(x, "x").astype(np.float64)
    if _not_answered(gradient=answer):
        return False
    try:
        expected = numerical_gradient(f, x, eps)
    except Exception as exc:  # the reader's f: report, never raise
        print(f"Not yet: f could not be evaluated at x ({type(exc).__name__}: {exc}).")
        return False
    got, problem = _answer_array(answer, "your gradient")
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    if got.shape != expected.shape:
        return check_array(got, expected, name="your gradient", rtol=rtol, atol=atol)
    a = got.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(a - expected) / np.maximum(np.maximum(np.abs(a), np.abs(expected)), 1e-12)
    worst = float(np.nanmax(rel)) if rel.size else 0.0
    if np.allclose(a, expected, rtol=rtol, atol=atol):
        print(f"Correct! Largest relative error {worst:.1e}.")
        return True
    check_array(got, expected, name="your gradient", rtol=rtol, atol=atol)
    return False


# ---------------------------------------------------------------------------------------
# Chapter 6: dense layers, softmax and loss
# ---------------------------------------------------------------------------------------

__all__ += [
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
    from ..filters import linear_param_count

    expected = linear_param_count(in_features, out_features, bias=bias)
    if _not_answered(answer=answer):
        return False
    ok, message = _quietly(check_value, _float_answer(answer), expected, rtol=0.0, atol=1e-9)
    if ok:
        print("Correct!")
        return True
    hint = ""
    got, _ = _answer_array(answer, "answer")
    if bias and got is not None and got.size == 1 and float(got.reshape(-1)[0]) == in_features * out_features:
        hint = f" Did you count the {out_features} biases?"
    print(f"Not yet: {message}{hint}")
    return False


def check_flatten_index(answer, shape, index):
    """Check where entry ``index`` of a ``shape`` feature map lands after flattening (chapter 6).

    The expected position is found with ``companion.flatten`` itself: the entries of
    ``np.arange`` laid out in ``shape`` are flattened, and the position of the entry at
    ``index`` is looked up.

    Parameters
    ----------
    answer : int or None
        The reader's position, counted from 0.
    shape : tuple of int
        The shape of one example, such as ``(C, H, W)`` (no batch axis).
    index : tuple of int
        The entry, such as ``(c, i, j)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_flatten_index(5, (2, 2, 3), (0, 1, 2))
    Correct!
    True
    >>> check_flatten_index(6, (2, 2, 3), (1, 0, 0))
    Correct!
    True
    """
    from ..layers import flatten

    shape = tuple(check_int(s, "shape", minimum=1) for s in shape)
    index = tuple(check_int(i, "index", minimum=0) for i in index)
    if len(index) != len(shape) or any(i >= s for i, s in zip(index, shape)):
        raise ValueError(f"index {index} is not an entry of an array of shape {shape}")
    grid = np.arange(int(np.prod(shape))).reshape(shape)
    flat = flatten(grid[None])[0]
    expected = int(np.flatnonzero(flat == grid[index])[0])
    if _not_answered(answer=answer):
        return False
    ok, message = _quietly(check_value, _float_answer(answer), expected, rtol=0.0, atol=1e-9)
    if ok:
        print("Correct!")
        return True
    got, _ = _answer_array(answer, "answer")
    hint = ""
    if got is not None and got.size == 1 and len(shape) == 3:
        c, i, j = index
        _, h, w = shape
        if float(got.reshape(-1)[0]) == (i * w + j) * shape[0] + c:
            hint = " That is the channels-last (H, W, C) order of Keras; PyTorch keeps each channel together."
        elif float(got.reshape(-1)[0]) == expected + 1:
            hint = " Positions are counted from 0."
    print(f"Not yet: {message}{hint}")
    return False


def check_cross_entropy(answer, logits, target, atol=1e-3):
    """Check a cross-entropy worked out by hand (chapter 6).

    The expected answer is ``companion.cross_entropy(logits, target)`` for one example, the
    negative log of the softmax probability of the true class. The default tolerance
    accepts three decimals.

    Parameters
    ----------
    answer : float or None
    logits : array_like, shape (K,)
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
    from ..layers import cross_entropy

    expected = cross_entropy(np.asarray(logits, dtype=np.float64), np.asarray(target))
    if _not_answered(answer=answer):
        return False
    ok, message = _quietly(check_value, answer, expected, rtol=0.0, atol=atol)
    if ok:
        print("Correct!")
        return True
    got, _ = _answer_array(answer, "answer")
    hint = ""
    if got is not None and got.size == 1 and float(got.reshape(-1)[0]) < 0:
        hint = " A cross-entropy is never negative: -log p with p <= 1."
    print(f"Not yet: {message}{hint}")
    return False


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
    from ..convolution import conv_output_size
    from ..filters import conv_param_count, linear_param_count

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
    if _not_answered(answer=answer):
        return False
    ok, message = _quietly(check_value, _float_answer(answer), expected, rtol=0.0, atol=1e-9)
    if ok:
        print(f"Correct! ({' + '.join(str(p) for p in parts)} = {expected})")
        return True
    print(f"Not yet: {message} Layer by layer the count is {' + '.join(['?'] * len(parts))}: "
          f"the flattened vector has {c_in} x {side} x {side} = {c_in * side * side} entries.")
    return False


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
    from ..activation import sigmoid, softmax

    if not callable(func):
        print(f"Not yet: pass your function itself (without parentheses), got a {type(func).__name__}.")
        return False
    z = np.array([-3.0, -0.5, 0.0, 0.25, 2.0, 5.0])
    try:
        got = func(z.copy())
    except Exception as exc:  # the reader's code may raise anything
        print(f"Not yet: your function raised {type(exc).__name__} ({exc}).")
        return False
    arr, problem = _answer_array(got, "your result")
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    if arr.shape != (z.size, 2):
        print(f"Not yet: for z of shape {z.shape} your result has shape {arr.shape}, expected {(z.size, 2)}.")
        return False
    ok, message = _quietly(check_array, softmax(arr.astype(np.float64))[:, 1], sigmoid(z), name="the probability of class 1")
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
    from ..layers import flatten, linear

    if not callable(func):
        print(f"Not yet: pass your function itself (without parentheses), got a {type(func).__name__}.")
        return False
    rng = np.random.default_rng(6)
    cases = [(2, 3, 3, 4), (3, 2, 4, 5), (4, 5, 5, 2)]
    for c, h, w, out in cases:
        x = rng.normal(size=(1, c, h, w))
        kernel = rng.normal(size=(h * w * c, out))
        keras_y = x.transpose(0, 2, 3, 1).reshape(1, -1) @ kernel
        case = f"for C, H, W = {(c, h, w)} and {out} outputs"
        try:
            weight = func(kernel.copy(), c, h, w)
        except Exception as exc:  # the reader's code may raise anything
            print(f"Not yet: your function raised {type(exc).__name__} ({exc}) {case}.")
            return False
        arr, problem = _answer_array(weight, "your weight")
        if problem is None and arr.shape != (out, c * h * w):
            problem = f"your weight has shape {arr.shape}, expected {(out, c * h * w)}."
        if problem is not None:
            print(f"Not yet: {case}, {problem}")
            return False
        ok, message = _quietly(check_array, linear(flatten(x), arr.astype(np.float64)), keras_y,
                               name="the outputs with your weight")
        if not ok:
            print(f"Not yet: {case}, {message}")
            return False
    print(f"Correct! Your weight gives the Keras outputs on {len(cases)} random cases.")
    return True


# --- chapter 8: the whole network ---------------------------------------------------------

__all__ += [
    "check_network_shapes",
    "check_tiny_cnn_param_count",
    "check_sgd_update",
    "check_runner_up",
    "check_confusion_matrix",
]

_SHAPE_KEYS = ("conv", "pooled", "flat", "logits")


def check_network_shapes(answer, image_size=28, n_filters=8, kernel_size=3, pool_size=2, n_classes=10):
    """Check the shapes of a :class:`companion.TinyCNN` forward pass for one image (chapter 8).

    The expected shapes are those of ``TinyCNN(...).forward`` on a batch of one image of
    shape ``(1, 1, image_size, image_size)``: the convolution output (ReLU keeps it), the
    pooled maps, the flattened vector and the logits.

    Parameters
    ----------
    answer : dict or None
        ``{"conv": shape, "pooled": shape, "flat": shape, "logits": shape}``, each a tuple
        that includes the batch axis of size 1.
    image_size, n_filters, kernel_size, pool_size, n_classes : int
        The network, as in :class:`companion.TinyCNN`; defaults 28, 8, 3, 2, 10.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_network_shapes({"conv": (1, 8, 26, 26), "pooled": (1, 8, 13, 13),
    ...                       "flat": (1, 1352), "logits": (1, 10)})
    Correct!
    True
    >>> check_network_shapes({"conv": (1, 8, 28, 28), "pooled": (1, 8, 14, 14),
    ...                       "flat": (1, 1568), "logits": (1, 10)})
    Not yet: conv is (1, 8, 28, 28), expected (1, 8, 26, 26). Without padding a k x k kernel fits n - k + 1 times across a side of n.
    False
    """
    from ..model import TinyCNN

    net = TinyCNN(n_filters=n_filters, kernel_size=kernel_size, pool_size=pool_size, n_classes=n_classes,
                  image_size=image_size)
    logits, cache = net.forward(np.zeros((1, 1, image_size, image_size)))
    expected = {"conv": cache["conv"].shape, "pooled": cache["pooled"].shape, "flat": cache["flat"].shape,
                "logits": logits.shape}
    if _not_answered(answer=answer):
        return False
    if not isinstance(answer, dict):
        print(f"Not yet: answer should be a dict with the keys {list(_SHAPE_KEYS)}, got a {type(answer).__name__}.")
        return False
    missing = [k for k in _SHAPE_KEYS if k not in answer]
    if missing:
        print(f"Not yet: answer has no entry for {missing}; it needs the keys {list(_SHAPE_KEYS)}.")
        return False
    hints = {
        "conv": " Without padding a k x k kernel fits n - k + 1 times across a side of n.",
        "pooled": " Pooling with window and stride p keeps floor(n / p) of n positions.",
        "flat": " Flattening keeps the batch axis and multiplies the other three.",
        "logits": " The dense layer gives one score per class.",
    }
    for key in _SHAPE_KEYS:
        try:
            got = tuple(int(v) for v in answer[key])
        except (TypeError, ValueError):
            print(f"Not yet: {key} should be a tuple of ints such as (1, 8, 26, 26), got {answer[key]!r:.40}.")
            return False
        if got != expected[key]:
            hint = hints[key]
            if got == expected[key][1:]:
                hint = " Include the batch axis (of size 1) first."
            print(f"Not yet: {key} is {got}, expected {expected[key]}.{hint}")
            return False
    print("Correct!")
    return True


def check_tiny_cnn_param_count(answer, n_filters=8, kernel_size=3, pool_size=2, n_classes=10, image_size=28):
    """Check the number of learned numbers of a :class:`companion.TinyCNN` (chapter 8).

    The expected count is the total size of the arrays in ``TinyCNN(...).params``: the
    kernels ``K``, their biases ``b``, the dense weights ``W`` and their biases ``c``.

    Parameters
    ----------
    answer : int or None
    n_filters, kernel_size, pool_size, n_classes, image_size : int
        The network, as in :class:`companion.TinyCNN`; defaults 8, 3, 2, 10, 28.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_tiny_cnn_param_count(13610)
    Correct! (K 72 + b 8 + W 13520 + c 10 = 13610)
    True
    >>> check_tiny_cnn_param_count(13592)
    Not yet: answer is 13592, expected 13610 (off by 18). Did you count the 8 + 10 biases?
    False
    """
    from ..model import TinyCNN

    net = TinyCNN(n_filters=n_filters, kernel_size=kernel_size, pool_size=pool_size, n_classes=n_classes,
                  image_size=image_size)
    sizes = {name: int(arr.size) for name, arr in net.params.items()}
    expected = sum(sizes.values())
    if _not_answered(answer=answer):
        return False
    ok, message = _quietly(check_value, _float_answer(answer), expected, rtol=0.0, atol=1e-9)
    if ok:
        parts = " + ".join(f"{name} {size}" for name, size in sizes.items())
        print(f"Correct! ({parts} = {expected})")
        return True
    got, _ = _answer_array(answer, "answer")
    hint = ""
    if got is not None and got.size == 1:
        value = float(got.reshape(-1)[0])
        if value == sizes["K"] + sizes["W"]:
            hint = f" Did you count the {sizes['b']} + {sizes['c']} biases?"
        elif value == sizes["K"] + sizes["b"] + n_classes * n_filters * (image_size - kernel_size + 1) ** 2 + sizes["c"]:
            hint = " The dense layer sees the pooled maps, not the convolution output."
    print(f"Not yet: {message}{hint}")
    return False


def check_sgd_update(answer, net, x, targets, lr):
    """Check one gradient-descent step of a :class:`companion.TinyCNN` on one batch (chapter 8).

    The expected new parameters are ``companion.sgd_step(param, grad, lr)`` for every
    parameter, with the gradients of ``net.loss_and_grads(x, targets)``. ``net`` is not
    changed.

    Parameters
    ----------
    answer : dict of str to array_like, or None
        The new ``"K"``, ``"b"``, ``"W"``, ``"c"``.
    net : companion.TinyCNN
        The network before the step.
    x : ndarray, shape (N, 1, H, W)
    targets : ndarray of int, shape (N,)
    lr : float
        The learning rate.

    Returns
    -------
    bool

    Examples
    --------
    >>> from companion.model import TinyCNN
    >>> net = TinyCNN(n_filters=2, image_size=6, n_classes=3)
    >>> x, t = np.ones((2, 1, 6, 6)), np.array([0, 2])
    >>> _, g = net.loss_and_grads(x, t)
    >>> check_sgd_update({k: net.params[k] - 0.1 * g[k] for k in net.params}, net, x, t, 0.1)
    Correct! Every parameter moved by -lr times its gradient.
    True
    """
    from ..backprop import sgd_step

    _, grads = net.loss_and_grads(x, targets)
    expected = {name: sgd_step(value, grads[name], lr) for name, value in net.params.items()}
    if _not_answered(answer=answer):
        return False
    if not isinstance(answer, dict):
        print(f"Not yet: answer should be a dict with the keys {list(expected)}, got a {type(answer).__name__}.")
        return False
    missing = [k for k in expected if k not in answer]
    if missing:
        print(f"Not yet: answer has no entry for {missing}; it needs the keys {list(expected)}.")
        return False
    for name, want in expected.items():
        got, problem = _answer_array(answer[name], name)
        if problem is None and got.shape != want.shape:
            problem = f"{name} has shape {got.shape}, expected {want.shape}."
        if problem is not None:
            print(f"Not yet: {problem}")
            return False
        if np.allclose(got, want, rtol=1e-7, atol=1e-10):
            continue
        old = net.params[name]
        if np.allclose(got, old + lr * grads[name], rtol=1e-7, atol=1e-10):
            hint = " That is a step up the gradient: subtract lr * grad."
        elif np.allclose(got, old, rtol=0, atol=0):
            hint = " It has not changed: did you store the result of the step?"
        else:
            hint = ""
        _, message = _quietly(check_array, got, want, name=name, rtol=1e-7, atol=1e-10)
        print(f"Not yet: {message}{hint}")
        return False
    print("Correct! Every parameter moved by -lr times its gradient.")
    return True


def check_runner_up(answer, net, image):
    """Check the second most probable class of a :class:`companion.TinyCNN` for one image (chapter 8).

    The expected answer is the class with the second largest softmax probability,
    ``argsort(companion.softmax(logits))[-2]``, where the logits come from
    ``net.forward``.

    Parameters
    ----------
    answer : int or None
    net : companion.TinyCNN
    image : ndarray, shape (H, W), (1, H, W) or (1, 1, H, W)
        One image, floats in [0, 1].

    Returns
    -------
    bool

    Examples
    --------
    >>> from companion.model import TinyCNN
    >>> net = TinyCNN(n_filters=2, image_size=6, n_classes=3)
    >>> net.params["c"] = np.array([0.0, 2.0, 1.0])
    >>> check_runner_up(2, net, np.zeros((6, 6)))
    Correct! Class 2 has probability 0.245, after class 1 with 0.665.
    True
    """
    from ..activation import softmax

    arr = as_array(image, "image", ndim=(2, 3, 4)).astype(np.float64)
    x = arr.reshape((1, 1) + arr.shape[-2:])
    probs = softmax(net.forward(x)[0][0])
    order = np.argsort(probs, kind="stable")[::-1]
    first, second = int(order[0]), int(order[1])
    if _not_answered(answer=answer):
        return False
    got, problem = _answer_array(answer, "answer")
    if problem is None and got.size != 1:
        problem = f"answer should be one class, got an array of shape {got.shape}."
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    value = got.reshape(-1)[0].item()
    if value == second:
        print(f"Correct! Class {second} has probability {probs[second]:.3f}, after class {first} with {probs[first]:.3f}.")
        return True
    if value == first:
        print(f"Not yet: class {first} is the network's first choice (the prediction); the runner-up comes second.")
    else:
        print(f"Not yet: class {value} is not the second most probable class. Sort the softmax probabilities.")
    return False


def check_confusion_matrix(answer, targets, predictions, n_classes=10):
    """Check a confusion matrix: rows true classes, columns predicted classes (chapter 8).

    The expected answer is ``companion.confusion_matrix(targets, predictions, n_classes)``.

    Parameters
    ----------
    answer : array_like of int, shape (n_classes, n_classes), or None
    targets, predictions : array_like of int, shape (N,)
    n_classes : int, default 10

    Returns
    -------
    bool

    Examples
    --------
    >>> check_confusion_matrix([[1, 1], [0, 2]], [0, 0, 1, 1], [0, 1, 1, 1], n_classes=2)
    Correct!
    True
    >>> check_confusion_matrix([[1, 0], [1, 2]], [0, 0, 1, 1], [0, 1, 1, 1], n_classes=2)
    Not yet: that is the transpose. Rows are the true classes, columns the predictions.
    False
    """
    from ..model import confusion_matrix

    expected = confusion_matrix(targets, predictions, n_classes)
    if _not_answered(answer=answer):
        return False
    got, problem = _answer_array(answer, "answer")
    if problem is None and got.shape == expected.shape and not np.array_equal(expected, expected.T) \
            and np.array_equal(got, expected.T):
        print("Not yet: that is the transpose. Rows are the true classes, columns the predictions.")
        return False
    return check_array(_float_answer(answer), expected.astype(np.float64), name="your matrix", rtol=0.0, atol=1e-9)


# --- chapter 5: multiple filters and feature maps --------------------------------------------

__all__ += [
    "check_conv_param_count",
    "check_multichannel_cell",
    "check_shape_after_layers",
    "check_luma_filter",
    "check_pattern_kernel",
]


def check_conv_param_count(answer, in_channels, out_channels, kernel_size, bias=True):
    """Check the number of parameters of a convolutional layer (chapter 5).

    The expected answer is ``companion.conv_param_count(in_channels, out_channels,
    kernel_size, bias)``, that is :math:`C_{out} C_{in} k_H k_W + C_{out}` with a bias.

    Parameters
    ----------
    answer : int or None
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    bias : bool, default True

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
    """
    from ..filters import conv_param_count
    from .._validation import pair

    expected = conv_param_count(in_channels, out_channels, kernel_size, bias=bias)
    if _not_answered(answer=answer):
        return False
    ok, message = _quietly(check_value, _float_answer(answer), expected, rtol=0.0, atol=1e-9)
    if ok:
        print("Correct!")
        return True
    k_h, k_w = pair(kernel_size, "kernel_size", 1)
    hint = ""
    got, _ = _answer_array(answer, "answer")
    if got is not None and got.size == 1 and got.dtype.kind in "biuf":
        value = float(got.reshape(-1)[0])
        weights = out_channels * in_channels * k_h * k_w
        if bias and value == weights:
            hint = f" Did you count the {out_channels} biases?"
        elif in_channels > 1 and value in (out_channels * k_h * k_w + out_channels * bias,
                                           out_channels * k_h * k_w):
            hint = (f" Each filter is C_in = {in_channels} channels deep: count its "
                    f"{in_channels} x {k_h} x {k_w} weights.")
        elif not bias and value == weights + out_channels:
            hint = " This layer has no bias."
    print(f"Not yet: {message}{hint}")
    return False


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
    from ..convolution import conv2d, correlate2d

    x = as_array(x, "x", ndim=3)
    weight = as_array(weight, "weight", ndim=4)
    if weight.shape[1] != x.shape[0]:
        raise ValueError(f"weight has {weight.shape[1]} input channels but x has {x.shape[0]}")
    out = conv2d(x[None], weight, bias)[0]
    o, i, j = check_int(o, "o", 0), check_int(i, "i", 0), check_int(j, "j", 0)
    if o >= out.shape[0] or i >= out.shape[1] or j >= out.shape[2]:
        raise ValueError(f"(o, i, j) = ({o}, {i}, {j}) is outside the output of shape {out.shape}")
    if _not_answered(value=answer):
        return False
    name = f"your value of output ({o}, {i}, {j})"
    ok, message = _quietly(check_value, _float_answer(answer), float(out[o, i, j]), name=name)
    if ok:
        print("Correct!")
        return True
    hint = ""
    got, _ = _answer_array(answer, "answer")
    if got is not None and got.size == 1 and got.dtype.kind in "biuf":
        value = float(got.reshape(-1)[0])
        parts = [float(correlate2d(x[c], weight[o, c])[i, j]) for c in range(x.shape[0])]
        b = 0.0 if bias is None else float(np.asarray(bias, dtype=np.float64).reshape(-1)[o])
        for c, part in enumerate(parts):
            if x.shape[0] > 1 and (np.isclose(value, part) or (b != 0 and np.isclose(value, part + b))):
                hint = f" That is the sum over input channel {c} alone: add the other channels' sums."
                break
        else:
            if b != 0 and np.isclose(value, sum(parts)):
                hint = f" Did you add the bias b_{o} = {_fmt(b)}?"
    print(f"Not yet: {message}{hint}")
    return False


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
    from ..convolution import conv_output_size

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
    if _not_answered(shape=answer):
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
    from ..representation import LUMA_WEIGHTS

    kernel = as_array(kernel, "kernel", ndim=2)
    if not isinstance(weights, str) or weights not in LUMA_WEIGHTS:
        raise ValueError(f"weights must be one of {sorted(LUMA_WEIGHTS)}, got {weights!r}")
    luma = np.asarray(LUMA_WEIGHTS[weights], dtype=np.float64)
    expected = (luma[:, None, None] * kernel.astype(np.float64))[None]
    if _not_answered(weight=weight):
        return False
    return check_array(weight, expected, name="your weight")


def check_pattern_kernel(kernel, image, top, left):
    """Check a kernel designed to find a pattern: its strongest response must be there (chapter 5).

    The kernel is applied by cross-correlation (``companion.correlate2d``, ``"valid"``) to
    ``image``; the largest output must be at ``(top, left)``, the top-left corner of the
    pattern's window, and larger than every other output by at least 1e-9 (a tie does
    not count as finding the pattern).

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
    Correct! The strongest response, 3, is at (1, 1); the runner-up is 2 at (0, 1).
    True
    >>> check_pattern_kernel(np.ones((3, 3)), image, top=1, left=1)
    Not yet: the strongest response, 3, is reached at 3 places, (1, 0) among them; make the pattern's response the only maximum.
    False
    """
    from ..convolution import correlate2d

    image = as_array(image, "image", ndim=2)
    if _not_answered(kernel=kernel):
        return False
    got, problem = _answer_array(kernel, "your kernel")
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    if got.ndim != 2 or got.shape[0] > image.shape[0] or got.shape[1] > image.shape[1]:
        print(f"Not yet: your kernel should be a 2-D array no larger than the image {image.shape}, "
              f"got shape {got.shape}.")
        return False
    response = correlate2d(image, got.astype(np.float64))
    top, left = check_int(top, "top", 0), check_int(left, "left", 0)
    if top >= response.shape[0] or left >= response.shape[1]:
        raise ValueError(f"(top, left) = ({top}, {left}) is outside the response of shape {response.shape}")
    best = float(response.max())
    at_best = np.argwhere(response >= best - 1e-9)
    where = tuple(int(v) for v in at_best[0])
    if len(at_best) > 1:
        print(f"Not yet: the strongest response, {_fmt(best)}, is reached at {len(at_best)} places, "
              f"{where} among them; make the pattern's response the only maximum.")
        return False
    if where != (top, left):
        print(f"Not yet: the strongest response, {_fmt(best)}, is at {where}, not at the pattern "
              f"({top}, {left}), where it is {_fmt(float(response[top, left]))}.")
        return False
    rest = response.copy()
    rest[top, left] = -np.inf
    second = np.unravel_index(int(np.argmax(rest)), rest.shape)
    print(f"Correct! The strongest response, {_fmt(best)}, is at {where}; the runner-up is "
          f"{_fmt(float(rest[second]))} at {tuple(int(v) for v in second)}.")
    return True
