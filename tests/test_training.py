"""companion.training: the mini-batches, history and argument checks both training loops share."""

import numpy as np
import pytest

from companion.training import (
    check_labels,
    check_schedule,
    end_epoch,
    format_mean_std,
    mean_and_std,
    minibatches,
    new_history,
    percent_band,
)


def test_minibatches_cover_every_index_once_and_are_deterministic():
    batches = minibatches(10, 3, seed=1, epoch=2)
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = minibatches(10, 3, seed=1, epoch=2)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    other = minibatches(10, 3, seed=1, epoch=3)
    assert not all(np.array_equal(a, b) for a, b in zip(batches, other))


@pytest.mark.parametrize(
    "lr, lr_decay, error, match",
    [
        (0, 1.0, ValueError, r"^lr must be a positive number, got 0$"),
        (-0.1, 1.0, ValueError, "lr must be a positive number"),
        (float("nan"), 1.0, ValueError, "lr must be a positive number"),
        (0.1, 0, ValueError, r"^lr_decay must be a positive number, got 0$"),
        ("0.1", 1.0, TypeError, r"^lr must be a number, got str: '0.1'$"),
        (True, 1.0, TypeError, "lr must be a number, got bool"),
        (0.1, None, TypeError, "lr_decay must be a number, got NoneType"),
    ],
)
def test_check_schedule(lr, lr_decay, error, match):
    with pytest.raises(error, match=match):
        check_schedule(lr, lr_decay)


def test_check_schedule_accepts_positive_numbers():
    check_schedule(0.1, 1.0)
    check_schedule(np.float32(1e-3), 2)


def test_check_labels():
    x = np.zeros((3, 1, 2, 2))
    y_train, y_test = check_labels(x, [0, 1, 2], x[:1], np.array([1], dtype=np.uint8))
    assert y_train.tolist() == [0, 1, 2] and y_test.dtype == np.uint8
    with pytest.raises(ValueError, match="labels must match images: x_train 3 vs y_train 2, x_test 1 vs y_test 1"):
        check_labels(x, [0, 1], x[:1], [1])
    with pytest.raises(TypeError, match="y_test must hold numbers|y_test"):
        check_labels(x, [0, 1, 2], x[:1], [0.5])
    with pytest.raises(ValueError, match="y_train must be 1-D"):
        check_labels(x, [[0, 1, 2]], x[:1], [1])


def test_history_and_epoch_bookkeeping(capsys):
    history = new_history()
    assert history == {"step_loss": [], "train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    scores = {"train": (0.5, 0.75), "test": (0.625, 0.5)}
    end_epoch(history, 0, lambda x, y: scores[x], ("train", None), ("test", None), verbose=True)
    assert history["train_loss"] == [0.5] and history["val_acc"] == [0.5]
    assert capsys.readouterr().out == (
        "epoch 1: train loss 0.5000, train accuracy 75.00%, validation loss 0.6250, validation accuracy 50.00%\n"
    )
    end_epoch(history, 1, lambda x, y: scores[x], ("train", None), ("test", None), verbose=False)
    assert len(history["train_acc"]) == 2 and capsys.readouterr().out == ""


def test_mean_and_std_matches_torch_std():
    import torch

    values = [0.933, 0.954, 0.941, 0.948, 0.95]
    mean, std = mean_and_std(values)
    t = torch.tensor(values, dtype=torch.float64)
    np.testing.assert_allclose([mean, std], [t.mean().item(), t.std().item()], rtol=1e-12, atol=1e-12)
    assert mean_and_std(np.array([1, 3])) == (2.0, float(np.sqrt(2.0)))
    assert isinstance(mean, float) and isinstance(std, float)


@pytest.mark.parametrize(
    "values, error, pattern",
    [
        ([0.5], ValueError, r"^values must hold at least 2 measurements to have a spread, got 1$"),
        ([[0.5, 0.6]], ValueError, "values must be 1-D"),
        (["a", "b"], TypeError, "values"),
    ],
)
def test_mean_and_std_bad_input(values, error, pattern):
    with pytest.raises(error, match=pattern):
        mean_and_std(values)


def test_format_mean_std_and_percent_band():
    assert format_mean_std([0.933, 0.954, 0.941, 0.948, 0.95]) == "95 ± 1%"
    assert format_mean_std([0.933, 0.954, 0.941, 0.948, 0.95], decimals=1) == "94.5 ± 0.8%"
    with pytest.raises(ValueError, match="decimals must be at least 0, got -1"):
        format_mean_std([0.5, 0.6], decimals=-1)
    assert percent_band(0.977, 1000) == "97-98%"
    assert percent_band(1.0, 10) == "100-101%"
    assert percent_band(0, 500) == "0-1%"
    with pytest.raises(ValueError, match=r"accuracy must be in \[0, 1\], got 1.5"):
        percent_band(1.5, 10)
    with pytest.raises(TypeError, match="accuracy must be a number, got str"):
        percent_band("0.5", 10)
    with pytest.raises(ValueError, match="n must be at least 1, got 0"):
        percent_band(0.5, 0)
