r"""Automatic differentiation (chapter 9): a small reverse-mode engine on NumPy arrays.

A :class:`Tensor` holds an array (``.data``) and, once :meth:`Tensor.backward` has run, the
gradient of a scalar with respect to it (``.grad``), as ``torch.Tensor`` does. Every
operation on tensors records a node of a **computational graph**: its inputs (``parents``)
and a backward rule that turns the gradient of its output, :math:`G`, into the gradients of
its inputs. The rules are the book's own backward functions of ``companion.backprop``
(``conv2d_backward`` of :mod:`~companion.backprop.conv`, ``max_pool2d_backward`` of
:mod:`~companion.backprop.pooling`, ``relu_backward``, ``linear_backward`` and
``cross_entropy_backward`` of :mod:`~companion.backprop.dense`); the engine adds only three
things:

1. the graph, recorded while the forward pass runs;
2. a topological order of it (:func:`topological_order`), so that a node's rule runs only
   after every node that uses it has sent its gradient back;
3. the sum of the gradients that arrive at a node used several times (a fork), the
   multivariate chain rule

   .. math::

       \frac{\partial L}{\partial h} = \sum_{k} \frac{\partial L}{\partial h_k}
           \frac{\partial h_k}{\partial h}

   over the nodes :math:`h_k` that read :math:`h`.

The names and argument orders are PyTorch's (``Tensor(data, requires_grad=...)``,
``conv2d(x, weight, bias, stride, padding, dilation)``, ...). The functions
:func:`conv2d`, :func:`max_pool2d`, :func:`flatten`, :func:`linear` and
:func:`cross_entropy` take and return tensors; they have the names of the plain NumPy
functions ``companion.conv2d`` ... that they call, so they are used as
``companion.autograd.conv2d``; only :class:`Tensor`, :func:`topological_order` and
:func:`make_node` (which records a new operation) are also exported flat.

As in PyTorch, only leaves (tensors made by the user) keep a ``.grad``, and a second call of
``backward`` adds to it; set ``x.grad = None`` to start again. Unlike PyTorch, the graph is
never freed by ``backward``: calling it twice on the same loss is allowed (PyTorch needs
``retain_graph=True`` for that) and adds the same gradient twice.
"""

from __future__ import annotations

import numpy as np

from . import convolution, layers, pooling
from ._validation import as_array, as_float, check_bool
from .backprop import (
    conv2d_backward,
    cross_entropy_backward,
    linear_backward,
    max_pool2d_backward,
    relu_backward,
)

__all__ = [
    "Tensor",
    "topological_order",
    "make_node",
    "conv2d",
    "max_pool2d",
    "flatten",
    "linear",
    "cross_entropy",
]

# The names of this module that companion/__init__.py exports flat: the others would hide
# the NumPy functions of the same name.
FLAT_NAMES = ("Tensor", "topological_order", "make_node")


class Tensor:
    """An array that remembers how it was computed, for reverse-mode differentiation.

    Parameters
    ----------
    data : array_like of real numbers, any shape
        The values; integers are converted to float64, float32 stays float32.
    requires_grad : bool, default False
        Whether gradients with respect to this tensor are wanted (a leaf such as a weight).

    Attributes
    ----------
    data : numpy.ndarray
        The values.
    grad : numpy.ndarray or None
        ``dL/d(self)``, the shape of ``data``, after ``L.backward()``; ``None`` before, and
        always ``None`` for tensors computed from others.
    requires_grad : bool
        True for a leaf created with ``requires_grad=True`` and for every tensor computed
        from one.
    parents : tuple of Tensor
        The inputs of the operation that made this tensor; empty for a leaf.
    op : str
        The name of that operation (``"mul"``, ``"conv2d"``, ...); ``""`` for a leaf.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> loss = (x * x).sum()
    >>> loss.data
    array(14.)
    >>> loss.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __array_ufunc__ = None  # ``array + tensor`` calls Tensor.__radd__ instead of NumPy's loop

    def __init__(self, data, requires_grad=False):
        self.data = as_float(data, "data", allow_empty=True)
        self.requires_grad = check_bool(requires_grad, "requires_grad")
        self.grad = None
        self.parents = ()
        self.op = ""
        self._backward = None  # G -> tuple of gradients, one per parent

    def __repr__(self):
        flag = f", op={self.op!r}" if self.op else f", requires_grad={self.requires_grad}"
        return f"Tensor({self.data!r}{flag})"

    @property
    def shape(self):
        """The shape of ``data``, a tuple."""
        return self.data.shape

    # ---------------------------------------------------------------- the reverse sweep

    def backward(self):
        """Compute ``dself/dt`` for every leaf ``t`` of the graph and add it to ``t.grad``.

        ``self`` must hold a single number (a loss) and require gradients. Its own gradient
        is 1; the sweep visits the graph in reverse topological order, so each node's
        gradient is complete (summed over all its uses) before its rule sends it on.

        Raises
        ------
        ValueError
            If ``self`` holds more than one number, or needs no gradient.
        """
        if self.data.size != 1:
            raise ValueError(f"backward() needs a tensor with one number (a loss), got shape {self.shape}; "
                             f"call .sum() first")
        if not self.requires_grad:
            raise ValueError("backward() needs a tensor computed from a tensor with requires_grad=True")
        grads = {id(self): np.ones_like(self.data)}
        for node in reversed(topological_order(self)):
            g = grads.pop(id(node))
            if not node.parents:  # a leaf: keep (and accumulate) its gradient
                g = g.astype(node.data.dtype, copy=False)
                node.grad = g if node.grad is None else node.grad + g
                continue
            for parent, g_parent in zip(node.parents, _run_rule(node, g)):
                if parent.requires_grad:  # a fork adds up the gradients of all its uses
                    grads[id(parent)] = grads[id(parent)] + g_parent if id(parent) in grads else g_parent

    # ---------------------------------------------------------------- element-wise operators

    def __add__(self, other):
        a, b = self, _tensor(other, "other")
        _check_broadcast(a, b, "+")
        return make_node(a.data + b.data, "add", (a, b), lambda g: (_unbroadcast(g, a.shape), _unbroadcast(g, b.shape)))

    def __radd__(self, other):
        return _tensor(other, "other") + self

    def __sub__(self, other):
        a, b = self, _tensor(other, "other")
        _check_broadcast(a, b, "-")
        return make_node(a.data - b.data, "sub", (a, b),
                         lambda g: (_unbroadcast(g, a.shape), _unbroadcast(-g, b.shape)))

    def __rsub__(self, other):
        return _tensor(other, "other") - self

    def __mul__(self, other):
        a, b = self, _tensor(other, "other")
        _check_broadcast(a, b, "*")

        def backward(g):  # d(ab)/da = b and d(ab)/db = a, each summed back to its operand's shape
            return _unbroadcast(g * b.data, a.shape), _unbroadcast(g * a.data, b.shape)

        return make_node(a.data * b.data, "mul", (a, b), backward)

    def __rmul__(self, other):
        return _tensor(other, "other") * self

    def __matmul__(self, other):
        """``a @ b`` for ``a`` of shape ``(..., d_in)`` and a matrix ``b`` ``(d_in, d_out)``:
        the dense layer ``linear(a, b.T)``, whose backward rule gives both gradients."""
        a, b = self, _tensor(other, "other")
        if a.data.ndim < 1 or b.data.ndim != 2 or a.shape[-1] != b.shape[0]:
            raise ValueError(f"@ needs a (..., d_in) tensor and a (d_in, d_out) matrix, got shapes {a.shape} "
                             f"and {b.shape}")

        def backward(g):
            g_a, g_bt, _ = linear_backward(g, a.data, b.data.T)
            return g_a, g_bt.T

        return make_node(a.data @ b.data, "matmul", (a, b), backward)

    def __rmatmul__(self, other):
        return _tensor(other, "other") @ self

    # ---------------------------------------------------------------- methods

    def sum(self):
        """The sum of all entries, a 0-d tensor; its rule copies ``G`` to every entry."""
        return make_node(np.sum(self.data), "sum", (self,), lambda g: (np.broadcast_to(g, self.shape).copy(),))

    def relu(self):
        """``max(x, 0)`` entry by entry; backward: :func:`~companion.relu_backward`."""
        return make_node(np.maximum(self.data, 0.0), "relu", (self,), lambda g: (relu_backward(g, self.data),))

    def reshape(self, *shape):
        """The same entries in another shape (``-1`` allowed once); backward: ``G`` reshaped back."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape):
            raise TypeError(f"shape must be integers, got {shape!r}")
        try:
            out = self.data.reshape(shape)
        except ValueError as exc:
            raise ValueError(f"cannot reshape a tensor of shape {self.shape} ({self.data.size} entries) "
                             f"into {shape}") from exc
        return make_node(out, "reshape", (self,), lambda g: (g.reshape(self.shape),))


# -------------------------------------------------------------------- the graph


def _tensor(value, name):
    """``value`` itself if it is a Tensor, else a constant Tensor (no gradient) of it."""
    return value if isinstance(value, Tensor) else Tensor(as_float(value, name, allow_empty=True))


def make_node(data, op, parents, backward):
    """The output of a new operation: a tensor that records its inputs and backward rule.

    Every operation of the engine ends with this call, and a new one (``tanh``, say) needs
    only its forward value and its rule. Nothing is recorded when no input requires a
    gradient.

    Parameters
    ----------
    data : array_like
        The forward result.
    op : str
        The operation's name, shown as ``.op``.
    parents : tuple of Tensor
        The inputs.
    backward : callable
        ``backward(G) -> tuple of arrays``: given the gradient ``G`` of the loss with respect
        to the output (the shape of ``data``), the gradient with respect to each parent, in
        the order of ``parents``, each the shape of its parent.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> def cube(t):  # d(t^3)/dt = 3 t^2
    ...     return make_node(t.data ** 3, "cube", (t,), lambda g: (g * 3 * t.data ** 2,))
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> cube(x).sum().backward()
    >>> x.grad
    array([ 3., 12.])
    """
    if not isinstance(op, str):
        raise TypeError(f"op must be a str, got {type(op).__name__}")
    if not isinstance(parents, tuple) or not all(isinstance(p, Tensor) for p in parents):
        raise TypeError(f"parents must be a tuple of Tensor, got {parents!r:.60}")
    if not callable(backward):
        raise TypeError(f"backward must be a callable, got {type(backward).__name__}")
    out = Tensor(np.asarray(data))
    if any(p.requires_grad for p in parents):
        out.requires_grad, out.parents, out.op, out._backward = True, tuple(parents), op, backward
    return out


def _run_rule(node, g):
    """``node``'s backward rule on ``G``, checked: one gradient per parent, of its shape."""
    grads = tuple(np.asarray(x) for x in node._backward(g))
    if len(grads) != len(node.parents):
        raise ValueError(f"the backward rule of {node.op!r} returned {len(grads)} gradients for "
                         f"{len(node.parents)} inputs")
    for k, (parent, g_parent) in enumerate(zip(node.parents, grads)):
        if g_parent.shape != parent.shape:
            raise ValueError(f"the backward rule of {node.op!r} returned a gradient of shape {g_parent.shape} "
                             f"for input {k} of shape {parent.shape}")
    return grads


def _check_broadcast(a, b, symbol):
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"shapes {a.shape} and {b.shape} do not broadcast for {symbol}") from None


def _unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, back to ``shape``."""
    g = np.sum(g, axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return np.sum(g, axis=stretched, keepdims=True) if stretched else g


def topological_order(tensor):
    """Every tensor ``tensor`` depends on, each listed after all its parents.

    Parameters
    ----------
    tensor : Tensor
        The output, usually a loss.

    Returns
    -------
    list of Tensor
        The nodes that require gradients, ``tensor`` last; each once, however often it is
        used (a depth-first search that marks the nodes it has seen).

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True)
    >>> y = x * x + x
    >>> [t.op or "leaf" for t in topological_order(y)]
    ['leaf', 'mul', 'add']
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"tensor must be a Tensor, got {type(tensor).__name__}")
    order, seen = [], set()

    def visit(node):
        if id(node) in seen or not node.requires_grad:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(tensor)
    return order


# -------------------------------------------------------------------- the layers of the book


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """:func:`companion.conv2d` on tensors; backward: :func:`~companion.conv2d_backward`.

    .. math::

        S[n, o, i, j] = b[o] + \\sum_{c, m, q} X_p[n, c, i s + m d, j s + q d] \\, K[o, c, m, q]

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : Tensor or array_like, shape (C_out, C_in, k_H, k_W)
    bias : Tensor or array_like, shape (C_out,), optional
    stride, padding, dilation : int or (int, int), defaults 1, 0, 1
        As in :func:`companion.conv2d` (``padding`` may be ``"same"`` or ``"valid"``).

    Returns
    -------
    Tensor, shape (N, C_out, H_out, W_out) (or (C_out, H_out, W_out))

    Examples
    --------
    >>> x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    >>> k = Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    >>> conv2d(x, k).sum().backward()
    >>> k.grad[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    x, weight = _tensor(x, "x"), _tensor(weight, "weight")
    bias = None if bias is None else _tensor(bias, "bias")
    out = convolution.conv2d(x.data, weight.data, None if bias is None else bias.data, stride, padding, dilation)

    def backward(g):
        g_x, g_w, g_b = conv2d_backward(g, x.data, weight.data, stride, padding, dilation)
        return (g_x, g_w) if bias is None else (g_x, g_w, g_b)

    return make_node(out, "conv2d", (x, weight) if bias is None else (x, weight, bias), backward)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """:func:`companion.max_pool2d` on tensors; backward: :func:`~companion.max_pool2d_backward`.

    .. math:: P[n, c, i, j] = \\max_{m, q} X_p[n, c, i s + m, j s + q]

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``None``: the kernel size.
    padding : int or (int, int), default 0

    Returns
    -------
    Tensor, shape (N, C, H_P, W_P)

    Examples
    --------
    >>> x = Tensor([[[[1.0, 5.0], [3.0, 2.0]]]], requires_grad=True)
    >>> max_pool2d(x, 2).sum().backward()
    >>> x.grad[0, 0]
    array([[0., 1.],
           [0., 0.]])
    """
    x = _tensor(x, "x")
    out = pooling.max_pool2d(x.data, kernel_size, stride, padding)
    return make_node(out, "max_pool2d", (x,),
                     lambda g: (max_pool2d_backward(g, x.data, kernel_size, stride, padding),))


def flatten(x):
    """:func:`companion.flatten` on tensors: ``(N, d_1, ..., d_k)`` to ``(N, d_1 ... d_k)``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, d_1, ..., d_k), k >= 1

    Returns
    -------
    Tensor, shape (N, d_1 * ... * d_k)

    Examples
    --------
    >>> flatten(Tensor(np.zeros((2, 3, 4, 4)))).shape
    (2, 48)
    """
    x = _tensor(x, "x")
    out = layers.flatten(x.data)
    return make_node(out, "flatten", (x,), lambda g: (g.reshape(x.shape),))


def linear(x, weight, bias=None):
    """:func:`companion.linear` on tensors, ``z = f W^T + c``; backward: :func:`~companion.linear_backward`.

    .. math:: z = f \\, \\mathbf W^\\top + \\mathbf c

    Parameters
    ----------
    x : Tensor or array_like, shape (N, d_in) or (d_in,)
    weight : Tensor or array_like, shape (d_out, d_in)
    bias : Tensor or array_like, shape (d_out,), optional

    Returns
    -------
    Tensor, shape (N, d_out) (or (d_out,))

    Examples
    --------
    >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> linear([[3.0, 4.0]], w).sum().backward()
    >>> w.grad
    array([[3., 4.]])
    """
    x, weight = _tensor(x, "x"), _tensor(weight, "weight")
    bias = None if bias is None else _tensor(bias, "bias")
    out = layers.linear(x.data, weight.data, None if bias is None else bias.data)

    def backward(g):
        g_x, g_w, g_b = linear_backward(g, x.data, weight.data)
        return (g_x, g_w) if bias is None else (g_x, g_w, g_b)

    return make_node(out, "linear", (x, weight) if bias is None else (x, weight, bias), backward)


def cross_entropy(logits, targets):
    """:func:`companion.cross_entropy` on tensors (the mean over the batch); backward:
    :func:`~companion.cross_entropy_backward`, times the upstream gradient.

    .. math::

        L = -\\frac{1}{N} \\sum_{n} \\log \\operatorname{softmax}(z_n)[t_n], \\qquad
        \\frac{\\partial L}{\\partial z_{n,i}} = \\frac{\\hat y_{n,i} - y_{n,i}}{N}

    Parameters
    ----------
    logits : Tensor or array_like, shape (N, Q)
    targets : array_like of int, shape (N,)
        The true classes, a plain array (not a Tensor: classes have no gradient).

    Returns
    -------
    Tensor, shape ()

    Examples
    --------
    >>> z = Tensor([[0.0, 0.0], [0.0, 0.0]], requires_grad=True)
    >>> cross_entropy(z, [0, 1]).backward()
    >>> z.grad
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    logits = _tensor(logits, "logits")
    if isinstance(targets, Tensor):
        raise TypeError("targets must be a plain array of class indices, got a Tensor")
    targets = as_array(targets, "targets", ndim=1, dtype_kind="iu")
    if logits.data.ndim != 2:
        raise ValueError(f"logits must be 2-D (N, Q), got shape {logits.shape}")
    out = layers.cross_entropy(logits.data, targets)
    return make_node(out, "cross_entropy", (logits,), lambda g: (g * cross_entropy_backward(logits.data, targets),))
