"""Run every notebook under strict nbval, and the numerical unit tests, in other numerical
configurations.

Usage: python tools/portability.py [--only unit|nbval] [CONFIG ...]
       python tools/portability.py --check-fingerprints [CONFIG ...]
       python tools/portability.py --run CONFIG

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
configuration, and fails if any two coincide (``--check-fingerprints`` does only this). Then,
under each configuration (``--run CONFIG`` runs one), one pytest run executes every notebook
under strict nbval and the unit tests and doctests whose results go through NumPy's BLAS or
PyTorch: every test file but those of ``NOT_NUMERICAL``, which check the project's text,
files, pictures and tools, whose outcome no rounding can change. Exit status 0 only if
everything passed. ``make test`` runs the configurations two at a time
(``tools/test_pipeline.py``); ``make portability`` runs them one after another.
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
# Test files whose outcome does not depend on how sums are rounded: the project's files and
# text, the book's extensions, the pictures, the data's checksums, argument checking and the
# wording of verdicts. Every other file of tests/ runs in each configuration
# (tests/test_project.py checks that every name here is a file).
NOT_NUMERICAL = [
    "test_benchmarks.py", "test_checks_verdict.py", "test_citations.py", "test_companion_reference.py",
    "test_data.py", "test_equation_index.py", "test_init.py", "test_lab.py", "test_notebook.py",
    "test_notebooks.py", "test_plotting_compgraph.py", "test_plotting_conv_scene.py",
    "test_plotting_experiments.py", "test_plotting_graphs.py", "test_plotting_images.py",
    "test_plotting_style.py", "test_plotting_training.py", "test_project.py", "test_validation.py",
]
# The doctests of the math modules (the examples print numbers); not those of plotting/ and checks/.
DOCTEST_IGNORE = ["companion/plotting", "companion/checks"]
UNIT = ["tests", "companion", "--doctest-modules", "--ignore=tests/site",
        *(f"--ignore=tests/{name}" for name in NOT_NUMERICAL), *(f"--ignore={d}" for d in DOCTEST_IGNORE)]


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


def check_fingerprints(configs) -> bool:
    """Print the fingerprints, natively and under each configuration; True if no two coincide."""
    prints = {"native": run_fingerprint(NATIVE)}
    for name in configs:
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
        return False
    print("every configuration rounds differently from the native run and from every other one", flush=True)
    return True


def run_config(name, only=None) -> bool:
    """Strict nbval of every notebook and the numerical unit tests under one configuration, in
    one pytest run (or one part, with ``only``); prints pytest's output and a closing line."""
    what, overrides = CONFIGS[name]
    args = {"nbval": NBVAL, "unit": UNIT, None: [*NBVAL, *UNIT]}[only]
    print(f"== {name}: {what}", flush=True)
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", "--durations=20"]
    done = subprocess.run(cmd, env=environment(overrides), cwd=ROOT)
    ok = done.returncode == 0
    print(f"== {name}: {'passed' if ok else 'FAILED'} in {time.perf_counter() - start:.0f} s", flush=True)
    return ok


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", metavar="CONFIG", help="one of " + ", ".join(CONFIGS) + " (default: all)")
    parser.add_argument("--only", choices=["unit", "nbval"])
    parser.add_argument("--check-fingerprints", action="store_true", help="only prove that the configurations differ")
    parser.add_argument("--run", metavar="CONFIG", help="run the tests under this one configuration, without the proof")
    parser.add_argument("--fingerprint", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [c for c in args.configs + ([args.run] if args.run else []) if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration {unknown}; choose from {list(CONFIGS)}")
    args.configs = args.configs or list(CONFIGS)
    if args.fingerprint:
        print(json.dumps(fingerprint()))
        return 0
    if args.run:
        return 0 if run_config(args.run, args.only) else 1
    if not check_fingerprints(args.configs):
        return 1
    if args.check_fingerprints:
        return 0
    results = {name: run_config(name, args.only) for name in args.configs}
    for name, ok in results.items():
        print(f"   {name:<26}{'passed' if ok else 'FAILED'}")
    print("portability run: " + ("every configuration passed" if all(results.values()) else "FAILED"))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
