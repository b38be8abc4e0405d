"""companion.model: the NumPy network of chapter 8 against its PyTorch twin and finite differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion.model import TinyCNN, images_to_batch, minibatches, train_numpy


def small_net(seed=0):
    return TinyCNN(n_filters=3, kernel_size=3, pool_size=2, n_classes=4, image_size=8, seed=seed)


def small_batch(n=5, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 8, 8)), rng.integers(0, 4, size=n)


def test_forward_matches_torch_twin():
    net = small_net()
    x, _ = small_batch()
    logits, cache = net.forward(x)
    twin = companion.torch_twin(net)
    expected = twin(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(logits, expected, rtol=1e-12, atol=1e-12)
    assert cache["pooled"].shape == (5, 3, 3, 3)


def test_gradients_match_autograd():
    net = small_net()
    x, y = small_batch()
    # give the biases non-zero values so their gradients are exercised away from zero init
    net.params["b"] = np.array([0.1, -0.2, 0.05])
    net.params["c"] = np.array([0.3, 0.0, -0.1, 0.2])
    loss, grads = net.loss_and_grads(x, y)
    twin = companion.torch_twin(net)
    out = F.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y))
    out.backward()
    np.testing.assert_allclose(loss, out.item(), rtol=1e-12)
    pairs = {"K": twin.conv.weight, "b": twin.conv.bias, "W": twin.fc.weight, "c": twin.fc.bias}
    for name, param in pairs.items():
        np.testing.assert_allclose(grads[name], param.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("name", ["K", "b", "W", "c"])
def test_gradients_match_finite_differences(name):
    net = small_net(seed=3)
    net.params["b"] = np.array([0.1, -0.2, 0.05])
    x, y = small_batch(n=3, seed=2)
    _, grads = net.loss_and_grads(x, y)
    original = net.params[name].copy()

    def f(value):
        net.params[name] = value
        return net.loss_and_grads(x, y)[0]

    numeric = companion.numerical_gradient(f, original.copy())
    net.params[name] = original
    np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8)


def test_training_follows_torch_sgd_step_by_step():
    net = small_net()
    twin = companion.torch_twin(net)
    rng = np.random.default_rng(0)
    x = rng.random((40, 1, 8, 8))
    y = rng.integers(0, 4, size=40)
    hist = train_numpy(net, x, y, x[:10], y[:10], epochs=2, lr=0.5, batch_size=8, verbose=False, lr_decay=0.5)
    hist_t = companion.train_torch(twin, x, y, x[:10], y[:10], epochs=2, lr=0.5, batch_size=8,
                                   optimizer="sgd", verbose=False, lr_decay=0.5)
    assert len(hist["step_loss"]) == 10
    np.testing.assert_allclose(hist["step_loss"], hist_t["step_loss"], rtol=1e-10)
    np.testing.assert_allclose(hist["test_acc"], hist_t["test_acc"])
    np.testing.assert_allclose(net.params["W"], twin.fc.weight.detach().numpy(), rtol=1e-9, atol=1e-12)
    # the loss went down: training does something
    assert hist["train_loss"][-1] < companion.cross_entropy(small_net().forward(x)[0], y)


def test_training_prints_one_line_per_epoch(capsys):
    net = small_net()
    x, y = small_batch(n=6)
    train_numpy(net, x, y, x, y, epochs=2, lr=0.1, batch_size=3)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1: train loss")
    companion.train_torch(companion.torch_twin(net), x, y, x, y, epochs=1, batch_size=3, optimizer="sgd")
    assert capsys.readouterr().out.startswith("epoch 1: train loss")


def test_predict_and_evaluate_agree():
    net = small_net()
    x, y = small_batch(n=7)
    pred = net.predict(x, batch_size=3)
    loss, acc = net.evaluate(x, y)
    assert pred.shape == (7,) and pred.dtype.kind == "i"
    assert acc == pytest.approx(np.mean(pred == y))
    assert loss == pytest.approx(companion.cross_entropy(net.forward(x)[0], y))


def test_minibatches_cover_every_index_once_and_are_deterministic():
    batches = minibatches(10, 3, seed=1, epoch=2)
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = minibatches(10, 3, seed=1, epoch=2)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    other = minibatches(10, 3, seed=1, epoch=3)
    assert not all(np.array_equal(a, b) for a, b in zip(batches, other))


def test_images_to_batch():
    imgs = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    out = images_to_batch(imgs)
    assert out.shape == (1, 1, 2, 2)
    np.testing.assert_allclose(out[0, 0], [[0, 1], [0.2, 0.4]])
    with pytest.raises(ValueError, match="images"):
        images_to_batch(np.array([[[300]]]))
    with pytest.raises(ValueError, match="images"):
        images_to_batch(np.zeros((2, 2)))


@pytest.mark.parametrize("n_outputs, final", [(1, torch.nn.Sigmoid), (10, torch.nn.Linear)])
def test_keras_style_cnn_shapes_and_parameter_count(n_outputs, final):
    model = companion.keras_style_cnn(n_outputs)
    out = model(torch.zeros(2, 1, 28, 28))
    assert out.shape == (2, n_outputs)
    assert isinstance(model[-1], final)
    expected = (
        companion.conv_param_count(1, 32, 3)
        + companion.conv_param_count(32, 64, 3)
        + companion.linear_param_count(64 * 5 * 5, 128)
        + companion.linear_param_count(128, n_outputs)
    )
    assert sum(p.numel() for p in model.parameters()) == expected


def test_keras_style_cnn_is_seeded():
    a = companion.keras_style_cnn(10, seed=4)
    b = companion.keras_style_cnn(10, seed=4)
    assert torch.equal(a[0].weight, b[0].weight)


def test_bad_input():
    net = small_net()
    with pytest.raises(ValueError, match="x must have shape"):
        net.forward(np.zeros((2, 1, 9, 9)))
    with pytest.raises(ValueError, match="x must be 4-D"):
        net.forward(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="n_filters"):
        TinyCNN(n_filters=0)
    with pytest.raises(TypeError, match="model must be a TinyCNN"):
        train_numpy("net", None, None, None, None)
    with pytest.raises(TypeError, match="model must be a TinyCNN"):
        companion.torch_twin(object())
    x, y = small_batch(n=4)
    with pytest.raises(ValueError, match="lr"):
        train_numpy(net, x, y, x, y, lr=0)
    with pytest.raises(ValueError, match="labels must match images"):
        train_numpy(net, x, y[:3], x, y)
    with pytest.raises(ValueError, match="optimizer"):
        companion.train_torch(companion.torch_twin(net), x, y, x, y, optimizer="rmsprop")
    with pytest.raises(TypeError, match="torch.nn.Module"):
        companion.train_torch(net, x, y, x, y)
    with pytest.raises(ValueError, match="n_outputs"):
        companion.keras_style_cnn(0)


def test_import_companion_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, companion; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_lr_decay_is_validated_and_applied():
    net = small_net()
    x, y = small_batch(n=4)
    with pytest.raises(ValueError, match="lr_decay"):
        train_numpy(net, x, y, x, y, lr_decay=0)
    with pytest.raises(ValueError, match="lr_decay"):
        companion.train_torch(companion.torch_twin(net), x, y, x, y, lr_decay=-1.0)
    a, b = small_net(), small_net()
    train_numpy(a, x, y, x, y, epochs=2, lr=0.5, batch_size=4, verbose=False, lr_decay=1.0)
    train_numpy(b, x, y, x, y, epochs=2, lr=0.5, batch_size=4, verbose=False, lr_decay=0.1)
    assert not np.allclose(a.params["W"], b.params["W"])
