"""companion.optimizers: momentum and Adam, step for step equal to torch.optim."""

import numpy as np
import pytest
import torch

import companion
from companion.optimizers import adam_step, momentum_step


def _gradients(n_steps, shape, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) * 10.0 ** rng.uniform(-3, 1) for _ in range(n_steps)]


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9, 0.99])
def test_momentum_matches_torch_sgd(momentum):
    grads = _gradients(60, (3, 4), 1)
    p0 = np.random.default_rng(0).normal(size=(3, 4))
    t = torch.tensor(p0, requires_grad=True)
    opt = torch.optim.SGD([t], lr=0.05, momentum=momentum)
    p, v = p0.copy(), np.zeros_like(p0)
    for g in grads:
        t.grad = torch.from_numpy(g.copy())
        opt.step()
        p, v = momentum_step(p, g, v, lr=0.05, momentum=momentum)
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-12, atol=1e-12)
        if momentum > 0:
            np.testing.assert_allclose(v, opt.state[t]["momentum_buffer"].numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lr,betas,eps", [(1e-3, (0.9, 0.999), 1e-8), (0.1, (0.5, 0.9), 1e-6), (0.01, (0.0, 0.0), 0.0)])
def test_adam_matches_torch_adam(lr, betas, eps):
    grads = _gradients(80, (5,), 2)
    grads[3] = np.zeros(5) + 1e-3  # a step of tiny gradients too
    p0 = np.random.default_rng(3).normal(size=5)
    t = torch.tensor(p0, requires_grad=True)
    opt = torch.optim.Adam([t], lr=lr, betas=betas, eps=eps)
    p, m, v = p0.copy(), np.zeros(5), np.zeros(5)
    for step, g in enumerate(grads, start=1):
        t.grad = torch.from_numpy(g.copy())
        opt.step()
        p, m, v = adam_step(p, g, m, v, step, lr=lr, betas=betas, eps=eps)
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(m, opt.state[t]["exp_avg"].numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(v, opt.state[t]["exp_avg_sq"].numpy(), rtol=1e-12, atol=1e-15)


def test_inputs_are_not_mutated_and_first_adam_step_is_lr_sized():
    p, g = np.array([1.0, -2.0]), np.array([3.0, -0.001])
    m, v, vel = np.zeros(2), np.zeros(2), np.zeros(2)
    new_p, new_m, new_v = adam_step(p, g, m, v, 1, lr=0.01)
    # the bias correction makes the first step lr * sign(g), whatever the size of g
    np.testing.assert_allclose(p - new_p, 0.01 * np.sign(g), rtol=1e-4, atol=1e-12)  # eps: 1e-5 relative
    momentum_step(p, g, vel, 0.1)
    np.testing.assert_array_equal(p, [1.0, -2.0])
    np.testing.assert_array_equal(m, 0)
    np.testing.assert_array_equal(v, 0)
    np.testing.assert_array_equal(vel, 0)


def test_bad_input():
    z = np.zeros(3)
    with pytest.raises(ValueError, match="grad must have the shape of param"):
        momentum_step(z, np.zeros(4), z, 0.1)
    with pytest.raises(ValueError, match="velocity must have the shape"):
        momentum_step(z, z, np.zeros((3, 1)), 0.1)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        momentum_step(z, z, z, 0.0)
    with pytest.raises(ValueError, match="momentum must be at least 0 and less than 1"):
        momentum_step(z, z, z, 0.1, momentum=1.0)
    with pytest.raises(TypeError, match="lr must be a number"):
        adam_step(z, z, z, z, 1, lr="0.1")
    with pytest.raises(ValueError, match="step must be at least 1"):
        adam_step(z, z, z, z, 0)
    with pytest.raises(TypeError, match="step must be an int"):
        adam_step(z, z, z, z, 1.0)
    with pytest.raises(TypeError, match="betas must be a pair"):
        adam_step(z, z, z, z, 1, betas=0.9)
    with pytest.raises(ValueError, match=r"betas\[1\] must be at least 0 and less than 1"):
        adam_step(z, z, z, z, 1, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="eps must be"):
        adam_step(z, z, z, z, 1, eps=-1e-8)
    with pytest.raises(ValueError, match="m must have the shape"):
        adam_step(z, z, np.zeros(2), z, 1)
    with pytest.raises(TypeError, match="param must be an array"):
        adam_step(None, z, z, z, 1)


def test_flat_names():
    assert companion.adam_step is adam_step and companion.momentum_step is momentum_step


@pytest.mark.parametrize("rule,lr", [("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01)])
def test_train_steps_matches_torch_training(rule, lr):
    """train_steps on TinyCNN follows the PyTorch twin trained by torch.optim, step for step."""
    net = companion.TinyCNN(n_filters=2, seed=3)
    twin = companion.torch_twin(net)
    rng = np.random.default_rng(0)
    x, y = rng.random((12, 1, 28, 28)), rng.integers(0, 10, 12)
    ours = companion.train_steps(net, x, y, optimizer=rule, lr=lr, epochs=2, batch_size=4, seed=1)
    if rule == "adam":
        opt = torch.optim.Adam(twin.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(twin.parameters(), lr=lr, momentum=0.9 if rule == "momentum" else 0.0)
    theirs = []
    for epoch in range(2):
        for idx in companion.minibatches(12, 4, 1, epoch):
            loss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(x[idx])), torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            theirs.append(loss.item())
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.params["W"], twin.fc.weight.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_train_steps_with_batch_norm_and_augmentation():
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 1, 28, 28)), rng.integers(0, 10, 8)
    a = companion.train_steps(companion.TinyCNNBN(n_filters=2), x, y, optimizer="momentum", lr=0.05, batch_size=4,
                              augment=True)
    b = companion.train_steps(companion.TinyCNNBN(n_filters=2), x, y, optimizer="momentum", lr=0.05, batch_size=4,
                              augment=True)
    c = companion.train_steps(companion.TinyCNNBN(n_filters=2), x, y, optimizer="momentum", lr=0.05, batch_size=4)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (2,) and a[1] != c[1]
    with pytest.raises(TypeError, match="model must be a TinyCNN"):
        companion.train_steps("net", x, y)
    with pytest.raises(ValueError, match="x and y must hold as many"):
        companion.train_steps(companion.TinyCNN(), x, y[:3])
    with pytest.raises(ValueError, match="optimizer must be"):
        companion.train_steps(companion.TinyCNN(), x, y, optimizer="rmsprop")
    with pytest.raises(ValueError, match="lr must be a positive number"):
        companion.train_steps(companion.TinyCNN(), x, y, lr=-1.0)


def test_train_steps_on_epoch_end():
    """The callback sees the model after each epoch's last update; the first epoch of a longer run
    is a one-epoch run; the training is the same with or without the callback."""
    rng = np.random.default_rng(1)
    x, y = rng.random((8, 1, 28, 28)), rng.integers(0, 10, 8)
    seen, net = [], companion.TinyCNN(n_filters=2)
    with_cb = companion.train_steps(net, x, y, optimizer="adam", lr=0.01, epochs=3, batch_size=4,
                                    on_epoch_end=lambda e: seen.append((e, net.params["W"].copy())))
    assert [e for e, _ in seen] == [0, 1, 2]
    np.testing.assert_array_equal(seen[-1][1], net.params["W"])
    plain = companion.train_steps(companion.TinyCNN(n_filters=2), x, y, optimizer="adam", lr=0.01, epochs=3,
                                  batch_size=4)
    np.testing.assert_array_equal(with_cb, plain)
    one = companion.TinyCNN(n_filters=2)
    first = companion.train_steps(one, x, y, optimizer="adam", lr=0.01, epochs=1, batch_size=4)
    np.testing.assert_array_equal(first, with_cb[:2])
    np.testing.assert_array_equal(one.params["W"], seen[0][1])
    with pytest.raises(TypeError, match="on_epoch_end must be callable or None, got int"):
        companion.train_steps(companion.TinyCNN(), x, y, on_epoch_end=3)
