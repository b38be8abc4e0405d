"""Tests of the chapter 2 exercise checks in companion.checks, against SciPy and PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import signal

from companion import checks

X = np.array([[3, 1, 1, 2, 5], [4, 2, 2, 3, 6], [2, 2, 2, 4, 7], [1, 3, 4, 5, 3], [0, 2, 6, 4, 1]])
K = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
A = np.arange(1, 10).reshape(3, 3)


def verdict(capsys):
    return capsys.readouterr().out


# ---------------------------------------------------------------- check_output_size


def test_check_output_size(capsys):
    assert checks.check_output_size(3, 7, 3, stride=2) is True
    assert checks.check_output_size(5, 5, 3, padding=1) is True
    assert checks.check_output_size(6, 10, 3, dilation=2) is True
    assert checks.check_output_size(7, 10, 3, dilation=2) is False
    capsys.readouterr()
    assert checks.check_output_size(None, 10, 3) is False
    assert "Not answered yet" in capsys.readouterr().out
    with pytest.raises(TypeError, match="stride"):
        checks.check_output_size(3, 7, 3, stride=1.5)


# ---------------------------------------------------------------- check_unread_columns


def _unread_by_torch(n, k, s, p, d):
    """Padded columns whose input gradient is zero: what torch says the kernel never reads."""
    x = torch.ones(1, 1, 1, n + 2 * p, dtype=torch.float64, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, 1, k, dtype=torch.float64), stride=(1, s), dilation=(1, d)).sum().backward()
    return [int(c) for c in np.flatnonzero(x.grad[0, 0, 0].numpy() == 0)]


@pytest.mark.parametrize("n, k, s, p, d", [(100, 5, 3, 2, 2), (9, 3, 3, 1, 2), (10, 3, 2, 0, 1), (7, 2, 4, 1, 1)])
def test_unread_columns_accepts_what_torch_reads(capsys, n, k, s, p, d):
    expected = _unread_by_torch(n, k, s, p, d)
    assert checks.check_unread_columns(expected, n, k, stride=s, padding=p, dilation=d) is True
    assert checks.check_unread_columns(expected[::-1], n, k, stride=s, padding=p, dilation=d) is True
    assert verdict(capsys) == "Correct!\nCorrect!\n"


def test_unread_columns_of_the_exercise_include_an_image_pixel(capsys):
    # H = 100, k = 5, s = 3, p = 2, d = 2: columns 1, 100, 102 and 103; column 100 is pixel 98,
    # the only pixel whose gradient through F.conv2d with these settings is zero.
    assert _unread_by_torch(100, 5, 3, 2, 2) == [1, 100, 102, 103]
    x = torch.ones(1, 1, 1, 100, dtype=torch.float64, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, 1, 5, dtype=torch.float64), stride=3, padding=(0, 2), dilation=2).sum().backward()
    assert list(np.flatnonzero(x.grad[0, 0, 0].numpy() == 0)) == [98]
    # the mistake the exercise is about: only the columns after the last window
    assert checks.check_unread_columns([102, 103], 100, 5, stride=3, padding=2, dilation=2) is False
    assert "never reads padded columns 1, 100 either" in verdict(capsys)
    assert checks.check_unread_columns([1, 100, 101, 102, 103], 100, 5, stride=3, padding=2, dilation=2) is False
    assert "padded column 101 is read by some window" in verdict(capsys)
    assert checks.check_unread_columns([1, 100, 102, 103, 104], 100, 5, stride=3, padding=2, dilation=2) is False
    assert "columns 0 to 103 only, not 104" in verdict(capsys)


def test_unread_columns_answers_that_are_not_lists(capsys):
    assert checks.check_unread_columns(None, 100, 5, stride=3, padding=2, dilation=2) is False
    assert "replace None by your columns" in verdict(capsys)
    assert checks.check_unread_columns("1, 100", 100, 5, stride=3, padding=2, dilation=2) is False
    assert "list of integers" in verdict(capsys)
    assert checks.check_unread_columns([1.5], 100, 5, stride=3, padding=2, dilation=2) is False
    assert "whole numbers" in verdict(capsys)
    assert checks.check_unread_columns([], 5, 3, padding=1) is True
    assert verdict(capsys) == "Correct!\n"
    with pytest.raises(TypeError, match="stride"):
        checks.check_unread_columns([1], 100, 5, stride=1.5)


# ---------------------------------------------------------------- check_conv_cell


@pytest.mark.parametrize("i, j", [(0, 0), (1, 2), (2, 1)])
@pytest.mark.parametrize("kernel", [K, A])
def test_conv_cell_matches_scipy(capsys, i, j, kernel):
    corr = signal.correlate2d(X, kernel, mode="valid")
    conv = signal.convolve2d(X, kernel, mode="valid")
    assert checks.check_conv_cell(int(corr[i, j]), X, kernel, i, j) is True
    assert checks.check_conv_cell(int(conv[i, j]), X, kernel, i, j, flip=True) is True
    assert "Correct!" in verdict(capsys)


def test_conv_cell_worked_example_is_minus_six(capsys):
    assert checks.check_conv_cell(-6, X, K, 0, 0) is True
    assert checks.check_conv_cell(6, X, K, 0, 0) is False
    assert "expected -6" in verdict(capsys)


def test_conv_cell_with_stride_padding_dilation_matches_torch(capsys):
    x = np.arange(49.0).reshape(7, 7)
    w = np.arange(9.0).reshape(3, 3) - 4
    ref = F.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=2, padding=1, dilation=2)
    value = float(ref[0, 0, 1, 2])
    assert checks.check_conv_cell(value, x, w, 1, 2, stride=2, padding=1, dilation=2) is True


@pytest.mark.parametrize("answer, message", [(None, "Not answered yet"), ("x", "not numbers"), ([1, 2], "one number")])
def test_conv_cell_wrong_kinds_never_raise(capsys, answer, message):
    assert checks.check_conv_cell(answer, X, K, 0, 0) is False
    assert message in verdict(capsys)


def test_conv_cell_misuse_raises():
    with pytest.raises(ValueError, match=r"outside the output"):
        checks.check_conv_cell(0, X, K, 3, 0)
    with pytest.raises(TypeError, match="flip"):
        checks.check_conv_cell(0, X, K, 0, 0, flip="yes")


# ---------------------------------------------------------------- check_conv_output


def test_conv_output_matches_torch(capsys):
    ref = F.conv2d(torch.tensor(X, dtype=torch.float64)[None, None], torch.tensor(K, dtype=torch.float64)[None, None],
                   stride=2, padding=1)[0, 0].numpy()
    assert checks.check_conv_output(ref.astype(int), X, K, stride=2, padding=1) is True
    assert verdict(capsys) == "Correct!\n"  # integers accepted without a dtype note
    assert checks.check_conv_output(ref, X, K, stride=2, padding=1) is True
    wrong = ref.copy()
    wrong[1, 1] += 1
    assert checks.check_conv_output(wrong, X, K, stride=2, padding=1) is False
    assert "index (1, 1)" in verdict(capsys)
    assert checks.check_conv_output(None, X, K) is False
    assert "replace None by your output" in verdict(capsys)


# ---------------------------------------------------------------- check_same_padding


@pytest.mark.parametrize("n, k, d", [(28, 3, 1), (28, 5, 2), (17, 7, 1), (32, 3, 3)])
def test_same_padding_keeps_size_in_torch(capsys, n, k, d):
    p = d * (k - 1) // 2
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), padding=p, dilation=d)
    assert out.shape[-1] == n
    assert checks.check_same_padding(p, n, k, dilation=d) is True
    assert checks.check_same_padding(p + 1, n, k, dilation=d) is False
    assert f"output length is {n + 2}" in verdict(capsys)


def test_same_padding_wrong_kinds_and_misuse(capsys):
    assert checks.check_same_padding(None, 28, 3) is False
    assert "replace None by your padding" in verdict(capsys)
    assert checks.check_same_padding(-1, 28, 3) is False
    assert checks.check_same_padding(1.5, 28, 3) is False
    assert checks.check_same_padding(0, 2, 5) is False  # kernel does not fit: a hint, no error
    assert "does not fit" in verdict(capsys)
    with pytest.raises(ValueError, match="odd"):
        checks.check_same_padding(1, 28, 4)


# ---------------------------------------------------------------- check_shift_kernel


@pytest.mark.parametrize("down, right", [(0, 1), (1, 0), (-1, 1), (0, -1), (1, 1)])
def test_shift_kernel_right_answer(capsys, down, right):
    k = np.zeros((3, 3))
    k[1 - down, 1 - right] = 1
    assert checks.check_shift_kernel(k, down=down, right=right) is True
    # the same kernel as a true convolution moves the other way: scipy agrees
    image = np.arange(20.0).reshape(4, 5)
    moved = signal.correlate2d(image, k, mode="same")
    np.testing.assert_array_equal(moved[max(down, 0):4 + min(down, 0), max(right, 0):5 + min(right, 0)],
                                  image[max(-down, 0):4 - max(down, 0), max(-right, 0):5 - max(right, 0)])


@pytest.mark.parametrize("answer", [None, "k", np.zeros(3), np.zeros((9, 9)), np.eye(3)])
def test_shift_kernel_wrong_answers_never_raise(capsys, answer):
    assert checks.check_shift_kernel(answer) is False
    assert verdict(capsys).startswith(("Not yet:", "Not answered yet:"))


def test_shift_kernel_misuse():
    with pytest.raises(ValueError, match="between -3 and 3"):
        checks.check_shift_kernel(np.eye(3), down=4)


# ---------------------------------------------------------------- check_correlate2d / convolve2d


def loop_correlate(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
    return out


def test_correlate2d_check_accepts_scipy_and_loops(capsys):
    assert checks.check_correlate2d(lambda x, k: signal.correlate2d(x, k, mode="valid")) is True
    assert checks.check_correlate2d(loop_correlate) is True
    assert "6 random cases" in verdict(capsys)


def test_convolve2d_check_accepts_scipy(capsys):
    assert checks.check_convolve2d(signal.convolve2d) is True
    assert checks.check_convolve2d(lambda x, k: loop_correlate(np.pad(x, ((k.shape[0] - 1,) * 2, (k.shape[1] - 1,) * 2)),
                                                               k[::-1, ::-1])) is True


@pytest.mark.parametrize(
    "func, message",
    [
        (lambda x, k: None, "forget to `return`"),
        (lambda x, k: 1 / 0, "raised ZeroDivisionError"),
        (lambda x, k: signal.convolve2d(x, k, mode="valid"), "differ"),
        (lambda x, k: x, "shape"),
        ("not a function", "without parentheses"),
    ],
)
def test_correlate2d_check_wrong_functions_never_raise(capsys, func, message):
    assert checks.check_correlate2d(func) is False
    out = verdict(capsys)
    assert out.startswith("Not yet:") and message in out


def test_convolve2d_check_rejects_correlation(capsys):
    assert checks.check_convolve2d(lambda x, k: signal.correlate2d(x, k, mode="full")) is False
    assert "differ" in verdict(capsys)


# ---------------------------------------------------------------- check_combined_kernel


def test_combined_kernel_is_two_layers_in_one(capsys):
    L = np.array([[0, 1, 0], [1, 2, 1], [0, 1, 0]])
    combined = signal.convolve2d(K, L)
    image = np.random.default_rng(0).normal(size=(12, 10))
    two = signal.correlate2d(signal.correlate2d(image, K, mode="valid"), L, mode="valid")
    np.testing.assert_allclose(two, signal.correlate2d(image, combined, mode="valid"), rtol=1e-7, atol=1e-12)
    assert checks.check_combined_kernel(combined, K, L) is True
    assert verdict(capsys) == "Correct!\n"


def test_combined_kernel_rejects_the_unflipped_kernels_of_the_chapter(capsys):
    # The chapter's K2 has no symmetry: cross-correlating the two kernels, the mistake the
    # exercise is about, gives another kernel, and the check says so.
    K2 = np.array([[1, 2, 0], [0, 1, 3], [0, 0, 1]])
    expected = signal.convolve2d(K, K2)
    for wrong in (signal.correlate2d(K, K2, mode="full"), signal.correlate2d(K2, K, mode="full")):
        assert not np.allclose(wrong, expected, rtol=0, atol=0.5)  # integers: off by 1 or more
        assert checks.check_combined_kernel(wrong, K, K2) is False
        assert "cross-correlation of the two kernels" in verdict(capsys)
    assert checks.check_combined_kernel(expected, K, K2) is True
    assert verdict(capsys) == "Correct!\n"
    # A kernel unchanged by a 180-degree turn could not tell the two apart: with the Sobel K,
    # correlate2d(K, L) is K * rot(L) = K * L.
    L = np.array([[0, 1, 0], [1, 2, 1], [0, 1, 0]])
    np.testing.assert_array_equal(signal.correlate2d(K, L, mode="full"), signal.convolve2d(K, L))


def test_combined_kernel_hints_at_the_flip(capsys):
    asym = np.array([[1, 2, 0], [0, 1, 3], [0, 0, 1]])
    L = np.array([[1, 0, 0], [0, 0, 2], [0, 1, 0]])
    assert checks.check_combined_kernel(signal.correlate2d(asym, L, mode="full"), asym, L) is False
    assert "cross-correlation of the two kernels" in verdict(capsys)
    assert checks.check_combined_kernel(np.zeros((3, 3)), asym, L) is False
    assert checks.check_combined_kernel(None, asym, L) is False
    assert "replace None by your combined kernel" in verdict(capsys)


# --- shifted output, receptive field, conv matrix, locally connected count -------------------

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def test_check_shifted_output_against_torch(capsys):
    rng = np.random.default_rng(1)
    image = np.zeros((8, 8))
    image[2:6, 2:6] = rng.integers(0, 9, size=(4, 4))
    K = rng.integers(-2, 3, size=(3, 3)).astype(float)
    shifted = torch.roll(torch.from_numpy(image), shifts=(1, 2), dims=(0, 1))  # zero border: roll = shift
    expected = F.conv2d(shifted[None, None], torch.from_numpy(K)[None, None])[0, 0].numpy()
    assert checks.check_shifted_output(expected, image, K, down=1, right=2) is True
    assert capsys.readouterr().out == "Correct!\n"
    S = F.conv2d(torch.from_numpy(image)[None, None], torch.from_numpy(K)[None, None])[0, 0].numpy()
    assert checks.check_shifted_output(S, image, K, down=1, right=2) is False  # not shifted
    assert capsys.readouterr().out.startswith("Not yet:")
    assert checks.check_shifted_output(None, image, K, 1, 2) is False
    with pytest.raises(ValueError, match=r"^the shift \(down, right\) = \(8, 0\) must be less than"):
        checks.check_shifted_output(S, image, K, 8, 0)
    with pytest.raises(ValueError, match=r"^down must be at least 0"):
        checks.check_shifted_output(S, image, K, -1, 0)
