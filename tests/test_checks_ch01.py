"""Tests of the chapter 1 exercise check added with the chapter (check_brightened)."""

import numpy as np
import pytest
import torch

from companion import check_brightened

IMAGE = np.array([[0, 100, 128], [200, 250, 255]], dtype=np.uint8)


def _torch_brightened(image, amount):
    """The same operation in PyTorch: add in a wide type, clamp to 0..255, back to uint8."""
    t = torch.from_numpy(image).to(torch.int16) + amount
    return t.clamp(0, 255).to(torch.uint8).numpy()


@pytest.mark.parametrize("amount", [0, 1, 60, 200, -50, -300])
def test_right_answer_as_torch_computes_it(amount, capsys):
    assert check_brightened(_torch_brightened(IMAGE, amount), IMAGE, amount) is True
    assert "Correct!" in capsys.readouterr().out


def test_wrapped_around_answer_gets_the_hint(capsys):
    assert check_brightened(IMAGE + np.uint8(60), IMAGE, 60) is False
    assert "wrapped around" in capsys.readouterr().out


def test_right_values_wrong_dtype(capsys):
    answer = _torch_brightened(IMAGE, 60).astype(np.int64)
    assert check_brightened(answer, IMAGE, 60) is False
    out = capsys.readouterr().out
    assert "dtype is int64" in out and "Correct" not in out


@pytest.mark.parametrize("answer", [None, "bright", [[1, 2]], np.zeros((3, 2), np.uint8)])
def test_wrong_answers_never_raise(answer, capsys):
    assert check_brightened(answer, IMAGE, 60) is False
    assert "Not" in capsys.readouterr().out


def test_none_is_not_answered_yet(capsys):
    check_brightened(None, IMAGE, 60)
    assert "Not answered yet" in capsys.readouterr().out


def test_other_wrong_values_are_located(capsys):
    answer = _torch_brightened(IMAGE, 60)
    answer[0, 1] = 7
    assert check_brightened(answer, IMAGE, 60) is False
    assert "index (0, 1)" in capsys.readouterr().out


@pytest.mark.parametrize("image, amount, exc", [
    (IMAGE.astype(float), 10, TypeError),  # the original must be integers 0-255
    (IMAGE, 1.5, TypeError),
    (IMAGE, True, TypeError),
])
def test_bad_calls_of_the_checker_raise(image, amount, exc):
    with pytest.raises(exc):
        check_brightened(IMAGE, image, amount)
