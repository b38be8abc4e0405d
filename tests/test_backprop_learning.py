"""companion.backprop.learning: sgd_step against torch.optim.SGD, and numerical_gradient."""

import numpy as np
import pytest
import torch

from companion.backprop.learning import numerical_gradient, sgd_step


# --------------------------------------------------------------------------- learning


@pytest.mark.parametrize("lr", [0.0, 0.001, 0.1, 1.5])
@pytest.mark.parametrize("shape", [(3,), (4, 1, 3, 3), (10, 7)])
def test_sgd_step_matches_torch_optim_sgd(lr, shape):
    rng = np.random.default_rng(len(shape))
    param, grad = rng.normal(size=shape), rng.normal(size=shape)
    p_t = torch.tensor(param, requires_grad=True)
    p_t.grad = torch.tensor(grad)
    torch.optim.SGD([p_t], lr=lr).step()
    np.testing.assert_allclose(sgd_step(param, grad, lr), p_t.detach().numpy(), rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("lr", [0.02, 0.2, 0.45, 0.55])
def test_sgd_on_a_parabola_follows_torch_and_the_closed_form(lr):
    a, steps = 4.0, 15
    k = np.array([1.0])
    k_t = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([k_t], lr=lr)
    for t in range(1, steps + 1):
        k = sgd_step(k, a * k, lr=lr)
        optimizer.zero_grad()
        (a / 2 * k_t**2).sum().backward()
        optimizer.step()
        np.testing.assert_allclose(k, k_t.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(k, (1 - lr * a) ** t, rtol=1e-10, atol=1e-12)


def test_sgd_step_returns_a_new_array():
    param = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = param.copy()
    new = sgd_step(param, np.ones((2, 2)), 0.5)
    np.testing.assert_array_equal(new, before - 0.5)
    np.testing.assert_array_equal(param, before)
    assert new is not param


def test_sgd_step_descends_a_quadratic():
    k = np.array([3.0, -2.0])
    for _ in range(50):
        k = sgd_step(k, 2 * k, lr=0.1)  # L = |k|^2
    assert np.abs(k).max() < 1e-4


@pytest.mark.parametrize(
    "args, error, pattern",
    [
        ((np.ones(3), np.ones(2), 0.1), ValueError, r"grad must have the shape of param, \(3,\), got \(2,\)"),
        ((np.ones(3), np.ones(3), "0.1"), TypeError, r"lr must be a number, got str"),
        ((np.ones(3), np.ones(3), True), TypeError, r"lr must be a number, got bool"),
        ((np.ones(3), np.ones(3), -0.1), ValueError, r"lr must be a finite number >= 0, got -0.1"),
        ((np.ones(3), np.ones(3), float("nan")), ValueError, r"lr must be a finite number"),
        (("p", np.ones(3), 0.1), TypeError, r"param must be an array of numbers"),
        ((np.ones(3), None, 0.1), TypeError, r"grad must be an array of numbers, got None"),
    ],
)
def test_sgd_step_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        sgd_step(*args)


def test_numerical_gradient_leaves_x_alone_and_is_float64():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    before = x.copy()
    g = numerical_gradient(lambda v: float((v**3).sum()), x)
    assert g.dtype == np.float64 and g.shape == x.shape
    np.testing.assert_allclose(g, 3 * before.astype(np.float64) ** 2, rtol=1e-8, atol=1e-12)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_accepts_integer_input_and_0d_results():
    g = numerical_gradient(lambda v: np.sum(v * np.array([1.0, 2.0, 3.0])), [1, 1, 1])
    np.testing.assert_allclose(g, [1, 2, 3], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(
    "args, error, pattern",
    [
        (("f", np.ones(3)), TypeError, r"f must be a callable"),
        ((lambda v: v, np.ones(3)), ValueError, r"f must return a scalar, got an array of shape \(3,\)"),
        ((lambda v: v.sum(), "x"), TypeError, r"x must be an array of numbers"),
        ((lambda v: v.sum(), np.ones(3), 0.0), ValueError, r"eps must be a finite number > 0, got 0.0"),
        ((lambda v: v.sum(), np.ones(3), "1e-6"), TypeError, r"eps must be a number, got str"),
    ],
)
def test_numerical_gradient_bad_input(args, error, pattern):
    with pytest.raises(error, match=pattern):
        numerical_gradient(*args)
