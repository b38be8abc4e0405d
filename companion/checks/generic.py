"""The generic checks: an array answer (:func:`check_array`) or a number (:func:`check_value`)
against the expected one, which the chapter checks compute with the companion.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_array
from ._verdict import check_options, fmt, not_answered, quietly, read_numbers, single_number

# check_number is the shared body of several chapter checks, not a check of the book: it is
# not re-exported.
__all__ = ["check_array", "check_value"]


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
    check_options(name, rtol, atol)
    if not isinstance(check_dtype, bool):
        raise TypeError(f"check_dtype must be a bool, got {type(check_dtype).__name__}")
    expected = as_array(expected, "expected", allow_empty=True)
    got = read_numbers(answer, name)
    if got is None:
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
        f"got {fmt(got[first].item())}, expected {fmt(expected[first].item())}. "
        f"Largest absolute error: {fmt(worst)}."
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
    check_options(name, rtol, atol)
    if isinstance(expected, np.generic):
        expected = expected.item()
    if not isinstance(expected, (numbers.Real, bool)):
        raise TypeError(f"expected must be a number, got {type(expected).__name__}")
    got = read_numbers(answer, name)
    if got is None:
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
    print(f"Not yet: {name} is {fmt(value)}, expected {fmt(expected)} (off by {fmt(off)}).")
    return False


def check_number(answer, expected, *, what="answer", name="answer", rtol=0.0, atol=1e-9, hint=None,
                 correct="Correct!"):
    """The body the chapter checks share when the answer is one number (a count, a position).

    Not one of the book's checks itself (the chapters call it with their expected value):
    says "Not answered yet" for ``None``, compares the answer with :func:`check_value`, and
    prints ``correct`` or the verdict followed by ``hint(value)``, where ``value`` is the
    answer as a float when it is one number and None otherwise.

    Parameters
    ----------
    answer : object
        The reader's answer.
    expected : int or float
        The right answer, computed by the chapter check with the companion.
    what : str, default "answer"
        How "Not answered yet: replace None by your ..." calls the answer.
    name : str, default "answer"
        How the verdict calls the answer.
    rtol, atol : float, defaults 0 and 1e-9
        Tolerances (the defaults accept only the exact count).
    hint : callable, optional
        ``hint(value) -> str``, text added after a wrong verdict (start it with a space).
    correct : str, default "Correct!"
        What a right answer prints.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_number(12, 12)
    Correct!
    True
    >>> check_number(10, 12, hint=lambda v: " Count again." if v is not None else "")
    Not yet: answer is 10, expected 12 (off by 2). Count again.
    False
    """
    if not_answered(**{what: answer}):
        return False
    ok, message = quietly(check_value, answer, expected, name=name, rtol=rtol, atol=atol)
    if ok:
        print(correct)
        return True
    print(f"Not yet: {message}{'' if hint is None else hint(single_number(answer))}")
    return False
