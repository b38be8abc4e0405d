"""PyTorch twins of the book's models (chapters 6 and 8). The one module that imports torch.

:func:`torch_twin` copies a :class:`companion.TinyCNN` into a ``TinyCNNTorch``,
:func:`keras_style_cnn` builds the source material's Keras model, :func:`load_keras_weights`
copies the weights of that model, as Keras's ``get_weights()`` lists them, into it (NumPy
arrays in, no Keras import), and :func:`train_torch` trains either on the same mini-batches
as :func:`companion.train_numpy` (both loops take their batches, history and argument
checks from :mod:`companion.training`).

``import companion`` does not import this module: ``companion.torch_twin``,
``companion.keras_style_cnn``, ``companion.load_keras_weights`` and ``companion.train_torch``
load it on first use.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validation import as_array, check_bool, check_choice, check_int, check_real
from .model import TinyCNN
from .training import check_labels, check_schedule, end_epoch, minibatches, new_history

# The names companion re-exports; companion/__init__.py loads this module when one is used.
__all__ = ["torch_twin", "keras_style_cnn", "stacked_cnn", "load_keras_weights", "train_torch", "small_cnn",
           "fit_torch", "torch_accuracy"]


class TinyCNNTorch(nn.Module):
    """``Conv2d(1, F, k) -> ReLU -> MaxPool2d(p) -> Flatten -> Linear``: logits out.

    The twin of :class:`companion.TinyCNN`; :meth:`from_numpy` copies its weights.
    """

    def __init__(self, n_filters, kernel_size, pool_size, n_classes, n_features):
        super().__init__()
        self.conv = nn.Conv2d(1, n_filters, kernel_size)
        self.pool = nn.MaxPool2d(pool_size)
        self.fc = nn.Linear(n_features, n_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(F.relu(self.conv(x))), 1))

    @classmethod
    def from_numpy(cls, model):
        """A float64 twin holding copies of ``model.params`` (K, b, W, c)."""
        if not isinstance(model, TinyCNN):
            raise TypeError(f"model must be a TinyCNN, got {type(model).__name__}")
        p = model.params
        twin = cls(model.n_filters, model.kernel_size, model.pool_size, model.n_classes, p["W"].shape[1])
        twin = twin.double()
        with torch.no_grad():
            twin.conv.weight.copy_(torch.from_numpy(p["K"]))
            twin.conv.bias.copy_(torch.from_numpy(p["b"]))
            twin.fc.weight.copy_(torch.from_numpy(p["W"]))
            twin.fc.bias.copy_(torch.from_numpy(p["c"]))
        return twin


def torch_twin(model):
    """The PyTorch twin of a :class:`companion.TinyCNN`, started from the same weights (float64).

    Returns
    -------
    TinyCNNTorch
    """
    return TinyCNNTorch.from_numpy(model)


def keras_style_cnn(n_outputs=1, seed=0):
    """The small model of the source material, in PyTorch.

    ``Conv2d(1, 32, 3) -> ReLU -> MaxPool(2) -> Conv2d(32, 64, 3) -> ReLU -> MaxPool(2) ->
    Flatten -> Linear(1600, 128) -> ReLU -> Linear(128, n_outputs)``, followed by a
    ``Sigmoid`` when ``n_outputs == 1`` (a yes/no answer, as in the source) and by nothing
    otherwise (the logits go to ``cross_entropy``, which applies the softmax itself).

    Returns
    -------
    torch.nn.Sequential
    """
    n_outputs = check_int(n_outputs, "n_outputs", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    torch.manual_seed(seed)
    layers = [
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 5 * 5, 128),
        nn.ReLU(),
        nn.Linear(128, n_outputs),
    ]
    if n_outputs == 1:
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def stacked_cnn(channels=(8,), hidden=(), n_classes=10, pool_size=2, init="torch", seed=0, image_size=28):
    """A family of CNNs from the tiny network to the deeper one, for changing one thing at a time.

    Each entry of ``channels`` adds a block ``Conv2d(C_prev, C, 3) -> ReLU -> MaxPool2d(pool_size)``
    (no pooling when ``pool_size == 1``), then ``Flatten``, then for each entry of ``hidden``
    a ``Linear -> ReLU``, and a last ``Linear`` to ``n_classes`` logits. So
    ``stacked_cnn((8,), init="he")`` is :class:`companion.TinyCNN`'s architecture and
    initialization, and ``stacked_cnn((32, 64), (128,), init="torch", seed=s)`` is
    ``keras_style_cnn(n_classes, seed=s)``, weight for weight. The model is float32; call
    ``.double()`` for float64.

    Parameters
    ----------
    channels : tuple of int, default (8,)
        Kernels of each convolution layer, at least one layer.
    hidden : tuple of int, default ()
        Units of each hidden dense layer.
    n_classes : int, default 10
    pool_size : int, default 2
        Window and stride of every max pooling; 1 means no pooling.
    init : {"torch", "he"}, default "torch"
        ``"torch"``: PyTorch's default (weights uniform in
        :math:`\\pm 1/\\sqrt{\\text{fan-in}}`, biases likewise); ``"he"``: weights normal with
        standard deviation :math:`\\sqrt{2/\\text{fan-in}}` and zero biases, as
        :class:`companion.TinyCNN` draws them (the chapter on training deeper networks explains both).
    seed : int, default 0
        Seed of ``torch.manual_seed`` before the weights are drawn.
    image_size : int, default 28

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> model = stacked_cnn((8,), init="he")
    >>> sum(p.numel() for p in model.parameters())      # TinyCNN's 13,610
    13610
    >>> stacked_cnn((8,), init="xavier")
    Traceback (most recent call last):
    ...
    ValueError: init must be "torch" or "he", got 'xavier'
    """
    if not isinstance(channels, (tuple, list)) or len(channels) < 1:
        raise TypeError(f"channels must be a non-empty tuple of ints, got {channels!r}")
    if not isinstance(hidden, (tuple, list)):
        raise TypeError(f"hidden must be a tuple of ints, got {hidden!r}")
    channels = [check_int(c, f"channels[{i}]", minimum=1) for i, c in enumerate(channels)]
    hidden = [check_int(h, f"hidden[{i}]", minimum=1) for i, h in enumerate(hidden)]
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    pool_size = check_int(pool_size, "pool_size", minimum=1)
    check_choice(init, "init", ("torch", "he"), described='"torch" or "he"')
    seed = check_int(seed, "seed", minimum=0)
    side = check_int(image_size, "image_size", minimum=1)
    torch.manual_seed(seed)
    layers, c_prev = [], 1
    for i, c in enumerate(channels):
        side = side - 2
        if side < 1:
            raise ValueError(f"image_size={image_size} is too small for {len(channels)} convolution layers")
        layers += [nn.Conv2d(c_prev, c, 3), nn.ReLU()]
        if pool_size > 1:
            layers.append(nn.MaxPool2d(pool_size))
            side //= pool_size
        c_prev = c
    layers.append(nn.Flatten())
    d_prev = c_prev * side * side
    for h in hidden:
        layers += [nn.Linear(d_prev, h), nn.ReLU()]
        d_prev = h
    layers.append(nn.Linear(d_prev, n_classes))
    model = nn.Sequential(*layers)
    if init == "he":
        with torch.no_grad():
            for layer in model:
                if isinstance(layer, (nn.Conv2d, nn.Linear)):
                    fan_in = layer.weight[0].numel()
                    layer.weight.normal_(0.0, (2.0 / fan_in) ** 0.5)
                    layer.bias.zero_()
    return model


def _keras_layout(model):
    """The Keras shape of each array ``get_weights()`` lists for ``model``, and the function
    that turns such an array into the PyTorch parameter (checked, nothing copied yet)."""
    layout = []  # (parameter, keras shape, NumPy array -> PyTorch layout)
    channels, flattened = None, False
    for layer in model:
        if isinstance(layer, nn.Flatten):
            flattened = True
            continue
        if isinstance(layer, nn.Conv2d):
            if flattened:
                raise ValueError("model must have its convolutions before its Flatten, as keras_style_cnn does")
            c_out, c_in, kh, kw = layer.weight.shape
            # Keras kernel (kH, kW, C_in, C_out) -> PyTorch weight (C_out, C_in, kH, kW)
            layout.append((layer.weight, (kh, kw, c_in, c_out), lambda a: a.transpose(3, 2, 0, 1)))
            channels = c_out
        elif isinstance(layer, nn.Linear):
            d_out, d_in = layer.weight.shape
            if flattened and channels is not None:
                side = int(round((d_in / channels) ** 0.5))
                if channels * side * side != d_in:
                    raise ValueError(
                        f"model's first Linear reads {d_in} features, which are not {channels} square "
                        "feature maps flattened"
                    )

                def dense(a, c=channels, h=side, d=d_out):
                    # row (i W + j) C + c of the Keras kernel -> column c H W + i W + j of the weight
                    return a.reshape(h, h, c, d).transpose(3, 2, 0, 1).reshape(d, c * h * h)

                layout.append((layer.weight, (d_in, d_out), dense))
                channels = None  # the later Linear layers read plain vectors
            else:
                layout.append((layer.weight, (d_in, d_out), lambda a: a.T))
        else:
            continue
        if layer.bias is None:
            raise ValueError(f"model's {type(layer).__name__} layers must have biases, as Keras's do")
        layout.append((layer.bias, tuple(layer.bias.shape), lambda a: a))
    return layout


def load_keras_weights(model, weights):
    """Copy the weights of a Keras model into its PyTorch translation, and return the latter.

    ``weights`` is the list that Keras's ``model.get_weights()`` returns: for each
    ``Conv2D`` and ``Dense`` layer in order, its kernel and then its bias, as NumPy arrays.
    Keras is channels-last, so three things move on the way (no Keras import is needed):

    * a convolution kernel of shape ``(kH, kW, C_in, C_out)`` becomes the weight
      ``(C_out, C_in, kH, kW)``;
    * the dense layer right after the ``Flatten`` has a kernel ``(H W C, d_out)`` whose row
      ``(i W + j) C + c`` reads entry ``(i, j, c)`` of the ``(H, W, C)`` feature maps; it
      becomes the weight ``(d_out, C H W)`` whose column ``c H W + i W + j`` reads the same
      entry of the ``(C, H, W)`` maps (equation ``eq-06-flatten``);
    * every other dense kernel ``(d_in, d_out)`` becomes its transpose ``(d_out, d_in)``.

    Biases are copied as they are. Every array is checked before anything is copied.

    Parameters
    ----------
    model : torch.nn.Sequential
        A model such as :func:`keras_style_cnn` returns: ``Conv2d`` layers, then a
        ``Flatten`` of square feature maps, then ``Linear`` layers, all with biases (other
        layers, which have no parameters, are skipped).
    weights : list or tuple of numpy.ndarray
        Two floating-point arrays per ``Conv2d`` and ``Linear`` layer, in Keras's shapes:
        for the source's model ``(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 128),
        (128,), (128, n_outputs), (n_outputs,)``.

    Returns
    -------
    torch.nn.Sequential
        ``model`` itself, its parameters overwritten (in their own dtype).

    Raises
    ------
    TypeError
        If ``model`` is not a ``torch.nn.Sequential``, ``weights`` not a list or tuple, or
        one of its entries not a floating-point NumPy array.
    ValueError
        If ``weights`` has the wrong number of arrays, or one of them the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> shapes = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 128), (128,), (128, 1), (1,)]
    >>> weights = [rng.normal(size=s).astype(np.float32) for s in shapes]
    >>> model = load_keras_weights(keras_style_cnn(1), weights)
    >>> bool((model[0].weight[5, 0, 1, 2] == float(weights[0][1, 2, 0, 5])).item())
    True
    >>> load_keras_weights(keras_style_cnn(1), weights[:6])
    Traceback (most recent call last):
    ...
    ValueError: weights must hold 8 arrays (a kernel and a bias for each of model's 4 Conv2d and Linear layers), got 6
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be a torch.nn.Sequential such as keras_style_cnn returns, got {type(model).__name__}")
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"weights must be a list of NumPy arrays, as Keras's get_weights() returns, "
                        f"got {type(weights).__name__}")
    layout = _keras_layout(model)
    if len(weights) != len(layout):
        raise ValueError(
            f"weights must hold {len(layout)} arrays (a kernel and a bias for each of model's "
            f"{len(layout) // 2} Conv2d and Linear layers), got {len(weights)}"
        )
    arrays = []
    for i, (array, (param, shape, convert)) in enumerate(zip(weights, layout)):
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            kind = f"an array of dtype {array.dtype}" if isinstance(array, np.ndarray) else type(array).__name__
            raise TypeError(f"weights[{i}] must be a floating-point NumPy array, got {kind}")
        if array.shape != shape:
            what = "kernel" if i % 2 == 0 else "bias"
            raise ValueError(f"weights[{i}] (a {what}) must have shape {shape} for this model, got {array.shape}")
        arrays.append((param, convert(array)))
    with torch.no_grad():
        for param, array in arrays:
            param.copy_(torch.from_numpy(np.ascontiguousarray(array)).to(param.dtype))
    return model


def _dtype_of(model):
    return next(model.parameters()).dtype


@torch.no_grad()
def evaluate(model, x, targets, batch_size=500):
    """Mean cross-entropy and accuracy of a logits model over a data set, as two floats."""
    model.eval()
    dtype = _dtype_of(model)
    total, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        xb = torch.as_tensor(x[i : i + batch_size], dtype=dtype)
        yb = torch.as_tensor(targets[i : i + batch_size], dtype=torch.int64)
        logits = model(xb)
        total += float(F.cross_entropy(logits, yb, reduction="sum"))
        correct += int((logits.argmax(1) == yb).sum())
    return total / len(x), correct / len(x)


def train_torch(model, x_train, y_train, x_test, y_test, epochs=3, lr=1e-3, batch_size=32, seed=0,
                optimizer="adam", verbose=True, lr_decay=1.0):
    """Train a PyTorch classifier (logits out) with cross-entropy on the batches of
    :func:`companion.minibatches`.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(N, 1, H, W)`` to logits ``(N, Q)``, one per class.
    optimizer : {"adam", "sgd"}, default "adam"
    lr_decay : float, default 1.0
        The learning rate of epoch ``e`` is ``lr * lr_decay**e``, as in
        :func:`companion.train_numpy`.
    Other parameters as :func:`companion.train_numpy`.

    Returns
    -------
    dict
        The same keys as :func:`companion.train_numpy`.
    """
    check_schedule(lr, lr_decay)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    epochs = check_int(epochs, "epochs", minimum=1)
    x_train = as_array(x_train, "x_train", ndim=4)
    x_test = as_array(x_test, "x_test", ndim=4)
    y_train, y_test = check_labels(x_train, y_train, x_test, y_test)
    check_choice(optimizer, "optimizer", ("adam", "sgd"), described='"adam" or "sgd"')
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    elif optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    else:  # pragma: no cover - check_choice has rejected every other name
        raise ValueError(f'optimizer must be "adam" or "sgd", got {optimizer!r}')
    dtype = _dtype_of(model)
    xt = torch.as_tensor(np.ascontiguousarray(x_train), dtype=dtype)
    yt = torch.as_tensor(y_train, dtype=torch.int64)
    history = new_history()
    for epoch in range(epochs):
        model.train()
        for group in opt.param_groups:
            group["lr"] = lr * lr_decay**epoch
        for idx in minibatches(len(xt), batch_size, seed, epoch):
            idx = torch.from_numpy(idx)
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            history["step_loss"].append(loss.item())
        end_epoch(history, epoch, lambda x, y: evaluate(model, x, y), (x_train, y_train), (x_test, y_test),
                   verbose)
    return history


# --------------------------------------------------------------------------- chapter 10


def small_cnn(batch_norm=False, n_filters=8, seed=0):
    """Chapter 8's network in PyTorch (float64, PyTorch's default initialisation), with an
    optional batch normalisation between the convolution and the ReLU (chapter 10).

    ``Conv2d(1, F, 3) -> [BatchNorm2d(F)] -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(F * 13 * 13, 10)``
    for 28 by 28 images.

    Parameters
    ----------
    batch_norm : bool, default False
    n_filters : int, default 8
    seed : int, default 0
        Seed of ``torch.manual_seed`` before the layers draw their weights.

    Returns
    -------
    torch.nn.Sequential
    """
    batch_norm = bool(check_bool(batch_norm, "batch_norm"))
    n_filters = check_int(n_filters, "n_filters", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    torch.manual_seed(seed)
    layers = [nn.Conv2d(1, n_filters, 3)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(n_filters))
    layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(n_filters * 13 * 13, 10)]
    return nn.Sequential(*layers).double()


def fit_torch(model, x, y, epochs=1, lr=0.1, optimizer="sgd", momentum=0.9, batch_size=32, seed=0,
              augment=False, max_shift=2, max_angle=10.0):
    """Train a logits model with cross-entropy on the batches of :func:`companion.minibatches`.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(N, 1, H, W)`` to logits ``(N, 10)``; trained in place.
    x : ndarray, shape (N, 1, H, W)
    y : ndarray of int, shape (N,)
    epochs : int, default 1
    lr : float, default 0.1
    optimizer : {"sgd", "momentum", "adam"}, default "sgd"
        ``torch.optim.SGD`` without and with ``momentum``, or ``torch.optim.Adam`` (default betas).
    momentum : float, default 0.9
        Used by ``"momentum"`` only.
    batch_size, seed : int
        As in :func:`companion.minibatches`; ``seed`` also seeds the augmentation.
    augment : bool, default False
        Train on :func:`companion.random_augment` copies of every batch, drawn afresh each
        epoch with ``max_shift`` and ``max_angle``.

    Returns
    -------
    ndarray, float64, shape (number of steps,)
        The loss of every mini-batch.
    """
    from .augmentation import random_augment

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    x = as_array(x, "x", ndim=4)
    y = as_array(y, "y", ndim=1, dtype_kind="iu")
    if len(x) != len(y):
        raise ValueError(f"x and y must hold as many examples, got {len(x)} and {len(y)}")
    epochs = check_int(epochs, "epochs", minimum=1)
    check_real(lr, "lr", above=0, described="a positive number")
    check_choice(optimizer, "optimizer", ("sgd", "momentum", "adam"), described='"sgd", "momentum" or "adam"')
    check_real(momentum, "momentum", minimum=0, below=1, described="at least 0 and less than 1")
    augment = check_bool(augment, "augment")
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    elif optimizer == "momentum":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    elif optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:  # pragma: no cover - check_choice has refused every other name
        raise ValueError(f'optimizer must be "sgd", "momentum" or "adam", got {optimizer!r}')
    dtype = _dtype_of(model)
    yt = torch.as_tensor(y, dtype=torch.int64)
    losses = []
    model.train()
    for epoch in range(epochs):
        rng = np.random.default_rng([seed, epoch, 10])
        for idx in minibatches(len(x), batch_size, seed, epoch):
            xb = x[idx]
            if augment:
                xb = random_augment(xb, rng, max_shift=max_shift, max_angle=max_angle)
            loss = F.cross_entropy(model(torch.as_tensor(np.ascontiguousarray(xb), dtype=dtype)), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return np.array(losses)


def torch_accuracy(model, x, y):
    """The accuracy of a logits model on ``(x, y)``, in evaluation mode (``model.eval()``).

    Returns
    -------
    float
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    x = as_array(x, "x", ndim=4)
    y = as_array(y, "y", ndim=1, dtype_kind="iu")
    return evaluate(model, x, y)[1]
