"""companion.autograd against torch.autograd (float64) and against numerical_gradient."""

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


# --------------------------------------------------------------------------- forks and reuse


def test_the_chapter_fork_example_by_hand_and_against_torch():
    x, xt = pair(2.0)
    w, wt = pair(3.0)
    b, bt = pair(-1.0)
    h = x * w
    loss = (h + b).relu() + h * x
    loss.backward()
    assert loss.data == 17.0
    assert (x.grad, w.grad, b.grad) == (15.0, 6.0, 1.0)  # small integers: exact
    ht = xt * wt
    (torch.relu(ht + bt) + ht * xt).backward()
    assert (xt.grad.item(), wt.grad.item(), bt.grad.item()) == (15.0, 6.0, 1.0)


def test_node_reuse_x_times_x_and_two_branches():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4))
    x, xt = pair(a)
    y = x * x                       # x used twice by one operation
    z = (y + x).relu() - y * 2.0    # y used by two branches, x by three
    z.sum().backward()
    yt = xt * xt
    (torch.relu(yt + xt) - yt * 2.0).sum().backward()
    close(x.grad, xt.grad, 10)


@pytest.mark.parametrize("shape_a, shape_b", [((4, 3), (3,)), ((4, 3), ()), ((4, 1), (1, 5)), ((2, 1, 3), (4, 1))])
@pytest.mark.parametrize("op", ["add", "sub", "mul"])
def test_broadcasting_reduces_each_gradient_to_its_operand(shape_a, shape_b, op):
    rng = np.random.default_rng(1)
    a, at = pair(rng.normal(size=shape_a))
    b, bt = pair(rng.normal(size=shape_b))
    fn = {"add": lambda p, q: p + q, "sub": lambda p, q: p - q, "mul": lambda p, q: p * q}[op]
    weights = rng.normal(size=np.broadcast_shapes(shape_a, shape_b))
    (fn(a, b) * weights).sum().backward()
    (fn(at, bt) * torch.tensor(weights)).sum().backward()
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    close(a.grad, at.grad, 10)
    close(b.grad, bt.grad, 10)


def test_numbers_and_arrays_on_either_side():
    x, xt = pair([1.0, -2.0, 3.0])
    out = (2.0 * x + np.array([1.0, 1.0, 1.0]) - x * 0.5 + 1.0 - (3.0 - x))
    out = (np.array([2.0, 3.0, 4.0]) * out).sum()
    out.backward()
    outt = (2.0 * xt + torch.ones(3, dtype=torch.float64) - xt * 0.5 + 1.0 - (3.0 - xt))
    outt = (torch.tensor([2.0, 3.0, 4.0], dtype=torch.float64) * outt).sum()
    outt.backward()
    close(out.data, outt, 10)
    close(x.grad, xt.grad)


def test_matmul_both_sides_and_a_vector():
    rng = np.random.default_rng(2)
    a, at = pair(rng.normal(size=(5, 3)))
    m, mt = pair(rng.normal(size=(3, 4)))
    v, vt = pair(rng.normal(size=3))
    g = rng.normal(size=(5, 4))
    ((a @ m) * g).sum().backward()
    ((at @ mt) * torch.tensor(g)).sum().backward()
    close(a.grad, at.grad, 10)
    close(m.grad, mt.grad, 10)
    (v @ m).sum().backward()
    (vt @ mt).sum().backward()
    close(v.grad, vt.grad, 10)
    close(m.grad, mt.grad, 10)  # accumulated over both backward calls, in both
    const = rng.normal(size=(2, 3))
    (const @ m).sum().backward()  # array @ Tensor: __rmatmul__
    (torch.tensor(const) @ mt).sum().backward()
    close(m.grad, mt.grad, 10)


def test_reshape_and_sum():
    rng = np.random.default_rng(3)
    x, xt = pair(rng.normal(size=(2, 6)))
    g = rng.normal(size=(3, 4))
    for shape in [((3, 4),), (3, 4), (3, -1)]:
        x.grad, xt.grad = None, None
        (x.reshape(*shape) * g).sum().backward()
        (xt.reshape(3, 4) * torch.tensor(g)).sum().backward()
        close(x.grad, xt.grad)


def test_relu_gradient_at_zero_is_zero_as_in_torch():
    x, xt = pair([-1.0, 0.0, 2.0])
    x.relu().sum().backward()
    torch.relu(xt).sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


# --------------------------------------------------------------------------- the layers


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


# --------------------------------------------------------------------------- the engine's bookkeeping


def test_gradients_accumulate_over_two_backward_calls_as_in_torch():
    x, xt = pair([1.0, 2.0])
    (x * x).sum().backward()
    (x * 3.0).sum().backward()
    (xt * xt).sum().backward()
    (xt * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])
    loss, losst = (x * x).sum(), (xt * xt).sum()
    x.grad, xt.grad = None, None
    loss.backward()
    loss.backward()  # the graph is kept: torch needs retain_graph=True
    losst.backward(retain_graph=True)
    losst.backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())


def test_only_leaves_keep_a_gradient_and_constants_record_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    y = x * c
    z = c * c
    assert y.requires_grad and y.op == "mul" and y.parents == (x, c)
    assert not z.requires_grad and z.parents == () and z.op == ""
    y.sum().backward()
    assert y.grad is None and c.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_topological_order_lists_each_node_once_after_its_parents():
    x = Tensor(2.0, requires_grad=True)
    h = x * x
    out = h * h + h
    order = ag.topological_order(out)
    assert [t.op or "leaf" for t in order] == ["leaf", "mul", "mul", "add"]
    position = {id(t): i for i, t in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents if p.requires_grad)
    assert ag.topological_order(Tensor(1.0)) == []


def test_float32_leaves_get_float32_gradients():
    x = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    (x * np.array([2.0, 3.0])).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.array([2.0, 3.0], dtype=np.float32))


def test_repr_shape_and_array_on_the_left():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor(array([1., 2.]), requires_grad=True)"
    assert repr(x * 2.0) == "Tensor(array([2., 4.]), op='mul')"
    y = np.array([1.0, 1.0]) + x  # NumPy defers to Tensor.__radd__
    assert isinstance(y, Tensor) and y.op == "add"


def test_flat_names_are_exported_and_the_others_do_not_shadow_numpy_functions():
    for name in ag.__all__:
        if name in ag.FLAT_NAMES:
            assert getattr(companion, name) is getattr(ag, name)
        else:
            assert getattr(companion, name) is not getattr(ag, name)  # the NumPy function of that name
            assert callable(getattr(companion, name))


# --------------------------------------------------------------------------- bad input


def test_backward_needs_one_number_that_requires_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"one number \(a loss\), got shape \(2,\)"):
        (x * x).backward()
    with pytest.raises(ValueError, match="requires_grad=True"):
        Tensor(3.0).backward()


def test_bad_types_and_shapes():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="data must be an array of numbers, got a str"):
        Tensor("abc")
    with pytest.raises(TypeError, match="requires_grad"):
        Tensor(1.0, requires_grad="yes")
    with pytest.raises(TypeError, match="other must be an array of numbers, got None"):
        x + None
    with pytest.raises(TypeError, match="other must be an array of numbers, got a str"):
        "a" * x
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2,\) do not broadcast for \+"):
        x + np.ones(2)
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4,\) do not broadcast for -"):
        x - np.ones(4)
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(3, 2\) do not broadcast for \*"):
        x * np.ones((3, 2))
    with pytest.raises(ValueError, match=r"@ needs a \(..., d_in\) tensor and a \(d_in, d_out\) matrix"):
        x @ np.ones((2, 2))
    with pytest.raises(ValueError, match=r"cannot reshape a tensor of shape \(2, 3\) \(6 entries\) into \(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(TypeError, match="shape must be integers"):
        x.reshape(3.0, 2)
    with pytest.raises(TypeError, match="tensor must be a Tensor, got ndarray"):
        ag.topological_order(np.ones(2))


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


def test_make_node_records_a_new_operation_and_checks_its_rule():
    x, xt = pair([0.5, -1.0, 2.0])
    y = ag.make_node(np.tanh(x.data), "tanh", (x,), lambda g: (companion.tanh_backward(g, x.data),))
    (y * y).sum().backward()
    (torch.tanh(xt) ** 2).sum().backward()
    close(x.grad, xt.grad)
    with pytest.raises(TypeError, match="op must be a str"):
        ag.make_node(x.data, None, (x,), lambda g: (g,))
    with pytest.raises(TypeError, match="parents must be a tuple of Tensor"):
        ag.make_node(x.data, "id", [x], lambda g: (g,))
    with pytest.raises(TypeError, match="backward must be a callable"):
        ag.make_node(x.data, "id", (x,), None)
    wrong_count = ag.make_node(x.data, "twice", (x,), lambda g: (g, g))
    with pytest.raises(ValueError, match="the backward rule of 'twice' returned 2 gradients for 1 inputs"):
        wrong_count.sum().backward()
    wrong_shape = ag.make_node(x.data, "first", (x,), lambda g: (g[:1],))
    with pytest.raises(ValueError, match=r"returned a gradient of shape \(1,\) for input 0 of shape \(3,\)"):
        wrong_shape.sum().backward()
