"""companion.confusion_matrix (chapter 8), against torch.bincount and a literal loop."""

import numpy as np
import pytest
import torch

import companion
from companion.model import confusion_matrix


@pytest.mark.parametrize("n, k, seed", [(1, 2, 0), (50, 3, 1), (1000, 10, 2)])
def test_matches_torch_bincount_and_a_loop(n, k, seed):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, k, size=n)
    p = rng.integers(0, k, size=n)
    m = confusion_matrix(t, p, n_classes=k)
    ref = torch.bincount(torch.from_numpy(t * k + p), minlength=k * k).reshape(k, k).numpy()
    np.testing.assert_array_equal(m, ref)
    loop = np.zeros((k, k), dtype=np.int64)
    for a, b in zip(t, p):
        loop[a, b] += 1
    np.testing.assert_array_equal(m, loop)
    assert m.dtype == np.int64 and m.sum() == n
    np.testing.assert_array_equal(m.sum(axis=1), np.bincount(t, minlength=k))
    assert np.trace(m) == np.sum(t == p)


def test_default_number_of_classes_and_torch_tensors():
    m = confusion_matrix(torch.tensor([0, 2]), torch.tensor([1, 2]))
    assert m.shape == (3, 3)
    assert m.tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 1]]


def test_accuracy_of_a_trained_network_is_the_trace():
    net = companion.TinyCNN(n_filters=2, image_size=8, n_classes=4)
    rng = np.random.default_rng(3)
    x, y = rng.random((20, 1, 8, 8)), rng.integers(0, 4, size=20)
    m = confusion_matrix(y, net.predict(x), n_classes=4)
    assert np.trace(m) / m.sum() == pytest.approx(net.evaluate(x, y)[1])


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="predictions must lie in 0..1"):
        confusion_matrix([0, 1], [0, 2], n_classes=2)
    with pytest.raises(ValueError, match="targets must lie"):
        confusion_matrix([-1, 1], [0, 1], n_classes=2)
    with pytest.raises(TypeError, match="targets"):
        confusion_matrix([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="n_classes"):
        confusion_matrix([0], [0], n_classes=0)
    with pytest.raises(TypeError, match="predictions"):
        confusion_matrix([0], "0")
