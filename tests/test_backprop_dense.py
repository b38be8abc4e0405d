"""companion.backprop.dense (activations, softmax, the dense layer, the losses) against
torch.autograd and against numerical_gradient."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion.backprop.dense import cross_entropy_backward, linear_backward, relu_backward
from companion.backprop.learning import numerical_gradient


EXACT = dict(rtol=1e-10, atol=1e-12)


NUMERIC = dict(rtol=1e-6, atol=1e-8)


def torch_grads(fn, grad_out, *arrays):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    fn(*tensors).backward(torch.from_numpy(np.asarray(grad_out, dtype=np.float64)))
    return [t.grad.numpy() for t in tensors]


# --------------------------------------------------------------------------- dense parts


def test_relu_backward_matches_autograd_and_is_zero_at_zero():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4, 5))
    x[0, 0, :3] = 0.0
    grad_out = rng.standard_normal(x.shape)
    (expected,) = torch_grads(torch.relu, grad_out, x)
    out = relu_backward(grad_out, x)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(out[0, 0, :3], 0.0)


@pytest.mark.parametrize("n, d_in, d_out", [(1, 3, 2), (5, 7, 4), (8, 16, 10)])
def test_linear_backward_matches_autograd_and_numerical(n, d_in, d_out):
    rng = np.random.default_rng(5)
    x, weight, bias = rng.standard_normal((n, d_in)), rng.standard_normal((d_out, d_in)), rng.standard_normal(d_out)
    grad_out = rng.standard_normal((n, d_out))
    gx, gw, gb = linear_backward(grad_out, x, weight)
    tx, tw, tb = torch_grads(F.linear, grad_out, x, weight, bias)
    for ours, theirs in ((gx, tx), (gw, tw), (gb, tb)):
        np.testing.assert_allclose(ours, theirs, **EXACT)
    np.testing.assert_allclose(gw, numerical_gradient(lambda v: float(((x @ v.T) * grad_out).sum()), weight), **NUMERIC)


@pytest.mark.parametrize("n, k", [(1, 2), (4, 3), (16, 10)])
def test_cross_entropy_backward_matches_autograd_and_numerical(n, k):
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((n, k)) * 3
    targets = rng.integers(0, k, n)
    grad = cross_entropy_backward(logits, targets)
    (expected,) = torch_grads(lambda z: F.cross_entropy(z, torch.from_numpy(targets)), 1.0, logits)
    np.testing.assert_allclose(grad, expected, **EXACT)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15, rtol=1e-7)

    def loss(z):
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_p[np.arange(n), targets].mean()

    np.testing.assert_allclose(grad, numerical_gradient(loss, logits), **NUMERIC)


def test_cross_entropy_backward_is_stable_for_huge_logits():
    grad = cross_entropy_backward([[1000.0, 0.0], [0.0, -1000.0]], [1, 1])
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad, [[0.5, -0.5], [0.5, -0.5]], rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize(
    "fn, args, error, pattern",
    [
        (relu_backward, (np.ones(3), np.ones(4)), ValueError, r"grad_out must have the shape of x, \(4,\), got \(3,\)"),
        (relu_backward, ("a", np.ones(3)), TypeError, r"grad_out must be an array of numbers"),
        (relu_backward, (np.ones((0, 1)), np.ones(0)), ValueError, r"grad_out must have the shape of x, \(0,\), got \(0, 1\)"),
        (linear_backward, (np.ones((2, 3)), np.ones(4), np.ones((3, 4))), ValueError, r"grad_out must have the shape of the linear output, \(3,\)"),
        (linear_backward, (np.ones(()), np.ones(()), np.ones((3, 4))), ValueError, r"x must be at least 1-D"),
        (linear_backward, (np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 5))), ValueError, r"weight has in_features=5 .* but x has 4 features"),
        (linear_backward, (np.ones((2, 2)), np.ones((2, 4)), np.ones((3, 4))), ValueError, r"grad_out must have the shape of the linear output, \(2, 3\)"),
        (cross_entropy_backward, (np.ones(3), [0]), ValueError, r"target must have shape \(\) to match input of shape \(3,\)"),
        (cross_entropy_backward, (np.ones((2, 3)), [0, 1, 2]), ValueError, r"target must have shape \(2,\) to match input"),
        (cross_entropy_backward, (np.ones((2, 3)), [0, 3]), ValueError, r"target must be class indices in \[0, 3\).*got 3"),
        (cross_entropy_backward, (np.ones((2, 3)), [0, -1]), ValueError, r"target must be class indices"),
        (cross_entropy_backward, (np.ones((2, 3)), [0.0, 1.0]), TypeError, r"target must hold integer class indices, got an array of dtype float64"),
        (cross_entropy_backward, (np.ones((0, 3)), []), ValueError, r"input must not be empty"),
    ],
)
def test_dense_backward_bad_input(fn, args, error, pattern):
    with pytest.raises(error, match=pattern):
        fn(*args)


# --------------------------------------------------------------------------- PyTorch's whole signature


@pytest.mark.parametrize(
    "forward, backward, theirs, kw",
    [
        (companion.softmax, companion.softmax_backward, torch.softmax, dict(axis=1)),
        (companion.softmax, companion.softmax_backward, torch.softmax, dict(dim=0)),
        (companion.log_softmax, companion.log_softmax_backward, torch.log_softmax, dict(axis=-1)),
        (companion.log_softmax, companion.log_softmax_backward, torch.log_softmax, dict(dim=2)),
        (companion.sigmoid, companion.sigmoid_backward, torch.sigmoid, dict()),
        (companion.tanh, companion.tanh_backward, torch.tanh, dict()),
    ],
)
@pytest.mark.parametrize("shape", [(3, 4, 2), ()])
def test_elementwise_and_softmax_backward(forward, backward, theirs, kw, shape):
    if shape == () and ("axis" in kw or "dim" in kw):
        kw = dict(axis=0)
    rng = np.random.default_rng(14)
    x, g = rng.standard_normal(shape), rng.standard_normal(shape)
    t_kw = {"dim": kw.get("dim", kw.get("axis"))} if kw else {}
    (expected,) = torch_grads(lambda t: theirs(t, **t_kw), g, x)
    got = backward(g, x, **kw)
    np.testing.assert_allclose(got, expected, **EXACT)
    np.testing.assert_allclose(got, numerical_gradient(lambda v: (forward(v, **kw) * g).sum(), x), **NUMERIC)
    assert backward(np.zeros((0, 2)), np.zeros((0, 2)), **({"axis": 1} if kw else {})).shape == (0, 2)


def test_linear_backward_takes_any_leading_axes():
    rng = np.random.default_rng(15)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)
    g = rng.standard_normal((2, 3, 5))
    expected = torch_grads(F.linear, g, x, w, b)
    for ours, theirs in zip(linear_backward(g, x, w), expected):
        np.testing.assert_allclose(ours, theirs, **EXACT)


LOSS_OPTIONS = [dict(), dict(reduction="sum"), dict(reduction="none"), dict(reduce=False)]


def _loss_grads(f, options, x, target, **extra):
    """PyTorch's gradients of a loss with respect to its input and (if float) its target."""
    tx = torch.tensor(x, requires_grad=True)
    tt = torch.tensor(target, requires_grad=target.dtype.kind == "f")
    t_options = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in {**options, **extra}.items()}
    out = f(tx, tt, **t_options)
    g = np.random.default_rng(16).standard_normal(out.shape)
    out.backward(torch.from_numpy(g))
    return g, tx.grad.numpy(), None if tt.grad is None else tt.grad.numpy()


@pytest.mark.parametrize("options", LOSS_OPTIONS)
@pytest.mark.parametrize("extra", [dict(), dict(label_smoothing=0.2), dict(weight=np.array([1.0, 0.5, 2.0]))])
@pytest.mark.parametrize("probabilities", [False, True])
def test_cross_entropy_backward_options(options, extra, probabilities):
    rng = np.random.default_rng(17)
    z = rng.standard_normal((4, 3, 2))
    target = rng.dirichlet(np.ones(3), size=(4, 2)).transpose(0, 2, 1).copy() if probabilities else \
        np.array([[0, 1], [2, -100], [1, 1], [0, 2]])
    g, gx, gt = _loss_grads(F.cross_entropy, options, z, target, **extra)
    kw = {**options, **extra}
    grad_out = g if g.ndim else float(g)
    got = companion.cross_entropy_backward(z, target, grad_out=grad_out, **kw)
    np.testing.assert_allclose(got, gx, **EXACT)
    if probabilities:
        np.testing.assert_allclose(companion.cross_entropy_backward(z, target, grad_out=grad_out, wrt="target", **kw),
                                   gt, **EXACT)
    if not g.ndim:
        numeric = numerical_gradient(lambda v: companion.cross_entropy(v, target, **kw) * grad_out, z)
        np.testing.assert_allclose(got, numeric, **NUMERIC)


@pytest.mark.parametrize("options", LOSS_OPTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse_loss"])
def test_bce_and_mse_backward_options(options, weighted, loss):
    rng = np.random.default_rng(18)
    x, y = rng.uniform(0.1, 0.9, size=(3, 4)), rng.uniform(size=(3, 4))
    extra = dict(weight=rng.uniform(size=(3, 4))) if weighted else {}
    g, gx, gy = _loss_grads(getattr(F, loss), options, x, y, **extra)
    grad_out = g if g.ndim else float(g)
    backward = getattr(companion, loss + "_backward")
    for wrt, expected in (("input", gx), ("target", gy)):
        np.testing.assert_allclose(backward(x, y, grad_out=grad_out, wrt=wrt, **options, **extra), expected, **EXACT)
    if not g.ndim:
        forward = getattr(companion, loss)
        numeric = numerical_gradient(lambda v: forward(v, y, **options, **extra) * grad_out, x)
        np.testing.assert_allclose(backward(x, y, grad_out=grad_out, **options, **extra), numeric, **NUMERIC)


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: companion.mse_loss_backward(np.ones(2), np.ones(2), reduction="none"), ValueError,
         r"^grad_out is needed with reduction='none'"),
        (lambda: companion.mse_loss_backward(np.ones(2), np.ones(2), reduction="none", grad_out=np.ones(3)),
         ValueError, r"^grad_out must have the shape of the loss, \(2,\), got \(3,\)"),
        (lambda: companion.mse_loss_backward(np.ones(2), np.ones(2), grad_out=np.ones(2)), ValueError,
         r"^grad_out must be 0-D"),
        (lambda: companion.binary_cross_entropy_backward(np.ones(2), np.ones(2), wrt="weight"), ValueError,
         r"^wrt must be one of 'input', 'target'"),
        (lambda: companion.cross_entropy_backward(np.ones((2, 3)), [0, 1], wrt="target"), ValueError,
         r"^wrt='target' needs class-probability targets"),
        (lambda: companion.softmax_backward(np.ones(3), np.ones(2)), ValueError,
         r"^grad_out must have the shape of input, \(2,\), got \(3,\)"),
    ],
)
def test_new_backward_bad_input(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_cross_entropy_backward_default_grad_out_with_options():
    rng = np.random.default_rng(19)
    z, t, w = rng.standard_normal((5, 3)), np.array([0, 2, 1, -100, 2]), np.array([1.0, 0.5, 2.0])
    tz = torch.tensor(z, requires_grad=True)
    F.cross_entropy(tz, torch.from_numpy(t), torch.from_numpy(w), label_smoothing=0.1).backward()
    got = cross_entropy_backward(z, t, w, size_average=True, reduce=True, label_smoothing=0.1)
    np.testing.assert_allclose(got, tz.grad.numpy(), **EXACT)
