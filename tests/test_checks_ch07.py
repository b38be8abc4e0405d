"""Tests of the chapter 7 exercise checks (backpropagation): answers computed by
torch.autograd pass, wrong answers of every kind print a verdict and return False, misuse
of a checker raises."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion import checks

X4 = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [3, 2, 0, 1]], dtype=float)
G2 = np.array([[10, 20], [30, 40]], dtype=float)


def _torch_pool_grad(x, g, kernel_size, stride):
    t = torch.tensor(x[None, None], requires_grad=True)
    F.max_pool2d(t, kernel_size, stride).backward(torch.tensor(g[None, None]))
    return t.grad[0, 0].numpy()


def _torch_conv_grads(x, w, g, stride=1, padding=0, dilation=1):
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
    F.conv2d(tx, tw, tb, stride, padding, dilation).backward(torch.tensor(g))
    return tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()


@pytest.mark.parametrize("stride", [None, 1])
def test_max_pool_backward_accepts_autograd(capsys, stride):
    g = G2 if stride is None else np.arange(9, dtype=float).reshape(3, 3)
    expected = _torch_pool_grad(X4, g, 2, stride or 2)
    assert checks.check_max_pool_backward(expected, X4, g, 2, stride) is True
    assert checks.check_max_pool_backward(expected.astype(int), X4, g, 2, stride) is True
    assert capsys.readouterr().out.count("Correct!") == 2


def test_max_pool_backward_ties_go_to_the_first_maximum(capsys):
    x = np.array([[5.0, 5.0], [1.0, 5.0]])
    assert checks.check_max_pool_backward([[7, 0], [0, 0]], x, [[7]]) is True
    assert checks.check_max_pool_backward([[0, 7], [0, 0]], x, [[7]]) is False
    assert "first one" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, "zeros", [[1, 2], [3, 4]], np.zeros((4, 4)), [[0, 1], [2]]])
def test_max_pool_backward_wrong_answers_never_raise(capsys, answer):
    assert checks.check_max_pool_backward(answer, X4, G2) is False
    out = capsys.readouterr().out
    assert "Not yet" in out or "Not answered yet" in out


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 2), (2, 0, 1)])
def test_conv2d_backward_accepts_autograd_4d(capsys, stride, padding, dilation):
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 2, 7, 7)), rng.normal(size=(3, 2, 3, 3))
    ho = (7 + 2 * padding - dilation * 2 - 1) // stride + 1
    g = rng.normal(size=(2, 3, ho, ho))
    gx, gw, gb = _torch_conv_grads(x, w, g, stride, padding, dilation)
    for wrt, expected in (("input", gx), ("weight", gw), ("bias", gb)):
        assert checks.check_conv2d_backward(expected, x, w, g, wrt, stride, padding, dilation) is True
    assert capsys.readouterr().out.count("Correct!") == 3


def test_conv2d_backward_2d_and_hints(capsys):
    x = np.arange(9, dtype=float).reshape(3, 3)
    k = np.array([[1.0, 2.0], [3.0, -4.0]])
    g = np.array([[1.0, -1.0], [2.0, 0.5]])
    gx, gw, gb = _torch_conv_grads(x[None, None], k[None, None], g[None, None])
    assert checks.check_conv2d_backward(gw[0, 0], x, k, g, "weight") is True
    assert checks.check_conv2d_backward(gx[0, 0], x, k, g, "input") is True
    assert checks.check_conv2d_backward(float(gb[0]), x, k, g, "bias") is True
    capsys.readouterr()
    assert checks.check_conv2d_backward(gw[0, 0][::-1, ::-1], x, k, g, "weight") is False
    assert "180 degrees" in capsys.readouterr().out
    from scipy import signal

    assert checks.check_conv2d_backward(signal.correlate2d(g, k, "full"), x, k, g, "input") is False
    assert "convolution" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, "x", [1, 2, 3], np.zeros((3, 3))])
def test_conv2d_backward_wrong_answers_never_raise(capsys, answer):
    x, k, g = np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2))
    assert checks.check_conv2d_backward(answer, x, k, g, "weight") is False
    out = capsys.readouterr().out
    assert "Not yet" in out or "Not answered yet" in out


def test_conv2d_backward_misuse_raises():
    with pytest.raises(ValueError, match="wrt"):
        checks.check_conv2d_backward(0, np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2)), "kernel")
    with pytest.raises(ValueError, match="weight"):
        checks.check_conv2d_backward(0, np.ones((3, 3)), np.ones((1, 1, 2, 2)), np.ones((2, 2)))


def test_check_gradient_against_autograd(capsys):
    x = np.array([0.3, -1.2, 2.0])
    t = torch.tensor(x, requires_grad=True)
    (torch.tanh(t) ** 2).sum().backward()
    assert checks.check_gradient(t.grad.numpy(), lambda v: (np.tanh(v) ** 2).sum(), x) is True
    assert "Largest relative error" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, "grad", [1.0, 2.0], np.zeros(3)])
def test_check_gradient_wrong_answers_never_raise(capsys, answer):
    assert checks.check_gradient(answer, lambda v: (v ** 2).sum(), np.array([1.0, 2.0, 3.0])) is False
    out = capsys.readouterr().out
    assert "Not yet" in out or "Not answered yet" in out


def test_check_gradient_reports_a_broken_function(capsys):
    def broken(v):
        raise RuntimeError("oops")

    assert checks.check_gradient(np.zeros(2), broken, np.zeros(2)) is False
    assert "could not be evaluated" in capsys.readouterr().out
    with pytest.raises(TypeError, match="callable"):
        checks.check_gradient(np.zeros(2), "f", np.zeros(2))


def test_unanswered_starter_cells_say_so(capsys):
    x, k, g = np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2))
    assert checks.check_max_pool_backward(None, X4, G2) is False
    assert checks.check_conv2d_backward(None, x, k, g, "bias") is False
    assert checks.check_gradient(None, lambda v: (v ** 2).sum(), np.ones(2)) is False
    assert capsys.readouterr().out.count("Not answered yet") == 3


def _torch_ce_grad(z, t):
    tz = torch.tensor(z, requires_grad=True)
    F.cross_entropy(tz, torch.tensor(t)).backward()
    return tz.grad.numpy()


Z3 = np.array([[2.0, -1.0, 0.5, 0.0], [0.3, 0.3, 1.2, -2.0], [-0.5, 1.5, 0.0, 1.0]])
T3 = np.array([0, 2, 3])


def test_cross_entropy_backward_accepts_autograd(capsys):
    expected = _torch_ce_grad(Z3, T3)
    assert checks.check_cross_entropy_backward(expected, Z3, T3) is True
    assert checks.check_cross_entropy_backward(np.round(expected, 3), Z3, T3) is True  # three decimals
    one = _torch_ce_grad(Z3[1], np.array(2))  # one example, N = 1
    assert checks.check_cross_entropy_backward(one, Z3[1], 2) is True
    assert capsys.readouterr().out.count("Correct!") == 3


def test_cross_entropy_backward_names_the_slips(capsys):
    expected = _torch_ce_grad(Z3, T3)
    probs = torch.softmax(torch.tensor(Z3), dim=1).numpy()
    onehot = np.eye(4)[T3]
    for wrong, says in [(expected * 3, "without the 1/N"), (-expected, "sign is turned"),
                        (probs / 3, "subtract the one-hot"), (probs, "subtract the one-hot"),
                        (-onehot / probs / 3, "dL/dy_hat")]:
        assert checks.check_cross_entropy_backward(wrong, Z3, T3) is False
        assert says in capsys.readouterr().out
    assert checks.check_cross_entropy_backward(expected + 0.01, Z3, T3) is False
    assert "entries of your dL/dz differ" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, "dz", [1.0, 2.0], np.zeros((4, 3)), [[0, 1], [2]]])
def test_cross_entropy_backward_wrong_answers_never_raise(capsys, answer):
    assert checks.check_cross_entropy_backward(answer, Z3, T3) is False
    out = capsys.readouterr().out
    assert "Not yet" in out or "Not answered yet" in out


def test_cross_entropy_backward_misuse_raises():
    with pytest.raises(ValueError, match="logits"):
        checks.check_cross_entropy_backward(0, np.zeros((2, 3, 4)), [0, 1])
    with pytest.raises(ValueError, match="class indices"):
        checks.check_cross_entropy_backward(0, Z3, [0, 1, 7])
    with pytest.raises(TypeError, match="integer"):
        checks.check_cross_entropy_backward(0, Z3, [0.0, 1.0, 2.0])


F_IN = np.array([[1.0, 0.0, 2.0], [-1.0, 3.0, 1.0]])       # (N, d_in) = (2, 3)
W_IN = np.array([[2.0, -1.0, 0.0], [1.0, 1.0, -2.0]])      # (d_out, d_in) = (2, 3)
G_IN = np.array([[1.0, -2.0], [0.5, 3.0]])                 # (N, d_out)


def _torch_linear_grads(f, w, g):
    tf = torch.tensor(f, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tc = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
    F.linear(tf, tw, tc).backward(torch.tensor(g))
    return tf.grad.numpy(), tw.grad.numpy(), tc.grad.numpy()


def test_linear_backward_accepts_autograd(capsys):
    gf, gw, gc = _torch_linear_grads(F_IN, W_IN, G_IN)
    for wrt, expected in (("input", gf), ("weight", gw), ("bias", gc)):
        assert checks.check_linear_backward(expected, F_IN, W_IN, G_IN, wrt) is True
    assert checks.check_linear_backward(gw.tolist(), F_IN, W_IN, G_IN) is True  # a nested list, wrt="weight"
    assert capsys.readouterr().out.count("Correct!") == 4


def test_linear_backward_names_the_slips(capsys):
    gf, gw, gc = _torch_linear_grads(F_IN, W_IN, G_IN)
    for wrong, wrt, says in [(gw.T, "weight", "f^T G, the transpose"),
                             (np.outer(G_IN[0], F_IN[0]), "weight", "every example of the batch"),
                             (gf.T, "input", "the transpose"),
                             (G_IN.sum(axis=1), "bias", "over the classes")]:
        assert checks.check_linear_backward(wrong, F_IN, W_IN, G_IN, wrt) is False
        assert says in capsys.readouterr().out
    assert checks.check_linear_backward(gw + 1, F_IN, W_IN, G_IN) is False
    assert "entries of your dL/dW differ" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, "W", [1.0, 2.0], np.zeros((3, 3)), [[0, 1], [2]]])
def test_linear_backward_wrong_answers_never_raise(capsys, answer):
    assert checks.check_linear_backward(answer, F_IN, W_IN, G_IN) is False
    out = capsys.readouterr().out
    assert "Not yet" in out or "Not answered yet" in out


def test_linear_backward_misuse_raises():
    with pytest.raises(ValueError, match="wrt"):
        checks.check_linear_backward(0, F_IN, W_IN, G_IN, "c")
    with pytest.raises(ValueError, match="grad_out"):
        checks.check_linear_backward(0, F_IN, W_IN, G_IN.T[:1])
    with pytest.raises(ValueError, match="x"):
        checks.check_linear_backward(0, F_IN[0], W_IN, G_IN)
    with pytest.raises(ValueError, match="in_features"):
        checks.check_linear_backward(0, F_IN, W_IN[:, :2], G_IN)


def test_new_checks_say_when_unanswered(capsys):
    assert checks.check_cross_entropy_backward(None, Z3, T3) is False
    assert checks.check_linear_backward(None, F_IN, W_IN, G_IN, "bias") is False
    assert capsys.readouterr().out.count("Not answered yet") == 2
