"""Tests for companion.filters: kernels respond as named; parameter counts match PyTorch."""

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
import torch
import torch.nn.functional as F

from companion.filters import KERNELS, conv_param_count, filter_bank, linear_param_count

EDGES = ["vertical_edge", "horizontal_edge", "diagonal_45", "diagonal_135"]
REQUIRED = EDGES + ["laplacian", "box_blur", "sharpen", "identity"]


def _corr(image, name):
    return scipy.signal.correlate2d(image, KERNELS[name], mode="valid")


def _steps(size=12):
    """Step images (0 = dark, 1 = bright), named by the edge direction and the bright side."""
    r, c = np.mgrid[:size, :size]
    return {
        # vertical edge, bright on the right
        "vertical_edge": (c >= size // 2).astype(float),
        # horizontal edge, bright below
        "horizontal_edge": (r >= size // 2).astype(float),
        # "/" edge (line r + c = const), bright on the lower right
        "diagonal_45": (r + c >= size).astype(float),
        # "\" edge (line c - r = const), bright on the upper right
        "diagonal_135": (c - r >= 1).astype(float),
    }


# --- the mapping itself ---------------------------------------------------------------------


def test_required_kernels_present_float64_3x3():
    for name in REQUIRED:
        k = KERNELS[name]
        assert k.shape == (3, 3) and k.dtype == np.float64, name


def test_kernels_are_read_only():
    with pytest.raises(TypeError):
        KERNELS["mine"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match="read-only"):
        KERNELS["vertical_edge"][0, 0] = 5.0
    np.testing.assert_array_equal(KERNELS["vertical_edge"][0], [-1, 0, 1])


@pytest.mark.parametrize("axis, name", [(1, "vertical_edge"), (0, "horizontal_edge")])
def test_sobel_equals_scipy_ndimage_sobel(axis, name):
    img = np.random.default_rng(1).normal(size=(9, 11))
    # interior pixels are unaffected by scipy's boundary mode
    expected = scipy.ndimage.sobel(img, axis=axis)[1:-1, 1:-1]
    np.testing.assert_allclose(_corr(img, name), expected, rtol=1e-12, atol=1e-12)


def test_sobel_is_outer_product_construction():
    smooth, diff = np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(KERNELS["vertical_edge"], np.outer(smooth, diff))
    np.testing.assert_array_equal(KERNELS["horizontal_edge"], np.outer(diff, smooth))


def test_diagonals_are_the_sobel_ring_rotated_by_45_degrees():
    ring = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)]  # clockwise

    def rotate(k):
        out = k.copy()
        values = [k[p] for p in ring]
        for p, v in zip(ring, values[-1:] + values[:-1]):
            out[p] = v
        return out

    np.testing.assert_array_equal(rotate(KERNELS["vertical_edge"]), KERNELS["diagonal_45"])
    # rotating "bright below" gives "bright lower-left"; the convention is "bright upper-right"
    np.testing.assert_array_equal(rotate(KERNELS["horizontal_edge"]), -KERNELS["diagonal_135"])


@pytest.mark.parametrize("name", EDGES + ["laplacian"])
def test_edge_and_laplacian_kernels_sum_to_zero(name):
    assert KERNELS[name].sum() == 0
    np.testing.assert_array_equal(_corr(np.full((6, 6), 7.0), name), 0.0)


@pytest.mark.parametrize("name", ["box_blur", "sharpen", "identity"])
def test_smoothing_kernels_sum_to_one_and_keep_constants(name):
    assert np.isclose(KERNELS[name].sum(), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(_corr(np.full((6, 6), 7.0), name), 7.0, rtol=1e-14, atol=1e-12)


@pytest.mark.parametrize("name", EDGES)
def test_edge_kernels_are_antisymmetric_so_convolution_flips_sign(name):
    k = KERNELS[name]
    np.testing.assert_array_equal(k[::-1, ::-1], -k)


# --- each kernel responds as named ---------------------------------------------------------


@pytest.mark.parametrize("name", EDGES)
def test_edge_kernel_responds_positively_to_its_own_edge(name):
    response = _corr(_steps()[name], name)
    assert response.max() > 0
    assert response.min() == 0  # positive on the edge, zero elsewhere
    # and negative for the opposite contrast
    assert _corr(1.0 - _steps()[name], name).max() == 0


@pytest.mark.parametrize("name", EDGES)
@pytest.mark.parametrize("other", EDGES)
def test_edge_kernel_ignores_the_perpendicular_edge(name, other):
    perpendicular = {
        "vertical_edge": "horizontal_edge",
        "horizontal_edge": "vertical_edge",
        "diagonal_45": "diagonal_135",
        "diagonal_135": "diagonal_45",
    }
    response = np.abs(_corr(_steps()[other], name)).max()
    if other == perpendicular[name]:
        assert response == 0
    elif other == name:
        assert response == 4  # full contrast: 1 + 2 + 1
    else:  # an edge at 45 degrees to the kernel's direction: weaker answer
        assert 0 < response < 4


def test_laplacian_ignores_ramps_and_finds_a_spot():
    r, c = np.mgrid[:8, :8].astype(float)
    np.testing.assert_allclose(_corr(2 * r + 3 * c, "laplacian"), 0.0, atol=1e-12, rtol=1e-7)
    spot = np.zeros((7, 7))
    spot[3, 3] = 1.0
    resp = _corr(spot, "laplacian")
    assert resp[2, 2] == -4 and np.argmin(resp) == np.ravel_multi_index((2, 2), resp.shape)


def test_box_blur_averages_and_sharpen_amplifies_a_spot():
    spot = np.zeros((7, 7))
    spot[3, 3] = 9.0
    np.testing.assert_allclose(_corr(spot, "box_blur")[1:4, 1:4], 1.0, rtol=1e-7, atol=1e-12)
    assert _corr(spot, "sharpen")[2, 2] == 45.0
    img = np.random.default_rng(4).normal(size=(6, 6))
    np.testing.assert_array_equal(_corr(img, "identity"), img[1:-1, 1:-1])
    np.testing.assert_allclose(
        _corr(img, "sharpen"), _corr(img, "identity") - _corr(img, "laplacian"), atol=1e-12, rtol=1e-7
    )


# --- filter bank ------------------------------------------------------------------------------


def test_filter_bank_with_torch_conv2d():
    names = EDGES + ["box_blur"]
    w = filter_bank(names)
    assert w.shape == (5, 1, 3, 3) and w.dtype == np.float64 and w.flags.writeable
    x = np.random.default_rng(2).normal(size=(2, 1, 10, 12))
    y = F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()
    for o, name in enumerate(names):
        for n in range(2):
            np.testing.assert_allclose(y[n, o], _corr(x[n, 0], name), rtol=1e-12, atol=1e-12)


def test_filter_bank_returns_a_copy():
    w = filter_bank(("laplacian",))
    w[:] = 0
    assert KERNELS["laplacian"][1, 1] == -4


def test_filter_bank_single_string():
    with pytest.raises(TypeError, match=r"^names must be a sequence of kernel names, got a single string 'sharpen'"):
        filter_bank("sharpen")


def test_filter_bank_not_iterable():
    with pytest.raises(TypeError, match=r"^names must be a sequence of kernel names, got int: 3"):
        filter_bank(3)


def test_filter_bank_empty():
    with pytest.raises(ValueError, match=r"^names must name at least one kernel"):
        filter_bank([])


def test_filter_bank_unknown_name():
    with pytest.raises(ValueError, match=r"^names: unknown kernel 'sobel'; choose from \['box_blur'"):
        filter_bank(["vertical_edge", "sobel"])


def test_filter_bank_non_string_name():
    with pytest.raises(TypeError, match=r"^names must hold strings, got ndarray"):
        filter_bank([np.eye(3)])


# --- parameter counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "c_in, c_out, k, bias",
    [(1, 32, 3, True), (32, 64, 3, True), (3, 16, (5, 3), True), (8, 4, (1, 7), False), (1, 1, 1, False)],
)
def test_conv_param_count_matches_nn_conv2d(c_in, c_out, k, bias):
    layer = torch.nn.Conv2d(c_in, c_out, k, bias=bias)
    expected = sum(p.numel() for p in layer.parameters())
    assert conv_param_count(c_in, c_out, k, bias=bias) == expected
    assert type(conv_param_count(c_in, c_out, k, bias=bias)) is int


@pytest.mark.parametrize("d_in, d_out, bias", [(1600, 128, True), (128, 1, True), (784, 10, False), (1, 1, True)])
def test_linear_param_count_matches_nn_linear(d_in, d_out, bias):
    layer = torch.nn.Linear(d_in, d_out, bias=bias)
    assert linear_param_count(d_in, d_out, bias=bias) == sum(p.numel() for p in layer.parameters())


def test_param_counts_accept_numpy_ints():
    assert conv_param_count(np.int64(2), np.int32(3), np.int64(3)) == 57
    assert linear_param_count(np.int64(2), np.int8(3), bias=np.True_) == 9


@pytest.mark.parametrize("arg, pos", [("in_channels", 0), ("out_channels", 1)])
def test_conv_param_count_bad_channels(arg, pos):
    args = [1, 1, 3]
    args[pos] = 0
    with pytest.raises(ValueError, match=rf"^{arg} must be at least 1, got 0"):
        conv_param_count(*args)
    args[pos] = 2.0
    with pytest.raises(TypeError, match=rf"^{arg} must be an int, got float"):
        conv_param_count(*args)


def test_conv_param_count_bad_kernel_size():
    with pytest.raises(ValueError, match=r"^kernel_size must be at least 1, got \(3, 0\)"):
        conv_param_count(1, 1, (3, 0))
    with pytest.raises(TypeError, match=r"^kernel_size must be an int or a pair of ints, got str"):
        conv_param_count(1, 1, "3")
    with pytest.raises(ValueError, match=r"^kernel_size must be an int or a pair of ints, got \(3, 3, 3\)"):
        conv_param_count(1, 1, (3, 3, 3))


def test_param_count_bad_bias():
    with pytest.raises(TypeError, match=r"^bias must be True or False, got int: 1"):
        conv_param_count(1, 1, 3, bias=1)
    with pytest.raises(TypeError, match=r"^bias must be True or False, got str"):
        linear_param_count(1, 1, bias="yes")


@pytest.mark.parametrize("arg, args", [("in_features", (0, 1)), ("out_features", (1, -2))])
def test_linear_param_count_bad_sizes(arg, args):
    with pytest.raises(ValueError, match=rf"^{arg} must be at least 1, got"):
        linear_param_count(*args)
    with pytest.raises(TypeError, match=r"^in_features must be an int, got NoneType"):
        linear_param_count(None, 1)


# --------------------------------------------------------------------------- layer_costs

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from companion.filters import layer_costs  # noqa: E402

KERAS = [("conv", 32, 3), ("relu",), ("pool", 2), ("conv", 64, 3), ("relu",), ("pool", 2), ("flatten",),
         ("linear", 128), ("relu",), ("linear", 1), ("sigmoid",)]
MOBILE = [("conv", 8, 3, 2, 1), ("relu",), ("conv", 8, 3, 1, 1, 8), ("conv", 16, 1), ("relu",),
          ("pool", 3, 2), ("gap",), ("linear", 10)]


def _torch_layers(layers, input_shape):
    """The PyTorch twin of a layer_costs spec."""
    modules, shape = [], input_shape
    for layer in layers:
        kind, args = layer[0], layer[1:]
        if kind == "conv":
            c_out, k, s, p, g = tuple(args) + (1, 0, 1)[len(args) - 2:]
            modules.append(torch.nn.Conv2d(shape[0], c_out, k, s, p, groups=g))
        elif kind == "pool":
            modules.append(torch.nn.MaxPool2d(*args))
        elif kind == "gap":
            modules.append(torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(0)))
        elif kind == "relu":
            modules.append(torch.nn.ReLU())
        elif kind == "sigmoid":
            modules.append(torch.nn.Sigmoid())
        elif kind == "flatten":
            modules.append(torch.nn.Flatten(0))
        elif kind == "linear":
            modules.append(torch.nn.Linear(shape[0], args[0]))
        shape = tuple(modules[-1](torch.zeros(shape)).shape)
    return modules


@pytest.mark.parametrize("layers, input_shape", [(KERAS, (1, 28, 28)), (MOBILE, (3, 17, 15)),
                                                 ([("conv", 6, 5, 2, 2, 3), ("pool", 2, 1)], (3, 9, 9))])
def test_layer_costs_match_torch_flop_counter_and_numel(layers, input_shape):
    rows = layer_costs(layers, input_shape)
    t = torch.zeros(input_shape)
    assert len(rows) == len(layers)
    for row, module in zip(rows, _torch_layers(layers, input_shape)):
        with FlopCounterMode(display=False) as counter:
            t = module(t)
        assert 2 * row["macs"] == counter.get_total_flops()       # PyTorch counts 2 FLOPs per multiply-add
        assert row["params"] == sum(p.numel() for p in module.parameters())
        assert row["activations"] == t.numel()
        assert row["output_shape"] == tuple(t.shape)


def test_layer_costs_of_the_keras_model():
    rows = layer_costs(KERAS, (1, 28, 28))
    assert [r["params"] for r in rows if r["params"]] == [320, 18496, 204928, 129]
    assert sum(r["params"] for r in rows) == sum(p.numel() for p in companion_keras().parameters())
    assert rows[0]["layer"] == "conv 3x3, 32" and rows[6]["output_shape"] == (1600,)


def companion_keras():
    import companion

    return companion.keras_style_cnn()


@pytest.mark.parametrize("layers, shape, error, pattern", [
    ("conv", (1, 4, 4), TypeError, "layers must be a list"),
    ([("conv", 4, 3)], (4, 4), ValueError, r"input_shape must be \(C, H, W\)"),
    ([("conv", 4, 3)], (1, 0, 4), ValueError, "input_shape must be at least 1"),
    ([("dense", 4)], (1, 4, 4), ValueError, "unknown layer 'dense'"),
    ([("conv", 4)], (1, 4, 4), ValueError, "'conv' takes 2 to 5 numbers"),
    ([("conv", 4, 3.0)], (1, 4, 4), TypeError, r"layers\[0\] kernel_size must be an int"),
    ([("conv", 4, 5)], (1, 4, 4), ValueError, r"layers\[0\] input height"),
    ([("conv", 4, 3, 1, 0, 3)], (2, 4, 4), ValueError, "groups=3 must divide"),
    ([("linear", 4)], (1, 4, 4), ValueError, "put \\('flatten',\\) or \\('gap',\\) before it"),
    ([("flatten",), ("pool", 2)], (1, 4, 4), ValueError, r"layers\[1\] 'pool' needs feature maps"),
    ([(3, 3)], (1, 4, 4), TypeError, r"layers\[0\] must be a tuple"),
    ([("pool", 0)], (1, 4, 4), ValueError, "kernel_size must be at least 1"),
])
def test_layer_costs_bad_input(layers, shape, error, pattern):
    with pytest.raises(error, match=pattern):
        layer_costs(layers, shape)
