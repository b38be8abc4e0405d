"""Chapter 9, automatic differentiation: the gradients at a fork, a new operation of the
engine (softplus), the number of sweeps of forward mode, a node used three times, and a network with a skip
connection put through the engine.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_float, check_real
from ..activation import sigmoid
from ..autograd import Tensor
from ..backprop import cross_entropy_backward, tanh_backward
from ..layers import cross_entropy
from ..model import TinyCNN
from ._verdict import answer_array, float_answer, is_function, not_answered, quietly
from .generic import check_array, check_number

__all__ = ["check_fork_gradients", "check_softplus_op", "check_forward_sweeps", "check_reuse_gradient",
           "check_residual_mlp"]


def check_fork_gradients(answer, x=-1.0, w=2.0, b=4.0):
    """Check ``dL/dx``, ``dL/dw`` and ``dL/db`` of the chapter's graph with a fork (chapter 9).

    The graph is :math:`h = x w`, :math:`L = \\mathrm{ReLU}(h + b) + h x`: both ``h`` and
    ``x`` are used twice. The expected gradients come from :class:`companion.Tensor`.

    Parameters
    ----------
    answer : dict of str to float, or None
        ``{"x": ..., "w": ..., "b": ...}``.
    x, w, b : float
        The inputs; defaults -1, 2 and 4.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_fork_gradients({"x": -2, "w": 0, "b": 1})
    Correct! The two paths from h to L cancel: dL/dh = 1 + x = 0.
    True
    >>> check_fork_gradients({"x": 2, "w": 0, "b": 1})
    Not yet: dL/dx is 2, expected -2 (off by 4). x has two paths to L, through h (dL/dh times w) and directly through h x (h); add both.
    False
    """
    leaves = {name: Tensor(check_real(v, name, finite=True, described="a finite number"), requires_grad=True)
              for name, v in (("x", x), ("w", w), ("b", b))}
    h = leaves["x"] * leaves["w"]
    ((h + leaves["b"]).relu() + h * leaves["x"]).backward()
    expected = {name: float(t.grad) for name, t in leaves.items()}
    if not_answered(answer=answer):
        return False
    if not isinstance(answer, dict) or sorted(answer) != ["b", "w", "x"]:
        got = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
        print(f"Not yet: answer should be a dict with the keys 'x', 'w', 'b', got {got}.")
        return False
    hints = {"x": " x has two paths to L, through h (dL/dh times w) and directly through h x (h); add both.",
             "w": " w reaches L only through h: dL/dw = dL/dh times x, and dL/dh sums both uses of h.",
             "b": " b reaches L through the ReLU only: 1 where h + b > 0, else 0."}
    for name in ("x", "w", "b"):
        ok, message = quietly(check_number, float_answer(answer[name]), expected[name], name=f"dL/d{name}",
                              rtol=1e-9, atol=1e-9)
        if not ok:
            print(f"Not yet: {message}{hints[name] if 'expected' in message else ''}")
            return False
    dl_dh = float(h.data + leaves["b"].data > 0) + float(x)  # the two uses of h
    note = " The two paths from h to L cancel: dL/dh = 1 + x = 0." if dl_dh == 0 else ""
    print(f"Correct!{note}")
    return True


def check_softplus_op(func, x=None):
    r"""Check a reader's ``softplus`` operation for :class:`companion.Tensor` (chapter 9).

    :math:`\operatorname{softplus}(x) = \log(1 + e^x)`, a smooth ReLU, is not one of the
    engine's operations. ``func(t)`` must add it as one new node: a tensor whose only parent
    is ``t``, with the values ``log(1 + exp(t.data))`` and the backward rule
    :math:`G \, \sigma(x)`. The check runs ``L = sum(softplus(x) * x)`` with ``x`` a constant
    array (so the rule gets an upstream gradient other than ones) and compares the values with
    ``np.logaddexp(0, x)`` and the gradient with ``x * companion.sigmoid(x)``. A composition of
    the engine's operations, such as ``(1 + t.exp()).log()``, computes the same numbers but adds
    no operation, and is refused.

    Parameters
    ----------
    func : callable or None
        The reader's ``softplus(t: Tensor) -> Tensor``.
    x : array_like, optional
        Where to test; default None: ``[-3, -0.5, 0, 0.3, 2]``.

    Returns
    -------
    bool

    Examples
    --------
    >>> from companion.autograd import make_node
    >>> def my_softplus(t):
    ...     return make_node(np.logaddexp(0, t.data), "softplus", (t,), lambda g: (g / (1 + np.exp(-t.data)),))
    >>> check_softplus_op(my_softplus)
    Correct! One new node: values log(1 + e^x), rule G sigma(x), as companion.sigmoid.
    True
    >>> check_softplus_op(lambda t: (1 + t.exp()).log())
    Not yet: your result is made by the engine's 'log' from a node made by 'add', not from t itself: that composes existing operations. Add one node with make_node(values, "softplus", (t,), rule).
    False
    """
    x = np.array([-3.0, -0.5, 0.0, 0.3, 2.0]) if x is None else as_float(x, "x")
    values = np.logaddexp(0.0, x)
    if not_answered(function=func) or not is_function(func):
        return False
    leaf = Tensor(x, requires_grad=True)
    try:
        out = func(leaf)
        if not isinstance(out, Tensor):
            print(f"Not yet: your function should return a Tensor, got a {type(out).__name__}.")
            return False
        if not out.requires_grad:
            print("Not yet: the result of your function records no graph (requires_grad is False): "
                  "build it with make_node.")
            return False
        if len(out.parents) != 1 or out.parents[0] is not leaf:
            made_from = ", ".join(repr(p.op) if p.op else "a leaf" for p in out.parents)
            print(f"Not yet: your result is made by the engine's {out.op!r} from a node made by {made_from}, "
                  "not from t itself: that composes existing operations. Add one node with "
                  "make_node(values, \"softplus\", (t,), rule).")
            return False
        ok, message = quietly(check_array, out.data, values, name="softplus(x)", rtol=1e-9, atol=1e-12)
        if not ok:
            print(f"Not yet: {message}")
            return False
        (out * x).sum().backward()
    except Exception as exc:  # the reader's rule may raise anything
        print(f"Not yet: your operation raised {type(exc).__name__} ({exc}).")
        return False
    ok, message = quietly(check_array, leaf.grad, x * sigmoid(x), name="x.grad", rtol=1e-9, atol=1e-12)
    if not ok:
        hint = " Multiply the upstream gradient G by the derivative sigma(x) = 1 / (1 + e^-x)."
        print(f"Not yet: {message}{hint}")
        return False
    print("Correct! One new node: values log(1 + e^x), rule G sigma(x), as companion.sigmoid.")
    return True


def check_forward_sweeps(answer, n_filters=8, kernel_size=3, pool_size=2, n_classes=10, image_size=28):
    """Check the number of forward-mode sweeps for the full gradient of a TinyCNN (chapter 9).

    Forward mode gives one directional derivative per sweep, so the whole gradient takes one
    sweep per parameter: the number of entries of ``TinyCNN(...).params``.

    Parameters
    ----------
    answer : int or None
    n_filters, kernel_size, pool_size, n_classes, image_size : int
        The network, as in :class:`companion.TinyCNN`; defaults 8, 3, 2, 10, 28.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_forward_sweeps(13610)
    Correct! One sweep per parameter, against a single reverse sweep.
    True
    >>> check_forward_sweeps(1)
    Not yet: answer is 1, expected 13610 (off by 13609). One reverse sweep gives every partial derivative; a forward sweep gives one directional derivative.
    False
    """
    net = TinyCNN(n_filters=n_filters, kernel_size=kernel_size, pool_size=pool_size, n_classes=n_classes,
                  image_size=image_size)
    expected = sum(p.size for p in net.params.values())

    def hint(value):
        if value == 1:
            return " One reverse sweep gives every partial derivative; a forward sweep gives one directional derivative."
        return " Count the entries of K, b, W and c."

    return check_number(answer, expected, hint=hint, correct="Correct! One sweep per parameter, against a single "
                                                            "reverse sweep.")


def check_reuse_gradient(answer, x):
    """Check ``dL/dx`` for ``L = sum(x * x * x)``, a node used three times (chapter 9).

    Parameters
    ----------
    answer : array_like or None, shape of ``x``
    x : array_like
        The point.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_reuse_gradient([3.0, 12.0], [1.0, 2.0])
    Correct! Three uses of x, three contributions: x x + x x + x x = 3 x^2.
    True
    >>> check_reuse_gradient([2.0, 8.0], [1.0, 2.0])
    Not yet: 2 of 2 entries of dL/dx differ. First at index (0,): got 2, expected 3. Largest absolute error: 4. Two of the three uses counted: each of the three x's of x * x * x sends its own gradient.
    False
    """
    leaf = Tensor(as_float(x, "x"), requires_grad=True)
    (leaf * leaf * leaf).sum().backward()
    if not_answered(answer=answer):
        return False
    got, problem = answer_array(answer, "dL/dx")
    if problem is not None:
        print(f"Not yet: {problem}")
        return False
    ok, message = quietly(check_array, float_answer(got), leaf.grad, name="dL/dx", rtol=1e-9, atol=1e-12)
    if ok:
        print("Correct! Three uses of x, three contributions: x x + x x + x x = 3 x^2.")
        return True
    two_thirds = got.shape == leaf.grad.shape and np.allclose(got, leaf.grad * 2 / 3, rtol=1e-9, atol=1e-12)
    hint = " Two of the three uses counted: each of the three x's of x * x * x sends its own gradient." \
        if two_thirds else ""
    print(f"Not yet: {message}{hint}")
    return False


def _residual_mlp(params, x, targets):
    """The loss of the residual perceptron and its gradients, by hand with the book's rules."""
    a = x @ params["W1"] + params["b1"]
    h = x + np.tanh(a)
    z = h @ params["W2"] + params["b2"]
    g_z = cross_entropy_backward(z, targets)       # (y_hat - y) / N
    g_h = g_z @ params["W2"].T                      # the skip sends g_h on to x unchanged
    g_a = tanh_backward(g_h, a)
    grads = {"W1": x.T @ g_a, "b1": g_a.sum(axis=0), "W2": h.T @ g_z, "b2": g_z.sum(axis=0),
             "x": g_h + g_a @ params["W1"].T}       # x is a fork: the skip's G_h plus the layer's
    return cross_entropy(z, targets), grads


def check_residual_mlp(func, n=6, d=4, q=3, seed=0):
    r"""Check a reader's residual perceptron written with :class:`companion.Tensor` (chapter 9).

    The network takes a batch :math:`x` of shape ``(n, d)`` to ``q`` class scores through one
    hidden layer with a skip connection, and its loss is the mean cross-entropy:

    .. math::

        h = x + \tanh(x W_1 + b_1), \qquad z = h W_2 + b_2, \qquad
        L = -\frac{1}{n} \sum_{k} \log \operatorname{softmax}(z_k)[t_k]

    ``func(params, x, targets)`` receives a dict of leaf tensors ``"W1"`` ``(d, d)``, ``"b1"``
    ``(d,)``, ``"W2"`` ``(d, q)``, ``"b2"`` ``(q,)``, the batch ``x`` (a leaf tensor too) and the
    classes, and must return the loss as a one-number tensor. The check calls ``backward`` on
    it and compares the loss and the five gradients with the ones derived by hand with the
    book's backward rules. ``x`` is a fork (it feeds the skip and the layer), so its gradient
    is the sum of two: the skip's :math:`G_h` and the layer's.

    Parameters
    ----------
    func : callable or None
    n, d, q : int, defaults 6, 4, 3
        Batch size, width and number of classes of the test network.
    seed : int, default 0
        Seed of the random weights and batch.

    Returns
    -------
    bool

    Examples
    --------
    >>> from companion import autograd as ag
    >>> def residual_mlp_loss(params, x, targets):
    ...     h = x + (x @ params["W1"] + params["b1"]).tanh()
    ...     return ag.cross_entropy(h @ params["W2"] + params["b2"], targets)
    >>> check_residual_mlp(residual_mlp_loss)
    Correct! The loss and the gradients of x, W1, b1, W2 and b2 match the ones derived by hand; x received two.
    True
    >>> check_residual_mlp(lambda p, x, t: ag.cross_entropy((x @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"], t))
    Not yet: the loss is the loss of the network without the skip connection: add x to tanh(x W1 + b1).
    False
    """
    rng = np.random.default_rng(seed)
    arrays = {"W1": rng.normal(size=(d, d)) / np.sqrt(d), "b1": rng.normal(size=d) * 0.1,
              "W2": rng.normal(size=(d, q)) / np.sqrt(d), "b2": rng.normal(size=q) * 0.1}
    x, targets = rng.normal(size=(n, d)), rng.integers(0, q, size=n)
    expected_loss, expected = _residual_mlp(arrays, x, targets)
    if not_answered(function=func) or not is_function(func):
        return False
    leaves = {name: Tensor(value, requires_grad=True) for name, value in arrays.items()}
    leaves["x"] = Tensor(x.copy(), requires_grad=True)
    try:
        loss = func({k: leaves[k] for k in arrays}, leaves["x"], targets.copy())
        if not isinstance(loss, Tensor):
            print(f"Not yet: your function should return a Tensor, got a {type(loss).__name__}.")
            return False
        if loss.data.size != 1 or not loss.requires_grad:
            print(f"Not yet: the loss should be one number computed from the parameters, got shape {loss.shape} "
                  f"with requires_grad={loss.requires_grad}.")
            return False
        loss.backward()
    except Exception as exc:  # the reader's network may raise anything
        print(f"Not yet: your function raised {type(exc).__name__} ({exc}).")
        return False
    if not np.isclose(float(loss.data), expected_loss, rtol=1e-9, atol=1e-12):
        plain = cross_entropy(np.tanh(x @ arrays["W1"] + arrays["b1"]) @ arrays["W2"] + arrays["b2"], targets)
        if np.isclose(float(loss.data), plain, rtol=1e-9, atol=1e-12):
            print("Not yet: the loss is the loss of the network without the skip connection: "
                  "add x to tanh(x W1 + b1).")
        else:
            print(f"Not yet: the loss is {float(loss.data):.6g}, expected {expected_loss:.6g}. "
                  "Check the forward pass, the mean over the batch included.")
        return False
    for name in ("W1", "b1", "W2", "b2", "x"):
        if leaves[name].grad is None:
            where = "x" if name == "x" else f"params[{name!r}]"
            print(f"Not yet: {name} received no gradient: use the tensor {where} itself, not its .data.")
            return False
        ok, message = quietly(check_array, leaves[name].grad, expected[name], name=f"{name}.grad",
                              rtol=1e-9, atol=1e-12)
        if not ok:
            hint = (" x is a fork: it feeds the skip and the layer, so its gradient is the sum of the skip's G_h "
                    "and the layer's; use the tensor x in both places.") if name == "x" else ""
            print(f"Not yet: {message}{hint}")
            return False
    print("Correct! The loss and the gradients of x, W1, b1, W2 and b2 match the ones derived by hand; x received two.")
    return True
