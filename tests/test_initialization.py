"""companion.initialization: fans as torch.nn.init computes them, spreads checked by statistics."""

import numpy as np
import pytest
import torch

import companion
from companion.initialization import fan_in_and_fan_out, init_bias, init_std, init_weights, relu_layer_stds

SHAPES = [(8, 1, 3, 3), (10, 1352), (64, 32, 5, 3), (16, 4, 3), (7, 3, 2, 2, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_torch(shape):
    assert fan_in_and_fan_out(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def _sample_std_bounds(n, std):
    # For n draws of a distribution with kurtosis k, the sample variance has standard error
    # about std^2 sqrt((k - 1) / n); 6 standard errors (k <= 3) bound the sample std.
    spread = 6 * np.sqrt(2.0 / n)
    return std * np.sqrt(1 - spread), std * np.sqrt(1 + spread)


@pytest.mark.parametrize("scheme", ["he_normal", "glorot_uniform", "pytorch_default"])
@pytest.mark.parametrize("shape", [(64, 32, 3, 3), (300, 200)])
def test_spread_matches_the_scheme_and_torch(scheme, shape):
    w = init_weights(shape, scheme, np.random.default_rng(0))
    assert w.shape == shape and w.dtype == np.float64
    low, high = _sample_std_bounds(w.size, init_std(shape, scheme))
    assert low < w.std() < high
    assert abs(w.mean()) < 6 * init_std(shape, scheme) / np.sqrt(w.size)
    t = torch.empty(shape, dtype=torch.float64)
    torch.manual_seed(0)
    if scheme == "he_normal":
        torch.nn.init.kaiming_normal_(t, nonlinearity="relu")
    elif scheme == "glorot_uniform":
        torch.nn.init.xavier_uniform_(t)
        bound = np.sqrt(6 / sum(fan_in_and_fan_out(shape)))
        assert np.abs(w).max() <= bound and t.abs().max().item() <= bound
    else:
        layer = torch.nn.Conv2d(shape[1], shape[0], shape[2:]) if len(shape) == 4 else torch.nn.Linear(*shape[::-1])
        t = layer.weight.detach().double()
        bound = 1 / np.sqrt(fan_in_and_fan_out(shape)[0])
        assert np.abs(w).max() <= bound and t.abs().max().item() <= bound
    assert low < t.std(unbiased=False).item() < high


def test_init_std_values():
    np.testing.assert_allclose(init_std((8, 1, 3, 3), "he_normal"), np.sqrt(2 / 9), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(init_std((10, 1352), "glorot_uniform"), np.sqrt(2 / 1362), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(init_std((10, 1352), "pytorch_default"), 1 / np.sqrt(3 * 1352), rtol=1e-12,
                               atol=1e-12)
    # kaiming_uniform_ with a = sqrt(5): gain sqrt(2 / (1 + 5)), bound sqrt(3) gain / sqrt(fan_in)
    gain = torch.nn.init.calculate_gain("leaky_relu", np.sqrt(5))
    np.testing.assert_allclose(init_std((10, 1352), "pytorch_default"), gain / np.sqrt(1352), rtol=1e-12,
                               atol=1e-12)


def test_bias():
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(init_bias((5, 3), "he_normal", rng), np.zeros(5))
    np.testing.assert_array_equal(init_bias((5, 3), "glorot_uniform", rng), np.zeros(5))
    b = init_bias((4000, 9), "pytorch_default", rng)
    assert b.shape == (4000,) and np.abs(b).max() <= 1 / 3
    low, high = _sample_std_bounds(b.size, 1 / 3 / np.sqrt(3))
    assert low < b.std() < high
    torch_bias = torch.nn.Linear(9, 4000).bias.detach()
    assert torch_bias.abs().max().item() <= 1 / 3 and low < torch_bias.std(unbiased=False).item() < high


def test_seeded_and_fresh():
    a = init_weights((3, 4), "he_normal", np.random.default_rng(5))
    b = init_weights((3, 4), "he_normal", np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


def test_relu_layer_stds_against_torch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 20))
    ws = [init_weights((20, 20), "he_normal", rng) for _ in range(4)]
    got = relu_layer_stds(x, ws)
    h = torch.from_numpy(x)
    expected = []
    for w in ws:
        s = torch.nn.functional.linear(h, torch.from_numpy(w))
        expected.append(s.std(unbiased=False).item())
        h = torch.relu(s)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_he_keeps_the_spread_and_small_scales_shrink_it():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 256))
    he = relu_layer_stds(x, [init_weights((256, 256), "he_normal", rng) for _ in range(10)])
    small = relu_layer_stds(x, [0.5 * init_weights((256, 256), "he_normal", rng) for _ in range(10)])
    assert 0.5 < he[-1] / he[0] < 2
    assert small[-1] / small[0] < 0.5**8


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="shape must be a tuple"):
        fan_in_and_fan_out(5)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        fan_in_and_fan_out((5,))
    with pytest.raises(ValueError, match="shape must be at least 1"):
        fan_in_and_fan_out((5, 0))
    with pytest.raises(ValueError, match="scheme must be"):
        init_weights((3, 3), "xavier", rng)
    with pytest.raises(ValueError, match="scheme must be"):
        init_std((3, 3), "he")
    with pytest.raises(ValueError, match="scheme must be"):
        init_bias((3, 3), "he", rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        init_weights((3, 3), "he_normal", 0)
    with pytest.raises(TypeError, match="rng must be"):
        init_bias((3, 3), "pytorch_default", np.random.RandomState(0))
    with pytest.raises(TypeError, match="weights must be a non-empty list"):
        relu_layer_stds(np.ones((2, 3)), [])
    with pytest.raises(ValueError, match=r"weights\[1\] must have 2 columns"):
        relu_layer_stds(np.ones((2, 3)), [np.ones((2, 3)), np.ones((2, 3))])


def test_flat_names():
    assert companion.init_weights is init_weights and companion.fan_in_and_fan_out is fan_in_and_fan_out
