"""Tests for companion.representation: against PIL, scikit-image and PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from PIL import Image
from skimage.color import rgb2gray

from companion.data import sample_image_rgb
from companion.representation import (
    LUMA_WEIGHTS,
    chw_to_hwc,
    crop,
    hwc_to_chw,
    invert,
    resize,
    rgb_to_grayscale,
    to_float,
    to_nchw,
    to_uint8,
)

rng = np.random.default_rng(0)


def _rgb(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


# --- scaling ------------------------------------------------------------------------------


def test_to_float_values_and_dtype():
    u = np.arange(256, dtype=np.uint8)
    f = to_float(u)
    assert f.dtype == np.float64 and f.min() == 0.0 and f.max() == 1.0
    np.testing.assert_allclose(f, u / 255.0, rtol=0, atol=0)


def test_to_float_matches_torchvision_style_division():
    img = _rgb(5, 7)
    expected = torch.from_numpy(img).to(torch.float64).div(255).numpy()
    np.testing.assert_array_equal(to_float(img), expected)


@settings(max_examples=50, deadline=None)
@given(arrays(np.uint8, array_shapes(max_dims=3, max_side=6)))
def test_round_trip_uint8(u):
    np.testing.assert_array_equal(to_uint8(to_float(u)), u)


def test_to_uint8_rounds_and_clips():
    out = to_uint8(np.array([-0.5, 0.0, 0.4 / 255, 0.6 / 255, 0.5, 1.0, 2.0]))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [0, 0, 0, 1, 128, 255, 255])


def test_to_float_accepts_int_lists():
    np.testing.assert_array_equal(to_float([[0, 255]]), [[0.0, 1.0]])


def test_to_float_rejects_floats():
    with pytest.raises(TypeError, match=r"^image must hold numbers, got an array of dtype float64"):
        to_float(np.zeros(3))


def test_to_float_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"^image must hold values 0 to 255, got 256"):
        to_float([0, 256])
    with pytest.raises(ValueError, match=r"^image must hold values 0 to 255, got -1"):
        to_float([-1, 3])


def test_to_uint8_rejects_ints_nan_and_strings():
    with pytest.raises(TypeError, match=r"^image must hold numbers, got an array of dtype uint8"):
        to_uint8(np.zeros(3, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"^image must not contain nan"):
        to_uint8([0.5, np.nan])
    with pytest.raises(TypeError, match=r"^image must be an array of numbers, got a str"):
        to_uint8("img")
    with pytest.raises(ValueError, match=r"^image must not be empty"):
        to_float(np.zeros((0, 4), dtype=np.uint8))


# --- grayscale ------------------------------------------------------------------------------


@pytest.mark.parametrize("h, w", [(1, 1), (4, 5), (32, 17), (64, 64)])
def test_rec601_matches_pil_convert_l(h, w):
    rgb = _rgb(h, w, seed=h * w)
    expected = np.asarray(Image.fromarray(rgb, mode="RGB").convert("L"), dtype=np.int64)
    ours = np.rint(rgb_to_grayscale(rgb)).astype(np.int64)
    # PIL works in 16-bit fixed point: at most one grey level apart, and rarely so
    assert np.abs(ours - expected).max() <= 1
    assert np.mean(ours == expected) > 0.95


@pytest.mark.parametrize("h, w", [(1, 1), (4, 5), (32, 17)])
def test_rec709_matches_skimage_rgb2gray(h, w):
    rgb = _rgb(h, w, seed=h + w)
    np.testing.assert_allclose(rgb_to_grayscale(to_float(rgb), "rec709"), rgb2gray(rgb), rtol=1e-12, atol=1e-14)
    floats = np.random.default_rng(1).uniform(size=(h, w, 3))
    np.testing.assert_allclose(rgb_to_grayscale(floats, weights="rec709"), rgb2gray(floats), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(LUMA_WEIGHTS))
def test_grey_stays_grey(name):
    assert np.isclose(sum(LUMA_WEIGHTS[name]), 1.0, rtol=0, atol=1e-15)
    grey = np.full((2, 3, 3), 0.4)
    np.testing.assert_allclose(rgb_to_grayscale(grey, name), 0.4, rtol=1e-14, atol=1e-12)


def test_average_weights():
    rgb = np.array([[[3.0, 6.0, 9.0]]])
    np.testing.assert_allclose(rgb_to_grayscale(rgb, "average"), [[6.0]], rtol=1e-15, atol=1e-12)


def test_luma_weights_read_only():
    with pytest.raises(TypeError):
        LUMA_WEIGHTS["mine"] = (1, 0, 0)


def test_grayscale_bad_weights_name():
    with pytest.raises(ValueError, match=r"^weights must be one of \['average', 'rec601', 'rec709'\], got 'bt2020'"):
        rgb_to_grayscale(_rgb(2, 2), weights="bt2020")


def test_grayscale_weights_not_a_string():
    with pytest.raises(TypeError, match=r"^weights must be one of .*got tuple"):
        rgb_to_grayscale(_rgb(2, 2), weights=(0.3, 0.6, 0.1))


def test_grayscale_wrong_ndim():
    with pytest.raises(ValueError, match=r"^rgb must be 3-D, got a 2-D array of shape \(4, 4\)"):
        rgb_to_grayscale(np.zeros((4, 4)))


def test_grayscale_wrong_channels():
    with pytest.raises(ValueError, match=r"^rgb must have shape \(H, W, 3\), got shape \(3, 4, 4\)"):
        rgb_to_grayscale(np.zeros((3, 4, 4)))


def test_grayscale_string():
    with pytest.raises(TypeError, match=r"^rgb must be an array of numbers, got a str"):
        rgb_to_grayscale("cat.png")


# --- layouts --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 5, 3), (7, 2, 1), (2, 4, 5, 3)])
def test_hwc_chw_match_torch_permute_and_round_trip(shape):
    x = rng.normal(size=shape)
    chw = hwc_to_chw(x)
    perm = (2, 0, 1) if len(shape) == 3 else (0, 3, 1, 2)
    np.testing.assert_array_equal(chw, torch.from_numpy(x).permute(*perm).numpy())
    np.testing.assert_array_equal(chw_to_hwc(chw), x)
    assert not np.shares_memory(chw, x)  # a copy, not a view


@pytest.mark.parametrize("shape, expected", [((5, 6), (1, 1, 5, 6)), ((5, 6, 3), (1, 3, 5, 6)), ((2, 2, 1), (1, 1, 2, 2))])
def test_to_nchw(shape, expected):
    x = rng.integers(0, 255, size=shape).astype(np.uint8)
    out = to_nchw(x)
    assert out.shape == expected and out.dtype == np.uint8
    if len(shape) == 2:
        np.testing.assert_array_equal(out[0, 0], x)
    else:
        np.testing.assert_array_equal(out[0], torch.from_numpy(x).permute(2, 0, 1).numpy())
    assert not np.shares_memory(out, x)


def test_layout_bad_ndim():
    with pytest.raises(ValueError, match=r"^image must be 3-D or 4-D, got a 2-D array"):
        hwc_to_chw(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"^image must be 3-D or 4-D, got a 5-D array"):
        chw_to_hwc(np.zeros((1, 1, 1, 1, 1)))
    with pytest.raises(ValueError, match=r"^image must be 2-D or 3-D, got a 4-D array of shape \(1, 1, 2, 2\)"):
        to_nchw(np.zeros((1, 1, 2, 2)))
    with pytest.raises(TypeError, match=r"^image must be an array of numbers, got None"):
        to_nchw(None)


# --- resize ---------------------------------------------------------------------------------

RESIZE_CASES = [
    ((4, 4), (8, 8)),
    ((5, 7), (3, 2)),
    ((28, 28), (14, 14)),
    ((28, 28), (32, 20)),
    ((10, 3), (10, 3)),
    ((1, 1), (3, 4)),
    ((9, 13), (1, 1)),
    ((6, 6), (17, 5)),
    ((64, 48), (23, 31)),
]


def _torch_resize(x, size):
    t = torch.from_numpy(x)
    t = t[None, None] if x.ndim == 2 else t.permute(2, 0, 1)[None]
    out = F.interpolate(t, size=size, mode="bilinear", align_corners=False, antialias=False)[0]
    return out[0].numpy() if x.ndim == 2 else out.permute(1, 2, 0).numpy()


@pytest.mark.parametrize("in_size, out_size", RESIZE_CASES)
@pytest.mark.parametrize("channels", [None, 1, 3])
def test_resize_matches_torch_interpolate(in_size, out_size, channels):
    shape = in_size if channels is None else in_size + (channels,)
    x = rng.normal(size=shape)
    out = resize(x, out_size)
    assert out.shape == out_size + shape[2:] and out.dtype == np.float64
    np.testing.assert_allclose(out, _torch_resize(x, out_size), rtol=1e-12, atol=1e-12)


def test_resize_uint8_gives_floats_on_same_scale():
    img = _rgb(6, 8)
    out = resize(img, (3, 4))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, _torch_resize(img.astype(np.float64), (3, 4)), rtol=1e-12, atol=1e-12)


def test_resize_int_size_and_identity():
    x = rng.normal(size=(5, 5))
    assert resize(x, 3).shape == (3, 3)
    np.testing.assert_array_equal(resize(x, (5, 5)), x)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 12), st.integers(1, 12), st.floats(-5, 5))
def test_resize_keeps_constants_and_range(h, w, oh, ow, value):
    x = np.full((h, w), value)
    np.testing.assert_allclose(resize(x, (oh, ow)), value, rtol=1e-12, atol=1e-12)
    y = np.random.default_rng(h * 100 + w).uniform(size=(h, w))
    r = resize(y, (oh, ow))
    assert r.min() >= y.min() - 1e-12 and r.max() <= y.max() + 1e-12


def test_resize_bad_size():
    with pytest.raises(ValueError, match=r"^size must be at least 1, got \(0, 3\)"):
        resize(np.zeros((4, 4)), (0, 3))
    with pytest.raises(TypeError, match=r"^size must be an int or a pair of ints, got float"):
        resize(np.zeros((4, 4)), 2.5)
    with pytest.raises(ValueError, match=r"^size must be an int or a pair of ints, got \(1, 2, 3\)"):
        resize(np.zeros((4, 4)), (1, 2, 3))


def test_resize_bad_image():
    with pytest.raises(ValueError, match=r"^image must be 2-D or 3-D, got a 1-D array"):
        resize(np.zeros(4), (2, 2))
    with pytest.raises(ValueError, match=r"^image must not be empty, got shape \(0, 4\)"):
        resize(np.zeros((0, 4)), (2, 2))
    with pytest.raises(TypeError, match=r"^image must be an array of numbers, got a str"):
        resize("photo", (2, 2))


# --- invert and crop ------------------------------------------------------------------------


def test_invert_uint8_matches_pil():
    from PIL import ImageOps

    img = _rgb(5, 6)[:, :, 0]
    out = invert(img)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.asarray(ImageOps.invert(Image.fromarray(img))))
    np.testing.assert_array_equal(invert(out), img)


def test_invert_float_and_int_lists():
    x = rng.uniform(size=(3, 4))
    np.testing.assert_allclose(invert(x), 1 - x, rtol=0, atol=0)
    np.testing.assert_allclose(invert(to_float(_rgb(2, 2))), to_float(invert(_rgb(2, 2))), atol=1e-15, rtol=1e-7)
    out = invert([0, 255])
    assert out.dtype == np.int64 and out.tolist() == [255, 0]


def test_invert_out_of_range():
    with pytest.raises(ValueError, match=r"^image must hold floats in \[0, 1\], got 1.5"):
        invert([0.5, 1.5])
    with pytest.raises(ValueError, match=r"^image must hold floats in \[0, 1\], got nan"):
        invert([np.nan])
    with pytest.raises(ValueError, match=r"^image must hold values 0 to 255, got 300"):
        invert([0, 300])


def test_invert_bad_types():
    with pytest.raises(TypeError, match=r"^image must hold numbers, got an array of dtype bool"):
        invert(np.array([True, False]))
    with pytest.raises(TypeError, match=r"^image must be an array of numbers, got a str"):
        invert("x")


@pytest.mark.parametrize("shape", [(6, 8), (6, 8, 3)])
@pytest.mark.parametrize("box", [(0, 0, 6, 8), (1, 2, 3, 4), (5, 7, 1, 1), (0, 3, 2, 5)])
def test_crop_matches_slicing(shape, box):
    x = rng.integers(0, 256, size=shape).astype(np.uint8)
    top, left, h, w = box
    out = crop(x, top, left, h, w)
    np.testing.assert_array_equal(out, x[top : top + h, left : left + w])
    assert out.dtype == np.uint8
    assert not np.shares_memory(out, x)  # a copy


def test_crop_out_of_bounds():
    x = np.zeros((6, 8))
    with pytest.raises(ValueError, match=r"^top \+ height = 4 \+ 3 = 7 must be at most the image height 6"):
        crop(x, 4, 0, 3, 2)
    with pytest.raises(ValueError, match=r"^left \+ width = 5 \+ 4 = 9 must be at most the image width 8"):
        crop(x, 0, 5, 2, 4)


@pytest.mark.parametrize(
    "args, exc, pattern",
    [
        ((-1, 0, 2, 2), ValueError, r"^top must be at least 0, got -1"),
        ((0, -2, 2, 2), ValueError, r"^left must be at least 0, got -2"),
        ((0, 0, 0, 2), ValueError, r"^height must be at least 1, got 0"),
        ((0, 0, 2, 0), ValueError, r"^width must be at least 1, got 0"),
        ((0.5, 0, 2, 2), TypeError, r"^top must be an int, got float"),
        ((0, 0, "2", 2), TypeError, r"^height must be an int, got str"),
    ],
)
def test_crop_bad_arguments(args, exc, pattern):
    with pytest.raises(exc, match=pattern):
        crop(np.zeros((6, 8)), *args)


def test_crop_bad_image():
    with pytest.raises(ValueError, match=r"^image must be 2-D or 3-D, got a 1-D array"):
        crop(np.zeros(5), 0, 0, 1, 1)


# --------------------------------------------------------------------------- luma against torch (eq-01-luma)


@pytest.mark.parametrize("name", sorted(LUMA_WEIGHTS))
def test_luma_matches_torch_weighted_sum_of_channels(name):
    rgb = np.random.default_rng(7).integers(0, 256, size=(13, 9, 3), dtype=np.uint8)
    w = torch.tensor(LUMA_WEIGHTS[name], dtype=torch.float64)
    expected = (torch.from_numpy(rgb).to(torch.float64) * w).sum(dim=-1)
    np.testing.assert_allclose(rgb_to_grayscale(rgb, name), expected.numpy(), rtol=1e-12, atol=1e-12)


def test_luma_of_the_bundled_photograph_rounds_to_pil_convert_l():
    rgb = sample_image_rgb()
    pil = np.asarray(Image.fromarray(rgb).convert("L"))
    ours = np.rint(rgb_to_grayscale(rgb)).astype(np.uint8)
    assert np.abs(ours.astype(int) - pil.astype(int)).max() <= 1
    w = torch.tensor(LUMA_WEIGHTS["rec601"], dtype=torch.float64)
    np.testing.assert_allclose(rgb_to_grayscale(rgb), (torch.from_numpy(rgb).double() * w).sum(-1).numpy(), rtol=1e-7, atol=1e-12)
