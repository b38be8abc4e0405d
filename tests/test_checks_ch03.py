"""Tests of the chapter 3 exercise checks (activation functions): right answers pass, wrong
answers of every kind print a verdict and return False, misuse of a checker raises."""

import numpy as np
import pytest
import torch

from companion import checks

Z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])


def _torch_values(name, x):
    """The expected values from PyTorch (autograd for the derivatives)."""
    t = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    if name == "softmax":
        return torch.softmax(t, dim=-1).detach().numpy()
    f = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[name.replace("_grad", "")]
    y = f(t)
    if not name.endswith("_grad"):
        return y.detach().numpy()
    y.sum().backward()
    return t.grad.numpy()


@pytest.mark.parametrize("name", ["relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softmax"])
def test_check_activation_accepts_torch_values(capsys, name):
    assert checks.check_activation(_torch_values(name, Z), name, Z) is True
    assert "Correct!" in capsys.readouterr().out


def test_check_activation_accepts_hand_rounding_and_ints(capsys):
    assert checks.check_activation(np.round(_torch_values("sigmoid", Z), 3), "sigmoid", Z) is True
    assert checks.check_activation([0, 0, 0, 0, 3], "relu", [-1.0, -2.0, 0.0, 0.0, 3.0]) is True
    assert "dtype" not in capsys.readouterr().out


def test_check_activation_wrong_values(capsys):
    wrong = _torch_values("tanh", Z) + 0.01
    assert checks.check_activation(wrong, "tanh", Z) is False
    assert capsys.readouterr().out.startswith("Not yet: 5 of 5 entries")


def test_check_activation_relu_grad_at_zero_names_the_convention(capsys):
    assert checks.check_activation([0, 0, 1, 1, 1], "relu_grad", Z) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and "ReLU'(0) = 0 by convention" in out
    # wrong elsewhere too: no convention note
    assert checks.check_activation([1, 0, 1, 1, 1], "relu_grad", Z) is False
    assert "convention" not in capsys.readouterr().out


@pytest.mark.parametrize("answer, message", [(None, "Not answered yet"), ("0.5", "not numbers"),
                                             ([1.0, 2.0], "shape (2,), expected (5,)")])
def test_check_activation_bad_answers_never_raise(capsys, answer, message):
    assert checks.check_activation(answer, "sigmoid", Z) is False
    assert message in capsys.readouterr().out


def test_check_activation_misuse_raises():
    with pytest.raises(ValueError, match="name must be one of"):
        checks.check_activation([1.0], "swish", [1.0])
    with pytest.raises(TypeError, match="name must be a str"):
        checks.check_activation([1.0], 3, [1.0])


def _layers(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=2)


def test_check_collapsed_linear_matches_torch_composition(capsys):
    w1, b1, w2, b2 = _layers()
    first = torch.nn.Linear(3, 4).double()
    second = torch.nn.Linear(4, 2).double()
    with torch.no_grad():
        first.weight.copy_(torch.from_numpy(w1)); first.bias.copy_(torch.from_numpy(b1))
        second.weight.copy_(torch.from_numpy(w2)); second.bias.copy_(torch.from_numpy(b2))
        both = torch.nn.Sequential(first, second)
        b = both(torch.zeros(1, 3, dtype=torch.float64))[0].numpy()
        W = (both(torch.eye(3, dtype=torch.float64)) - both(torch.zeros(1, 3, dtype=torch.float64))).T.numpy()
    assert checks.check_collapsed_linear(W, b, w1, b1, w2, b2) is True
    assert capsys.readouterr().out == "Correct!\n"


def test_check_collapsed_linear_wrong(capsys):
    w1, b1, w2, b2 = _layers()
    assert checks.check_collapsed_linear((w2 @ w1).T, w2 @ b1 + b2, w1, b1, w2, b2) is False   # transposed
    assert "your W has shape (3, 2), expected (2, 3)" in capsys.readouterr().out
    assert checks.check_collapsed_linear(w2 @ w1, b2, w1, b1, w2, b2) is False   # bias forgot W2 b1
    out = capsys.readouterr().out
    assert "Correct" not in out and "entries of your b differ" in out and "your W" not in out
    assert checks.check_collapsed_linear(None, None, w1, b1, w2, b2) is False
    assert "replace None by your W and b" in capsys.readouterr().out


def test_check_vanishing_depth(capsys):
    # smallest L with 4^-L < threshold, found independently of the companion
    for threshold in (1e-6, 0.3, 1e-12):
        expected = next(L for L in range(1, 100) if 0.25 ** L < threshold)
        assert checks.check_vanishing_depth(expected, threshold=threshold) is True
    assert checks.check_vanishing_depth(np.int64(10)) is True
    capsys.readouterr()
    assert checks.check_vanishing_depth(9) is False
    assert "At D = 9 the bound is" in capsys.readouterr().out
    for bad, message in [(None, "Not answered yet"), (9.5, "off by 0.5"), ("10", "not numbers"), (-3, "expected 10")]:
        assert checks.check_vanishing_depth(bad) is False
        assert message in capsys.readouterr().out


@pytest.mark.parametrize("threshold, error", [(0, ValueError), (1.5, ValueError), ("1e-6", TypeError), (True, TypeError)])
def test_check_vanishing_depth_misuse(threshold, error):
    with pytest.raises(error):
        checks.check_vanishing_depth(10, threshold=threshold)


def test_check_abs_network(capsys):
    assert checks.check_abs_network([[1.0], [-1.0]], [0.0, 0.0], [[1.0, 1.0]], [0.0]) is True
    # a wider network that also computes |x|: relu(x) + relu(-x) + (relu(x - 9) - relu(x - 9))
    w1 = [[1.0], [-1.0], [1.0], [1.0]]
    assert checks.check_abs_network(w1, [0.0, 0.0, -9.0, -9.0], [[1.0, 1.0, 1.0, -1.0]], [0.0]) is True
    assert checks.check_abs_network(torch.tensor([[2.0], [-2.0]]), [0, 0], [[0.5, 0.5]], [0]) is True
    capsys.readouterr()
    cases = [
        (([[1.0], [-1.0]], [0.0, 0.0], [[1.0, 1.0]], [1.0]), "your network gives 6"),
        ((None, [0.0], [[1.0]], [0.0]), "replace None by your w1"),
        (([1.0, -1.0], [0.0, 0.0], [[1.0, 1.0]], [0.0]), "w1 should have 2 dimension(s)"),
        (([[1.0], [-1.0]], [0.0], [[1.0, 1.0]], [0.0]), "b1 should have shape (2,)"),
        (([[1.0], [-1.0]], [0.0, 0.0], "w2", [0.0]), "not numbers"),
    ]
    for args, message in cases:
        assert checks.check_abs_network(*args) is False
        assert message in capsys.readouterr().out


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: checks.check_activation(None, "relu6", [1.0]), ValueError, "name must be one of relu, "),
        (lambda: checks.check_activation(None, 3, [1.0]), TypeError, "name must be a str"),
        (lambda: checks.check_activation(None, "relu", "x"), TypeError, "x must be an array of numbers"),
        (lambda: checks.check_collapsed_linear(None, None, np.ones(2), np.ones(2), np.ones((1, 2)), np.ones(1)),
         ValueError, "w1 must be 2-D"),
        (lambda: checks.check_vanishing_depth(None, threshold=2), ValueError, "strictly between 0 and 1"),
        (lambda: checks.check_vanishing_depth(None, threshold="1e-6"), TypeError, "threshold must be a number"),
    ],
)
def test_bad_calls_raise_even_before_an_answer(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- the ReLU family and dead units -------------------------------------------------------

import torch.nn.functional as F  # noqa: E402

FAMILY = {"leaky_relu": F.leaky_relu, "elu": F.elu, "gelu": F.gelu}


@pytest.mark.parametrize("name", ["leaky_relu", "leaky_relu_grad", "elu", "elu_grad", "gelu", "gelu_grad"])
def test_check_activation_family_accepts_torch_values(capsys, name):
    t = torch.tensor(Z, requires_grad=True)
    y = FAMILY[name.replace("_grad", "")](t)
    if name.endswith("_grad"):
        y.sum().backward()
        expected = t.grad.numpy()
    else:
        expected = y.detach().numpy()
    assert checks.check_activation(expected, name, Z) is True
    assert capsys.readouterr().out == "Correct!\n"
    assert checks.check_activation(expected + 0.01, name, Z) is False
    assert capsys.readouterr().out.startswith("Not yet: 5 of 5 entries")


def test_check_activation_leaky_grad_at_zero_names_the_convention(capsys):
    assert checks.check_activation([0.01, 0.01, 0.0, 1, 1], "leaky_relu_grad", Z) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and "LeakyReLU'(0) = 0.01" in out
    assert checks.check_activation([0.01, 0.01, 0.01, 1, 1], "leaky_relu_grad", Z) is True


def test_check_dead_units_against_torch_relu_gradients(capsys):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(20, 30)) - np.linspace(0, 4, 30)  # later units more often dead
    z[:, 3] = 0.0  # exactly zero: dead, ReLU'(0) = 0
    t = torch.tensor(z, requires_grad=True)
    torch.relu(t).sum().backward()
    dead = int((t.grad.numpy() == 0).all(axis=0).sum())  # no gradient for any example
    assert checks.check_dead_units(dead, z) is True
    assert capsys.readouterr().out == "Correct!\n"
    assert checks.check_dead_units(dead - 1, z) is False
    assert "z = 0 counts as dead" in capsys.readouterr().out
    assert checks.check_dead_units(None, z) is False
    assert "Not answered yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"^pre_activations must be 2-D"):
        checks.check_dead_units(1, np.zeros(3))
