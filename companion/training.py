"""What the two training loops of chapter 8 share: the batches, the bookkeeping, the checks.

The NumPy network is trained by :func:`companion.train_numpy` (in :mod:`companion.model`) and
its PyTorch twin by :func:`companion.train_torch` (in :mod:`companion.torch_models`). So that
the two can be compared step by step, both draw the same mini-batches
(:func:`minibatches`), keep the same history (``new_history``, ``end_epoch``) and
reject the same bad arguments with the same messages (``check_schedule``,
``check_labels``). The summaries of repeated runs live here too: :func:`mean_and_std`
over seeds, :func:`format_mean_std` and :func:`percent_band` to print them at a resolution
that every machine reproduces. This module uses NumPy only.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, check_int, check_real

__all__ = ["minibatches", "mean_and_std", "percent_band", "format_mean_std"]


def minibatches(n, batch_size, seed, epoch):
    """The index arrays of one epoch's mini-batches, shuffled deterministically.

    The same ``(n, batch_size, seed, epoch)`` always gives the same batches, so the NumPy
    network and its PyTorch twin can be trained on exactly the same sequence.

    Returns
    -------
    list of ndarray of int64

    Examples
    --------
    >>> [b.tolist() for b in minibatches(5, 2, seed=0, epoch=0)]
    [[2, 4], [3, 0], [1]]
    """
    n = check_int(n, "n", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    epoch = check_int(epoch, "epoch", minimum=0)
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def check_schedule(lr, lr_decay):
    """Check the learning rate and its decay per epoch: two positive numbers.

    The learning rate of epoch ``e`` (counted from 0) is ``lr * lr_decay**e``.

    >>> check_schedule(0.1, "0.5")
    Traceback (most recent call last):
    ...
    TypeError: lr_decay must be a number, got str: '0.5'
    """
    for name, value in (("lr", lr), ("lr_decay", lr_decay)):
        check_real(value, name, above=0, described="a positive number")


def check_labels(x_train, y_train, x_test, y_test):
    """Check the labels of both splits (1-D, integers) against their images; return them as arrays.

    ``x_train`` and ``x_test`` are the already-checked image batches.
    """
    y_train = as_array(y_train, "y_train", ndim=1, dtype_kind="iu")
    y_test = as_array(y_test, "y_test", ndim=1, dtype_kind="iu")
    if len(y_train) != len(x_train) or len(y_test) != len(x_test):
        raise ValueError(
            f"labels must match images: x_train {len(x_train)} vs y_train {len(y_train)}, "
            f"x_test {len(x_test)} vs y_test {len(y_test)}"
        )
    return y_train, y_test


def new_history():
    """An empty training history: the keys both loops return.

    ``"val_loss"`` and ``"val_acc"`` hold the held-out digits that a loop watches after each
    epoch (its ``x_test, y_test`` arguments): in the book's experiments, the validation digits.
    """
    return {"step_loss": [], "train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}


def end_epoch(history, epoch, evaluate, train, test, verbose):
    """Record an epoch's loss and accuracy on both splits, and print them when ``verbose``.

    ``evaluate(x, y)`` returns ``(loss, accuracy)``; ``train`` and ``test`` are ``(x, y)``:
    the digits learned from, and the held-out digits watched after each epoch (recorded as
    ``"val_loss"`` and ``"val_acc"``).
    """
    for split, (x, y) in (("train", train), ("val", test)):
        loss, acc = evaluate(x, y)
        history[f"{split}_loss"].append(loss)
        history[f"{split}_acc"].append(acc)
    if verbose:
        print(
            f"epoch {epoch + 1}: train loss {history['train_loss'][-1]:.4f}, "
            f"train accuracy {history['train_acc'][-1]:.2%}, "
            f"validation loss {history['val_loss'][-1]:.4f}, validation accuracy {history['val_acc'][-1]:.2%}"
        )


def mean_and_std(values):
    """The mean and the sample standard deviation of repeated measurements (one per seed).

    .. math::

        \\bar a = \\frac{1}{S} \\sum_{s=1}^{S} a_s, \\qquad
        \\sigma_a = \\sqrt{\\frac{1}{S - 1} \\sum_{s=1}^{S} (a_s - \\bar a)^2}

    The :math:`S - 1` (Bessel's correction, as ``torch.std`` and ``numpy.std(ddof=1)``)
    makes :math:`\\sigma_a^2` an unbiased estimate of the variance from few seeds.

    Parameters
    ----------
    values : array_like of float, shape (S,)
        At least two measurements, e.g. the test accuracies of ``S`` seeds.

    Returns
    -------
    (float, float)
        The mean and the standard deviation.

    Examples
    --------
    >>> mean, std = mean_and_std([0.93, 0.95, 0.94])
    >>> print(f"{mean:.3f} ± {std:.3f}")
    0.940 ± 0.010
    >>> mean_and_std([0.9])
    Traceback (most recent call last):
    ...
    ValueError: values must hold at least 2 measurements to have a spread, got 1
    """
    values = as_array(values, "values", ndim=1, dtype_kind="iuf").astype(np.float64)
    if values.shape[0] < 2:
        raise ValueError(f"values must hold at least 2 measurements to have a spread, got {values.shape[0]}")
    mean = float(values.mean())
    std = float(np.sqrt(np.sum((values - mean) ** 2) / (values.shape[0] - 1)))
    return mean, std


def format_mean_std(values, decimals=0):
    """Accuracies over seeds as ``"mean ± std%"``, at a stated resolution.

    Parameters
    ----------
    values : array_like of float, shape (S,)
        Accuracies as fractions in [0, 1], at least two.
    decimals : int, default 0
        Decimals of the percentages: 0 prints whole percents, the resolution a float32
        training run reproduces across machines.

    Returns
    -------
    str

    Examples
    --------
    >>> format_mean_std([0.933, 0.954, 0.941, 0.948, 0.95])
    '95 ± 1%'
    >>> format_mean_std([0.933, 0.954, 0.941, 0.948, 0.95], decimals=1)
    '94.5 ± 0.8%'
    """
    decimals = check_int(decimals, "decimals", minimum=0)
    mean, std = mean_and_std(values)
    return f"{100 * mean:.{decimals}f} ± {100 * std:.{decimals}f}%"


def percent_band(accuracy, n):
    """The whole-percent band in which an accuracy over ``n`` examples lies.

    A float32 training run gives accuracies that differ by a tenth of a point between
    machines; the band is what such a run reproduces.

    Parameters
    ----------
    accuracy : float
        A fraction in [0, 1] of ``n`` examples, i.e. a multiple of ``1 / n``.
    n : int
        The number of examples, at least 1.

    Returns
    -------
    str

    Examples
    --------
    >>> percent_band(0.977, 1000)
    '97-98%'
    """
    n = check_int(n, "n", minimum=1)
    check_real(accuracy, "accuracy", described="a number in [0, 1]")
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be in [0, 1], got {accuracy}")
    low = round(accuracy * n) * 100 // n
    return f"{low}-{low + 1}%"
