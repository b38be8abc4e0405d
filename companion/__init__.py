"""companion: the tested NumPy code behind *The Mathematics of Convolutional Neural Networks*.

Every public name is re-exported here, flat, so that a notebook writes
``companion.conv2d(...)``, whatever module the name lives in.

Chapter by chapter, the math (NumPy only), the plots that chapter introduces, and its
exercise checks:

1. Images as arrays: ``representation``, ``data``; ``plotting.images``; ``checks.ch01``.
2. Convolution: ``convolution.formulas`` (the two formulas, the output size, padding),
   ``convolution.locality`` (why convolution, receptive fields), ``convolution.layer``
   (``conv2d``, its loops, ``im2col``), ``filters``; ``plotting.conv_scene``,
   ``plotting.images``, ``plotting.graphs`` (receptive fields); ``checks.ch02``.
3. Activation functions: ``activation.classic`` (ReLU, sigmoid, tanh, softmax),
   ``activation.relu_family`` (leaky ReLU, ELU, GELU); ``plotting.graphs``; ``checks.ch03``.
4. Pooling: ``pooling`` (max, average and global average pooling, blur pooling,
   upsampling, the transposed convolution), ``backprop.pooling``
   (``global_avg_pool2d_backward``); ``checks.ch04``.
5. Multiple filters and channels: ``convolution.layer``, ``filters`` (parameter counts and the
   costs of a layer, ``layer_costs``); ``checks.ch05``.
6. Dense layers, softmax and loss: ``layers``, ``filters``, ``torch_models`` (the source's Keras
   model in PyTorch, and its weights); ``plotting.graphs``;
   ``checks.ch06``.
7. Backpropagation: ``backprop.conv``, ``backprop.pooling``, ``backprop.dense`` (activations,
   softmax, the dense layer, the losses), ``backprop.learning`` (``numerical_gradient``,
   ``sgd_step``); ``checks.ch07``.
8. The whole network: ``model``, ``training``, ``statistics`` (the t-interval of a mean over
   seeds, and of a paired difference), ``torch_models``, ``data`` (the validation
   split, recorded results of slow experiments); ``plotting.graphs``,
   ``plotting.experiments``; ``checks.ch08``.
9. Automatic differentiation: ``autograd``; ``plotting.compgraph``; ``checks.ch09``.
10. Training deeper networks: ``initialization``, ``optimizers``, ``normalization``,
    ``augmentation``, ``torch_models`` (``small_cnn``, ``fit_torch``); ``plotting.training``;
    ``checks.ch10``.

* **The math.** A module per topic, NumPy only: ``representation`` (images as arrays),
  ``data`` (the bundled MNIST digits and photographs), ``convolution`` (a package:
  ``formulas``, ``correlate2d`` and ``convolve2d`` with the output size and padding;
  ``locality``, the matrix of a convolution, locally connected layers, receptive fields;
  ``layer``, ``conv2d`` and its loops, ``im2col`` and ``col2im``), ``filters`` (classic
  kernels, parameter counts, ``layer_costs``), ``activation`` (a package: ``classic``
  and ``relu_family``), ``pooling`` (pooling, blur pooling, upsampling, the transposed
  convolution), ``layers`` (dense layers and losses), ``backprop`` (every gradient, each
  the twin of a forward function; a package with a module per family of layers: ``conv``,
  ``pooling``, ``dense``, and ``learning`` for ``sgd_step`` and ``numerical_gradient``),
  ``model`` (``TinyCNN`` and its NumPy training loop), ``training`` (the mini-batches and
  bookkeeping both training loops share), ``statistics`` (Student's t-intervals of results
  over seeds, paired or not), ``autograd`` (a small reverse-mode engine; a package:
  ``engine``, the ``Tensor`` with its elementary operations and the reverse sweep, and
  ``layers``, whose backward rules are the functions of ``backprop``; its ``Tensor``,
  ``topological_order`` and ``make_node`` are flat names, its ``conv2d``, ``max_pool2d``, ``flatten``,
  ``linear`` and ``cross_entropy`` are used as ``companion.autograd.conv2d`` ..., since the
  flat names are the NumPy functions), ``initialization`` (fans, He, Glorot and
  PyTorch's default), ``optimizers`` (momentum and Adam steps), ``normalization`` (batch
  normalisation, forward, backward and running statistics) and ``augmentation`` (shifts
  and rotations of images). The packages ``convolution``, ``activation``, ``backprop`` and ``autograd``
  re-export their modules' names (``companion.backprop.conv2d_backward`` is
  ``companion.backprop.conv.conv2d_backward``). What several of them share has a named home:
  ``_validation`` (argument checks: ``TypeError`` for the wrong kind, ``ValueError`` for a
  wrong value) and ``_kernels`` (output lengths, padding, window views, blocking), and
  ``activation._arrays`` for the two activation modules.
* **The PyTorch twins.** ``torch_models`` is the only module that imports torch. It is
  loaded on first use of ``torch_twin``, ``keras_style_cnn``, ``stacked_cnn``,
  ``load_keras_weights``, ``train_torch``, ``small_cnn``, ``fit_torch`` or ``torch_accuracy``, so
  ``import companion`` stays light.
* **The plots.** The package ``plotting`` (the only user of matplotlib, imported lazily):
  ``images`` (images, matrices with their numbers, kernels, feature maps),
  ``conv_scene`` (a kernel sliding over an input, still or animated), ``graphs``
  (curves, the receptive field of a stack, a dense layer as a graph, class probabilities),
  ``compgraph`` (a computational graph with its values and gradients), ``training``
  (quantities across layers, loss curves over seeds) and ``experiments`` (results over
  seeds, mean curves with their spread, the inputs that excite a unit most).
* **The exercise checks.** The package ``checks``: ``generic`` (``check_array``,
  ``check_value``) and one module per chapter, ``ch01`` to ``ch10``.
* **Notebook set-up.** ``notebook``: ``setup_notebook``, which every chapter's first cell
  calls, and the source of that cell.
"""

from .representation import *  # noqa: F401,F403
from .data import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .filters import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .backprop import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .model import *  # noqa: F401,F403
from .autograd import Tensor, make_node, topological_order  # noqa: F401
from .initialization import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .augmentation import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .checks import *  # noqa: F401,F403
from .notebook import *  # noqa: F401,F403

from . import (  # noqa: F401
    representation,
    data,
    convolution,
    filters,
    activation,
    pooling,
    layers,
    backprop,
    training,
    statistics,
    model,
    autograd,
    initialization,
    optimizers,
    normalization,
    augmentation,
    plotting,
    checks,
    notebook,
)

__version__ = "0.1.0"

# The names of companion.torch_models, which imports torch: loaded when first used.
_TORCH_NAMES = ("torch_twin", "keras_style_cnn", "stacked_cnn", "load_keras_weights", "train_torch",
                "small_cnn", "fit_torch", "torch_accuracy")


def __getattr__(name):
    if name in _TORCH_NAMES:
        from . import torch_models

        return getattr(torch_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_TORCH_NAMES))
