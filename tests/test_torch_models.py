"""companion.torch_models: the PyTorch twins of chapters 6 and 8 (TinyCNNTorch, the Keras-style
model and load_keras_weights) and train_torch, which companion loads on first use.

The source's Keras model itself runs here on Keras 3's PyTorch backend: the backend is chosen
by the environment variable before Keras is first imported (the module-scoped fixture), and
no TensorFlow or JAX is involved."""

import os
import sys
import warnings

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


KERAS_SHAPES = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 128), (128,), (128, 1), (1,)]


@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "torch"
    import keras

    assert keras.backend.backend() == "torch"
    assert "tensorflow" not in sys.modules and "jax" not in sys.modules
    return keras


def sources_model(keras, seed=0):
    """The source material's Keras model, its code as written but with an Input layer."""
    from keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from keras.models import Sequential

    keras.utils.set_random_seed(seed)
    model = Sequential()
    model.add(Input(shape=(28, 28, 1)))
    model.add(Conv2D(32, (3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(128, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model


def random_images(n, seed=0):
    return np.random.default_rng(seed).random((n, 1, 28, 28), dtype=np.float32)


def test_load_keras_weights_gives_the_keras_model_forward(keras):
    model = sources_model(keras)
    weights = model.get_weights()
    assert [w.shape for w in weights] == KERAS_SHAPES
    twin = companion.load_keras_weights(companion.keras_style_cnn(1), weights)
    x = random_images(16)
    expected = model.predict(x.transpose(0, 2, 3, 1), verbose=0)  # Keras is channels-last
    with torch.no_grad():
        got = twin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # the convolution kernels moved from (kH, kW, C_in, C_out) to (C_out, C_in, kH, kW)
    np.testing.assert_array_equal(twin[3].weight[7, 2].detach().numpy(), weights[2][:, :, 2, 7])


def test_the_flatten_permutation_is_needed(keras):
    model = sources_model(keras, seed=1)
    weights = model.get_weights()
    naive = companion.load_keras_weights(companion.keras_style_cnn(1), weights)
    with torch.no_grad():
        naive[7].weight.copy_(torch.from_numpy(weights[4].T))  # the right shape, the wrong order
    x = random_images(16, seed=1)
    expected = model.predict(x.transpose(0, 2, 3, 1), verbose=0)
    with torch.no_grad():
        got = naive(torch.from_numpy(x)).numpy()
    assert np.abs(got - expected).max() > 1e-3


def test_keras_flatten_is_channels_last(keras):
    x = np.arange(18, dtype=np.float32).reshape(1, 2, 3, 3)
    flat = keras.ops.convert_to_numpy(keras.layers.Flatten()(x.transpose(0, 2, 3, 1)))
    np.testing.assert_array_equal(flat, x.transpose(0, 2, 3, 1).reshape(1, -1))


def test_one_training_step_equals_one_keras_step(keras):
    """One step of the source's compile (binary cross-entropy, Adam with Keras's defaults)
    against one step of torch.optim.Adam, whose epsilon is moved to where Keras adds it."""
    model = sources_model(keras, seed=2)
    twin = companion.load_keras_weights(companion.keras_style_cnn(1), model.get_weights())
    x = random_images(32, seed=2)
    y = (np.arange(32) % 2).astype(np.float32)

    keras_loss = model.train_on_batch(x.transpose(0, 2, 3, 1), y[:, None], return_dict=True)["loss"]
    beta2, step = 0.999, 1
    opt = torch.optim.Adam(twin.parameters(), lr=1e-3, betas=(0.9, beta2), eps=1e-7 / np.sqrt(1 - beta2**step))
    loss = torch.nn.functional.binary_cross_entropy(twin(torch.from_numpy(x)).squeeze(1), torch.from_numpy(y))
    opt.zero_grad()
    loss.backward()
    opt.step()

    np.testing.assert_allclose(loss.item(), keras_loss, rtol=1e-5, atol=1e-6)
    after = companion.load_keras_weights(companion.keras_style_cnn(1), model.get_weights())
    for theirs, ours in zip(after.parameters(), twin.parameters()):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_keras_weights_bad_input():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=s).astype(np.float32) for s in KERAS_SHAPES]
    model = companion.keras_style_cnn(1)
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(TypeError, match="model must be a torch.nn.Sequential"):
        companion.load_keras_weights(object(), weights)
    with pytest.raises(TypeError, match="weights must be a list of NumPy arrays"):
        companion.load_keras_weights(model, {"kernel": weights[0]})
    with pytest.raises(ValueError, match=r"^weights must hold 8 arrays .* got 7$"):
        companion.load_keras_weights(model, weights[:7])
    with pytest.raises(ValueError, match=r"^weights\[4\] \(a kernel\) must have shape \(1600, 128\) for this model, "
                                         r"got \(128, 1600\)$"):
        companion.load_keras_weights(model, weights[:4] + [weights[4].T] + weights[5:])
    with pytest.raises(ValueError, match=r"weights\[7\] \(a bias\) must have shape \(1,\)"):
        companion.load_keras_weights(model, weights[:7] + [np.zeros(10, np.float32)])
    with pytest.raises(TypeError, match=r"^weights\[1\] must be a floating-point NumPy array, got Tensor$"):
        companion.load_keras_weights(model, weights[:1] + [torch.zeros(32)] + weights[2:])
    with pytest.raises(TypeError, match=r"weights\[0\] .* got an array of dtype int64"):
        companion.load_keras_weights(model, [np.zeros(KERAS_SHAPES[0], np.int64)] + weights[1:])
    with pytest.raises(ValueError, match=r"weights\[6\] \(a kernel\) must have shape \(128, 10\)"):
        companion.load_keras_weights(companion.keras_style_cnn(10), weights)
    for a, b in zip(before, model.parameters()):  # nothing was copied by a failed call
        assert torch.equal(a, b)


def test_load_keras_weights_model_structure():
    flat_first = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Conv2d(1, 2, 3))
    with pytest.raises(ValueError, match="convolutions before its Flatten"):
        companion.load_keras_weights(flat_first, [])
    not_square = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(6, 1))
    with pytest.raises(ValueError, match="not 2 square feature maps"):
        companion.load_keras_weights(not_square, [])
    no_bias = torch.nn.Sequential(torch.nn.Linear(3, 2, bias=False))
    with pytest.raises(ValueError, match="must have biases"):
        companion.load_keras_weights(no_bias, [])
    plain = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    kernels = [np.ones((3, 2)), np.zeros(2), np.arange(2.0).reshape(2, 1), np.zeros(1)]
    out = companion.load_keras_weights(plain.double(), kernels)
    assert out is plain
    np.testing.assert_array_equal(plain[2].weight.detach().numpy(), [[0.0, 1.0]])


def test_keras_binary_crossentropy_on_torch_clips_the_probability(keras):
    """What chapter 6 measures: on the PyTorch backend the loss ignores the logit that the
    sigmoid leaves on its output and clips the probability to [1e-7, 1 - 1e-7], so its
    gradient vanishes for a confident mistake."""
    z = torch.tensor([-30.0, -10.0, 0.0], requires_grad=True)
    p = keras.activations.sigmoid(z)
    assert p._keras_logits is z
    loss = keras.losses.binary_crossentropy(torch.ones(3, 1), p[:, None])
    loss.sum().backward()
    expected = -np.log(np.clip(companion.sigmoid(z.detach().double().numpy()), 1e-7, 1 - 1e-7))
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-5, atol=2e-5)
    assert z.grad[0].item() == 0.0
    np.testing.assert_allclose(z.grad[1:].numpy(), [-1.0, -0.5], rtol=1e-4, atol=1e-6)


# --------------------------------------------------------------------------- chapter 10


def test_small_cnn_layers_and_batch_norm():
    plain = companion.small_cnn(False, seed=0)
    with_bn = companion.small_cnn(True, seed=0)
    assert [type(m).__name__ for m in plain] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert type(with_bn[1]).__name__ == "BatchNorm2d"
    # the same seed draws the same convolution weights
    torch.testing.assert_close(plain[0].weight, with_bn[0].weight, rtol=0, atol=0)
    assert plain(torch.zeros(2, 1, 28, 28, dtype=torch.float64)).shape == (2, 10)
    with pytest.raises(TypeError, match="batch_norm must be True or False"):
        companion.small_cnn("yes")


def test_fit_torch_optimizers_match_companion_steps():
    """One step of fit_torch equals the companion's update applied to torch's gradients."""
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 1, 28, 28)), rng.integers(0, 10, 8)
    for optimizer, lr in (("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01)):
        model = companion.small_cnn(seed=1)
        before = [p.detach().numpy().copy() for p in model.parameters()]
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        grads = [g.numpy() for g in torch.autograd.grad(loss, list(model.parameters()))]
        losses = companion.fit_torch(model, x, y, epochs=1, lr=lr, optimizer=optimizer, batch_size=8)
        assert losses.shape == (1,)
        np.testing.assert_allclose(losses[0], loss.item(), rtol=1e-12, atol=1e-12)
        for p, b, g in zip(model.parameters(), before, grads):
            if optimizer == "adam":
                expected = companion.adam_step(b, g, np.zeros_like(b), np.zeros_like(b), 1, lr=lr)[0]
            else:
                expected = companion.momentum_step(b, g, np.zeros_like(b), lr, 0.9 if optimizer == "momentum" else 0.0)[0]
            np.testing.assert_allclose(p.detach().numpy(), expected, rtol=1e-10, atol=1e-12)


def test_fit_torch_augment_and_accuracy():
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 1, 28, 28)), rng.integers(0, 10, 20)
    a = companion.fit_torch(companion.small_cnn(True, seed=0), x, y, epochs=2, lr=0.05, augment=True, batch_size=10)
    b = companion.fit_torch(companion.small_cnn(True, seed=0), x, y, epochs=2, lr=0.05, augment=True, batch_size=10)
    c = companion.fit_torch(companion.small_cnn(True, seed=0), x, y, epochs=2, lr=0.05, batch_size=10)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (4,) and not np.array_equal(a, c)
    model = companion.small_cnn(seed=0)
    acc = companion.torch_accuracy(model, x, y)
    logits = model(torch.from_numpy(x))
    assert acc == float((logits.argmax(1).numpy() == y).mean())
    with pytest.raises(ValueError, match="optimizer must be"):
        companion.fit_torch(model, x, y, optimizer="rmsprop")
    with pytest.raises(ValueError, match="x and y must hold as many"):
        companion.fit_torch(model, x, y[:3])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        companion.fit_torch("net", x, y)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        companion.torch_accuracy("net", x, y)


@pytest.mark.parametrize("seed", [0, 3])
def test_stacked_cnn_is_keras_style_cnn_weight_for_weight(seed):
    a = companion.stacked_cnn((32, 64), (128,), init="torch", seed=seed)
    b = companion.keras_style_cnn(10, seed=seed)
    assert [type(m) for m in a] == [type(m) for m in b]
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_stacked_cnn_he_init_is_tiny_cnn_shape_and_scale():
    model = companion.stacked_cnn((8,), init="he", seed=0)
    net = TinyCNN(n_filters=8, seed=0)
    twin = companion.torch_twin(net)
    assert [tuple(p.shape) for p in model.parameters()] == [tuple(p.shape) for p in twin.parameters()]
    x = torch.rand((4, 1, 28, 28))
    assert model(x).shape == (4, 10) and model[0].weight.dtype == torch.float32
    assert torch.count_nonzero(model[0].bias) == 0 and torch.count_nonzero(model[-1].bias) == 0
    w = model[-1].weight  # 13,520 draws: the sample std is within 3% of sqrt(2 / 1352)
    np.testing.assert_allclose(w.std().item(), np.sqrt(2 / 1352), rtol=0.03, atol=1e-12)


def test_stacked_cnn_without_pooling_and_hidden_layers():
    model = companion.stacked_cnn((4, 6), (5, 7), pool_size=1, seed=1)
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in model)
    assert model[5].in_features == 6 * 24 * 24
    assert model(torch.rand((2, 1, 28, 28))).shape == (2, 10)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"channels": ()}, TypeError, r"channels must be a non-empty tuple of ints, got \(\)"),
        ({"channels": 8}, TypeError, r"channels must be a non-empty tuple of ints, got 8"),
        ({"hidden": 5}, TypeError, r"hidden must be a tuple of ints, got 5"),
        ({"channels": (8, 0)}, ValueError, r"channels\[1\] must be at least 1, got 0"),
        ({"init": "xavier"}, ValueError, r"init must be \"torch\" or \"he\", got 'xavier'"),
        ({"channels": (2, 2, 2, 2)}, ValueError, r"image_size=28 is too small for 4 convolution layers"),
        ({"pool_size": 0}, ValueError, "pool_size must be at least 1, got 0"),
    ],
)
def test_stacked_cnn_bad_input(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        companion.stacked_cnn(**kwargs)
