"""companion.autograd.layers: the book's layers on tensors against torch.autograd (float64) and against
numerical_gradient."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion import autograd as ag
from companion.autograd import Tensor

RTOL, ATOL = 1e-12, 1e-12


def close(ours, theirs, scale=1.0):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL * scale)


def pair(array):
    """The same float64 values as a leaf of the engine and a leaf of torch."""
    array = np.asarray(array, dtype=np.float64)
    return Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2), (2, 1, 2), ((2, 1), (1, 0), (1, 2))])
def test_conv2d_against_torch(stride, padding, dilation):
    rng = np.random.default_rng(4)
    x, xt = pair(rng.normal(size=(2, 3, 9, 8)))
    w, wt = pair(rng.normal(size=(4, 3, 3, 2)))
    b, bt = pair(rng.normal(size=4))
    out = ag.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    outt = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation)
    close(out.data, outt, 10)
    g = rng.normal(size=out.shape)
    (out * g).sum().backward()
    (outt * torch.tensor(g)).sum().backward()
    for ours, theirs in [(x, xt), (w, wt), (b, bt)]:
        close(ours.grad, theirs.grad, 100)


def test_conv2d_without_bias_and_with_a_constant_input():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 2, 5, 5))
    w, wt = pair(rng.normal(size=(3, 2, 3, 3)))
    out = ag.conv2d(x, w, padding="same")
    assert out.op == "conv2d" and len(out.parents) == 2
    out.sum().backward()
    F.conv2d(torch.tensor(x), wt, padding="same").sum().backward()
    close(w.grad, wt.grad, 100)


@pytest.mark.parametrize("kernel_size, stride, padding", [(2, None, 0), (3, 2, 1), (2, 1, 1), ((3, 2), (2, 1), (1, 0))])
def test_max_pool2d_against_torch(kernel_size, stride, padding):
    rng = np.random.default_rng(6)
    x, xt = pair(rng.normal(size=(2, 3, 7, 6)))
    out = ag.max_pool2d(x, kernel_size, stride, padding)
    outt = F.max_pool2d(xt, kernel_size, stride, padding)
    np.testing.assert_array_equal(out.data, outt.detach().numpy())  # a maximum is exact
    g = rng.normal(size=out.shape)
    (out * g).sum().backward()
    (outt * torch.tensor(g)).sum().backward()
    close(x.grad, xt.grad, 10)


def test_flatten_linear_cross_entropy_against_torch():
    rng = np.random.default_rng(7)
    p, pt = pair(rng.normal(size=(4, 2, 3, 3)))
    w, wt = pair(rng.normal(size=(5, 18)))
    c, ct = pair(rng.normal(size=5))
    targets = np.array([0, 4, 2, 2])
    loss = ag.cross_entropy(ag.linear(ag.flatten(p), w, c), targets)
    losst = F.cross_entropy(F.linear(torch.flatten(pt, 1), wt, ct), torch.tensor(targets))
    close(loss.data, losst)
    assert loss.shape == ()
    loss.backward()
    losst.backward()
    for ours, theirs in [(p, pt), (w, wt), (c, ct)]:
        close(ours.grad, theirs.grad)


def test_linear_without_bias_on_one_vector():
    rng = np.random.default_rng(8)
    x, xt = pair(rng.normal(size=6))
    w, wt = pair(rng.normal(size=(3, 6)))
    ag.linear(x, w).sum().backward()
    F.linear(xt, wt).sum().backward()
    close(x.grad, xt.grad, 10)
    close(w.grad, wt.grad, 10)


def _tiny_cnn_loss(params, x, targets):
    conv = ag.conv2d(x, params["K"], params["b"], stride=2, padding=1, dilation=2)
    pooled = ag.max_pool2d(conv.relu(), 2, 2, 1)
    return ag.cross_entropy(ag.linear(ag.flatten(pooled), params["W"], params["c"]), targets)


def test_a_whole_network_against_finite_differences_and_torch():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(3, 1, 9, 9))
    targets = np.array([1, 0, 2])
    arrays = {"K": rng.normal(size=(2, 1, 3, 3)), "b": rng.normal(size=2) * 0.1,
              "W": rng.normal(size=(3, 2 * 3 * 3)), "c": rng.normal(size=3)}
    params = {k: Tensor(v, requires_grad=True) for k, v in arrays.items()}
    _tiny_cnn_loss(params, x, targets).backward()
    for name in arrays:
        def loss_of(value, name=name):
            trial = {k: Tensor(value if k == name else v) for k, v in arrays.items()}
            return float(_tiny_cnn_loss(trial, x, targets).data)
        numeric = companion.numerical_gradient(loss_of, arrays[name])
        np.testing.assert_allclose(params[name].grad, numeric, rtol=1e-6, atol=1e-8)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    conv = F.conv2d(torch.tensor(x), tp["K"], tp["b"], stride=2, padding=1, dilation=2)
    pooled = F.max_pool2d(torch.relu(conv), 2, 2, 1)
    F.cross_entropy(F.linear(torch.flatten(pooled, 1), tp["W"], tp["c"]), torch.tensor(targets)).backward()
    for name in arrays:
        close(params[name].grad, tp[name].grad, 10)


def test_tiny_cnn_gradients_are_the_hand_written_ones_exactly():
    net = companion.TinyCNN(n_filters=3, image_size=10, n_classes=4, seed=1)
    rng = np.random.default_rng(10)
    x, targets = rng.random(size=(5, 1, 10, 10)), np.array([0, 3, 1, 1, 2])
    loss, grads = net.loss_and_grads(x, targets)
    p = {k: Tensor(v, requires_grad=True) for k, v in net.params.items()}
    conv = ag.conv2d(x, p["K"], p["b"])
    out = ag.cross_entropy(ag.linear(ag.flatten(ag.max_pool2d(conv.relu(), 2)), p["W"], p["c"]), targets)
    out.backward()
    assert out.data == loss
    for name in grads:
        np.testing.assert_array_equal(p[name].grad, grads[name])


def test_bad_layer_arguments_raise_before_any_work():
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    with pytest.raises(ValueError, match="weight"):
        ag.conv2d(x, np.ones((1, 2, 3, 3)))
    with pytest.raises(TypeError, match="bias must be an array of numbers"):
        ag.conv2d(x, np.ones((1, 1, 3, 3)), bias="b")
    with pytest.raises(ValueError, match="padding"):
        ag.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="x must have a batch axis"):
        ag.flatten(Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="in_features"):
        ag.linear(Tensor(np.ones((2, 3))), np.ones((4, 5)))
    z = Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="targets must be a plain array of class indices, got a Tensor"):
        ag.cross_entropy(z, Tensor([0, 1]))
    with pytest.raises(TypeError, match="targets must hold numbers, got an array of dtype float64"):
        ag.cross_entropy(z, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"logits must be 2-D \(N, Q\), got shape \(3,\)"):
        ag.cross_entropy(Tensor(np.zeros(3)), [0])
