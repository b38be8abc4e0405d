"""Tests for companion.activation.classic: each function against PyTorch and SciPy."""

import warnings

import numpy as np
import pytest
import scipy.special
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from companion.activation.classic import (
    log_softmax,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_naive,
    tanh,
    tanh_grad,
)

SHAPES = [(1,), (7,), (3, 4), (2, 3, 5), (2, 3, 4, 5), (1, 1, 28, 28)]
RTOL, ATOL = 1e-12, 1e-14


def _random(shape, seed, scale=5.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


# --- element-wise functions against torch ---------------------------------------------

ELEMENTWISE = [(relu, torch.relu), (sigmoid, torch.sigmoid), (tanh, torch.tanh)]


@pytest.mark.parametrize("ours, theirs", ELEMENTWISE, ids=["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("shape", SHAPES)
def test_elementwise_matches_torch(ours, theirs, shape):
    x = _random(shape, seed=len(shape))
    out = ours(x)
    assert isinstance(out, np.ndarray) and out.shape == x.shape and out.dtype == np.float64
    _close(out, theirs(torch.from_numpy(x)).numpy())


@pytest.mark.parametrize("ours, theirs", ELEMENTWISE, ids=["relu", "sigmoid", "tanh"])
def test_elementwise_extremes_and_zero(ours, theirs):
    x = np.array([-1e308, -1000.0, -50.0, -1e-300, 0.0, 1e-300, 50.0, 1000.0, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning allowed
        out = ours(x)
    _close(out, theirs(torch.from_numpy(x)).numpy())


def test_sigmoid_matches_scipy_expit():
    x = np.linspace(-800, 800, 1601)
    _close(sigmoid(x), scipy.special.expit(x))


def test_relu_accepts_lists_ints_tensors_and_0d():
    assert relu([-1, 2]).dtype == np.float64
    np.testing.assert_array_equal(relu([-1, 2]), [0.0, 2.0])
    np.testing.assert_array_equal(relu(torch.tensor([-1.0, 2.0])), [0.0, 2.0])
    out = relu(-3.0)
    assert isinstance(out, np.ndarray) and out.shape == () and out == 0.0
    assert isinstance(sigmoid(0.0), np.ndarray) and isinstance(softmax([1.0]), np.ndarray)


def test_float32_stays_float32():
    x = np.ones((2, 2), dtype=np.float32)
    for f in (relu, sigmoid, tanh, softmax, log_softmax, relu_grad, sigmoid_grad, tanh_grad):
        assert f(x).dtype == np.float32, f.__name__


def test_input_is_not_modified():
    x = np.array([-1.0, 0.0, 2.0])
    for f in (relu, sigmoid, tanh, softmax, log_softmax, relu_grad, sigmoid_grad, tanh_grad):
        f(x)
    np.testing.assert_array_equal(x, [-1.0, 0.0, 2.0])


# --- softmax and log_softmax -----------------------------------------------------------


SHAPE_AXIS = [(s, a) for s in SHAPES for a in (0, -1, 1, -2) if -len(s) <= a < len(s)]


@pytest.mark.parametrize("shape, axis", SHAPE_AXIS)
def test_softmax_and_log_softmax_match_torch_and_scipy(shape, axis):
    z = _random(shape, seed=3)
    t = torch.from_numpy(z)
    _close(softmax(z, axis=axis), torch.softmax(t, dim=axis).numpy())
    _close(log_softmax(z, axis=axis), torch.log_softmax(t, dim=axis).numpy())
    _close(softmax(z, axis=axis), scipy.special.softmax(z, axis=axis))
    _close(log_softmax(z, axis=axis), scipy.special.log_softmax(z, axis=axis))
    _close(softmax_naive(z, axis=axis), scipy.special.softmax(z, axis=axis))


def test_softmax_large_inputs_are_stable():
    z = np.array([[1000.0, 1000.0], [1000.0, 0.0], [-1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
        lp = log_softmax(z)
    _close(p, torch.softmax(torch.from_numpy(z), -1).numpy())
    _close(lp, torch.log_softmax(torch.from_numpy(z), -1).numpy())
    np.testing.assert_array_equal(lp[1], [0.0, -1000.0])


def test_softmax_naive_overflows_to_nan_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = softmax_naive([1000.0, 1000.0])
    assert np.isnan(out).all()
    messages = " | ".join(str(w.message) for w in caught)
    assert all(w.category is RuntimeWarning for w in caught)
    assert "overflow encountered in exp" in messages


def test_softmax_naive_equals_softmax_for_moderate_inputs():
    z = _random((4, 6), seed=9, scale=3.0)
    _close(softmax_naive(z), softmax(z))


finite_floats = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6), elements=finite_floats),
       st.floats(-1e3, 1e3))
def test_softmax_properties(z, shift):
    p = softmax(z)
    assert np.all(p >= 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12, atol=1e-12)
    # shift invariance: softmax(z + c) = softmax(z)
    np.testing.assert_allclose(softmax(z + shift), p, atol=1e-9, rtol=1e-7)
    lp = log_softmax(z)
    assert np.all(np.isfinite(lp)) and np.all(lp <= 0)
    np.testing.assert_allclose(np.exp(lp), p, atol=1e-12, rtol=1e-7)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=6),
              elements=st.floats(-1e300, 1e300)))
def test_log_softmax_finite_and_sigmoid_bounded_for_huge_inputs(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        assert np.all((s >= 0) & (s <= 1))
        lp = log_softmax(z)
    assert np.all(np.isfinite(lp))
    assert np.all(lp <= 0)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, array_shapes(max_dims=3, max_side=5), elements=finite_floats))
def test_derivative_ranges(x):
    assert np.all((sigmoid_grad(x) >= 0) & (sigmoid_grad(x) <= 0.25))
    assert np.all((tanh_grad(x) >= 0) & (tanh_grad(x) <= 1))
    assert set(np.unique(relu_grad(x))) <= {0.0, 1.0}


# --- derivatives against autograd ------------------------------------------------------

GRADS = [(relu_grad, torch.relu), (sigmoid_grad, torch.sigmoid), (tanh_grad, torch.tanh)]


@pytest.mark.parametrize("ours, fn", GRADS, ids=["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("shape", SHAPES)
def test_derivatives_match_autograd(ours, fn, shape):
    x = _random(shape, seed=11, scale=3.0)
    x.flat[0] = 0.0  # include the kink of ReLU
    t = torch.from_numpy(x).requires_grad_(True)
    fn(t).sum().backward()
    _close(ours(x), t.grad.numpy())


def test_relu_grad_at_zero_is_zero():
    t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    torch.relu(t).sum().backward()
    np.testing.assert_array_equal(relu_grad(np.zeros(3)), t.grad.numpy())
    np.testing.assert_array_equal(relu_grad(np.zeros(3)), 0.0)


def test_derivatives_match_central_differences():
    x = np.linspace(-4, 4, 41) + 0.05  # avoid the kink of ReLU
    h = 1e-6
    for f, df in ((relu, relu_grad), (sigmoid, sigmoid_grad), (tanh, tanh_grad)):
        numeric = (f(x + h) - f(x - h)) / (2 * h)
        np.testing.assert_allclose(df(x), numeric, atol=1e-8, rtol=1e-7)


# --- bad input ---------------------------------------------------------------------------

ALL = [relu, sigmoid, tanh, softmax, log_softmax, softmax_naive, relu_grad, sigmoid_grad, tanh_grad]
ARG = {f: ("z" if f is softmax_naive else "x" if f.__name__.endswith("_grad") else "input") for f in ALL}
TAKES_EMPTY = [relu, sigmoid, tanh, softmax, log_softmax]


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_string_raises_type_error(f):
    with pytest.raises(TypeError, match=rf"^{ARG[f]} must be an array of numbers, got a str"):
        f("hello")


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_none_raises_type_error(f):
    with pytest.raises(TypeError, match=rf"^{ARG[f]} must be an array of numbers, got None"):
        f(None)


@pytest.mark.parametrize("f", TAKES_EMPTY, ids=lambda f: f.__name__)
def test_empty_gives_empty_as_torch(f):
    for shape in [(0,), (5, 0, 0), (1, 0, 3)]:
        out = f(np.zeros(shape))
        assert isinstance(out, np.ndarray) and out.shape == shape and out.dtype == np.float64


@pytest.mark.parametrize("f, theirs", [(softmax, torch.softmax), (log_softmax, torch.log_softmax)],
                         ids=["softmax", "log_softmax"])
def test_softmax_0d_is_one_class_as_torch(f, theirs):
    for axis in (0, -1):
        out = f(np.float64(2.5), axis)
        assert isinstance(out, np.ndarray) and out.shape == ()
        _close(out, theirs(torch.tensor(2.5, dtype=torch.float64), axis).numpy())
    with pytest.raises(ValueError, match=r"^axis=1 is out of range for an array with 1 dimension"):
        f(2.5, 1)


def test_softmax_takes_torchs_dim_and_dtype():
    z = _random((3, 4), seed=9)
    _close(softmax(z, dim=0), torch.softmax(torch.from_numpy(z), dim=0).numpy())
    np.testing.assert_allclose(log_softmax(z, 0, np.float32),
                               torch.log_softmax(torch.from_numpy(z), 0, dtype=torch.float32).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert softmax(z, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(softmax(z, axis=0, dim=0), softmax(z, 0))
    with pytest.raises(TypeError, match=r"^give the axis once"):
        softmax(z, axis=0, dim=1)
    with pytest.raises(TypeError, match=r"^dim must be an int"):
        softmax(z, dim="rows")
    with pytest.raises(TypeError, match=r"^dtype must be a NumPy floating dtype"):
        softmax(z, dtype=np.int64)
    with pytest.raises(TypeError, match=r"^dtype must be a NumPy floating dtype"):
        softmax(z, dtype="no such type")


def test_relu_inplace_writes_into_the_array():
    x = np.array([-1.0, 2.0])
    out = relu(x, inplace=True)
    assert out is x
    np.testing.assert_array_equal(x, [0.0, 2.0])
    with pytest.raises(TypeError, match=r"^input must be a floating-point NumPy array for inplace=True"):
        relu([1, 2], inplace=True)
    with pytest.raises(TypeError, match=r"^inplace must be True or False"):
        relu(x, inplace=1)


@pytest.mark.parametrize("f", [softmax_naive, relu_grad, sigmoid_grad, tanh_grad], ids=lambda f: f.__name__)
def test_empty_raises_value_error(f):
    with pytest.raises(ValueError, match=rf"^{ARG[f]} must not be empty, got shape \(0,\)"):
        f([])


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_object_array_raises_type_error(f):
    with pytest.raises(TypeError, match=rf"^{ARG[f]} must hold numbers, got an array of dtype"):
        f(np.array(["a", "b"]))


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_ragged_raises_value_error(f):
    with pytest.raises(ValueError, match=rf"^{ARG[f]} must be a rectangular array"):
        f([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("f", [softmax_naive], ids=lambda f: f.__name__)
def test_softmax_0d_raises(f):
    with pytest.raises(ValueError, match=r"^z must have at least 1 dimension.*got a 0-d array"):
        f(3.0)


@pytest.mark.parametrize("f", [softmax, log_softmax, softmax_naive], ids=lambda f: f.__name__)
def test_softmax_axis_out_of_range(f):
    with pytest.raises(ValueError, match=r"^axis=2 is out of range for an array with 2 dimension"):
        f(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match=r"^axis=-3 is out of range"):
        f(np.zeros((2, 3)), axis=-3)


@pytest.mark.parametrize("f", [softmax, log_softmax, softmax_naive], ids=lambda f: f.__name__)
def test_softmax_axis_wrong_type(f):
    with pytest.raises(TypeError, match=r"^axis must be an int, got float: 1.0"):
        f(np.zeros((2, 3)), axis=1.0)
    with pytest.raises(TypeError, match=r"^axis must be an int, got str"):
        f(np.zeros((2, 3)), axis="rows")
