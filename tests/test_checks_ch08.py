"""Exercise checks of chapter 8: right answers pass, wrong ones get a useful message, nothing raises."""

import numpy as np
import pytest
import torch

import companion
from companion.checks import (
    check_confusion_matrix,
    check_seed_summary,
    check_shift_accuracies,
    check_network_shapes,
    check_runner_up,
    check_sgd_update,
    check_tiny_cnn_param_count,
)

RIGHT_SHAPES = {"conv": (1, 8, 26, 26), "pooled": (1, 8, 13, 13), "flat": (1, 1352), "logits": (1, 10)}


def test_network_shapes(capsys):
    assert check_network_shapes(RIGHT_SHAPES)
    assert check_network_shapes({"conv": (1, 6, 28, 28), "pooled": (1, 6, 14, 14), "flat": (1, 1176),
                                 "logits": (1, 3)}, image_size=32, n_filters=6, kernel_size=5, n_classes=3)
    capsys.readouterr()
    assert not check_network_shapes(None)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_network_shapes([(1, 8, 26, 26)])
    assert "dict" in capsys.readouterr().out
    assert not check_network_shapes({"conv": (1, 8, 26, 26)})
    assert "no entry for ['pooled', 'flat', 'logits']" in capsys.readouterr().out
    assert not check_network_shapes({**RIGHT_SHAPES, "pooled": (8, 13, 13)})
    assert "batch axis" in capsys.readouterr().out
    assert not check_network_shapes({**RIGHT_SHAPES, "flat": (1, 1353)})
    assert "multiplies" in capsys.readouterr().out
    assert not check_network_shapes({**RIGHT_SHAPES, "logits": "ten"})
    assert "tuple of ints" in capsys.readouterr().out


def test_param_count_matches_the_torch_twin(capsys):
    net = companion.TinyCNN(n_filters=16)
    total = sum(p.numel() for p in companion.torch_twin(net).parameters())
    assert check_tiny_cnn_param_count(total, n_filters=16)
    assert "K 144 + b 16" in capsys.readouterr().out
    assert not check_tiny_cnn_param_count(72 + 13520)
    assert "biases" in capsys.readouterr().out
    assert not check_tiny_cnn_param_count(72 + 8 + 10 * 8 * 26 * 26 + 10)
    assert "pooled maps" in capsys.readouterr().out
    assert not check_tiny_cnn_param_count(None)
    assert not check_tiny_cnn_param_count("many")
    assert "str" in capsys.readouterr().out


def test_sgd_update_matches_torch_sgd(capsys):
    net = companion.TinyCNN(n_filters=2, image_size=8, n_classes=3, seed=1)
    rng = np.random.default_rng(0)
    x, y = rng.random((4, 1, 8, 8)), np.array([0, 1, 2, 1])
    before = {k: v.copy() for k, v in net.params.items()}
    twin = companion.torch_twin(net)
    opt = torch.optim.SGD(twin.parameters(), lr=0.3)
    torch.nn.functional.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    opt.step()
    answer = {"K": twin.conv.weight, "b": twin.conv.bias, "W": twin.fc.weight, "c": twin.fc.bias}
    assert check_sgd_update(answer, net, x, y, 0.3)
    for k in before:  # the checker does not change the network
        np.testing.assert_array_equal(net.params[k], before[k])
    _, g = net.loss_and_grads(x, y)
    capsys.readouterr()
    assert not check_sgd_update({k: net.params[k] + 0.3 * g[k] for k in g}, net, x, y, 0.3)
    assert "up the gradient" in capsys.readouterr().out
    assert not check_sgd_update({k: net.params[k] for k in g}, net, x, y, 0.3)
    assert "not changed" in capsys.readouterr().out
    assert not check_sgd_update({k: net.params[k] - 0.3 * g[k] for k in ["K", "b"]}, net, x, y, 0.3)
    assert "no entry for ['W', 'c']" in capsys.readouterr().out
    assert not check_sgd_update({**{k: net.params[k] - 0.3 * g[k] for k in g}, "W": np.zeros(3)}, net, x, y, 0.3)
    assert "shape" in capsys.readouterr().out
    assert not check_sgd_update(None, net, x, y, 0.3)
    assert not check_sgd_update([1, 2], net, x, y, 0.3)


def test_runner_up(capsys):
    net = companion.TinyCNN(n_filters=2, image_size=6, n_classes=4)
    net.params["c"] = np.array([0.0, 3.0, 1.0, 2.0])
    image = np.zeros((6, 6))
    assert check_runner_up(3, net, image)
    assert check_runner_up(np.int64(3), net, image[None, None])
    assert not check_runner_up(1, net, image)
    assert "first choice" in capsys.readouterr().out
    assert not check_runner_up(0, net, image)
    assert "Sort" in capsys.readouterr().out
    assert not check_runner_up([3, 1], net, image)
    assert not check_runner_up(None, net, image)
    assert not check_runner_up("3", net, image)


def test_confusion_matrix(capsys):
    t = np.array([0, 0, 1, 2, 2, 2])
    p = np.array([0, 1, 1, 2, 0, 2])
    right = companion.confusion_matrix(t, p, 3)
    assert check_confusion_matrix(right.tolist(), t, p, n_classes=3)
    capsys.readouterr()
    assert not check_confusion_matrix(right.T, t, p, n_classes=3)
    assert "transpose" in capsys.readouterr().out
    assert not check_confusion_matrix(np.eye(3), t, p, n_classes=3)
    assert not check_confusion_matrix(None, t, p, n_classes=3)
    assert not check_confusion_matrix(np.zeros((2, 2)), t, p, n_classes=3)
    assert "shape" in capsys.readouterr().out


def test_seed_summary(capsys):
    acc = {"1": [0.63, 0.81, 0.70, 0.75, 0.72], "2": [0.74, 0.86, 0.80, 0.78, 0.82], "8": [0.93, 0.94, 0.95, 0.94, 0.95]}
    right = {k: (torch.tensor(v, dtype=torch.float64).mean().item(), torch.tensor(v, dtype=torch.float64).std().item())
             for k, v in acc.items()}
    assert check_seed_summary(right, acc)
    # the verdict gives nothing away: which differences are shown is the reader's next step
    assert capsys.readouterr().out.strip() == "Correct!"
    assert check_seed_summary({"a": right["1"]}, {"a": acc["1"]}) and "Correct!" in capsys.readouterr().out
    uneven = {"1": acc["1"], "2": acc["2"][:4]}
    assert check_seed_summary({k: (np.mean(v), np.std(v, ddof=1)) for k, v in uneven.items()}, uneven)
    assert capsys.readouterr().out.strip() == "Correct!"
    assert not check_seed_summary(None, acc)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_seed_summary([1, 2], acc)
    assert "dict" in capsys.readouterr().out
    assert not check_seed_summary({"1": right["1"]}, acc)
    assert "no entry for ['2', '8']" in capsys.readouterr().out
    assert not check_seed_summary({**right, "2": (0.8,)}, acc)
    assert "pair (mean, std)" in capsys.readouterr().out
    assert not check_seed_summary({**right, "2": "x"}, acc)
    assert "Not yet" in capsys.readouterr().out
    assert not check_seed_summary({**right, "8": (0.9, right["8"][1])}, acc)
    assert "mean 0.9000" in capsys.readouterr().out
    assert not check_seed_summary({**right, "8": (right["8"][0], float(np.std(acc["8"])))}, acc)
    assert "divides by J = 5" in capsys.readouterr().out
    assert not check_seed_summary({**right, "8": (right["8"][0], 0.5)}, acc)
    assert "not the sample standard deviation" in capsys.readouterr().out
    with pytest.raises(TypeError, match="accuracies must be a non-empty dict"):
        check_seed_summary(right, {})


def _pixel_net():
    """A network that sees single pixels: class 0 for ink in the left column, 1 in the right, 2 blank."""
    net = companion.TinyCNN(n_filters=1, kernel_size=1, pool_size=1, n_classes=3, image_size=4)
    net.params["K"][:], net.params["b"][:] = 1.0, 0.0
    left, right = np.zeros((4, 4)), np.zeros((4, 4))
    left[:, 0], right[:, 3] = 1.0, 1.0
    net.params["W"] = np.stack([left.ravel(), right.ravel(), np.zeros(16)])
    net.params["c"] = np.array([0.0, 0.0, 0.5])
    return net


def test_shift_accuracies_catches_np_roll(capsys):
    net = _pixel_net()
    x = np.zeros((3, 1, 4, 4))
    x[0, 0, :, 3] = 1.0                      # ink in the last column
    x[1, 0, :, 0] = 1.0                      # ink in the first column
    y = np.array([0, 2, 1])
    # the right answer, shifted with torch: F.pad pads s columns on the left and crops s on the right
    import torch.nn.functional as F

    right = [float(np.mean(net.predict(F.pad(torch.from_numpy(x), (s, -s)).numpy() if s else x) == y))
             for s in range(3)]
    rolled = [float(np.mean(net.predict(np.roll(x, s, axis=-1)) == y)) for s in range(3)]
    assert right != rolled
    assert check_shift_accuracies(right, net, x, y, shifts=(0, 1, 2))
    assert "Correct!" in capsys.readouterr().out
    assert not check_shift_accuracies(rolled, net, x, y, shifts=(0, 1, 2))
    assert "np.roll" in capsys.readouterr().out
    assert not check_shift_accuracies([100 * a for a in right], net, x, y, shifts=(0, 1, 2))
    assert "fractions" in capsys.readouterr().out
    assert not check_shift_accuracies([right[0], right[1], 0.123], net, x, y, shifts=(0, 1, 2))
    assert "for shift 2" in capsys.readouterr().out
    assert not check_shift_accuracies(right[:2], net, x, y, shifts=(0, 1, 2))
    assert "3 accuracies" in capsys.readouterr().out
    assert not check_shift_accuracies(None, net, x, y, shifts=(0, 1, 2))
    assert "Not answered yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="shifts"):
        check_shift_accuracies(right, net, x, y, shifts=(0, 4))
    with pytest.raises(ValueError, match="targets"):
        check_shift_accuracies(right, net, x, y[:2])
    with pytest.raises(ValueError, match="images"):
        check_shift_accuracies(right, net, x[:, 0], y)
