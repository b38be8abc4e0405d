r"""Convolution: the operation of chapter 2 (padding, stride, dilation) and chapter 5 (channels).

What a CNN calls "convolution" is **cross-correlation**: the kernel slides over the input
without being flipped,

.. math::

    Y[n, o, i, j] = b[o] + \sum_c \sum_m \sum_q
        X_{pad}[n, c, i s_h + m d_h, j s_w + q d_w] \, W[o, c, m, q],

which is what :func:`torch.nn.functional.conv2d` computes and what :func:`conv2d` (fast) and
:func:`conv2d_naive` (loops that read like the formula) compute here. The flipped-kernel
formula of signal processing, :math:`Y[i, j] = \sum_m \sum_n X[m, n] K[i - m, j - n]`, is
true convolution: :func:`convolve2d`. Its modules follow the chapter:

* :mod:`~companion.convolution.formulas`: the two formulas on single 2-D arrays,
  :func:`correlate2d` and :func:`convolve2d` (as :func:`scipy.signal.correlate2d` and
  :func:`scipy.signal.convolve2d`), the output size (:func:`conv_output_size`) and
  :func:`pad2d`;
* :mod:`~companion.convolution.locality`: why convolution, the matrix of a convolution
  (:func:`conv_matrix`), locally connected layers (:func:`locally_connected2d`,
  :func:`locally_connected_param_count`) and receptive fields (:func:`receptive_field`,
  :func:`receptive_field_box`, :func:`effective_receptive_field`);
* :mod:`~companion.convolution.layer`: the layer of a CNN on batches, as loops
  (:func:`conv2d_naive`) and as one matrix product on the columns of :func:`im2col`
  (:func:`conv2d`), with the adjoint :func:`col2im`.

Every name is also here, ``companion.convolution.conv2d``, and flat, ``companion.conv2d``.
"""

from .formulas import *  # noqa: F401,F403
from .locality import *  # noqa: F401,F403
from .layer import *  # noqa: F401,F403
from . import formulas, layer, locality

__all__ = formulas.__all__ + locality.__all__ + layer.__all__
