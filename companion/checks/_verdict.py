"""What every exercise check shares: reading the reader's answer, the wording of a verdict,
and running a check quietly to reuse its message.

The rule of every check: a wrong answer never raises, whatever its kind (``None`` because a
function forgot to ``return``, a list, a string, the wrong shape); it gets a message and
``False``. Only a mistake in *calling the check* (what the book's author passes) raises,
and it raises first, before the reader's answer is looked at, so that an author's typo is
found even while the answer is still ``None``.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from .._validation import check_real, to_numpy

__all__: list[str] = []


def check_options(name, rtol, atol):
    """Check the options of the generic checks: a ``name`` and two tolerances >= 0."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    for label, tol in (("rtol", rtol), ("atol", atol)):
        check_real(tol, label, minimum=0, described="at least 0")


def answer_array(answer, name):
    """The reader's answer as a numeric array, or ``(None, message)`` saying why not."""
    if answer is None:
        return None, f"{name} is None. Did your function forget to `return` its result?"
    if isinstance(answer, (str, bytes)):
        return None, f"{name} is a {type(answer).__name__} ({answer!r:.40}), not numbers."
    try:
        arr = np.asarray(to_numpy(answer))
    except (ValueError, TypeError):
        return None, f"{name} is not a rectangular array (rows of different lengths?)."
    if arr.dtype.kind not in "biuf":
        return None, f"{name} does not hold numbers (a {type(answer).__name__} of dtype {arr.dtype})."
    return arr, None


def single_number(answer):
    """The reader's answer as a float when it is one number (any shape of size 1), else None."""
    got, _ = answer_array(answer, "answer")
    if got is not None and got.size == 1:
        return float(got.reshape(-1)[0])
    return None


def fmt(v):
    """A number as a verdict writes it: six significant digits for a float."""
    return f"{v:.6g}" if isinstance(v, float) else f"{v}"


def not_answered(**values):
    """Print a note and return True when an exercise's answer is still ``None``."""
    missing = [name for name, value in values.items() if value is None]
    if missing:
        print(f"Not answered yet: replace None by your {' and '.join(missing)}, then run the cell again.")
        return True
    return False


def answer_dict(answer, keys, kind=None):
    """True when ``answer`` is a dict with every one of ``keys``; otherwise print what is
    wrong and return False. ``kind`` names the dict expected in that message (default: "a
    dict with the keys [...]")."""
    keys = list(keys)
    if not isinstance(answer, dict):
        print(f"Not yet: answer should be {kind or f'a dict with the keys {keys}'}, got a {type(answer).__name__}.")
        return False
    missing = [k for k in keys if k not in answer]
    if missing:
        print(f"Not yet: answer has no entry for {missing}; it needs the keys {keys}.")
        return False
    return True


def float_answer(answer):
    """Integer answers worked out by hand compare as floats, without a dtype note."""
    got, problem = answer_array(answer, "answer")
    if problem is None and got.dtype.kind in "biu":
        return got.astype(np.float64)
    return answer


def like_answer(answer, expected):
    """``expected`` as integers when both it and the answer are integers (no dtype note)."""
    got, _ = answer_array(answer, "answer")
    if got is not None and got.dtype.kind in "iu" and np.array_equal(expected, np.round(expected)):
        return expected.astype(np.int64)
    return expected


def quietly(check, *args, **kwargs):
    """Run a checker without printing; return (verdict, its message without "Not yet: ")."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ok = check(*args, **kwargs)
    message = buf.getvalue().strip()
    return ok, message[len("Not yet: "):] if message.startswith("Not yet: ") else message


def read_numbers(answer, name):
    """The reader's answer as a numeric array; None, after printing why, when it is not one."""
    got, problem = answer_array(answer, name)
    if problem is not None:
        print(f"Not yet: {problem}")
    return got


def is_function(func):
    """Whether the reader passed a function; if not, print that the function itself is wanted."""
    if not callable(func):
        print(f"Not yet: pass your function itself (without parentheses), got a {type(func).__name__}.")
        return False
    return True


def call_function(func, args, where=""):
    """``(True, func(*args))``, or ``(False, None)`` after printing the exception the reader's
    function raised (``where`` is added to the message, e.g. " on an image of shape (5, 5)")."""
    try:
        return True, func(*args)
    except Exception as exc:  # the reader's code may raise anything
        print(f"Not yet: your function raised {type(exc).__name__} ({exc}){where}.")
        return False, None
