"""Window arithmetic shared by convolution, pooling and their gradients.

Convolution (chapter 2), pooling (chapter 4) and backpropagation (chapter 7) all slide a
window over a padded input. What they share lives here, not in one of them:

* the **output length** along one axis, ``floor((n + 2p - d(k - 1) - 1) / s) + 1``
  (:func:`_out_len`, :func:`_output_size`), with an error that names every argument;
* **padding** (:func:`_pad`) and the read-only **window view** of every receptive field
  (:func:`_windows`), and the strided slice that one kernel tap meets (:func:`_taps`),
  with its adjoint, the scatter-add of :func:`_add_taps`;
* **blocking**: how many images' im2col columns are built at a time (:func:`_image_blocks`,
  sized by ``_BLOCK_ELEMENTS``, the one place that constant lives) and in which layout
  (:func:`_per_image`, :func:`_block_columns`);
* the **argument checks** of the convolution and pooling entry points (:func:`_check_conv`,
  :func:`_check_pool`), so that a forward function and its gradient reject the same input
  with the same message.

Nothing here is public, and the names say so (``_pad``, ``_check_conv``, ...: the book
prints the body of ``conv2d_naive``, where they appear as the plumbing they are). The
modules import them from here, the one shared home, never from each other. They take
already-checked ints and pairs, except the two ``_check_*`` functions, which do the checking.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validation import as_float, pair

__all__: list[str] = []

# How many elements of im2col columns conv2d (and its backward) builds at a time. A block
# this size (about 4 MB in float32) stays in the CPU cache while the matrix product reads it.
_BLOCK_ELEMENTS = 1 << 20


# --------------------------------------------------------------------------- lengths


def _out_len(n, k, s, p, d, what):
    """Output length for already-checked ints; the error names every argument.

    >>> _out_len(28, 3, 2, 1, 1, "input")
    14
    """
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        raise ValueError(
            f"kernel_size={k} with dilation={d} spans {span} elements, more than the {what} "
            f"of length n={n} padded with padding={p} on each side ({n + 2 * p})"
        )
    return (n + 2 * p - span) // s + 1


def _output_size(hw, kernel_size, stride, padding, dilation):
    """``(H_out, W_out)`` of an input of height and width ``hw``; each argument a pair."""
    return tuple(
        _out_len(hw[a], kernel_size[a], stride[a], padding[a], dilation[a], what)
        for a, what in enumerate(("input height", "input width"))
    )


# --------------------------------------------------------------------------- windows


def _pad(x, padding, value=0.0):
    """``x`` with ``padding = (p_h, p_w)`` cells of ``value`` around its last two axes (a new array)."""
    ph, pw = padding
    h, w = x.shape[-2:]
    out = np.full(x.shape[:-2] + (h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    out[..., ph : ph + h, pw : pw + w] = x
    return out


def _windows(xp, kernel_size, stride, dilation, out_size):
    """Read-only view ``(N, C, kH, kW, H_out, W_out)`` of every receptive field of ``xp``.

    ``view[n, c, m, q, i, j] = xp[n, c, i*s_h + m*d_h, j*s_w + q*d_w]``; no data is copied.
    """
    sn, sc, sh, sw = xp.strides
    (kh, kw), (s_h, s_w), (d_h, d_w), (ho, wo) = kernel_size, stride, dilation, out_size
    shape = xp.shape[:2] + (kh, kw, ho, wo)
    strides = (sn, sc, sh * d_h, sw * d_w, sh * s_h, sw * s_w)
    return as_strided(xp, shape, strides, writeable=False)


def _taps(kernel_size, stride, out_size, dilation=(1, 1)):
    """Yield ``(m, q, rows, cols)``: the slices of the padded input that kernel tap ``(m, q)``
    meets over all output positions, ``X_pad[..., i*s_h + m*d_h, j*s_w + q*d_w]``."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel_size, stride, dilation, out_size
    for m in range(kh):
        rows = slice(m * dh, m * dh + sh * (ho - 1) + 1, sh)
        for q in range(kw):
            yield m, q, rows, slice(q * dw, q * dw + sw * (wo - 1) + 1, sw)


def _add_taps(grad_xp, dcols, kernel_size, stride, dilation, out_size):
    """Scatter-add columns back: ``grad_xp[c, n, i*s+m*d, j*s+q*d] += dcols[c, m, q, n, i, j]``.

    ``grad_xp`` is ``(C, N, H_pad, W_pad)`` and ``dcols`` is ``(C, kH, kW, N, H_out, W_out)``.
    One strided slice per kernel tap: windows that overlap add up, no ``np.add.at`` needed.
    """
    for m, q, rows, cols in _taps(kernel_size, stride, out_size, dilation):
        grad_xp[:, :, rows, cols] += dcols[:, m, q]


# --------------------------------------------------------------------------- blocking


def _per_image(k, L):
    """Matrix-product layout: one product per image when an image has at least as many output
    positions ``L`` as kernel taps ``K``; otherwise a block of images side by side."""
    return L >= k


def _image_blocks(n, k, L):
    """The blocks of images whose im2col columns are built at a time, as ``(start, count)``.

    A block holds as many images as fit in ``_BLOCK_ELEMENTS`` elements of columns
    (``K * L`` per image), at least one; the first block is the largest.

    >>> _image_blocks(5, 10, 100)
    [(0, 5)]
    """
    block = max(1, min(n, _BLOCK_ELEMENTS // (k * L)))
    return [(n0, min(block, n - n0)) for n0 in range(0, n, block)]


def _block_columns(view, n0, b, buffer):
    """Copy the im2col columns of images ``n0 .. n0 + b - 1`` of a :func:`_windows` view into
    ``buffer``: shape ``(b, K, L)`` when :func:`_per_image`, else ``(K, b*L)`` (the block's
    images side by side)."""
    _, c, kh, kw, ho, wo = view.shape
    k, L = c * kh * kw, ho * wo
    if _per_image(k, L):
        cols = buffer[: k * b * L].reshape(b, c, kh, kw, ho, wo)
        np.copyto(cols, view[n0 : n0 + b])
        return cols.reshape(b, k, L)
    cols = buffer[: k * b * L].reshape(c, kh, kw, b, ho, wo)
    np.copyto(cols, view[n0 : n0 + b].transpose(1, 2, 3, 0, 4, 5))
    return cols.reshape(k, b * L)


# --------------------------------------------------------------------------- argument checks


def _float_dtype(*arrays):
    """The common dtype of the arrays that are not None."""
    return np.result_type(*[a.dtype for a in arrays if a is not None])


def _check_conv(x, weight, bias, stride, padding, dilation):
    """Validate the arguments of conv2d (and its backward); return clean values.

    Returns ``x, weight, bias, stride, padding, dilation, (H_out, W_out)``, the arrays in
    their common float dtype and the settings as pairs.
    """
    x = as_float(x, "x", 4)
    weight = as_float(weight, "weight", 4)
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"weight has C_in={weight.shape[1]} (shape {weight.shape}) "
            f"but x has {x.shape[1]} channels (shape {x.shape})"
        )
    if bias is not None:
        bias = as_float(bias, "bias", 1)
        if bias.shape != (weight.shape[0],):
            raise ValueError(
                f"bias must have shape (C_out,) = ({weight.shape[0]},) to match weight "
                f"{weight.shape}, got {bias.shape}"
            )
    stride = pair(stride, "stride", 1)
    padding = pair(padding, "padding", 0)
    dilation = pair(dilation, "dilation", 1)
    out_size = _output_size(x.shape[2:], weight.shape[2:], stride, padding, dilation)
    dtype = _float_dtype(x, weight)  # a bias given as a list of ints does not upcast float32
    x, weight = x.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    if bias is not None:
        bias = bias.astype(dtype, copy=False)
    return x, weight, bias, stride, padding, dilation, out_size


def _check_pool(x, kernel_size, stride, padding):
    """Validate pooling arguments; return ``x``, a 4-D view of it, the pairs and the output size."""
    x = as_float(x, "x", (2, 3, 4))
    kernel_size = pair(kernel_size, "kernel_size", 1)
    stride = kernel_size if stride is None else pair(stride, "stride", 1)
    padding = pair(padding, "padding", 0)
    for axis in (0, 1):
        if padding[axis] > kernel_size[axis] // 2:
            raise ValueError(
                f"padding={padding[axis]} must be at most kernel_size // 2 = "
                f"{kernel_size[axis] // 2} (kernel_size={kernel_size[axis]}, axis {'HW'[axis]})"
            )
    out_size = _output_size(x.shape[-2:], kernel_size, stride, padding, (1, 1))
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
    return x, x4, kernel_size, stride, padding, out_size
