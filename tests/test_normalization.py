"""companion.normalization: batch norm against F.batch_norm, autograd and finite differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion.normalization import (
    batch_norm2d,
    batch_norm2d_backward,
    batch_norm2d_eval,
    batch_norm2d_update_running,
)

SHAPES = [(4, 3, 5, 6), (1, 2, 3, 3), (7, 1, 1, 1), (2, 5, 1, 4)]


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = rng.normal(2.0, 3.0, size=shape)
    return x, rng.normal(1.0, 0.5, size=c), rng.normal(0.0, 1.0, size=c), rng.normal(size=shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_forward_matches_torch(shape):
    x, gamma, beta, _ = _data(shape)
    got = batch_norm2d(x, gamma, beta)
    ref = F.batch_norm(torch.from_numpy(x), None, None, torch.from_numpy(gamma), torch.from_numpy(beta),
                       training=True, eps=1e-5).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    # every channel of the normalised output has mean beta and (almost) standard deviation |gamma|
    np.testing.assert_allclose(got.mean(axis=(0, 2, 3)), beta, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_backward_matches_autograd(shape, eps):
    x, gamma, beta, g = _data(shape, 1)
    gx, gg, gb = batch_norm2d_backward(g, x, gamma, eps=eps)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    out = F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps)
    out.backward(torch.from_numpy(g))
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gg, gt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_backward_matches_finite_differences():
    x, gamma, beta, g = _data((3, 2, 3, 2), 2)
    gx, gg, gb = batch_norm2d_backward(g, x, gamma)
    h = 1e-6

    def loss(x_, gamma_, beta_):
        return float(np.sum(g * batch_norm2d(x_, gamma_, beta_)))

    for arr, grad, which in ((x, gx, 0), (gamma, gg, 1), (beta, gb, 2)):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            args_p, args_m = [x.copy(), gamma.copy(), beta.copy()], [x.copy(), gamma.copy(), beta.copy()]
            args_p[which][idx] += h
            args_m[which][idx] -= h
            num[idx] = (loss(*args_p) - loss(*args_m)) / (2 * h)
        np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-7)


def test_running_statistics_and_eval_match_torch():
    rng = np.random.default_rng(3)
    layer = torch.nn.BatchNorm2d(3).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64))
        layer.bias.copy_(torch.tensor([0.0, -1.0, 3.0], dtype=torch.float64))
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(5):
        x = rng.normal(1.0, 2.0, size=(6, 3, 4, 4))
        out_train = layer(torch.from_numpy(x)).detach().numpy()
        np.testing.assert_allclose(out_train, batch_norm2d(x, layer.weight.detach().numpy(),
                                                           layer.bias.detach().numpy()), rtol=1e-10, atol=1e-12)
        mean, var = batch_norm2d_update_running(mean, var, x, momentum=0.1)
        np.testing.assert_allclose(mean, layer.running_mean.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(var, layer.running_var.numpy(), rtol=1e-12, atol=1e-12)
    layer.eval()
    x = rng.normal(size=(2, 3, 4, 4))
    got = batch_norm2d_eval(x, mean, var, layer.weight.detach().numpy(), layer.bias.detach().numpy())
    np.testing.assert_allclose(got, layer(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_inputs_not_mutated():
    x, gamma, beta, g = _data((2, 2, 2, 2))
    x0 = x.copy()
    batch_norm2d(x, gamma, beta)
    batch_norm2d_backward(g, x, gamma)
    np.testing.assert_array_equal(x, x0)


def test_bad_input():
    x, gamma, beta, g = _data((2, 2, 2, 2))
    with pytest.raises(ValueError, match="x must be 4-D"):
        batch_norm2d(x[0], gamma, beta)
    with pytest.raises(ValueError, match=r"gamma must have shape \(2,\)"):
        batch_norm2d(x, np.ones(3), beta)
    with pytest.raises(ValueError, match=r"beta must have shape \(2,\)"):
        batch_norm2d(x, gamma, np.ones(1))
    with pytest.raises(ValueError, match="eps must be a positive number"):
        batch_norm2d(x, gamma, beta, eps=0)
    with pytest.raises(ValueError, match="more than one value per channel"):
        batch_norm2d(np.ones((1, 2, 1, 1)), gamma, beta)
    with pytest.raises(ValueError, match="grad_out must have the shape of x"):
        batch_norm2d_backward(g[:1], x, gamma)
    with pytest.raises(ValueError, match="momentum must be between 0 and 1"):
        batch_norm2d_update_running(np.zeros(2), np.ones(2), x, momentum=1.5)
    with pytest.raises(ValueError, match="momentum must be between 0 and 1"):
        batch_norm2d_update_running(np.zeros(2), np.ones(2), x, momentum=-0.1)
    with pytest.raises(ValueError, match="running_var must have shape"):
        batch_norm2d_update_running(np.zeros(2), np.ones(3), x)
    with pytest.raises(ValueError, match="running_var \\+ eps must be positive"):
        batch_norm2d_eval(x, np.zeros(2), np.zeros(2), gamma, beta, eps=0.0)
    with pytest.raises(TypeError, match="eps must be a number"):
        batch_norm2d_eval(x, np.zeros(2), np.ones(2), gamma, beta, eps="1e-5")


def test_flat_names():
    assert companion.batch_norm2d is batch_norm2d and companion.batch_norm2d_backward is batch_norm2d_backward


def _twin(net):
    twin = companion.small_cnn(batch_norm=True, n_filters=net.n_filters, seed=0)
    with torch.no_grad():
        for tensor, name in zip(twin.parameters(), ["K", "b", "gamma", "beta", "W", "c"]):
            tensor.copy_(torch.from_numpy(net.params[name]))
    return twin


def test_tiny_cnn_bn_matches_its_torch_twin():
    net = companion.TinyCNNBN(n_filters=3, seed=2)
    net.params["gamma"] = np.array([0.5, 1.5, 2.0])
    net.params["beta"] = np.array([0.1, -0.2, 0.3])
    twin = _twin(net)
    rng = np.random.default_rng(0)
    x, y = rng.random((6, 1, 28, 28)), np.array([0, 1, 2, 3, 4, 5])
    loss, grads = net.loss_and_grads(x, y)
    loss_t = F.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y))
    loss_t.backward()
    np.testing.assert_allclose(loss, loss_t.item(), rtol=1e-12, atol=1e-12)
    for tensor, name in zip(twin.parameters(), ["K", "b", "gamma", "beta", "W", "c"]):
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(net.running_mean, twin[1].running_mean.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.running_var, twin[1].running_var.numpy(), rtol=1e-12, atol=1e-12)
    # the conv bias cannot change the output: its gradient is zero up to rounding
    np.testing.assert_allclose(grads["b"], 0, rtol=0, atol=1e-12)
    net.eval()
    twin.eval()
    np.testing.assert_allclose(net.forward(x)[0], twin(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="call train"):
        net.loss_and_grads(x, y)
    assert net.train() is net and net.training


def test_tiny_cnn_bn_gradient_against_finite_differences():
    net = companion.TinyCNNBN(n_filters=2, kernel_size=2, image_size=6, n_classes=3, seed=1)
    rng = np.random.default_rng(1)
    x, y = rng.random((3, 1, 6, 6)), np.array([0, 2, 1])
    _, grads = net.loss_and_grads(x, y)
    h = 1e-6
    for name in ["K", "gamma", "beta"]:
        for idx in list(np.ndindex(net.params[name].shape))[:4]:
            saved = net.params[name][idx]
            net.params[name][idx] = saved + h
            up = companion.cross_entropy(net.forward(x)[0], y)
            net.params[name][idx] = saved - h
            down = companion.cross_entropy(net.forward(x)[0], y)
            net.params[name][idx] = saved
            np.testing.assert_allclose(grads[name][idx], (up - down) / (2 * h), rtol=1e-5, atol=1e-8)


def test_tiny_cnn_bn_bad_arguments():
    with pytest.raises(ValueError, match="eps must be a positive number"):
        companion.TinyCNNBN(eps=0)
    with pytest.raises(ValueError, match="momentum must be between 0 and 1"):
        companion.TinyCNNBN(momentum=2.0)
