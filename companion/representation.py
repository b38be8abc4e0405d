r"""Images as arrays (chapter 1).

A grayscale image is a matrix :math:`I` of shape ``(H, W)``; a colour image is
``(H, W, C)`` with ``C = 3`` channels (red, green, blue). As stored, values are integers
0 to 255 (``uint8``); for computation the book scales them to floats in :math:`[0, 1]`
(:func:`to_float`, :func:`to_uint8`). PyTorch wants a batch ``(N, C, H, W)``
(:func:`to_nchw`, :func:`hwc_to_chw`, :func:`chw_to_hwc`).

Functions that reshape or cut an image (:func:`hwc_to_chw`, :func:`chw_to_hwc`,
:func:`to_nchw`, :func:`crop`) return a new array and keep the dtype; functions that
compute new values (:func:`rgb_to_grayscale`, :func:`resize`) return floats on the same
scale as their input (0-255 floats for ``uint8`` input).
"""

from __future__ import annotations

import types

import numpy as np

from ._validation import as_array, as_float, check_choice, check_int, check_unit_interval, pair

__all__ = [
    "to_float",
    "to_uint8",
    "LUMA_WEIGHTS",
    "rgb_to_grayscale",
    "hwc_to_chw",
    "chw_to_hwc",
    "to_nchw",
    "resize",
    "invert",
    "crop",
]

#: Luma weights ``(w_R, w_G, w_B)`` accepted by :func:`rgb_to_grayscale`.
#: ``"rec601"``: ITU-R BT.601, used by PIL's ``convert("L")``; ``"rec709"``: the weights of
#: ``skimage.color.rgb2gray``; ``"average"``: the plain mean of the three channels.
LUMA_WEIGHTS = types.MappingProxyType(
    {
        "rec601": (0.299, 0.587, 0.114),
        "rec709": (0.2125, 0.7154, 0.0721),
        "average": (1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0),
    }
)


def _check_uint8_range(image, name):
    """``image`` has an integer dtype; check that its values are in 0..255."""
    lo, hi = image.min(), image.max()
    if lo < 0 or hi > 255:
        bad = lo if lo < 0 else hi
        raise ValueError(f"{name} must hold values 0 to 255, got {bad}")


def to_float(image):
    r"""Scale an 8-bit image to floats in :math:`[0, 1]`.

    .. math:: x = \frac{I}{255}

    Parameters
    ----------
    image : array_like of int, any shape
        Values 0 to 255, usually ``uint8`` (any integer dtype is accepted).

    Returns
    -------
    numpy.ndarray of float64, same shape as ``image``

    Examples
    --------
    >>> print(to_float(np.array([0, 51, 255], dtype=np.uint8)))
    [0.  0.2 1. ]
    """
    image = as_array(image, "image", dtype_kind="iu")
    _check_uint8_range(image, "image")
    return image.astype(np.float64) / 255.0


def to_uint8(image):
    r"""Turn floats in :math:`[0, 1]` back into an 8-bit image, the inverse of :func:`to_float`.

    .. math:: I = \operatorname{round}\bigl(255 \cdot \operatorname{clip}(x, 0, 1)\bigr)

    Values outside :math:`[0, 1]` (for example after sharpening) are clipped, and the
    result is rounded to the nearest integer (halves to even, as ``np.rint``), so
    ``to_uint8(to_float(I))`` gives ``I`` back exactly.

    Parameters
    ----------
    image : array_like of float, any shape
        Intensities, nominally in :math:`[0, 1]`; must not contain ``nan``.

    Returns
    -------
    numpy.ndarray of uint8, same shape as ``image``

    Examples
    --------
    >>> print(to_uint8([0.0, 0.2, 0.5, 1.0, 1.7, -0.3]))
    [  0  51 128 255 255   0]
    """
    image = as_array(image, "image", dtype_kind="f")
    if np.isnan(image).any():
        raise ValueError("image must not contain nan")
    return np.rint(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


def rgb_to_grayscale(rgb, weights="rec601"):
    r"""Convert an RGB image to grayscale with luma weights.

    .. math:: Y[i, j] = w_R\, R[i, j] + w_G\, G[i, j] + w_B\, B[i, j]

    with :math:`(w_R, w_G, w_B)` from :data:`LUMA_WEIGHTS` (they sum to 1, so gray stays
    gray). ``"rec601"`` (0.299, 0.587, 0.114) agrees with PIL's ``Image.convert("L")``
    after rounding (PIL works in fixed point: at most 1 grey level apart); ``"rec709"``
    (0.2125, 0.7154, 0.0721) agrees with ``skimage.color.rgb2gray`` applied to the same
    image scaled to :math:`[0, 1]`.

    Parameters
    ----------
    rgb : array_like, shape (H, W, 3)
        Red, green and blue channels last, as stored by image files.
    weights : {"rec601", "rec709", "average"}, default "rec601"

    Returns
    -------
    numpy.ndarray of float, shape (H, W)
        On the scale of the input: floats 0-255 for 0-255 input, :math:`[0, 1]` for
        :math:`[0, 1]` input.

    Examples
    --------
    >>> rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [90, 90, 90]]], dtype=np.uint8)
    >>> print(rgb_to_grayscale(rgb))
    [[ 76.245 149.685  29.07   90.   ]]
    """
    check_choice(weights, "weights", LUMA_WEIGHTS, described=f"one of {sorted(LUMA_WEIGHTS)}")
    rgb = as_float(rgb, "rgb", ndim=3)
    if rgb.shape[2] != 3:
        raise ValueError(f"rgb must have shape (H, W, 3), got shape {rgb.shape}")
    w_r, w_g, w_b = LUMA_WEIGHTS[weights]
    return w_r * rgb[:, :, 0] + w_g * rgb[:, :, 1] + w_b * rgb[:, :, 2]


def hwc_to_chw(image):
    r"""Move the channel axis first: ``(H, W, C)`` to ``(C, H, W)``, as PyTorch stores images.

    .. math:: Y[c, i, j] = X[i, j, c]

    A batch ``(N, H, W, C)`` becomes ``(N, C, H, W)``.

    Parameters
    ----------
    image : array_like, shape (H, W, C) or (N, H, W, C)

    Returns
    -------
    numpy.ndarray, shape (C, H, W) or (N, C, H, W)
        A new array (not a view), same dtype.

    Examples
    --------
    >>> hwc_to_chw(np.zeros((28, 32, 3))).shape
    (3, 28, 32)
    """
    image = as_array(image, "image", ndim=(3, 4))
    return np.moveaxis(image, -1, -3).copy()


def chw_to_hwc(image):
    r"""Move the channel axis last: ``(C, H, W)`` to ``(H, W, C)``, the inverse of :func:`hwc_to_chw`.

    .. math:: Y[i, j, c] = X[c, i, j]

    A batch ``(N, C, H, W)`` becomes ``(N, H, W, C)``.

    Parameters
    ----------
    image : array_like, shape (C, H, W) or (N, C, H, W)

    Returns
    -------
    numpy.ndarray, shape (H, W, C) or (N, H, W, C)
        A new array (not a view), same dtype.

    Examples
    --------
    >>> chw_to_hwc(np.zeros((3, 28, 32))).shape
    (28, 32, 3)
    """
    image = as_array(image, "image", ndim=(3, 4))
    return np.moveaxis(image, -3, -1).copy()


def to_nchw(image):
    r"""Turn one image into a PyTorch batch of one: ``(1, C, H, W)``.

    A grayscale ``(H, W)`` image becomes ``(1, 1, H, W)``; a colour ``(H, W, C)`` image
    (channels last, as stored) becomes ``(1, C, H, W)``:

    .. math:: Y[0, c, i, j] = X[i, j, c]

    A 3-D input is always read as channels-last ``(H, W, C)``; an array that is already
    ``(C, H, W)`` needs only ``x[None]``.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)

    Returns
    -------
    numpy.ndarray, shape (1, C, H, W)
        A new array, same dtype.

    Examples
    --------
    >>> to_nchw(np.zeros((28, 28))).shape
    (1, 1, 28, 28)
    >>> to_nchw(np.zeros((28, 32, 3))).shape
    (1, 3, 28, 32)
    """
    image = as_array(image, "image", ndim=(2, 3))
    if image.ndim == 2:
        return image[None, None, :, :].copy()
    else:
        return np.moveaxis(image, -1, 0)[None].copy()


def _linear_weights(n_in, n_out):
    """Source indices and weights of 1-D linear interpolation, as PyTorch computes them.

    With ``align_corners=False`` output pixel ``i`` has its centre at source coordinate
    ``(i + 0.5) * n_in / n_out - 0.5``, clamped at 0.
    """
    scale = n_in / n_out
    src = np.maximum((np.arange(n_out) + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.intp), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = np.clip(src - i0, 0.0, 1.0)
    return i0, i1, lam


def resize(image, size):
    r"""Resize an image with bilinear interpolation, as ``F.interpolate(..., mode="bilinear")``.

    With ``align_corners=False`` and no antialiasing (PyTorch's defaults), output pixel
    :math:`(i, j)` is centred at the source coordinates

    .. math::

        u = \max\Bigl(0, \bigl(i + \tfrac12\bigr)\tfrac{H}{H'} - \tfrac12\Bigr), \qquad
        v = \max\Bigl(0, \bigl(j + \tfrac12\bigr)\tfrac{W}{W'} - \tfrac12\Bigr)

    and interpolates its four neighbours, with :math:`i_0 = \lfloor u \rfloor`,
    :math:`\alpha = u - i_0` (and likewise :math:`j_0`, :math:`\beta` for :math:`v`;
    indices past the border are clamped to it):

    .. math::

        Y[i, j] = (1-\alpha)(1-\beta)\,X[i_0, j_0] + (1-\alpha)\beta\,X[i_0, j_0+1]
                + \alpha(1-\beta)\,X[i_0+1, j_0] + \alpha\beta\,X[i_0+1, j_0+1]

    Shrinking by a large factor without antialiasing skips pixels (aliasing), exactly as
    PyTorch does by default.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Channels last; each channel is resized independently.
    size : int or (int, int), each >= 1
        The output ``(H', W')``; an int means a square output.

    Returns
    -------
    numpy.ndarray of float, shape (H', W') or (H', W', C)
        On the scale of the input (float64 for integer input; not rounded).

    Examples
    --------
    >>> print(resize(np.array([[0.0, 1.0], [2.0, 3.0]]), (4, 4)))
    [[0.   0.25 0.75 1.  ]
     [0.5  0.75 1.25 1.5 ]
     [1.5  1.75 2.25 2.5 ]
     [2.   2.25 2.75 3.  ]]
    """
    image = as_float(image, "image", ndim=(2, 3))
    out_h, out_w = pair(size, "size", 1)
    h, w = image.shape[:2]
    r0, r1, a = _linear_weights(h, out_h)
    c0, c1, b = _linear_weights(w, out_w)
    extra = (None,) * (image.ndim - 2)  # broadcast weights over the channel axis
    a = a[(slice(None), None) + extra]
    b = b[(slice(None),) + extra]
    rows = (1.0 - a) * image[r0] + a * image[r1]  # (H', W, ...)
    return (1.0 - b) * rows[:, c0] + b * rows[:, c1]


def invert(image):
    r"""The photographic negative of an image.

    .. math:: I' = 255 - I \quad \text{(integers 0-255)}, \qquad
              x' = 1 - x \quad \text{(floats in } [0, 1]\text{)}

    Parameters
    ----------
    image : array_like, any shape
        Integers 0 to 255 (``uint8``) or floats in :math:`[0, 1]`.

    Returns
    -------
    numpy.ndarray, same shape and dtype as ``image``

    Examples
    --------
    >>> print(invert(np.array([0, 100, 255], dtype=np.uint8)))
    [255 155   0]
    >>> print(invert([0.0, 0.25, 1.0]))
    [1.   0.75 0.  ]
    """
    image = as_array(image, "image", dtype_kind="iuf")
    if image.dtype.kind == "f":
        check_unit_interval(image, "image", what="floats")
        return 1.0 - image
    elif image.dtype.kind in "iu":
        _check_uint8_range(image, "image")
        return (255 - image).astype(image.dtype)
    else:  # pragma: no cover - as_array allows only the kinds above
        raise TypeError(f"image must hold integers 0-255 or floats in [0, 1], got dtype {image.dtype}")


def crop(image, top, left, height, width):
    r"""Cut the rectangle of ``height`` rows and ``width`` columns whose top-left pixel is
    ``(top, left)``, as ``torchvision.transforms.functional.crop``.

    .. math:: Y[i, j] = X[\mathrm{top} + i,\; \mathrm{left} + j], \qquad
              0 \le i < \mathrm{height},\; 0 \le j < \mathrm{width}

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
    top, left : int >= 0
        Row and column of the top-left corner of the crop.
    height, width : int >= 1
        Size of the crop; it must fit: ``top + height <= H`` and ``left + width <= W``.

    Returns
    -------
    numpy.ndarray, shape (height, width) or (height, width, C)
        A new array (not a view), same dtype.

    Examples
    --------
    >>> x = np.arange(16).reshape(4, 4)
    >>> print(crop(x, 1, 2, 2, 2))
    [[ 6  7]
     [10 11]]
    """
    image = as_array(image, "image", ndim=(2, 3))
    top = check_int(top, "top", 0)
    left = check_int(left, "left", 0)
    height = check_int(height, "height", 1)
    width = check_int(width, "width", 1)
    h, w = image.shape[:2]
    if top + height > h:
        raise ValueError(f"top + height = {top} + {height} = {top + height} must be at most the image height {h}")
    if left + width > w:
        raise ValueError(f"left + width = {left} + {width} = {left + width} must be at most the image width {w}")
    return image[top : top + height, left : left + width].copy()
