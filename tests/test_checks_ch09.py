"""Exercise checks of chapter 9: right answers pass, wrong ones get a useful message, nothing raises."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion.autograd import Tensor, make_node
from companion import autograd as ag
from companion.checks import (
    check_forward_sweeps,
    check_fork_gradients,
    check_residual_mlp,
    check_reuse_gradient,
    check_softplus_op,
)
from companion.checks.ch09 import _residual_mlp


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


def test_softplus_op(capsys):
    def right(t):
        return make_node(np.logaddexp(0.0, t.data), "softplus", (t,), lambda g: (g / (1.0 + np.exp(-t.data)),))

    x = np.linspace(-3, 3, 7)
    assert check_softplus_op(right, x)
    xt = torch.tensor(x, requires_grad=True)
    (F.softplus(xt) * torch.tensor(x)).sum().backward()
    leaf = Tensor(x, requires_grad=True)
    out = right(leaf)
    np.testing.assert_allclose(out.data, F.softplus(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-12)
    (out * x).sum().backward()
    np.testing.assert_allclose(leaf.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    capsys.readouterr()
    assert not check_softplus_op(None)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_softplus_op(np.logaddexp(0.0, x))
    assert "function itself" in capsys.readouterr().out
    assert not check_softplus_op(lambda t: np.logaddexp(0.0, t.data))
    assert "return a Tensor" in capsys.readouterr().out
    # the engine's own operations, composed, give the right numbers but add no operation
    assert not check_softplus_op(lambda t: (1 + t.exp()).log())
    assert "composes existing operations" in capsys.readouterr().out
    # an existing operation of the engine, one node from t: wrong values
    assert not check_softplus_op(lambda t: t.tanh())
    assert "softplus(x)" in capsys.readouterr().out
    assert not check_softplus_op(lambda t: make_node(np.logaddexp(0.0, t.data), "softplus", (t,), lambda g: (g,)))
    assert "sigma(x)" in capsys.readouterr().out
    assert not check_softplus_op(
        lambda t: make_node(np.logaddexp(0.0, t.data), "softplus", (t,), lambda g: (g * np.logaddexp(0.0, t.data),)))
    assert "sigma(x)" in capsys.readouterr().out
    assert not check_softplus_op(lambda t: make_node(np.logaddexp(0.0, t.data), "softplus", (t,), lambda g: (g[:1],)))
    assert "raised ValueError" in capsys.readouterr().out
    assert not check_softplus_op(lambda t: 1 / 0)
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


def _residual_right(params, x, targets):
    h = x + (x @ params["W1"] + params["b1"]).tanh()
    return ag.cross_entropy(h @ params["W2"] + params["b2"], targets)


def test_residual_mlp_hand_gradients_match_torch_autograd():
    rng = np.random.default_rng(3)
    arrays = {"W1": rng.normal(size=(5, 5)), "b1": rng.normal(size=5), "W2": rng.normal(size=(5, 4)),
              "b2": rng.normal(size=4)}
    x, targets = rng.normal(size=(7, 5)), rng.integers(0, 4, size=7)
    loss, grads = _residual_mlp(arrays, x, targets)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    t["x"] = torch.tensor(x, requires_grad=True)
    h = t["x"] + torch.tanh(t["x"] @ t["W1"] + t["b1"])
    losst = torch.nn.functional.cross_entropy(h @ t["W2"] + t["b2"], torch.tensor(targets))
    losst.backward()
    np.testing.assert_allclose(loss, losst.item(), rtol=1e-12, atol=1e-12)
    assert sorted(grads) == sorted(t)  # x's gradient too: the fork
    for name in t:
        np.testing.assert_allclose(grads[name], t[name].grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n, d, q, seed", [(6, 4, 3, 0), (2, 3, 5, 1), (9, 2, 2, 7)])
def test_residual_mlp_accepts_the_engine_and_a_network_of_primitives(n, d, q, seed, capsys):
    assert check_residual_mlp(_residual_right, n, d, q, seed)

    def from_primitives(params, x, targets):  # the dense layers and the loss without the fused rules
        a = (x.reshape(x.shape[0], -1, 1) * params["W1"]).sum(axis=1) + params["b1"]
        h = a.tanh() + x
        z = (h.reshape(x.shape[0], -1, 1) * params["W2"]).sum(axis=1) + params["b2"]
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
        return -(log_p * np.eye(z.shape[1])[targets]).sum(axis=1).mean()

    assert check_residual_mlp(from_primitives, n, d, q, seed)
    assert capsys.readouterr().out.count("Correct!") == 2


def test_residual_mlp_mistakes(capsys):
    assert not check_residual_mlp(None)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_residual_mlp("f")
    assert "pass your function itself" in capsys.readouterr().out
    no_skip = lambda p, x, t: ag.cross_entropy((x @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"], t)  # noqa: E731
    assert not check_residual_mlp(no_skip)
    assert "without the skip connection" in capsys.readouterr().out
    summed = lambda p, x, t: _residual_right(p, x, t) * x.shape[0]  # noqa: E731
    assert not check_residual_mlp(summed)
    assert "the mean over the batch" in capsys.readouterr().out
    frozen = lambda p, x, t: _residual_right({**p, "b1": p["b1"].data}, x, t)  # noqa: E731
    assert not check_residual_mlp(frozen)
    assert "b1 received no gradient" in capsys.readouterr().out

    def wrong_rule(p, x, t):  # a tanh whose rule forgets the square
        a = x @ p["W1"] + p["b1"]
        y = np.tanh(a.data)
        h = x + make_node(y, "tanh", (a,), lambda g: (g * (1 - y),))
        return ag.cross_entropy(h @ p["W2"] + p["b2"], t)

    assert not check_residual_mlp(wrong_rule)
    assert "W1.grad" in capsys.readouterr().out
    # the fork at x: each wrong skip gets the loss and the weights' gradients right, x's wrong
    skip_of_data = lambda p, x, t: _residual_right(p, x.data, t) + 0 * x.sum()  # noqa: E731
    assert not check_residual_mlp(skip_of_data)
    assert "x is a fork" in capsys.readouterr().out

    def layer_of_data(p, x, t):  # the skip is recorded, the layer's use of x is not
        h = x + (x.data @ p["W1"] + p["b1"]).tanh()
        return ag.cross_entropy(h @ p["W2"] + p["b2"], t)

    assert not check_residual_mlp(layer_of_data)
    assert "x is a fork" in capsys.readouterr().out

    def skip_rule_drops_g(p, x, t):  # an add whose rule sends nothing back along the skip
        a = (x @ p["W1"] + p["b1"]).tanh()
        h = make_node(x.data + a.data, "add", (x, a), lambda g: (0 * g, g))
        return ag.cross_entropy(h @ p["W2"] + p["b2"], t)

    assert not check_residual_mlp(skip_rule_drops_g)
    assert "x is a fork" in capsys.readouterr().out

    def skip_detached(p, x, t):  # x used as a constant: no gradient reaches it
        return _residual_right(p, Tensor(x.data), t)

    assert not check_residual_mlp(skip_detached)
    assert "x received no gradient" in capsys.readouterr().out
    assert not check_residual_mlp(lambda p, x, t: float(_residual_right(p, x, t).data))
    assert "should return a Tensor, got a float" in capsys.readouterr().out
    assert not check_residual_mlp(lambda p, x, t: (x @ p["W1"]).tanh())
    assert "one number" in capsys.readouterr().out
    assert not check_residual_mlp(lambda p, x, t: p["W9"])
    assert "raised KeyError" in capsys.readouterr().out
