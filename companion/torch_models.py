"""PyTorch twins of the book's models (chapter 8). The one module that imports torch.

:func:`torch_twin` copies a :class:`companion.TinyCNN` into :class:`TinyCNNTorch`,
:func:`keras_style_cnn` builds the source material's Keras model, and :func:`train_torch`
trains either on the same mini-batches as :func:`companion.train_numpy` (both loops take
their batches, history and argument checks from :mod:`companion.training`).

``import companion`` does not import this module: ``companion.torch_twin``,
``companion.keras_style_cnn`` and ``companion.train_torch`` load it on first use.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validation import as_array, check_choice, check_int
from .model import TinyCNN
from .training import check_labels, check_schedule, end_epoch, minibatches, new_history

# The names companion re-exports; companion/__init__.py loads this module when one is used.
__all__ = ["torch_twin", "keras_style_cnn", "train_torch"]


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
        Maps ``(N, 1, H, W)`` to logits ``(N, K)``.
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
