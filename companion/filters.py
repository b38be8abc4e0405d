r"""Classic 3x3 filters, filter banks and parameter counts (chapters 2 and 5).

Orientation convention
----------------------
Every kernel in :data:`KERNELS` is meant to be applied by **cross-correlation**, as CNN
libraries do (``companion.correlate2d``, ``companion.conv2d``, ``F.conv2d``):

.. math:: S[i, j] = \sum_{m} \sum_{n} I[i + m, j + n]\, K[m, n]

Rows grow downwards and columns to the right, as in an image array. An *edge kernel
is named after the direction of the edges it finds*; its zero entries run along that
direction, and its response is **positive when the side to the right of the edge is
brighter** (for a horizontal edge, which has no right side: when the side *below* is
brighter), negative for the opposite contrast, and zero on a constant patch:

===================  ====================  ====================================
name                 finds edges like      positive response when
===================  ====================  ====================================
``vertical_edge``    ``|`` (Sobel, x)      the right side is brighter
``horizontal_edge``  ``-`` (Sobel, y)      the lower side is brighter
``diagonal_45``      ``/`` (45 degrees)    the lower-right side is brighter
``diagonal_135``     ``\`` (135 degrees)   the upper-right side is brighter
===================  ====================  ====================================

The other kernels: ``identity`` (copies the image), ``box_blur`` (mean of the 3x3
neighbourhood; sums to 1), ``laplacian`` (sum of second differences; zero on constant
and linear ramps, responds to spots and thin lines), ``sharpen`` (``identity`` minus
``laplacian``; sums to 1).

The Sobel kernels are the outer products of a smoothing vector :math:`(1, 2, 1)` and a
central difference :math:`(-1, 0, 1)`; they equal the kernels implied by
``scipy.ndimage.sobel`` (``axis=1`` for ``vertical_edge``, ``axis=0`` for
``horizontal_edge``). The diagonal kernels are the Sobel kernels rotated by 45
degrees, signed by the convention above. Under true convolution (``convolve2d``) every
edge kernel here flips its sign (it is antisymmetric under the flip).
"""

from __future__ import annotations

import types

import numpy as np

from ._validation import check_int, pair

__all__ = ["KERNELS", "filter_bank", "conv_param_count", "linear_param_count"]


def _frozen(rows):
    a = np.array(rows, dtype=np.float64)
    a.flags.writeable = False
    return a


#: Read-only mapping from a name to a read-only ``(3, 3)`` float64 kernel.
#: See the module docstring for the orientation convention. Copy a kernel
#: (``KERNELS["sharpen"].copy()``) to modify it.
KERNELS = types.MappingProxyType(
    {
        "identity": _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        "vertical_edge": _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        "horizontal_edge": _frozen([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
        "diagonal_45": _frozen([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]]),
        "diagonal_135": _frozen([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]]),
        "laplacian": _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
        "box_blur": _frozen(np.full((3, 3), 1.0 / 9.0)),
        "sharpen": _frozen([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    }
)


def filter_bank(names):
    r"""Stack named kernels into a convolution weight of shape ``(C_out, 1, 3, 3)``.

    Filter :math:`o` of the bank is ``KERNELS[names[o]]``, so that applying the bank with
    ``conv2d(x, filter_bank(names))`` to a grayscale batch ``x`` of shape ``(N, 1, H, W)``
    gives one feature map per name:

    .. math:: Y[n, o, i, j] = \sum_{m, k} X[n, 0, i + m, j + k]\, K_o[m, k]

    Parameters
    ----------
    names : sequence of str, length C_out >= 1
        Keys of :data:`KERNELS`, in the order of the output channels.

    Returns
    -------
    numpy.ndarray, shape (C_out, 1, 3, 3), float64
        A new, writable array.

    Examples
    --------
    >>> w = filter_bank(["vertical_edge", "horizontal_edge"])
    >>> w.shape
    (2, 1, 3, 3)
    >>> print(w[1, 0])
    [[-1. -2. -1.]
     [ 0.  0.  0.]
     [ 1.  2.  1.]]
    """
    if isinstance(names, (str, bytes)):
        raise TypeError(f"names must be a sequence of kernel names, got a single string {names!r}; use [{names!r}]")
    try:
        names = list(names)
    except TypeError:
        raise TypeError(f"names must be a sequence of kernel names, got {type(names).__name__}: {names!r}") from None
    if not names:
        raise ValueError("names must name at least one kernel, got an empty sequence")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"names must hold strings, got {type(name).__name__}: {name!r}")
        if name not in KERNELS:
            raise ValueError(f"names: unknown kernel {name!r}; choose from {sorted(KERNELS)}")
    return np.stack([KERNELS[name] for name in names])[:, None, :, :].copy()


def _check_bias(bias):
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be True or False, got {type(bias).__name__}: {bias!r}")
    return bool(bias)


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    r"""Number of learnable parameters of a 2-D convolutional layer (``nn.Conv2d``).

    .. math:: P = C_{out} \cdot C_{in} \cdot k_H \cdot k_W + C_{out}

    one weight per (output channel, input channel, kernel position), and one bias per
    output channel (the last term, dropped when ``bias=False``).

    Parameters
    ----------
    in_channels : int >= 1
        :math:`C_{in}`.
    out_channels : int >= 1
        :math:`C_{out}`, the number of filters.
    kernel_size : int or (int, int), each >= 1
        :math:`(k_H, k_W)`; an int means a square kernel.
    bias : bool, default True
        Whether the layer has a bias per output channel.

    Returns
    -------
    int

    Examples
    --------
    >>> conv_param_count(1, 32, 3)
    320
    >>> conv_param_count(32, 64, (3, 3))
    18496
    """
    c_in = check_int(in_channels, "in_channels", 1)
    c_out = check_int(out_channels, "out_channels", 1)
    k_h, k_w = pair(kernel_size, "kernel_size", 1)
    bias = _check_bias(bias)
    return c_out * c_in * k_h * k_w + (c_out if bias else 0)


def linear_param_count(in_features, out_features, bias=True):
    r"""Number of learnable parameters of a fully connected layer (``nn.Linear``).

    .. math:: P = d_{out} \cdot d_{in} + d_{out}

    Parameters
    ----------
    in_features : int >= 1
        :math:`d_{in}`.
    out_features : int >= 1
        :math:`d_{out}`.
    bias : bool, default True
        Whether the layer has a bias per output.

    Returns
    -------
    int

    Examples
    --------
    >>> linear_param_count(64 * 5 * 5, 128)
    204928
    >>> linear_param_count(128, 1)
    129
    """
    d_in = check_int(in_features, "in_features", 1)
    d_out = check_int(out_features, "out_features", 1)
    bias = _check_bias(bias)
    return d_out * d_in + (d_out if bias else 0)
