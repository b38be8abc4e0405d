"""Tests of companion.checks.generic (check_array, check_value, and check_number, the body the
chapter checks share): right answers, wrong answers of every kind, checker misuse."""

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


def test_check_number_right_wrong_and_not_answered(capsys):
    from companion.checks.generic import check_number

    assert check_number(12, 12, correct="Correct! (6 + 6)") is True
    assert capsys.readouterr().out == "Correct! (6 + 6)\n"
    hints = []
    assert check_number(np.int64(10), 12, hint=lambda v: hints.append(v) or " Count again.") is False
    assert capsys.readouterr().out == "Not yet: answer is 10, expected 12 (off by 2). Count again.\n"
    assert check_number([10], 12, hint=lambda v: hints.append(v) or "") is False
    assert "should be one number" in capsys.readouterr().out
    assert check_number("ten", 12, hint=lambda v: hints.append(v) or "") is False
    assert "not numbers" in capsys.readouterr().out
    assert hints == [10.0, 10.0, None]  # the hint sees one number as a float, anything else as None
    assert check_number(None, 12, what="count") is False
    assert capsys.readouterr().out.startswith("Not answered yet: replace None by your count")
    assert check_number(12.0004, 12, name="your value", rtol=1e-4, atol=0) is True
