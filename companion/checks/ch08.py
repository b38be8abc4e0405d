"""Chapter 8, the whole network: shapes of a forward pass, the parameter count, one
gradient-descent step, the runner-up class, a confusion matrix, the summary of seeded runs,
the accuracy of shifted digits.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array
from ..activation import softmax
from ..backprop import sgd_step
from ..model import TinyCNN, confusion_matrix
from ..training import mean_and_std
from ._verdict import answer_array, answer_dict, float_answer, not_answered, quietly
from .generic import check_array, check_number

__all__ = [
    "check_network_shapes",
    "check_tiny_cnn_param_count",
    "check_sgd_update",
    "check_runner_up",
    "check_confusion_matrix",
    "check_seed_summary",
    "check_shift_accuracies",
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
    net = TinyCNN(n_filters=n_filters, kernel_size=kernel_size, pool_size=pool_size, n_classes=n_classes,
                  image_size=image_size)
    logits, cache = net.forward(np.zeros((1, 1, image_size, image_size)))
    expected = {"conv": cache["conv"].shape, "pooled": cache["pooled"].shape, "flat": cache["flat"].shape,
                "logits": logits.shape}
    if not_answered(answer=answer):
        return False
    if not answer_dict(answer, _SHAPE_KEYS):
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
    net = TinyCNN(n_filters=n_filters, kernel_size=kernel_size, pool_size=pool_size, n_classes=n_classes,
                  image_size=image_size)
    sizes = {name: int(arr.size) for name, arr in net.params.items()}
    expected = sum(sizes.values())
    parts = " + ".join(f"{name} {size}" for name, size in sizes.items())
    unpooled = sizes["K"] + sizes["b"] + n_classes * n_filters * (image_size - kernel_size + 1) ** 2 + sizes["c"]

    def hint(value):
        if value is not None and value == sizes["K"] + sizes["W"]:
            return f" Did you count the {sizes['b']} + {sizes['c']} biases?"
        if value is not None and value == unpooled:
            return " The dense layer sees the pooled maps, not the convolution output."
        return ""

    return check_number(float_answer(answer), expected, hint=hint, correct=f"Correct! ({parts} = {expected})")


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
    _, grads = net.loss_and_grads(x, targets)
    expected = {name: sgd_step(value, grads[name], lr) for name, value in net.params.items()}
    if not_answered(answer=answer):
        return False
    if not answer_dict(answer, expected):
        return False
    for name, want in expected.items():
        got, problem = answer_array(answer[name], name)
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
        _, message = quietly(check_array, got, want, name=name, rtol=1e-7, atol=1e-10)
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
    arr = as_array(image, "image", ndim=(2, 3, 4)).astype(np.float64)
    x = arr.reshape((1, 1) + arr.shape[-2:])
    probs = softmax(net.forward(x)[0][0])
    order = np.argsort(probs, kind="stable")[::-1]
    first, second = int(order[0]), int(order[1])
    if not_answered(answer=answer):
        return False
    got, problem = answer_array(answer, "answer")
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
    expected = confusion_matrix(targets, predictions, n_classes)
    if not_answered(answer=answer):
        return False
    got, problem = answer_array(answer, "answer")
    if problem is None and got.shape == expected.shape and not np.array_equal(expected, expected.T) \
            and np.array_equal(got, expected.T):
        print("Not yet: that is the transpose. Rows are the true classes, columns the predictions.")
        return False
    return check_array(float_answer(answer), expected.astype(np.float64), name="your matrix", rtol=0.0, atol=1e-9)


def check_seed_summary(answer, accuracies):
    """Check the mean and standard deviation over seeds of each setting's accuracies (chapter 8).

    The expected answer is :func:`companion.mean_and_std` of each list: the mean and the
    sample standard deviation (dividing by :math:`J - 1`). The verdict says only whether
    they are right; which differences the seeds show is the reader's next step, with
    :func:`companion.paired_difference`.

    Parameters
    ----------
    answer : dict of str to (float, float), or None
        Setting name -> ``(mean, std)``, fractions as the accuracies are.
    accuracies : dict of str to list of float
        Setting name -> accuracies of at least two seeds.

    Returns
    -------
    bool

    Examples
    --------
    >>> acc = {"1 kernel": [0.80, 0.86, 0.83], "8 kernels": [0.94, 0.95, 0.96]}
    >>> check_seed_summary({"1 kernel": (0.83, 0.03), "8 kernels": (0.95, 0.01)}, acc)
    Correct!
    True
    >>> check_seed_summary({"1 kernel": (0.83, 0.0245), "8 kernels": (0.95, 0.0082)}, acc)
    Not yet: '1 kernel': your std 0.0245 divides by J = 3; the sample standard deviation divides by J - 1 = 2 (0.0300).
    False
    """
    if not isinstance(accuracies, dict) or not accuracies:
        raise TypeError(f"accuracies must be a non-empty dict of name -> list of accuracies, got {accuracies!r}")
    expected = {name: mean_and_std(values) for name, values in accuracies.items()}
    if not_answered(answer=answer):
        return False
    if not answer_dict(answer, expected, "a dict of setting -> (mean, std)"):
        return False
    for name, (mean, std) in expected.items():
        got, problem = answer_array(answer[name], f"answer[{name!r}]")
        if problem is None and got.shape != (2,):
            problem = f"answer[{name!r}] should be a pair (mean, std), got shape {got.shape}."
        if problem is not None:
            print(f"Not yet: {problem}")
            return False
        m, sd = float(got[0]), float(got[1])
        if not np.isclose(m, mean, rtol=0.0, atol=1e-4):
            print(f"Not yet: {name!r}: your mean {m:.4f} differs from the mean of its {len(accuracies[name])} "
                  "accuracies.")
            return False
        if not np.isclose(sd, std, rtol=0.0, atol=1e-4):
            n = len(accuracies[name])
            biased = float(np.std(np.asarray(accuracies[name], dtype=np.float64)))
            if np.isclose(sd, biased, rtol=0.0, atol=1e-4):
                print(f"Not yet: {name!r}: your std {sd:.4f} divides by J = {n}; the sample standard deviation "
                      f"divides by J - 1 = {n - 1} ({std:.4f}).")
            else:
                print(f"Not yet: {name!r}: your std {sd:.4f} is not the sample standard deviation of its accuracies.")
            return False
    print("Correct!")
    return True


def _shift_right(x, s, wrap):
    """Images x (..., H, W) moved s columns to the right: zeros come in (or, wrap=True, np.roll)."""
    if wrap:
        return np.roll(x, s, axis=-1)
    out = np.zeros_like(x)
    out[..., s:] = x[..., :x.shape[-1] - s]
    return out


def check_shift_accuracies(answer, net, images, targets, shifts=(0, 1, 2, 3, 4)):
    """Check the accuracy of a network on digits moved to the right (chapter 8).

    For each shift :math:`s`, every image is moved :math:`s` pixels to the right: the
    :math:`s` columns that open on the left are 0 (background) and the :math:`s` columns
    pushed out on the right are dropped, :math:`T_{0,s}` of the notation page. The expected
    answer is the accuracy of ``net.predict`` on the shifted images, one per shift. A list
    computed with ``np.roll``, which wraps the dropped columns around to the left, is
    recognised and named.

    Parameters
    ----------
    answer : sequence of float, or None
        One accuracy (a fraction) per shift, in the order of ``shifts``.
    net : companion.TinyCNN
        Any object with ``predict(x) -> (N,)`` class indices.
    images : ndarray, shape (N, 1, H, W)
        The digits, floats in [0, 1].
    targets : ndarray of int, shape (N,)
        Their true classes.
    shifts : sequence of int, default (0, 1, 2, 3, 4)
        The shifts, each from 0 to W - 1.

    Returns
    -------
    bool

    Examples
    --------
    A network that sees single pixels (one 1 by 1 kernel, no pooling): class 0 when the
    left column has ink, class 1 for the right column, class 2 for a blank image.

    >>> from companion.model import TinyCNN
    >>> net = TinyCNN(n_filters=1, kernel_size=1, pool_size=1, n_classes=3, image_size=4)
    >>> net.params["K"][:], net.params["b"][:] = 1.0, 0.0
    >>> left, right = np.zeros((4, 4)), np.zeros((4, 4))
    >>> left[:, 0], right[:, 3] = 1.0, 1.0
    >>> net.params["W"] = np.stack([left.ravel(), right.ravel(), np.zeros(16)])
    >>> net.params["c"] = np.array([0.0, 0.0, 0.5])
    >>> x = np.zeros((2, 1, 4, 4)); x[0, 0, :, 3] = 1.0      # ink in the last column; blank
    >>> y = np.array([0, 2])
    >>> check_shift_accuracies([0.5, 0.5], net, x, y, shifts=(0, 1))
    Correct! shift 0: 50.0%, shift 1: 50.0%
    True
    >>> check_shift_accuracies([0.5, 1.0], net, x, y, shifts=(0, 1))   # what np.roll gives
    Not yet: these are the accuracies of digits wrapped around with np.roll; let the columns pushed out on the right disappear and zeros come in on the left.
    False
    """
    x = as_array(images, "images", ndim=4).astype(np.float64)
    t = as_array(targets, "targets", ndim=1)
    if t.shape[0] != x.shape[0]:
        raise ValueError(f"targets has {t.shape[0]} entries for {x.shape[0]} images")
    shifts = [int(s) for s in shifts]
    if not shifts or any(s < 0 or s >= x.shape[-1] for s in shifts):
        raise ValueError(f"shifts must be a non-empty list of integers from 0 to {x.shape[-1] - 1}, got {shifts}")
    expected = np.array([np.mean(net.predict(_shift_right(x, s, wrap=False)) == t) for s in shifts])
    if not_answered(answer=answer):
        return False
    got, problem = answer_array(answer, "answer")
    if problem is None and got.shape != expected.shape:
        problem = f"answer should hold {len(shifts)} accuracies, one per shift {shifts}, got shape {got.shape}."
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    if np.allclose(got, expected, rtol=0.0, atol=1e-9):
        print("Correct! " + ", ".join(f"shift {s}: {a:.1%}" for s, a in zip(shifts, expected)))
        return True
    rolled = np.array([np.mean(net.predict(_shift_right(x, s, wrap=True)) == t) for s in shifts])
    if np.allclose(got, rolled, rtol=0.0, atol=1e-9):
        print("Not yet: these are the accuracies of digits wrapped around with np.roll; let the columns pushed out "
              "on the right disappear and zeros come in on the left.")
    elif np.allclose(got, 100 * expected, rtol=0.0, atol=1e-7):
        print("Not yet: give the accuracies as fractions (0.949), not percentages.")
    else:
        wrong = int(np.flatnonzero(~np.isclose(got, expected, rtol=0.0, atol=1e-9))[0])
        print(f"Not yet: for shift {shifts[wrong]} your accuracy {got[wrong]:.4f} differs from the network's "
              f"{expected[wrong]:.4f}. Move each image right, fill the left columns with 0, then predict.")
    return False
