"""Activation functions and their derivatives (chapter 3).

Every function takes an array of any shape and returns a new floating-point array of
the same shape, computed element by element (``softmax`` and ``log_softmax`` work along
one axis). Integer and boolean input is converted to float64; float32 stays float32.
A 0-d input gives a 0-d array, never a NumPy scalar, so the return type is always
``numpy.ndarray``; an empty input gives an empty array. The argument names are PyTorch's
(``input``); the softmax family's axis is ``axis``, as in NumPy, and PyTorch's ``dim`` is
accepted too.

The derivatives (``relu_grad``, ``sigmoid_grad``, ``tanh_grad``, ``leaky_relu_grad``,
``elu_grad``, ``gelu_grad``) are evaluated at the *input* ``x`` of the activation (not at
its output), and follow PyTorch's autograd at every kink, in particular
:math:`\\operatorname{ReLU}'(0) = 0`, :math:`\\operatorname{LeakyReLU}'(0) = \\nu` and
:math:`\\operatorname{ELU}'(0) = \\alpha`. Its modules follow the chapter:

* :mod:`~companion.activation.classic`: ReLU, the sigmoid and tanh with their derivatives,
  and the softmax family (:func:`softmax`, :func:`log_softmax`, :func:`softmax_naive`);
* :mod:`~companion.activation.relu_family`: leaky ReLU, ELU and GELU with their derivatives,
  and :func:`erf`;
* ``_arrays``: what both share (a result is an array, never a NumPy scalar).

Every name is also here, ``companion.activation.relu``, and flat, ``companion.relu``.
"""

from .classic import *  # noqa: F401,F403
from .relu_family import *  # noqa: F401,F403
from . import classic, relu_family

__all__ = classic.__all__ + relu_family.__all__
