"""companion.model: the NumPy network of chapter 8 against its PyTorch twin and finite differences,
and the confusion matrix against torch.bincount and a literal loop."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import companion
from companion.model import TinyCNN, confusion_matrix, images_to_batch, train_numpy


def small_net(seed=0):
    return TinyCNN(n_filters=3, kernel_size=3, pool_size=2, n_classes=4, image_size=8, seed=seed)


def small_batch(n=5, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 8, 8)), rng.integers(0, 4, size=n)


def test_forward_matches_torch_twin():
    net = small_net()
    x, _ = small_batch()
    logits, cache = net.forward(x)
    twin = companion.torch_twin(net)
    expected = twin(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(logits, expected, rtol=1e-12, atol=1e-12)
    assert cache["pooled"].shape == (5, 3, 3, 3)


def test_gradients_match_autograd():
    net = small_net()
    x, y = small_batch()
    # give the biases non-zero values so their gradients are exercised away from zero init
    net.params["b"] = np.array([0.1, -0.2, 0.05])
    net.params["c"] = np.array([0.3, 0.0, -0.1, 0.2])
    loss, grads = net.loss_and_grads(x, y)
    twin = companion.torch_twin(net)
    out = F.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y))
    out.backward()
    np.testing.assert_allclose(loss, out.item(), rtol=1e-12, atol=1e-12)
    pairs = {"K": twin.conv.weight, "b": twin.conv.bias, "W": twin.fc.weight, "c": twin.fc.bias}
    for name, param in pairs.items():
        np.testing.assert_allclose(grads[name], param.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("name", ["K", "b", "W", "c"])
def test_gradients_match_finite_differences(name):
    net = small_net(seed=3)
    net.params["b"] = np.array([0.1, -0.2, 0.05])
    x, y = small_batch(n=3, seed=2)
    _, grads = net.loss_and_grads(x, y)
    original = net.params[name].copy()

    def f(value):
        net.params[name] = value
        return net.loss_and_grads(x, y)[0]

    numeric = companion.numerical_gradient(f, original.copy())
    net.params[name] = original
    np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8)


def test_training_follows_torch_sgd_step_by_step():
    net = small_net()
    twin = companion.torch_twin(net)
    rng = np.random.default_rng(0)
    x = rng.random((40, 1, 8, 8))
    y = rng.integers(0, 4, size=40)
    hist = train_numpy(net, x, y, x[:10], y[:10], epochs=2, lr=0.5, batch_size=8, verbose=False, lr_decay=0.5)
    hist_t = companion.train_torch(twin, x, y, x[:10], y[:10], epochs=2, lr=0.5, batch_size=8,
                                   optimizer="sgd", verbose=False, lr_decay=0.5)
    assert len(hist["step_loss"]) == 10
    np.testing.assert_allclose(hist["step_loss"], hist_t["step_loss"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hist["val_acc"], hist_t["val_acc"], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(net.params["W"], twin.fc.weight.detach().numpy(), rtol=1e-9, atol=1e-12)
    # the loss went down: training does something
    assert hist["train_loss"][-1] < companion.cross_entropy(small_net().forward(x)[0], y)


def test_training_prints_one_line_per_epoch(capsys):
    net = small_net()
    x, y = small_batch(n=6)
    train_numpy(net, x, y, x, y, epochs=2, lr=0.1, batch_size=3)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1: train loss")
    companion.train_torch(companion.torch_twin(net), x, y, x, y, epochs=1, batch_size=3, optimizer="sgd")
    assert capsys.readouterr().out.startswith("epoch 1: train loss")


def test_predict_and_evaluate_agree():
    net = small_net()
    x, y = small_batch(n=7)
    pred = net.predict(x, batch_size=3)
    loss, acc = net.evaluate(x, y)
    assert pred.shape == (7,) and pred.dtype.kind == "i"
    assert acc == pytest.approx(np.mean(pred == y))
    assert loss == pytest.approx(companion.cross_entropy(net.forward(x)[0], y))


def test_images_to_batch():
    imgs = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    out = images_to_batch(imgs)
    assert out.shape == (1, 1, 2, 2)
    np.testing.assert_allclose(out[0, 0], [[0, 1], [0.2, 0.4]], rtol=1e-7, atol=1e-12)
    with pytest.raises(ValueError, match="images"):
        images_to_batch(np.array([[[300]]]))
    with pytest.raises(ValueError, match="images"):
        images_to_batch(np.zeros((2, 2)))


def test_bad_input():
    net = small_net()
    with pytest.raises(ValueError, match="x must have shape"):
        net.forward(np.zeros((2, 1, 9, 9)))
    with pytest.raises(ValueError, match="x must be 4-D"):
        net.forward(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="n_filters"):
        TinyCNN(n_filters=0)
    with pytest.raises(TypeError, match="model must be a TinyCNN"):
        train_numpy("net", None, None, None, None)
    x, y = small_batch(n=4)
    with pytest.raises(ValueError, match="lr"):
        train_numpy(net, x, y, x, y, lr=0)
    with pytest.raises(ValueError, match="labels must match images"):
        train_numpy(net, x, y[:3], x, y)


@pytest.mark.parametrize("method", ["predict", "evaluate"])
@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (2.5, TypeError)])
def test_predict_and_evaluate_check_the_batch_size(method, batch_size, error):
    net = small_net()
    x, y = small_batch(n=4)
    args = (x,) if method == "predict" else (x, y)
    with pytest.raises(error, match="batch_size"):
        getattr(net, method)(*args, batch_size=batch_size)


def test_train_numpy_lr_must_be_a_number():
    net = small_net()
    x, y = small_batch(n=4)
    with pytest.raises(TypeError, match=r"^lr must be a number, got str: '0.1'$"):
        train_numpy(net, x, y, x, y, lr="0.1")


def test_lr_decay_is_validated_and_applied():
    net = small_net()
    x, y = small_batch(n=4)
    with pytest.raises(ValueError, match="lr_decay"):
        train_numpy(net, x, y, x, y, lr_decay=0)
    a, b = small_net(), small_net()
    train_numpy(a, x, y, x, y, epochs=2, lr=0.5, batch_size=4, verbose=False, lr_decay=1.0)
    train_numpy(b, x, y, x, y, epochs=2, lr=0.5, batch_size=4, verbose=False, lr_decay=0.1)
    assert not np.allclose(a.params["W"], b.params["W"], rtol=1e-5, atol=1e-8)


# --------------------------------------------------------------------------- confusion_matrix


@pytest.mark.parametrize("n, k, seed", [(1, 2, 0), (50, 3, 1), (1000, 10, 2)])
def test_confusion_matrix_matches_torch_bincount_and_a_loop(n, k, seed):
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


def test_confusion_matrix_default_number_of_classes_and_torch_tensors():
    m = confusion_matrix(torch.tensor([0, 2]), torch.tensor([1, 2]))
    assert m.shape == (3, 3)
    assert m.tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 1]]


def test_confusion_matrix_accuracy_of_a_trained_network_is_the_trace():
    net = companion.TinyCNN(n_filters=2, image_size=8, n_classes=4)
    rng = np.random.default_rng(3)
    x, y = rng.random((20, 1, 8, 8)), rng.integers(0, 4, size=20)
    m = confusion_matrix(y, net.predict(x), n_classes=4)
    assert np.trace(m) / m.sum() == pytest.approx(net.evaluate(x, y)[1])


def test_confusion_matrix_bad_input():
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


def test_top_activations_match_torch_topk():
    import torch

    from companion.model import top_activations

    rng = np.random.default_rng(3)
    maps = np.maximum(rng.normal(size=(40, 5, 6)), 0)
    idx, rows, cols, vals = top_activations(maps, k=7)
    per_image = torch.from_numpy(maps).reshape(40, -1).max(dim=1)
    top = torch.topk(per_image.values, 7)
    np.testing.assert_array_equal(idx, top.indices.numpy())
    np.testing.assert_array_equal(vals, top.values.numpy())
    np.testing.assert_array_equal(maps[idx, rows, cols], vals)
    assert idx.dtype == rows.dtype == cols.dtype == np.int64 and len(set(idx.tolist())) == 7


def test_top_activations_ties_and_bad_input():
    from companion.model import top_activations

    maps = np.zeros((3, 2, 2))
    idx, rows, cols, vals = top_activations(maps, k=3)
    assert idx.tolist() == [0, 1, 2] and rows.tolist() == [0, 0, 0] and cols.tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="k must be at most the number of images, 3, got 4"):
        top_activations(maps, k=4)
    with pytest.raises(ValueError, match="maps must be 3-D"):
        top_activations(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="k must be at least 1, got 0"):
        top_activations(maps, k=0)


def test_top_patches_boxes_contain_the_autograd_region_of_the_winning_unit():
    from companion.model import top_patches

    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.random((20, 1, 12, 12)))
    conv = torch.nn.Conv2d(1, 3, 3).double()
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(rng.normal(size=(3, 1, 3, 3))))
        conv.bias.zero_()
        conv.bias[2] = -100.0                      # channel 2 never fires: not live
    maps = torch.relu(conv(x)).detach().numpy()
    channels, imgs, boxes = top_patches(maps, x[:, 0].numpy(), [(3, 1)], n_channels=4, k=3)
    assert channels.tolist() == [0, 1] and imgs.shape == (2, 3, 12, 12) and boxes.shape == (2, 3, 2, 2)
    idx, rows, cols, _ = companion.top_activations(maps[:, 1], k=3)
    np.testing.assert_array_equal(imgs[1], x[idx, 0].numpy())
    # the unit's gradient reaches exactly its 3 x 3 box
    xi = x[idx[0] : idx[0] + 1].clone().requires_grad_(True)
    conv(xi)[0, 1, rows[0], cols[0]].backward()
    r, c = np.nonzero(xi.grad[0, 0].numpy())
    assert boxes[1, 0].tolist() == [[r.min(), r.max() + 1], [c.min(), c.max() + 1]]


def test_top_patches_bad_input():
    from companion.model import top_patches

    with pytest.raises(ValueError, match="images must hold one image per map: maps has 3, images 2"):
        top_patches(np.zeros((3, 1, 2, 2)), np.zeros((2, 4, 4)), [(3, 1)])
    with pytest.raises(ValueError, match="n_channels must be at least 1, got 0"):
        top_patches(np.zeros((3, 1, 2, 2)), np.zeros((3, 4, 4)), [(3, 1)], n_channels=0)


def test_forward_keeps_the_pooling_indices_only_when_asked_and_backward_agrees_either_way():
    """The training forward keeps where each window's maximum is (PyTorch's indices); without
    them backward searches the windows again and gives the same gradients."""
    net = small_net()
    x, _ = small_batch()
    logits, cache = net.forward(x)
    _, expected = F.max_pool2d(torch.from_numpy(cache["act"]), 2, return_indices=True)
    np.testing.assert_array_equal(cache["where"], expected.numpy())
    plain_logits, plain = net.forward(x, keep_indices=False)
    assert plain["where"] is None
    np.testing.assert_array_equal(plain_logits, logits)
    g = np.random.default_rng(2).standard_normal(logits.shape)
    with_indices, searched = net.backward(cache, g), net.backward(plain, g)
    for name in with_indices:
        np.testing.assert_array_equal(with_indices[name], searched[name], err_msg=name)
    with pytest.raises(TypeError, match=r"^keep_indices must be True or False"):
        net.forward(x, keep_indices=1)


def test_batch_norm_network_keeps_the_indices_in_training_mode_only():
    net = companion.TinyCNNBN(n_filters=3, kernel_size=3, pool_size=2, n_classes=4, image_size=8)
    x, _ = small_batch()
    assert net.train().forward(x)[1]["where"] is not None
    assert net.train().forward(x, keep_indices=False)[1]["where"] is None
    assert net.eval().forward(x)[1]["where"] is None
