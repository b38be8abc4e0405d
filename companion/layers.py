"""Fully connected layers and loss functions (chapter 6).

Names, argument order and results follow ``torch.nn.functional``: ``flatten`` is
``torch.flatten(x, 1)``, ``linear`` is ``F.linear``, and the losses are ``F.cross_entropy``,
``F.binary_cross_entropy``, ``F.binary_cross_entropy_with_logits`` and ``F.mse_loss`` with
their default ``reduction="mean"``.

Every loss returns a plain Python ``float`` (never a NumPy scalar or a 0-d array), which
prints cleanly in a notebook; use ``np.asarray(loss)`` if an array is needed.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, as_float, check_choice, check_unit_interval
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


def _check_linear(x, weight, bias):
    """Validate the arguments shared by :func:`linear` and :func:`dense`."""
    x = as_float(x, "x")
    if x.ndim == 0:
        raise ValueError("x must be at least 1-D (in_features,) or (N, in_features), got a 0-d array")
    weight = as_float(weight, "weight", ndim=2)
    if x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"x has {x.shape[-1]} features (last axis of shape {x.shape}) but weight of shape "
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


def linear(x, weight, bias=None):
    r"""Affine map of ``x``, exactly what ``torch.nn.functional.linear`` computes.

    .. math:: y = x W^{\top} + b, \qquad
              y_{n,o} = \sum_{i=1}^{d_{in}} x_{n,i} W_{o,i} + b_o

    For one example (a vector ``x``) this is the column-vector form :math:`y = W x + b`.

    Parameters
    ----------
    x : array_like, shape (N, in_features) or (in_features,)
        Input rows (any leading axes are allowed, as in PyTorch: ``(*, in_features)``).
    weight : array_like, shape (out_features, in_features)
        ``W``: one row per output.
    bias : array_like, shape (out_features,), optional
        ``b``. Default ``None``: no bias.

    Returns
    -------
    numpy.ndarray, shape (N, out_features) or (out_features,)
        ``x.shape[:-1] + (out_features,)``.

    See Also
    --------
    linear_backward : its gradients (chapter 7).

    Examples
    --------
    >>> W = np.array([[1.0, 2.0], [0.0, -1.0], [1.0, 1.0]])
    >>> print(linear([3.0, 4.0], W, bias=[0.5, 0.0, -7.0]))
    [11.5 -4.   0. ]
    """
    x, weight, bias = _check_linear(x, weight, bias)
    y = x @ weight.T
    if bias is not None:
        y = y + bias
    return np.asarray(y)


def dense(x, weight, bias=None, activation=None):
    r"""A fully connected layer: a :func:`linear` map followed by an activation.

    .. math:: O = f(W X + b)

    where :math:`f` is the named activation applied element-wise (``"softmax"``: along the
    last axis, the axis of the outputs). Each of the ``out_features`` outputs is connected
    to every one of the ``in_features`` inputs. For a batch stored as rows this is
    ``f(x @ W.T + b)``, as ``torch.nn.Linear`` followed by the activation.

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


def cross_entropy(logits, targets):
    r"""Mean cross-entropy of integer class labels, as ``F.cross_entropy``.

    The logits are turned into log-probabilities with a (stable) log-softmax, and the
    loss is the mean negative log-probability of the true class:

    .. math::

        L = -\frac{1}{N} \sum_{n=1}^{N} \log \hat{y}_{n, t_n}, \qquad
        \hat{y}_n = \operatorname{softmax}(z_n)

    which equals :math:`-\frac{1}{N}\sum_n \sum_k y_{n,k} \log \hat y_{n,k}` with one-hot
    labels :math:`y`.

    Parameters
    ----------
    logits : array_like, shape (N, K) or (K,)
        Unnormalised scores :math:`z` for ``K`` classes (not probabilities).
    targets : array_like of int, shape (N,) or ()
        True classes :math:`t_n \in \{0, \dots, K-1\}`; a 0-d target goes with 1-D logits.

    Returns
    -------
    float
        The mean loss (a Python float).

    See Also
    --------
    cross_entropy_backward : its gradient with respect to the logits (chapter 7).

    Examples
    --------
    >>> round(cross_entropy(np.zeros((2, 4)), [0, 3]), 6)  # log 4
    1.386294
    >>> round(cross_entropy([[2.0, 1.0, 0.1]], [0]), 4)
    0.417
    """
    logits = as_float(logits, "logits", ndim=(1, 2))
    targets = as_array(targets, "targets", dtype_kind="biuf")
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must hold integer class indices, got an array of dtype {targets.dtype}")
    expected = logits.shape[:-1]
    if targets.shape != expected:
        raise ValueError(
            f"targets must have shape {expected} to match logits of shape {logits.shape}, "
            f"got shape {targets.shape}"
        )
    k = logits.shape[-1]
    if targets.min() < 0 or targets.max() >= k:
        bad = targets[(targets < 0) | (targets >= k)].flat[0]
        raise ValueError(f"targets must be class indices in [0, {k}) for K={k} classes, got {bad}")
    logp = log_softmax(logits, axis=-1).reshape(-1, k)
    t = targets.reshape(-1).astype(np.intp)
    return float(-np.mean(logp[np.arange(t.size), t]))


def _check_pair(a, a_name, b, b_name):
    a = as_float(a, a_name)
    b = as_float(b, b_name)
    if a.shape != b.shape:
        raise ValueError(f"{b_name} of shape {b.shape} must have the same shape as {a_name}, {a.shape}")
    return a, b


def binary_cross_entropy(p, y):
    r"""Mean binary cross-entropy of probabilities, as ``F.binary_cross_entropy``.

    .. math::

        L = -\frac{1}{N} \sum_{n=1}^{N}
            \bigl[ y_n \log p_n + (1 - y_n) \log (1 - p_n) \bigr]

    where the mean runs over all entries. As in PyTorch, each logarithm is clamped at
    :math:`-100`, so that ``p = 0`` or ``p = 1`` gives a large but finite loss.

    Parameters
    ----------
    p : array_like, any shape
        Predicted probabilities :math:`p_n \in [0, 1]` (for example a sigmoid output).
    y : array_like, same shape as ``p``
        Targets :math:`y_n \in [0, 1]` (usually 0 or 1).

    Returns
    -------
    float
        The mean loss (a Python float).

    Examples
    --------
    >>> round(binary_cross_entropy([0.5, 0.5], [0, 1]), 6)  # log 2
    0.693147
    >>> binary_cross_entropy([0.0], [1.0])
    100.0
    """
    p, y = _check_pair(p, "p", y, "y")
    check_unit_interval(p, "p")
    check_unit_interval(y, "y")
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_1mp = np.maximum(np.log(1.0 - p), -100.0)
    return float(-np.mean(y * log_p + (1.0 - y) * log_1mp))


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
    z, y = _check_pair(logits, "logits", y, "y")
    check_unit_interval(y, "y")
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def mse_loss(pred, target):
    r"""Mean squared error, as ``F.mse_loss``.

    .. math:: L = \frac{1}{N} \sum_{n=1}^{N} (\hat{y}_n - y_n)^2

    where the mean runs over all entries.

    Parameters
    ----------
    pred : array_like, any shape
        Predictions :math:`\hat y`.
    target : array_like, same shape as ``pred``
        True values :math:`y`.

    Returns
    -------
    float
        The mean loss (a Python float).

    Examples
    --------
    >>> mse_loss([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    pred, target = _check_pair(pred, "pred", target, "target")
    return float(np.mean((pred - target) ** 2))
