"""Run the unit tests and every notebook under nbval in other numerical configurations.

Usage: python tools/portability.py [--only unit|nbval] [CONFIG ...]

A check of the book must pass on any x86-64 processor and at any thread count. The last bits
of a floating-point result depend on three things a reader's machine chooses: the kernel
OpenBLAS picks for NumPy's matrix products (by the processor, or ``OPENBLAS_CORETYPE``), the
SIMD width of PyTorch's kernels (``ATEN_CPU_CAPABILITY``, ``ONEDNN_MAX_CPU_ISA``,
``MKL_ENABLE_INSTRUCTIONS``) and the number of threads (``OMP_NUM_THREADS``). Each
configuration below sets all of them, to values that no current processor picks by itself
for both libraries at once, so that on this machine as on any other it computes differently
from the native run that ``make test`` makes.

Before testing, the script proves that: it computes a fingerprint (hashes of a NumPy matrix
product and of PyTorch convolutions in float64 and float32) natively and under every
configuration, and fails if any two coincide. Then it runs strict nbval and the unit tests
under each configuration and prints a table. Exit status 0 only if everything passed.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (what it stands for, environment)
CONFIGS = {
    "sandybridge-avx2-1thread": (
        "AVX BLAS kernels, AVX2 PyTorch (as on an AVX2-only AMD machine), 1 thread",
        {"OPENBLAS_CORETYPE": "Sandybridge", "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2",
         "MKL_ENABLE_INSTRUCTIONS": "AVX2", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
    ),
    "prescott-sse-2threads": (
        "SSE3 BLAS kernels, SSE4 PyTorch (no vector extension beyond SSE), 2 threads",
        {"OPENBLAS_CORETYPE": "Prescott", "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
         "MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"},
    ),
    "haswell-sse-1thread": (
        "AVX2 BLAS kernels, SSE4 PyTorch, 1 thread",
        {"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
         "MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
    ),
}
NATIVE = {}  # the environment `make test` runs in, as the machine sets it

NBVAL = ["book", "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "--ignore=_build"]
UNIT = ["tests", "companion", "--doctest-modules", "--ignore=tests/site"]


def fingerprint():
    """Hashes of results whose last bits depend on BLAS kernel, SIMD width and threads."""
    import numpy as np
    import threadpoolctl
    import torch
    import torch.nn.functional as F

    def digest(a):
        return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:12]

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((200, 300)), rng.standard_normal((300, 200))
    x, w = rng.standard_normal((4, 8, 48, 48)), rng.standard_normal((16, 8, 5, 5))
    xt, wt = torch.from_numpy(x), torch.from_numpy(w)
    blas = [i for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"]
    return {
        "numpy matmul": digest(a @ b),
        "torch conv2d float64": digest(F.conv2d(xt, wt).numpy()),
        "torch conv2d float32": digest(F.conv2d(xt.float(), wt.float()).numpy()),
        "openblas kernel": blas[0]["architecture"] if blas else "?",
        "torch capability": torch.backends.cpu.get_cpu_capability(),
        "torch threads": torch.get_num_threads(),
    }


def environment(overrides):
    return {**os.environ, **overrides}


def run_fingerprint(overrides):
    out = subprocess.run([sys.executable, __file__, "--fingerprint"], env=environment(overrides),
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def run_pytest(args, overrides):
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(cmd, env=environment(overrides), cwd=ROOT, capture_output=True, text=True)
    summary = next((line for line in reversed(done.stdout.splitlines()) if line.strip()), "")
    if done.returncode != 0:
        print(done.stdout[-6000:], done.stderr[-2000:], sep="\n")
    return done.returncode == 0, summary.strip("= "), time.perf_counter() - start


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", metavar="CONFIG", help="one of " + ", ".join(CONFIGS) + " (default: all)")
    parser.add_argument("--only", choices=["unit", "nbval"])
    parser.add_argument("--fingerprint", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration {unknown}; choose from {list(CONFIGS)}")
    args.configs = args.configs or list(CONFIGS)
    if args.fingerprint:
        print(json.dumps(fingerprint()))
        return 0

    prints = {"native": run_fingerprint(NATIVE)}
    for name in args.configs:
        prints[name] = run_fingerprint(CONFIGS[name][1])
    results = ["numpy matmul", "torch conv2d float64", "torch conv2d float32"]
    print(f"{'configuration':<26}{'OpenBLAS':<13}{'torch':<9}{'threads':>8}   " + "  ".join(f"{r:<20}" for r in results))
    for name, fp in prints.items():
        print(f"{name:<26}{fp['openblas kernel']:<13}{fp['torch capability']:<9}{fp['torch threads']:>8}   "
              + "  ".join(f"{fp[r]:<20}" for r in results))
    names = list(prints)
    same = [(p, q) for i, p in enumerate(names) for q in names[i + 1:]
            if all(prints[p][r] == prints[q][r] for r in results)]
    if same:
        print(f"FAILED: these configurations compute bit for bit alike, so one of them tests nothing new: {same}")
        return 1
    print("every configuration rounds differently from the native run and from every other one\n")

    failed = False
    for name in args.configs:
        what, overrides = CONFIGS[name]
        print(f"== {name}: {what}", flush=True)
        for label, pytest_args in (("nbval", NBVAL), ("unit", UNIT)):
            if args.only and args.only != label:
                continue
            ok, summary, seconds = run_pytest(pytest_args, overrides)
            failed |= not ok
            print(f"   {label:<6}{'passed' if ok else 'FAILED'}  ({summary}; {seconds:.0f} s)", flush=True)
    print("portability run: " + ("FAILED" if failed else "every configuration passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
