r"""Backpropagation: the gradients of chapter 7, each the partner of a forward function.

Every ``*_backward`` function takes the upstream gradient ``grad_out`` (the gradient of the
loss with respect to the forward output, :math:`\partial L / \partial Y`, same shape as the
output) and the forward inputs, and returns the gradients with respect to those inputs, as in
CS231n's ``layers.py``. One module per family of layers, as the chapter takes them:

* :mod:`~companion.backprop.conv`: :func:`conv2d_backward` and its loops,
  :func:`conv2d_backward_naive`;
* :mod:`~companion.backprop.pooling`: :func:`max_pool2d_backward`,
  :func:`avg_pool2d_backward`, :func:`global_avg_pool2d_backward`;
* :mod:`~companion.backprop.dense`: the activations (:func:`relu_backward`,
  :func:`sigmoid_backward`, :func:`tanh_backward`), :func:`softmax_backward`,
  :func:`log_softmax_backward`, the dense layer (:func:`linear_backward`) and the losses
  (:func:`cross_entropy_backward`, :func:`binary_cross_entropy_backward`,
  :func:`mse_loss_backward`);
* :mod:`~companion.backprop.learning`: :func:`numerical_gradient`, which checks any of them by
  central differences, and :func:`sgd_step`, which uses them to learn.

Every name is also here, ``companion.backprop.conv2d_backward``, and flat,
``companion.conv2d_backward``.
"""

from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .learning import *  # noqa: F401,F403
from . import conv, dense, learning, pooling

__all__ = conv.__all__ + pooling.__all__ + dense.__all__ + learning.__all__
