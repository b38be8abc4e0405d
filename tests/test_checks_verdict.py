"""Tests of companion.checks._verdict: reading the reader's answer and wording the verdicts."""

import numpy as np
import pytest
import torch

from companion.checks import _verdict
from companion.checks.generic import check_value


@pytest.mark.parametrize(
    "answer, message",
    [
        (None, "x is None. Did your function forget to `return` its result?"),
        ("12", "x is a str ('12'), not numbers."),
        ([[1, 2], [3]], "x is not a rectangular array (rows of different lengths?)."),
        ({"a": 1}, "x does not hold numbers (a dict of dtype object)."),
    ],
)
def test_answer_array_says_why_an_answer_is_not_numbers(answer, message):
    assert _verdict.answer_array(answer, "x") == (None, message)


def test_answer_array_reads_numbers_lists_and_tensors():
    arr, problem = _verdict.answer_array(torch.tensor([[1.0, 2.0]], requires_grad=True), "x")
    assert problem is None and isinstance(arr, np.ndarray) and arr.shape == (1, 2)
    arr, problem = _verdict.answer_array([1, 2], "x")
    assert problem is None and arr.dtype.kind == "i"


@pytest.mark.parametrize("answer, value", [(3, 3.0), (np.array([[2.5]]), 2.5), ([1, 2], None), ("3", None), (None, None)])
def test_single_number(answer, value):
    assert _verdict.single_number(answer) == value


def test_fmt_float_answer_and_like_answer():
    assert _verdict.fmt(1 / 3) == "0.333333" and _verdict.fmt(7) == "7"
    assert _verdict.float_answer([1, 2]).dtype == np.float64
    assert _verdict.float_answer("x") == "x"
    assert _verdict.like_answer([1, 2], np.array([1.0, 2.0])).dtype == np.int64
    assert _verdict.like_answer([1.5, 2], np.array([1.0, 2.0])).dtype == np.float64


def test_not_answered_names_every_missing_answer(capsys):
    assert _verdict.not_answered(W=None, b=None, c=1) is True
    assert capsys.readouterr().out == "Not answered yet: replace None by your W and b, then run the cell again.\n"
    assert _verdict.not_answered(W=1) is False and capsys.readouterr().out == ""


def test_quietly_returns_the_verdict_without_printing(capsys):
    assert _verdict.quietly(check_value, 2, 3) == (False, "answer is 2, expected 3 (off by 1).")
    assert _verdict.quietly(check_value, 3, 3) == (True, "Correct!")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((None, 0, 0), TypeError, "name must be a str, got NoneType"),
        (("a", "1e-3", 0), TypeError, "rtol must be a number, got str"),
        (("a", 0, -1.0), ValueError, r"^atol must be at least 0, got -1.0$"),
        (("a", float("nan"), 0), ValueError, "rtol must be at least 0, got nan"),
    ],
)
def test_check_options(args, error, match):
    with pytest.raises(error, match=match):
        _verdict.check_options(*args)


def test_read_numbers_prints_why_an_answer_is_not_numbers(capsys):
    assert _verdict.read_numbers([1, 2], "x").tolist() == [1, 2]
    assert capsys.readouterr().out == ""
    assert _verdict.read_numbers(None, "x") is None
    assert capsys.readouterr().out == "Not yet: x is None. Did your function forget to `return` its result?\n"


def test_is_function_and_call_function(capsys):
    assert _verdict.is_function(len) is True and capsys.readouterr().out == ""
    assert _verdict.is_function(3) is False
    assert capsys.readouterr().out == "Not yet: pass your function itself (without parentheses), got a int.\n"
    assert _verdict.call_function(len, ([1, 2],)) == (True, 2)
    assert _verdict.call_function(len, (3,), " on case 1") == (False, None)
    assert capsys.readouterr().out == "Not yet: your function raised TypeError (object of type 'int' has no len()) on case 1.\n"


def test_answer_dict_names_what_is_missing_or_of_the_wrong_type(capsys):
    assert _verdict.answer_dict({"a": 1, "b": 2, "c": 3}, ["a", "b"])
    assert capsys.readouterr().out == ""
    assert not _verdict.answer_dict([1, 2], ["a", "b"])
    assert capsys.readouterr().out == "Not yet: answer should be a dict with the keys ['a', 'b'], got a list.\n"
    assert not _verdict.answer_dict({"a": 1}, ["a", "b"], "a dict of name -> value")
    assert capsys.readouterr().out == "Not yet: answer has no entry for ['b']; it needs the keys ['a', 'b'].\n"
    assert not _verdict.answer_dict(3, ["a"], "a dict of name -> value")
    assert capsys.readouterr().out == "Not yet: answer should be a dict of name -> value, got a int.\n"
