"""Tests of chapter 2's "why convolution" checks (companion.checks.ch02_locality), against
torch.autograd and torch.nn.functional.unfold."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion import checks


def _torch_receptive_field(layers, n=48):
    x = torch.ones(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s in layers:
        y = F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = np.nonzero(x.grad[0, 0].numpy().any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


def test_check_receptive_field_against_autograd(capsys):
    layers = [(3, 1), (2, 2), (3, 1)]
    r = _torch_receptive_field(layers)
    assert checks.check_receptive_field(r, layers) is True
    assert checks.check_receptive_field(r - 1, layers) is False
    assert "each further tap spans s pixels" in capsys.readouterr().out
    assert checks.check_receptive_field(None, layers) is False
    assert "Not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("shape, k, s, p", [((4, 4), 3, 1, 1), ((5, 5), 3, 2, 0), ((4, 5), 2, 2, 1)])
def test_check_conv_matrix_against_torch_jacobian(capsys, shape, k, s, p):
    K = np.arange(1.0, k * k + 1).reshape(k, k)

    def f(x):
        return F.conv2d(x.reshape(1, 1, *shape), torch.from_numpy(K)[None, None], stride=s, padding=p).reshape(-1)

    J = torch.autograd.functional.jacobian(f, torch.zeros(shape[0] * shape[1], dtype=torch.float64)).numpy()
    assert checks.check_conv_matrix(J, shape, K, stride=s, padding=p) is True
    wrong = J.copy()
    wrong[0, 0] += 1
    assert checks.check_conv_matrix(wrong, shape, K, stride=s, padding=p) is False
    assert checks.check_conv_matrix(J[:, :-1], shape, K, stride=s, padding=p) is False
    assert "padding has no column" in capsys.readouterr().out


def test_check_locally_connected_count_against_unfold(capsys):
    n_windows = F.unfold(torch.zeros(1, 1, 6, 6), 3).shape[-1]
    assert checks.check_locally_connected_count(n_windows * 9, 6, 3) is True
    assert checks.check_locally_connected_count(n_windows * 10, 6, 3, bias=True) is True
    assert checks.check_locally_connected_count(9, 6, 3) is False
    assert "output positions has weights of its own" in capsys.readouterr().out


def test_check_conv_matrix_not_answered(capsys):
    assert checks.check_conv_matrix(None, (3, 3), np.ones((2, 2)), stride=2, padding=1) is False
    assert "Not answered yet" in capsys.readouterr().out
