"""companion.augmentation: shifts and rotations against scipy.ndimage and torch."""

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch

import companion
from companion.augmentation import random_augment, rotate_image, shift_image


@pytest.mark.parametrize("shift", [(0, 0), (2, -3), (-1, 4), (5, 5), (-9, 0), (0, 11)])
def test_shift_matches_scipy_and_torch(shift):
    img = np.random.default_rng(0).random((9, 11))
    got = shift_image(img, shift)
    np.testing.assert_array_equal(got, ndi.shift(img, shift, order=0, mode="constant", cval=0.0))
    batch = np.stack([img, img[::-1]])[:, None]
    got_b = shift_image(batch, shift)
    for k in range(2):
        np.testing.assert_array_equal(got_b[k, 0], shift_image(batch[k, 0], shift))
    if abs(shift[0]) < 9 and abs(shift[1]) < 11:  # F.pad: pad on one side, crop (negative) the other
        u, v = shift
        ref = torch.nn.functional.pad(torch.from_numpy(batch), (v, -v, u, -u)).numpy()
        np.testing.assert_array_equal(got_b, ref)


@pytest.mark.parametrize("angle", [0.0, 7.5, -12.0, 33.0, 90.0, 180.0, -400.0])
@pytest.mark.parametrize("shape", [(9, 11), (28, 28), (6, 5)])
def test_rotate_matches_scipy(angle, shape):
    img = np.random.default_rng(1).random(shape)
    got = rotate_image(img, angle)
    ref = ndi.rotate(img, angle, reshape=False, order=1, mode="grid-constant", cval=0.0)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_rotate_matches_torch_grid_sample():
    img = np.random.default_rng(2).random((2, 3, 8, 8))
    angle = 20.0
    got = rotate_image(img, angle)
    a = np.deg2rad(angle)
    # grid_sample reads (x, y) = (column, row) in [-1, 1], align_corners=True: pixel centres at +-1
    theta = torch.tensor([[[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0]]] * 2, dtype=torch.float64)
    grid = torch.nn.functional.affine_grid(theta, (2, 3, 8, 8), align_corners=True)
    ref = torch.nn.functional.grid_sample(torch.from_numpy(img), grid, mode="bilinear", padding_mode="zeros",
                                          align_corners=True).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


def test_batches_and_shapes():
    img = np.random.default_rng(3).random((3, 2, 7, 7))
    got = rotate_image(img, 15.0)
    assert got.shape == img.shape
    np.testing.assert_allclose(got[1, 1], rotate_image(img[1, 1], 15.0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rotate_image(img[0], 15.0), got[0], rtol=1e-12, atol=1e-12)


def test_random_augment_is_seeded_and_each_image_is_a_rotation_then_shift():
    x = np.random.default_rng(4).random((5, 1, 12, 12))
    a = random_augment(x, np.random.default_rng(7), max_shift=2, max_angle=10.0)
    b = random_augment(x, np.random.default_rng(7), max_shift=2, max_angle=10.0)
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(7)
    angles = rng.uniform(-10.0, 10.0, size=5)
    shifts = rng.integers(-2, 3, size=(5, 2))
    for k in range(5):
        ref = shift_image(rotate_image(x[k, 0], angles[k]), tuple(int(s) for s in shifts[k]))
        np.testing.assert_allclose(a[k, 0], ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(random_augment(x, np.random.default_rng(0), 0, 0.0), x)


def test_bad_input():
    img = np.zeros((4, 4))
    with pytest.raises(TypeError, match="shift must be a pair"):
        shift_image(img, 2)
    with pytest.raises(TypeError, match=r"shift\[1\] must be an int"):
        shift_image(img, (1, 1.5))
    with pytest.raises(ValueError, match="images must be 2-D or 3-D or 4-D"):
        shift_image(np.zeros(4), (1, 1))
    with pytest.raises(ValueError, match="angle must be a finite number"):
        rotate_image(img, np.inf)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        random_augment(np.zeros((1, 1, 4, 4)), 0)
    with pytest.raises(ValueError, match="max_shift must be at least 0"):
        random_augment(np.zeros((1, 1, 4, 4)), np.random.default_rng(0), max_shift=-1)
    with pytest.raises(ValueError, match="max_angle must be"):
        random_augment(np.zeros((1, 1, 4, 4)), np.random.default_rng(0), max_angle=-1.0)


def test_flat_names():
    assert companion.shift_image is shift_image and companion.rotate_image is rotate_image
