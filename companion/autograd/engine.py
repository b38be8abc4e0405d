r"""The engine of automatic differentiation (chapter 9): tensors, the graph and the reverse sweep.

A :class:`Tensor` holds an array (``.data``) and, once :meth:`Tensor.backward` has run, the
gradient of a scalar with respect to it (``.grad``), as ``torch.Tensor`` does. Every
operation on tensors records a node of a **computational graph**: its inputs (``parents``)
and a backward rule that turns the gradient of its output, :math:`G`, into the gradients of
its inputs. The elementary operations, each with its rule in its docstring:

=====================================  ===============================================
operation                              gradient sent to the input(s)
=====================================  ===============================================
``a + b``, ``a - b``, ``-a``           :math:`G`, :math:`-G`, :math:`-G`
``a * b``                              :math:`G b` to ``a``, :math:`G a` to ``b``
``a / b``                              :math:`G / b` to ``a``, :math:`-G a / b^2` to ``b``
``a ** p`` (a number ``p``)            :math:`G \, p \, a^{p-1}`
``a.exp()``, ``a.log()``               :math:`G e^a`, :math:`G / a`
``a.tanh()``, ``a.sigmoid()``          :math:`G (1 - \tanh^2 a)`, :math:`G \sigma(a)(1 - \sigma(a))`
``a.relu()``                           :math:`G [a > 0]`
``a.sum(axis)``, ``a.mean(axis)``      :math:`G` copied to every summed entry (divided by
                                       their number for the mean)
``a.max(axis)``                        :math:`G` to the first maximum of each reduced slice
``a @ W``, ``a.reshape(...)``          the dense layer's rule; :math:`G` reshaped back
=====================================  ===============================================

Operands broadcast as in NumPy, and the gradient of a broadcast operand is summed back to
its shape. Numbers and arrays work on either side (``2 * t``, ``10.0 / t``, ``1 - t``); they
are constants. The engine adds only three things to the rules:

1. the graph, recorded while the forward pass runs;
2. a topological order of it (:func:`topological_order`), found with an explicit stack, so
   that a chain of any length runs without Python's recursion limit, and a node's rule runs
   only after every node that uses it has sent its gradient back;
3. the sum of the gradients that arrive at a node used several times (a fork), the
   multivariate chain rule

   .. math::

       \frac{\partial L}{\partial h} = \sum_{k} \frac{\partial L}{\partial h_k}
           \frac{\partial h_k}{\partial h}

   over the nodes :math:`h_k` that read :math:`h`.

Arithmetic follows IEEE floating point without warnings, as PyTorch does: ``exp`` of a large
number is ``inf``, ``0 / 0`` is ``nan``, ``log(0)`` is ``-inf``. The one exception is the log of
a negative number, which raises a ``ValueError`` instead of returning ``nan``: a negative
value there is always a mistake, and ``nan`` would surface far from it.

As in PyTorch, only leaves (tensors made by the user) keep a ``.grad``, and a second call of
``backward`` adds to it; set ``x.grad = None`` to start again. Unlike PyTorch, the graph is
never freed by ``backward``: calling it twice on the same loss is allowed (PyTorch needs
``retain_graph=True`` for that) and adds the same gradient twice.
"""

from __future__ import annotations

import numpy as np

import functools
import numbers

from .._validation import as_float, check_bool
from ..activation import sigmoid as _sigmoid
from ..backprop import linear_backward, relu_backward

__all__ = ["Tensor", "topological_order", "make_node"]


def _ieee(method):
    """Run ``method`` in IEEE arithmetic without NumPy's warnings: ``inf`` and ``nan`` pass
    through silently, as in PyTorch."""
    @functools.wraps(method)
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return method(*args, **kwargs)
    return run


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

    @_ieee
    def __add__(self, other):
        a, b = self, as_tensor(other, "other")
        _check_broadcast(a, b, "+")
        return make_node(a.data + b.data, "add", (a, b), lambda g: (_unbroadcast(g, a.shape), _unbroadcast(g, b.shape)))

    def __radd__(self, other):
        return as_tensor(other, "other") + self

    @_ieee
    def __sub__(self, other):
        a, b = self, as_tensor(other, "other")
        _check_broadcast(a, b, "-")
        return make_node(a.data - b.data, "sub", (a, b),
                         lambda g: (_unbroadcast(g, a.shape), _unbroadcast(-g, b.shape)))

    def __rsub__(self, other):
        return as_tensor(other, "other") - self

    @_ieee
    def __mul__(self, other):
        a, b = self, as_tensor(other, "other")
        _check_broadcast(a, b, "*")

        def backward(g):  # d(ab)/da = b and d(ab)/db = a, each summed back to its operand's shape
            return _unbroadcast(g * b.data, a.shape), _unbroadcast(g * a.data, b.shape)

        return make_node(a.data * b.data, "mul", (a, b), backward)

    def __rmul__(self, other):
        return as_tensor(other, "other") * self

    @_ieee
    def __matmul__(self, other):
        """``a @ b`` for ``a`` of shape ``(..., d_in)`` and a matrix ``b`` ``(d_in, d_out)``:
        the dense layer ``linear(a, b.T)``, whose backward rule gives both gradients."""
        a, b = self, as_tensor(other, "other")
        if a.data.ndim < 1 or b.data.ndim != 2 or a.shape[-1] != b.shape[0]:
            raise ValueError(f"@ needs a (..., d_in) tensor and a (d_in, d_out) matrix, got shapes {a.shape} "
                             f"and {b.shape}")

        def backward(g):
            g_a, g_bt, _ = linear_backward(g, a.data, b.data.T)
            return g_a, g_bt.T

        return make_node(a.data @ b.data, "matmul", (a, b), backward)

    def __rmatmul__(self, other):
        return as_tensor(other, "other") @ self

    # ---------------------------------------------------------------- shapes

    @_ieee
    def __neg__(self):
        r"""``-a``; rule :math:`\partial L / \partial a = -G`."""
        return make_node(-self.data, "neg", (self,), lambda g: (-g,))

    @_ieee
    def __truediv__(self, other):
        r"""``a / b``; rules :math:`G / b` for ``a`` and :math:`-G a / b^2` for ``b``, summed back to
        each operand's shape if it was broadcast."""
        a, b = self, as_tensor(other, "other")
        _check_broadcast(a, b, "/")
        out = a.data / b.data

        def backward(g):
            return _unbroadcast(g / b.data, a.shape), _unbroadcast(-g * out / b.data, b.shape)

        return make_node(out, "div", (a, b), backward)

    def __rtruediv__(self, other):
        return as_tensor(other, "other") / self

    @_ieee
    def __pow__(self, exponent):
        r"""``a ** p`` for a real number ``p``; rule :math:`G \, p \, a^{p - 1}` (0 for ``p = 0``, as in PyTorch).

        Raises
        ------
        TypeError
            If ``p`` is a tensor, an array or not a real number (for ``a ** u`` with a tensor
            ``u``, write ``(u * a.log()).exp()``).
        """
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"the exponent of ** must be a real number, got {type(exponent).__name__}; "
                            f"for a tensor exponent u write (u * t.log()).exp()")
        p = float(exponent)
        if p == 0.0:  # a ** 0 = 1 is constant: gradient 0, also at a = 0 (where p a^(p-1) would be 0 * inf)
            return make_node(np.ones_like(self.data), "pow", (self,), lambda g: (np.zeros_like(self.data),))
        return make_node(self.data ** p, "pow", (self,), lambda g: (g * p * self.data ** (p - 1.0),))

    def __rpow__(self, base):
        raise TypeError(f"a tensor exponent is not supported: {type(base).__name__} ** Tensor; "
                        f"write (t * math.log(base)).exp() for a positive number base")

    # ---------------------------------------------------------------- functions, entry by entry

    @_ieee
    def exp(self):
        r""":math:`e^a` entry by entry; rule :math:`G e^a` (the output itself)."""
        out = np.exp(self.data)
        return make_node(out, "exp", (self,), lambda g: (g * out,))

    @_ieee
    def log(self):
        r"""The natural logarithm entry by entry; rule :math:`G / a`.

        ``log(0)`` is ``-inf``, as in PyTorch.

        Raises
        ------
        ValueError
            If an entry is negative (PyTorch would return ``nan``).
        """
        if np.any(self.data < 0):
            raise ValueError(f"log needs entries >= 0, got a tensor of shape {self.shape} with minimum "
                             f"{np.nanmin(self.data):.6g}")
        return make_node(np.log(self.data), "log", (self,), lambda g: (g / self.data,))

    @_ieee
    def tanh(self):
        r""":math:`\tanh a` entry by entry; rule :math:`G (1 - \tanh^2 a)`."""
        out = np.tanh(self.data)
        return make_node(out, "tanh", (self,), lambda g: (g * (1.0 - out * out),))

    @_ieee
    def sigmoid(self):
        r""":math:`\sigma(a) = 1 / (1 + e^{-a})` entry by entry (:func:`companion.sigmoid`, without
        overflow); rule :math:`G \sigma(a) (1 - \sigma(a))`."""
        out = np.asarray(_sigmoid(self.data), dtype=self.data.dtype)
        return make_node(out, "sigmoid", (self,), lambda g: (g * out * (1.0 - out),))

    # ---------------------------------------------------------------- reductions

    @_ieee
    def sum(self, axis=None, keepdims=False):
        r"""The sum over ``axis`` (an int, a tuple of ints, or ``None`` for all entries), as
        ``numpy.sum``; rule: :math:`G` copied to every entry that was summed,
        :math:`\partial L / \partial a_i = G_{r(i)}`, with :math:`r(i)` the output entry that
        :math:`a_i` went into.

        Examples
        --------
        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> x.sum(axis=1).data
        array([3., 7.])
        """
        axes = _check_axis(axis, self.data.ndim)
        keepdims = check_bool(keepdims, "keepdims")
        out = np.sum(self.data, axis=axes, keepdims=keepdims)
        return make_node(out, "sum", (self,), lambda g: (_spread(g, axes, keepdims, self.shape),))

    @_ieee
    def mean(self, axis=None, keepdims=False):
        r"""The mean over ``axis`` (as :meth:`sum`); rule :math:`G / n` to every entry, with
        :math:`n` the number of entries averaged."""
        axes = _check_axis(axis, self.data.ndim)
        keepdims = check_bool(keepdims, "keepdims")
        n = int(np.prod([self.shape[k] for k in axes]))
        out = np.mean(self.data, axis=axes, keepdims=keepdims)
        return make_node(out, "mean", (self,), lambda g: (_spread(g, axes, keepdims, self.shape) / n,))

    @_ieee
    def max(self, axis=None, keepdims=False):
        r"""The largest entry over ``axis`` (as :meth:`sum`); rule: :math:`G` goes to the entry
        that is the maximum, :math:`\partial L / \partial a_i = G_{r(i)} [i = i^*_{r(i)}]`, and 0
        elsewhere.

        On ties the gradient goes to the **first** maximum (in C order over the reduced axes),
        as in the book's max pooling and in ``torch.max(x, dim)``, whose indices name the first
        maximum. ``torch.amax`` and ``torch.max(x)`` (no ``dim``) split it evenly among the tied
        entries instead; without ties all three agree.

        Examples
        --------
        >>> x = Tensor([3.0, 1.0, 3.0], requires_grad=True)
        >>> x.max().backward()
        >>> x.grad
        array([1., 0., 0.])
        """
        axes = _check_axis(axis, self.data.ndim)
        keepdims = check_bool(keepdims, "keepdims")
        if self.data.size == 0:
            raise ValueError("max of an empty tensor has no value")
        out = np.max(self.data, axis=axes, keepdims=keepdims)
        mask = _first_max_mask(self.data, axes)
        return make_node(out, "max", (self,), lambda g: (_spread(g, axes, keepdims, self.shape) * mask,))

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


def as_tensor(value, name):
    """``value`` itself if it is a Tensor, else a constant Tensor (no gradient) of it."""
    return value if isinstance(value, Tensor) else Tensor(as_float(value, name, allow_empty=True))


def make_node(data, op, parents, backward):
    """The output of a new operation: a tensor that records its inputs and backward rule.

    Every operation of the engine ends with this call, and a new one (``softplus``, say) needs
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
    with np.errstate(all="ignore"):  # inf and nan pass through silently, as in PyTorch
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


def _check_axis(axis, ndim):
    """``axis`` (None, an int or a tuple of ints, negative counted from the end) as a sorted
    tuple of distinct axes of an array with ``ndim`` dimensions."""
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, tuple) else (axis,)
    if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in items):
        raise TypeError(f"axis must be None, an int or a tuple of ints, got {axis!r}")
    if not all(-ndim <= k < ndim for k in items):
        raise ValueError(f"axis={axis!r} is out of range for a tensor with {ndim} dimensions")
    axes = sorted(int(k) % ndim for k in items)
    if len(set(axes)) != len(axes):
        raise ValueError(f"axis={axis!r} repeats an axis")
    return tuple(axes)


def _spread(g, axes, keepdims, shape):
    """The gradient ``g`` of a reduction over ``axes``, copied back over the reduced axes."""
    g = np.asarray(g) if keepdims else np.expand_dims(g, axes)
    return np.broadcast_to(g, shape).copy()


def _first_max_mask(data, axes):
    """1.0 at the first maximum (C order) of each slice over ``axes``, 0.0 elsewhere."""
    kept = [k for k in range(data.ndim) if k not in axes]
    moved = np.moveaxis(data, kept + list(axes), range(data.ndim))
    flat = moved.reshape(moved.shape[:len(kept)] + (-1,))
    mask = np.zeros_like(flat)
    np.put_along_axis(mask, np.argmax(flat, axis=-1)[..., None], 1.0, axis=-1)
    return np.moveaxis(mask.reshape(moved.shape), range(data.ndim), kept + list(axes))


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
        used (a depth-first search that marks the nodes it has seen, with a stack of its own rather than Python's recursion).

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
    stack = [(tensor, False)]  # (node, its parents already pushed?): a depth-first search without recursion
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen and node.requires_grad:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.parents))
    return order
