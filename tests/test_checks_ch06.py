"""The chapter 6 exercise checks: right answers pass, wrong ones fail with a message, nothing raises."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion import checks


def _run(capsys, check, *args, **kwargs):
    ok = check(*args, **kwargs)
    return ok, capsys.readouterr().out


def test_linear_param_count(capsys):
    n = sum(p.numel() for p in torch.nn.Linear(1568, 10).parameters())
    assert _run(capsys, checks.check_linear_param_count, n, 1568, 10)[0]
    assert _run(capsys, checks.check_linear_param_count, np.int64(n), 1568, 10)[0]
    ok, out = _run(capsys, checks.check_linear_param_count, 15680, 1568, 10)
    assert not ok and "biases" in out
    ok, out = _run(capsys, checks.check_linear_param_count, None, 1568, 10)
    assert not ok and "Not answered" in out
    assert _run(capsys, checks.check_linear_param_count, 15680, 1568, 10, bias=False)[0]
    ok, out = _run(capsys, checks.check_linear_param_count, "many", 4, 2)
    assert not ok and "Not yet" in out


def _positions(shape, index):
    """PyTorch's position (torch.flatten) and Keras's (channels last, then flatten) of one entry."""
    grid = torch.arange(int(np.prod(shape))).reshape(shape)
    torch_position = int((torch.flatten(grid[None], 1)[0] == grid[index]).nonzero()[0, 0])
    channels_last = grid.permute(*range(1, len(shape)), 0)
    keras_position = int((torch.flatten(channels_last[None], 1)[0] == grid[index]).nonzero()[0, 0])
    return torch_position, keras_position


@pytest.mark.parametrize("shape,index", [((3, 4, 5), (2, 1, 3)), ((1, 2, 2), (0, 1, 0)), ((6,), (4,))])
def test_flatten_index_matches_torch_flatten_and_channels_last(capsys, shape, index):
    torch_position, keras_position = _positions(shape, index)
    assert _run(capsys, checks.check_flatten_index, torch_position, keras_position, shape, index)[0]
    ok, out = _run(capsys, checks.check_flatten_index, torch_position + 1, keras_position, shape, index)
    assert not ok and "PyTorch position" in out and "Keras position" not in out
    ok, out = _run(capsys, checks.check_flatten_index, torch_position, keras_position + 1, shape, index)
    assert not ok and "Keras position" in out and "PyTorch position" not in out


def test_flatten_index_keras_order_against_keras_flatten(capsys):
    # the exercise's numbers: (C, H, W) = (3, 4, 5), entry (2, 1, 3); Keras: (1 * 5 + 3) * 3 + 2
    torch_position, keras_position = _positions((3, 4, 5), (2, 1, 3))
    assert (torch_position, keras_position) == (2 * 4 * 5 + 1 * 5 + 3, (1 * 5 + 3) * 3 + 2)
    assert _run(capsys, checks.check_flatten_index, 48, 26, (3, 4, 5), (2, 1, 3))[0]


def test_flatten_index_rejects_a_wrong_keras_answer(capsys):
    c, i, j = 2, 1, 3
    torch_position, keras_position = _positions((3, 4, 5), (c, i, j))
    # the typical mistake: PyTorch's position given for Keras's too
    ok, out = _run(capsys, checks.check_flatten_index, torch_position, torch_position, (3, 4, 5), (c, i, j))
    assert not ok and "Keras position is 48, expected 26" in out and "channels-first" in out
    # counted from 1
    ok, out = _run(capsys, checks.check_flatten_index, torch_position, keras_position + 1, (3, 4, 5), (c, i, j))
    assert not ok and "counted from 0" in out
    # missing: the message names what is still None
    ok, out = _run(capsys, checks.check_flatten_index, torch_position, None, (3, 4, 5), (c, i, j))
    assert not ok and "Not answered" in out and "Keras position" in out
    ok, out = _run(capsys, checks.check_flatten_index, "26", keras_position, (3, 4, 5), (c, i, j))
    assert not ok and "Not yet" in out


def test_flatten_index_names_the_orders(capsys):
    c, i, j = 2, 1, 3
    keras_position = (i * 5 + j) * 3 + c
    ok, out = _run(capsys, checks.check_flatten_index, keras_position, keras_position, (3, 4, 5), (c, i, j))
    assert not ok and "channels-last" in out
    # the two positions swapped: both are named
    ok, out = _run(capsys, checks.check_flatten_index, keras_position, 48, (3, 4, 5), (c, i, j))
    assert not ok and "channels-last" in out and "channels-first" in out
    with pytest.raises(ValueError):
        checks.check_flatten_index(0, 0, (2, 2), (2, 0))
    with pytest.raises(ValueError):  # a wrong call raises even before the answers are given
        checks.check_flatten_index(None, None, (2, 2), (0, 0, 0))


def test_cross_entropy_matches_torch(capsys):
    logits = [2.0, 1.0, -1.0]
    expected = float(F.cross_entropy(torch.tensor([logits], dtype=torch.float64), torch.tensor([1])))
    assert _run(capsys, checks.check_cross_entropy, round(expected, 3), logits, 1)[0]
    ok, out = _run(capsys, checks.check_cross_entropy, -expected, logits, 1)
    assert not ok and "never negative" in out
    assert not _run(capsys, checks.check_cross_entropy, None, logits, 1)[0]
    assert not _run(capsys, checks.check_cross_entropy, [1.0, 2.0], logits, 1)[0]


def _torch_cnn_count(image_size, channels, n_outputs):
    layers, c_in = [], 1
    for c in channels:
        layers += [torch.nn.Conv2d(c_in, c, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        c_in = c
    body = torch.nn.Sequential(*layers, torch.nn.Flatten())
    n_flat = body(torch.zeros(1, 1, image_size, image_size)).shape[1]
    model = torch.nn.Sequential(body, torch.nn.Linear(n_flat, 128), torch.nn.ReLU(), torch.nn.Linear(128, n_outputs))
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("image_size,channels,n_outputs", [(28, (32, 64), 1), (28, (32, 64), 10), (32, (16, 32), 10)])
def test_cnn_param_count_matches_torch(capsys, image_size, channels, n_outputs):
    n = _torch_cnn_count(image_size, channels, n_outputs)
    ok, out = _run(capsys, checks.check_cnn_param_count, n, image_size=image_size, channels=channels, n_outputs=n_outputs)
    assert ok and str(n) in out
    ok, out = _run(capsys, checks.check_cnn_param_count, n - 1, image_size=image_size, channels=channels,
                   n_outputs=n_outputs)
    assert not ok and "flattened vector" in out


def test_two_class_logits(capsys):
    def right(z):
        return np.stack([np.zeros_like(z), z], axis=1)

    assert _run(capsys, checks.check_two_class_logits, right)[0]
    z = torch.tensor([-1.0, 0.5, 3.0], dtype=torch.float64)
    y = torch.tensor([0, 1, 1])
    two = torch.from_numpy(right(z.numpy()))
    torch.testing.assert_close(F.cross_entropy(two, y), F.binary_cross_entropy_with_logits(z, y.double()))
    assert not _run(capsys, checks.check_two_class_logits, lambda z: np.stack([z, np.zeros_like(z)], axis=1))[0]
    assert not _run(capsys, checks.check_two_class_logits, lambda z: z)[0]
    assert not _run(capsys, checks.check_two_class_logits, lambda z: None)[0]
    assert not _run(capsys, checks.check_two_class_logits, lambda z: 1 / 0)[0]
    assert not _run(capsys, checks.check_two_class_logits, 3)[0]


def test_keras_dense_to_torch_against_torch_linear(capsys):
    def convert(kernel, C, H, W):
        return kernel.reshape(H, W, C, -1).transpose(3, 2, 0, 1).reshape(-1, C * H * W)

    assert _run(capsys, checks.check_keras_dense_to_torch, convert)[0]
    # the converted weight in torch.nn.Linear gives the channels-last computation
    rng = np.random.default_rng(0)
    C, H, W, out = 3, 2, 4, 5
    x = rng.normal(size=(2, C, H, W))
    kernel = rng.normal(size=(H * W * C, out))
    layer = torch.nn.Linear(C * H * W, out, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(convert(kernel, C, H, W)))
    got = layer(torch.flatten(torch.from_numpy(x), 1)).detach().numpy()
    np.testing.assert_allclose(got, x.transpose(0, 2, 3, 1).reshape(2, -1) @ kernel, rtol=1e-12, atol=1e-12)
    assert not _run(capsys, checks.check_keras_dense_to_torch, lambda k, C, H, W: k.T)[0]
    assert not _run(capsys, checks.check_keras_dense_to_torch, lambda k, C, H, W: k)[0]
    assert not _run(capsys, checks.check_keras_dense_to_torch, lambda k, C, H, W: None)[0]
    assert not _run(capsys, checks.check_keras_dense_to_torch, lambda k, C, H, W: {}["x"])[0]
    assert not _run(capsys, checks.check_keras_dense_to_torch, None)[0]
