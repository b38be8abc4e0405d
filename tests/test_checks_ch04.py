"""Tests of the chapter 4 exercise checks (pooling): right answers (computed with PyTorch)
pass, wrong answers of every kind print a verdict and return False, misuse raises."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from companion import checks

Q = np.array([[2, 9, 4, 4], [1, 0, 3, 8], [7, 5, 6, 1], [3, 3, 2, 0]])


def _torch_pool(x, mode, k, s=None, p=0):
    t = torch.from_numpy(np.asarray(x, dtype=np.float64))[None]
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(t, k, s, p)[0].numpy()


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("k, s, p", [(2, None, 0), (3, 1, 1), (2, 1, 0), (3, 2, 1)])
def test_check_pool_output_accepts_torch(capsys, mode, k, s, p):
    x = np.random.default_rng(k * 10 + (s or 0)).normal(size=(7, 6))
    assert checks.check_pool_output(_torch_pool(x, mode, k, s, p), x, k, s, p, mode=mode) is True
    assert capsys.readouterr().out == "Correct!\n"


def test_check_pool_output_hand_answers(capsys):
    assert checks.check_pool_output([[9, 8], [7, 6]], Q, 2) is True
    assert checks.check_pool_output([[3, 4.75], [4.5, 2.25]], Q, 2, mode="avg") is True
    assert "dtype" not in capsys.readouterr().out
    assert checks.check_pool_output([[3, 4.75], [4.5, 2.25]], Q, 2, mode="max") is False   # avg given for max
    assert "4 of 4 entries" in capsys.readouterr().out
    for bad, message in [(None, "Not answered yet"), ([[9, 8]], "shape (1, 2), expected (2, 2)"), ("9874", "not numbers")]:
        assert checks.check_pool_output(bad, Q, 2) is False
        assert message in capsys.readouterr().out


def test_check_pool_output_misuse():
    with pytest.raises(ValueError, match="mode must be"):
        checks.check_pool_output([[1]], Q, 2, mode="min")
    with pytest.raises(ValueError, match="padding"):
        checks.check_pool_output([[1]], Q, 2, padding=2)


@pytest.mark.parametrize("n, k, s, p", [(11, 2, None, 0), (28, 2, None, 0), (7, 3, 2, 1), (5, 3, 1, 1), (13, 3, 2, 0)])
def test_check_pooled_size_matches_torch(capsys, n, k, s, p):
    size = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p).shape[-1]
    assert checks.check_pooled_size(size, n, k, s, p) is True
    assert checks.check_pooled_size(size + 1, n, k, s, p) is False
    assert "off by 1" in capsys.readouterr().out


def test_check_pooled_size_bad_answers_and_misuse(capsys):
    assert checks.check_pooled_size(None, 11, 2) is False
    assert "Not answered yet" in capsys.readouterr().out
    assert checks.check_pooled_size([5], 11, 2) is False
    with pytest.raises(TypeError):
        checks.check_pooled_size(5, 11.0, 2)


def _torch_macs(n, c_in, c_out, k, s=1, p=0):
    with FlopCounterMode(display=False) as counter:
        F.conv2d(torch.zeros(1, c_in, n, n), torch.zeros(c_out, c_in, k, k), stride=s, padding=p)
    return counter.get_total_flops() // 2


@pytest.mark.parametrize("n, c_in, c_out, k, s, p", [(13, 32, 64, 3, 1, 0), (26, 32, 64, 3, 1, 0),
                                                    (64, 16, 32, 3, 1, 0), (9, 3, 5, 2, 2, 1)])
def test_check_multiply_adds_matches_torch_flop_counter(capsys, n, c_in, c_out, k, s, p):
    macs = _torch_macs(n, c_in, c_out, k, s, p)
    assert checks.check_multiply_adds(macs, n, c_in, c_out, k, s, p) is True
    assert checks.check_multiply_adds(2 * macs, n, c_in, c_out, k, s, p) is False   # counted FLOPs
    assert "off by" in capsys.readouterr().out


def test_check_multiply_adds_bad_answers_and_misuse(capsys):
    assert checks.check_multiply_adds(None, 13, 32, 64, 3) is False
    assert "Not answered yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="in_channels"):
        checks.check_multiply_adds(1, 13, 0, 64, 3)


def test_check_avg_pool_as_conv(capsys):
    for k in (2, 3):
        assert checks.check_avg_pool_as_conv(np.full((1, 1, k, k), 1 / k ** 2), k, kernel_size=k) is True
    assert checks.check_avg_pool_as_conv(torch.full((1, 1, 2, 2), 0.25), 2) is True
    capsys.readouterr()
    cases = [
        ((np.ones((1, 1, 2, 2)), 2), "entries of your convolution's output differ"),
        ((np.full((1, 1, 2, 2), 0.25), 1), "gives a 7 x 7 output; average pooling gives 4 x 4"),
        ((np.full((2, 2), 0.25), 2), "expected (1, 1, 2, 2)"),
        ((np.full((1, 1, 2, 2), 0.25), 2.0), "positive int"),
        ((np.full((1, 1, 2, 2), 0.25), 0), "positive int"),
        ((None, 2), "Not answered yet"),
        (("w", 2), "not numbers"),
    ]
    for args, message in cases:
        assert checks.check_avg_pool_as_conv(*args) is False
        assert message in capsys.readouterr().out


def test_check_max_pool_counterexample(capsys):
    a, b = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 1.0]])
    lhs = F.max_pool2d(torch.from_numpy(a + b)[None], 2)
    rhs = F.max_pool2d(torch.from_numpy(a)[None], 2) + F.max_pool2d(torch.from_numpy(b)[None], 2)
    assert not torch.equal(lhs, rhs)
    assert checks.check_max_pool_counterexample(a, b) is True
    assert capsys.readouterr().out.startswith("Correct!")
    cases = [
        ((a, a), "both sides equal"),
        ((None, b), "Not answered yet"),
        ((a, "b"), "not numbers"),
        ((a[0], b), "should be a 2-D array at least 2 x 2"),
        ((a, np.zeros((2, 4))), "the same shape"),
    ]
    for args, message in cases:
        assert checks.check_max_pool_counterexample(*args) is False
        assert message in capsys.readouterr().out


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: checks.check_pool_output(None, np.ones((4, 4)), 2, mode="maxx"), ValueError,
         r"^mode must be 'max' or 'avg', got 'maxx'$"),
        (lambda: checks.check_pool_output(None, np.ones((4, 4)), 2, mode=None), TypeError, "mode must be 'max' or 'avg'"),
        (lambda: checks.check_pool_output(None, np.ones((4, 4)), 5), ValueError, "kernel_size=5"),
        (lambda: checks.check_pooled_size(None, input_size=4, kernel_size=2.0), TypeError, "kernel_size must be an int"),
        (lambda: checks.check_multiply_adds(None, 5, 0, 2, 3), ValueError, "in_channels must be at least 1"),
        (lambda: checks.check_avg_pool_as_conv(None, None, kernel_size=0), ValueError, "kernel_size"),
        (lambda: checks.check_max_pool_counterexample(None, None, kernel_size=0), ValueError, "kernel_size"),
    ],
)
def test_bad_calls_raise_even_before_an_answer(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- receptive field, global average
# pooling, upsampling


def _torch_receptive_field(layers, side=64):
    """Side of the input region where one central output unit of the stack has a nonzero gradient
    (convolutions of ones, average pools: every input of a window gets a share)."""
    x = torch.zeros(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s in layers:
        y = F.avg_pool2d(y, k, s) if s > 1 else F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64))
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = np.nonzero(x.grad[0, 0].numpy().any(axis=1))[0]
    return int(rows[-1] - rows[0] + 1)


@pytest.mark.parametrize("layers", [[(3, 1), (2, 2), (3, 1)], [(3, 1), (3, 1), (3, 1)],
                                    [(3, 1), (2, 2), (3, 1), (2, 2)], [(5, 1), (3, 3), (3, 1)]])
def test_check_receptive_field_matches_autograd(capsys, layers):
    r = _torch_receptive_field(layers)
    assert checks.check_pooling_receptive_field(r, layers) is True
    assert checks.check_pooling_receptive_field(r + 1, layers) is False
    assert "off by 1" in capsys.readouterr().out


def test_check_receptive_field_hint_and_misuse(capsys):
    assert checks.check_pooling_receptive_field(6, [(3, 1), (2, 2), (3, 1)]) is False
    assert "count double" in capsys.readouterr().out
    assert checks.check_pooling_receptive_field(None, [(3, 1)]) is False
    assert "Not answered yet" in capsys.readouterr().out
    assert checks.check_pooling_receptive_field("8", [(3, 1)]) is False
    with pytest.raises(ValueError, match="layers"):
        checks.check_pooling_receptive_field(3, [(3,)])


def test_check_global_avg_pool_and_its_gradient_against_torch(capsys):
    x = np.array([[[1, 3, 2], [2, 6, 4]], [[0, 0, 3], [4, 0, 5]]], dtype=np.float64)
    t = torch.from_numpy(x).requires_grad_(True)
    out = F.adaptive_avg_pool2d(t, 1)[:, 0, 0]
    g = torch.tensor([6.0, -12.0], dtype=torch.float64)
    (out * g).sum().backward()
    assert checks.check_global_avg_pool(out.detach().numpy(), x) is True
    assert checks.check_global_avg_pool_grad(t.grad.numpy(), g.numpy(), x) is True
    capsys.readouterr()
    assert checks.check_global_avg_pool(out.detach().numpy() * 6, x) is False
    assert "You summed each map: divide by H W = 6" in capsys.readouterr().out
    assert checks.check_global_avg_pool_grad(np.broadcast_to(g.numpy()[:, None, None], x.shape), g.numpy(), x) is False
    assert "share the upstream gradient out" in capsys.readouterr().out
    for bad in (None, "3 1", [1, 2, 3]):
        assert checks.check_global_avg_pool(bad, x) is False
        assert checks.check_global_avg_pool_grad(bad, g.numpy(), x) is False
    with pytest.raises(ValueError, match="grad_out"):
        checks.check_global_avg_pool_grad(x, [1.0, 2.0, 3.0], x)
    with pytest.raises(ValueError, match="input"):
        checks.check_global_avg_pool([1], np.ones(3))


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_check_upsample_against_interpolate(capsys, mode):
    x = np.array([[0.0, 4.0], [8.0, 12.0]])
    expected = F.interpolate(torch.from_numpy(x)[None, None], scale_factor=2, mode=mode,
                             align_corners=False if mode == "bilinear" else None)[0, 0].numpy()
    assert checks.check_upsample(expected, x, 2, mode) is True
    assert checks.check_upsample(expected + 1, x, 2, mode) is False
    assert checks.check_upsample(None, x, 2, mode) is False
    capsys.readouterr()
    corners = F.interpolate(torch.from_numpy(x)[None, None], scale_factor=2, mode="bilinear",
                            align_corners=True)[0, 0].numpy()
    assert checks.check_upsample(corners, x, 2, mode) is False
    assert ("align_corners=True" in capsys.readouterr().out) is (mode == "bilinear")
    with pytest.raises(ValueError, match="mode"):
        checks.check_upsample(expected, x, 2, "cubic")
