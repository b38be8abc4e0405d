"""companion.torch_models: the PyTorch twins of chapter 8 (TinyCNNTorch, the Keras-style model) and
train_torch, which companion loads on first use."""

import numpy as np
import pytest
import torch

import companion
from companion.model import TinyCNN


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


def test_train_torch_bad_input():
    net = TinyCNN(n_filters=3, kernel_size=3, pool_size=2, n_classes=4, image_size=8, seed=0)
    rng = np.random.default_rng(1)
    x, y = rng.random((4, 1, 8, 8)), rng.integers(0, 4, size=4)
    with pytest.raises(TypeError, match="model must be a TinyCNN"):
        companion.torch_twin(object())
    with pytest.raises(ValueError, match="optimizer"):
        companion.train_torch(companion.torch_twin(net), x, y, x, y, optimizer="rmsprop")
    with pytest.raises(TypeError, match="torch.nn.Module"):
        companion.train_torch(net, x, y, x, y)
    with pytest.raises(ValueError, match="n_outputs"):
        companion.keras_style_cnn(0)


def test_train_torch_checks_like_train_numpy():
    net = TinyCNN(n_filters=3, kernel_size=3, pool_size=2, n_classes=4, image_size=8, seed=0)
    rng = np.random.default_rng(1)
    x, y = rng.random((4, 1, 8, 8)), rng.integers(0, 4, size=4)
    twin = companion.torch_twin(net)
    with pytest.raises(ValueError, match="lr_decay"):
        companion.train_torch(twin, x, y, x, y, lr_decay=-1.0)
    with pytest.raises(TypeError, match=r"^lr must be a number, got str: '0.1'$"):
        companion.train_torch(twin, x, y, x, y, lr="0.1")
    with pytest.raises(ValueError, match="labels must match images"):
        companion.train_torch(twin, x, y[:3], x, y)
    with pytest.raises(TypeError, match=r'^optimizer must be "adam" or "sgd", got NoneType: None$'):
        companion.train_torch(twin, x, y, x, y, optimizer=None)


def test_torch_twin_is_a_float64_copy_of_the_weights():
    net = TinyCNN(n_filters=2, image_size=8, n_classes=3, seed=5)
    twin = companion.torch_twin(net)
    assert isinstance(twin, companion.torch_models.TinyCNNTorch)
    assert twin.conv.weight.dtype == torch.float64
    np.testing.assert_array_equal(twin.conv.weight.detach().numpy(), net.params["K"])
    np.testing.assert_array_equal(twin.fc.bias.detach().numpy(), net.params["c"])
