"""Automatic differentiation (chapter 9): a small reverse-mode engine on NumPy arrays.

* :mod:`~companion.autograd.engine`: :class:`Tensor`, its elementary operations and their
  backward rules, the graph (:func:`make_node`) and the reverse sweep
  (:func:`topological_order`, :meth:`Tensor.backward`);
* :mod:`~companion.autograd.layers`: the book's layers on tensors (:func:`conv2d`,
  :func:`max_pool2d`, :func:`flatten`, :func:`linear`, :func:`cross_entropy`), whose rules are
  chapter 7's hand-derived gradients.

Everything is available here, as ``companion.autograd.<name>``; only :class:`Tensor`,
:func:`topological_order` and :func:`make_node` are also exported flat from ``companion``.
"""

from .engine import Tensor, make_node, topological_order
from .layers import conv2d, cross_entropy, flatten, linear, max_pool2d
from . import engine, layers

__all__ = ["Tensor", "topological_order", "make_node", "conv2d", "max_pool2d", "flatten", "linear",
           "cross_entropy"]

# The names of this package that companion/__init__.py exports flat: the others would hide
# the NumPy functions of the same name.
FLAT_NAMES = ("Tensor", "topological_order", "make_node")
