"""Exercise checks of chapter 9: right answers pass, wrong ones get a useful message, nothing raises."""

import numpy as np
import pytest
import torch

import companion
from companion.autograd import Tensor, make_node
from companion.checks import check_forward_sweeps, check_fork_gradients, check_reuse_gradient, check_tanh_op


def _torch_fork(x, w, b):
    leaves = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in (x, w, b)]
    h = leaves[0] * leaves[1]
    (torch.relu(h + leaves[2]) + h * leaves[0]).backward()
    return {name: t.grad.item() for name, t in zip("xwb", leaves)}


@pytest.mark.parametrize("x, w, b", [(-1.0, 2.0, 4.0), (2.0, 3.0, -1.0), (1.5, -2.0, 0.5)])
def test_fork_gradients_against_torch(x, w, b, capsys):
    right = _torch_fork(x, w, b)
    assert check_fork_gradients(right, x, w, b)
    assert "Correct" in capsys.readouterr().out
    assert not check_fork_gradients({**right, "x": right["x"] + 1.0}, x, w, b)
    assert "two paths" in capsys.readouterr().out


def test_fork_gradients_messages(capsys):
    assert check_fork_gradients({"x": -2, "w": 0, "b": 1})
    assert "cancel" in capsys.readouterr().out
    assert not check_fork_gradients(None)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_fork_gradients([-2, 0, 1])
    assert "dict with the keys" in capsys.readouterr().out
    assert not check_fork_gradients({"x": -2, "w": 0})
    assert "got ['w', 'x']" in capsys.readouterr().out
    assert not check_fork_gradients({"x": -2, "w": 1, "b": 1})
    assert "dL/dw" in capsys.readouterr().out
    assert not check_fork_gradients({"x": -2, "w": 0, "b": 0})
    assert "ReLU" in capsys.readouterr().out
    assert not check_fork_gradients({"x": "minus two", "w": 0, "b": 1})
    assert "str" in capsys.readouterr().out
    with pytest.raises(ValueError, match="x must be a finite number"):
        check_fork_gradients(None, x=float("inf"))


def test_tanh_op(capsys):
    def right(t):
        y = np.tanh(t.data)
        return make_node(y, "tanh", (t,), lambda g: (g * (1.0 - y**2),))

    x = np.linspace(-2, 2, 7)
    assert check_tanh_op(right, x)
    xt = torch.tensor(x, requires_grad=True)
    (torch.tanh(xt) * torch.tensor(x)).sum().backward()
    leaf = Tensor(x, requires_grad=True)
    (right(leaf) * x).sum().backward()
    np.testing.assert_allclose(leaf.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    capsys.readouterr()
    assert not check_tanh_op(None)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_tanh_op(np.tanh(x))
    assert "function itself" in capsys.readouterr().out
    assert not check_tanh_op(lambda t: np.tanh(t.data))
    assert "return a Tensor" in capsys.readouterr().out
    assert not check_tanh_op(lambda t: make_node(np.sin(t.data), "sin", (t,), lambda g: (g,)))
    assert "tanh(x)" in capsys.readouterr().out
    assert not check_tanh_op(lambda t: make_node(np.tanh(t.data), "tanh", (t,), lambda g: (g,)))
    assert "1 - tanh(x)^2" in capsys.readouterr().out
    assert not check_tanh_op(lambda t: make_node(np.tanh(t.data), "tanh", (t,), lambda g: (g[:1],)))
    assert "raised ValueError" in capsys.readouterr().out
    assert not check_tanh_op(lambda t: 1 / 0)
    assert "raised ZeroDivisionError" in capsys.readouterr().out


def test_forward_sweeps_is_the_torch_parameter_count(capsys):
    for n_filters in (8, 4):
        net = companion.TinyCNN(n_filters=n_filters)
        total = sum(p.numel() for p in companion.torch_twin(net).parameters())
        assert check_forward_sweeps(total, n_filters=n_filters)
    capsys.readouterr()
    assert not check_forward_sweeps(1)
    assert "One reverse sweep" in capsys.readouterr().out
    assert not check_forward_sweeps(13520)
    assert "Count the entries" in capsys.readouterr().out
    assert not check_forward_sweeps(None)
    assert "Not answered yet" in capsys.readouterr().out


def test_reuse_gradient_against_torch(capsys):
    x = np.array([1.0, -2.0, 0.5])
    xt = torch.tensor(x, requires_grad=True)
    (xt * xt * xt).sum().backward()
    assert check_reuse_gradient(xt.grad.numpy(), x)
    assert check_reuse_gradient([3, 12], [1, 2])  # integers worked out by hand
    capsys.readouterr()
    assert not check_reuse_gradient(2 * x * x, x)
    assert "Two of the three" in capsys.readouterr().out
    assert not check_reuse_gradient(x * x, x)
    assert "Two of the three" not in capsys.readouterr().out
    assert not check_reuse_gradient(None, x)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_reuse_gradient("3x^2", x)
    assert "str" in capsys.readouterr().out
