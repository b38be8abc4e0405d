"""Tests of companion.data: the bundled MNIST subset, the split, and the photographs (the image
matrix of chapter 1, eq-01-image-matrix, held to PyTorch)."""

import hashlib
import shutil
import zipfile

import numpy as np
import pytest
import torch
from skimage import data as skdata

from companion import data, sample_image, sample_image_rgb


def test_mnist_shapes_dtypes_ranges_and_counts():
    images, labels = data.load_mnist()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.min() == 0 and images.max() == 255
    # real handwriting: most pixels are background, every digit has some ink
    assert (images == 0).mean() > 0.7
    assert (images.reshape(5000, -1).max(axis=1) > 100).all()


def test_mnist_returns_copies_so_the_cache_cannot_be_corrupted():
    images, labels = data.load_mnist()
    images[:] = 7
    labels[:] = 3
    again, labels2 = data.load_mnist()
    assert again.max() == 255 and np.bincount(labels2).tolist() == [500] * 10


def test_files_match_recorded_sha256_and_hold_no_pickles():
    for name, digest in data._SHA256.items():
        path = data._DATA_DIR / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        with np.load(path, allow_pickle=False) as npz:  # would raise on object arrays
            for key in npz.files:
                assert npz[key].dtype == np.uint8
        with zipfile.ZipFile(path) as zf:
            assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in zf.infolist())


def _tampered_dir(tmp_path, name):
    for f in data._DATA_DIR.iterdir():
        shutil.copy(f, tmp_path / f.name)
    raw = bytearray((tmp_path / name).read_bytes())
    raw[-100] ^= 0xFF
    (tmp_path / name).write_bytes(bytes(raw))
    return tmp_path


@pytest.mark.parametrize(
    "name, loader",
    [("mnist_5k.npz", data.load_mnist), ("camera.npz", data.sample_image), ("chelsea.npz", data.sample_image_rgb)],
)
def test_tampered_file_is_refused(tmp_path, monkeypatch, name, loader):
    monkeypatch.setattr(data, "_DATA_DIR", _tampered_dir(tmp_path, name))
    with pytest.raises(data.DataChecksumError, match="SHA-256"):
        loader()


def test_missing_file_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_DATA_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="cannot be read"):
        data.sample_image()


def test_wrong_layout_is_refused_even_with_matching_hash(tmp_path, monkeypatch):
    path = tmp_path / "camera.npz"
    np.savez_compressed(path, image=np.zeros((4, 4), dtype=np.uint8))
    monkeypatch.setattr(data, "_DATA_DIR", tmp_path)
    monkeypatch.setitem(data._SHA256, "camera.npz", hashlib.sha256(path.read_bytes()).hexdigest())
    with pytest.raises(data.DataChecksumError, match="expected array 'image'"):
        data.sample_image()


def test_split_sizes_stratified_disjoint_and_fixed():
    images, labels = data.load_mnist()
    (xtr, ytr), (xte, yte) = data.load_mnist_split()
    assert xtr.shape == (4000, 28, 28) and xte.shape == (1000, 28, 28)
    assert ytr.dtype == yte.dtype == np.int64
    assert np.bincount(ytr).tolist() == [400] * 10
    assert np.bincount(yte).tolist() == [100] * 10
    # shuffled, not sorted by class
    assert (np.diff(ytr) != 0).sum() > 1000
    # no digit in both sets: compare the images' bytes
    train_keys = {x.tobytes() for x in xtr}
    assert not any(x.tobytes() in train_keys for x in xte)
    # deterministic across calls, and pinned: a change of this fingerprint changes the book
    (xtr2, ytr2), (xte2, yte2) = data.load_mnist_split(seed=0)
    assert np.array_equal(xtr, xtr2) and np.array_equal(yte, yte2)
    fingerprint = hashlib.sha256(ytr.tobytes() + yte.tobytes() + xte.tobytes()).hexdigest()
    assert fingerprint == SPLIT_FINGERPRINT


SPLIT_FINGERPRINT = "cb6e5d2f88c936f7771bf807254ec7e912b713093101f18aeffde0e7bfb973b1"


def test_split_seed_changes_the_split_and_generic_sizes():
    images, labels = data.load_mnist()
    (_, a), _ = data.train_test_split(images, labels, seed=0)
    (_, b), _ = data.train_test_split(images, labels, seed=1)
    assert not np.array_equal(a, b)
    x = np.arange(10)
    y = np.array([0] * 7 + [1] * 3)
    (xtr, ytr), (xte, yte) = data.train_test_split(x, y, n_train=5, n_test=3, seed=0)
    assert len(xtr) == 5 and len(xte) == 3 and set(xtr).isdisjoint(xte)
    assert np.bincount(yte, minlength=2).tolist() == [2, 1]


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"images": "abc"}, TypeError, "images"),
        ({"images": np.float64(3.0)}, ValueError, "first"),
        ({"labels": np.zeros((10, 2), int)}, ValueError, "labels must be 1-D"),
        ({"labels": np.zeros(10)}, TypeError, "labels"),
        ({"labels": np.zeros(9, int)}, ValueError, "one entry per image"),
        ({"n_train": 0}, ValueError, "n_train"),
        ({"n_test": 2.5}, TypeError, "n_test"),
        ({"seed": -1}, ValueError, "seed"),
        ({"n_train": 8, "n_test": 3}, ValueError, "at most the number of images, 10"),
    ],
)
def test_split_bad_input(kwargs, exc, match):
    args = {"images": np.zeros((10, 2)), "labels": np.array([0, 1] * 5), "n_train": 6, "n_test": 2}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        data.train_test_split(**args)


def test_split_class_too_small_for_its_share():
    # three classes of one example: both shares round up for class 0 (1 train + 1 test)
    with pytest.raises(ValueError, match="class 0 has 1 examples"):
        data.train_test_split(np.zeros(3), np.array([0, 1, 2]), n_train=1, n_test=1)


def test_sample_images():
    gray = data.sample_image()
    assert gray.shape == (512, 512) and gray.dtype == np.uint8
    assert gray.std() > 30  # a photograph, not a constant
    gray[:] = 0
    assert data.sample_image().max() > 0
    rgb = data.sample_image_rgb()
    assert rgb.shape == (300, 451, 3) and rgb.dtype == np.uint8
    assert not np.array_equal(rgb[..., 0], rgb[..., 2])  # really coloured


def test_bundled_data_is_small():
    total = sum(f.stat().st_size for f in data._DATA_DIR.iterdir())
    assert total < 2_000_000


def test_sample_image_is_the_cameraman_and_torch_reads_it_as_rows_then_columns():
    image = sample_image()
    np.testing.assert_array_equal(image, skdata.camera())
    t = torch.from_numpy(image)
    assert tuple(t.shape) == image.shape == (512, 512)  # (H, W): height first
    for i, j in [(0, 0), (0, 511), (511, 0), (100, 300), (330, 284)]:
        assert int(t[i, j]) == int(image[i, j])  # row i from the top, column j from the left
    assert tuple(torch.from_numpy(image).flatten()[:512].numpy()) == tuple(image[0])  # row-major


def test_sample_image_rgb_is_chelsea_channels_last():
    rgb = sample_image_rgb()
    np.testing.assert_array_equal(rgb, skdata.chelsea())
    t = torch.from_numpy(rgb).permute(2, 0, 1)
    for c in range(3):
        np.testing.assert_array_equal(t[c].numpy(), rgb[:, :, c])


def test_train_val_split_is_stratified_disjoint_complete_and_deterministic():
    (x, y), _ = data.load_mnist_split()
    (x_fit, y_fit), (x_val, y_val) = data.train_val_split(x, y, val_fraction=0.125, seed=0)
    assert x_fit.shape == (3500, 28, 28) and x_val.shape == (500, 28, 28)
    assert np.bincount(y_val).tolist() == [50] * 10 and np.bincount(y_fit).tolist() == [350] * 10
    # every training digit lands in exactly one part, with its label
    key = lambda imgs, labels: sorted(hashlib.sha256(im.tobytes() + bytes([t])).hexdigest() for im, t in zip(imgs, labels))
    assert key(np.concatenate([x_fit, x_val]), np.concatenate([y_fit, y_val])) == key(x, y)
    assert not set(key(x_fit, y_fit)) & set(key(x_val, y_val))
    (x2, _), (v2, _) = data.train_val_split(x, y, val_fraction=0.125, seed=0)
    np.testing.assert_array_equal(x2, x_fit)
    np.testing.assert_array_equal(v2, x_val)
    (_, _), (v3, _) = data.train_val_split(x, y, val_fraction=0.125, seed=1)
    assert not np.array_equal(v3, x_val)


def test_load_protocol_split_is_the_split_of_the_training_digits_and_the_test_digits():
    fit, val, test = data.load_protocol_split()
    (x, y), (x_test, y_test) = data.load_mnist_split()
    expected_fit, expected_val = data.train_val_split(x, y, val_fraction=0.125, seed=0)
    for got, expected in zip((fit, val, test), (expected_fit, expected_val, (x_test, y_test))):
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
    assert [len(part[1]) for part in (fit, val, test)] == [3500, 500, 1000]
    assert np.bincount(fit[1]).tolist() == [350] * 10 and np.bincount(val[1]).tolist() == [50] * 10


def test_train_val_split_sizes_round():
    x, y = np.arange(10), np.array([0, 1] * 5)
    (a, _), (b, yb) = data.train_val_split(x, y, val_fraction=0.2)
    assert len(a) == 8 and len(b) == 2 and sorted(yb.tolist()) == [0, 1]


@pytest.mark.parametrize(
    "fraction, error, pattern",
    [
        (0.0, ValueError, r"^val_fraction must be strictly between 0 and 1, got 0.0$"),
        (1, ValueError, r"val_fraction must be strictly between 0 and 1, got 1"),
        (0.01, ValueError, r"val_fraction=0.01 of 10 examples holds out 0; both parts need at least one"),
        ("0.1", TypeError, r"val_fraction must be a number, got str: '0.1'"),
        (True, TypeError, r"val_fraction must be a number, got bool"),
    ],
)
def test_train_val_split_bad_fraction(fraction, error, pattern):
    with pytest.raises(error, match=pattern):
        data.train_val_split(np.arange(10), np.array([0, 1] * 5), val_fraction=fraction)


def test_train_val_split_bad_labels():
    with pytest.raises(ValueError, match="labels must be 1-D"):
        data.train_val_split(np.arange(10), np.zeros((5, 2), dtype=int))


def test_load_results_ch08_sweep_is_consistent():
    results = data.load_results("ch08_sweep")
    assert results["script"] == "tools/ch08_sweep.py" and len(results["seeds"]) >= 5
    # the chosen setting is the one with the best mean validation accuracy after the last epoch
    means = {(g["lr"], g["lr_decay"]): np.mean(np.array(g["val_acc"])[:, -1]) for g in results["grid"]}
    assert max(means, key=means.get) == (results["chosen"]["lr"], results["chosen"]["lr_decay"])
    assert len(results["chosen"]["test_acc"]) == len(results["seeds"])
    for g in results["grid"]:
        assert np.array(g["val_acc"]).shape == (len(results["seeds"]), results["epochs"])
    # accuracies over 500 validation digits are multiples of 1/500
    acc = np.array(results["grid"][0]["val_acc"]) * 500
    np.testing.assert_allclose(acc, np.round(acc), rtol=0, atol=1e-9)


def test_load_results_ch10_runs_is_consistent():
    results = data.load_results("ch10_runs")
    assert results["script"] == "tools/ch10_runs.py" and len(results["seeds"]) >= 5
    assert results["split"] == {"fit": 3500, "validation": 500, "test": 1000}
    rates = results["rates"]
    steps = np.diff(np.log10(rates))           # a log grid: 1, 3, 10, 30, ... about half a decade per step
    assert np.all((steps > 0.4) & (steps < 0.6)), steps
    comparisons = list(results["comparisons"].values()) + [results["optimizers"]]
    assert set(results["grid"]) == set(results["chosen"]) == set(results["settings"]) == {s for c in comparisons for s in c}
    for setting, grid in results["grid"].items():
        # every setting on the same grid, every rate on the same seeds, a record per epoch
        assert [g["lr"] for g in grid] == rates
        for g in grid:
            assert [r["seed"] for r in g["runs"]] == results["seeds"]
            for r in g["runs"]:
                assert len(r["val_correct"]) == len(r["train_loss"]) == results["epochs"]
                assert len(r["val_shift_correct"]) == len(results["shifts"])
                assert r["val_shift_correct"][0] == r["val_correct"][-1]      # shift 0: the digits as they are
                assert all(0 <= c <= 500 for c in r["val_correct"] + r["val_shift_correct"])
        # the chosen rate has the best mean validation accuracy after the last epoch
        means = [np.mean([r["val_correct"][-1] for r in g["runs"]]) for g in grid]
        assert results["chosen"][setting]["lr"] == rates[int(np.argmax(means))]
        chosen = results["chosen"][setting]
        assert len(chosen["test_correct"]) == len(results["seeds"])
        assert [t[0] for t in chosen["test_shift_correct"]] == chosen["test_correct"]


def test_load_results_ch08_ablation_and_overfit_use_the_chosen_schedule_and_the_same_seeds():
    results = data.load_results("ch08_sweep")
    chosen = results["chosen"]
    ablation = results["ablation"]
    assert ablation["seeds"] == results["seeds"]
    assert ablation["schedule"] == {"lr": chosen["lr"], "lr_decay": chosen["lr_decay"]}
    steps = ["numpy_float64_sgd", "float32_sgd", "float32_adam", "float32_adam_torch_init",
             "float32_adam_torch_init_32_kernels", "deeper_network"]
    assert list(ablation["val_acc"]) == steps
    assert all(len(ablation["val_acc"][k]) == len(results["seeds"]) for k in steps)
    # the ablation's first step is the chosen schedule's run of the grid, seed for seed
    grid = next(g for g in results["grid"] if (g["lr"], g["lr_decay"]) == (chosen["lr"], chosen["lr_decay"]))
    assert ablation["val_acc"]["numpy_float64_sgd"] == [v[-1] for v in grid["val_acc"]]
    assert results["kernels"]["8"] == ablation["val_acc"]["numpy_float64_sgd"]
    overfit = results["overfit"]
    assert sorted(overfit["runs"]) == ["1", "2"] and overfit["digits"] == results["split"]["fit"]
    for runs in overfit["runs"].values():
        assert len(runs) == len(results["seeds"])
        assert all(sorted(r) == ["train_acc", "train_loss", "val_acc", "val_loss"] for r in runs)
        assert all(len(r["val_loss"]) == overfit["epochs"] for r in runs)


def test_load_results_bad_name():
    with pytest.raises(ValueError, match=r"name must be one of \['ch08_sweep', 'ch10_runs'\], got 'nope'"):
        data.load_results("nope")
    with pytest.raises(TypeError, match="name must be a str, got int"):
        data.load_results(8)


def test_load_tuning_ch10_runs_matches_the_record():
    record, tuning = data.load_results("ch10_runs"), data.load_tuning("ch10_runs")
    np.testing.assert_array_equal(tuning["rates"], record["rates"])
    assert tuning["seeds"] == record["seeds"] and tuning["epochs"] == record["epochs"]
    assert tuning["minutes"] == sum(record["seconds"].values()) / 60
    labels = {key: spec["label"] for key, spec in record["settings"].items()}
    assert tuning["optimizers"] == [labels[k] for k in record["optimizers"]]
    assert set(tuning["settings"]) == set(labels.values())
    for key, label in labels.items():
        got, grid = tuning["settings"][label], record["grid"][key]
        R, S, E = len(record["rates"]), len(record["seeds"]), record["epochs"]
        assert got["validation"].shape == (R, S, E) and got["validation_shifted"].shape == (R, S, len(record["shifts"]))
        # rate 2, seed 3: the counts of the record over the 500 validation digits
        assert got["validation"][2, 3, -1] == grid[2]["runs"][3]["val_correct"][-1] / 500
        assert got["validation_shifted"][2, 3, 1] == grid[2]["runs"][3]["val_shift_correct"][1] / 500
        first = grid[0]["runs"][0]["train_loss"][0]
        assert (np.isnan(got["first_epoch_loss"][0, 0]) if first is None else got["first_epoch_loss"][0, 0] == first)
        assert got["chosen_lr"] == record["chosen"][key]["lr"]
        np.testing.assert_array_equal(got["test"] * 1000, record["chosen"][key]["test_correct"])
        assert got["test_shifted"].shape == (S, len(record["shifts"]))


def test_load_tuning_bad_name():
    with pytest.raises(ValueError, match=r"name must be a recorded tuning of learning rates, one of \['ch10_runs'\], "
                                         r"got 'ch08_sweep'"):
        data.load_tuning("ch08_sweep")
    with pytest.raises(TypeError, match="name must be a str, got int"):
        data.load_tuning(10)
