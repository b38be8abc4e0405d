"""companion.autograd.engine: every elementary operation against torch.autograd (float64) and finite
differences, the graph's bookkeeping, a 10,000-node chain, and errors on bad input."""

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


def test_reshape_and_sum_of_all_entries():
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


# --------------------------------------------------------------------------- the elementary operations

# Each case: (our function, torch's function, a positive input?); every input is float64.
UNARY = {
    "neg": (lambda t: -t, lambda t: -t, False),
    "pow 2": (lambda t: t ** 2, lambda t: t ** 2, False),
    "pow 3": (lambda t: t ** 3, lambda t: t ** 3, False),
    "pow -1.5": (lambda t: t ** -1.5, lambda t: t ** -1.5, True),
    "pow 0.5": (lambda t: t ** 0.5, lambda t: t ** 0.5, True),
    "exp": (lambda t: t.exp(), torch.exp, False),
    "log": (lambda t: t.log(), torch.log, True),
    "tanh": (lambda t: t.tanh(), torch.tanh, False),
    "sigmoid": (lambda t: t.sigmoid(), torch.sigmoid, False),
    "relu": (lambda t: t.relu(), torch.relu, False),
    "2 * t": (lambda t: 2 * t, lambda t: 2 * t, False),
    "10 / t": (lambda t: 10.0 / t, lambda t: 10.0 / t, True),
    "1 - t": (lambda t: 1 - t, lambda t: 1 - t, False),
    "t / 4": (lambda t: t / 4, lambda t: t / 4, False),
    "array / t": (lambda t: np.array([1.0, 2.0, 3.0]) / t, lambda t: torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64) / t, True),
    "array - t": (lambda t: np.array([1.0, 2.0, 3.0]) - t, lambda t: torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64) - t, False),
}


def _input(positive, shape=(4, 3), seed=11):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, size=shape) if positive else rng.normal(size=shape)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_operations_against_torch_and_finite_differences(name):
    ours, theirs, positive = UNARY[name]
    a = _input(positive)
    weights = np.random.default_rng(12).normal(size=a.shape)
    x, xt = pair(a)
    out = ours(x)
    (out * weights).sum().backward()
    outt = theirs(xt)
    (outt * torch.tensor(weights)).sum().backward()
    close(out.data, outt, 100)
    close(x.grad, xt.grad, 100)
    numeric = companion.numerical_gradient(lambda v: float((ours(Tensor(v)) * weights).sum().data), a)
    np.testing.assert_allclose(x.grad, numeric, rtol=1e-6, atol=1e-7)


BINARY = {"add": lambda p, q: p + q, "sub": lambda p, q: p - q, "mul": lambda p, q: p * q, "div": lambda p, q: p / q}


@pytest.mark.parametrize("shape_a, shape_b", [((4, 3), (4, 3)), ((4, 3), (3,)), ((4, 1), (1, 5)), ((), (2, 3))])
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_operations_broadcast_against_torch_and_finite_differences(shape_a, shape_b, op):
    a, b = _input(False, shape_a, 13), _input(True, shape_b, 14)  # b > 0: a safe divisor
    weights = np.random.default_rng(15).normal(size=np.broadcast_shapes(shape_a, shape_b))
    (x, xt), (y, yt) = pair(a), pair(b)
    (BINARY[op](x, y) * weights).sum().backward()
    (BINARY[op](xt, yt) * torch.tensor(weights)).sum().backward()
    close(x.grad, xt.grad, 100)
    close(y.grad, yt.grad, 100)
    for leaf, value, other in [(x, a, b), (y, b, a)]:
        first = leaf is x
        numeric = companion.numerical_gradient(
            lambda v: float((BINARY[op](Tensor(v if first else other), Tensor(other if first else v)) * weights).sum().data),
            value)
        np.testing.assert_allclose(leaf.grad, numeric, rtol=1e-6, atol=1e-7)


REDUCTIONS = [None, 0, 1, -1, (0, 2), (1, 2), (0, 1, 2)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", REDUCTIONS)
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_reductions_against_torch_and_finite_differences(name, axis, keepdims):
    a = _input(False, (3, 4, 5), 16)  # continuous values: no ties
    x, xt = pair(a)
    out = getattr(x, name)(axis=axis, keepdims=keepdims)
    dims = tuple(range(3)) if axis is None else axis
    outt = {"sum": lambda: xt.sum(dim=dims, keepdim=keepdims), "mean": lambda: xt.mean(dim=dims, keepdim=keepdims),
            "max": lambda: torch.amax(xt, dim=dims, keepdim=keepdims)}[name]()
    assert out.shape == tuple(outt.shape)
    close(out.data, outt, 10)
    weights = np.random.default_rng(17).normal(size=out.shape)
    (out * weights).sum().backward()
    (outt * torch.tensor(weights)).sum().backward()
    close(x.grad, xt.grad, 10)
    numeric = companion.numerical_gradient(
        lambda v: float((getattr(Tensor(v), name)(axis=axis, keepdims=keepdims) * weights).sum().data), a)
    np.testing.assert_allclose(x.grad, numeric, rtol=1e-6, atol=1e-7)


def test_max_sends_the_gradient_to_the_first_maximum_as_torch_max_with_dim_not_amax():
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x, xt = pair(a)
    x.max(axis=1).sum().backward()
    torch.max(xt, dim=1).values.sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    xt.grad = None
    torch.amax(xt, dim=1).sum().backward()  # amax splits the gradient among the tied entries
    np.testing.assert_array_equal(xt.grad.numpy(), [[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]])
    x.grad = None
    x.max().backward()  # over all entries: the first in C order
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    y = Tensor(np.array([[[5.0, 1.0], [5.0, 5.0]]]), requires_grad=True)
    y.max(axis=(0, 2)).sum().backward()  # two reduced axes: first maximum in C order of (0, 2)
    np.testing.assert_array_equal(y.grad, [[[1.0, 0.0], [1.0, 0.0]]])


def test_ieee_results_without_warnings_as_torch():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big, bigt = pair([1000.0, 0.0])
        assert np.isinf(big.exp().data[0]) and np.isinf(torch.exp(bigt)[0].item())
        zero, zerot = pair([0.0, 1.0])
        np.testing.assert_array_equal(zero.log().data, torch.log(zerot).detach().numpy())  # -inf, 0
        ratio = Tensor([0.0]) / Tensor([0.0], requires_grad=True)
        assert np.isnan(ratio.data[0])
        s = Tensor([-1000.0, 1000.0], requires_grad=True).sigmoid()
        np.testing.assert_array_equal(s.data, [0.0, 1.0])
        z, zt = pair([[1000.0, -1000.0, 0.0]])  # the naive softmax cross-entropy overflows, forward and back
        e = z.exp()
        loss = -((e / e.sum(axis=1, keepdims=True)).log() * np.array([[1.0, 0.0, 0.0]])).sum()
        loss.backward()
        et = torch.exp(zt)
        losst = -(torch.log(et / et.sum(dim=1, keepdim=True)) * torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)).sum()
        losst.backward()
        assert np.isnan(loss.data) and np.isnan(losst.item())
        np.testing.assert_array_equal(np.isnan(z.grad), np.isnan(zt.grad.numpy()))


def test_softmax_cross_entropy_from_primitives_matches_the_fused_rule():
    rng = np.random.default_rng(18)
    z, zt = pair(rng.normal(size=(5, 4)) * 3)
    targets = np.array([0, 3, 1, 1, 2])
    onehot = np.eye(4)[targets]
    p = z.exp() / z.exp().sum(axis=1, keepdims=True)
    loss = -(p.log() * onehot).sum(axis=1).mean()
    loss.backward()
    F.cross_entropy(zt, torch.tensor(targets)).backward()
    close(loss.data, F.cross_entropy(zt.detach(), torch.tensor(targets)), 10)
    close(z.grad, zt.grad, 10)


def test_a_chain_of_ten_thousand_operations_at_the_default_recursion_limit():
    import sys
    assert sys.getrecursionlimit() <= 10_000  # Python's default is 1,000
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5_000):
        y = (y * 1.0001) + 0.0  # 10,000 operations, each node one level deeper
    assert len(ag.topological_order(y)) == 10_001
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0001 ** 5_000, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("p", [0, 0.0, 1, 2, 3])
def test_pow_at_zero_matches_torch_autograd(p):
    # p = 0: a ** 0 = 1 everywhere, so the gradient is 0, also at a = 0 (not 0 * 0^-1 = nan)
    values = np.array([0.0, -1.5, 2.0])
    x = Tensor(values, requires_grad=True)
    (x ** p * np.array([1.0, -2.0, 3.0])).sum().backward()
    xt = torch.tensor(values, requires_grad=True)
    (xt ** p * torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal((x ** p).data, (xt ** p).detach().numpy())
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    assert not np.isnan(x.grad).any()


def test_elementary_operations_reject_bad_input():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="the exponent of \\*\\* must be a real number, got Tensor"):
        x ** x
    with pytest.raises(TypeError, match="the exponent of \\*\\* must be a real number, got ndarray"):
        x ** np.ones(3)
    with pytest.raises(TypeError, match="the exponent of \\*\\* must be a real number, got bool"):
        x ** True
    with pytest.raises(TypeError, match="a tensor exponent is not supported: float \\*\\* Tensor"):
        2.0 ** x
    with pytest.raises(ValueError, match=r"log needs entries >= 0, got a tensor of shape \(2,\) with minimum -1"):
        Tensor([-1.0, 2.0]).log()
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2,\) do not broadcast for /"):
        x / np.ones(2)
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(2, 3\) do not broadcast for /"):
        np.ones(2) / x
    with pytest.raises(ValueError, match=r"axis=2 is out of range for a tensor with 2 dimensions"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match="repeats an axis"):
        x.mean(axis=(0, -2))
    with pytest.raises(TypeError, match="axis must be None, an int or a tuple of ints, got 1.0"):
        x.max(axis=1.0)
    with pytest.raises(TypeError, match="keepdims"):
        x.sum(keepdims=1)
    with pytest.raises(ValueError, match="max of an empty tensor"):
        Tensor(np.ones((0, 2))).max()
