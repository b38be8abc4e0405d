"""Chapter 10, training deeper networks: the fans of a weight, the He standard deviation, one
Adam step, a batch-normalisation output, the loss of an untrained classifier.
"""

from __future__ import annotations

import numpy as np

from ..initialization import fan_in_and_fan_out, init_std
from ..normalization import batch_norm2d
from ..optimizers import adam_step
from ._verdict import float_answer, not_answered, read_numbers, single_number
from .generic import check_array, check_number

__all__ = ["check_fans", "check_he_std", "check_adam_step", "check_batch_norm_output", "check_initial_loss"]


def check_fans(answer, shape):
    """Check ``(fan_in, fan_out)`` of a weight of the given shape (chapter 10).

    Parameters
    ----------
    answer : tuple of two ints or None
    shape : tuple of int
        The weight's shape, ``(C_out, C_in, kH, kW)`` or ``(d_out, d_in)``.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_fans((288, 576), (64, 32, 3, 3))
    Correct! fan_in = 32 * 3 * 3 = 288, fan_out = 64 * 3 * 3 = 576
    True
    >>> check_fans((576, 288), (64, 32, 3, 3))
    Not yet: got (576, 288), expected (288, 576). fan_in counts the inputs of one output: C_in * kH * kW.
    False
    """
    expected = fan_in_and_fan_out(shape)
    if not_answered(answer=answer):
        return False
    got = read_numbers(answer, "answer")
    if got is None:
        return False
    if got.shape != (2,):
        print(f"Not yet: answer should be two numbers (fan_in, fan_out), got shape {got.shape}.")
        return False
    got_t = tuple(int(v) if float(v).is_integer() else float(v) for v in got)
    if got_t != expected:
        print(f"Not yet: got {got_t}, expected {expected}. fan_in counts the inputs of one output: "
              "C_in * kH * kW.")
        return False
    rest = "".join(f" * {s}" for s in shape[2:])
    print(f"Correct! fan_in = {shape[1]}{rest} = {expected[0]}, fan_out = {shape[0]}{rest} = {expected[1]}")
    return True


def check_he_std(answer, shape):
    """Check the standard deviation of He initialisation, ``sqrt(2 / fan_in)`` (chapter 10).

    Parameters
    ----------
    answer : float or None
    shape : tuple of int

    Returns
    -------
    bool

    Examples
    --------
    >>> check_he_std(np.sqrt(2 / 1352), (10, 1352))
    Correct!
    True
    >>> check_he_std(np.sqrt(2 / 10), (10, 1352))
    Not yet: answer is 0.447214, expected 0.0384615 (off by 0.408752). He uses the fan-in, 1352.
    False
    """
    expected = init_std(shape, "he_normal")
    fan_in = fan_in_and_fan_out(shape)[0]
    return check_number(float_answer(answer), expected, rtol=1e-4, atol=1e-12,
                        hint=lambda v: f" He uses the fan-in, {fan_in}.")


def check_adam_step(answer, param, grad, m, v, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """Check the new parameter after one Adam step (chapter 10), computed with
    :func:`companion.adam_step`.

    Parameters
    ----------
    answer : array_like or None
        The new parameter.
    param, grad, m, v, step, lr, betas, eps
        As in :func:`companion.adam_step`.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_adam_step([0.9], [1.0], [0.5], [0.0], [0.0], step=1, lr=0.1)
    Correct!
    True
    >>> check_adam_step(0.95, [1.0], [0.5], [0.0], [0.0], step=1, lr=0.1)
    Not yet: 1 of 1 entries of the new parameter differ. First at index (0,): got 0.95, expected 0.9. Largest absolute error: 0.05.
    False
    """
    expected, _, _ = adam_step(param, grad, m, v, step, lr=lr, betas=betas, eps=eps)
    if not_answered(answer=answer):
        return False
    number = single_number(answer)
    if expected.size == 1 and number is not None:  # one parameter: a plain number is fine
        answer = np.full(expected.shape, number)
    return check_array(answer, expected, name="the new parameter", rtol=1e-6, atol=1e-9)


def check_batch_norm_output(answer, x, gamma, beta, eps=1e-5):
    """Check a batch-normalisation output (training mode), computed with :func:`companion.batch_norm2d`.

    Parameters
    ----------
    answer : array_like or None, shape (N, C, H, W)
    x : array_like, shape (N, C, H, W)
    gamma, beta : array_like, shape (C,)
    eps : float, default 1e-5

    Returns
    -------
    bool

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)
    >>> check_batch_norm_output(np.array([-1.0, 1.0]).reshape(2, 1, 1, 1), x, [1.0], [0.0])
    Correct!
    True
    """
    expected = batch_norm2d(x, gamma, beta, eps=eps)
    if not_answered(answer=answer):
        return False
    return check_array(answer, expected, name="your output", rtol=1e-4, atol=1e-6)


def check_initial_loss(answer, n_classes=10):
    """Check the cross-entropy of a classifier that gives every class the same probability,
    ``log Q`` (chapter 10).

    Parameters
    ----------
    answer : float or None
    n_classes : int, default 10

    Returns
    -------
    bool

    Examples
    --------
    >>> check_initial_loss(2.302585)
    Correct!
    True
    >>> check_initial_loss(0.1)
    Not yet: answer is 0.1, expected 2.30259 (off by 2.20259). The loss is -log of the true class's probability, 1/10.
    False
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an int of at least 2, got {n_classes!r}")
    expected = float(np.log(n_classes))
    return check_number(float_answer(answer), expected, rtol=1e-5, atol=1e-9,
                        hint=lambda v: f" The loss is -log of the true class's probability, 1/{n_classes}.")
