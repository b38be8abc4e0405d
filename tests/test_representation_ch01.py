"""Chapter 1's equations held to PyTorch: the image matrix (eq-01-image-matrix) of the
bundled photographs, and the luma weights (eq-01-luma)."""

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data as skdata

from companion import LUMA_WEIGHTS, rgb_to_grayscale, sample_image, sample_image_rgb


def test_sample_image_is_the_cameraman_and_torch_reads_it_as_rows_then_columns():
    image = sample_image()
    np.testing.assert_array_equal(image, skdata.camera())
    t = torch.from_numpy(image)
    assert tuple(t.shape) == image.shape == (512, 512)  # (H, W): height first
    for i, j in [(0, 0), (0, 511), (511, 0), (100, 300), (330, 284)]:
        assert int(t[i, j]) == int(image[i, j])  # row i from the top, column j from the left
    assert tuple(torch.from_numpy(image).flatten()[:512].numpy()) == tuple(image[0])  # row-major


def test_sample_image_rgb_is_chelsea_channels_last():
    rgb = sample_image_rgb()
    np.testing.assert_array_equal(rgb, skdata.chelsea())
    t = torch.from_numpy(rgb).permute(2, 0, 1)
    for c in range(3):
        np.testing.assert_array_equal(t[c].numpy(), rgb[:, :, c])


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
    np.testing.assert_allclose(rgb_to_grayscale(rgb), (torch.from_numpy(rgb).double() * w).sum(-1).numpy())
