"""Chapter 7's gradient-descent step held to PyTorch: companion.sgd_step against
torch.optim.SGD (plain, no momentum), one step on random parameters and a whole trajectory."""

import numpy as np
import pytest
import torch

import companion


@pytest.mark.parametrize("lr", [0.0, 0.001, 0.1, 1.5])
@pytest.mark.parametrize("shape", [(3,), (4, 1, 3, 3), (10, 7)])
def test_sgd_step_matches_torch_optim_sgd(lr, shape):
    rng = np.random.default_rng(len(shape))
    param, grad = rng.normal(size=shape), rng.normal(size=shape)
    p_t = torch.tensor(param, requires_grad=True)
    p_t.grad = torch.tensor(grad)
    torch.optim.SGD([p_t], lr=lr).step()
    np.testing.assert_allclose(companion.sgd_step(param, grad, lr), p_t.detach().numpy(), rtol=1e-15, atol=0)


@pytest.mark.parametrize("lr", [0.02, 0.2, 0.45, 0.55])
def test_sgd_on_a_parabola_follows_torch_and_the_closed_form(lr):
    a, steps = 4.0, 15
    k = np.array([1.0])
    k_t = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([k_t], lr=lr)
    for t in range(1, steps + 1):
        k = companion.sgd_step(k, a * k, lr=lr)
        optimizer.zero_grad()
        (a / 2 * k_t**2).sum().backward()
        optimizer.step()
        np.testing.assert_allclose(k, k_t.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(k, (1 - lr * a) ** t, rtol=1e-10)
