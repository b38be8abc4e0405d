"""companion._validation: the one rule for bad input (TypeError for the wrong kind, ValueError
for a wrong value), helper by helper."""

import numpy as np
import pytest
import torch

from companion._validation import (
    as_array,
    as_float,
    check_choice,
    check_int,
    check_real,
    check_unit_interval,
    pair,
    to_numpy,
)


def test_to_numpy_converts_tensors_only():
    t = torch.ones(2, requires_grad=True)
    out = to_numpy(t)
    assert isinstance(out, np.ndarray) and out.tolist() == [1.0, 1.0]
    values = [1, 2]
    assert to_numpy(values) is values


@pytest.mark.parametrize(
    "value, ndim, error, match",
    [
        ("a", None, TypeError, "x must be an array of numbers, got a str"),
        (None, None, TypeError, "x must be an array of numbers, got None"),
        ([[1, 2], [3]], None, ValueError, "x must be a rectangular array"),
        (np.array(["a"]), None, TypeError, "x must hold numbers"),
        (np.ones((2, 2)), (1, 3), ValueError, r"x must be 1-D or 3-D, got a 2-D array"),
        (np.ones(0), None, ValueError, "x must not be empty"),
    ],
)
def test_as_array_bad_input(value, ndim, error, match):
    with pytest.raises(error, match=match):
        as_array(value, "x", ndim=ndim)


def test_as_float_keeps_float32_and_makes_ints_float64():
    assert as_float(np.ones(2, dtype=np.float32), "x").dtype == np.float32
    assert as_float([1, 2], "x").dtype == np.float64


def test_check_int_and_pair():
    assert check_int(np.int64(3), "n", 1) == 3
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        check_int(True, "n")
    with pytest.raises(ValueError, match="n must be at least 1, got 0"):
        check_int(0, "n", 1)
    assert pair(2, "stride") == (2, 2) and pair([1, 3], "stride") == (1, 3)
    with pytest.raises(TypeError, match="stride must be an int or a pair of ints, got float"):
        pair(1.5, "stride")


@pytest.mark.parametrize(
    "value, kwargs",
    [(0.5, {"above": 0}), (0, {"minimum": 0}), (np.float32(0.25), {"above": 0, "below": 1}), (3, {}),
     (float("inf"), {"above": 0})],
)
def test_check_real_returns_the_value_unchanged(value, kwargs):
    assert check_real(value, "v", **kwargs) is value


@pytest.mark.parametrize(
    "value, kwargs, error, match",
    [
        ("0.1", {}, TypeError, r"^v must be a number, got str: '0.1'$"),
        (True, {}, TypeError, "v must be a number, got bool"),
        (np.bool_(True), {}, TypeError, "v must be a number, got bool"),
        (None, {}, TypeError, "v must be a number, got NoneType"),
        (-1, {"minimum": 0}, ValueError, r"^v must be at least 0, got -1$"),
        (0, {"above": 0}, ValueError, r"^v must be greater than 0, got 0$"),
        (1, {"above": 0, "below": 1}, ValueError, r"^v must be greater than 0 and less than 1, got 1$"),
        (float("nan"), {}, ValueError, r"^v must be a number, got nan$"),
        (float("inf"), {"finite": True}, ValueError, r"^v must be finite and a number, got inf$"),
        (float("inf"), {"minimum": 0, "finite": True, "described": "a finite number >= 0"}, ValueError,
         r"^v must be a finite number >= 0, got inf$"),
    ],
)
def test_check_real_bad_input(value, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_real(value, "v", **kwargs)


def test_check_choice():
    assert check_choice("a", "mode", ("a", "b")) == "a"
    assert check_choice(None, "mode", ("a", "b"), allow_none=True) is None
    with pytest.raises(ValueError, match=r"^mode must be one of 'a', 'b', got 'c'$"):
        check_choice("c", "mode", ("a", "b"))
    with pytest.raises(TypeError, match=r"^mode must be one of 'a', 'b', got NoneType: None$"):
        check_choice(None, "mode", ("a", "b"))
    with pytest.raises(TypeError, match=r"^mode must be a str, got int: 1$"):
        check_choice(1, "mode", ("a", "b"), described="'a' or 'b'", kind="a str")
    with pytest.raises(ValueError, match=r"^mode must be 'a' or 'b', got 'c'$"):
        check_choice("c", "mode", ("a", "b"), described="'a' or 'b'", kind="a str")


def test_check_unit_interval():
    check_unit_interval(np.array([0.0, 1.0]), "p")
    with pytest.raises(ValueError, match=r"^p must hold values in \[0, 1\], got -0.5$"):
        check_unit_interval(np.array([0.5, -0.5]), "p")
    with pytest.raises(ValueError, match=r"^image must hold floats in \[0, 1\], got nan$"):
        check_unit_interval(np.array([np.nan]), "image", what="floats")
