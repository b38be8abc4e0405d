"""PyTorch's own OpInfo sample inputs, passed to the companion with PyTorch's arguments (issue 17).

``torch.testing._internal.common_methods_invocations.op_db`` describes each operator of
PyTorch by a set of sample inputs (the ``expecttest`` package is needed to import it). For
the 12 operators the companion mirrors, every float64 CPU sample goes to the companion with
exactly the positional and keyword arguments PyTorch receives (tensors as NumPy arrays):

* **forward:** the companion's result equals PyTorch's (both results when
  ``return_indices=True``);
* **backward:** the companion's ``*_backward`` function, called with the same arguments,
  gives the gradient of every input that requires one, equal to ``torch.autograd.grad``'s
  for a random upstream gradient.

Nothing is out of scope: a sample the companion deliberately rejects would go into
``REJECTED`` by name, with the reason, and that list is expected to stay empty. Each test
runs all the samples of one operator and reports every mismatch at once.
"""

import numpy as np
import pytest
import torch
from torch.testing._internal.common_methods_invocations import op_db  # needs expecttest

import companion

TOL = dict(rtol=1e-9, atol=1e-9)

#: Samples the companion refuses on purpose, "<op>-<index>": "reason". Expected empty.
REJECTED: dict[str, str] = {}


def _np(v):
    """Tensors (also inside tuples and lists) as NumPy arrays; anything else as it is."""
    if isinstance(v, torch.Tensor):
        return v.detach().numpy()
    if isinstance(v, (tuple, list)):
        return type(v)(_np(a) for a in v)
    return v


def _conv2d_backward(g, x, weight, bias=None, **kw):
    gx, gw, gb = companion.conv2d_backward(g, x, weight, **kw)
    return {"input": gx, "weight": gw, "bias": gb}


def _two(backward):
    """A loss backward as a dict: the gradient of the input and that of the target."""

    def grads(g, x, target, *args, **kw):
        return {wrt: (lambda wrt=wrt: backward(x, target, *args, grad_out=g, wrt=wrt, **kw)) for wrt in ("input", "target")}

    return grads


def _unary(backward):
    def grads(g, x, *args, **kw):
        return {"input": backward(g, x, *args, **kw)}

    return grads


def _linear_backward(g, x, weight, bias=None):
    gx, gw, gb = companion.linear_backward(g, x, weight)
    return {"input": gx, "weight": gw, "bias": gb}


# OpInfo name -> (forward, backward returning {argument: gradient or a callable giving it},
# the names of the tensor arguments in order).
OPS = {
    "nn.functional.conv2d": (companion.conv2d, _conv2d_backward, ("input", "weight", "bias")),
    "nn.functional.max_pool2d": (companion.max_pool2d, _unary(companion.max_pool2d_backward), ("input",)),
    "nn.functional.avg_pool2d": (companion.avg_pool2d, _unary(companion.avg_pool2d_backward), ("input",)),
    "softmax": (companion.softmax, _unary(companion.softmax_backward), ("input",)),
    "log_softmax": (companion.log_softmax, _unary(companion.log_softmax_backward), ("input",)),
    "nn.functional.relu": (companion.relu, _unary(companion.relu_backward), ("input",)),
    "sigmoid": (companion.sigmoid, _unary(companion.sigmoid_backward), ("input",)),
    "tanh": (companion.tanh, _unary(companion.tanh_backward), ("input",)),
    "nn.functional.linear": (companion.linear, _linear_backward, ("input", "weight", "bias")),
    "nn.functional.cross_entropy": (companion.cross_entropy, _two(companion.cross_entropy_backward),
                                    ("input", "target")),
    "nn.functional.binary_cross_entropy": (companion.binary_cross_entropy,
                                           _two(companion.binary_cross_entropy_backward), ("input", "target")),
    "nn.functional.mse_loss": (companion.mse_loss, _two(companion.mse_loss_backward), ("input", "target")),
}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """PyTorch on one thread for these thousands of tiny calls: with its thread pool on a
    busy machine, each call waits milliseconds at a barrier."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _op(name):
    (op,) = [op for op in op_db if op.name == name and op.variant_test_name == ""]
    return op


def _samples(name):
    op = _op(name)
    return op, list(op.sample_inputs("cpu", torch.float64, requires_grad=True))


def _close(ours, theirs):
    """None if equal within TOL (same shape; indices exactly), else a short description."""
    theirs = np.asarray(_np(theirs))
    ours = np.asarray(ours)
    if ours.shape != theirs.shape:
        return f"shape {ours.shape} != torch's {theirs.shape}"
    if theirs.dtype.kind in "iu":
        return None if np.array_equal(ours, theirs) else "indices differ"
    if not np.allclose(ours, theirs, equal_nan=True, **TOL):
        return f"max |diff| {np.max(np.abs(ours - theirs)):.3g}"
    return None


@pytest.mark.parametrize("name", sorted(OPS))
def test_forward_matches_torch_on_every_opinfo_sample(name):
    forward = OPS[name][0]
    op, samples = _samples(name)
    failures, passed = [], 0
    for i, s in enumerate(samples):
        if f"{name}-{i}" in REJECTED:
            continue
        expected = op.op(s.input, *s.args, **s.kwargs)
        try:
            got = forward(_np(s.input), *_np(s.args), **_np(s.kwargs))
        except Exception as exc:  # noqa: BLE001 - every error is a reported mismatch
            failures.append(f"{name}-{i}: {type(exc).__name__}: {exc}")
            continue
        if isinstance(expected, tuple):  # return_indices=True
            problems = [_close(a, b) for a, b in zip(got, expected)] if isinstance(got, tuple) else ["not a tuple"]
        else:
            problems = [_close(got, expected)]
        problems = [p for p in problems if p]
        if problems:
            failures.append(f"{name}-{i}: {problems} (kwargs {s.kwargs})")
        else:
            passed += 1
    assert not failures, f"{passed} of {len(samples)} pass; " + "\n".join(failures[:20])
    assert passed == len(samples) > 0


@pytest.mark.parametrize("name", sorted(OPS))
def test_backward_matches_autograd_on_every_opinfo_sample(name):
    _, backward, arg_names = OPS[name]
    op, samples = _samples(name)
    rng = np.random.default_rng(17)
    failures, passed, counted = [], 0, 0
    for i, s in enumerate(samples):
        if f"{name}-{i}" in REJECTED:
            continue
        tensors = dict(zip(arg_names, (s.input, *s.args)))
        wanted = {k: v for k, v in tensors.items() if isinstance(v, torch.Tensor) and v.requires_grad}
        out = op.op(s.input, *s.args, **s.kwargs)
        out = out[0] if isinstance(out, tuple) else out
        if not wanted or not out.requires_grad:
            continue
        counted += 1
        g = torch.from_numpy(rng.standard_normal(out.shape))
        expected = dict(zip(wanted, torch.autograd.grad(out, tuple(wanted.values()), g, allow_unused=True)))
        try:
            got = backward(g.numpy(), _np(s.input), *_np(s.args), **_np(s.kwargs))
            problems = [f"{k}: {_close(v() if callable(v) else v, expected[k])}"
                        for k, v in got.items() if k in wanted]
            problems = [p for p in problems if not p.endswith("None")]
        except Exception as exc:  # noqa: BLE001 - every error is a reported mismatch
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failures.append(f"{name}-{i}: {problems} (kwargs {s.kwargs})")
        else:
            passed += 1
    assert not failures, f"{passed} of {counted} pass; " + "\n".join(failures[:20])
    assert passed == counted > 0


def test_nothing_is_rejected():
    """Every sample is compared: the list of deliberate refusals is empty."""
    assert REJECTED == {}
