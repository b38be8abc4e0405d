/* Interactive explorers of the book: convolution, pooling, activation, receptive field.
 *
 * Plain JavaScript, no library, nothing fetched: each element <div data-explorer="name">
 * of a page (a note and a still figure for readers without JavaScript) is replaced by a live
 * explorer. Its controls are form elements named after the companion's arguments, and after
 * every change its root holds the current inputs and outputs as JSON in data-state, which
 * the browser tests compare with the companion (tests/site/test_explorers_in_browser.py).
 *
 * The data (a digit, a crop of the photograph) come from explorer-data.js, written at build
 * time from the companion (book/_ext/explorers.py).
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ small helpers
  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of [].concat(children || [])) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }

  const MINUS = "\u2212";
  function fmt(v, digits) {
    if (v === -Infinity) return MINUS + "\u221e";
    if (v === Infinity) return "\u221e";
    if (Number.isInteger(v)) return (v < 0 ? MINUS : "") + Math.abs(v);
    const d = digits === undefined ? 2 : digits;
    let s = Math.abs(v).toFixed(d).replace(/0+$/, "").replace(/\.$/, "");
    if (s === "0") return "0";
    return (v < 0 ? MINUS : "") + s;
  }

  const zeros = (h, w, value) => Array.from({ length: h }, () => new Array(w).fill(value === undefined ? 0 : value));
  const shape = (a) => [a.length, a.length ? a[0].length : 0];

  // A labelled control. kind: "number" | "select" | "checkbox" | "range".
  function control(kind, name, label, opts) {
    const o = opts || {};
    const id = nextId(`ex-${name}`);
    let input;
    if (kind === "select") {
      input = el("select", { id, name });
      for (const [value, text] of o.options) input.append(el("option", { value, text }));
      input.value = String(o.value);
    } else {
      input = el("input", { id, name, type: kind, min: o.min, max: o.max, step: o.step });
      if (kind === "checkbox") input.checked = !!o.value;
      else input.value = String(o.value);
    }
    if (o.data) for (const [k, v] of Object.entries(o.data)) input.dataset[k] = v;

    const wrap = el("span", { class: `ex-control ex-${kind}` }, kind === "checkbox"
      ? [input, el("label", { for: id, text: label })]
      : [el("label", { for: id, text: label }), input]);
    return { wrap, input };
  }

  // Call fn when a control is edited: a number or a slider while it is typed or dragged
  // (its "change" on leaving the field would only repeat it), a list or a box on "change".
  function onEdit(ctrl, fn) {
    const typed = ctrl.input.type === "number" || ctrl.input.type === "range";
    ctrl.input.addEventListener(typed ? "input" : "change", fn);
  }

  function intOf(input, lo, hi) {
    const v = Number(input.value);
    if (!Number.isFinite(v) || !Number.isInteger(v)) return null;
    if (v < lo || v > hi) return null;
    return v;
  }

  function setState(root, state) {
    root.dataset.state = JSON.stringify(state);
  }

  // Colours of a value: grey levels for images, red/blue for signed values (kernels, maps).
  // The text is black or white, whichever contrasts more with the cell (at least 4.5:1).
  function luminance(rgb) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
  }
  function cellStyle(rgb) {
    const l = luminance(rgb);
    const onBlack = (l + 0.05) / 0.05, onWhite = 1.05 / (l + 0.05);
    return { background: `rgb(${rgb.join(",")})`, color: onBlack >= onWhite ? "#000" : "#fff" };
  }
  function greyStyle(v, lo, hi) {
    const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    const g = Math.round(255 * Math.min(1, Math.max(0, t)));
    return cellStyle([g, g, g]);
  }
  function signedStyle(v, scale) {
    const t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
    // white at 0, red (positive) or blue (negative) at the ends
    const a = Math.abs(t);
    const [r, g, b] = t >= 0 ? [214, 96, 77] : [67, 147, 195];
    const mix = (c) => Math.round(255 + (c - 255) * a * 0.85);
    return cellStyle([mix(r), mix(g), mix(b)]);
  }

  /* A grid of cells. rows x cols, cell(r, c) returns {text, style, classes, label}.
   * When opts.onPick is given the cells are buttons with a roving tabindex (arrow keys move,
   * Enter or a click picks). */
  function grid(rows, cols, cell, opts) {
    const o = opts || {};
    const size = o.cellSize || 28;
    const root = el("div", {
      class: "ex-grid" + (o.small ? " ex-grid-small" : ""),
      role: o.onPick ? "grid" : "img",
      "aria-label": o.label,
    });
    root.style.gridTemplateColumns = `repeat(${cols}, ${size}px)`;
    root.style.gridAutoRows = `${size}px`;
    root.style.fontSize = `${Math.max(8, Math.min(13, size * 0.42))}px`;
    const cells = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const spec = cell(r, c);
        const node = el(o.onPick ? "button" : "div", {
          class: "ex-cell " + (spec.classes || ""),
          type: o.onPick ? "button" : undefined,
          "aria-label": o.onPick ? spec.label : undefined,
          title: spec.label,
          tabindex: o.onPick ? (spec.current ? 0 : -1) : undefined,
          "data-row": r,
          "data-col": c,
        }, o.showText === false ? [] : [spec.text === undefined ? "" : spec.text]);
        if (spec.style) Object.assign(node.style, spec.style);
        if (o.onPick) {
          node.addEventListener("click", () => o.onPick(r, c));
          node.addEventListener("keydown", (ev) => {
            const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
            if (!(ev.key in moves)) return;
            ev.preventDefault();
            const [dr, dc] = moves[ev.key];
            const nr = Math.max(0, Math.min(rows - 1, r + dr));
            const nc = Math.max(0, Math.min(cols - 1, c + dc));
            o.onPick(nr, nc, true);
          });
        }
        cells.push(node);
        root.append(node);
      }
    }
    return root;
  }

  function panel(title, body, extraClass) {
    return el("figure", { class: "ex-panel " + (extraClass || "") }, [el("figcaption", { text: title }), body]);
  }

  function focusPicked(container) {
    const target = container.querySelector('.ex-cell[tabindex="0"]');
    if (target) target.focus();
  }

  // Fit cells of a grid of n columns into about maxWidth pixels.
  const cellSizeFor = (n, maxWidth, lo, hi) => Math.max(lo, Math.min(hi, Math.floor(maxWidth / Math.max(1, n))));

  // The book's output-size formula, floor((n + 2p - d(k - 1) - 1) / s) + 1 (0 if none fits).
  function outLen(n, k, s, p, d) {
    const span = n + 2 * p - d * (k - 1) - 1;
    return span < 0 ? 0 : Math.floor(span / s) + 1;
  }

  const DATA = () => window.EXPLORER_DATA || {};

  // ------------------------------------------------------------------ convolution
  function convolution(root) {
    const data = DATA();
    const kernels = data.kernels || {};
    const inputs = {
      worked: { label: "the worked example, 5 \u00d7 5", matrix: data.worked },
      digit: { label: `an MNIST digit (a ${data.digit_label}), 28 \u00d7 28`, matrix: data.digit },
      photo: { label: "the photograph, 12 \u00d7 16 (downsampled)", matrix: data.photo },
    };
    const kernelNames = Object.keys(kernels);
    const ui = {
      input: control("select", "input", "Input I", {
        options: Object.entries(inputs).map(([k, v]) => [k, v.label]), value: "worked" }),
      kernel: control("select", "kernel", "Kernel K", {
        options: kernelNames.map((k) => [k, k.replace(/_/g, " ")]).concat([["custom", "custom (type the entries)"]]),
        value: "vertical_edge" }),
      kernel_size: control("number", "kernel_size", "k", { value: 3, min: 1, max: 5, step: 1 }),
      operation: control("select", "operation", "Operation", {
        options: [["cross-correlation", "cross-correlation I \u22c6 K (what CNNs compute)"],
                  ["convolution", "true convolution I \u2217 K (kernel flipped)"]],
        value: "cross-correlation" }),
      stride: control("number", "stride", "stride s", { value: 1, min: 1, max: 4, step: 1 }),
      padding: control("number", "padding", "padding p", { value: 0, min: 0, max: 4, step: 1 }),
      dilation: control("number", "dilation", "dilation d", { value: 1, min: 1, max: 4, step: 1 }),
    };
    let K = kernels.vertical_edge.map((row) => row.slice());
    let pos = [0, 0];
    let timer = null;

    const prev = el("button", { type: "button", class: "ex-button", text: "\u25c0 previous" });
    const next = el("button", { type: "button", class: "ex-button", text: "next \u25b6" });
    const play = el("button", { type: "button", class: "ex-button", text: "play", "aria-pressed": "false" });
    const kernelBox = el("div", { class: "ex-kernel-inputs" });
    const view = el("div", { class: "ex-view" });
    const sums = el("div", { class: "ex-sum", "aria-live": "polite" });
    const sizeLine = el("p", { class: "ex-size" });
    root.replaceChildren(
      el("div", { class: "ex-controls" }, [ui.input.wrap, ui.kernel.wrap, ui.kernel_size.wrap, ui.operation.wrap]),
      el("div", { class: "ex-controls" }, [ui.stride.wrap, ui.padding.wrap, ui.dilation.wrap,
        el("span", { class: "ex-buttons" }, [prev, next, play])]),
      sizeLine, view, sums,
    );

    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      play.textContent = "play";
      play.setAttribute("aria-pressed", "false");
    }

    function kernelInputs() {
      const [kh, kw] = shape(K);
      kernelBox.replaceChildren();
      kernelBox.style.gridTemplateColumns = `repeat(${kw}, 4.8em)`;
      for (let m = 0; m < kh; m++) {
        for (let q = 0; q < kw; q++) {
          const input = el("input", {
            type: "number", step: "any", name: "K", class: "ex-kernel-entry",
            "aria-label": `K[${m}, ${q}]`, "data-m": m, "data-q": q,
          });
          input.value = String(+K[m][q].toFixed(6) === K[m][q] ? K[m][q] : +K[m][q].toFixed(4));
          input.addEventListener("input", () => {
            const v = Number(input.value);
            K[m][q] = Number.isFinite(v) && input.value.trim() !== "" ? v : NaN;
            ui.kernel.input.value = "custom";
            update();
          });
          kernelBox.append(input);
        }
      }
    }

    function compute() {
      const I = inputs[ui.input.input.value].matrix;
      const [H, W] = shape(I);
      const s = intOf(ui.stride.input, 1, 4);
      const p = intOf(ui.padding.input, 0, 4);
      const d = intOf(ui.dilation.input, 1, 4);
      const flip = ui.operation.input.value === "convolution";
      const [kh, kw] = shape(K);
      const state = {
        input: ui.input.input.value, kernel: ui.kernel.input.value, operation: ui.operation.input.value,
        I, K: K.map((r) => r.slice()), stride: s, padding: p, dilation: d, kernel_size: [kh, kw],
      };
      if (s === null || p === null || d === null) {
        state.error = "stride and dilation are whole numbers from 1 to 4, padding from 0 to 4";
        return state;
      }
      if (K.some((row) => row.some((v) => !Number.isFinite(v)))) {
        state.error = "every entry of K must be a number";
        return state;
      }
      // the kernel that is laid on the image: K itself, or rot(K) for true convolution
      const Kapp = flip ? K.slice().reverse().map((row) => row.slice().reverse()) : K.map((r) => r.slice());
      const Hout = outLen(H, kh, s, p, d);
      const Wout = outLen(W, kw, s, p, d);
      Object.assign(state, { K_applied: Kapp, H_out: Hout, W_out: Wout });
      const Ip = zeros(H + 2 * p, W + 2 * p);
      for (let u = 0; u < H; u++) for (let v = 0; v < W; v++) Ip[u + p][v + p] = I[u][v];
      state.padded_shape = [H + 2 * p, W + 2 * p];
      if (Hout < 1 || Wout < 1) {
        state.error = `the kernel spans d(k \u2212 1) + 1 = ${d * (kh - 1) + 1} \u00d7 ${d * (kw - 1) + 1} cells, ` +
          `more than the padded input (${H + 2 * p} \u00d7 ${W + 2 * p}): no position fits`;
        return state;
      }
      const S = zeros(Hout, Wout);
      for (let i = 0; i < Hout; i++) {
        for (let j = 0; j < Wout; j++) {
          let acc = 0;
          for (let m = 0; m < kh; m++) for (let q = 0; q < kw; q++) acc += Ip[i * s + m * d][j * s + q * d] * Kapp[m][q];
          S[i][j] = acc;
        }
      }
      pos = [Math.min(pos[0], Hout - 1), Math.min(pos[1], Wout - 1)];
      const [i, j] = pos;
      const cells = [];
      const products = [];
      for (let m = 0; m < kh; m++) {
        for (let q = 0; q < kw; q++) {
          const r = i * s + m * d, c = j * s + q * d;
          cells.push([r, c]);
          products.push(Ip[r][c] * Kapp[m][q]);
        }
      }
      Object.assign(state, {
        S, position: [i, j], window: cells, products,
        sum: products.reduce((a, b) => a + b, 0), value: S[i][j],
      });
      return state;
    }

    function render(state) {
      const { I } = state;
      const [H, W] = shape(I);
      const p = state.padding || 0;
      const [kh, kw] = shape(K);
      if (state.H_out !== undefined) {
        const f = (n, k, out) => `\u230a(${n} + 2\u00b7${p} \u2212 ${state.dilation}\u00b7(${k} \u2212 1) \u2212 1) / ${state.stride}\u230b + 1 = ${out}`;
        sizeLine.textContent = `Output size by \u230a(n + 2p \u2212 d(k \u2212 1) \u2212 1) / s\u230b + 1: ` +
          `H_out = ${f(H, kh, state.H_out)}, W_out = ${f(W, kw, state.W_out)}`;
      } else {
        sizeLine.textContent = "";
      }
      const lo = Math.min(...I.flat()), hi = Math.max(...I.flat());
      const inWindow = new Map();
      if (state.window) state.window.forEach(([r, c], t) => inWindow.set(`${r},${c}`, t));
      const Hp = H + 2 * p, Wp = W + 2 * p;
      const inSize = cellSizeFor(Wp, 470, 11, 32);
      const showIn = inSize >= 22;
      const inputGrid = grid(Hp, Wp, (r, c) => {
        const inside = r >= p && r < H + p && c >= p && c < W + p;
        const v = inside ? I[r - p][c - p] : 0;
        const t = inWindow.get(`${r},${c}`);
        const classes = (inside ? "" : "ex-pad ") + (t !== undefined ? "ex-win" : "");
        return {
          text: showIn ? fmt(v) : "", style: inside ? greyStyle(v, lo, hi) : null, classes,
          label: `I_p[${r}, ${c}] = ${fmt(v)}`,
        };
      }, { cellSize: inSize, label: `padded input I_p, ${Hp} by ${Wp}` });
      const kernelPanel = el("div", { class: "ex-kernel" }, [kernelBox]);
      const panels = [panel(`I_p (${Hp} \u00d7 ${Wp}), window of S[${(state.position || [0, 0]).join(", ")}]`, inputGrid, "ex-input-panel"),
        panel(state.operation === "convolution" ? "K (you type K; rot(K) is applied)" : "K", kernelPanel)];
      if (state.K_applied && state.operation === "convolution") {
        const scale = Math.max(1e-12, ...state.K_applied.flat().map(Math.abs));
        panels.push(panel("rot(K), applied", grid(kh, kw, (m, q) => ({
          text: fmt(state.K_applied[m][q]), style: signedStyle(state.K_applied[m][q], scale),
          label: `rot(K)[${m}, ${q}] = ${fmt(state.K_applied[m][q])}`,
        }), { cellSize: 34, label: "the flipped kernel" })));
      }
      if (state.S) {
        const S = state.S;
        const scale = Math.max(1e-12, ...S.flat().map(Math.abs));
        const outSize = cellSizeFor(state.W_out, 420, 11, 40);
        const showOut = outSize >= 26;
        const outGrid = grid(state.H_out, state.W_out, (i, j) => {
          const current = i === state.position[0] && j === state.position[1];
          return {
            text: showOut ? fmt(S[i][j], outSize >= 40 ? 1 : 0) : "", style: signedStyle(S[i][j], scale),
            classes: current ? "ex-current" : "", current,
            label: `S[${i}, ${j}] = ${fmt(S[i][j], 3)}`,
          };
        }, {
          cellSize: outSize, label: `output S, ${state.H_out} by ${state.W_out}; arrow keys move`,
          onPick: (i, j, keyboard) => { stop(); pos = [i, j]; update(keyboard); },
        });
        panels.push(panel(`S (${state.H_out} \u00d7 ${state.W_out})`, outGrid, "ex-output-panel"));
      }
      view.replaceChildren(...panels);
      if (state.error) {
        sums.replaceChildren(el("p", { class: "ex-error", role: "status", text: state.error }));
        return;
      }
      const [i, j] = state.position;
      const terms = state.window.map(([r, c], t) => {
        const [m, q] = [Math.floor(t / kw), t % kw];
        const x = r >= p && r < H + p && c >= p && c < W + p ? I[r - p][c - p] : 0;
        return `${fmt(x)}\u00b7(${fmt(state.K_applied[m][q], 3)})`;
      });
      sums.replaceChildren(
        el("p", {}, [el("strong", { text: `S[${i}, ${j}]` }),
          ` = ${terms.join(" + ")}`]),
        el("p", {}, [`= ${state.products.map((v) => fmt(v, 3)).join(" + ")} = `, el("strong", { text: fmt(state.sum, 4) })]),
        el("p", { class: "ex-note", text: `The window starts at row i\u00b7s = ${i * state.stride} and column j\u00b7s = ${j * state.stride} of I_p; its taps are d = ${state.dilation} apart.` }),
      );
    }

    function update(refocus) {
      const state = compute();
      setState(root, state);
      render(state);
      prev.disabled = next.disabled = play.disabled = !!state.error;
      if (refocus) focusPicked(root.querySelector(".ex-output-panel") || root);
    }

    function step(delta) {
      const state = JSON.parse(root.dataset.state);
      if (state.error) return;
      const n = state.H_out * state.W_out;
      const flat = (pos[0] * state.W_out + pos[1] + delta + n) % n;
      pos = [Math.floor(flat / state.W_out), flat % state.W_out];
      update();
    }

    prev.addEventListener("click", () => { stop(); step(-1); });
    next.addEventListener("click", () => { stop(); step(1); });
    play.addEventListener("click", () => {
      if (timer) { stop(); return; }
      play.textContent = "pause";
      play.setAttribute("aria-pressed", "true");
      timer = setInterval(() => step(1), 700);
    });
    onEdit(ui.kernel, () => {
      const name = ui.kernel.input.value;
      if (name !== "custom") {
        K = kernels[name].map((row) => row.slice());
        ui.kernel_size.input.value = String(K.length);
      }
      kernelInputs();
      stop();
      update();
    });
    onEdit(ui.kernel_size, () => {
      const k = intOf(ui.kernel_size.input, 1, 5);
      if (k === null || (k === K.length && k === K[0].length)) return;
      const old = K;
      K = zeros(k, k).map((row, m) => row.map((_, q) => (old[m] && old[m][q] !== undefined ? old[m][q] : 0)));
      ui.kernel.input.value = "custom";
      kernelInputs();
      stop();
      update();
    });
    for (const name of ["input", "operation", "stride", "padding", "dilation"]) {
      onEdit(ui[name], () => { stop(); update(); });
    }
    kernelInputs();
    update();
  }

  // ------------------------------------------------------------------ pooling
  function pooling(root) {
    const data = DATA();
    const inputs = {
      worked: { label: "the worked example I, 4 \u00d7 4", matrix: data.pool_worked },
      overlap: { label: "the overlap example I\u2032, 5 \u00d7 5", matrix: data.pool_overlap },
      digit: { label: "an MNIST digit, 12 \u00d7 12 crop (many ties at 0)", matrix: data.pool_digit },
    };
    const ui = {
      input: control("select", "input", "Input I", { options: Object.entries(inputs).map(([k, v]) => [k, v.label]), value: "worked" }),
      mode: control("select", "mode", "Pooling", { options: [["max", "max pooling"], ["avg", "average pooling"]], value: "max" }),
      kernel_size: control("number", "kernel_size", "window k", { value: 2, min: 1, max: 4, step: 1 }),
      stride: control("number", "stride", "stride s", { value: 2, min: 1, max: 4, step: 1 }),
      padding: control("number", "padding", "padding p", { value: 0, min: 0, max: 2, step: 1 }),
      dilation: control("number", "dilation", "dilation d (max)", { value: 1, min: 1, max: 3, step: 1 }),
      ceil_mode: control("checkbox", "ceil_mode", "ceil_mode", { value: false }),
      count_include_pad: control("checkbox", "count_include_pad", "count_include_pad (avg)", { value: true }),
    };
    let pos = [0, 0];
    const view = el("div", { class: "ex-view" });
    const info = el("div", { class: "ex-sum", "aria-live": "polite" });
    const sizeLine = el("p", { class: "ex-size" });
    root.replaceChildren(
      el("div", { class: "ex-controls" }, [ui.input.wrap, ui.mode.wrap, ui.kernel_size.wrap, ui.stride.wrap]),
      el("div", { class: "ex-controls" }, [ui.padding.wrap, ui.dilation.wrap, ui.ceil_mode.wrap, ui.count_include_pad.wrap]),
      sizeLine, view, info,
    );

    // PyTorch's output length, with ceil_mode's rule: a last window never starts in the padding.
    // With ceil_mode a window may hang over the bottom or right of the padded input, even
    // the first one (n + 2p < d(k - 1) + 1 by less than s): it reads what is there.
    function poolLen(n, k, s, p, d, ceil) {
      const span = n + 2 * p - d * (k - 1) - 1;
      if (span < 0 && !ceil) return 0;
      let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      if (out < 1) return 0;
      if (ceil && (out - 1) * s >= n + p) out -= 1;
      return out;
    }

    function compute() {
      const I = inputs[ui.input.input.value].matrix;
      const [H, W] = shape(I);
      const mode = ui.mode.input.value;
      const k = intOf(ui.kernel_size.input, 1, 4);
      const s = intOf(ui.stride.input, 1, 4);
      const p = intOf(ui.padding.input, 0, 2);
      const dRaw = intOf(ui.dilation.input, 1, 3);
      const d = mode === "max" ? dRaw : 1;
      const ceil = ui.ceil_mode.input.checked;
      const cip = ui.count_include_pad.input.checked;
      const state = {
        input: ui.input.input.value, I, mode, kernel_size: k, stride: s, padding: p, dilation: d, ceil_mode: ceil,
      };
      if (mode === "avg") state.count_include_pad = cip;
      state.pad_value = mode === "max" ? "-inf" : "0";
      if (k === null || s === null || p === null || d === null) {
        state.error = "window and stride are whole numbers from 1 to 4, padding from 0 to 2, dilation from 1 to 3";
        return state;
      }
      if (p > Math.floor(k / 2)) {
        state.error = `padding p = ${p} must be at most half the window, \u230ak/2\u230b = ${Math.floor(k / 2)}`;
        return state;
      }
      const Hp = poolLen(H, k, s, p, d, ceil), Wp = poolLen(W, k, s, p, d, ceil);
      Object.assign(state, { H_P: Hp, W_P: Wp });
      if (Hp < 1 || Wp < 1) {
        state.error = "the window does not fit into the padded input even once";
        return state;
      }
      const P = zeros(Hp, Wp);
      const grad = zeros(H, W);
      const winners = mode === "max" ? zeros(Hp, Wp) : null;
      const divisors = mode === "avg" ? zeros(Hp, Wp) : null;
      for (let i = 0; i < Hp; i++) {
        for (let j = 0; j < Wp; j++) {
          const r0 = i * s - p, c0 = j * s - p;
          if (mode === "max") {
            let best = -Infinity, where = -1;
            for (let m = 0; m < k; m++) {
              for (let q = 0; q < k; q++) {
                const r = r0 + m * d, c = c0 + q * d;
                if (r < 0 || r >= H || c < 0 || c >= W) continue; // padding: -inf never wins
                if (where < 0 || I[r][c] > best) { best = I[r][c]; where = r * W + c; }
              }
            }
            P[i][j] = best;
            winners[i][j] = where;
            if (where >= 0) grad[Math.floor(where / W)][where % W] += 1;
          } else {
            // PyTorch: the window is clipped to the padded input first (its size is the
            // divisor when padding counts), then to the input (the divisor when it does not).
            const r1 = Math.min(r0 + k, H + p), c1 = Math.min(c0 + k, W + p);
            const poolSize = (r1 - r0) * (c1 - c0);
            const ra = Math.max(r0, 0), ca = Math.max(c0, 0), rb = Math.min(r1, H), cb = Math.min(c1, W);
            let acc = 0;
            for (let r = ra; r < rb; r++) for (let c = ca; c < cb; c++) acc += I[r][c];
            const div = cip ? poolSize : (rb - ra) * (cb - ca);
            P[i][j] = acc / div;
            divisors[i][j] = div;
            for (let r = ra; r < rb; r++) for (let c = ca; c < cb; c++) grad[r][c] += 1 / div;
          }
        }
      }
      pos = [Math.min(pos[0], Hp - 1), Math.min(pos[1], Wp - 1)];
      const [i, j] = pos;
      const cells = [];
      for (let m = 0; m < k; m++) for (let q = 0; q < k; q++) cells.push([i * s - p + m * d, j * s - p + q * d]);
      Object.assign(state, { P, grad, position: [i, j], window: cells, value: P[i][j] });
      if (winners) {
        state.winners = winners;
        state.winner = winners[i][j] >= 0 ? [Math.floor(winners[i][j] / W), winners[i][j] % W] : null;
      }
      if (divisors) { state.divisors = divisors; state.divisor = divisors[i][j]; }
      return state;
    }

    function render(state) {
      const I = state.I;
      const [H, W] = shape(I);
      const p = state.padding || 0;
      if (state.H_P !== undefined) {
        const k = state.kernel_size, s = state.stride, d = state.dilation;
        const round = state.ceil_mode ? ["\u2308", "\u2309"] : ["\u230a", "\u230b"];
        sizeLine.textContent = `Output size ${round[0]}(H + 2p \u2212 d(k \u2212 1) \u2212 1) / s${round[1]} + 1` +
          `${state.ceil_mode ? " (less one if the last window would start in the padding)" : ""}: ` +
          `H_P = ${state.H_P}, W_P = ${state.W_P} for H = ${H}, W = ${W}, k = ${k}, s = ${s}, p = ${p}, d = ${d}. ` +
          (state.mode === "max" ? "Max pooling pads with \u2212\u221e (padding never wins)." :
            `Average pooling pads with zeros, count_include_pad=${state.count_include_pad ? "True: padded zeros count in the mean" : "False: only real cells count"}.`);
      } else {
        sizeLine.textContent = "";
      }
      const lo = Math.min(...I.flat()), hi = Math.max(...I.flat());
      const inWindow = new Set((state.window || []).map(([r, c]) => `${r},${c}`));
      const winner = state.winner ? `${state.winner[0]},${state.winner[1]}` : null;
      const cols = W + 2 * p, rows = H + 2 * p;
      const size = cellSizeFor(cols, 330, 18, 36);
      const inputGrid = grid(rows, cols, (r, c) => {
        const u = r - p, v = c - p;
        const inside = u >= 0 && u < H && v >= 0 && v < W;
        const key = `${u},${v}`;
        const val = inside ? I[u][v] : (state.mode === "max" ? -Infinity : 0);
        const classes = (inside ? "" : "ex-pad ") + (inWindow.has(key) ? "ex-win " : "") + (key === winner ? "ex-winner" : "");
        return { text: fmt(val), style: inside ? greyStyle(val, lo, hi) : null, classes,
          label: `${inside ? `I[${u}, ${v}]` : "padding"} = ${fmt(val)}${key === winner ? ", wins this window" : ""}` };
      }, { cellSize: size, label: `input with padding, ${rows} by ${cols}` });
      const panels = [panel(`I_p (${rows} \u00d7 ${cols})`, inputGrid, "ex-input-panel")];
      if (state.P) {
        const P = state.P;
        const pl = Math.min(...P.flat()), ph = Math.max(...P.flat());
        const outGrid = grid(state.H_P, state.W_P, (i, j) => {
          const current = i === state.position[0] && j === state.position[1];
          return { text: fmt(P[i][j], 1), style: greyStyle(P[i][j], pl, ph), classes: current ? "ex-current" : "", current,
            label: `P[${i}, ${j}] = ${fmt(P[i][j], 3)}` };
        }, {
          cellSize: cellSizeFor(state.W_P, 260, 26, 40), label: `output P, ${state.H_P} by ${state.W_P}; arrow keys move`,
          onPick: (i, j, keyboard) => { pos = [i, j]; update(keyboard); },
        });
        panels.push(panel(`P (${state.H_P} \u00d7 ${state.W_P})`, outGrid, "ex-output-panel"));
        const G = state.grad;
        const gmax = Math.max(1e-12, ...G.flat());
        panels.push(panel("\u2202L/\u2202I when every P[i, j] sends back 1", grid(H, W, (u, v) => ({
          text: G[u][v] === 0 ? "\u00b7" : fmt(G[u][v]),
          style: G[u][v] === 0 ? null : signedStyle(G[u][v], gmax),
          label: `gradient at I[${u}, ${v}] = ${fmt(G[u][v], 3)}`,
        }), { cellSize: cellSizeFor(W, 330, 18, 36), label: "gradient of the input" })));
      }
      view.replaceChildren(...panels);
      if (state.error) {
        info.replaceChildren(el("p", { class: "ex-error", role: "status", text: state.error }));
        return;
      }
      const [i, j] = state.position;
      const vals = state.window.map(([r, c]) => (r >= 0 && r < H && c >= 0 && c < W ? I[r][c] : (state.mode === "max" ? -Infinity : 0)));
      if (state.mode === "max") {
        info.replaceChildren(el("p", {}, [el("strong", { text: `P[${i}, ${j}]` }),
          ` = max(${vals.map((v) => fmt(v)).join(", ")}) = ${fmt(state.value)}`,
          state.winner ? `, won by I[${state.winner.join(", ")}] (the first maximum in row-major order, index ${state.winners[i][j]}); only that cell receives this window's gradient.` : ""]));
      } else {
        info.replaceChildren(el("p", {}, [el("strong", { text: `P[${i}, ${j}]` }),
          ` = (${vals.map((v) => fmt(v)).join(" + ")}) / ${state.divisor} = ${fmt(state.value, 4)}; every real cell of the window receives 1/${state.divisor} of its gradient.`]));
      }
    }

    function update(refocus) {
      const state = compute();
      setState(root, state);
      render(state);
      ui.dilation.input.disabled = state.mode !== "max";
      ui.count_include_pad.input.disabled = state.mode !== "avg";
      if (refocus) focusPicked(root.querySelector(".ex-output-panel") || root);
    }
    for (const c of Object.values(ui)) onEdit(c, () => update());
    update();
  }

  // ------------------------------------------------------------------ activation
  // erf by its Taylor series for |z| < 2 and by a continued fraction of erfc beyond:
  // both reach double precision on the range the explorer draws.
  function erfc(z) {
    if (z < 0) return 2 - erfc(-z);
    if (z < 2) return 1 - erfSeries(z);
    // Lentz's continued fraction: erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...))))
    const tiny = 1e-300;
    let f = z, C = z, D = 0;
    for (let n = 1; n < 300; n++) {
      const a = n / 2;
      D = z + a * D; D = Math.abs(D) < tiny ? tiny : D; D = 1 / D;
      C = z + a / C; C = Math.abs(C) < tiny ? tiny : C;
      const delta = C * D;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  }
  function erfSeries(z) {
    // erf(z) = 2/sqrt(pi) * sum_n (-1)^n z^(2n+1) / (n! (2n+1))
    let term = z, sum = z;
    for (let n = 1; n < 200; n++) {
      term *= -z * z / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }
  const erf = (z) => (Math.abs(z) < 2 ? erfSeries(z) : 1 - erfc(z));
  const SQRT1_2PI = 1 / Math.sqrt(2 * Math.PI);
  const K_TANH = Math.sqrt(2 / Math.PI);

  const ACTIVATIONS = {
    relu: { label: "ReLU", f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) },
    sigmoid: {
      label: "sigmoid \u03c3",
      f: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
      df(x) { const s = this.f(x); return s * (1 - s); },
    },
    tanh: { label: "tanh", f: (x) => Math.tanh(x), df: (x) => { const t = Math.tanh(x); return 1 - t * t; } },
    leaky_relu: {
      label: "leaky ReLU", params: ["negative_slope"],
      f: (x, o) => (x > 0 ? x : o.negative_slope * x), df: (x, o) => (x > 0 ? 1 : o.negative_slope),
    },
    elu: {
      label: "ELU", params: ["alpha"],
      f: (x, o) => (x > 0 ? x : o.alpha * Math.expm1(x)), df: (x, o) => (x > 0 ? 1 : o.alpha * Math.exp(x)),
    },
    gelu: {
      label: "GELU", params: ["approximate"],
      f(x, o) {
        if (o.approximate === "tanh") return 0.5 * x * (1 + Math.tanh(K_TANH * (x + 0.044715 * x * x * x)));
        return 0.5 * x * erfc(-x / Math.SQRT2);
      },
      df(x, o) {
        if (o.approximate === "tanh") {
          const t = Math.tanh(K_TANH * (x + 0.044715 * x * x * x));
          return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K_TANH * (1 + 3 * 0.044715 * x * x);
        }
        return 0.5 * erfc(-x / Math.SQRT2) + x * SQRT1_2PI * Math.exp(-0.5 * x * x);
      },
    },
  };

  function activation(root) {
    const ui = {
      function: control("select", "function", "Function", { options: Object.entries(ACTIVATIONS).map(([k, v]) => [k, v.label]), value: "relu" }),
      x: control("number", "x", "x", { value: 0.5, min: -5, max: 5, step: 0.01 }),
      slider: control("range", "x_slider", "x (slider)", { value: 0.5, min: -5, max: 5, step: 0.01 }),
      negative_slope: control("number", "negative_slope", "negative_slope", { value: 0.01, min: 0, max: 1, step: 0.01 }),
      alpha: control("number", "alpha", "alpha", { value: 1, min: 0, max: 3, step: 0.1 }),
      approximate: control("select", "approximate", "approximate", { options: [["none", "none (exact, with erf)"], ["tanh", "tanh"]], value: "none" }),
    };
    const plot = el("div", { class: "ex-plot" });
    const readout = el("div", { class: "ex-sum", "aria-live": "polite" });
    root.replaceChildren(
      el("div", { class: "ex-controls" }, [ui.function.wrap, ui.x.wrap, ui.slider.wrap]),
      el("div", { class: "ex-controls" }, [ui.negative_slope.wrap, ui.alpha.wrap, ui.approximate.wrap]),
      plot, readout,
    );
    const X0 = -5, X1 = 5, NPTS = 201;

    function compute() {
      const name = ui.function.input.value;
      const act = ACTIVATIONS[name];
      const x = Number(ui.x.input.value);
      const params = {};
      for (const p of act.params || []) params[p] = p === "approximate" ? ui.approximate.input.value : Number(ui[p].input.value);
      const state = { function: name, x, params };
      if (!Number.isFinite(x) || ui.x.input.value.trim() === "" ||
          Object.values(params).some((v) => typeof v === "number" && !Number.isFinite(v))) {
        state.error = "x and the parameters must be numbers";
        return state;
      }
      state.value = act.f(x, params);
      state.slope = act.df(x, params);
      const xs = Array.from({ length: NPTS }, (_, t) => X0 + (X1 - X0) * t / (NPTS - 1));
      state.curve = { x: xs, value: xs.map((v) => act.f(v, params)), slope: xs.map((v) => act.df(v, params)) };
      return state;
    }

    function render(state) {
      if (state.error) {
        readout.replaceChildren(el("p", { class: "ex-error", role: "status", text: state.error }));
        return;
      }
      const act = ACTIVATIONS[state.function];
      const W = 560, H = 300, m = { l: 40, r: 12, t: 12, b: 28 };
      const all = state.curve.value.concat(state.curve.slope);
      const y0 = Math.min(-1, ...all), y1 = Math.max(1.2, ...all);
      const sx = (x) => m.l + (x - X0) / (X1 - X0) * (W - m.l - m.r);
      const sy = (y) => H - m.b - (y - y0) / (y1 - y0) * (H - m.t - m.b);
      const root2 = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "ex-svg",
        "aria-label": `${act.label} and its derivative on [-5, 5]; the point x = ${state.x}` });
      const axes = svg("g", { class: "ex-axes" });
      axes.append(svg("line", { x1: sx(X0), x2: sx(X1), y1: sy(0), y2: sy(0) }));
      axes.append(svg("line", { x1: sx(0), x2: sx(0), y1: sy(y0), y2: sy(y1) }));
      for (let t = -5; t <= 5; t++) {
        const tick = svg("text", { x: sx(t), y: H - 8, "text-anchor": "middle" });
        tick.textContent = t < 0 ? MINUS + Math.abs(t) : String(t);
        axes.append(tick);
      }
      for (let t = Math.ceil(y0); t <= Math.floor(y1); t++) {
        const tick = svg("text", { x: m.l - 6, y: sy(t) + 4, "text-anchor": "end" });
        tick.textContent = t < 0 ? MINUS + Math.abs(t) : String(t);
        axes.append(tick);
        axes.append(svg("line", { class: "ex-gridline", x1: sx(X0), x2: sx(X1), y1: sy(t), y2: sy(t) }));
      }
      root2.append(axes);
      const path = (ys) => state.curve.x.map((x, t) => `${t ? "L" : "M"}${sx(x).toFixed(1)},${sy(ys[t]).toFixed(1)}`).join("");
      root2.append(svg("path", { d: path(state.curve.slope), class: "ex-curve-slope" }));
      root2.append(svg("path", { d: path(state.curve.value), class: "ex-curve-value" }));
      // the tangent at x, over one unit on each side
      const xa = Math.max(X0, state.x - 1), xb = Math.min(X1, state.x + 1);
      root2.append(svg("line", { class: "ex-tangent", x1: sx(xa), x2: sx(xb),
        y1: sy(state.value + state.slope * (xa - state.x)), y2: sy(state.value + state.slope * (xb - state.x)) }));
      root2.append(svg("circle", { class: "ex-point", cx: sx(state.x), cy: sy(state.value), r: 5 }));
      root2.append(svg("circle", { class: "ex-point-slope", cx: sx(state.x), cy: sy(state.slope), r: 4 }));
      const legend = el("p", { class: "ex-legend" }, [
        el("span", { class: "ex-key-value", text: "\u2014 \u03c6(x)" }), "  ",
        el("span", { class: "ex-key-slope", text: "- - \u03c6\u2032(x)" }), "  ",
        el("span", { class: "ex-key-tangent", text: "\u2014 tangent at x" }),
      ]);
      plot.replaceChildren(root2, legend);
      const name = act.label;
      readout.replaceChildren(el("p", {}, [
        `${name}(${fmt(state.x, 2)}) = `, el("strong", { text: fmt(state.value, 6) }),
        `; slope ${name}\u2032(${fmt(state.x, 2)}) = `, el("strong", { text: fmt(state.slope, 6) }),
        state.function === "relu" && state.x === 0 ? " (at the kink the book, like PyTorch, takes the slope 0)" : "",
      ]));
    }

    function update() {
      const act = ACTIVATIONS[ui.function.input.value];
      for (const p of ["negative_slope", "alpha", "approximate"]) {
        const used = (act.params || []).includes(p);
        ui[p].input.disabled = !used;
        ui[p].wrap.hidden = !used;
      }
      const state = compute();
      setState(root, state);
      render(state);
    }
    onEdit(ui.x, () => { ui.slider.input.value = ui.x.input.value; update(); });
    onEdit(ui.slider, () => { ui.x.input.value = ui.slider.input.value; update(); });
    for (const p of ["function", "negative_slope", "alpha", "approximate"]) onEdit(ui[p], update);
    update();
  }

  // ------------------------------------------------------------------ receptive field
  function receptiveField(root) {
    const MAX_LAYERS = 4;
    const defaults = [[3, 1, 1, 0], [2, 2, 1, 0], [3, 1, 1, 0], [3, 1, 1, 0]];
    const ui = {
      input_size: control("number", "input_size", "input size H = W", { value: 16, min: 4, max: 32, step: 1 }),
      layers: control("number", "layers", "number of layers L", { value: 3, min: 1, max: MAX_LAYERS, step: 1 }),
    };
    const layerRows = [];
    const table = el("div", { class: "ex-layers" });
    for (let l = 0; l < MAX_LAYERS; l++) {
      const [k, s, d, p] = defaults[l];
      const row = {
        kernel_size: control("number", "kernel_size", `k${l + 1}`, { value: k, min: 1, max: 7, step: 1, data: { layer: l } }),
        stride: control("number", "stride", `s${l + 1}`, { value: s, min: 1, max: 4, step: 1, data: { layer: l } }),
        dilation: control("number", "dilation", `d${l + 1}`, { value: d, min: 1, max: 4, step: 1, data: { layer: l } }),
        padding: control("number", "padding", `p${l + 1}`, { value: p, min: 0, max: 4, step: 1, data: { layer: l } }),
      };
      const words = { kernel_size: "kernel size", stride: "stride", dilation: "dilation", padding: "padding" };
      for (const [key, word] of Object.entries(words)) row[key].input.setAttribute("aria-label", `layer ${l + 1} ${word}`);
      row.wrap = el("div", { class: "ex-controls ex-layer" }, [el("span", { class: "ex-layer-name", text: `layer ${l + 1}` }),
        row.kernel_size.wrap, row.stride.wrap, row.dilation.wrap, row.padding.wrap]);
      layerRows.push(row);
      table.append(row.wrap);
    }
    let unit = [0, 0];
    const view = el("div", { class: "ex-view ex-stack" });
    const info = el("div", { class: "ex-sum", "aria-live": "polite" });
    root.replaceChildren(el("div", { class: "ex-controls" }, [ui.input_size.wrap, ui.layers.wrap]), table, view, info);

    function compute() {
      const n0 = intOf(ui.input_size.input, 4, 32);
      const L = intOf(ui.layers.input, 1, MAX_LAYERS);
      const state = { input_size: n0, layers: [] };
      if (n0 === null || L === null) { state.error = "the input size is 4 to 32 and there are 1 to 4 layers"; return state; }
      for (let l = 0; l < L; l++) {
        const r = layerRows[l];
        const layer = {
          kernel_size: intOf(r.kernel_size.input, 1, 7), stride: intOf(r.stride.input, 1, 4),
          dilation: intOf(r.dilation.input, 1, 4), padding: intOf(r.padding.input, 0, 4),
        };
        state.layers.push(layer);
        if (Object.values(layer).some((v) => v === null)) {
          state.error = `layer ${l + 1}: k is 1 to 7, s and d are 1 to 4, p is 0 to 4`;
          return state;
        }
      }
      const sizes = [n0];
      for (const { kernel_size: k, stride: s, dilation: d, padding: p } of state.layers) {
        const n = outLen(sizes[sizes.length - 1], k, s, p, d);
        sizes.push(n);
        if (n < 1) {
          state.sizes = sizes;
          state.error = `layer ${sizes.length - 1} gets an input of ${sizes[sizes.length - 2]} and its kernel does not fit: no output`;
          return state;
        }
      }
      state.sizes = sizes;
      const out = sizes[sizes.length - 1];
      unit = [Math.min(unit[0], out - 1), Math.min(unit[1], out - 1)];
      // r_l = r_{l-1} + (k_l - 1) d_l prod_{l'<l} s_l'; start = i prod s - sum p_l prod_{l'<l} s_l'
      let r = 1, jump = 1, offset = 0;
      for (const { kernel_size: k, stride: s, dilation: d, padding: p } of state.layers) {
        r += (k - 1) * d * jump;
        offset += p * jump;
        jump *= s;
      }
      // the exact cells, layer by layer back to the input (padding cells feed nothing)
      const back = (index) => {
        const sets = [[index]];
        for (let l = state.layers.length - 1; l >= 0; l--) {
          const { kernel_size: k, stride: s, dilation: d, padding: p } = state.layers[l];
          const below = new Set();
          for (const u of sets[0]) for (let m = 0; m < k; m++) {
            const v = u * s + m * d - p;
            if (v >= 0 && v < sizes[l]) below.add(v);
          }
          sets.unshift([...below].sort((a, b) => a - b));
        }
        return sets;
      };
      const rows = back(unit[0]), cols = back(unit[1]);
      Object.assign(state, {
        unit, receptive_field: r, total_stride: jump, padding_offset: offset,
        start: [unit[0] * jump - offset, unit[1] * jump - offset],
        region_rows: rows[0], region_cols: cols[0], layer_rows: rows, layer_cols: cols,
      });
      return state;
    }

    function render(state) {
      for (let l = 0; l < MAX_LAYERS; l++) {
        const used = state.input_size !== null && l < (intOf(ui.layers.input, 1, MAX_LAYERS) || 0);
        layerRows[l].wrap.hidden = !used;
        for (const key of ["kernel_size", "stride", "dilation", "padding"]) layerRows[l][key].input.disabled = !used;
      }
      if (state.error) {
        view.replaceChildren();
        info.replaceChildren(el("p", { class: "ex-error", role: "status", text: state.error }));
        return;
      }
      const { sizes, receptive_field: r, start } = state;
      const panels = [];
      for (let l = 0; l < sizes.length; l++) {
        const n = sizes[l];
        const rowSet = new Set(state.layer_rows[l]), colSet = new Set(state.layer_cols[l]);
        const last = l === sizes.length - 1;
        const size = cellSizeFor(n, l === 0 ? 400 : 300, 9, last ? 28 : 22);
        const inSpan = (u, v) => l === 0 && u >= start[0] && u < start[0] + r && v >= start[1] && v < start[1] + r;
        const g = grid(n, n, (u, v) => {
          const hit = rowSet.has(u) && colSet.has(v);
          const current = last && u === state.unit[0] && v === state.unit[1];
          return {
            classes: (hit ? "ex-hit " : inSpan(u, v) ? "ex-span " : "") + (current ? "ex-current" : ""),
            current, label: `${l === 0 ? "input" : `layer ${l}`} [${u}, ${v}]${hit ? (l === 0 ? ", in the receptive field" : ", on a path") : ""}`,
          };
        }, last ? {
          cellSize: size, showText: false, label: `output of layer ${l}, ${n} by ${n}: pick a unit; arrow keys move`,
          onPick: (u, v, keyboard) => { unit = [u, v]; update(keyboard); },
        } : { cellSize: size, showText: false, label: `${l === 0 ? "input" : `layer ${l}`}, ${n} by ${n}` });
        panels.push(panel(l === 0 ? `input (${n} \u00d7 ${n})` : `layer ${l} (${n} \u00d7 ${n})${last ? ": pick a unit" : ""}`, g,
          last ? "ex-output-panel" : ""));
      }
      view.replaceChildren(...panels);
      const rows = state.region_rows;
      const over = [];
      if (start[0] < 0) over.push(`${-start[0]} above`);
      if (start[0] + r > sizes[0]) over.push(`${start[0] + r - sizes[0]} below`);
      if (start[1] < 0) over.push(`${-start[1]} on the left`);
      if (start[1] + r > sizes[0]) over.push(`${start[1] + r - sizes[0]} on the right`);
      const holes = r * r - rows.length * state.region_cols.length;
      info.replaceChildren(
        el("p", {}, [`Receptive field of unit [${state.unit.join(", ")}]: `,
          el("strong", { text: `${r} \u00d7 ${r}` }),
          ` input pixels (r = 1 + \u03a3 (k_l \u2212 1) d_l \u220f_{l\u2032<l} s_{l\u2032}), starting at row and column i\u00b7\u220fs \u2212 \u03a3 p_l \u220f_{l\u2032<l} s_{l\u2032} = ` +
          `${state.unit[0]}\u00b7${state.total_stride} \u2212 ${state.padding_offset} = ${start[0]} and ${state.unit[1]}\u00b7${state.total_stride} \u2212 ${state.padding_offset} = ${start[1]}.`]),
        el("p", { class: "ex-note", text:
          `The strongly coloured cells are the pixels this unit actually reads (${rows.length} \u00d7 ${state.region_cols.length}); the faint ones lie in its span but are skipped` +
          `${holes > 0 && over.length === 0 ? ` (${holes} holes, from dilation or strides larger than kernels)` : ""}.` +
          `${over.length ? ` The span overhangs the image (${over.join(", ")}): there it reads padding.` : ""}` }),
      );
    }

    function update(refocus) {
      const state = compute();
      setState(root, state);
      render(state);
      if (refocus) focusPicked(root.querySelector(".ex-output-panel") || root);
    }
    root.addEventListener("input", (ev) => { if (ev.target.matches("input")) update(); });
    update();
  }

  const EXPLORERS = { convolution, pooling, activation, "receptive-field": receptiveField };

  function start() {
    for (const root of document.querySelectorAll("[data-explorer]")) {
      const make = EXPLORERS[root.dataset.explorer];
      if (!make || root.dataset.live) continue;
      root.dataset.live = "true";
      root.classList.add("explorer");
      root.setAttribute("role", "group");
      root.setAttribute("aria-label", `interactive explorer: ${root.dataset.explorer.replace("-", " ")}`);
      make(root);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
