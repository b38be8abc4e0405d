"""Argument checks shared by the public functions: the one rule for bad input.

Every public entry point validates its input with these helpers *before* doing any
work, so that bad input produces an error that names the argument and what it got, in
the style of PyTorch, instead of an obscure error from deep inside NumPy. The rule:

* ``TypeError`` when the argument is of the wrong **kind** (a string where a number is
  wanted, a float where an int is wanted, a number where a name is wanted);
* ``ValueError`` when it is of the right kind but a wrong **value** (out of range, an
  unknown name, the wrong shape).

=========================  ==========================================================
helper                     checks
=========================  ==========================================================
:func:`as_array`           an array of numbers (tensors become NumPy arrays), its
                           dimensions and size; :func:`as_float` also makes it float
:func:`check_int`          an int with a lower bound; :func:`pair` an int or a pair
:func:`check_real`         a real number in a range
:func:`check_choice`       one of a few names
:func:`check_unit_interval`  the values of an array lie in [0, 1]
:func:`check_bool`         a bool (``True``/``False``), not an int
:func:`check_reduction`    a loss's ``reduction``, with PyTorch's legacy
                           ``size_average`` and ``reduce``
:func:`check_cross_entropy`  the arguments of cross-entropy and its gradient
:func:`check_loss_pair`    a loss's input and target of one shape, and its weight
:func:`check_grad_out`     the upstream gradient of a backward pass has the shape of
                           the forward output
:func:`to_numpy`           a ``torch.Tensor`` as a NumPy array (anything else unchanged)
=========================  ==========================================================
"""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []


def to_numpy(x):
    """A ``torch.Tensor`` detached and moved to the CPU as a NumPy array; anything else as is.

    Torch is never imported here: a tensor is recognised by the module of its type.

    >>> to_numpy([1, 2])
    [1, 2]
    """
    if type(x).__module__.startswith("torch"):
        return x.detach().cpu().numpy()
    return x


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
    x = to_numpy(x)
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
    >>> pair((4,), "kernel_size")
    (4, 4)
    """
    if isinstance(value, (tuple, list)):
        if len(value) not in (1, 2):
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        a = check_int(value[0], name, None)
        b = check_int(value[-1], name, None)  # a 1-tuple stands for both axes, as in PyTorch
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


def check_real(value, name, *, minimum=None, above=None, below=None, finite=False, described=None):
    """Return ``value`` after checking that it is a real number in a range.

    ``bool`` is not a number here. ``nan`` fails every bound.

    Parameters
    ----------
    value : object
        The value to check; returned unchanged (its type is kept, so that a NumPy scalar
        keeps its dtype in later arithmetic).
    name : str
        The argument name used in error messages.
    minimum : float, optional
        ``value >= minimum`` is required.
    above, below : float, optional
        ``value > above`` and ``value < below`` are required.
    finite : bool, default False
        Whether ``inf`` is refused.
    described : str, optional
        What a right value is, for the ``ValueError``: "{name} must be {described}, got ...".
        Default: the bounds, e.g. "at least 0".

    Raises
    ------
    TypeError
        If ``value`` is not a real number: "{name} must be a number, got str: 'x'".
    ValueError
        If it is out of range.

    Examples
    --------
    >>> check_real(0.5, "lr", above=0)
    0.5
    >>> check_real(-1, "lr", above=0, described="a positive number")
    Traceback (most recent call last):
    ...
    ValueError: lr must be a positive number, got -1
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}: {value!r}")
    ok = not (finite and not np.isfinite(value))
    ok = ok and (minimum is None or value >= minimum)
    ok = ok and (above is None or value > above)
    ok = ok and (below is None or value < below)
    ok = ok and value == value  # nan
    if not ok:
        if described is None:
            bounds = [f"at least {minimum}" if minimum is not None else None,
                      f"greater than {above}" if above is not None else None,
                      f"less than {below}" if below is not None else None]
            described = " and ".join(b for b in bounds if b) or "a number"
            described = f"finite and {described}" if finite else described
        raise ValueError(f"{name} must be {described}, got {value!r}")
    return value


def check_choice(value, name, choices, *, described=None, kind=None, allow_none=False):
    """Return ``value`` after checking that it is one of the names ``choices``.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The argument name used in error messages.
    choices : collection of str
        The accepted names.
    described : str, optional
        What a right value is: "{name} must be {described}, got ...". Default
        "one of 'a', 'b', 'c'".
    kind : str, optional
        What a right value is in the ``TypeError``; default ``described``.
    allow_none : bool, default False
        Whether ``None`` is accepted (and returned).

    Raises
    ------
    TypeError
        If ``value`` is not a string (nor an allowed ``None``).
    ValueError
        If it is a string but not one of ``choices``.

    Examples
    --------
    >>> check_choice("max", "mode", ("max", "avg"))
    'max'
    >>> check_choice("maxx", "mode", ("max", "avg"))
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of 'max', 'avg', got 'maxx'
    >>> check_choice(1, "mode", ("max", "avg"))
    Traceback (most recent call last):
    ...
    TypeError: mode must be one of 'max', 'avg', got int: 1
    """
    if described is None:
        described = "one of " + ", ".join(repr(c) for c in choices)
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {kind or described}, got {type(value).__name__}: {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be {described}, got {value!r}")
    return value


def check_unit_interval(a, name, what="values"):
    """Check that every entry of the float array ``a`` lies in [0, 1] (``nan`` does not).

    The error names the first entry outside: "{name} must hold {what} in [0, 1], got 1.5".

    >>> check_unit_interval(np.array([0.0, 0.5, 1.0]), "p")
    >>> check_unit_interval(np.array([0.5, 1.5]), "p")
    Traceback (most recent call last):
    ...
    ValueError: p must hold values in [0, 1], got 1.5
    """
    inside = (a >= 0) & (a <= 1)  # False for nan
    if not np.all(inside):
        bad = a[~inside].flat[0]
        raise ValueError(f"{name} must hold {what} in [0, 1], got {bad}")


def check_bool(value, name):
    """Return ``value`` after checking that it is a bool (NumPy's included), as a Python bool.

    >>> check_bool(True, "ceil_mode")
    True
    >>> check_bool(1, "ceil_mode")
    Traceback (most recent call last):
    ...
    TypeError: ceil_mode must be True or False, got int: 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r}")
    return bool(value)


def check_reduction(size_average, reduce, reduction):
    """The reduction of a loss: ``"none"``, ``"mean"`` or ``"sum"``, checked.

    PyTorch's deprecated ``size_average`` and ``reduce`` (each ``None`` or a bool), when
    either is given, override ``reduction`` as in PyTorch: ``reduce=False`` gives ``"none"``,
    else ``size_average=False`` gives ``"sum"``, else ``"mean"``.

    >>> check_reduction(None, None, "sum")
    'sum'
    >>> check_reduction(False, None, "mean")
    'sum'
    >>> check_reduction(None, None, "avg")
    Traceback (most recent call last):
    ...
    ValueError: reduction must be one of 'none', 'mean', 'sum', got 'avg'
    """
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else check_bool(size_average, "size_average")
        reduce = True if reduce is None else check_bool(reduce, "reduce")
        if not reduce:
            return "none"
        elif not size_average:
            return "sum"
        else:
            return "mean"
    return check_choice(reduction, "reduction", ("none", "mean", "sum"))


def check_loss_pair(input, target, weight=None, *, weight_rule="broadcast"):
    """A loss's ``input`` and ``target`` as float arrays of one shape, and its ``weight``.

    ``weight`` (optional) must broadcast to that shape (``weight_rule="broadcast"``, as
    ``binary_cross_entropy``) or have it exactly (``"same"``, as ``mse_loss``).
    """
    input = as_float(input, "input")
    target = as_float(target, "target")
    if input.shape != target.shape:
        raise ValueError(f"target of shape {target.shape} must have the same shape as input, {input.shape}")
    if weight is not None:
        weight = as_float(weight, "weight")
        if weight_rule == "same":
            ok = weight.shape == input.shape
        elif weight_rule == "broadcast":
            ok = weight.ndim <= input.ndim and all(
                a in (1, b) for a, b in zip(weight.shape[::-1], input.shape[::-1])
            )
        else:  # pragma: no cover - the callers pass one of the two
            raise ValueError(f"weight_rule must be 'broadcast' or 'same', got {weight_rule!r}")
        if not ok:
            how = "the shape of" if weight_rule == "same" else "a shape that broadcasts to"
            raise ValueError(f"weight must have {how} input, {input.shape}, got {weight.shape}")
    return input, target, weight


def check_cross_entropy(input, target, weight, ignore_index, label_smoothing):
    """The arguments of ``cross_entropy`` and its gradient, checked as PyTorch does.

    ``input`` is ``(C,)`` or ``(N, C, d_1, ..., d_K)`` (the classes on axis 1, or 0 when
    1-D); ``target`` holds class indices of the input's shape without the class axis, or
    class probabilities of the input's shape (a float array). Returns ``input, target,
    weight, class_axis, probabilities`` (the last a bool).
    """
    z = as_float(input, "input")
    if z.ndim == 0:
        raise ValueError("input must be at least 1-D, (C,) or (N, C, d_1, ...), got a 0-d array")
    axis = 1 if z.ndim >= 2 else 0
    c = z.shape[axis]
    target = as_array(target, "target")
    ignore_index = check_int(ignore_index, "ignore_index")
    check_real(label_smoothing, "label_smoothing", minimum=0, described="in [0, 1]")
    if label_smoothing > 1:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    if weight is not None:
        weight = as_float(weight, "weight", 1)
        if weight.shape != (c,):
            raise ValueError(f"weight must have shape (C,) = ({c},) for input of shape {z.shape}, got {weight.shape}")
    probabilities = target.shape == z.shape
    if probabilities:
        if target.dtype.kind != "f":
            raise TypeError(
                f"target of the input's shape {z.shape} holds class probabilities and must be a float "
                f"array, got dtype {target.dtype}"
            )
        if ignore_index >= 0:
            raise ValueError(f"ignore_index={ignore_index} is not supported with class-probability targets")
        return z, target, weight, axis, True
    if target.dtype.kind not in "iu":
        raise TypeError(f"target must hold integer class indices, got an array of dtype {target.dtype}")
    expected = z.shape[:axis] + z.shape[axis + 1 :]
    if target.shape != expected:
        raise ValueError(
            f"target must have shape {expected} to match input of shape {z.shape}, got shape {target.shape}"
        )
    outside = ((target < 0) | (target >= c)) & (target != ignore_index)
    if np.any(outside):
        raise ValueError(f"target must be class indices in [0, {c}) for C={c} classes, got {target[outside].flat[0]}")
    return z, target, weight, axis, False


def check_grad_out(grad_out, expected_shape, what):
    """The upstream gradient of a backward pass as a float array of the forward output's shape.

    ``what`` names the forward function in the error: "grad_out must have the shape of the
    conv2d output, (1, 1, 2, 2), got (1, 1, 2, 3)".
    """
    grad_out = as_float(grad_out, "grad_out", len(expected_shape))
    if grad_out.shape != tuple(expected_shape):
        raise ValueError(
            f"grad_out must have the shape of the {what} output, {tuple(expected_shape)}, "
            f"got {grad_out.shape}"
        )
    return grad_out
