r"""Convolution on single 2-D arrays (chapter 2): the two formulas, the output size and padding.

What a CNN calls "convolution" is **cross-correlation**: the kernel slides over the input
without being flipped,

.. math::

    Y[i, j] = \sum_m \sum_n X[i + m, j + n] \, K[m, n],

which :func:`correlate2d` computes. The flipped-kernel formula of signal processing,
:math:`Y[i, j] = \sum_m \sum_n X[m, n] K[i - m, j - n]`, is true convolution:
:func:`convolve2d`. Both work on single 2-D arrays, as :func:`scipy.signal.correlate2d` and
:func:`scipy.signal.convolve2d`; the layer of a CNN, on batches with channels, is
:func:`~companion.conv2d`.

Along each axis a convolution (or a pooling window) has
``floor((n + 2p - d(k - 1) - 1) / s) + 1`` outputs (:func:`conv_output_size`), for an input
of length ``n`` padded with ``p`` zeros on each side (:func:`pad2d`).
"""

from __future__ import annotations

import numpy as np

from .._kernels import _float_dtype, _out_len, _pad
from .._validation import as_float, check_choice, check_int, pair

__all__ = ["correlate2d", "convolve2d", "conv_output_size", "pad2d"]


# --------------------------------------------------------------------------- 2-D signals


def _check_2d(image, kernel, mode):
    image = as_float(image, "image", 2)
    kernel = as_float(kernel, "kernel", 2)
    check_choice(mode, "mode", ("full", "same", "valid"))
    if mode == "valid" and (kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]):
        raise ValueError(
            f"mode='valid' needs the kernel to fit inside the image, got kernel of shape "
            f"{kernel.shape} and image of shape {image.shape}"
        )
    dtype = _float_dtype(image, kernel)
    return image.astype(dtype, copy=False), kernel.astype(dtype, copy=False)


def _correlate_valid(image, kernel):
    kh, kw = kernel.shape
    windows = np.lib.stride_tricks.sliding_window_view(image, (kh, kw))  # (H-kh+1, W-kw+1, kh, kw)
    return np.tensordot(windows, kernel, axes=([2, 3], [0, 1]))


def _correlate(image, kernel, mode, same_offset):
    kh, kw = kernel.shape
    if mode == "valid":
        return _correlate_valid(image, kernel)
    full = _correlate_valid(_pad(image, (kh - 1, kw - 1)), kernel)
    if mode == "full":
        return full
    elif mode == "same":
        a, b = same_offset
        return np.ascontiguousarray(full[a : a + image.shape[0], b : b + image.shape[1]])
    else:  # pragma: no cover - _check_2d has already rejected other modes
        raise ValueError(f"mode must be one of 'full', 'same', 'valid', got {mode!r}")


def correlate2d(image, kernel, mode="valid"):
    """Cross-correlation of two 2-D arrays, as ``scipy.signal.correlate2d`` (zero fill).

    .. math::

        Y[i, j] = \\sum_{m} \\sum_{n} X[i + m, j + n] \\, K[m, n]

    This is the operation CNNs call convolution (the kernel is not flipped).

    Parameters
    ----------
    image : array_like, shape (H, W)
        ``X``. Integers become float64.
    kernel : array_like, shape (kH, kW)
        ``K``.
    mode : {"valid", "full", "same"}, default "valid"
        ``"valid"``: only where the kernel fits inside the image, shape
        ``(H - kH + 1, W - kW + 1)``; the kernel must not be larger than the image (SciPy
        would swap the two arrays; we raise instead). The default is ``"valid"``, what a CNN
        layer computes; note that SciPy's default is ``"full"``.
        ``"full"``: every overlap, the image zero-padded by ``kH - 1`` and ``kW - 1`` on each
        side, shape ``(H + kH - 1, W + kW - 1)``. ``"same"``: the ``(H, W)`` centre of the
        full output, starting at row ``kH // 2`` and column ``kW // 2`` (SciPy's choice).

    Returns
    -------
    numpy.ndarray, 2-D

    Examples
    --------
    >>> x = np.arange(9).reshape(3, 3)
    >>> correlate2d(x, [[1, 0], [0, -1]])
    array([[-4., -4.],
           [-4., -4.]])
    >>> correlate2d(x, [[1, 2]], mode="same")
    array([[ 2.,  5.,  2.],
           [11., 14.,  5.],
           [20., 23.,  8.]])
    """
    image, kernel = _check_2d(image, kernel, mode)
    kh, kw = kernel.shape
    return _correlate(image, kernel, mode, (kh // 2, kw // 2))


def convolve2d(image, kernel, mode="full"):
    """True (flipped-kernel) convolution of two 2-D arrays, as ``scipy.signal.convolve2d``.

    .. math::

        Y[i, j] = \\sum_{m} \\sum_{n} X[m, n] \\, K[i - m, j - n]

    Equivalently, the cross-correlation (:func:`correlate2d`) of the image with the kernel
    rotated by 180 degrees, ``K[::-1, ::-1]``.

    Parameters
    ----------
    image : array_like, shape (H, W)
        ``X``. Integers become float64.
    kernel : array_like, shape (kH, kW)
        ``K``.
    mode : {"full", "same", "valid"}, default "full"
        ``"full"``: shape ``(H + kH - 1, W + kW - 1)``, every ``(i, j)`` where the sum has a
        term. ``"valid"``: shape ``(H - kH + 1, W - kW + 1)``; the kernel must not be larger
        than the image (SciPy would swap the two arrays; we raise instead). ``"same"``: the
        ``(H, W)`` centre of the full output, starting at row ``(kH - 1) // 2`` and column
        ``(kW - 1) // 2`` (SciPy's choice).

    Returns
    -------
    numpy.ndarray, 2-D

    Examples
    --------
    >>> convolve2d([[1, 2], [3, 4]], [[1, 1]])
    array([[1., 3., 2.],
           [3., 7., 4.]])
    >>> convolve2d(np.arange(9).reshape(3, 3), [[1, 0], [0, -1]], mode="valid")
    array([[4., 4.],
           [4., 4.]])
    """
    image, kernel = _check_2d(image, kernel, mode)
    kh, kw = kernel.shape
    return _correlate(image, kernel[::-1, ::-1], mode, ((kh - 1) // 2, (kw - 1) // 2))


# --------------------------------------------------------------------------- sizes and padding


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Length of a convolution or pooling output along one axis.

    .. math::

        H_{out} = \\left\\lfloor \\frac{H + 2p - d (k - 1) - 1}{s} \\right\\rfloor + 1

    Parameters
    ----------
    input_size : int
        Input length ``H`` (height or width), at least 1.
    kernel_size : int
        Kernel length ``k``, at least 1.
    stride : int, default 1
        Step ``s`` between windows, at least 1.
    padding : int, default 0
        Zeros ``p`` added on *each* side, at least 0.
    dilation : int, default 1
        Spacing ``d`` between kernel taps (1 = contiguous kernel), at least 1.

    Returns
    -------
    int
        The output length PyTorch produces.

    Raises
    ------
    ValueError
        If the dilated kernel, ``d (k - 1) + 1``, is longer than the padded input
        ``H + 2p``, so that not even one window fits.

    Examples
    --------
    >>> conv_output_size(28, 3)
    26
    >>> conv_output_size(28, 3, stride=2, padding=1)
    14
    >>> conv_output_size(7, 3, dilation=2)
    3
    """
    input_size = check_int(input_size, "input_size", 1)
    kernel_size = check_int(kernel_size, "kernel_size", 1)
    stride = check_int(stride, "stride", 1)
    padding = check_int(padding, "padding", 0)
    dilation = check_int(dilation, "dilation", 1)
    return _out_len(input_size, kernel_size, stride, padding, dilation, "input")


def pad2d(x, padding, value=0.0):
    """Pad the last two axes of ``x`` with a constant, the same amount on both sides.

    .. math::

        X_{pad}[..., i + p_h, j + p_w] = X[..., i, j], \\qquad
        X_{pad} = \\text{value elsewhere}

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        At least 2-D. Integers become float64.
    padding : int or (int, int)
        ``p`` or ``(p_h, p_w)``, rows added above and below, columns left and right; >= 0.
    value : float, default 0.0
        The fill value (max pooling pads with ``-inf``).

    Returns
    -------
    numpy.ndarray, shape (..., H + 2 p_h, W + 2 p_w)
        A new array (a copy even when ``padding`` is 0), same float dtype as ``x``.

    Examples
    --------
    >>> pad2d([[1, 2], [3, 4]], 1)
    array([[0., 0., 0., 0.],
           [0., 1., 2., 0.],
           [0., 3., 4., 0.],
           [0., 0., 0., 0.]])
    """
    x = as_float(x, "x")
    if x.ndim < 2:
        raise ValueError(f"x must be at least 2-D, got a {x.ndim}-D array of shape {x.shape}")
    ph, pw = pair(padding, "padding", 0)
    return _pad(x, (ph, pw), value)
