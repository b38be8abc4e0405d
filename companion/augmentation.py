"""Data augmentation (chapter 10): shifts with zero fill and small rotations with bilinear
interpolation, of one image or of a batch, and a random mix of both for training.

Pixels that move in from outside the frame are background, 0. This module uses NumPy only.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float, check_int, check_real

__all__ = ["shift_image", "rotate_image", "random_augment"]


def _check_images(images):
    return as_float(images, "images", ndim=(2, 3, 4))


def shift_image(images, shift):
    """Move an image (or every image of a batch) by whole pixels, filling with zeros.

    .. math::

        Y_{i,j} = \\begin{cases} I_{i-u,\\,j-v} & 0 \\le i-u < H,\\ 0 \\le j-v < W \\\\
        0 & \\text{otherwise,} \\end{cases}

    a shift ``T_{u,v}`` by ``u`` rows down and ``v`` columns right (negative: up, left).
    Equal to ``scipy.ndimage.shift(image, (u, v), order=0, mode="constant", cval=0)``.

    Parameters
    ----------
    images : array_like, shape (H, W), (N, H, W) or (N, C, H, W)
        The shift acts on the last two axes.
    shift : tuple of two ints
        ``(u, v)``.

    Returns
    -------
    ndarray, float, same shape as ``images``

    Examples
    --------
    >>> shift_image(np.arange(1, 10).reshape(3, 3), (1, -1)).astype(int).tolist()
    [[0, 0, 0], [2, 3, 0], [5, 6, 0]]
    """
    x = _check_images(images)
    if not isinstance(shift, (tuple, list)) or len(shift) != 2:
        raise TypeError(f"shift must be a pair of ints (rows down, columns right), got {shift!r}")
    u = check_int(shift[0], "shift[0]")
    v = check_int(shift[1], "shift[1]")
    h, w = x.shape[-2:]
    out = np.zeros_like(x)
    if abs(u) >= h or abs(v) >= w:
        return out
    dst_r = slice(max(u, 0), h + min(u, 0))
    src_r = slice(max(-u, 0), h + min(-u, 0))
    dst_c = slice(max(v, 0), w + min(v, 0))
    src_c = slice(max(-v, 0), w + min(-v, 0))
    out[..., dst_r, dst_c] = x[..., src_r, src_c]
    return out


def _rotate(x, angles):
    """Rotate ``x`` of shape (N, C, H, W), image n by ``angles[n]`` degrees (bilinear, zeros outside)."""
    n, _, h, w = x.shape
    rad = np.deg2rad(angles)
    cos, sin = np.cos(rad)[:, None, None], np.sin(rad)[:, None, None]
    ci, cj = (h - 1) / 2.0, (w - 1) / 2.0
    ii, jj = np.meshgrid(np.arange(h) - ci, np.arange(w) - cj, indexing="ij")
    # the input position each output pixel reads from: the output grid turned back by the angle
    src_i = cos * ii + sin * jj + ci  # (N, H, W)
    src_j = -sin * ii + cos * jj + cj
    i0, j0 = np.floor(src_i).astype(np.int64), np.floor(src_j).astype(np.int64)
    fi, fj = src_i - i0, src_j - j0
    padded = np.zeros((n, x.shape[1], h + 2, w + 2), dtype=x.dtype)  # one ring of zeros around
    padded[:, :, 1:-1, 1:-1] = x
    batch = np.arange(n)[:, None, None]
    out = np.zeros_like(x)
    for di, dj, weight in ((0, 0, (1 - fi) * (1 - fj)), (0, 1, (1 - fi) * fj), (1, 0, fi * (1 - fj)),
                           (1, 1, fi * fj)):
        r = np.clip(i0 + di + 1, 0, h + 1)  # positions beyond the ring read zeros too
        c = np.clip(j0 + dj + 1, 0, w + 1)
        values = padded[batch, :, r, c]  # (N, H, W, C)
        out += np.moveaxis(values, -1, 1) * weight[:, None]
    return out


def rotate_image(images, angle):
    """Rotate an image (or every image of a batch) about its centre, by bilinear interpolation.

    Output pixel ``(i, j)`` reads the input at the position obtained by turning ``(i, j)``
    back by ``psi`` about the centre ``(c_i, c_j) = ((H - 1) / 2, (W - 1) / 2)``:

    .. math::

        \\begin{pmatrix} i' \\\\ j' \\end{pmatrix} =
        \\begin{pmatrix} \\cos\\psi & \\sin\\psi \\\\ -\\sin\\psi & \\cos\\psi \\end{pmatrix}
        \\begin{pmatrix} i - c_i \\\\ j - c_j \\end{pmatrix} + \\begin{pmatrix} c_i \\\\ c_j \\end{pmatrix},

    and interpolates bilinearly between the four pixels around ``(i', j')``, counting pixels
    outside the frame as 0. A positive angle turns the picture counter-clockwise as it is
    displayed. Equal to ``scipy.ndimage.rotate(image, psi, reshape=False, order=1,
    mode="grid-constant", cval=0)``.

    Parameters
    ----------
    images : array_like, shape (H, W), (N, H, W) or (N, C, H, W)
        The rotation acts on the last two axes.
    angle : float
        ``psi`` in degrees.

    Returns
    -------
    ndarray, float, same shape as ``images``

    Examples
    --------
    >>> rotate_image(np.eye(3), 90.0).round(12).astype(int).tolist()
    [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    """
    x = _check_images(images)
    angle = float(check_real(angle, "angle", finite=True, described="a finite number of degrees"))
    shape = x.shape
    x4 = x.reshape((-1, 1) + shape[-2:]) if x.ndim < 4 else x
    return _rotate(x4, np.full(len(x4), angle)).reshape(shape)


def random_augment(images, rng, max_shift=2, max_angle=10.0):
    """A randomly moved copy of a batch: each image rotated, then shifted, by its own amounts.

    Image ``n`` is rotated by an angle drawn uniformly from ``[-max_angle, max_angle]``
    degrees (:func:`rotate_image`), then shifted by ``(u, v)``, each drawn uniformly from the
    integers ``-max_shift .. max_shift`` (:func:`shift_image`).

    Parameters
    ----------
    images : array_like, shape (N, C, H, W)
    rng : numpy.random.Generator
    max_shift : int, default 2
        At least 0.
    max_angle : float, default 10.0
        At least 0, in degrees.

    Returns
    -------
    ndarray, float, shape (N, C, H, W)

    Examples
    --------
    >>> x = np.ones((2, 1, 5, 5))
    >>> random_augment(x, np.random.default_rng(0), max_shift=0, max_angle=0.0).tolist() == x.tolist()
    True
    """
    x = as_float(images, "images", ndim=4)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    max_angle = float(check_real(max_angle, "max_angle", minimum=0, finite=True, described="a finite number >= 0"))
    n = len(x)
    angles = rng.uniform(-max_angle, max_angle, size=n)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
    out = _rotate(x, angles) if max_angle > 0 else x.copy()
    for k in range(n):
        out[k] = shift_image(out[k], (int(shifts[k, 0]), int(shifts[k, 1])))
    return out
