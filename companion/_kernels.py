"""Window arithmetic shared by convolution, pooling and their gradients.

Convolution (chapter 2), pooling (chapter 4) and backpropagation (chapter 7) all slide a
window over a padded input. What they share lives here, not in one of them:

* the **output length** along one axis, ``floor((n + 2p - d(k - 1) - 1) / s) + 1``
  (:func:`_out_len`, :func:`_output_size`), with an error that names every argument;
* **padding** (:func:`_pad`) and the read-only **window view** of every receptive field
  (:func:`_windows`), and the strided slice that one kernel tap meets (:func:`_taps`),
  with its adjoint, the scatter-add of :func:`_add_taps`;
* **blocking**: how many images' im2col columns are built at a time (:func:`_image_blocks`,
  sized by ``_BLOCK_ELEMENTS``, the one place that constant lives), in which layout
  (:func:`_per_image`, :func:`_block_columns`: usually side by side, so that one matrix
  product covers the whole block) and the reorder of that product's result into the output
  (:func:`_unblock`);
* the **argument checks** of the convolution and pooling entry points (:func:`_check_conv`,
  :func:`_check_conv2d`, :func:`_check_pool`), so that a forward function and its gradient
  reject the same input with the same message;
* the **pooling geometry** of PyTorch's ``ceil_mode`` (:func:`_pool_out_len`): the extra
  cells a last, partial window reads past the padding (:func:`_pool_sides`), where each
  window starts inside the input (:func:`_first_inside`) and how many cells it counts
  (:func:`_window_counts`).

Nothing here is public, and the names say so (``_pad``, ``_check_conv``, ...: the book
prints the body of ``conv2d_naive``, where they appear as the plumbing they are). The
modules import them from here, the one shared home, never from each other. They take
already-checked ints and pairs, except the two ``_check_*`` functions, which do the checking.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validation import as_float, check_bool, check_choice, check_int, pair

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


def _sides(padding):
    """``((top, bottom), (left, right))`` from ``(p_h, p_w)`` or from the sides themselves."""
    ph, pw = padding
    if isinstance(ph, tuple):
        return padding
    return (ph, ph), (pw, pw)


def _pad(x, padding, value=0.0):
    """``x`` with cells of ``value`` around its last two axes (a new array).

    ``padding`` is ``(p_h, p_w)`` (the same on both sides) or ``((top, bottom), (left, right))``.
    """
    (t, b), (l, r) = _sides(padding)
    h, w = x.shape[-2:]
    out = np.full(x.shape[:-2] + (h + t + b, w + l + r), value, dtype=x.dtype)
    out[..., t : t + h, l : l + w] = x
    return out


def _pad_for_reading(x, padding, value=0.0):
    """``x`` padded as by :func:`_pad`, or ``x`` itself when every side is 0.

    For the window views of convolution and pooling, which only read the padded input:
    without padding there is nothing to add, and a copy would cost a pass over the input for
    nothing.
    """
    if all(side == 0 for side in np.ravel(_sides(padding))):
        return x
    return _pad(x, padding, value)


def _crop(xp, padding, hw):
    """The ``(H, W)`` = ``hw`` inside of a padded array: the adjoint of :func:`_pad`'s copy."""
    (t, _), (l, _) = _sides(padding)
    return xp[..., t : t + hw[0], l : l + hw[1]]


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


def _tile_view(grad_xp, kernel_size, out_size):
    """For windows that tile the padded input (stride = kernel size, no dilation): the view
    ``(N, C, H_out, kH, W_out, kW)`` of ``grad_xp`` whose ``[n, c, i, m, j, q]`` is the cell
    ``(i kH + m, j kW + q)``, tap ``(m, q)`` of window ``(i, j)``.

    Each cell belongs to one window at most, so a pooling gradient is written into this view
    by broadcasting one value per window over its taps: a reshape, no loop, no addition.
    """
    (kh, kw), (ho, wo) = kernel_size, out_size
    region = grad_xp[:, :, : ho * kh, : wo * kw]  # cells past the last window get nothing
    return region.reshape(region.shape[:2] + (ho, kh, wo, kw))


def _window_argmax(xp, kernel_size, stride, dilation, out_size, first):
    """Per window, its maximum and the tap ``m kW + q`` that holds it, two
    ``(N, C, H_out, W_out)`` arrays.

    PyTorch's rule: the search runs over the taps in row-major order and keeps the *first*
    maximum (a later tap wins only if strictly larger, or nan); ``first``, the tap each
    window starts from (its first tap inside the input, an ``(H_out, W_out)`` array), wins
    when every value is ``-inf``. Padding cells hold ``-inf`` and never win.

    One pass per tap over a strided view of the input, with branch-free operations only
    (a masked copy, ``np.copyto(..., where=)``, is several times slower on random masks):
    the running maximum is ``np.maximum`` (which keeps a nan, as the rule does), and since
    the taps come in increasing order, a tap that beats the running maximum has a larger
    number than every earlier winner, so ``winner = max(winner, t * better)`` records it.
    A nan is looked for once, in the maxima: a window whose maximum is nan is won by its
    *last* nan (each nan replaces the one before), found by a second pass over the taps.
    """
    kh, kw = kernel_size
    shape = xp.shape[:2] + tuple(out_size)
    best = np.full(shape, -np.inf, dtype=xp.dtype)
    tap_type = np.min_scalar_type(kh * kw - 1)
    winner = np.empty(shape, dtype=tap_type)
    winner[...] = first
    scratch = np.empty(shape, dtype=tap_type)
    better = np.empty(shape, dtype=bool)
    taps = list(_taps(kernel_size, stride, out_size, dilation))
    for m, q, rows, cols in taps:
        values = xp[:, :, rows, cols]
        np.greater(values, best, out=better)
        np.multiply(better, tap_type.type(m * kw + q), out=scratch)  # t where better, else 0
        np.maximum(winner, scratch, out=winner)
        np.maximum(best, values, out=best)
    nan = np.isnan(best)
    if nan.any():
        last_nan = np.zeros(shape, dtype=tap_type)
        for m, q, rows, cols in taps:
            np.multiply(np.isnan(xp[:, :, rows, cols]), tap_type.type(m * kw + q), out=scratch)
            np.maximum(last_nan, scratch, out=last_nan)
        winner[nan] = last_nan[nan]
    return best, winner


def _winner_index(winner, hw, kernel_size, stride, padding, dilation):
    """The flat index ``row * W + col`` in its ``(H, W)`` input plane of each window's
    winning tap ``t = m kW + q`` (from :func:`_window_argmax`), int64, the shape of
    ``winner``: the window's corner ``(i s_h - p_h, j s_w - p_w)`` plus the tap's offset
    ``(m d_h, q d_w)``, the latter looked up in a table of the ``kH kW`` taps."""
    (h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw) = hw, kernel_size, stride, padding, dilation
    ho, wo = winner.shape[-2:]
    corner = (np.arange(ho) * sh - ph)[:, None] * w + (np.arange(wo) * sw - pw)[None, :]
    t = np.arange(kh * kw, dtype=np.int64)
    index = ((t // kw) * dh * w + (t % kw) * dw)[winner]
    index += corner
    return index


def _scatter_max_grad(g, index, hw):
    """Max pooling's input gradient from the flat index of each window's winner: every
    window's ``G`` added at its index in its own ``(H, W)`` plane, ``(N, C, H, W)``.

    ``g`` and ``index`` are ``(N, C, H_out, W_out)``, ``index`` int64; offset by the start of
    its plane, ``(n C + c) H W``, it indexes the whole flattened gradient. One unbuffered
    addition, ``np.add.at``, adds the ``G`` of every window a cell won (windows that overlap
    can share a winner) and costs no more than an assignment; adding onto zeros also turns
    a -0.0 in ``G`` into 0.0, as PyTorch's does.
    """
    n, c = g.shape[:2]
    h, w = hw
    index = index + (np.arange(n * c, dtype=np.int64) * (h * w)).reshape(n, c, 1, 1)
    grad = np.zeros((n, c, h, w), dtype=g.dtype)
    np.add.at(grad.reshape(-1), index.reshape(-1), g.reshape(-1))
    return grad


# --------------------------------------------------------------------------- blocking


def _image_blocks(n, k, L):
    """The blocks of images whose im2col columns are built at a time, as ``(start, count)``.

    A block holds as many images as fit in ``_BLOCK_ELEMENTS`` elements of columns
    (``K * L`` per image), at least one; the first block is the largest.

    >>> _image_blocks(5, 10, 100)
    [(0, 5)]
    """
    block = max(1, min(n, _BLOCK_ELEMENTS // (k * L)))
    return [(n0, min(block, n - n0)) for n0 in range(0, n, block)]


def _per_image(k, c_out, backward=False):
    """Matrix-product layout: one product per image, or the block's images side by side in
    one large product whose result is then reordered (a pass over the output, cheap next to
    a product of ``K`` multiply-adds per output number).

    One product per image when each output number takes fewer than 64 multiply-adds
    (``K < 64``: 8 kernels of 3 x 3 taps on one channel), where the reordering would cost
    more than the product itself, and, in the forward pass, when the output has more rows
    than the columns (``C_out > K``, 32 kernels of 3 x 3 taps on one channel), so that each
    product writes straight into the output. The backward pass reorders its upstream
    gradient in either layout and keeps the large products there (measured: 64 kernels of
    3 x 3 taps on 8 channels take 1.1 to 1.3 times as long one image at a time)."""
    return k < 64 or (c_out > k and not backward)


def _block_columns(view, n0, b, buffer, per_image=False):
    """Copy the im2col columns of images ``n0 .. n0 + b - 1`` of a :func:`_windows` view into
    ``buffer``. Side by side (the default): shape ``(K, b*L)``, column ``n*L + l`` is output
    position ``l`` of the block's image ``n``; with ``per_image``: shape ``(b, K, L)``.

    Side by side, one matrix product ``(C_out, K) @ (K, b*L)`` covers the whole block: a
    product this large keeps every core of the BLAS busy, where one small product per image
    would not (and each call has its own overhead).
    """
    _, c, kh, kw, ho, wo = view.shape
    k, L = c * kh * kw, ho * wo
    if per_image:
        cols = buffer[: k * b * L].reshape(b, c, kh, kw, ho, wo)
        np.copyto(cols, view[n0 : n0 + b])
        return cols.reshape(b, k, L)
    cols = buffer[: k * b * L].reshape(c, kh, kw, b, ho, wo)
    np.copyto(cols, view[n0 : n0 + b].transpose(1, 2, 3, 0, 4, 5))
    return cols.reshape(k, b * L)


def _unblock(y, b, out, bias=None):
    """Write a block's product ``y``, ``(C_out, b*L)``, into ``out``, ``(b, C_out, L)``,
    adding ``bias`` (``(C_out,)`` or None) on the way: one pass over the output that both
    reorders the images to the front and adds the bias."""
    c_out = y.shape[0]
    rows = y.reshape(c_out, b, -1).transpose(1, 0, 2)  # a view: (b, C_out, L)
    if bias is None:
        np.copyto(out, rows)
    else:
        np.add(rows, bias[:, None], out=out)


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


def _check_conv2d(x, weight, bias, stride, padding, dilation, groups, name="input"):
    """Validate the arguments of the fast conv2d and its backward (all of PyTorch's).

    Besides what :func:`_check_conv` checks: an unbatched ``(C, H, W)`` input, ``groups``
    (dividing both channel counts, ``weight`` of shape ``(C_out, C_in / groups, kH, kW)``)
    and ``padding="same"`` / ``"valid"``. Returns ``x4, weight, bias, stride, sides,
    dilation, groups, (H_out, W_out), unbatched``: ``x4`` is 4-D, ``sides`` the padding as
    ``((top, bottom), (left, right))`` ("same" pads ``d (k - 1)`` cells, the odd one at the
    bottom and right, as PyTorch does).
    """
    x = as_float(x, name, (3, 4))
    weight = as_float(weight, "weight", 4)
    groups = check_int(groups, "groups", 1)
    unbatched = x.ndim == 3
    x4 = x[None] if unbatched else x
    c_in, c_out = x4.shape[1], weight.shape[0]
    if groups == 1 and weight.shape[1] != c_in:
        raise ValueError(
            f"weight has C_in={weight.shape[1]} (shape {weight.shape}) "
            f"but {name} has {c_in} channels (shape {x.shape})"
        )
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups={groups} must divide both the input channels C_in={c_in} ({name} of shape "
            f"{x.shape}) and the output channels C_out={c_out} (weight of shape {weight.shape})"
        )
    if weight.shape[1] * groups != c_in:
        raise ValueError(
            f"weight must have C_in / groups = {c_in} / {groups} = {c_in // groups} input "
            f"channels per group (shape ({c_out}, {c_in // groups}, kH, kW)), got shape {weight.shape}"
        )
    if bias is not None:
        bias = as_float(bias, "bias", 1)
        if bias.shape != (c_out,):
            raise ValueError(
                f"bias must have shape (C_out,) = ({c_out},) to match weight "
                f"{weight.shape}, got {bias.shape}"
            )
    stride = pair(stride, "stride", 1)
    dilation = pair(dilation, "dilation", 1)
    kernel = weight.shape[2:]
    if isinstance(padding, str):
        check_choice(padding, "padding", ("same", "valid"), kind="an int, a pair of ints, 'same' or 'valid'")
        if padding == "valid":
            sides = ((0, 0), (0, 0))
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError(f"padding='same' is not supported for strided convolutions, got stride={stride}")
            totals = [dilation[a] * (kernel[a] - 1) for a in (0, 1)]
            sides = tuple((t // 2, t - t // 2) for t in totals)
        else:  # pragma: no cover - check_choice has rejected every other string
            raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    else:
        p = pair(padding, "padding", 0)
        sides = ((p[0], p[0]), (p[1], p[1]))
    if sides[0][0] == sides[0][1] and sides[1][0] == sides[1][1]:
        out_size = _output_size(x4.shape[2:], kernel, stride, (sides[0][0], sides[1][0]), dilation)
    else:  # "same" with an odd total: the output has the input's size
        out_size = tuple(x4.shape[2:])
    dtype = _float_dtype(x4, weight)
    x4, weight = x4.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    if bias is not None:
        bias = bias.astype(dtype, copy=False)
    return x4, weight, bias, stride, sides, dilation, groups, out_size, unbatched


def _pool_out_len(n, k, s, p, d, ceil_mode, what):
    """Pooling output length, PyTorch's rule: with ``ceil_mode`` the division rounds up, but a
    last window that would start in the right padding (or past it) is dropped.

    >>> _pool_out_len(6, 3, 2, 0, 1, False, "input"), _pool_out_len(6, 3, 2, 0, 1, True, "input")
    (2, 3)
    """
    if not ceil_mode:
        return _out_len(n, k, s, p, d, what)
    span = d * (k - 1) + 1
    out = (n + 2 * p - span + s - 1) // s + 1
    if (out - 1) * s >= n + p:
        out -= 1
    if out < 1:
        raise ValueError(
            f"kernel_size={k} with dilation={d} spans {span} elements, too many for the {what} "
            f"of length n={n} padded with padding={p} on each side, even with ceil_mode=True"
        )
    return out


def _pool_sides(hw, kernel_size, stride, padding, dilation, out_size):
    """``((top, bottom), (left, right))``: the padding plus, at the bottom and right, the cells
    that the last window of ``ceil_mode`` reads beyond it."""
    sides = []
    for a in (0, 1):
        reach = (out_size[a] - 1) * stride[a] + dilation[a] * (kernel_size[a] - 1) + 1
        extra = max(0, reach - (hw[a] + 2 * padding[a]))
        sides.append((padding[a], padding[a] + extra))
    return tuple(sides)


def _first_inside(s, p, d, out):
    """Per window along one axis, the first tap inside the input: ``start + t d >= 0``, as
    a 1-D array of input coordinates (where PyTorch's max pooling starts its search)."""
    start = np.arange(out) * s - p
    behind = np.maximum(-start, 0)
    return start + (behind + d - 1) // d * d


def _first_tap(kernel_size, stride, padding, dilation, out_size):
    """Per window, the number ``m kW + q`` of its first tap inside the input, as an
    ``(H_out, W_out)`` array: where :func:`_window_argmax` starts its search."""
    m0, q0 = (
        (_first_inside(stride[a], padding[a], dilation[a], out_size[a]) - (np.arange(out_size[a]) * stride[a] - padding[a]))
        // dilation[a]
        for a in (0, 1)
    )
    return m0[:, None] * kernel_size[1] + q0[None, :]


def _window_counts(n, k, s, p, out, include_pad):
    """Per window along one axis, how many cells the mean of ``avg_pool2d`` divides by: the
    window clipped to the padded input (``include_pad``) or to the input itself."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    if include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def _avg_divisor(hw, kernel_size, stride, padding, out_size, ceil_mode, count_include_pad, divisor_override):
    """What each window's sum is divided by in ``avg_pool2d``: ``divisor_override``, else
    ``kH * kW`` (a number) when every window is whole, else an ``(H_out, W_out)`` array of the
    cells each window counts (clipped at the padded edge by ``ceil_mode``; padding left out
    unless ``count_include_pad``)."""
    if divisor_override is not None:
        return divisor_override
    if count_include_pad and not ceil_mode:
        return kernel_size[0] * kernel_size[1]
    rows, cols = (
        _window_counts(hw[a], kernel_size[a], stride[a], padding[a], out_size[a], count_include_pad)
        for a in (0, 1)
    )
    return rows[:, None] * cols[None, :]


def _check_avg(count_include_pad, divisor_override):
    """The two arguments only average pooling has: a bool and ``None`` or a non-zero int."""
    count_include_pad = check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        divisor_override = check_int(divisor_override, "divisor_override")
        if divisor_override == 0:
            raise ValueError("divisor_override must be a non-zero int or None, got 0")
    return count_include_pad, divisor_override


def _check_pool(x, kernel_size, stride, padding, dilation=1, ceil_mode=False, name="input"):
    """Validate pooling arguments; return ``x``, a 4-D view of it, the pairs and the output size.

    Returns ``x, x4, kernel_size, stride, padding, dilation, out_size, sides``; ``sides`` is
    the padding of :func:`_pool_sides`. ``stride`` ``None`` or ``()`` is the kernel size.
    """
    x = as_float(x, name, (2, 3, 4))
    kernel_size = pair(kernel_size, "kernel_size", 1)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel_size
    else:
        stride = pair(stride, "stride", 1)
    padding = pair(padding, "padding", 0)
    dilation = pair(dilation, "dilation", 1)
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    for axis in (0, 1):
        if padding[axis] > kernel_size[axis] // 2:
            raise ValueError(
                f"padding={padding[axis]} must be at most kernel_size // 2 = "
                f"{kernel_size[axis] // 2} (kernel_size={kernel_size[axis]}, axis {'HW'[axis]})"
            )
    hw = x.shape[-2:]
    out_size = tuple(
        _pool_out_len(hw[a], kernel_size[a], stride[a], padding[a], dilation[a], ceil_mode, what)
        for a, what in enumerate(("input height", "input width"))
    )
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
    sides = _pool_sides(hw, kernel_size, stride, padding, dilation, out_size)
    return x, x4, kernel_size, stride, padding, dilation, out_size, sides
