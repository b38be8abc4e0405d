"""Argument checks shared by the public functions.

Every public entry point validates its input with these helpers *before* doing any
work, so that bad input produces a ``TypeError`` or ``ValueError`` that names the
argument and what it got, in the style of PyTorch, instead of an obscure error from
deep inside NumPy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []


def as_array(x, name, ndim=None, *, allow_empty=False, dtype_kind="biuf"):
    """Return ``x`` as a NumPy array after checking its type, dimension and size.

    Parameters
    ----------
    x : array_like or torch.Tensor
        The value to check. Tensors are detached and moved to the CPU.
    name : str
        The argument name used in error messages.
    ndim : int or tuple of int, optional
        The allowed number(s) of dimensions. ``None`` (default) allows any.
    allow_empty : bool, default False
        Whether an array with zero elements is accepted.
    dtype_kind : str, default "biuf"
        The allowed NumPy dtype kinds (bool, signed int, unsigned int, float).

    Returns
    -------
    numpy.ndarray
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a {type(x).__name__}: {x!r:.40}")
    if x is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    if type(x).__module__.startswith("torch"):
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers, got {type(x).__name__}") from exc
    if arr.dtype.kind not in dtype_kind:
        raise TypeError(f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def as_float(x, name, ndim=None, **kwargs):
    """Like :func:`as_array`, then converted to a floating dtype (float64 for integer input)."""
    arr = as_array(x, name, ndim, **kwargs)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def check_int(value, name, minimum=None):
    """Return ``value`` as a Python int, checking its type and lower bound."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def pair(value, name, minimum=None):
    """Normalise an int or a pair of ints to a ``(int, int)`` tuple, as PyTorch does.

    >>> pair(3, "stride")
    (3, 3)
    >>> pair((1, 2), "padding", minimum=0)
    (1, 2)
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        a = check_int(value[0], name, None)
        b = check_int(value[1], name, None)
        out = (a, b)
    else:
        try:
            v = check_int(value, name, None)
        except TypeError:
            raise TypeError(
                f"{name} must be an int or a pair of ints, got {type(value).__name__}: {value!r}"
            ) from None
        out = (v, v)
    if minimum is not None and min(out) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return out
