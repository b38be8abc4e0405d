"""Chapter 3, activation functions: values and derivatives (the ReLU family included), two
linear layers in one, the vanishing gradient, a ReLU network for ``|x|``, dead units.
"""

from __future__ import annotations

import numpy as np

from .. import activation
from .._validation import as_array, check_choice, check_real
from ..activation import relu, sigmoid_grad
from ..layers import linear
from ._verdict import answer_array, float_answer, not_answered, quietly, read_numbers
from .generic import check_array, check_number, check_value

__all__ = [
    "check_activation",
    "check_collapsed_linear",
    "check_vanishing_depth",
    "check_abs_network",
    "check_dead_units",
]


_ACTIVATIONS = ("relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softmax",
                "leaky_relu", "leaky_relu_grad", "elu", "elu_grad", "gelu", "gelu_grad")
_KINK_NOTES = {"relu_grad": "ReLU'(0) = 0 by convention.",
               "leaky_relu_grad": "LeakyReLU'(0) = 0.01, the negative slope, by convention (as PyTorch)."}


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
        ``"tanh_grad"``, ``"softmax"`` (along the last axis), ``"leaky_relu"``,
        ``"leaky_relu_grad"`` (negative slope 0.01), ``"elu"``, ``"elu_grad"``
        (:math:`\alpha = 1`), ``"gelu"``, ``"gelu_grad"`` (the exact form), each with
        its default arguments.
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
    check_choice(name, "name", _ACTIVATIONS, described=f"one of {', '.join(_ACTIVATIONS)}", kind="a str")
    expected = getattr(activation, name)(as_array(x, "x"))  # the error names this function's argument
    if not_answered(**{f"{name} values": answer}):
        return False
    answer = float_answer(answer)
    label = f"your {name} values"
    if name not in _KINK_NOTES:
        return check_array(answer, expected, name=label, rtol=0.0, atol=atol)
    x_arr = np.asarray(x, dtype=np.float64)
    got, _ = answer_array(answer, label)
    at_zero = (x_arr == 0)
    if (got is not None and got.shape == expected.shape and at_zero.any()
            and np.allclose(got[~at_zero], expected[~at_zero], atol=atol, rtol=1e-5)
            and not np.allclose(got[at_zero], expected[at_zero], atol=atol, rtol=1e-5)):
        # A wrong value only at the kink: say which convention the book uses.
        _, message = quietly(check_array, answer, expected, name=label, rtol=0.0, atol=atol)
        print(f"Not yet: {message} Note: {_KINK_NOTES[name]}")
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
        True if both ``W`` and ``b`` are right; one "Correct!" then, else a line for each
        wrong one.

    Examples
    --------
    >>> w1, b1 = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 0.0])
    >>> w2, b2 = np.array([[1.0, 1.0]]), np.array([0.5])
    >>> check_collapsed_linear([[1.0, 2.0]], [1.5], w1, b1, w2, b2)
    Correct!
    True
    """
    w1 = as_array(w1, "w1", ndim=2)
    w2 = as_array(w2, "w2", ndim=2)
    eye = np.eye(w1.shape[1])
    expected_w = linear(linear(eye, w1), w2).T          # columns: images of the unit vectors
    expected_b = linear(linear(np.zeros(w1.shape[1]), w1, b1), w2, b2)
    if not_answered(W=weight, b=bias):
        return False
    verdicts = [quietly(check_array, weight, expected_w, name="your W"),
                quietly(check_array, bias, expected_b, name="your b")]
    if all(ok for ok, _ in verdicts):
        print("Correct!")
        return True
    for ok, message in verdicts:
        if not ok:
            print(f"Not yet: {message}")
    return False


def check_vanishing_depth(answer, threshold=1e-6):
    """Check the smallest depth ``D`` with ``(max sigma')^D < threshold`` (chapter 3).

    The largest slope of the sigmoid is ``companion.sigmoid_grad(0) = 1/4``; the expected
    answer is the smallest integer ``D >= 1`` with ``sigmoid_grad(0) ** D < threshold``.

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
    Not yet: your depth is 9, expected 10 (off by 1). At D = 9 the bound is 3.8147e-06.
    False
    """
    check_real(threshold, "threshold", above=0, below=1, described="strictly between 0 and 1")
    factor = float(sigmoid_grad(0.0))
    depth = 1
    while factor ** depth >= threshold:
        depth += 1
    if not_answered(depth=answer):
        return False
    got, problem = answer_array(answer, "your depth")
    if (problem is None and got.ndim == 0 and got.dtype.kind in "iuf" and float(got) >= 1
            and float(got) == int(got) and int(got) != depth):
        print(f"Not yet: your depth is {int(got)}, expected {depth} (off by {abs(int(got) - depth)}). "
              f"At D = {int(got)} the bound is {factor ** int(got):.5g}.")
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
    if not_answered(w1=w1, b1=b1, w2=w2, b2=b2):
        return False

    params = {}
    for name, value, ndim in (("w1", w1, 2), ("b1", b1, 1), ("w2", w2, 2), ("b2", b2, 1)):
        got = read_numbers(value, name)
        if got is None:
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


def check_dead_units(answer, pre_activations):
    r"""Check the number of dead ReLU units: units whose pre-activation is never positive (chapter 3).

    A unit is a column of ``pre_activations``; it is dead on these examples when its
    pre-activation :math:`z` is :math:`\le 0` for every one of them, so that
    :math:`\operatorname{ReLU}` outputs 0 and :math:`\operatorname{ReLU}'(z) = 0` for all.

    Parameters
    ----------
    answer : object
        The reader's count, an int.
    pre_activations : array_like, shape (N, units)
        :math:`z` for ``N`` examples (rows) and every unit (columns).

    Returns
    -------
    bool

    Examples
    --------
    >>> z = np.array([[-1.0, 2.0, 0.0], [-3.0, -1.0, 0.0]])
    >>> check_dead_units(2, z)
    Correct!
    True
    >>> check_dead_units(1, z)
    Not yet: your count is 1, expected 2 (off by 1). A unit is dead when z <= 0 for every example; z = 0 counts as dead, since ReLU'(0) = 0.
    False
    """
    z = as_array(pre_activations, "pre_activations", ndim=2)
    expected = int(np.sum(~np.any(z > 0, axis=0)))
    return check_number(answer, expected, what="count", name="your count",
                        hint=lambda v: " A unit is dead when z <= 0 for every example; z = 0 counts as "
                        "dead, since ReLU'(0) = 0." if v is not None else "")
