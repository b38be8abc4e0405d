"""Tests of companion.checks: right answers, wrong answers of every kind, checker misuse."""

import numpy as np
import pytest
import torch

from companion import checks


def test_check_array_correct_and_dtype_note(capsys):
    assert checks.check_array(np.array([1.0, 2.0]), np.array([1, 2])) is True
    assert "Correct!" in capsys.readouterr().out and True
    assert checks.check_array([1.0, 2.0], np.array([1, 2], dtype=np.uint8)) is True
    assert "dtype float64" in capsys.readouterr().out
    assert checks.check_array(torch.tensor([1.0, 2.0], requires_grad=True), [1.0, 2.0]) is True


@pytest.mark.parametrize(
    "answer, expected, message",
    [
        (None, [1, 2], "forget to `return`"),
        ("12", [1, 2], "not numbers"),
        ([[1, 2], [3]], [1, 2], "rectangular"),
        ({"a": 1}, [1, 2], "does not hold numbers"),
        ([1, 2, 3], [1, 2], "shape (3,), expected (2,)"),
        (np.zeros((3, 2)), np.zeros((2, 3)), "axes in the right order"),
        (np.zeros(6), np.zeros((2, 3)), "reshape or transpose"),
        ([1, 2.5], [1, 2], "First at index (1,): got 2.5, expected 2"),
        (np.array(3.5), np.array(3.0), "First at the value"),
        ([np.nan, 1], [0, 1], "1 of 2 entries"),
    ],
)
def test_check_array_wrong_answers_never_raise(capsys, answer, expected, message):
    assert checks.check_array(answer, np.asarray(expected)) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet:") and message in out


def test_check_array_dtype_strict(capsys):
    assert checks.check_array(np.array([1.0]), np.array([1]), check_dtype=True) is False
    assert "dtype float64, expected int64" in capsys.readouterr().out


def test_check_array_all_nan_error(capsys):
    assert checks.check_array([np.nan], [np.inf]) is False
    assert "Largest absolute error: nan" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"expected": None}, TypeError),
        ({"expected": "abc"}, TypeError),
        ({"name": 3}, TypeError),
        ({"rtol": "1e-3"}, TypeError),
        ({"atol": -1.0}, ValueError),
        ({"check_dtype": "yes"}, TypeError),
    ],
)
def test_check_array_misuse_raises(kwargs, exc):
    args = {"answer": [1], "expected": [1]}
    args.update(kwargs)
    with pytest.raises(exc):
        checks.check_array(**args)


def test_check_value(capsys):
    assert checks.check_value(np.float32(0.5), 0.5) is True
    assert checks.check_value(torch.tensor([2.0]), np.int64(2)) is True
    assert checks.check_value(np.array(2), 2) is True
    assert checks.check_value(None, 1) is False
    assert checks.check_value("1", 1) is False
    assert checks.check_value(np.array([1, 2]), 1) is False
    assert checks.check_value(3, 2) is False
    out = capsys.readouterr().out
    assert out.count("Correct!") == 3 and "answer is 3, expected 2 (off by 1)" in out
    with pytest.raises(TypeError, match="expected must be a number"):
        checks.check_value(1, [1])
    with pytest.raises(TypeError, match="name"):
        checks.check_value(1, 1, name=None)


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


def test_check_output_size(capsys):
    assert checks.check_output_size(3, 7, 3, stride=2) is True
    assert checks.check_output_size(5, 5, 3, padding=1) is True
    assert checks.check_output_size(6, 10, 3, dilation=2) is True
    assert checks.check_output_size(7, 10, 3, dilation=2) is False
    assert checks.check_output_size(None, 10, 3) is False
    with pytest.raises(TypeError, match="stride"):
        checks.check_output_size(3, 7, 3, stride=1.5)
