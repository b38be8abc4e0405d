"""Fully connected layers and loss functions (chapter 6).

Names, argument order and results follow ``torch.nn.functional``: ``flatten`` is
``torch.flatten(x, 1)``, ``linear`` is ``F.linear``, and the losses are ``F.cross_entropy``,
``F.binary_cross_entropy``, ``F.binary_cross_entropy_with_logits`` and ``F.mse_loss`` with
their default ``reduction="mean"``.

The losses take PyTorch's arguments too (``weight``, ``reduction``, and for
:func:`cross_entropy` ``ignore_index``, ``label_smoothing``, class-probability targets and
``(N, C, d_1, ...)`` inputs). With ``reduction="mean"`` (the default) or ``"sum"`` a loss is a
plain Python ``float`` (never a NumPy scalar or a 0-d array), which prints cleanly in a
notebook; ``reduction="none"`` gives the array of per-element losses, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_array,
    as_float,
    check_choice,
    check_cross_entropy,
    check_loss_pair,
    check_reduction,
    check_unit_interval,
)
from .activation import log_softmax, relu, sigmoid, softmax, tanh

__all__ = [
    "flatten",
    "linear",
    "dense",
    "ACTIVATIONS",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
]

#: The activation names accepted by :func:`dense`, in the order the book introduces them.
ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax")

_ACTIVATION_FUNCTIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax}


def flatten(x):
    r"""Flatten every axis but the first (the batch axis), as ``torch.flatten(x, 1)``.

    .. math:: (N, C, H, W) \;\to\; (N,\; C \cdot H \cdot W)

    The entries of each example are laid out in C order: channel by channel, and row by
    row inside a channel, as PyTorch does (so weights trained on either side agree).

    Parameters
    ----------
    x : array_like, shape (N, d_1, ..., d_k), k >= 1
        A batch of ``N`` examples. A single feature map of shape ``(C, H, W)`` must be
        given a batch axis first: ``x[None]``.

    Returns
    -------
    numpy.ndarray, shape (N, d_1 * ... * d_k)
        Same dtype as ``x``; a view of ``x`` when NumPy can make one.

    Examples
    --------
    >>> x = np.arange(8).reshape(1, 2, 2, 2)
    >>> print(flatten(x))
    [[0 1 2 3 4 5 6 7]]
    >>> flatten(np.zeros((5, 32, 7, 7))).shape
    (5, 1568)
    """
    x = as_array(x, "x")
    if x.ndim < 2:
        raise ValueError(
            f"x must have a batch axis and at least one more axis, got a {x.ndim}-D array of "
            f"shape {x.shape}; for a single example use x[None]"
        )
    return x.reshape(x.shape[0], -1)


def _check_linear(x, weight, bias, name="x"):
    """Validate the arguments shared by :func:`linear` and :func:`dense`."""
    x = as_float(x, name, allow_empty=name == "input")
    if x.ndim == 0:
        raise ValueError(f"{name} must be at least 1-D (in_features,) or (N, in_features), got a 0-d array")
    weight = as_float(weight, "weight", ndim=2)
    if x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"{name} has {x.shape[-1]} features (last axis of shape {x.shape}) but weight of shape "
            f"{weight.shape} expects in_features={weight.shape[1]}"
        )
    if bias is not None:
        bias = as_float(bias, "bias", ndim=1)
        if bias.shape[0] != weight.shape[0]:
            raise ValueError(
                f"bias of shape {bias.shape} does not match out_features={weight.shape[0]} of "
                f"weight of shape {weight.shape}"
            )
    return x, weight, bias


def linear(input, weight, bias=None):
    r"""Affine map of ``x``, exactly what ``torch.nn.functional.linear`` computes.

    .. math:: y = x W^{\top} + b, \qquad
              y_{n,o} = \sum_{i=1}^{d_{in}} x_{n,i} W_{o,i} + b_o

    For one example (a vector ``x``) this is the column-vector form :math:`y = W x + b`.

    Parameters
    ----------
    input : array_like, shape (*, in_features)
        Input rows: ``(N, in_features)``, one vector ``(in_features,)``, or any leading axes,
        as in PyTorch (an empty batch, ``N = 0``, included).
    weight : array_like, shape (out_features, in_features)
        ``W``: one row per output.
    bias : array_like, shape (out_features,), optional
        ``b``. Default ``None``: no bias.

    Returns
    -------
    numpy.ndarray, shape (*, out_features)
        ``input.shape[:-1] + (out_features,)``.

    See Also
    --------
    linear_backward : its gradients (chapter 7).

    Examples
    --------
    >>> W = np.array([[1.0, 2.0], [0.0, -1.0], [1.0, 1.0]])
    >>> print(linear([3.0, 4.0], W, bias=[0.5, 0.0, -7.0]))
    [11.5 -4.   0. ]
    """
    x, weight, bias = _check_linear(input, weight, bias, "input")
    y = x @ weight.T
    if bias is not None:
        y = y + bias
    return np.asarray(y)


def dense(x, weight, bias=None, activation=None):
    r"""A fully connected layer: a :func:`linear` map followed by an activation.

    .. math:: \varphi(\mathbf{W} x + \mathbf{c})

    (the sources write it :math:`O = f(WX + b)`), where :math:`\varphi` is the named
    activation applied element-wise (``"softmax"``: along the last axis, the axis of the
    outputs) and :math:`\mathbf{c}` is ``bias``. Each of the ``out_features`` outputs is
    connected to every one of the ``in_features`` inputs. For a batch stored as rows this is
    ``phi(x @ W.T + c)``, as ``torch.nn.Linear`` followed by the activation.

    Parameters
    ----------
    x : array_like, shape (N, in_features) or (in_features,)
    weight : array_like, shape (out_features, in_features)
    bias : array_like, shape (out_features,), optional
        Default ``None``: no bias.
    activation : {"relu", "sigmoid", "tanh", "softmax"} or None, default None
        ``None`` means the identity (a plain linear layer).

    Returns
    -------
    numpy.ndarray, shape (N, out_features) or (out_features,)

    Examples
    --------
    >>> W = np.array([[1.0, -1.0], [2.0, 0.0]])
    >>> print(dense([1.0, 3.0], W, bias=[0.0, 1.0], activation="relu"))
    [0. 3.]
    >>> print(dense([1.0, 3.0], np.zeros((2, 2)), activation="softmax"))
    [0.5 0.5]
    """
    check_choice(activation, "activation", ACTIVATIONS, described=f"None or one of {ACTIVATIONS}", allow_none=True)
    x, weight, bias = _check_linear(x, weight, bias)
    z = linear(x, weight, bias)
    if activation is None:
        return z
    elif activation in _ACTIVATION_FUNCTIONS:
        return _ACTIVATION_FUNCTIONS[activation](z)
    else:  # pragma: no cover - rejected above
        raise ValueError(f"activation must be None or one of {ACTIVATIONS}, got {activation!r}")


def _reduce(loss, reduction, total=None):
    """``loss`` (per element) reduced: the array (``"none"``), or a float, its sum or mean
    (divided by ``total`` when given: the sum of the weights)."""
    if reduction == "none":
        return np.asarray(loss)
    elif reduction == "sum":
        return float(np.sum(loss))
    elif reduction == "mean":
        return float(np.mean(loss)) if total is None else float(np.sum(loss) / total)
    else:  # pragma: no cover - check_reduction has rejected every other value
        raise ValueError(f"reduction must be one of 'none', 'mean', 'sum', got {reduction!r}")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    r"""Cross-entropy of logits against class labels, as ``F.cross_entropy``.

    The logits are turned into log-probabilities with a (stable) log-softmax, and the
    loss is the mean negative log-probability of the true class:

    .. math::

        L = -\frac{1}{N} \sum_{n=0}^{N-1} \log \hat{y}_{n, t_n}, \qquad
        \hat{y}_n = \operatorname{softmax}(z_n)

    which equals :math:`-\frac{1}{N}\sum_n \sum_i y_{n,i} \log \hat y_{n,i}` with one-hot
    labels :math:`y`. PyTorch's options change the per-example loss
    :math:`\ell_n = -\sum_i a_{n,i} \log \hat y_{n,i}`, with
    :math:`a_{n,i} = (1 - \varepsilon)\, \omega_{t_n} [i = t_n] + \tfrac{\varepsilon}{Q} \omega_i`
    for class indices (:math:`\omega` the class ``weight``, :math:`\varepsilon` the
    ``label_smoothing``) and :math:`a_{n,i} = \omega_i ((1 - \varepsilon) y_{n,i} + \varepsilon / Q)`
    for class probabilities :math:`y`; ``"mean"`` divides their sum by
    :math:`\sum_n \omega_{t_n}` (indices; examples whose target is ``ignore_index`` count nowhere)
    or by :math:`N` (probabilities).

    Parameters
    ----------
    input : array_like, shape (N, Q), (Q,) or (N, Q, d_1, ..., d_m)
        Unnormalised scores :math:`z` for :math:`Q` classes (not probabilities), the classes on
        axis 1 (axis 0 for one unbatched example).
    target : array_like
        Class indices :math:`t_n \in \{0, \dots, Q-1\}` (ints) of shape ``(N,)``, ``()`` or
        ``(N, d_1, ..., d_m)``: the input's shape without the class axis; or class
        probabilities (floats) of the input's shape.
    weight : array_like, shape (Q,), optional
        A weight per class. Default ``None``: all 1.
    size_average, reduce : bool, optional
        PyTorch's deprecated spellings of ``reduction``; default ``None``.
    ignore_index : int, default -100
        Examples whose target is this index contribute nothing (class indices only).
    reduction : {"mean", "sum", "none"}, default "mean"
    label_smoothing : float, default 0.0
        :math:`\varepsilon \in [0, 1]`: the target is mixed with the uniform distribution.

    Returns
    -------
    float, or numpy.ndarray of the target's shape (without the class axis) for ``"none"``

    See Also
    --------
    cross_entropy_backward : its gradient with respect to the logits (chapter 7).

    Examples
    --------
    >>> round(cross_entropy(np.zeros((2, 4)), [0, 3]), 6)  # log 4
    1.386294
    >>> round(cross_entropy([[2.0, 1.0, 0.1]], [0]), 4)
    0.417
    >>> np.round(cross_entropy(np.zeros((2, 4)), [0, 3], weight=[1.0, 1.0, 1.0, 3.0], reduction="none"), 4)
    array([1.3863, 4.1589])
    """
    z, target, weight, axis, probabilities = check_cross_entropy(input, target, weight, ignore_index, label_smoothing)
    reduction = check_reduction(size_average, reduce, reduction)
    k = z.shape[axis]
    logp = log_softmax(z, axis=axis)
    lp = (logp if axis == z.ndim - 1 else np.moveaxis(logp, axis, -1)).reshape(-1, k)  # a row per example
    eps = float(label_smoothing)
    if probabilities:
        y = np.moveaxis(target.astype(z.dtype, copy=False), axis, -1).reshape(-1, k)
        if eps > 0:
            y = y * (1 - eps) + eps / k
        if weight is not None:
            y = y * weight
        loss = -(lp * y).sum(axis=-1)
        return _reduce(loss.reshape(target.shape[:axis] + target.shape[axis + 1 :]), reduction)
    t = target.reshape(-1).astype(np.intp)
    keep = t != ignore_index
    picked = lp[np.arange(t.size), np.where(keep, t, 0)]
    if weight is None and keep.all() and eps == 0:  # the plain mean of chapter 6
        return _reduce((-picked).reshape(target.shape), reduction)
    w_t = keep * (1.0 if weight is None else weight[np.where(keep, t, 0)])
    loss = -(w_t * picked)
    if eps > 0:
        smooth = -(lp.sum(axis=-1) if weight is None else (lp * weight).sum(axis=-1)) * keep
        loss = (1 - eps) * loss + eps / k * smooth
    return _reduce(loss.reshape(target.shape), reduction, total=w_t.sum())


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    r"""Binary cross-entropy of probabilities, as ``F.binary_cross_entropy``.

    .. math::

        L = -\frac{1}{N} \sum_{n=1}^{N}
            w_n \bigl[ y_n \log p_n + (1 - y_n) \log (1 - p_n) \bigr]

    where the mean runs over all entries (:math:`w_n = 1` by default). As in PyTorch, each
    logarithm is clamped at :math:`-100`, so that ``p = 0`` or ``p = 1`` gives a large but
    finite loss.

    Parameters
    ----------
    input : array_like, any shape
        Predicted probabilities :math:`p_n \in [0, 1]` (for example a sigmoid output).
    target : array_like, same shape as ``input``
        Targets :math:`y_n \in [0, 1]` (usually 0 or 1).
    weight : array_like, optional
        :math:`w`, broadcast to the input's shape. Default ``None``: all 1.
    size_average, reduce : bool, optional
        PyTorch's deprecated spellings of ``reduction``; default ``None``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides by the number of entries (not by the weights).

    Returns
    -------
    float, or numpy.ndarray of the input's shape for ``"none"``

    Examples
    --------
    >>> round(binary_cross_entropy([0.5, 0.5], [0, 1]), 6)  # log 2
    0.693147
    >>> binary_cross_entropy([0.0], [1.0])
    100.0
    >>> binary_cross_entropy([0.5, 0.5], [0, 1], weight=[0.0, 2.0], reduction="sum")
    1.3862943611198906
    """
    p, y, weight = check_loss_pair(input, target, weight)
    check_unit_interval(p, "input")
    check_unit_interval(y, "target")
    reduction = check_reduction(size_average, reduce, reduction)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_1mp = np.maximum(np.log(1.0 - p), -100.0)
    loss = -(y * log_p + (1.0 - y) * log_1mp)
    if weight is not None:
        loss = weight * loss
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(logits, y):
    r"""Mean binary cross-entropy of a sigmoid of ``logits``, computed stably.

    Equal to ``binary_cross_entropy(sigmoid(logits), y)``, but written with the logit
    :math:`z` directly, as ``F.binary_cross_entropy_with_logits``:

    .. math::

        L = \frac{1}{N} \sum_{n=1}^{N}
            \bigl[ \max(z_n, 0) - z_n y_n + \log\bigl(1 + e^{-|z_n|}\bigr) \bigr]

    which never overflows and needs no clamping.

    Parameters
    ----------
    logits : array_like, any shape
        Scores :math:`z_n` (before the sigmoid).
    y : array_like, same shape as ``logits``
        Targets :math:`y_n \in [0, 1]`.

    Returns
    -------
    float
        The mean loss (a Python float).

    Examples
    --------
    >>> round(binary_cross_entropy_with_logits([0.0, 0.0], [0, 1]), 6)  # log 2
    0.693147
    >>> binary_cross_entropy_with_logits([-1000.0], [1.0])
    1000.0
    """
    z = as_float(logits, "logits")
    y = as_float(y, "y")
    if z.shape != y.shape:
        raise ValueError(f"y of shape {y.shape} must have the same shape as logits, {z.shape}")
    check_unit_interval(y, "y")
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    r"""Mean squared error, as ``F.mse_loss``.

    .. math:: L = \frac{1}{N} \sum_{n=1}^{N} (\hat{y}_n - y_n)^2

    where the mean runs over all entries. With a ``weight`` :math:`w`, PyTorch's weighted
    mean :math:`\sum_n w_n (\hat y_n - y_n)^2 / \sum_n w_n`.

    Parameters
    ----------
    input : array_like, any shape
        Predictions :math:`\hat y`.
    target : array_like, same shape as ``input``
        True values :math:`y`.
    size_average, reduce : bool, optional
        PyTorch's deprecated spellings of ``reduction``; default ``None``.
    reduction : {"mean", "sum", "none"}, default "mean"
    weight : array_like, same shape as ``input``, optional
        Default ``None``: all 1.

    Returns
    -------
    float, or numpy.ndarray of the input's shape for ``"none"``

    Examples
    --------
    >>> mse_loss([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    >>> mse_loss([1.0, 2.0, 3.0], [1.0, 2.0, 5.0], reduction="none")
    array([0., 0., 4.])
    """
    pred, target, weight = check_loss_pair(input, target, weight, weight_rule="same")
    reduction = check_reduction(size_average, reduce, reduction)
    loss = (pred - target) ** 2
    if weight is None:
        return _reduce(loss, reduction)
    return _reduce(loss * weight, reduction, total=np.sum(weight))
