"""Weight initialisation (chapter 10): fan-in and fan-out, He, Glorot and PyTorch's default.

A layer with ``fan_in`` inputs per output multiplies the variance of its input by
``fan_in * Var(w)`` (eq-10-var-forward); its backward pass multiplies the variance of the
gradient by ``fan_out * Var(w)`` (eq-10-var-backward). He initialisation keeps the forward
variance of a ReLU network constant, Glorot initialisation compromises between both
directions, and PyTorch's default for ``nn.Linear`` and ``nn.Conv2d`` is a uniform
distribution on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``. This module uses NumPy only.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import as_float, check_choice, check_int

__all__ = ["fan_in_and_fan_out", "init_std", "init_weights", "init_bias", "relu_layer_stds"]

SCHEMES = ("he_normal", "glorot_uniform", "pytorch_default")
_DESCRIBED = '"he_normal", "glorot_uniform" or "pytorch_default"'


def _check_shape(shape, name="shape"):
    if isinstance(shape, numbers.Integral) or not isinstance(shape, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of ints such as (C_out, C_in, kH, kW), got {type(shape).__name__}: "
                        f"{shape!r}")
    dims = tuple(check_int(s, name, minimum=1) for s in shape)
    if len(dims) < 2:
        raise ValueError(f"{name} must have at least 2 dimensions, (out, in) or (C_out, C_in, kH, kW), got {dims}")
    return dims


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def fan_in_and_fan_out(shape):
    """The fan-in and fan-out of a weight of the given shape, as PyTorch computes them.

    A weight ``(C_out, C_in, kH, kW)`` feeds every output from ``C_in * kH * kW`` inputs and
    sends every input to ``C_out * kH * kW`` outputs; a dense weight ``(d_out, d_in)`` is the
    case without a kernel:

    .. math::

        \\mathrm{fan}_{\\mathrm{in}} = C_{\\mathrm{in}} k_H k_W, \\qquad
        \\mathrm{fan}_{\\mathrm{out}} = C_{\\mathrm{out}} k_H k_W.

    Parameters
    ----------
    shape : tuple of int, length >= 2
        ``(d_out, d_in)`` or ``(C_out, C_in, kH, kW)`` (any number of kernel axes).

    Returns
    -------
    tuple of (int, int)
        ``(fan_in, fan_out)``.

    Examples
    --------
    >>> fan_in_and_fan_out((8, 1, 3, 3))
    (9, 72)
    >>> fan_in_and_fan_out((10, 1352))
    (1352, 10)
    """
    dims = _check_shape(shape)
    receptive = int(np.prod(dims[2:], dtype=np.int64)) if len(dims) > 2 else 1
    return dims[1] * receptive, dims[0] * receptive


def init_std(shape, scheme):
    """The standard deviation of the weights a scheme draws, from the layer's fans.

    .. math::

        \\text{he\\_normal: } \\sqrt{2 / \\mathrm{fan}_{\\mathrm{in}}}, \\quad
        \\text{glorot\\_uniform: } \\sqrt{2 / (\\mathrm{fan}_{\\mathrm{in}} + \\mathrm{fan}_{\\mathrm{out}})}, \\quad
        \\text{pytorch\\_default: } \\sqrt{1 / (3\\, \\mathrm{fan}_{\\mathrm{in}})}.

    The uniform distribution on ``[-r, r]`` has standard deviation ``r / sqrt(3)``: Glorot's
    ``r = sqrt(6 / (fan_in + fan_out))`` and PyTorch's ``r = 1 / sqrt(fan_in)`` give the
    values above.

    Parameters
    ----------
    shape : tuple of int, length >= 2
        The weight's shape, as in :func:`fan_in_and_fan_out`.
    scheme : {"he_normal", "glorot_uniform", "pytorch_default"}

    Returns
    -------
    float

    Examples
    --------
    >>> round(init_std((8, 1, 3, 3), "he_normal"), 4)
    0.4714
    """
    fan_in, fan_out = fan_in_and_fan_out(shape)
    check_choice(scheme, "scheme", SCHEMES, described=_DESCRIBED)
    if scheme == "he_normal":
        return float(np.sqrt(2.0 / fan_in))
    elif scheme == "glorot_uniform":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    elif scheme == "pytorch_default":
        return float(np.sqrt(1.0 / (3.0 * fan_in)))
    else:  # pragma: no cover - check_choice has refused every other name
        raise ValueError(f"scheme must be {_DESCRIBED}, got {scheme!r}")


def init_weights(shape, scheme, rng):
    """Draw a weight array with an initialisation scheme.

    * ``"he_normal"``: normal, mean 0, variance ``2 / fan_in`` (``torch.nn.init.kaiming_normal_``
      with ``nonlinearity="relu"``), eq-10-he;
    * ``"glorot_uniform"``: uniform on ``[-r, r]``, ``r = sqrt(6 / (fan_in + fan_out))``
      (``torch.nn.init.xavier_uniform_``, Keras's default), eq-10-glorot;
    * ``"pytorch_default"``: uniform on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, what
      ``nn.Linear`` and ``nn.Conv2d`` draw (``kaiming_uniform_`` with ``a = sqrt(5)``).

    Parameters
    ----------
    shape : tuple of int, length >= 2
        ``(d_out, d_in)`` or ``(C_out, C_in, kH, kW)``.
    scheme : {"he_normal", "glorot_uniform", "pytorch_default"}
    rng : numpy.random.Generator
        The source of randomness, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    ndarray, float64, of shape ``shape``

    Examples
    --------
    >>> w = init_weights((64, 32, 3, 3), "glorot_uniform", np.random.default_rng(0))
    >>> w.shape, bool(np.abs(w).max() <= np.sqrt(6 / (32 * 9 + 64 * 9)))
    ((64, 32, 3, 3), True)
    """
    dims = _check_shape(shape)
    check_choice(scheme, "scheme", SCHEMES, described=_DESCRIBED)
    rng = _check_rng(rng)
    std = init_std(dims, scheme)
    if scheme == "he_normal":
        return rng.normal(0.0, std, size=dims)
    elif scheme in ("glorot_uniform", "pytorch_default"):
        bound = std * np.sqrt(3.0)
        return rng.uniform(-bound, bound, size=dims)
    else:  # pragma: no cover - check_choice has refused every other name
        raise ValueError(f"scheme must be {_DESCRIBED}, got {scheme!r}")


def init_bias(weight_shape, scheme, rng):
    """Draw the bias that goes with a weight: zeros, or PyTorch's uniform default.

    He and Glorot (as Keras does) start biases at 0; ``nn.Linear`` and ``nn.Conv2d`` draw
    them uniformly on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, the weight's own bound.

    Parameters
    ----------
    weight_shape : tuple of int, length >= 2
        The shape of the layer's weight; the bias has shape ``(weight_shape[0],)``.
    scheme : {"he_normal", "glorot_uniform", "pytorch_default"}
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, float64, shape (weight_shape[0],)

    Examples
    --------
    >>> init_bias((3, 4), "he_normal", np.random.default_rng(0))
    array([0., 0., 0.])
    """
    dims = _check_shape(weight_shape, "weight_shape")
    check_choice(scheme, "scheme", SCHEMES, described=_DESCRIBED)
    rng = _check_rng(rng)
    if scheme in ("he_normal", "glorot_uniform"):
        return np.zeros(dims[0])
    elif scheme == "pytorch_default":
        bound = 1.0 / np.sqrt(fan_in_and_fan_out(dims)[0])
        return rng.uniform(-bound, bound, size=dims[0])
    else:  # pragma: no cover - check_choice has refused every other name
        raise ValueError(f"scheme must be {_DESCRIBED}, got {scheme!r}")


def relu_layer_stds(x, weights):
    """The standard deviation of the activations after each layer of a ReLU chain.

    Applies ``X <- ReLU(X W^T)`` for each weight in turn (dense layers without bias, the
    setting of eq-10-var-forward) and records the standard deviation of every layer's
    pre-activation ``X W^T``, over all its entries.

    Parameters
    ----------
    x : ndarray, shape (N, d_0)
        The input batch.
    weights : list of ndarray
        Weight ``l`` has shape ``(d_{l+1}, d_l)``.

    Returns
    -------
    ndarray, float64, shape (len(weights),)

    Examples
    --------
    >>> relu_layer_stds(np.ones((2, 3)), [np.ones((2, 3))]).tolist()
    [0.0]
    """
    x = as_float(x, "x", ndim=2)
    if not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError(f"weights must be a non-empty list of 2-D arrays, got {type(weights).__name__}")
    ws = [as_float(w, f"weights[{i}]", ndim=2) for i, w in enumerate(weights)]
    width = x.shape[1]
    for i, w in enumerate(ws):
        if w.shape[1] != width:
            raise ValueError(f"weights[{i}] must have {width} columns to read the layer before, got shape {w.shape}")
        width = w.shape[0]
    stds = []
    for w in ws:
        s = x @ w.T
        stds.append(float(s.std()))
        x = np.maximum(s, 0.0)
    return np.array(stds)
