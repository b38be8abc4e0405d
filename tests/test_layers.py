"""Tests for companion.layers: layers and losses against torch.nn.functional."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.layers import (
    ACTIVATIONS,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    dense,
    flatten,
    linear,
    mse_loss,
)

RTOL, ATOL = 1e-12, 1e-12
rng = np.random.default_rng(0)


def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


# --- flatten -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 3), (2, 3, 4), (5, 32, 7, 7), (3, 1, 28, 28), (2, 2, 2, 2, 2)])
def test_flatten_matches_torch(shape):
    x = rng.normal(size=shape)
    out = flatten(x)
    expected = torch.flatten(_t(x), 1).numpy()
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(out, torch.nn.Flatten()(_t(x)).numpy())


def test_flatten_keeps_dtype():
    assert flatten(np.zeros((2, 3, 3), dtype=np.uint8)).dtype == np.uint8


def test_flatten_1d_raises():
    with pytest.raises(ValueError, match=r"^x must have a batch axis.*got a 1-D array of shape \(4,\)"):
        flatten(np.zeros(4))


def test_flatten_bad_types():
    with pytest.raises(TypeError, match=r"^x must be an array of numbers"):
        flatten("abc")
    with pytest.raises(ValueError, match=r"^x must not be empty"):
        flatten(np.zeros((0, 3)))


# --- linear and dense ----------------------------------------------------------------------

LINEAR_CASES = [(1, 1, 1), (4, 3, 2), (8, 20, 5), (16, 1568, 10), (3, 7, 1)]


@pytest.mark.parametrize("n, d_in, d_out", LINEAR_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_torch(n, d_in, d_out, with_bias):
    x = rng.normal(size=(n, d_in))
    w = rng.normal(size=(d_out, d_in))
    b = rng.normal(size=d_out) if with_bias else None
    out = linear(x, w, b)
    expected = F.linear(_t(x), _t(w), None if b is None else _t(b)).numpy()
    assert out.shape == (n, d_out)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape", [(5,), (2, 3, 5)])
def test_linear_vector_and_leading_axes(shape):
    x = rng.normal(size=shape)
    w, b = rng.normal(size=(4, 5)), rng.normal(size=4)
    out = linear(x, w, b)
    assert out.shape == shape[:-1] + (4,)
    np.testing.assert_allclose(out, F.linear(_t(x), _t(w), _t(b)).numpy(), rtol=RTOL, atol=ATOL)
    if len(shape) == 1:  # column-vector form W x + b
        np.testing.assert_allclose(out, w @ x + b, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("activation", [None, *ACTIVATIONS])
@pytest.mark.parametrize("n, d_in, d_out", LINEAR_CASES[:4])
def test_dense_matches_nn_linear_with_copied_weights(activation, n, d_in, d_out):
    layer = torch.nn.Linear(d_in, d_out, dtype=torch.float64)
    w = layer.weight.detach().numpy().copy()
    b = layer.bias.detach().numpy().copy()
    x = rng.normal(size=(n, d_in))
    follow = {
        None: lambda t: t,
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softmax": lambda t: torch.softmax(t, dim=-1),
    }[activation]
    with torch.no_grad():
        expected = follow(layer(_t(x))).numpy()
    np.testing.assert_allclose(dense(x, w, b, activation=activation), expected, rtol=RTOL, atol=ATOL)


def test_dense_without_bias():
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(dense(x, w), x @ w.T, rtol=RTOL, atol=1e-12)


def test_linear_weight_not_2d():
    with pytest.raises(ValueError, match=r"^weight must be 2-D, got a 1-D array of shape \(3,\)"):
        linear(np.zeros((2, 3)), np.zeros(3))


def test_linear_feature_mismatch():
    with pytest.raises(ValueError, match=r"^input has 3 features.*weight of shape \(4, 5\) expects in_features=5"):
        linear(np.zeros((2, 3)), np.zeros((4, 5)))


def test_linear_bias_mismatch():
    with pytest.raises(ValueError, match=r"^bias of shape \(3,\) does not match out_features=4"):
        linear(np.zeros((2, 5)), np.zeros((4, 5)), np.zeros(3))


def test_linear_bias_not_1d():
    with pytest.raises(ValueError, match=r"^bias must be 1-D, got a 2-D array"):
        linear(np.zeros((2, 5)), np.zeros((4, 5)), np.zeros((1, 4)))


def test_linear_x_0d_and_strings():
    with pytest.raises(ValueError, match=r"^input must be at least 1-D"):
        linear(3.0, np.zeros((1, 1)))
    with pytest.raises(TypeError, match=r"^input must be an array of numbers, got a str"):
        linear("x", np.zeros((1, 1)))
    with pytest.raises(TypeError, match=r"^weight must be an array of numbers, got None"):
        linear(np.zeros(2), None)
    assert linear(np.zeros((0, 2)), np.zeros((1, 2))).shape == (0, 1)  # an empty batch, as PyTorch


def test_dense_unknown_activation():
    with pytest.raises(ValueError, match=r"^activation must be None or one of .*got 'leaky_relu'"):
        dense(np.zeros(2), np.zeros((1, 2)), activation="leaky_relu")


def test_dense_activation_wrong_type():
    with pytest.raises(TypeError, match=r"^activation must be None or one of .*got ufunc"):
        dense(np.zeros(2), np.zeros((1, 2)), activation=np.tanh)


def test_dense_validates_before_work():
    with pytest.raises(ValueError, match=r"^x has 2 features"):
        dense(np.zeros(2), np.zeros((1, 3)), activation="relu")


# --- cross-entropy -------------------------------------------------------------------------


@pytest.mark.parametrize("n, k", [(1, 2), (4, 3), (32, 10), (7, 1), (5, 100)])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_cross_entropy_matches_torch(n, k, scale):
    logits = rng.normal(scale=scale, size=(n, k))
    targets = rng.integers(0, k, size=n)
    out = cross_entropy(logits, targets)
    assert type(out) is float
    expected = F.cross_entropy(_t(logits), torch.from_numpy(targets)).item()
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)


def test_cross_entropy_single_example_and_uint8_targets():
    logits = rng.normal(size=5)
    expected = F.cross_entropy(_t(logits), torch.tensor(3)).item()
    np.testing.assert_allclose(cross_entropy(logits, 3), expected, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(cross_entropy(logits, np.uint8(3)), expected, rtol=RTOL, atol=1e-12)
    labels = np.array([1, 0], dtype=np.uint8)
    z = rng.normal(size=(2, 3))
    np.testing.assert_allclose(
        cross_entropy(z, labels), F.cross_entropy(_t(z), torch.tensor([1, 0])).item(), rtol=RTOL, atol=1e-12
    )


def test_cross_entropy_accepts_tensors():
    z = torch.randn(3, 4, dtype=torch.float64)
    t = torch.tensor([0, 3, 1])
    np.testing.assert_allclose(cross_entropy(z, t), F.cross_entropy(z, t).item(), rtol=RTOL, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.floats(-50, 50), st.integers(0, 2**31))
def test_cross_entropy_properties(n, k, shift, seed):
    g = np.random.default_rng(seed)
    z = g.normal(size=(n, k))
    t = g.integers(0, k, size=n)
    loss = cross_entropy(z, t)
    assert loss >= 0
    np.testing.assert_allclose(cross_entropy(z + shift, t), loss, atol=1e-10, rtol=1e-7)  # shift-invariant


def test_cross_entropy_targets_out_of_range():
    with pytest.raises(ValueError, match=r"^target must be class indices in \[0, 3\) for C=3 classes, got 3"):
        cross_entropy(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match=r"^target must be class indices in \[0, 3\).*got -1"):
        cross_entropy(np.zeros((2, 3)), [-1, 0])


def test_cross_entropy_float_targets():
    with pytest.raises(TypeError, match=r"^target must hold integer class indices, got an array of dtype float64"):
        cross_entropy(np.zeros((2, 3)), [0.0, 1.0])


def test_cross_entropy_bool_targets():
    with pytest.raises(TypeError, match=r"^target must hold integer class indices.*bool"):
        cross_entropy(np.zeros((2, 3)), [True, False])


def test_cross_entropy_shape_mismatch():
    with pytest.raises(ValueError, match=r"^target must have shape \(2,\) to match input of shape \(2, 3\), got shape \(3,\)"):
        cross_entropy(np.zeros((2, 3)), [0, 1, 2])


def test_cross_entropy_logits_ndim():
    with pytest.raises(ValueError, match=r"^target must have shape \(2, 4\) to match input of shape \(2, 3, 4\)"):
        cross_entropy(np.zeros((2, 3, 4)), [0, 1])
    with pytest.raises(ValueError, match=r"^input must be at least 1-D"):
        cross_entropy(1.0, 0)


def test_cross_entropy_strings_and_empty():
    with pytest.raises(TypeError, match=r"^target must be an array of numbers, got a str"):
        cross_entropy(np.zeros((1, 3)), "cat")
    with pytest.raises(ValueError, match=r"^input must not be empty"):
        cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))


# --- binary cross-entropy ------------------------------------------------------------------

BCE_SHAPES = [(1,), (8,), (4, 1), (3, 5), (2, 3, 4)]


@pytest.mark.parametrize("shape", BCE_SHAPES)
@pytest.mark.parametrize("soft", [False, True])
def test_binary_cross_entropy_matches_torch(shape, soft):
    p = rng.uniform(size=shape)
    y = rng.uniform(size=shape) if soft else rng.integers(0, 2, size=shape).astype(float)
    out = binary_cross_entropy(p, y)
    assert type(out) is float
    np.testing.assert_allclose(out, F.binary_cross_entropy(_t(p), _t(y)).item(), rtol=RTOL, atol=ATOL)


def test_binary_cross_entropy_clamps_log_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-60, 1 - 1e-17])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    expected = F.binary_cross_entropy(_t(p), _t(y)).item()
    np.testing.assert_allclose(binary_cross_entropy(p, y), expected, rtol=RTOL, atol=1e-12)
    assert binary_cross_entropy([0.0], [1.0]) == 100.0


@pytest.mark.parametrize("shape", BCE_SHAPES)
@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_binary_cross_entropy_with_logits_matches_torch(shape, scale):
    z = rng.normal(scale=scale, size=shape)
    y = rng.uniform(size=shape)
    out = binary_cross_entropy_with_logits(z, y)
    assert type(out) is float
    expected = F.binary_cross_entropy_with_logits(_t(z), _t(y)).item()
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)


def test_bce_with_logits_equals_bce_of_sigmoid():
    z = rng.normal(size=20)
    y = rng.integers(0, 2, size=20)
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(binary_cross_entropy_with_logits(z, y), binary_cross_entropy(p, y), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bad", [1.5, -0.1, np.nan])
def test_binary_cross_entropy_p_outside_unit_interval(bad):
    with pytest.raises(ValueError, match=rf"^input must hold values in \[0, 1\], got {bad}"):
        binary_cross_entropy([0.5, bad], [0.0, 1.0])


def test_binary_cross_entropy_y_outside_unit_interval():
    with pytest.raises(ValueError, match=r"^target must hold values in \[0, 1\], got 2.0"):
        binary_cross_entropy([0.5, 0.5], [0.0, 2.0])
    with pytest.raises(ValueError, match=r"^y must hold values in \[0, 1\], got -1.0"):
        binary_cross_entropy_with_logits([0.5, 0.5], [0.0, -1.0])


def test_binary_cross_entropy_shape_mismatch():
    with pytest.raises(ValueError, match=r"^target of shape \(3,\) must have the same shape as input, \(2,\)"):
        binary_cross_entropy([0.5, 0.5], [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"^y of shape \(2, 1\) must have the same shape as logits, \(2,\)"):
        binary_cross_entropy_with_logits([0.5, 0.5], [[0.0], [1.0]])


def test_binary_cross_entropy_strings_and_empty():
    with pytest.raises(TypeError, match=r"^input must be an array of numbers, got a str"):
        binary_cross_entropy("0.5", [1.0])
    with pytest.raises(ValueError, match=r"^target must not be empty"):
        binary_cross_entropy([0.5], [])
    with pytest.raises(TypeError, match=r"^logits must be an array of numbers, got None"):
        binary_cross_entropy_with_logits(None, [1.0])


# --- mean squared error --------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1,), (10,), (4, 3), (2, 3, 4, 5)])
def test_mse_loss_matches_torch(shape):
    a, b = rng.normal(size=shape), rng.normal(size=shape)
    out = mse_loss(a, b)
    assert type(out) is float
    np.testing.assert_allclose(out, F.mse_loss(_t(a), _t(b)).item(), rtol=RTOL, atol=ATOL)


def test_mse_loss_shape_mismatch():
    with pytest.raises(ValueError, match=r"^target of shape \(3,\) must have the same shape as input, \(3, 1\)"):
        mse_loss(np.zeros((3, 1)), np.zeros(3))


def test_mse_loss_bad_types():
    with pytest.raises(TypeError, match=r"^input must be an array of numbers, got a str"):
        mse_loss("a", [1.0])
    with pytest.raises(TypeError, match=r"^target must be an array of numbers, got None"):
        mse_loss([1.0], None)
    with pytest.raises(ValueError, match=r"^input must not be empty"):
        mse_loss([], [])


def test_losses_always_return_python_float():
    for value in (
        cross_entropy([[1.0, 2.0]], [1]),
        binary_cross_entropy([0.3], [1]),
        binary_cross_entropy_with_logits([0.3], [1]),
        mse_loss([1], [2]),
    ):
        assert type(value) is float


# --- PyTorch's whole signature -------------------------------------------------------------


def test_linear_takes_any_leading_axes():
    x, w, b = rng.normal(size=(2, 1, 3, 4)), rng.normal(size=(5, 4)), rng.normal(size=5)
    np.testing.assert_allclose(linear(x, w, b), F.linear(_t(x), _t(w), _t(b)).numpy(), rtol=RTOL, atol=ATOL)


def _ce_case(shape, probabilities, seed=3):
    r = np.random.default_rng(seed)
    z = r.normal(size=shape)
    c = shape[1] if len(shape) > 1 else shape[0]
    if probabilities:
        y = r.uniform(size=shape)
        return z, y / y.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
    t_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    return z, r.integers(0, c, size=t_shape)


CE_OPTIONS = [
    dict(),
    dict(reduction="sum"),
    dict(reduction="none"),
    dict(weight=np.array([0.5, 2.0, 1.0, 3.0])),
    dict(weight=np.array([0.5, 2.0, 1.0, 3.0]), reduction="none", label_smoothing=0.2),
    dict(label_smoothing=0.3),
    dict(weight=np.array([0.5, 2.0, 1.0, 3.0]), label_smoothing=0.1, reduction="sum"),
    dict(size_average=False),
    dict(reduce=False),
]


@pytest.mark.parametrize("shape", [(5, 4), (4,), (3, 4, 2), (2, 4, 3, 2)])
@pytest.mark.parametrize("probabilities", [False, True])
@pytest.mark.parametrize("options", CE_OPTIONS)
def test_cross_entropy_options_match_torch(shape, probabilities, options):
    z, target = _ce_case(shape, probabilities)
    t_target = _t(target) if probabilities else torch.from_numpy(np.asarray(target))
    t_options = {k: _t(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    expected = F.cross_entropy(_t(z), t_target, **t_options).numpy()
    out = cross_entropy(z, target, **options)
    if options.get("reduction") == "none" or options.get("reduce") is False:
        assert isinstance(out, np.ndarray) and out.shape == expected.shape
    else:
        assert type(out) is float
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("weight", [None, np.array([1.0, 2.0, 3.0])])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_ignore_index_matches_torch(weight, reduction):
    z, t = rng.normal(size=(6, 3)), np.array([0, 2, -100, 1, 1, 2])
    kw = dict(weight=None if weight is None else _t(weight), reduction=reduction, label_smoothing=0.1)
    expected = F.cross_entropy(_t(z), torch.from_numpy(t), **kw).numpy()
    np.testing.assert_allclose(cross_entropy(z, t, weight, reduction=reduction, label_smoothing=0.1), expected,
                               rtol=RTOL, atol=ATOL)
    t[:] = 1
    np.testing.assert_allclose(cross_entropy(z, t, ignore_index=1, reduction=reduction),
                               F.cross_entropy(_t(z), torch.from_numpy(t), ignore_index=1, reduction=reduction).numpy(),
                               rtol=RTOL, atol=ATOL, equal_nan=True)  # all ignored: 0 / 0 for "mean"


@pytest.mark.parametrize(
    "args, kwargs, error, pattern",
    [
        ((np.zeros((2, 3)), [0, 1]), dict(weight=[1.0, 2.0]), ValueError, r"^weight must have shape \(C,\) = \(3,\)"),
        ((np.zeros((2, 3)), [0, 1]), dict(label_smoothing=1.5), ValueError, r"^label_smoothing must be in \[0, 1\]"),
        ((np.zeros((2, 3)), [0, 1]), dict(label_smoothing="a"), TypeError, r"^label_smoothing must be a number"),
        ((np.zeros((2, 3)), [0, 1]), dict(reduction="avg"), ValueError, r"^reduction must be one of 'none', 'mean', 'sum'"),
        ((np.zeros((2, 3)), [0, 1]), dict(ignore_index=1.0), TypeError, r"^ignore_index must be an int"),
        ((np.zeros((2, 3)), np.zeros((2, 3))), dict(ignore_index=0), ValueError, r"^ignore_index=0 is not supported"),
        ((np.zeros((2, 3)), np.zeros((2, 3), dtype=int)), dict(), TypeError, r"^target of the input's shape"),
        ((np.zeros((2, 3)), [0, 1]), dict(size_average=1), TypeError, r"^size_average must be True or False"),
    ],
)
def test_cross_entropy_bad_options(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        cross_entropy(*args, **kwargs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_and_mse_weight_and_reduction_match_torch(reduction, weighted):
    p, y = rng.uniform(0.05, 0.95, size=(4, 3)), rng.uniform(size=(4, 3))
    w = rng.uniform(size=(4, 3)) if weighted else None
    tw = None if w is None else _t(w)
    np.testing.assert_allclose(binary_cross_entropy(p, y, w, reduction=reduction),
                               F.binary_cross_entropy(_t(p), _t(y), tw, reduction=reduction).numpy(),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(mse_loss(p, y, reduction=reduction, weight=w),
                               F.mse_loss(_t(p), _t(y), reduction=reduction, weight=tw).numpy(), rtol=RTOL, atol=ATOL)
    w_row = rng.uniform(size=3)  # binary_cross_entropy broadcasts its weight
    np.testing.assert_allclose(binary_cross_entropy(p, y, w_row, reduction=reduction),
                               F.binary_cross_entropy(_t(p), _t(y), _t(w_row), reduction=reduction).numpy(),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(mse_loss(p, y, False), F.mse_loss(_t(p), _t(y), False).item(), rtol=RTOL, atol=ATOL)


def test_bce_and_mse_bad_weight():
    with pytest.raises(ValueError, match=r"^weight must have a shape that broadcasts to input, \(2, 3\), got \(2,\)"):
        binary_cross_entropy(np.full((2, 3), 0.5), np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"^weight must have the shape of input, \(2, 3\), got \(3,\)"):
        mse_loss(np.ones((2, 3)), np.ones((2, 3)), weight=np.ones(3))
    with pytest.raises(ValueError, match=r"^reduction must be one of"):
        mse_loss(np.ones(2), np.ones(2), reduction="mean ")
