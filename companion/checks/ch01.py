"""Chapter 1, images as arrays: the negative, a patch's mean, the channel layout, brightening.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array, check_int
from ..representation import crop, hwc_to_chw, invert, to_float, to_uint8
from ._verdict import answer_array, not_answered
from .generic import check_array, check_value

__all__ = [
    "check_inverted",
    "check_patch_mean",
    "check_layout",
    "check_brightened",
]


def check_inverted(answer, image):
    """Check the negative of an image (chapter 1): ``255 - I`` for integers, ``1 - x`` for floats.

    The expected answer is ``companion.invert(image)``.

    Parameters
    ----------
    answer : object
        The reader's inverted image, same shape as ``image``.
    image : array_like, any shape
        The original image, integers 0-255 or floats in [0, 1].

    Returns
    -------
    bool

    Examples
    --------
    >>> image = np.array([[0, 100], [200, 255]], dtype=np.uint8)
    >>> check_inverted(255 - image, image)
    Correct!
    True
    >>> check_inverted(-image, image)
    Not yet: 4 of 4 entries of your inverted image differ. First at index (0, 0): got 0, expected 255. Largest absolute error: 255.
    False
    """
    return check_array(answer, invert(image), name="your inverted image")


def check_patch_mean(answer, image, top, left, height, width):
    """Check the mean brightness of a rectangular patch (chapter 1).

    The expected answer is the mean of ``companion.crop(image, top, left, height, width)``:
    the ``height`` x ``width`` block whose top-left pixel is ``(top, left)``.

    Parameters
    ----------
    answer : object
        The reader's mean, one number.
    image : array_like, shape (H, W)
        The image.
    top, left : int
        Row and column of the patch's top-left pixel, at least 0.
    height, width : int
        Size of the patch, at least 1; the patch must fit in the image.

    Returns
    -------
    bool

    Examples
    --------
    >>> image = np.arange(16).reshape(4, 4)
    >>> check_patch_mean(7.5, image, top=1, left=1, height=2, width=2)
    Correct!
    True
    """
    image = as_array(image, "image", ndim=2)
    patch = crop(image, top, left, height, width)
    return check_value(answer, float(patch.mean()), name="your patch mean")


def check_layout(answer, image):
    """Check an ``(H, W, C)`` image moved to PyTorch's ``(C, H, W)`` layout (chapter 1).

    The expected answer is ``companion.hwc_to_chw(image)``. A common slip, reshaping
    instead of moving the axis, gets its own hint.

    Parameters
    ----------
    answer : object
        The reader's ``(C, H, W)`` array.
    image : array_like, shape (H, W, C)
        The image with its channels last.

    Returns
    -------
    bool

    Examples
    --------
    >>> rgb = np.arange(24).reshape(2, 4, 3)
    >>> check_layout(rgb.transpose(2, 0, 1), rgb)
    Correct!
    True
    >>> check_layout(rgb.reshape(3, 2, 4), rgb)  # doctest: +ELLIPSIS
    Not yet: ...Hint: reshape keeps the order of the numbers in memory...
    False
    """
    image = as_array(image, "image", ndim=3)
    expected = hwc_to_chw(image)
    got, _ = answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
        if np.array_equal(got, image.reshape(expected.shape)):
            print(
                "Not yet: the shape is right but the numbers are in the wrong places. Hint: "
                "reshape keeps the order of the numbers in memory, so channel values get mixed "
                "up; move the channel axis with np.transpose(image, (2, 0, 1)) instead."
            )
            return False
    return check_array(answer, expected, name="your (C, H, W) array")


def check_brightened(answer, image, amount):
    """Check an 8-bit image brightened by ``amount`` without wrap-around (chapter 1).

    The expected answer is ``companion.to_uint8(companion.to_float(image) + amount / 255)``:
    every pixel ``amount`` levels brighter, clipped at 255 (white) and 0 (black), still
    ``uint8``. Adding to a ``uint8`` array directly wraps around (``250 + 10 = 4``); that
    slip gets its own hint.

    Parameters
    ----------
    answer : object
        The reader's brightened image, same shape as ``image``, dtype ``uint8``.
    image : array_like of int, any shape
        The original image, integers 0-255.
    amount : int
        Gray levels to add (negative darkens).

    Returns
    -------
    bool

    Examples
    --------
    >>> image = np.array([[0, 100], [200, 250]], dtype=np.uint8)
    >>> check_brightened(np.array([[60, 160], [255, 255]], dtype=np.uint8), image, 60)
    Correct!
    True
    >>> check_brightened(image + 60, image, 60)  # doctest: +ELLIPSIS
    Not yet: ...wrapped around...
    False
    """
    image = as_array(image, "image", dtype_kind="iu")
    amount = check_int(amount, "amount")
    if not_answered(answer=answer):
        return False
    expected = to_uint8(np.clip(to_float(image) + amount / 255.0, 0.0, 1.0))
    got, _ = answer_array(answer, "answer")
    if got is not None and got.shape == expected.shape and not np.array_equal(got, expected):
        wrapped = ((image.astype(np.int64) + amount) % 256).astype(np.uint8)
        if np.array_equal(got, wrapped):
            print(
                "Not yet: the bright pixels wrapped around (uint8 arithmetic is modulo 256, so "
                "250 + 10 gives 4). Hint: compute in a wider type (np.int16 or floats), clip to "
                "0..255, then convert back with .astype(np.uint8)."
            )
            return False
    if got is not None and got.shape == expected.shape and np.array_equal(got, expected) \
            and got.dtype != np.uint8:
        print(f"Not yet: the values are right, but the dtype is {got.dtype}; store the image as "
              "uint8 again (.astype(np.uint8)).")
        return False
    return check_array(answer, expected, name="your brightened image")
