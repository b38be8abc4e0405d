"""Exercise checks of chapter 10: right answers pass, wrong ones get a useful message, nothing raises."""

import numpy as np
import pytest
import torch

import companion

from companion.checks import (
    check_adam_step,
    check_batch_norm_output,
    check_fans,
    check_he_std,
    check_initial_loss,
)


def test_fans(capsys):
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(16, 8, 5, 5))
    assert check_fans((fan_in, fan_out), (16, 8, 5, 5))
    assert "8 * 5 * 5 = 200" in capsys.readouterr().out
    assert check_fans([1352, 10], (10, 1352))
    capsys.readouterr()
    assert not check_fans(None, (16, 8, 5, 5))
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_fans((400, 200), (16, 8, 5, 5))
    assert "C_in * kH * kW" in capsys.readouterr().out
    assert not check_fans(200, (16, 8, 5, 5))
    assert "two numbers" in capsys.readouterr().out
    assert not check_fans("many", (16, 8, 5, 5))
    assert "not numbers" in capsys.readouterr().out


def test_he_std(capsys):
    w = torch.empty(32, 16, 3, 3, dtype=torch.float64)
    torch.nn.init.kaiming_normal_(w, nonlinearity="relu")
    expected = torch.nn.init.calculate_gain("relu") / np.sqrt(16 * 9)
    assert check_he_std(expected, (32, 16, 3, 3))
    capsys.readouterr()
    assert not check_he_std(np.sqrt(2 / (32 * 9)), (32, 16, 3, 3))
    assert "fan-in, 144" in capsys.readouterr().out
    assert not check_he_std(None, (32, 16, 3, 3))


def test_adam_step_against_torch(capsys):
    p0, g = np.array([0.5, -1.0]), np.array([0.2, 0.3])
    t = torch.tensor(p0, requires_grad=True)
    opt = torch.optim.Adam([t], lr=0.1)
    t.grad = torch.from_numpy(g)
    opt.step()
    assert check_adam_step(t.detach().numpy(), p0, g, np.zeros(2), np.zeros(2), step=1, lr=0.1)
    capsys.readouterr()
    assert not check_adam_step(p0 - 0.1 * g, p0, g, np.zeros(2), np.zeros(2), step=1, lr=0.1)
    assert "differ" in capsys.readouterr().out
    assert not check_adam_step(None, p0, g, np.zeros(2), np.zeros(2), step=1)


def test_batch_norm_output_against_torch(capsys):
    x = np.arange(8.0).reshape(2, 1, 2, 2)
    ref = torch.nn.functional.batch_norm(torch.from_numpy(x), None, None, torch.tensor([2.0], dtype=torch.float64),
                                         torch.tensor([1.0], dtype=torch.float64), training=True).numpy()
    assert check_batch_norm_output(ref, x, [2.0], [1.0])
    capsys.readouterr()
    assert not check_batch_norm_output((x - x.mean()) / x.std(ddof=1), x, [1.0], [0.0])
    assert "differ" in capsys.readouterr().out
    assert not check_batch_norm_output(None, x, [1.0], [0.0])


def test_initial_loss(capsys):
    uniform = torch.nn.functional.cross_entropy(torch.zeros(1, 7), torch.tensor([3])).item()
    assert check_initial_loss(uniform, n_classes=7)
    capsys.readouterr()
    assert not check_initial_loss(1 / 7, n_classes=7)
    assert "-log" in capsys.readouterr().out
    assert not check_initial_loss(None)
    with pytest.raises(ValueError, match="n_classes must be an int of at least 2"):
        check_initial_loss(1.0, n_classes=1)


def test_adam_step_accepts_a_number_for_one_parameter(capsys):
    theta_1, m_1, v_1 = companion.adam_step(np.array([1.0]), np.array([2.0]), np.zeros(1), np.zeros(1), 1, lr=0.1)
    expected = 0.9 - 0.1 * (0.08 / 0.19) / np.sqrt(0.004996 / 0.001999)
    assert check_adam_step(expected, theta_1, [-1.0], m_1, v_1, step=2, lr=0.1)
    assert not check_adam_step(0.9, theta_1, [-1.0], m_1, v_1, step=2, lr=0.1)
    assert "expected 0.873" in capsys.readouterr().out
