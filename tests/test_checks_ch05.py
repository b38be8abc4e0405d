"""The chapter 5 exercise checks: right answers pass, wrong ones fail with a message, nothing raises.

The expected answers are held to PyTorch (parameter counts, shapes, multi-channel outputs) and
SciPy (the pattern kernel's response)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import signal

from companion import checks

WRONG_KINDS = [None, "many", [1, 2], [[1, 2], [3]], {"a": 1}, np.zeros((2, 2)), torch.tensor([1.0, 2.0])]


def _run(capsys, check, *args, **kwargs):
    ok = check(*args, **kwargs)
    return ok, capsys.readouterr().out


@pytest.mark.parametrize("c_in,c_out,k,bias", [(1, 32, 3, True), (32, 64, 3, True), (3, 16, 5, False),
                                               (2, 4, (3, 1), True)])
def test_conv_param_count_matches_nn_conv2d(capsys, c_in, c_out, k, bias):
    n = sum(p.numel() for p in torch.nn.Conv2d(c_in, c_out, k, bias=bias).parameters())
    ok, out = _run(capsys, checks.check_conv_param_count, n, c_in, c_out, k, bias=bias)
    assert ok and out.startswith("Correct")
    assert _run(capsys, checks.check_conv_param_count, np.int64(n), c_in, c_out, k, bias=bias)[0]
    assert not _run(capsys, checks.check_conv_param_count, n + 1, c_in, c_out, k, bias=bias)[0]


def test_conv_param_count_hints(capsys):
    ok, out = _run(capsys, checks.check_conv_param_count, 64 * 32 * 9, 32, 64, 3)
    assert not ok and "64 biases" in out
    ok, out = _run(capsys, checks.check_conv_param_count, 64 * 9 + 64, 32, 64, 3)
    assert not ok and "32 channels deep" in out
    ok, out = _run(capsys, checks.check_conv_param_count, 16 * 3 * 25 + 16, 3, 16, 5, bias=False)
    assert not ok and "no bias" in out
    ok, out = _run(capsys, checks.check_conv_param_count, None, 3, 16, 5)
    assert not ok and "Not answered" in out


def test_conv_param_count_of_a_stack_matches_nn_sequential(capsys):
    stack = torch.nn.Sequential(torch.nn.Conv2d(64, 64, 3), torch.nn.ReLU(), torch.nn.Conv2d(64, 64, 3))
    n = sum(p.numel() for p in stack.parameters())
    ok, out = _run(capsys, checks.check_conv_param_count, n, 64, 64, 3, layers=2)
    assert ok and out.startswith("Correct")
    ok, out = _run(capsys, checks.check_conv_param_count, n // 2, 64, 64, 3, layers=2)
    assert not ok and "That is one layer; the stack has 2." in out


@pytest.mark.parametrize("answer", WRONG_KINDS[1:])
def test_conv_param_count_never_raises(capsys, answer):
    ok, out = _run(capsys, checks.check_conv_param_count, answer, 3, 16, 5)
    assert not ok and out.startswith("Not yet")


def test_multichannel_cell_matches_torch(capsys):
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(3, 5, 6)).astype(float)
    w = rng.integers(-2, 3, size=(4, 3, 2, 3)).astype(float)
    b = rng.integers(-2, 3, size=4).astype(float)
    y = F.conv2d(torch.from_numpy(x[None]), torch.from_numpy(w), torch.from_numpy(b))[0].numpy()
    for o, i, j in [(0, 0, 0), (3, 3, 3), (2, 1, 2)]:
        assert _run(capsys, checks.check_multichannel_cell, y[o, i, j], x, w, o, i, j, bias=b)[0]
        assert _run(capsys, checks.check_multichannel_cell, int(round(y[o, i, j])), x, w, o, i, j, bias=b)[0]
    without_bias = y[1, 2, 0] - b[1]
    ok, out = _run(capsys, checks.check_multichannel_cell, without_bias, x, w, 1, 2, 0, bias=b)
    if b[1] != 0:
        assert not ok and "bias" in out


def test_multichannel_cell_hints_one_channel(capsys):
    x = np.arange(18).reshape(2, 3, 3)
    w = np.ones((1, 2, 2, 2))
    ok, out = _run(capsys, checks.check_multichannel_cell, 8, x, w, 0, 0, 0)
    assert not ok and "channel 0 alone" in out
    ok, out = _run(capsys, checks.check_multichannel_cell, None, x, w, 0, 0, 0)
    assert not ok and "Not answered" in out


@pytest.mark.parametrize("answer", WRONG_KINDS[1:])
def test_multichannel_cell_never_raises(capsys, answer):
    ok, out = _run(capsys, checks.check_multichannel_cell, answer, np.ones((2, 3, 3)), np.ones((1, 2, 2, 2)), 0, 0, 0)
    assert not ok and out.startswith("Not yet")


def test_multichannel_cell_bad_call():
    with pytest.raises(ValueError):
        checks.check_multichannel_cell(1, np.ones((2, 3, 3)), np.ones((1, 2, 2, 2)), 0, 2, 0)
    with pytest.raises(ValueError):
        checks.check_multichannel_cell(1, np.ones((2, 3, 3)), np.ones((1, 3, 2, 2)), 0, 0, 0)


def _torch_shape(input_shape, layers):
    mods = []
    c = input_shape[0]
    for layer in layers:
        if layer[0] == "conv":
            mods.append(torch.nn.Conv2d(c, layer[1], layer[2]))
            c = layer[1]
        else:
            mods.append(torch.nn.MaxPool2d(layer[1]))
    with torch.no_grad():
        return tuple(torch.nn.Sequential(*mods)(torch.zeros(1, *input_shape)).shape[1:])


@pytest.mark.parametrize("input_shape,layers", [
    ((1, 28, 28), [("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2)]),
    ((3, 32, 32), [("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2)]),
    ((3, 17, 21), [("conv", 8, 5), ("pool", 3), ("conv", 4, 1)]),
])
def test_shape_after_layers_matches_torch(capsys, input_shape, layers):
    expected = _torch_shape(input_shape, layers)
    ok, out = _run(capsys, checks.check_shape_after_layers, expected, input_shape, layers)
    assert ok and out.startswith("Correct")
    assert _run(capsys, checks.check_shape_after_layers, list(expected), input_shape, layers)[0]
    ok, out = _run(capsys, checks.check_shape_after_layers, (expected[0], expected[1] + 1, expected[2]),
                   input_shape, layers)
    assert not ok and "step by step" in out


def test_shape_after_layers_channels_last_hint(capsys):
    layers = [("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2)]
    ok, out = _run(capsys, checks.check_shape_after_layers, (5, 5, 64), (1, 28, 28), layers)
    assert not ok and "channels last" in out


@pytest.mark.parametrize("answer", WRONG_KINDS)
def test_shape_after_layers_never_raises(capsys, answer):
    ok, out = _run(capsys, checks.check_shape_after_layers, answer, (1, 28, 28), [("conv", 4, 3)])
    assert not ok and ("Not yet" in out or "Not answered" in out)


@pytest.mark.parametrize("layers", [[("dense", 3)], [("conv", 3)], [("pool", 2, 2)], ["conv"]])
def test_shape_after_layers_bad_call(layers):
    with pytest.raises(ValueError):
        checks.check_shape_after_layers((1, 1, 1), (1, 28, 28), layers)


@pytest.mark.parametrize("which", ["rec601", "rec709", "average"])
def test_luma_filter_equals_kernel_on_grayscale(capsys, which):
    from companion import LUMA_WEIGHTS, rgb_to_grayscale

    kernel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    weight = (np.array(LUMA_WEIGHTS[which])[:, None, None] * kernel)[None]
    assert _run(capsys, checks.check_luma_filter, weight, kernel, which)[0]
    rgb = np.random.default_rng(1).random((6, 7, 3))
    ours = F.conv2d(torch.from_numpy(rgb.transpose(2, 0, 1)[None].copy()), torch.from_numpy(weight))[0, 0].numpy()
    theirs = signal.correlate2d(rgb_to_grayscale(rgb, which), kernel, mode="valid")
    np.testing.assert_allclose(ours, theirs, atol=1e-12, rtol=1e-7)
    ok, out = _run(capsys, checks.check_luma_filter, np.ones((1, 3, 3, 3)) * kernel / 3, kernel, "rec601")
    assert not ok and "Not yet" in out


@pytest.mark.parametrize("answer", WRONG_KINDS)
def test_luma_filter_never_raises(capsys, answer):
    ok, out = _run(capsys, checks.check_luma_filter, answer, np.ones((1, 1)))
    assert not ok and ("Not yet" in out or "Not answered" in out)


def _pattern_image():
    p = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)
    image = np.zeros((10, 10))
    image[2:5, 5:8] = p
    image[6:9, 1:4] = 1.0
    image[6:9, 6:9] = np.eye(3)
    return p, image


def test_pattern_kernel(capsys):
    p, image = _pattern_image()
    response = signal.correlate2d(image, 2 * p - 1, mode="valid")
    assert np.unravel_index(response.argmax(), response.shape) == (2, 5)
    ok, out = _run(capsys, checks.check_pattern_kernel, 2 * p - 1, image, 2, 5)
    assert ok and "runner-up is 3" in out
    ok, out = _run(capsys, checks.check_pattern_kernel, p, image, 2, 5)      # ties with the square
    assert not ok and "2 places" in out
    ok, out = _run(capsys, checks.check_pattern_kernel, np.ones((3, 3)), image, 2, 5)
    assert not ok and "(6, 1)" in out and "not at the pattern" in out and "Hint" not in out
    # the right kernel with the wrong sign: its most negative response is at the pattern,
    # but the largest response counts its sign
    ok, out = _run(capsys, checks.check_pattern_kernel, 1 - 2 * p, image, 2, 5)
    assert not ok and "4 places" in out and "flip the sign" in out
    # -p's most negative response ties with the square's: flipping it would not help, no hint
    ok, out = _run(capsys, checks.check_pattern_kernel, -p, image, 2, 5)
    assert not ok and "flip the sign" not in out
    ok, out = _run(capsys, checks.check_pattern_kernel, np.ones((11, 3)), image, 2, 5)
    assert not ok and "no larger than the image" in out


@pytest.mark.parametrize("answer", WRONG_KINDS)
def test_pattern_kernel_never_raises(capsys, answer):
    _, image = _pattern_image()
    ok, out = _run(capsys, checks.check_pattern_kernel, answer, image, 2, 5)
    assert ok is False or ok is True
    assert "Correct" in out or "Not yet" in out or "Not answered" in out


def test_pattern_kernel_bad_call():
    _, image = _pattern_image()
    with pytest.raises(ValueError):
        checks.check_pattern_kernel(np.ones((3, 3)), image, 8, 0)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: checks.check_luma_filter(None, [[1.0]], weights="bt2020"), ValueError,
         r"weights must be one of \['average', 'rec601', 'rec709'\], got 'bt2020'"),
        (lambda: checks.check_luma_filter(None, [[1.0]], weights=601), TypeError, "weights must be one of .*got int"),
        (lambda: checks.check_pattern_kernel(None, np.zeros((5, 5)), top=-1, left=0), ValueError, "top must be at least 0"),
        (lambda: checks.check_conv_param_count(None, 0, 4, 3), ValueError, "in_channels"),
        (lambda: checks.check_conv_param_count(None, 3, 4, 3, layers=0), ValueError, "layers"),
        (lambda: checks.check_conv_param_count(None, 3, 4, 3, layers=2), ValueError, "in_channels == out_channels"),
        (lambda: checks.check_multichannel_cell(None, np.ones((2, 3, 3)), np.ones((1, 2, 2, 2)), 0, 2, 0),
         ValueError, "outside the output"),
    ],
)
def test_bad_calls_raise_even_before_an_answer(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- separable blocks, layer costs

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402


@pytest.mark.parametrize("c_in, c_out, k, bias", [(32, 64, 3, True), (3, 16, 5, True), (64, 64, 3, False)])
def test_check_separable_param_count_matches_nn_conv2d(capsys, c_in, c_out, k, bias):
    block = torch.nn.Sequential(torch.nn.Conv2d(c_in, c_in, k, groups=c_in, bias=bias),
                                torch.nn.Conv2d(c_in, c_out, 1, bias=bias))
    count = sum(p.numel() for p in block.parameters())
    assert checks.check_separable_param_count(count, c_in, c_out, k, bias) is True
    assert checks.check_separable_param_count(count + 1, c_in, c_out, k, bias) is False
    standard = sum(p.numel() for p in torch.nn.Conv2d(c_in, c_out, k, bias=bias).parameters())
    assert checks.check_separable_param_count(standard, c_in, c_out, k, bias) is False
    assert "standard" in capsys.readouterr().out
    if bias:
        weights = sum(p.numel() for p in block.parameters() if p.ndim == 4)
        assert checks.check_separable_param_count(weights, c_in, c_out, k, bias) is False
        assert "biases" in capsys.readouterr().out


def test_check_separable_param_count_bad_answers_and_misuse(capsys):
    for bad in (None, "2432", [1, 2]):
        assert checks.check_separable_param_count(bad, 32, 64) is False
    with pytest.raises(ValueError, match="in_channels"):
        checks.check_separable_param_count(1, 0, 64)


NET = [("conv", 32, 3), ("relu",), ("pool", 2), ("conv", 64, 3), ("relu",), ("pool", 2), ("flatten",),
       ("linear", 128)]


def _torch_net():
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(0), nn.Linear(1600, 128))


@pytest.mark.parametrize("index", range(len(NET)))
def test_check_layer_cost_matches_torch(capsys, index):
    t = torch.zeros(1, 28, 28)
    net = _torch_net()
    for module in net[:index]:
        t = module(t)
    with FlopCounterMode(display=False) as counter:
        out = net[index](t)
    truth = {"macs": counter.get_total_flops() // 2, "params": sum(p.numel() for p in net[index].parameters()),
             "activations": out.numel()}
    for what, value in truth.items():
        assert checks.check_layer_cost(value, NET, (1, 28, 28), index, what) is True
        assert checks.check_layer_cost(value + 1, NET, (1, 28, 28), index, what) is False
    if truth["macs"]:
        capsys.readouterr()
        assert checks.check_layer_cost(2 * truth["macs"], NET, (1, 28, 28), index) is False
        assert "FLOP counter" in capsys.readouterr().out


def test_check_layer_cost_misuse(capsys):
    assert checks.check_layer_cost(None, NET, (1, 28, 28)) is False
    assert "Not answered yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="what"):
        checks.check_layer_cost(1, NET, (1, 28, 28), what="flops")
    with pytest.raises(ValueError, match="layer must index"):
        checks.check_layer_cost(1, NET, (1, 28, 28), layer=8)
    with pytest.raises(ValueError, match="unknown layer"):
        checks.check_layer_cost(1, [("dense", 3)], (1, 28, 28))
