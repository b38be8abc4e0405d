"""companion: the tested NumPy code behind *The Mathematics of Convolutional Neural Networks*.

One module per chapter of the book; every public function is re-exported here, so a
notebook writes ``companion.conv2d(...)``. The math modules use NumPy alone. PyTorch is
imported only by the parts that need it (the PyTorch twins of the book's models and
:func:`setup_notebook`), and only when they are first used, so ``import companion``
stays light.
"""

from .representation import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .filters import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .backprop import *  # noqa: F401,F403
from .model import *  # noqa: F401,F403
from .data import *  # noqa: F401,F403
from .plotting import *  # noqa: F401,F403
from .checks import *  # noqa: F401,F403
from .notebook import *  # noqa: F401,F403

from . import (  # noqa: F401
    representation,
    convolution,
    activation,
    pooling,
    filters,
    layers,
    backprop,
    model,
    data,
    plotting,
    checks,
    notebook,
)

__version__ = "0.1.0"
