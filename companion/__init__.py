"""companion: the tested NumPy code behind *The Mathematics of Convolutional Neural Networks*.

Every public name is re-exported here, flat, so that a notebook writes
``companion.conv2d(...)``, whatever module the name lives in.

Chapter by chapter, the math (NumPy only), the plots that chapter introduces, and its
exercise checks:

1. Images as arrays: ``representation``, ``data``; ``plotting.images``; ``checks.ch01``.
2. Convolution: ``convolution``, ``filters``; ``plotting.conv_scene``, ``plotting.images``;
   ``checks.ch02``.
3. Activation functions: ``activation``; ``plotting.graphs``; ``checks.ch03``.
4. Pooling: ``pooling``; ``checks.ch04``.
5. Multiple filters and channels: ``convolution``, ``filters``; ``checks.ch05``.
6. Dense layers, softmax and loss: ``layers``, ``filters``, ``torch_models`` (the source's Keras
   model in PyTorch, and its weights); ``plotting.graphs``;
   ``checks.ch06``.
7. Backpropagation: ``backprop``; ``checks.ch07``.
8. The whole network: ``model``, ``training``, ``torch_models``, ``data`` (the validation
   split, recorded results of slow experiments); ``plotting.graphs``,
   ``plotting.experiments``; ``checks.ch08``.

* **The math.** A module per topic, NumPy only: ``representation`` (images as arrays),
  ``data`` (the bundled MNIST digits and photographs), ``convolution`` (``conv2d`` and its
  loops, ``im2col`` and ``col2im``, ``correlate2d``), ``filters`` (classic kernels,
  parameter counts), ``activation``, ``pooling``, ``layers`` (dense layers and losses),
  ``backprop`` (every gradient, each the twin of a forward function), ``model``
  (``TinyCNN`` and its NumPy training loop) and ``training`` (the mini-batches and
  bookkeeping both training loops share). What several of them share has a named home:
  ``_validation`` (argument checks: ``TypeError`` for the wrong kind, ``ValueError`` for a
  wrong value) and ``_kernels`` (output lengths, padding, window views, blocking).
* **The PyTorch twins.** ``torch_models`` is the only module that imports torch. It is
  loaded on first use of ``torch_twin``, ``keras_style_cnn``, ``stacked_cnn``,
  ``load_keras_weights`` or ``train_torch``, so
  ``import companion`` stays light.
* **The plots.** The package ``plotting`` (the only user of matplotlib, imported lazily):
  ``images`` (images, matrices with their numbers, kernels, feature maps),
  ``conv_scene`` (a kernel sliding over an input, still or animated), ``graphs``
  (curves, a dense layer as a graph, class probabilities) and ``experiments`` (results over
  seeds, mean curves with their spread, the inputs that excite a unit most).
* **The exercise checks.** The package ``checks``: ``generic`` (``check_array``,
  ``check_value``) and one module per chapter, ``ch01`` to ``ch08``.
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
from .model import *  # noqa: F401,F403
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
    model,
    plotting,
    checks,
    notebook,
)

__version__ = "0.1.0"

# The names of companion.torch_models, which imports torch: loaded when first used.
_TORCH_NAMES = ("torch_twin", "keras_style_cnn", "stacked_cnn", "load_keras_weights", "train_torch")


def __getattr__(name):
    if name in _TORCH_NAMES:
        from . import torch_models

        return getattr(torch_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_TORCH_NAMES))
