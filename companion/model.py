"""The whole network of chapter 8 in NumPy: :class:`TinyCNN` and its training loop.

The network is the one-line formula of the source material,

.. math::

    Y = \\operatorname{softmax}\\big(\\mathrm{Dense}(\\mathrm{Flatten}(\\mathrm{Pool}(\\mathrm{ReLU}(I * K + b))))\\big),

built from the companion's own functions, with a backward pass made of the companion's
backward functions and trained with plain gradient descent (:func:`train_numpy`). What the
training loop shares with its PyTorch twin's (the mini-batches, the history, the argument
checks) is in :mod:`companion.training`; the PyTorch twins themselves are in
:mod:`companion.torch_models`, which imports this module (never the other way round).
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, as_float, check_bool, check_int
from .backprop import (
    conv2d_backward,
    cross_entropy_backward,
    linear_backward,
    max_pool2d_backward,
    relu_backward,
    sgd_step,
)
from .convolution import conv2d, conv_output_size, receptive_field_box
from .layers import cross_entropy, flatten, linear
from .pooling import max_pool2d
from .training import check_labels, check_schedule, end_epoch, minibatches, new_history

__all__ = [
    "TinyCNN",
    "train_numpy",
    "images_to_batch",
    "confusion_matrix",
    "top_activations",
    "top_patches",
]


def images_to_batch(images):
    """Turn ``uint8`` images ``(N, H, W)`` into a float batch ``(N, 1, H, W)`` in ``[0, 1]``.

    Parameters
    ----------
    images : ndarray, shape (N, H, W), values 0..255

    Returns
    -------
    ndarray, shape (N, 1, H, W), float64

    Examples
    --------
    >>> images_to_batch(np.full((2, 3, 3), 255, dtype=np.uint8)).shape
    (2, 1, 3, 3)
    """
    arr = as_array(images, "images", ndim=3)
    if arr.min() < 0 or arr.max() > 255:
        raise ValueError(f"images must hold values in 0..255, got range [{arr.min()}, {arr.max()}]")
    return (arr.astype(np.float64) / 255.0)[:, None, :, :]


class TinyCNN:
    """The network ``softmax(Dense(Flatten(MaxPool(ReLU(conv2d(I, K) + b)))))``, in NumPy.

    Parameters
    ----------
    n_filters : int, default 8
        Number of convolution kernels ``C_out``.
    kernel_size : int, default 3
        Side ``k`` of the square kernels.
    pool_size : int, default 2
        Side (and stride) of the max-pooling windows.
    n_classes : int, default 10
        Number of outputs :math:`Q` of the dense layer, one per class.
    image_size : int, default 28
        Side of the square input images.
    seed : int, default 0
        Seed of the weight initialisation.

    Attributes
    ----------
    params : dict
        The parameters by name, each an ndarray: ``"K"`` ``(C_out, 1, k, k)``, ``"b"`` ``(C_out,)``, ``"W"`` ``(Q, C_out * H_P * W_P)``,
        ``"c"`` ``(Q,)``, where ``H_P = W_P`` is the side of a pooled feature map.

    Notes
    -----
    Weights are drawn with He scaling, ``N(0, 2 / fan_in)``, biases start at zero.

    Examples
    --------
    >>> net = TinyCNN(n_filters=2, image_size=8, n_classes=3)
    >>> logits, _ = net.forward(np.zeros((4, 1, 8, 8)))
    >>> logits.shape
    (4, 3)
    """

    def __init__(self, n_filters=8, kernel_size=3, pool_size=2, n_classes=10, image_size=28, seed=0):
        self.n_filters = check_int(n_filters, "n_filters", minimum=1)
        self.kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
        self.pool_size = check_int(pool_size, "pool_size", minimum=1)
        self.n_classes = check_int(n_classes, "n_classes", minimum=2)
        self.image_size = check_int(image_size, "image_size", minimum=1)
        seed = check_int(seed, "seed", minimum=0)
        conv_side = conv_output_size(self.image_size, self.kernel_size)
        self.pooled_side = conv_output_size(conv_side, self.pool_size, stride=self.pool_size)
        n_features = self.n_filters * self.pooled_side**2
        rng = np.random.default_rng(seed)
        k = self.kernel_size
        self.params = {
            "K": rng.normal(0.0, np.sqrt(2.0 / (k * k)), size=(self.n_filters, 1, k, k)),
            "b": np.zeros(self.n_filters),
            "W": rng.normal(0.0, np.sqrt(2.0 / n_features), size=(self.n_classes, n_features)),
            "c": np.zeros(self.n_classes),
        }

    def _check_input(self, x):
        x = as_float(x, "x", ndim=4)
        want = (1, self.image_size, self.image_size)
        if x.shape[1:] != want:
            raise ValueError(f"x must have shape (N, {want[0]}, {want[1]}, {want[2]}), got {x.shape}")
        return x

    def forward(self, x, keep_indices=True):
        """Compute the logits ``Z`` (before the softmax) and keep what backward needs.

        Parameters
        ----------
        x : ndarray, shape (N, 1, H, W)
        keep_indices : bool, default True
            Also keep where each pooling window's maximum is (``max_pool2d(...,
            return_indices=True)``), so that :meth:`backward` sends the gradient there
            without searching the windows again, as PyTorch's forward pass does when a
            gradient will be needed. :meth:`predict` and :meth:`evaluate` pass False.

        Returns
        -------
        logits : ndarray, shape (N, n_classes)
        cache : dict
            The intermediate arrays, for :meth:`backward`.
        """
        x = self._check_input(x)
        keep_indices = check_bool(keep_indices, "keep_indices")
        p = self.params
        conv = conv2d(x, p["K"], p["b"])  # (N, F, H-k+1, W-k+1)
        act = np.maximum(conv, 0.0)  # ReLU
        if keep_indices:
            pooled, where = max_pool2d(act, self.pool_size, return_indices=True)  # (N, F, P, P) twice
        else:
            pooled, where = max_pool2d(act, self.pool_size), None
        flat = flatten(pooled)  # (N, F*P*P)
        logits = linear(flat, p["W"], p["c"])  # (N, Q)
        cache = {"x": x, "conv": conv, "act": act, "pooled": pooled, "where": where, "flat": flat}
        return logits, cache

    def backward(self, cache, grad_logits):
        """Push ``dL/dZ`` back through every layer, returning the gradient of every parameter.

        Parameters
        ----------
        cache : dict
            From :meth:`forward`.
        grad_logits : ndarray, shape (N, n_classes)

        Returns
        -------
        dict of str to ndarray
            Gradients with the keys and shapes of :attr:`params`.
        """
        p = self.params
        grad_flat, grad_W, grad_c = linear_backward(grad_logits, cache["flat"], p["W"])
        grad_pooled = grad_flat.reshape(cache["pooled"].shape)
        grad_act = max_pool2d_backward(grad_pooled, cache["act"], self.pool_size, indices=cache["where"])  # None: search
        grad_conv = relu_backward(grad_act, cache["conv"])
        _, grad_K, grad_b = conv2d_backward(grad_conv, cache["x"], p["K"])
        return {"K": grad_K, "b": grad_b, "W": grad_W, "c": grad_c}

    def loss_and_grads(self, x, targets):
        """Mean cross-entropy of the batch and the gradient of every parameter.

        Returns
        -------
        loss : float
        grads : dict of str to ndarray
        """
        logits, cache = self.forward(x)
        loss = cross_entropy(logits, targets)
        grads = self.backward(cache, cross_entropy_backward(logits, targets))
        return loss, grads

    def step(self, grads, lr):
        """One gradient-descent update ``theta <- theta - lr * dL/dtheta`` of every parameter."""
        for name in self.params:
            self.params[name] = sgd_step(self.params[name], grads[name], lr)

    def predict(self, x, batch_size=500):
        """The predicted class of every image: ``argmax`` of the logits, shape ``(N,)``."""
        x = self._check_input(x)
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        out = [np.argmax(self.forward(x[i : i + batch_size], keep_indices=False)[0], axis=1) for i in range(0, len(x), batch_size)]
        return np.concatenate(out)

    def evaluate(self, x, targets, batch_size=500):
        """Mean cross-entropy and accuracy over a data set, as two floats."""
        x = self._check_input(x)
        t = as_array(targets, "targets", ndim=1, dtype_kind="iu")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        losses, correct = 0.0, 0
        for i in range(0, len(x), batch_size):
            logits, _ = self.forward(x[i : i + batch_size], keep_indices=False)
            losses += cross_entropy(logits, t[i : i + batch_size]) * len(logits)
            correct += int(np.sum(np.argmax(logits, axis=1) == t[i : i + batch_size]))
        return losses / len(x), correct / len(x)


def train_numpy(model, x_train, y_train, x_test, y_test, epochs=3, lr=0.1, batch_size=32, seed=0, verbose=True,
                lr_decay=1.0):
    """Train :class:`TinyCNN` with plain mini-batch gradient descent.

    Parameters
    ----------
    model : TinyCNN
    x_train, x_test : ndarray, shape (N, 1, H, W)
    y_train, y_test : ndarray of int, shape (N,)
    epochs : int, default 3
    lr : float, default 0.1
    batch_size : int, default 32
    seed : int, default 0
        Seed of the batch order (see :func:`minibatches`).
    verbose : bool, default True
        Print one line of loss and accuracy per epoch.
    lr_decay : float, default 1.0
        The learning rate of epoch ``e`` (counted from 0) is ``lr * lr_decay**e``.

    Returns
    -------
    dict
        ``"step_loss"``: the loss of every mini-batch (list of float); ``"train_loss"``,
        ``"train_acc"`` on ``x_train``, ``"val_loss"``, ``"val_acc"`` on the held-out
        ``x_test`` (the validation digits in the book's experiments): one float per epoch.
    """
    if not isinstance(model, TinyCNN):
        raise TypeError(f"model must be a TinyCNN, got {type(model).__name__}")
    epochs = check_int(epochs, "epochs", minimum=1)
    check_schedule(lr, lr_decay)
    x_train = model._check_input(x_train)
    x_test = model._check_input(x_test)
    y_train, y_test = check_labels(x_train, y_train, x_test, y_test)
    history = new_history()
    for epoch in range(epochs):
        for idx in minibatches(len(x_train), batch_size, seed, epoch):
            loss, grads = model.loss_and_grads(x_train[idx], y_train[idx])
            model.step(grads, lr * lr_decay**epoch)
            history["step_loss"].append(loss)
        end_epoch(history, epoch, model.evaluate, (x_train, y_train), (x_test, y_test), verbose)
    return history


def confusion_matrix(targets, predictions, n_classes=None):
    """Count how often each true class was predicted as each class (chapter 8).

    Entry ``Conf[i, j]`` is the number of examples of true class ``i`` that were predicted
    as class ``j``: the diagonal holds the correct answers, each row sums to the number of
    examples of its class, and the accuracy is ``trace(Conf) / Conf.sum()``.

    Parameters
    ----------
    targets : array_like of int, shape (N,)
        The true classes, ``0 <= t < n_classes``.
    predictions : array_like of int, shape (N,)
        The predicted classes, same range.
    n_classes : int, optional
        Number of classes :math:`Q`; default None: one more than the largest class seen.

    Returns
    -------
    ndarray of int64, shape (Q, Q)
        Rows are true classes, columns predicted classes.

    Examples
    --------
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    t = as_array(targets, "targets", ndim=1, dtype_kind="iu").astype(np.int64)
    p = as_array(predictions, "predictions", ndim=1, dtype_kind="iu").astype(np.int64)
    if len(t) != len(p):
        raise ValueError(f"targets and predictions must have the same length, got {len(t)} and {len(p)}")
    if n_classes is None:
        n_classes = int(max(t.max(initial=0), p.max(initial=0))) + 1
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    for name, arr in (("targets", t), ("predictions", p)):
        if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
            raise ValueError(f"{name} must lie in 0..{n_classes - 1}, got range [{arr.min()}, {arr.max()}]")
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (t, p), 1)
    return matrix


def top_activations(maps, k=6):
    """The ``k`` images that excite a channel most, and where in its map (chapter 8).

    For each image ``n`` the channel's strongest response is :math:`\\max_{i,j} A_{n,i,j}`;
    the ``k`` images with the largest such maximum are returned, strongest first (ties go
    to the lower index), with the row and column of their maximum (the first one, in
    row-major order, when several positions tie). One image appears at most once, so the
    pictures show ``k`` different digits rather than ``k`` neighbouring positions of one.

    Parameters
    ----------
    maps : array_like, shape (N, H, W)
        One channel's activation maps (after ReLU) over ``N`` images.
    k : int, default 6
        How many images, at most ``N``.

    Returns
    -------
    (ndarray of int64, ndarray of int64, ndarray of int64, ndarray of float64)
        The image indices, the rows and the columns of their maxima, and the maxima, each of
        shape ``(k,)``.

    Examples
    --------
    >>> maps = np.zeros((3, 2, 2)); maps[1, 0, 1] = 5.0; maps[2, 1, 1] = 3.0
    >>> [a.tolist() for a in top_activations(maps, k=2)]
    [[1, 2], [0, 1], [1, 1], [5.0, 3.0]]
    """
    maps = as_float(maps, "maps", ndim=3)
    n, h, w = maps.shape
    k = check_int(k, "k", minimum=1)
    if k > n:
        raise ValueError(f"k must be at most the number of images, {n}, got {k}")
    flat = maps.reshape(n, h * w)
    where = np.argmax(flat, axis=1)
    best = flat[np.arange(n), where]
    order = np.argsort(-best, kind="stable")[:k]
    rows, cols = np.divmod(where[order], w)
    return order.astype(np.int64), rows.astype(np.int64), cols.astype(np.int64), best[order].astype(np.float64)


def top_patches(maps, images, layers, n_channels=4, k=6):
    """The images that excite each of the first live channels most, with the receptive-field
    box of the strongest unit in each (chapter 8).

    A channel is live if its output is positive somewhere. For each of the first
    ``n_channels`` live channels, :func:`top_activations` gives the ``k`` images and the
    positions of their maxima, and :func:`companion.receptive_field_box` (no padding) the
    input pixels each of those units sees.

    Parameters
    ----------
    maps : array_like, shape (N, C, H_out, W_out)
        A layer's activation maps (after ReLU) over ``N`` images.
    images : array_like, shape (N, H, W)
        The images the maps were computed from.
    layers : sequence of tuple
        ``(kernel_size, stride[, dilation])`` of every layer up to this one, as for
        :func:`companion.receptive_field`.
    n_channels : int, default 4
    k : int, default 6

    Returns
    -------
    (ndarray of int64, ndarray, ndarray of int64)
        The channels, shape ``(n,)`` with ``n <= n_channels``; their top images,
        ``(n, k, H, W)``; the boxes ``((row_start, row_stop), (col_start, col_stop))``,
        ``(n, k, 2, 2)``.

    Examples
    --------
    >>> maps = np.zeros((3, 2, 2, 2)); maps[2, 1, 1, 0] = 1.0
    >>> channels, imgs, boxes = top_patches(maps, np.zeros((3, 4, 4)), [(3, 1)], k=1)
    >>> channels.tolist(), imgs.shape, boxes.tolist()
    ([1], (1, 1, 4, 4), [[[[1, 4], [0, 3]]]])
    """
    maps = as_float(maps, "maps", ndim=4)
    images = as_array(images, "images", ndim=3)
    if images.shape[0] != maps.shape[0]:
        raise ValueError(f"images must hold one image per map: maps has {maps.shape[0]}, images {images.shape[0]}")
    n_channels = check_int(n_channels, "n_channels", minimum=1)
    k = check_int(k, "k", minimum=1)
    live = [o for o in range(maps.shape[1]) if maps[:, o].max() > 0][:n_channels]
    patches, boxes = [], []
    for o in live:
        idx, rows, cols, _ = top_activations(maps[:, o], k=k)
        patches.append(images[idx])
        boxes.append([receptive_field_box(layers, (int(r), int(c))) for r, c in zip(rows, cols)])
    h, w = images.shape[1:]
    return (np.array(live, dtype=np.int64), np.array(patches).reshape(len(live), k, h, w),
            np.array(boxes, dtype=np.int64).reshape(len(live), k, 2, 2))
