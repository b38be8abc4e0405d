"""Pictures for the book: images, matrices with their numbers, kernels, feature maps, a
kernel sliding over an input, and graphs.

This is the only package of the companion that uses matplotlib, and it imports it lazily
(inside the functions), so ``import companion`` stays fast. Its modules:

* :mod:`~companion.plotting.images`: :func:`plot`, :func:`show_matrix`, :func:`plot_grid`,
  :func:`plot_kernels`, :func:`plot_feature_maps`;
* :mod:`~companion.plotting.conv_scene`: :func:`plot_conv_step`, :func:`animate_conv` and
  its :class:`ConvAnimation`;
* :mod:`~companion.plotting.graphs`: :func:`plot_functions`, :func:`plot_dense_connections`,
  :func:`plot_probabilities`, :func:`plot_receptive_field`;
* :mod:`~companion.plotting.compgraph`: :func:`plot_compgraph`;
* :mod:`~companion.plotting.training`: :func:`plot_layer_stds`, :func:`plot_seed_curves`,
  :func:`plot_seed_points`;
* :mod:`~companion.plotting.experiments`: :func:`plot_seed_spread`, :func:`plot_paired_differences`,
  :func:`plot_mean_curves`,
  :func:`plot_top_patches` (chapter 8's seeded experiments and what its layers respond to);
* ``_style``: the colours and the checks of ``size``, ``title`` and ``ax`` they share.

The rule for notebooks
----------------------
No helper calls ``plt.show()``. Each draws into a figure and **returns** it: the helpers
that draw one panel (:func:`plot`, :func:`show_matrix`, :func:`plot_functions`,
:func:`plot_dense_connections`, :func:`plot_probabilities`, :func:`plot_receptive_field`,
:func:`plot_compgraph`) take an optional ``ax`` and
return the ``matplotlib.axes.Axes``; the helpers that draw several panels
(:func:`plot_grid`, :func:`plot_kernels`, :func:`plot_feature_maps`,
:func:`plot_conv_step`) return the ``matplotlib.figure.Figure``. A book cell that draws ends with ``plt.show()``, which renders
the figure and leaves no ``<Axes: ...>`` or ``<Figure size ...>`` text in the output (a
cell may also assign the result, ``ax = plot(x)``, to add to it before showing). Scripts do
the same.

:func:`animate_conv` is different: it draws nothing on screen and returns a
:class:`ConvAnimation`, whose notebook display is an animated PNG (``image/png``, which
nbval does not compare) plus a short, fixed text ``repr``; ``.to_gif()`` gives a GIF.

Grayscale scaling: integer images (``uint8`` as stored) are drawn on the fixed range
0-255 (black to white), boolean images on 0-1, and float images from their own minimum
(black) to maximum (white) unless ``vmin``/``vmax`` are given.
"""

from .images import *  # noqa: F401,F403
from .conv_scene import *  # noqa: F401,F403
from .graphs import *  # noqa: F401,F403
from .compgraph import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .experiments import *  # noqa: F401,F403
from . import compgraph, conv_scene, experiments, graphs, images, training

__all__ = (
    images.__all__ + conv_scene.__all__ + graphs.__all__ + compgraph.__all__ + training.__all__
    + experiments.__all__
)
