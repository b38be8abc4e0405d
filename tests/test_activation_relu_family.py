"""Tests for companion.activation.relu_family: leaky ReLU, ELU, GELU and erf against PyTorch
and SciPy."""

import warnings

import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F

from companion.activation.relu_family import (
    elu,
    elu_grad,
    erf,
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
)

SHAPES = [(1,), (7,), (3, 4), (2, 3, 5), (2, 3, 4, 5), (1, 1, 28, 28)]
RTOL, ATOL = 1e-12, 1e-14


def _random(shape, seed, scale=5.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


# --- the ReLU family: leaky ReLU, ELU, GELU ----------------------------------------------

FAMILY = [  # (ours, grad, torch function, keyword sets)
    (leaky_relu, leaky_relu_grad, F.leaky_relu, [{}, {"negative_slope": 0.2}, {"negative_slope": 0.0},
                                                  {"negative_slope": 1.5}]),
    (elu, elu_grad, F.elu, [{}, {"alpha": 0.5}, {"alpha": 2.0}, {"alpha": 0.0}]),
    (gelu, gelu_grad, F.gelu, [{}, {"approximate": "none"}, {"approximate": "tanh"}]),
]
FAMILY_CASES = [(f, g, t, kw) for f, g, t, kws in FAMILY for kw in kws]
FAMILY_IDS = [f"{f.__name__}-{kw}" for f, g, t, kw in FAMILY_CASES]
# A wide range: tiny, order one, the far tails, and the kink itself.
WIDE = np.concatenate([np.linspace(-12, 12, 2401), [-1e100, -1e8, -60.5, -38.0, -1e-8, -1e-200, 0.0,
                                                     1e-200, 1e-8, 38.0, 60.5, 1e8, 1e100]])


def _torch_value_and_grad(fn, x, kw):
    t = torch.from_numpy(np.asarray(x, dtype=np.float64)).requires_grad_(True)
    y = fn(t, **kw)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


def _close_scaled(actual, expected, x):
    """float64 agreement, atol scaled by the size of the values (GELU(x) ~ x far right)."""
    scale = np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64)))
    np.testing.assert_allclose(actual / scale, expected / scale, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("ours, grad, fn, kw", FAMILY_CASES, ids=FAMILY_IDS)
def test_family_matches_torch_values_and_autograd(ours, grad, fn, kw):
    value, g = _torch_value_and_grad(fn, WIDE, kw)
    out = ours(WIDE, **kw)
    assert isinstance(out, np.ndarray) and out.shape == WIDE.shape and out.dtype == np.float64
    _close_scaled(out, value, WIDE)
    _close_scaled(grad(WIDE, **kw), g, WIDE)


@pytest.mark.parametrize("ours, grad, fn, kw", FAMILY_CASES, ids=FAMILY_IDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_family_matches_torch_on_shapes(ours, grad, fn, kw, shape):
    x = _random(shape, seed=len(shape) + 20, scale=3.0)
    x.flat[0] = 0.0  # the kink
    value, g = _torch_value_and_grad(fn, x, kw)
    _close(ours(x, **kw), value)
    _close(grad(x, **kw), g)


@pytest.mark.parametrize("ours, grad, fn, kw", FAMILY_CASES, ids=FAMILY_IDS)
def test_family_grad_matches_central_differences(ours, grad, fn, kw):
    x = np.linspace(-5, 5, 81) + 0.0123  # away from the kink at 0
    h = 1e-6
    numeric = (ours(x + h, **kw) - ours(x - h, **kw)) / (2 * h)
    np.testing.assert_allclose(grad(x, **kw), numeric, rtol=1e-6, atol=1e-8)


def test_kink_conventions_are_pytorchs():
    zero = np.zeros(1)
    for kw, expected in (({}, 0.01), ({"negative_slope": 0.3}, 0.3)):
        _, g = _torch_value_and_grad(F.leaky_relu, zero, kw)
        assert leaky_relu_grad(zero, **kw)[0] == g[0] == expected
    for alpha in (0.5, 1.0, 2.0):
        _, g = _torch_value_and_grad(F.elu, zero, {"alpha": alpha})
        assert elu_grad(zero, alpha=alpha)[0] == g[0] == alpha
    for mode in ("none", "tanh"):
        assert gelu_grad(zero, approximate=mode)[0] == 0.5


def test_family_float32_and_0d_and_empty():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0], dtype=np.float32)
    for f, _, fn, kws in FAMILY:
        for kw in kws:
            for h in (f, dict((row[0], row[1]) for row in FAMILY)[f]):
                assert h(x, **kw).dtype == np.float32
                assert h(0.5, **kw).shape == () and isinstance(h(0.5, **kw), np.ndarray)
                assert h(np.zeros((2, 0)), **kw).shape == (2, 0)
            np.testing.assert_allclose(f(x, **kw), fn(torch.from_numpy(x), **kw).numpy(),
                                       rtol=1e-5, atol=1e-6)


def test_family_no_overflow_warning_at_extremes():
    x = np.array([-1e308, -1e200, 1e200, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f, g, _, kws in FAMILY:
            for kw in kws:
                assert np.all(np.isfinite(f(x, **kw)) | np.isinf(x))
                np.testing.assert_array_equal(g(x, **kw), [0.0, 0.0, 1.0, 1.0] if f is gelu
                                              else g(np.array([-1.0, -1.0, 1.0, 1.0]) * 1e3, **kw))


def test_erf_matches_scipy_and_torch_to_float64():
    x = np.concatenate([np.linspace(-7, 7, 1401), [-1e300, -30.0, -1e-300, 0.0, 1e-300, 1e-10, 30.0, 1e300]])
    np.testing.assert_allclose(erf(x), scipy.special.erf(x), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(erf(x), torch.erf(torch.from_numpy(x)).numpy(), rtol=1e-14, atol=1e-300)
    assert erf(np.float32(0.5)).dtype == np.float32


def test_gelu_is_x_times_normal_cdf_in_the_far_left_tail():
    x = np.array([-30.0, -20.0, -10.0])
    # x * Phi(x) with Phi from SciPy's normal distribution: our erfc form keeps relative accuracy
    # where torch's 1 + erf(x / sqrt 2) cancels to 0.
    np.testing.assert_allclose(gelu(x), x * scipy.special.ndtr(x), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("f", [leaky_relu, leaky_relu_grad])
def test_leaky_relu_bad_slope(f):
    with pytest.raises(ValueError, match=r"^negative_slope must be a finite number at least 0, got -0.1"):
        f([1.0], negative_slope=-0.1)
    with pytest.raises(ValueError, match=r"^negative_slope must be a finite number at least 0, got inf"):
        f([1.0], negative_slope=float("inf"))
    with pytest.raises(TypeError, match=r"^negative_slope must be a number, got str"):
        f([1.0], negative_slope="0.1")


@pytest.mark.parametrize("f", [elu, elu_grad])
def test_elu_bad_alpha(f):
    with pytest.raises(ValueError, match=r"^alpha must be a finite number at least 0, got -1.0"):
        f([1.0], alpha=-1.0)
    with pytest.raises(ValueError, match=r"^alpha must be a finite number at least 0, got nan"):
        f([1.0], alpha=float("nan"))
    with pytest.raises(TypeError, match=r"^alpha must be a number, got bool"):
        f([1.0], alpha=True)


@pytest.mark.parametrize("f", [gelu, gelu_grad])
def test_gelu_bad_approximate(f):
    with pytest.raises(ValueError, match=r"^approximate must be 'none' or 'tanh', got 'erf'"):
        f([1.0], approximate="erf")
    with pytest.raises(TypeError, match=r"^approximate must be a str, got NoneType"):
        f([1.0], approximate=None)


@pytest.mark.parametrize("f", [leaky_relu, elu, gelu, leaky_relu_grad, elu_grad, gelu_grad, erf],
                         ids=lambda f: f.__name__)
def test_family_bad_input(f):
    arg = "input" if f in (leaky_relu, elu, gelu) else "x"
    with pytest.raises(TypeError, match=rf"^{arg} must be an array of numbers, got a str"):
        f("hello")
    with pytest.raises(TypeError, match=rf"^{arg} must hold numbers, got an array of dtype"):
        f(np.array(["a", "b"]))
    with pytest.raises(ValueError, match=rf"^{arg} must be a rectangular array"):
        f([[1.0, 2.0], [3.0]])
