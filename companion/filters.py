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

from ._kernels import _out_len
from ._validation import check_int, pair

__all__ = ["KERNELS", "filter_bank", "conv_param_count", "linear_param_count", "layer_costs"]


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


_LAYER_FORMS = (
    "('conv', out_channels, kernel_size[, stride[, padding[, groups]]]), ('pool', kernel_size[, stride]), "
    "('gap',), ('relu',), ('sigmoid',), ('flatten',) or ('linear', out_features)"
)


def _layer_spec(layer, i):
    """Check one layer spec of :func:`layer_costs`; return ``(kind, args)`` with ints."""
    if not isinstance(layer, (tuple, list)) or not layer or not isinstance(layer[0], str):
        raise TypeError(f"layers[{i}] must be a tuple like {_LAYER_FORMS}; got {layer!r}")
    kind, args = layer[0], tuple(layer[1:])
    arity = {"conv": (2, 5), "pool": (1, 2), "gap": (0, 0), "relu": (0, 0), "sigmoid": (0, 0),
             "flatten": (0, 0), "linear": (1, 1)}
    if kind not in arity:
        raise ValueError(f"layers[{i}]: unknown layer {kind!r}; the forms are {_LAYER_FORMS}")
    low, high = arity[kind]
    if not low <= len(args) <= high:
        raise ValueError(f"layers[{i}] = {layer!r}: {kind!r} takes {low} to {high} numbers; the forms are "
                         f"{_LAYER_FORMS}")
    names = {"conv": ("out_channels", "kernel_size", "stride", "padding", "groups"),
             "pool": ("kernel_size", "stride"), "linear": ("out_features",)}.get(kind, ())
    minimum = {"padding": 0}
    return kind, tuple(check_int(a, f"layers[{i}] {n}", minimum.get(n, 1)) for a, n in zip(args, names))


def layer_costs(layers, input_shape):
    r"""Parameters, multiply-adds and activations of each layer of a sequential CNN, for one image.

    For a convolution from :math:`C_{in}` to :math:`C_{out}` channels with ``groups`` = :math:`g`
    and a :math:`k_H \times k_W` kernel, and for a dense layer from :math:`d_{in}` to
    :math:`d_{out}` features:

    .. math::

        \text{params} = C_{out} \frac{C_{in}}{g} k_H k_W + C_{out}, \qquad
        \text{MACs} = H_{out} W_{out} \cdot C_{out} \cdot \frac{C_{in}}{g} k_H k_W, \qquad
        \text{activations} = C_{out} H_{out} W_{out}

    and :math:`d_{out} d_{in} + d_{out}` parameters, :math:`d_{in} d_{out}` multiply-adds and
    :math:`d_{out}` activations for the dense layer. One multiply-add per weight and output
    position; the additions of the bias, the comparisons of a max pool, the sums of an average
    pool and the activation functions are not multiply-adds and count 0 (they are a few
    operations per value, far fewer than a convolution's). Pooling, activations and flatten
    have no parameters. ``activations`` is the number of values the layer outputs, what must
    be stored for the backward pass (times 4 bytes in float32).

    Parameters
    ----------
    layers : sequence of tuple
        One tuple per layer, first layer first:
        ``("conv", out_channels, kernel_size[, stride=1[, padding=0[, groups=1]]])`` (square
        kernel, bias), ``("pool", kernel_size[, stride=kernel_size])`` (max or average
        pooling), ``("gap",)`` (global average pooling, to ``(C,)``), ``("relu",)``,
        ``("sigmoid",)``, ``("flatten",)``, ``("linear", out_features)`` (after a flatten or
        a global pooling).
    input_shape : (int, int, int)
        ``(C, H, W)`` of one input image.

    Returns
    -------
    list of dict
        One dict per layer with the keys ``"layer"`` (a short name, str), ``"output_shape"``
        (tuple of int, ``(C, H, W)`` or ``(d,)``), ``"params"``, ``"macs"`` and
        ``"activations"`` (int).

    Examples
    --------
    >>> rows = layer_costs([("conv", 32, 3), ("relu",), ("pool", 2), ("flatten",), ("linear", 10)], (1, 28, 28))
    >>> [(r["layer"], r["output_shape"], r["params"], r["macs"]) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
    [('conv 3x3, 32', (32, 26, 26), 320, 194688), ('relu', (32, 26, 26), 0, 0),
     ('pool 2x2', (32, 13, 13), 0, 0), ('flatten', (5408,), 0, 0),
     ('linear 10', (10,), 54090, 54080)]
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, (list, tuple)):
        raise TypeError(f"layers must be a list or tuple of layer tuples, got {type(layers).__name__}: {layers!r}")
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), three ints, got {input_shape!r}")
    shape = tuple(check_int(v, "input_shape", 1) for v in input_shape)
    specs = [_layer_spec(layer, i) for i, layer in enumerate(layers)]  # everything checked first
    rows = []
    for i, (kind, args) in enumerate(specs):
        params = macs = 0
        if kind in ("conv", "pool", "gap", "flatten") and len(shape) != 3:
            raise ValueError(f"layers[{i}] {kind!r} needs feature maps (C, H, W), but gets {shape}")
        if kind == "conv":
            c_out, k, s, p, g = args + (1, 0, 1)[len(args) - 2:]
            c_in, h, w = shape
            if c_in % g or c_out % g:
                raise ValueError(f"layers[{i}] groups={g} must divide C_in={c_in} and C_out={c_out}")
            h_out = _out_len(h, k, s, p, 1, f"layers[{i}] input height")
            w_out = _out_len(w, k, s, p, 1, f"layers[{i}] input width")
            params = c_out * (c_in // g) * k * k + c_out
            macs = h_out * w_out * c_out * (c_in // g) * k * k
            shape, name = (c_out, h_out, w_out), f"conv {k}x{k}, {c_out}" + (f", groups {g}" if g > 1 else "")
            if s > 1:
                name += f", stride {s}"
        elif kind == "pool":
            k, s = args[0], (args[1] if len(args) == 2 else args[0])
            c, h, w = shape
            shape = (c, _out_len(h, k, s, 0, 1, f"layers[{i}] input height"),
                     _out_len(w, k, s, 0, 1, f"layers[{i}] input width"))
            name = f"pool {k}x{k}" + (f", stride {s}" if s != k else "")
        elif kind == "gap":
            shape, name = (shape[0],), "global avg pool"
        elif kind == "flatten":
            shape, name = (shape[0] * shape[1] * shape[2],), "flatten"
        elif kind in ("relu", "sigmoid"):
            name = kind
        elif kind == "linear":
            if len(shape) != 1:
                raise ValueError(f"layers[{i}] 'linear' needs a vector (d,): put ('flatten',) or ('gap',) "
                                 f"before it; it gets {shape}")
            d_out = args[0]
            params, macs = d_out * shape[0] + d_out, shape[0] * d_out
            shape, name = (d_out,), f"linear {d_out}"
        else:  # pragma: no cover - _layer_spec has rejected every other kind
            raise ValueError(f"layers[{i}]: unknown layer {kind!r}")
        activations = 1
        for v in shape:
            activations *= v
        rows.append({"layer": name, "output_shape": shape, "params": params, "macs": macs,
                     "activations": activations})
    return rows
