"""Time the companion's fast paths against PyTorch, interleaved, with the same threads.

Usage: python benchmarks/run.py [--threads N] [--repeats R] [--quick] [--out PATH]
(``make bench`` runs it with the defaults.)

What is timed (issue 8), each case as companion / PyTorch in one process:

* ``conv2d`` forward, float32 and float64: 64x1x28x28 with 32 3x3 filters, 64x32x13x13 with
  64 3x3 filters, 16x64x56x56 with 64 3x3 filters, each at stride 1 and 2, no padding,
  against ``torch.nn.functional.conv2d``;
* ``conv2d_backward`` against ``torch.autograd.grad`` of the same convolution, **backward
  only** on both sides: PyTorch's forward graph is built once before the clock starts and each
  timed call is ``autograd.grad(y, (x, w, b), g, retain_graph=True)`` (the gradients of input,
  weight and bias, which is what ``conv2d_backward`` returns);
* ``max_pool2d`` and ``avg_pool2d`` (2x2, stride 2) and their backward (backward only, as
  above). PyTorch's max-pool backward scatters the gradient to the indices its forward pass
  kept, so the companion's is timed the same way, given the indices of
  ``max_pool2d(..., return_indices=True)``; the forward pass that returns them is timed
  against PyTorch's with ``return_indices=True``, and the backward that searches the winners
  again from the input alone (no indices) is timed too, as a group of its own;
* **held-out shapes**, a second set of convolution and pooling layers on which no speed-up was
  tuned (different channel counts, image sizes, kernels of 5x5 and 1x1, padding, overlapping
  pooling windows), so that the targets are not met only on the shapes that were optimised;
  each result entry says which set it belongs to (``"shapes": "benchmark"`` or
  ``"held-out"``);
* the **peak memory** of one call on the largest benchmark shape, both sides: ``tracemalloc``
  for NumPy (NumPy reports its array allocations to it) and, for PyTorch, the running total
  of allocated bytes that ``torch.profiler`` (``profile_memory=True``) records at every
  allocation and free (the largest "Total Allocated" of its memory events, minus the total at
  the start);
* where ``conv2d``'s time goes on the largest layer: its im2col copies alone, its matrix
  products alone, the whole call and PyTorch's (``"split"`` in the result file);
* one training epoch of chapter 8's network, ``TinyCNN(n_filters=8)`` on the 4,000 training
  digits, batch 32: ``train_numpy`` against ``train_torch`` on ``torch_twin`` with plain SGD,
  float64 (the book's setting) and float32 (both models cast); both include the end-of-epoch
  evaluation on the training and test digits;
* ``conv2d_naive`` on a small case against ``conv2d`` (and ``conv2d`` against PyTorch there).

Threads: ``--threads N`` (default 1; ``make bench THREADS=2``, the setting of the targets) is set *before* NumPy and
torch are imported, through ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and
``MKL_NUM_THREADS``, then with ``torch.set_num_threads(N)`` and OpenBLAS's own
``openblas_set_num_threads`` (through ctypes); the count each library reports back is recorded.
The default is one thread because the course's machines are shared: with more threads than
idle cores, PyTorch's OpenMP pool waits at every barrier for a thread the kernel has
descheduled, and a 1 ms convolution takes 60 ms (measured here at load average 11 on 2 cores),
which says nothing about either library. On an idle machine, time with all cores too.

Timing: every case is warmed up, then timed ``--repeats`` times, alternating which side goes
first (subject, baseline, baseline, subject, ...), so that load from other processes hits both
sides alike. A sample repeats the call until it lasts at least ``--min-sample`` seconds and
stores the time per call (each side its own count of calls). The report uses medians; the ratios, not the absolute times, are
what the benchmark is about.

The result goes to ``benchmarks/results/<YYYY-MM-DDTHHMM>-<host>-<N>t.json`` (``N`` the thread
count) with a description of the machine (CPU, cores, versions, BLAS, threads, load average
before and after, and the bandwidth of a plain large ``np.copyto``, the ceiling of any copy
NumPy makes).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for both sides (default 1)")
    parser.add_argument("--repeats", type=int, default=7, help="timed repetitions per case (median)")
    parser.add_argument("--epoch-repeats", type=int, default=3, help="timed repetitions of a training epoch")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls before timing")
    parser.add_argument("--min-sample", type=float, default=0.05, help="seconds a sample lasts at least")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 repetitions, no epochs")
    parser.add_argument("--out", type=Path, help="output file (default benchmarks/results/<date>-<host>.json)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.repeats < 1 or args.epoch_repeats < 1:
        parser.error("--threads, --repeats and --epoch-repeats must be at least 1")
    if args.quick:
        args.repeats, args.epoch_repeats, args.min_sample = 2, 0, 0.01
    return args


ARGS = _parse(sys.argv[1:]) if __name__ == "__main__" else None
if ARGS is not None:  # before numpy and torch are imported, so that their pools start at this size
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import ctypes  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(ROOT))
from benchmarks import report  # noqa: E402


# --------------------------------------------------------------------------- the machine


def _openblas():
    """NumPy's OpenBLAS as a ctypes library (already loaded by NumPy), or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and line.rstrip().endswith(".so")}
    except OSError:
        return None, None
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                return get, put
    return None, None


def set_threads(n):
    """Make torch and NumPy's BLAS use ``n`` threads; return what each reports back."""
    import torch

    torch.set_num_threads(n)
    get, put = _openblas()
    blas = None
    if put is not None:
        put(ctypes.c_int(n))
        blas = int(get())
    return {"torch": torch.get_num_threads(), "numpy_blas": blas}


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _loadavg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []


def _blas_info():
    try:
        config = np.show_config(mode="dicts")
        deps = config.get("Build Dependencies", {})
        return {k: {kk: vv for kk, vv in deps.get(k, {}).items() if kk in ("name", "version", "openblas configuration")}
                for k in ("blas", "lapack")}
    except Exception as exc:  # pragma: no cover - older NumPy
        return {"error": repr(exc)}


def machine(threads, reported):
    import torch

    return {
        "host": socket.gethostname(),
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cpus_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "numpy_blas": _blas_info(),
        "torch_parallel": torch.__config__.parallel_info().strip().splitlines(),
        "torch_mkldnn": bool(torch.backends.mkldnn.is_available()),
        "threads": threads,
        "threads_reported": reported,
        "load_average_start": _loadavg(),
    }


# --------------------------------------------------------------------------- timing


def _time(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def calls_per_sample(fn, min_sample):
    """How many calls make a sample of at least ``min_sample`` seconds (from one timed call)."""
    once = _time(fn, 1)
    return max(1, int(np.ceil(min_sample / max(once, 1e-9))))


def compare(subject, baseline, repeats, warmup, min_sample):
    """Interleaved timings of two callables: ``(subject_seconds, baseline_seconds, calls)``.

    Each side repeats its call until a sample lasts ``min_sample`` seconds (``calls`` is the
    pair of counts), so a fast call is not timed once, cold, beside a slow one.
    """
    for _ in range(warmup):
        subject()
        baseline()
    na, nb = calls_per_sample(subject, min_sample), calls_per_sample(baseline, min_sample)
    a, b = [], []
    for r in range(repeats):
        if r % 2 == 0:
            a.append(_time(subject, na))
            b.append(_time(baseline, nb))
        else:
            b.append(_time(baseline, nb))
            a.append(_time(subject, na))
    return a, b, [na, nb]


# --------------------------------------------------------------------------- the cases


CONV_SHAPES = [  # (N, C_in, H, W), C_out, kernel
    ((64, 1, 28, 28), 32, 3),
    ((64, 32, 13, 13), 64, 3),
    ((16, 64, 56, 56), 64, 3),
]
POOL_SHAPES = [(64, 32, 26, 26), (16, 64, 54, 54)]
# Held-out shapes: not looked at while the fast paths were written. (N, C_in, H, W), C_out,
# kernel, stride, padding. The first two are the layers of the issue that asked for 2-thread
# speed; the others were added with the benchmark, before any of them was timed.
HELD_OUT_CONV = [
    ((64, 8, 14, 14), 16, 3, 1, 0),
    ((4, 32, 40, 40), 48, 3, 1, 0),
    ((32, 3, 32, 32), 16, 5, 1, 2),
    ((8, 128, 14, 14), 128, 3, 1, 1),
    ((16, 48, 20, 20), 96, 1, 1, 0),
    ((8, 32, 33, 33), 64, 3, 2, 1),
]
# (N, C, H, W), kernel, stride, padding
HELD_OUT_POOL = [((32, 48, 22, 22), 2, 2, 0), ((8, 96, 15, 15), 3, 2, 1), ((128, 8, 24, 24), 3, 3, 0)]
NAIVE_SHAPE = ((2, 3, 12, 12), 4, 3)


def _shape(s):
    return "x".join(map(str, s))


def _conv_case(args, rng, out, shape, c_out, k, stride, padding, dtype, shapes):
    import torch
    import torch.nn.functional as F

    import companion

    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((c_out, shape[1], k, k)).astype(dtype) * 0.1
    b = rng.standard_normal(c_out).astype(dtype)
    tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
    case = f"{_shape(shape)}, {c_out} filters {k}x{k}, stride {stride}" + (f", padding {padding}" if padding else "")
    kw = dict(stride=stride, padding=padding)
    y = companion.conv2d(x, w, b, **kw)
    np.testing.assert_allclose(y, F.conv2d(tx, tw, tb, **kw).numpy(),
                               rtol=1e-3 if dtype == "float32" else 1e-9,
                               atol=1e-3 if dtype == "float32" else 1e-9)
    a, bb, n = compare(lambda: companion.conv2d(x, w, b, **kw),
                       lambda: F.conv2d(tx, tw, tb, **kw),
                       args.repeats, args.warmup, args.min_sample)
    out.append(_entry("conv2d_forward", case, dtype, "companion.conv2d",
                      "torch.nn.functional.conv2d", a, bb, n, shapes))
    print(_progress(out[-1]), flush=True)

    g = rng.standard_normal(y.shape).astype(dtype)
    tg = torch.from_numpy(g)
    rx, rw, rb = (t.clone().requires_grad_(True) for t in (tx, tw, tb))
    ty = F.conv2d(rx, rw, rb, **kw)
    a, bb, n = compare(lambda: companion.conv2d_backward(g, x, w, **kw),
                       lambda: torch.autograd.grad(ty, (rx, rw, rb), tg, retain_graph=True),
                       args.repeats, args.warmup, args.min_sample)
    out.append(_entry("conv2d_backward", case, dtype, "companion.conv2d_backward",
                      "torch.autograd.grad (backward only)", a, bb, n, shapes))
    print(_progress(out[-1]), flush=True)


def conv_cases(args, rng):
    out = []
    for dtype in ("float32", "float64"):
        for shape, c_out, k in CONV_SHAPES:
            for stride in (1, 2):
                _conv_case(args, rng, out, shape, c_out, k, stride, 0, dtype, "benchmark")
    for dtype in ("float32", "float64"):
        for shape, c_out, k, stride, padding in HELD_OUT_CONV:
            _conv_case(args, rng, out, shape, c_out, k, stride, padding, dtype, "held-out")
    return out


def _pool_case(args, rng, out, shape, k, stride, padding, dtype, shapes):
    import torch
    import torch.nn.functional as F

    import companion

    x = rng.standard_normal(shape).astype(dtype)
    tx = torch.from_numpy(x)
    case = f"{_shape(shape)}, {k}x{k} stride {stride}" + (f", padding {padding}" if padding else "")
    kw = dict(kernel_size=k, stride=stride, padding=padding)
    for name in ("max_pool2d", "avg_pool2d"):
        ours, backward, theirs = (getattr(companion, name), getattr(companion, f"{name}_backward"),
                                  getattr(F, name))
        np.testing.assert_allclose(ours(x, **kw), theirs(tx, **kw).numpy(), rtol=1e-6, atol=1e-6)
        a, b, n = compare(lambda: ours(x, **kw), lambda: theirs(tx, **kw),
                          args.repeats, args.warmup, args.min_sample)
        out.append(_entry(f"{name}_forward", case, dtype, f"companion.{name}",
                          f"torch.nn.functional.{name}", a, b, n, shapes))
        print(_progress(out[-1]), flush=True)
        g = rng.standard_normal(ours(x, **kw).shape).astype(dtype)
        tg = torch.from_numpy(g)
        rx = tx.clone().requires_grad_(True)
        ty = theirs(rx, **kw)
        torch_backward = lambda: torch.autograd.grad(ty, rx, tg, retain_graph=True)  # noqa: E731
        if name == "max_pool2d":
            # PyTorch's forward keeps the index of every window's maximum for its backward;
            # the companion's forward returns them with return_indices=True
            _, where = ours(x, **kw, return_indices=True)
            np.testing.assert_array_equal(where, theirs(tx, **kw, return_indices=True)[1].numpy())
            a, b, n = compare(lambda: ours(x, **kw, return_indices=True),
                              lambda: theirs(tx, **kw, return_indices=True),
                              args.repeats, args.warmup, args.min_sample)
            out.append(_entry("max_pool2d_forward_indices", case, dtype, "companion.max_pool2d(return_indices=True)",
                              "torch.nn.functional.max_pool2d(return_indices=True)", a, b, n, shapes))
            print(_progress(out[-1]), flush=True)
            a, b, n = compare(lambda: backward(g, x, **kw, indices=where), torch_backward,
                              args.repeats, args.warmup, args.min_sample)
            out.append(_entry("max_pool2d_backward", case, dtype, "companion.max_pool2d_backward(indices=...)",
                              "torch.autograd.grad (backward only)", a, b, n, shapes))
            print(_progress(out[-1]), flush=True)
            a, b, n = compare(lambda: backward(g, x, **kw), torch_backward,
                              args.repeats, args.warmup, args.min_sample)
            out.append(_entry("max_pool2d_backward_search", case, dtype, "companion.max_pool2d_backward",
                              "torch.autograd.grad (backward only)", a, b, n, shapes))
            print(_progress(out[-1]), flush=True)
            continue
        a, b, n = compare(lambda: backward(g, x, **kw), torch_backward,
                          args.repeats, args.warmup, args.min_sample)
        out.append(_entry(f"{name}_backward", case, dtype, f"companion.{name}_backward",
                          "torch.autograd.grad (backward only)", a, b, n, shapes))
        print(_progress(out[-1]), flush=True)


def pool_cases(args, rng):
    out = []
    for dtype in ("float32", "float64"):
        for shape in POOL_SHAPES:
            _pool_case(args, rng, out, shape, 2, 2, 0, dtype, "benchmark")
    for dtype in ("float32", "float64"):
        for shape, k, stride, padding in HELD_OUT_POOL:
            _pool_case(args, rng, out, shape, k, stride, padding, dtype, "held-out")
    return out


# --------------------------------------------------------------------------- memory


def _numpy_peak(fn):
    """Bytes NumPy allocates at most during ``fn()`` (its arrays, as ``tracemalloc`` sees them)."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def _torch_peak(fn):
    """Bytes PyTorch allocates at most during ``fn()``: the largest running total of its
    allocator, from the memory events of ``torch.profiler`` (``profile_memory=True``)."""
    import json
    import tempfile

    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trace.json"
        prof.export_chrome_trace(str(path))
        events = json.loads(path.read_text(encoding="utf-8"))["traceEvents"]
    memory = sorted((e for e in events if e.get("name") == "[memory]"), key=lambda e: e["ts"])
    if not memory:
        return 0
    start = memory[0]["args"]["Total Allocated"] - memory[0]["args"]["Bytes"]
    return max(e["args"]["Total Allocated"] for e in memory) - start


def memory_cases(rng):
    """Peak memory of one call on the largest benchmark shape, both sides, both dtypes."""
    import torch
    import torch.nn.functional as F

    import companion

    (shape, c_out, k), out = CONV_SHAPES[-1], []
    for dtype in ("float32", "float64"):
        x = rng.standard_normal(shape).astype(dtype)
        w = rng.standard_normal((c_out, shape[1], k, k)).astype(dtype) * 0.1
        b = rng.standard_normal(c_out).astype(dtype)
        tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
        g = rng.standard_normal(companion.conv2d(x, w, b).shape).astype(dtype)
        rx, rw, rb = (t.clone().requires_grad_(True) for t in (tx, tw, tb))
        ty = F.conv2d(rx, rw, rb)
        tg = torch.from_numpy(g)
        case = f"{_shape(shape)}, {c_out} filters {k}x{k}, stride 1"
        pairs = [
            ("conv2d_forward", lambda: companion.conv2d(x, w, b), lambda: F.conv2d(tx, tw, tb)),
            ("conv2d_backward", lambda: companion.conv2d_backward(g, x, w),
             lambda: torch.autograd.grad(ty, (rx, rw, rb), tg, retain_graph=True)),
        ]
        for group, ours, theirs in pairs:
            ours(), theirs()  # warm-up: one-time allocations (oneDNN's kernels) are not counted
            entry = {"group": group, "case": case, "dtype": dtype, "input_bytes": int(x.nbytes),
                     "companion_peak_bytes": int(_numpy_peak(ours)), "torch_peak_bytes": int(_torch_peak(theirs))}
            out.append(entry)
            print(f"memory {group:<16} {case:<40} {dtype:<7} companion {entry['companion_peak_bytes'] / 1e6:7.1f} MB"
                  f"  PyTorch {entry['torch_peak_bytes'] / 1e6:7.1f} MB", flush=True)
    return out


def split_cases(args, rng):
    """Where conv2d's time goes on the largest benchmark layer: the im2col copies alone (one
    core: NumPy copies on one), the matrix products alone (OpenBLAS, every thread), the whole
    call, and PyTorch's call; with the bytes of columns the copies write."""
    import torch
    import torch.nn.functional as F

    import companion
    from companion import _kernels

    (shape, c_out, k), out = CONV_SHAPES[-1], []
    for dtype in ("float32", "float64"):
        x = rng.standard_normal(shape).astype(dtype)
        w = rng.standard_normal((c_out, shape[1], k, k)).astype(dtype) * 0.1
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        n, c, h, wd = shape
        ho, wo = h - k + 1, wd - k + 1
        kk, L = c * k * k, ho * wo
        view = _kernels._windows(x, (k, k), (1, 1), (1, 1), (ho, wo))
        blocks = _kernels._image_blocks(n, kk, L)
        buffer = np.empty(kk * blocks[0][1] * L, dtype=dtype)
        products = np.empty(c_out * blocks[0][1] * L, dtype=dtype)
        w_mat = w.reshape(c_out, kk)

        def copies():
            for n0, b in blocks:
                _kernels._block_columns(view, n0, b, buffer)

        def matmuls():
            for n0, b in blocks:
                np.matmul(w_mat, buffer[: kk * b * L].reshape(kk, b * L),
                          out=products[: c_out * b * L].reshape(c_out, b * L))

        times = {}
        for name, fn in (("conv2d", lambda: companion.conv2d(x, w)), ("copies", copies), ("products", matmuls),
                         ("torch", lambda: F.conv2d(tx, tw))):
            fn()
            number = calls_per_sample(fn, args.min_sample)
            times[name] = float(f"{sorted(_time(fn, number) for _ in range(args.repeats))[args.repeats // 2]:.6g}")
        entry = {"case": f"{_shape(shape)}, {c_out} filters {k}x{k}, stride 1", "dtype": dtype,
                 "column_bytes": int(kk * n * L * np.dtype(dtype).itemsize), "seconds": times}
        out.append(entry)
        print(f"split {entry['case']} {dtype}: " + ", ".join(f"{key} {report.format_seconds(v)}"
                                                            for key, v in times.items()), flush=True)
    return out


def copy_bandwidth(dtype="float32", elements=1 << 25, repeats=5):
    """GB/s of a plain contiguous ``np.copyto`` of ``elements`` numbers (read plus write counted
    once, as bytes copied): the ceiling for any copy NumPy makes, im2col's included."""
    src = np.ones(elements, dtype=dtype)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = min(_time(lambda: np.copyto(dst, src), 1) for _ in range(repeats))
    return src.nbytes / best / 1e9


def epoch_cases(args):
    """One epoch of train_numpy against train_torch on the twin, same batches, plain SGD."""
    import companion

    (xtr, ytr), (xte, yte) = companion.load_mnist_split()
    base = {"float64": (companion.images_to_batch(xtr), companion.images_to_batch(xte))}
    base["float32"] = tuple(a.astype(np.float32) for a in base["float64"])
    out = []
    for dtype in ("float64", "float32"):
        x_train, x_test = base[dtype]

        def numpy_epoch():
            model = companion.TinyCNN(n_filters=8)
            model.params = {k: v.astype(dtype) for k, v in model.params.items()}
            companion.train_numpy(model, x_train, ytr, x_test, yte, epochs=1, lr=0.1, batch_size=32,
                                  verbose=False)
            return model

        def torch_epoch():
            twin = companion.torch_twin(companion.TinyCNN(n_filters=8))
            if dtype == "float32":
                twin = twin.float()
            companion.train_torch(twin, x_train, ytr, x_test, yte, epochs=1, lr=0.1, batch_size=32,
                                  optimizer="sgd", verbose=False)
            return twin

        model = numpy_epoch()
        kept = {k: str(v.dtype) for k, v in model.params.items()}
        if set(kept.values()) != {dtype}:
            print(f"skipping the {dtype} epoch: the NumPy model's parameters became {kept}", flush=True)
            continue
        a, b = [], []
        for r in range(args.epoch_repeats):
            pair = [(a, numpy_epoch), (b, torch_epoch)]
            for times, fn in pair if r % 2 == 0 else pair[::-1]:
                times.append(_time(fn, 1))
        out.append(_entry("epoch", "TinyCNN(n_filters=8), 4,000 digits, batch 32, SGD, with evaluation",
                          dtype, "companion.train_numpy", "companion.train_torch (torch_twin)", a, b, [1, 1]))
        print(_progress(out[-1]), flush=True)
    return out


def naive_cases(args, rng):
    import torch
    import torch.nn.functional as F

    import companion

    shape, c_out, k = NAIVE_SHAPE
    x = rng.standard_normal(shape)
    w = rng.standard_normal((c_out, shape[1], k, k))
    tx, tw = torch.from_numpy(x), torch.from_numpy(w)
    case = f"{_shape(shape)}, {c_out} filters {k}x{k}, stride 1"
    repeats = max(3, min(args.repeats, 5))
    a, b, n = compare(lambda: companion.conv2d_naive(x, w), lambda: companion.conv2d(x, w),
                      repeats, args.warmup, args.min_sample)
    out = [_entry("naive", case, "float64", "companion.conv2d_naive", "companion.conv2d", a, b, n)]
    print(_progress(out[-1]), flush=True)
    a, b, n = compare(lambda: companion.conv2d(x, w), lambda: F.conv2d(tx, tw),
                      args.repeats, args.warmup, args.min_sample)
    out.append(_entry("naive", case, "float64", "companion.conv2d", "torch.nn.functional.conv2d", a, b, n))
    print(_progress(out[-1]), flush=True)
    return out


def _entry(group, case, dtype, subject, baseline, a, b, number, shapes="benchmark"):
    return {"group": group, "case": case, "dtype": dtype, "shapes": shapes, "subject": subject, "baseline": baseline,
            "subject_seconds": [float(f"{v:.6g}") for v in a], "baseline_seconds": [float(f"{v:.6g}") for v in b],
            "calls_per_sample": number}


def _progress(e):
    med = sorted(e["subject_seconds"])[len(e["subject_seconds"]) // 2]
    bmed = sorted(e["baseline_seconds"])[len(e["baseline_seconds"]) // 2]
    return (f"{e['group']:<20} {e['case']:<52} {e['dtype']:<7} {report.format_seconds(med):>9} "
            f"{report.format_seconds(bmed):>9} {med / bmed:8.2f}x")


def main(args):
    reported = set_threads(args.threads)
    info = machine(args.threads, reported)
    print(f"{info['cpu_model']}; {info['cpus_available']} CPU(s); threads: {args.threads} "
          f"(torch reports {reported['torch']}, NumPy's OpenBLAS {reported['numpy_blas']}); "
          f"load average {info['load_average_start']}", flush=True)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    results = conv_cases(args, rng) + pool_cases(args, rng)
    if args.epoch_repeats and not args.quick:
        results += epoch_cases(args)
    results += naive_cases(args, rng)
    memory = memory_cases(rng) if not args.quick else []
    split = split_cases(args, rng)
    info["copy_bandwidth_gb_s"] = {dtype: round(copy_bandwidth(dtype), 2) for dtype in ("float32", "float64")}
    info["load_average_end"] = _loadavg()
    now = _dt.datetime.now(_dt.timezone.utc)
    data = {
        "schema": report.SCHEMA,
        "created": now.isoformat(timespec="seconds"),
        "machine": info,
        "settings": {"repeats": args.repeats, "epoch_repeats": args.epoch_repeats, "warmup": args.warmup,
                     "min_sample_seconds": args.min_sample, "quick": args.quick,
                     "wall_seconds": round(time.perf_counter() - started, 1),
                     "backward": "backward only on both sides (PyTorch's forward graph built before timing)"},
        "results": results,
        "memory": memory,
        "split": split,
    }
    report.validate(data)
    out = args.out or ROOT / "benchmarks" / "results" / f"{now:%Y-%m-%dT%H%M}-{info['host']}-{args.threads}t.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    import json

    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print()
    print(report.text_report(report.summarize(data, out.name)))
    print(f"\nwritten: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main(ARGS)
