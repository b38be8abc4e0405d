"""Tests of companion.checks.ch01: the negative, a patch mean, the channel layout, brightening."""

import numpy as np
import pytest
import torch

from companion import check_brightened, checks

def test_check_inverted(capsys):
    image = np.array([[0, 10], [200, 255]], dtype=np.uint8)
    assert checks.check_inverted(255 - image, image) is True
    assert checks.check_inverted(1.0 - image / 255, image / 255) is True
    assert checks.check_inverted(image, image) is False
    assert checks.check_inverted(None, image) is False
    assert "your inverted image" in capsys.readouterr().out


def test_check_patch_mean(capsys):
    image = np.arange(20).reshape(4, 5)
    expected = image[1:3, 2:5].mean()
    assert checks.check_patch_mean(expected, image, 1, 2, 2, 3) is True
    assert checks.check_patch_mean(expected + 1, image, 1, 2, 2, 3) is False
    assert checks.check_patch_mean([expected], image, 1, 2, 2, 3) is False
    assert "your patch mean" in capsys.readouterr().out
    with pytest.raises(ValueError, match="image must be 2-D"):
        checks.check_patch_mean(1.0, np.zeros((2, 2, 2)), 0, 0, 1, 1)
    with pytest.raises(ValueError, match="height"):
        checks.check_patch_mean(1.0, image, 3, 0, 2, 2)


def test_check_layout(capsys):
    rgb = np.arange(2 * 4 * 3).reshape(2, 4, 3)
    assert checks.check_layout(np.transpose(rgb, (2, 0, 1)), rgb) is True
    assert checks.check_layout(rgb.reshape(3, 2, 4), rgb) is False
    assert "reshape keeps the order" in capsys.readouterr().out
    assert checks.check_layout(rgb, rgb) is False
    assert "has shape (2, 4, 3), expected (3, 2, 4)" in capsys.readouterr().out
    wrong = np.transpose(rgb, (2, 0, 1)).copy()
    wrong[0, 0, 0] += 1
    assert checks.check_layout(wrong, rgb) is False
    assert checks.check_layout("no", rgb) is False
    with pytest.raises(ValueError, match="image must be 3-D"):
        checks.check_layout(rgb, rgb[0])


IMAGE = np.array([[0, 100, 128], [200, 250, 255]], dtype=np.uint8)


def _torch_brightened(image, amount):
    """The same operation in PyTorch: add in a wide type, clamp to 0..255, back to uint8."""
    t = torch.from_numpy(image).to(torch.int16) + amount
    return t.clamp(0, 255).to(torch.uint8).numpy()


@pytest.mark.parametrize("amount", [0, 1, 60, 200, -50, -300])
def test_check_brightened_right_answer_as_torch_computes_it(amount, capsys):
    assert check_brightened(_torch_brightened(IMAGE, amount), IMAGE, amount) is True
    assert "Correct!" in capsys.readouterr().out


def test_check_brightened_wrapped_around_answer_gets_the_hint(capsys):
    assert check_brightened(IMAGE + np.uint8(60), IMAGE, 60) is False
    assert "wrapped around" in capsys.readouterr().out


def test_check_brightened_right_values_wrong_dtype(capsys):
    answer = _torch_brightened(IMAGE, 60).astype(np.int64)
    assert check_brightened(answer, IMAGE, 60) is False
    out = capsys.readouterr().out
    assert "dtype is int64" in out and "Correct" not in out


@pytest.mark.parametrize("answer", [None, "bright", [[1, 2]], np.zeros((3, 2), np.uint8)])
def test_check_brightened_wrong_answers_never_raise(answer, capsys):
    assert check_brightened(answer, IMAGE, 60) is False
    assert "Not" in capsys.readouterr().out


def test_check_brightened_none_is_not_answered_yet(capsys):
    check_brightened(None, IMAGE, 60)
    assert "Not answered yet" in capsys.readouterr().out


def test_check_brightened_other_wrong_values_are_located(capsys):
    answer = _torch_brightened(IMAGE, 60)
    answer[0, 1] = 7
    assert check_brightened(answer, IMAGE, 60) is False
    assert "index (0, 1)" in capsys.readouterr().out


@pytest.mark.parametrize("image, amount, exc", [
    (IMAGE.astype(float), 10, TypeError),  # the original must be integers 0-255
    (IMAGE, 1.5, TypeError),
    (IMAGE, True, TypeError),
])
def test_check_brightened_bad_calls_of_the_checker_raise(image, amount, exc):
    with pytest.raises(exc):
        check_brightened(IMAGE, image, amount)
