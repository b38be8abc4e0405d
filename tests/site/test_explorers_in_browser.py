"""The interactive explorers of chapters 2-4 (book/_ext/static/explorers.js), driven in headless
Chromium with the network blocked, their arithmetic compared with the companion.

Each explorer's root, ``[data-explorer=name]``, holds its inputs and outputs as JSON in
``data-state`` after every change. The tests set the explorer's controls (form elements named
after the companion's arguments) over a grid of settings, read the state, and compare it with
``companion``: exactly where the arithmetic is exact (integers, maxima, indices), within named
tolerances otherwise. A grid is driven in one evaluation in the page (DRIVE: it sets each
control as a reader's input does, firing the "input" and "change" events the explorer listens
to, clicks output cells, and returns the state after every step), its first steps through
Playwright's own actions (select_option, fill, set_checked, click), as the keyboard tests do.
The tests also check what a reader needs besides the numbers: labels on every control, the
keyboard, focus outlines, contrast in light and dark mode, the page weight, and the still that
stands in where no script runs. Screenshots of each explorer, in light and dark mode, go to
_build/screenshots/explorers/.

The chapters' pages are shared with the other browser tests (Site.page in _site.py): each is
loaded once, visited (its facts and screenshot taken as it opens), then driven here.

Run after `make book`, with the other browser tests (`make site`).
"""

from __future__ import annotations

import json
import math
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from _site import HTML, SHOTS, VIEWPORT, Visit

import companion

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from explorers import STILL_GLOB, explorer_data  # noqa: E402

PAGES = {
    "convolution": "book/02_convolution",
    "receptive-field": "book/02_convolution",
    "activation": "book/03_activation",
    "pooling": "book/04_pooling",
}
SIZE_BUDGET = 100_000  # bytes the explorers may add to the site
DATA = explorer_data()
CONV_INPUTS = {"worked": "worked", "digit": "digit", "photo": "photo"}
POOL_INPUTS = {"worked": "pool_worked", "overlap": "pool_overlap", "digit": "pool_digit"}


# --------------------------------------------------------------------------- driving the page


@pytest.fixture(scope="module")
def pages(site):
    """The live page of each chapter, shared by the tests of this module (Site.page: visited
    at its first load, so that its screenshot shows the explorers as they open) and closed at
    the end of the module."""
    used = set()

    def get(docname):
        used.add(docname)
        return site.page(docname)

    yield get
    for docname in used:
        site.release(docname)


def explorer(pages, name):
    page, visit = pages(PAGES[name])
    root = page.locator(f'[data-explorer="{name}"]')
    root.wait_for(state="attached")
    page.wait_for_function(f"document.querySelector('[data-explorer=\"{name}\"]').dataset.state !== undefined")
    return page, root, visit


def state(root) -> dict:
    return json.loads(root.get_attribute("data-state"))


def control(root, name, layer=None):
    selector = f'[name="{name}"]' + (f'[data-layer="{layer}"]' if layer is not None else "")
    return root.locator(selector).first


CURRENT = r"""
root => Object.fromEntries(Array.from(root.querySelectorAll('[name]')).map(e =>
  [e.name + (e.dataset.layer !== undefined ? '@' + e.dataset.layer : ''),
   [e.tagName.toLowerCase() === 'select' ? 'select' : e.type, e.type === 'checkbox' ? e.checked : e.value]]))
"""


def set_controls(root, **settings):
    """Set each control as a reader would (choose an option, tick a box, type a number),
    leaving alone those that already hold the value; returns the state after the last."""
    current = root.evaluate(CURRENT)
    for key, value in settings.items():
        name, _, layer = key.partition("@")
        kind, now = current[key]
        field = control(root, name, layer or None)
        if kind == "select":
            if now != str(value):
                field.select_option(str(value))
        elif kind == "checkbox":
            if now != bool(value):
                field.set_checked(bool(value))
        elif now != str(value):
            field.fill(str(value))
    return state(root)


# A step of a reader, as a dict: "set" the controls named (key "name" or "name@layer"), as
# set_controls does; "type" a text into the fields of the given selectors; "click" the
# elements of the given selectors (output cells); "button" the button whose text begins so.
# DRIVE takes a list of steps, does them one after the other in the page, and returns the
# state after each one: the same events as a reader's (the explorer script listens to "input"
# and "change"), and an error where a reader could not act (no such control or option, a
# disabled or hidden control, a value the field refuses), as Playwright's own actions fail.
DRIVE = r"""
(root, steps) => {
  const usable = (e, what) => {
    if (!e) throw new Error(`no element ${what}`);
    if (e.disabled || e.closest('[hidden]')) throw new Error(`${what} is disabled or hidden`);
    return e;
  };
  const field = key => {
    const [name, layer] = key.split('@');
    return usable(root.querySelector(`[name="${name}"]` + (layer === undefined ? '' : `[data-layer="${layer}"]`)), key);
  };
  const fire = (e, ...types) => types.forEach(t => e.dispatchEvent(new Event(t, {bubbles: true})));
  const type = (e, text, what) => {  // typed, then left: "input", then "change"
    if (e.readOnly) throw new Error(`${what} is read-only`);
    e.value = text;
    if (e.value !== text) throw new Error(`${what} refuses ${JSON.stringify(text)}`);
    fire(e, 'input', 'change');
  };
  const set = (key, value) => {
    const e = field(key);
    if (e.tagName === 'SELECT') {
      if (e.value === value) return;
      if (!Array.from(e.options).some(o => o.value === value)) throw new Error(`${key} has no option ${value}`);
      e.value = value;
      fire(e, 'input', 'change');
    } else if (e.type === 'checkbox') {
      if (e.checked !== value) e.click();  // the browser ticks it and fires "input" and "change"
    } else if (e.value !== value) {
      type(e, value, key);
    }
  };
  const button = text => usable(Array.from(root.querySelectorAll('button'))
    .find(b => b.textContent.trim().startsWith(text)), `button ${text}`);
  return steps.map(step => {
    for (const [key, value] of step.set || []) set(key, value);
    for (const [selector, text] of step.type || []) type(usable(root.querySelector(selector), selector), text, selector);
    for (const selector of step.click || []) usable(root.querySelector(selector), selector).click();
    for (const text of step.button || []) button(text).click();
    return JSON.parse(root.dataset.state);
  });
}
"""


def step(set=None, type=None, click=(), button=()):
    """One step of a reader for drive(): controls to set, fields to type in, cells to click,
    buttons to press, in that order."""
    return {"set": dict(set or {}), "type": dict(type or {}), "click": list(click), "button": list(button)}


def drive(root, steps, by_hand=0):
    """The explorer's state after each step. The first ``by_hand`` steps go through Playwright
    as a reader's hands would (select_option, set_checked, fill, click: scrolling, waiting
    for the element to be visible, stable and enabled); the others run in one evaluation of
    DRIVE in the page, which fires the events a reader's input fires."""
    states = []
    for s in steps[:by_hand]:
        if s["set"]:
            set_controls(root, **s["set"])
        for selector, text in s["type"].items():
            root.locator(selector).fill(text)
        for selector in s["click"]:
            root.locator(selector).click()
        for text in s["button"]:
            root.get_by_role("button", name=text).click()
        states.append(state(root))
    rest = [
        {"set": [[k, v if isinstance(v, bool) else str(v)] for k, v in s["set"].items()],
         "type": [[k, str(v)] for k, v in s["type"].items()], "click": s["click"], "button": s["button"]}
        for s in steps[by_hand:]
    ]
    if rest:
        states += root.evaluate(DRIVE, rest)
    return states


def cell(row, col):
    """The selector of an output cell (a button: a click picks it)."""
    return f'.ex-output-panel .ex-cell[data-row="{row}"][data-col="{col}"]'


# How many steps of each grid of settings go through Playwright's own actions.
BY_HAND = 4


def assert_close(actual, expected, exact, what):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, companion {expected.shape}"
    if exact:
        np.testing.assert_array_equal(actual, expected, err_msg=what)
    else:
        scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12 * scale, err_msg=what)


def is_integer(a) -> bool:
    a = np.asarray(a, dtype=np.float64)
    return bool(np.all(a == np.round(a)))


def walk(start, options, steps, seed, allowed=lambda current, key: True):
    """Settings as a reader makes them: from ``start``, each step changes one or two controls
    to a value drawn from ``options``; ``allowed(current, key)`` says whether that control is
    in use (a disabled control cannot be set)."""
    rng = np.random.default_rng(seed)
    current, out, keys = dict(start), [], list(options)
    seen = {tuple(current.items())}
    while len(out) < steps:
        step = dict(current)
        for _ in range(int(rng.integers(1, 3))):
            key = keys[int(rng.integers(len(keys)))]
            if allowed(step, key):
                step[key] = options[key][int(rng.integers(len(options[key])))]
        if tuple(step.items()) in seen:
            continue  # every setting is a new one
        seen.add(tuple(step.items()))
        current = step
        out.append(dict(current))
    return out


# --------------------------------------------------------------------------- convolution


CONV_START = dict(input="worked", kernel="vertical_edge", operation="cross-correlation", stride=1, padding=0,
                  dilation=1)


def conv_settings():
    options = dict(input=["worked", "worked", "photo", "photo", "digit"], kernel=list(companion.KERNELS),
                   operation=["cross-correlation", "convolution"], stride=[1, 2, 3], padding=[0, 1, 2, 3],
                   dilation=[1, 2, 3])
    out = walk(CONV_START, options, 60, seed=2)
    # the cases the formula singles out: valid, full, and kernels that do not fit
    out += [
        dict(CONV_START),
        dict(CONV_START, operation="convolution", padding=2),
        dict(CONV_START, kernel="sharpen", operation="convolution"),
        dict(CONV_START, kernel="laplacian", dilation=3),
        dict(CONV_START, kernel="identity", stride=2, dilation=4),
    ]
    return out


def check_conv_state(st, settings):
    I = np.array(DATA[CONV_INPUTS[settings["input"]]], dtype=np.float64)
    np.testing.assert_array_equal(np.array(st["I"], dtype=np.float64), I)
    K = np.array(st["K"], dtype=np.float64)
    if settings.get("kernel", "custom") != "custom":
        np.testing.assert_array_equal(K, companion.KERNELS[settings["kernel"]])
    s, p, d = settings["stride"], settings["padding"], settings["dilation"]
    assert (st["stride"], st["padding"], st["dilation"]) == (s, p, d)
    flip = settings["operation"] == "convolution"
    applied = K[::-1, ::-1] if flip else K
    try:
        expected = companion.conv2d(I[None, None], applied[None, None].copy(), stride=s, padding=p, dilation=d)[0, 0]
    except ValueError:
        assert "error" in st and "S" not in st, f"the companion finds no output for {settings}, the explorer does: {st}"
        with pytest.raises(ValueError):
            companion.conv_output_size(I.shape[0], K.shape[0], s, p, d)
        return 0
    assert "error" not in st, st.get("error")
    h_out = companion.conv_output_size(I.shape[0], K.shape[0], stride=s, padding=p, dilation=d)
    w_out = companion.conv_output_size(I.shape[1], K.shape[1], stride=s, padding=p, dilation=d)
    assert (st["H_out"], st["W_out"]) == (h_out, w_out) == expected.shape
    exact = is_integer(K)
    assert_close(st["S"], expected, exact, f"S for {settings}")
    assert_close(st["K_applied"], applied, True, "the kernel laid on the image")
    if s == d == 1 and p == 0:  # the valid output of chapter 2's two formulas
        twin = companion.convolve2d(I, K, mode="valid") if flip else companion.correlate2d(I, K, mode="valid")
        assert_close(st["S"], twin, exact, "against correlate2d / convolve2d (valid)")
    if s == d == 1 and p == K.shape[0] - 1 and flip:
        assert_close(st["S"], companion.convolve2d(I, K, mode="full"), exact, "against convolve2d (full)")
    # the window of the current position and its arithmetic
    i, j = st["position"]
    kh, kw = K.shape
    assert st["window"] == [[i * s + m * d, j * s + q * d] for m in range(kh) for q in range(kw)]
    padded = companion.pad2d(I, p)
    products = [padded[r, c] * applied[m, q] for (r, c), (m, q) in zip(st["window"], np.ndindex(kh, kw))]
    assert_close(st["products"], products, exact, "products of the window")
    assert_close(st["sum"], expected[i, j], exact, "the window's sum")
    return 1


def test_convolution_matches_companion(pages):
    _, root, _ = explorer(pages, "convolution")
    grid = conv_settings()
    states = drive(root, [step(set=settings) for settings in grid], by_hand=BY_HAND)
    checked = sum(check_conv_state(st, settings) for st, settings in zip(states, grid, strict=True))
    assert checked >= 50, f"only {checked} settings produced an output"


def test_convolution_typed_kernels_and_steps(pages):
    """Typed kernels of sizes 1 to 5 (integers and fractions), then stepping through the
    positions with the buttons: every position in row-major order, each window checked. The
    first kernel is typed and stepped through with Playwright's own actions."""
    _, root, _ = explorer(pages, "convolution")
    rng = np.random.default_rng(5)
    checked = 0
    for t, k in enumerate((1, 2, 4, 5, 2, 3)):
        settings = dict(input=("worked", "photo")[t % 2], kernel="vertical_edge", operation="cross-correlation",
                        stride=1 + t % 2, padding=t % 3, dilation=1)
        entries = rng.integers(-3, 4, size=(k, k)).astype(float)
        if t >= 4:
            entries = entries / 4  # fractions: the comparison is within tolerance
        typed = {f'input[name="K"][data-m="{m}"][data-q="{q}"]': repr(float(entries[m, q]))
                 for m in range(k) for q in range(k)}
        by_hand = 3 if t == 0 else 0
        st = drive(root, [step(set=settings), step(set=dict(kernel_size=k)), step(type=typed)], by_hand)[-1]
        assert st["kernel"] == "custom"
        np.testing.assert_array_equal(np.array(st["K"]), entries)
        settings["kernel"] = "custom"
        checked += check_conv_state(st, settings)
        # step with the "next" button through every position
        n = st["H_out"] * st["W_out"]
        seen = [tuple(st["position"])]
        for st in drive(root, [step(button=["next"])] * (min(n, 12) - 1), by_hand=2 if t == 0 else 0):
            checked += check_conv_state(st, settings)
            seen.append(tuple(st["position"]))
        first = seen[0][0] * st["W_out"] + seen[0][1]
        assert [r * st["W_out"] + c for r, c in seen] == [(first + t) % n for t in range(len(seen))]
    assert checked >= 50


# --------------------------------------------------------------------------- pooling


POOL_START = dict(input="worked", mode="max", kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False,
                  count_include_pad=True)


def pool_settings():
    options = dict(input=list(POOL_INPUTS), mode=["max", "avg"], kernel_size=[1, 2, 3, 4], stride=[1, 2, 3],
                   padding=[0, 0, 1, 1, 2], dilation=[1, 2], ceil_mode=[False, True],
                   count_include_pad=[False, True])
    # dilation is max pooling's, count_include_pad average pooling's (the other's is disabled)
    own = {"dilation": "max", "count_include_pad": "avg"}
    out = walk(POOL_START, options, 90, seed=3, allowed=lambda cur, key: own.get(key, cur["mode"]) == cur["mode"])
    out.append(dict(POOL_START, padding=2))  # padding above k/2: refused by both
    # ceil_mode lets the only window hang over the end: 5 + 0 < 2 (4 - 1) + 1, yet one output
    out.append(dict(POOL_START, input="overlap", kernel_size=4, stride=3, dilation=2, ceil_mode=True))
    return out


POOL_OWN = {"dilation": "max", "count_include_pad": "avg"}  # the other mode's control is disabled


def pool_expected(settings):
    """What the companion computes for ``settings``: (arguments, P, indices or None, gradient),
    or None where it refuses them."""
    I = np.array(DATA[POOL_INPUTS[settings["input"]]], dtype=np.float64)
    k, s, p, ceil = (settings[n] for n in ("kernel_size", "stride", "padding", "ceil_mode"))
    try:
        if settings["mode"] == "max":
            args = dict(kernel_size=k, stride=s, padding=p, dilation=settings["dilation"], ceil_mode=ceil)
            P, indices = companion.max_pool2d(I, return_indices=True, **args)
            return args, P, indices, companion.max_pool2d_backward(np.ones_like(P), I, **args)
        args = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=settings["count_include_pad"])
        P = companion.avg_pool2d(I, **args)
        return args, P, None, companion.avg_pool2d_backward(np.ones_like(P), I, **args)
    except ValueError:
        return None


def pool_pick(P):
    """The output cell whose button the test clicks: its window and, for max, its winner."""
    return (P.shape[0] - 1) // 2, P.shape[1] - 1


def test_pooling_matches_companion(pages):
    _, root, _ = explorer(pages, "pooling")
    set_controls(root, **POOL_START)
    grid = [(settings, pool_expected(settings)) for settings in pool_settings()]
    steps = []
    for settings, expected in grid:
        steps.append(step(set={k: v for k, v in settings.items() if POOL_OWN.get(k, settings["mode"]) == settings["mode"]}))
        if expected is not None:
            steps.append(step(click=[cell(*pool_pick(expected[1]))]))
    states = iter(drive(root, steps, by_hand=BY_HAND))
    checked = 0
    for settings, expected in grid:
        st = next(states)
        I = np.array(DATA[POOL_INPUTS[settings["input"]]], dtype=np.float64)
        np.testing.assert_array_equal(np.array(st["I"], dtype=np.float64), I)
        s, p = settings["stride"], settings["padding"]
        d = settings["dilation"] if settings["mode"] == "max" else 1
        if settings["mode"] == "max":
            assert st["pad_value"] == "-inf"
        else:
            assert st["pad_value"] == "0" and st["count_include_pad"] is settings["count_include_pad"]
        if expected is None:  # the companion raises ValueError
            assert "error" in st and "P" not in st, (settings, st)
            continue
        args, P, indices, grad = expected
        assert "error" not in st, (settings, st["error"])
        if settings["mode"] == "max":
            assert_close(st["P"], P, True, f"P for {settings}")
            np.testing.assert_array_equal(np.array(st["winners"]), indices, err_msg=f"winners for {settings}")
            assert_close(st["grad"], grad, True, f"gradient for {settings}")
        else:
            assert_close(st["P"], P, False, f"P for {settings}")
            assert_close(st["grad"], grad, False, f"gradient for {settings}")
        assert (st["H_P"], st["W_P"]) == P.shape
        # the output cell picked with its button: its window and, for max, its winner
        st = next(states)
        i, j = pool_pick(P)
        k = settings["kernel_size"]
        assert st["position"] == [i, j]
        assert st["window"] == [[i * s - p + m * d, j * s - p + q * d] for m in range(k) for q in range(k)]
        if settings["mode"] == "max":
            assert st["winner"] == list(divmod(int(indices[i, j]), I.shape[1]))
            assert st["value"] == P[i, j]
        checked += 1
    assert next(states, None) is None
    assert checked >= 50, f"only {checked} settings produced an output"


# --------------------------------------------------------------------------- activation

X_VALUES = [0.0, 0.5, -0.5, 1e-3, -1e-3, 2.0, -2.0, 4.6, -4.6, 5.0, -5.0, 3.25, -1.75, 0.01, -0.01,
            2.99, -2.99, 1.0, -1.0, 0.1]


def _curve_check(st, f, df, what):
    xs = np.array(st["curve"]["x"])
    np.testing.assert_allclose(xs, np.linspace(-5, 5, 201), rtol=0, atol=1e-12)
    np.testing.assert_allclose(st["curve"]["value"], f(xs), rtol=1e-12, atol=1e-12, err_msg=f"{what} curve")
    np.testing.assert_allclose(st["curve"]["slope"], df(xs), rtol=1e-12, atol=1e-12, err_msg=f"{what}' curve")


def test_activation_matches_companion(pages):
    _, root, _ = explorer(pages, "activation")
    functions = {
        "relu": (companion.relu, companion.relu_grad),
        "sigmoid": (companion.sigmoid, companion.sigmoid_grad),
        "tanh": (companion.tanh, companion.tanh_grad),
    }
    steps = []
    for name in functions:
        steps += [step(set=dict(function=name))] + [step(set=dict(x=repr(x))) for x in X_VALUES]
    steps.append(step(set=dict(function="relu", x="0")))
    states = iter(drive(root, steps, by_hand=BY_HAND))
    checked = 0
    for name, (f, df) in functions.items():
        next(states)  # the function chosen
        for x in X_VALUES:
            st = next(states)
            assert st["function"] == name and st["x"] == x
            value, slope = float(f(np.array([x]))[0]), float(df(np.array([x]))[0])
            np.testing.assert_allclose(st["value"], value, rtol=1e-12, atol=1e-15, err_msg=f"{name}({x})")
            np.testing.assert_allclose(st["slope"], slope, rtol=1e-12, atol=1e-15, err_msg=f"{name}'({x})")
            checked += 1
        _curve_check(st, f, df, name)
    assert next(states)["slope"] == 0, "ReLU'(0) is 0 in this book"
    assert checked >= 50


def _relu_family_settings():
    return [
        ("leaky_relu", {"negative_slope": 0.01}), ("leaky_relu", {"negative_slope": 0.2}),
        ("elu", {"alpha": 1.0}), ("elu", {"alpha": 0.5}),
        ("gelu", {"approximate": "none"}), ("gelu", {"approximate": "tanh"}),
    ]


def _drive_relu_family(root, reference):
    """Set each ReLU relative and its parameter, move x, compare with reference(name, params)
    -> (f, df). Returns the number of settings compared."""
    steps = []
    for name, params in _relu_family_settings():
        steps += [step(set=dict(function=name, **params))] + [step(set=dict(x=repr(x))) for x in X_VALUES[:10]]
    states = iter(drive(root, steps, by_hand=BY_HAND))
    checked = 0
    for name, params in _relu_family_settings():
        next(states)  # the function and its parameter chosen
        f, df = reference(name, params)
        for x in X_VALUES[:10]:
            st = next(states)
            assert st["function"] == name and st["params"] == params, st["params"]
            np.testing.assert_allclose(st["value"], f(np.array([x]))[0], rtol=1e-12, atol=1e-14, err_msg=f"{name}({x})")
            np.testing.assert_allclose(st["slope"], df(np.array([x]))[0], rtol=1e-12, atol=1e-14, err_msg=f"{name}'({x})")
            checked += 1
        _curve_check(st, f, df, name)
    return checked


def test_relu_family_matches_pytorch(pages):
    """Leaky ReLU, ELU and GELU (exact and tanh) against torch.nn.functional and autograd."""
    import torch
    import torch.nn.functional as F

    def reference(name, params):
        fn = {"leaky_relu": F.leaky_relu, "elu": F.elu, "gelu": F.gelu}[name]

        def f(x):
            return fn(torch.tensor(x, dtype=torch.float64), **params).numpy()

        def df(x):
            t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            fn(t, **params).sum().backward()
            return t.grad.numpy()

        return f, df

    _, root, _ = explorer(pages, "activation")
    assert _drive_relu_family(root, reference) >= 50


def test_relu_family_matches_companion(pages):
    """The same settings against companion.leaky_relu, elu, gelu and their _grad functions.

    Rename to test_relu_family_matches_companion once the companion has these functions.
    """

    def reference(name, params):
        return getattr(companion, name), (lambda x: getattr(companion, name + "_grad")(x, **params))

    def with_params(name, params):
        f, df = reference(name, params)
        return (lambda x: f(x, **params)), df

    _, root, _ = explorer(pages, "activation")
    assert _drive_relu_family(root, with_params) >= 50


# --------------------------------------------------------------------------- receptive field


RF_START = {"input_size": 16, "layers": 3}
for _l, (_k, _s, _d, _p) in enumerate([(3, 1, 1, 0), (2, 2, 1, 0), (3, 1, 1, 0), (3, 1, 1, 0)]):
    RF_START.update({f"kernel_size@{_l}": _k, f"stride@{_l}": _s, f"dilation@{_l}": _d, f"padding@{_l}": _p})


def rf_settings():
    options = {"input_size": list(range(8, 25)), "layers": [1, 2, 3, 4]}
    for l in range(4):
        options.update({f"kernel_size@{l}": [1, 2, 3, 4, 5], f"stride@{l}": [1, 2, 3], f"dilation@{l}": [1, 2, 3],
                        f"padding@{l}": [0, 1, 2]})
    # a hidden layer's controls are disabled: change only the layers in use
    in_use = lambda cur, key: "@" not in key or int(key.split("@")[1]) < cur["layers"]  # noqa: E731
    rng = np.random.default_rng(4)
    return [(settings, rng.random(2)) for settings in walk(RF_START, options, 80, seed=4, allowed=in_use)]


def autograd_region(n, layers, unit):
    """The input pixels where one output unit has a nonzero gradient (all weights 1)."""
    import torch
    import torch.nn.functional as F

    x = torch.ones(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        k = layer["kernel_size"]
        y = F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64), stride=layer["stride"],
                     padding=layer["padding"], dilation=layer["dilation"])
    y[0, 0, unit[0], unit[1]].backward()
    return (x.grad[0, 0] != 0).numpy()


def rf_layers(settings):
    return [{key: settings[f"{key}@{l}"] for key in ("kernel_size", "stride", "dilation", "padding")}
            for l in range(settings["layers"])]


def rf_sizes(settings):
    """The sizes of the input and of each layer's output by the companion; None if a kernel
    does not fit."""
    sizes = [settings["input_size"]]
    try:
        for layer in rf_layers(settings):
            sizes.append(companion.conv_output_size(sizes[-1], layer["kernel_size"], layer["stride"],
                                                    layer["padding"], layer["dilation"]))
    except ValueError:
        return None
    return sizes


def test_receptive_field_matches_companion_and_autograd(pages):
    _, root, _ = explorer(pages, "receptive-field")
    set_controls(root, **RF_START)
    grid = []
    steps = []
    for settings, where in rf_settings():
        sizes = rf_sizes(settings)
        unit = None if sizes is None else [int(where[0] * sizes[-1]), int(where[1] * sizes[-1])]
        grid.append((settings, sizes, unit))
        steps.append(step(set={k: v for k, v in settings.items()
                               if "@" not in k or int(k.split("@")[1]) < settings["layers"]}))
        if unit is not None:
            steps.append(step(click=[cell(*unit)]))
    states = iter(drive(root, steps, by_hand=BY_HAND))
    checked = 0
    for settings, sizes, unit in grid:
        n = settings["input_size"]
        layers = rf_layers(settings)
        st = next(states)
        assert st["input_size"] == n and st["layers"] == layers
        if sizes is None:  # the companion raises ValueError
            assert "error" in st and "receptive_field" not in st, (settings, st)
            continue
        assert "error" not in st, (settings, st["error"])
        assert st["sizes"] == sizes
        st = next(states)  # after a click on the unit's cell
        assert st["unit"] == unit
        r = companion.receptive_field([(l["kernel_size"], l["stride"], l["dilation"]) for l in layers])
        assert st["receptive_field"] == r
        jump = int(np.prod([l["stride"] for l in layers]))
        offset = sum(l["padding"] * int(np.prod([m["stride"] for m in layers[:i]])) for i, l in enumerate(layers))
        assert st["start"] == [unit[0] * jump - offset, unit[1] * jump - offset]
        mask = np.zeros((n, n), dtype=bool)
        mask[np.ix_(st["region_rows"], st["region_cols"])] = True
        np.testing.assert_array_equal(mask, autograd_region(n, layers, unit), err_msg=f"region for {settings}")
        for axis, start in enumerate(st["start"]):  # inside the span of r pixels
            cells = st["region_rows"] if axis == 0 else st["region_cols"]
            if not cells:  # a unit at the border that reads padding only (autograd agrees)
                continue
            assert start <= min(cells) and max(cells) <= start + r - 1
            if start >= 0 and start + r - 1 <= n - 1:  # not overhanging: both ends are read
                assert (min(cells), max(cells)) == (start, start + r - 1)
        checked += 1
    assert next(states, None) is None
    assert checked >= 50, f"only {checked} settings produced an output"


# --------------------------------------------------------------------------- for every reader

ALL = list(PAGES)

LABELS = r"""
root => Array.from(root.querySelectorAll('input, select, button, textarea')).filter(e => !e.closest('[hidden]')).map(e => {
  const byFor = e.id && root.querySelector(`label[for="${e.id}"]`);
  const name = (e.getAttribute('aria-label') || (byFor && byFor.textContent) ||
                (e.tagName === 'BUTTON' && e.textContent) || '').trim();
  return {tag: e.tagName, name: e.getAttribute('name'), label: name};
})
"""


@pytest.mark.parametrize("name", ALL)
def test_every_control_is_labelled(pages, name):
    _, root, _ = explorer(pages, name)
    controls = root.evaluate(LABELS)
    assert controls, "no controls"
    unlabelled = [c for c in controls if not c["label"]]
    assert not unlabelled, f"controls without a label for screen readers: {unlabelled}"
    named = {c["name"] for c in controls if c["tag"] in ("INPUT", "SELECT")}
    expected = {
        "convolution": {"input", "kernel", "kernel_size", "operation", "stride", "padding", "dilation", "K"},
        "pooling": {"input", "mode", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "count_include_pad"},
        "activation": {"function", "x"},
        "receptive-field": {"input_size", "layers", "kernel_size", "stride", "dilation", "padding"},
    }[name]
    assert expected <= named, f"controls named after the companion's arguments: missing {expected - named}"


FOCUSED = r"""
() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {inside: !!e.closest('[data-explorer]'), explorer: e.closest('[data-explorer]') ? e.closest('[data-explorer]').dataset.explorer : null,
          key: e.tagName + ':' + (e.getAttribute('name') || e.getAttribute('aria-label') || e.textContent).slice(0, 30),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }
"""


@pytest.mark.parametrize("name", ALL)
def test_keyboard_reaches_every_control_with_a_visible_focus(pages, name):
    page, root, _ = explorer(pages, name)
    wanted = set(root.evaluate(r"""root => Array.from(root.querySelectorAll('input, select, button'))
        .filter(e => !e.disabled && !e.closest('[hidden]') && e.tabIndex >= 0)
        .map(e => e.tagName + ':' + (e.getAttribute('name') || e.getAttribute('aria-label') || e.textContent).slice(0, 30))"""))
    root.locator("input, select").first.focus()
    reached, outlines = set(), []
    for _ in range(len(wanted) + 60):
        info = page.evaluate(FOCUSED)
        if info["explorer"] == name:
            reached.add(info["key"])
            outlines.append(info)
        elif reached:
            break  # Tab has left the explorer
        page.keyboard.press("Tab")
    assert wanted <= reached, f"not reachable with Tab: {sorted(wanted - reached)}"
    weak = [o for o in outlines if o["outline"] == "none" or o["width"] < 2]
    assert not weak, f"focused without a visible outline: {weak[:5]}"


def test_keyboard_steps_and_moves_the_position(pages):
    page, root, _ = explorer(pages, "convolution")
    set_controls(root, input="worked", kernel="vertical_edge", operation="cross-correlation",
                 stride=1, padding=0, dilation=1)
    root.locator(".ex-output-panel .ex-cell").first.click()
    assert state(root)["position"] == [0, 0]
    root.get_by_role("button", name="next").focus()
    page.keyboard.press("Enter")
    assert state(root)["position"] == [0, 1]
    page.keyboard.press(" ")
    assert state(root)["position"] == [0, 2]
    root.locator('.ex-output-panel .ex-cell[tabindex="0"]').focus()
    page.keyboard.press("ArrowDown")
    assert state(root)["position"] == [1, 2]
    page.keyboard.press("ArrowLeft")
    assert state(root)["position"] == [1, 1]
    assert page.evaluate("document.activeElement.dataset.row + ',' + document.activeElement.dataset.col") == "1,1"
    # play moves on by itself, and pause stops it
    play = root.get_by_role("button", name="play")
    play.click()
    page.wait_for_function("JSON.parse(document.querySelector('[data-explorer=convolution]').dataset.state)"
                           ".position.join() !== '1,1'", timeout=5000)
    root.get_by_role("button", name="pause").click()
    here = state(root)["position"]
    page.wait_for_timeout(900)
    assert state(root)["position"] == here


CONTRAST = r"""
root => {
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
                              if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); }
                            return [255, 255, 255]; };
  const out = [];
  for (const e of root.querySelectorAll('label, figcaption, .ex-sum p, .ex-size, .ex-cell, select, input[type=number], .ex-button')) {
    if (!e.textContent.trim() && !(e.value || '').trim()) continue;
    if (e.closest('[hidden]') || e.disabled || e.classList.contains('ex-pad')) continue;
    const fg = rgb(getComputedStyle(e).color).slice(0, 3), bg = background(e);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({text: (e.textContent || e.value).trim().slice(0, 20), ratio: (a + 0.05) / (b + 0.05)});
  }
  return out;
}
"""


def element_png(page, root, path):
    """A screenshot of one explorer. One taller than the window is taken in a window made as
    tall as it: Playwright would otherwise capture beyond the viewport, which repaints the
    whole page (some 50,000 pixels tall in chapter 2) for one element."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = math.ceil(root.bounding_box()["height"])
    tall = height > VIEWPORT["height"]
    if tall:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height + 40})
    try:
        root.screenshot(path=str(path))
    finally:
        if tall:
            page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_explorers_read_in_light_and_dark_mode(site, mode):
    """Text contrast of at least 4.5:1 (WCAG AA) everywhere in the explorers, and a
    screenshot of each in _build/screenshots/explorers/<name>-<mode>.png."""
    context = site._context(color_scheme=mode)
    low = []
    try:
        for docname in sorted(set(PAGES.values())):
            visit = Visit(docname, site.base + docname + ".html")
            page = site.open(context, visit.url, visit)
            for _ in range(3):  # the switch cycles light, dark, auto; the choice is remembered
                if page.evaluate("document.documentElement.dataset.theme") == mode:
                    break
                page.locator("button.theme-switch-button").first.click()
            assert page.evaluate("document.documentElement.dataset.theme") == mode
            for name in [n for n, d in PAGES.items() if d == docname]:
                root = page.locator(f'[data-explorer="{name}"]')
                root.scroll_into_view_if_needed()
                low += [(name, c) for c in root.evaluate(CONTRAST) if c["ratio"] < 4.5]
                path = SHOTS / "explorers" / f"{name}-{mode}.png"
                element_png(page, root, path)
                assert path.stat().st_size > 5000, path
            assert not visit.console and not visit.failed and not visit.blocked, (visit.console, visit.failed, visit.blocked)
            site.close(page)
    finally:
        context.close()
    assert not low, f"text below 4.5:1 contrast in {mode} mode: {low[:8]}"


def test_explorers_add_less_than_100_kb():
    files = [HTML / "_static" / f for f in ("explorers.js", "explorers.css", "explorer-data.js")]
    files += sorted((HTML / "book" / "images").glob(STILL_GLOB))
    missing = [f for f in files if not f.is_file()]
    assert not missing and len(files) == 7, f"expected the script, style, data and 4 stills; missing {missing}"
    total = sum(f.stat().st_size for f in files)
    assert total < SIZE_BUDGET, f"the explorers add {total:,} bytes: " + ", ".join(f"{f.name} {f.stat().st_size:,}" for f in files)


class _Explorers(HTMLParser):
    """The data-explorer divs of a built page and the images inside them, as served."""

    def __init__(self):
        super().__init__()
        self.found, self._open = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "data-explorer" in attrs:
            self._open.append(attrs["data-explorer"])
            self.found[attrs["data-explorer"]] = []
        elif tag == "div" and self._open:
            self._open.append(None)
        elif tag == "img" and self._open:
            self.found[next(n for n in reversed(self._open) if n)].append(attrs)

    def handle_endtag(self, tag):
        if tag == "div" and self._open:
            self._open.pop()


@pytest.mark.parametrize("name", ALL)
def test_without_javascript_a_still_stands_in(name):
    """Where no script runs, the page holds the explorer's still, with alt text, and the
    image file exists where its relative path points."""
    page = HTML / (PAGES[name] + ".html")
    parser = _Explorers()
    parser.feed(page.read_text(encoding="utf-8"))
    assert name in parser.found, f"{page.name} has no data-explorer={name!r}"
    images = parser.found[name]
    assert len(images) == 1 and len(images[0].get("alt", "")) > 30, images
    assert (page.parent / images[0]["src"]).is_file(), images[0]["src"]
    assert re.search(r"interactive explorer", page.read_text(encoding="utf-8"))
