"""The multi-seed experiments of chapter 8 that are too slow to run while the book builds.

Chapter 8 runs small versions of these in the page and reads the results of the full runs
from ``companion/data/ch08_sweep.json`` (``companion.load_results("ch08_sweep")``), which
this script writes. Every run uses the book's
split: the 4,000 training digits of ``load_mnist_split`` cut by ``train_val_split`` into
3,500 digits to learn from and 500 validation digits to choose on; the 1,000 test digits
are scored only for the one setting that the validation digits chose.

Parts (each a separate process, so that the cores can run them side by side):

* ``grid0`` to ``grid5``: the learning rate and its decay per epoch of ``TinyCNN``
  (NumPy, float64), one setting each, scored on the validation digits over 5 seeds;
  ``--merge`` chooses the best and scores its five networks once on the test digits.
* ``extra``: the number of kernels (1, 2, 8) and the first steps of the ablation (float32,
  Adam, PyTorch's initialization), with the schedule that the grid chose (read from the
  recorded results, so run it after the grid's ``--merge``): 0.4, halved every epoch.
* ``overfit1``, ``overfit2``: overfitting, ``TinyCNN`` with 16 kernels without and with 2x2
  pooling, trained on all 3,500 training digits for 30 epochs at a constant learning rate.
* ``ablation0`` to ``ablation4``: the last steps of the ablation (32 kernels, then the
  deeper network), one seed each.

``make ch08-runs`` runs them all, one after the other, and merges them.

Usage::

    python tools/ch08_sweep.py --part grid1     # and grid2 ... grid5 (grid0 is not in the record)
    python tools/ch08_sweep.py --merge          # chooses the schedule
    python tools/ch08_sweep.py --part extra
    python tools/ch08_sweep.py --part overfit1  # and overfit2, ablation0 ... ablation4
    python tools/ch08_sweep.py --merge        # the parts into companion/data/ch08_sweep.json; parts
                                              # not re-run are kept from the recorded results
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import companion  # noqa: E402

SEEDS = [0, 1, 2, 3, 4]
EPOCHS = 4
OUT = ROOT / "companion" / "data" / "ch08_sweep.json"   # read by companion.load_results("ch08_sweep")
PARTS = [f"grid{i}" for i in range(6)] + ["extra", "overfit1", "overfit2"] + [f"ablation{s}" for s in SEEDS]
OVERFIT_EPOCHS = 30
OVERFIT_DIGITS = 3500   # all the digits to learn from (the 4,000 less the 500 validation digits)


def data():
    (train_images, train_labels), (test_images, test_labels) = companion.load_mnist_split()
    (fit_images, y_fit), (val_images, y_val) = companion.train_val_split(train_images, train_labels,
                                                                         val_fraction=0.125, seed=0)
    return (companion.images_to_batch(fit_images), y_fit, companion.images_to_batch(val_images), y_val,
            companion.images_to_batch(test_images), test_labels)


def numpy_run(x_fit, y_fit, x_val, y_val, seed, n_filters=8, lr=0.2, lr_decay=0.5, epochs=EPOCHS):
    net = companion.TinyCNN(n_filters=n_filters, seed=seed)
    h = companion.train_numpy(net, x_fit, y_fit, x_val, y_val, epochs=epochs, lr=lr, lr_decay=lr_decay,
                              seed=seed, verbose=False)
    return net, h


def torch_run(model, x_fit, y_fit, x_val, y_val, seed, optimizer, lr, lr_decay=1.0, epochs=EPOCHS):
    return companion.train_torch(model, x_fit, y_fit, x_val, y_val, epochs=epochs, lr=lr, lr_decay=lr_decay,
                                 seed=seed, optimizer=optimizer, verbose=False)


def curves(h):
    return {k: [float(v) for v in h[k]] for k in ("train_loss", "train_acc", "val_loss", "val_acc")}


GRID = [(0.1, 1.0), (0.1, 0.5), (0.2, 1.0), (0.2, 0.5), (0.4, 1.0), (0.4, 0.5)]
NETS = ROOT / "book" / "data"


def part_grid(settings):
    """Learning rates and decays, scored on the validation digits over 5 seeds. The trained
    networks are kept (their weights in an ``.npz``) until ``--merge`` has chosen the best
    setting and scored only that one on the test digits."""
    x_fit, y_fit, x_val, y_val, _, _ = data()
    NETS.mkdir(parents=True, exist_ok=True)
    out = {"grid": []}
    for lr, lr_decay in settings:
        runs, weights = [], {}
        for seed in SEEDS:
            net, h = numpy_run(x_fit, y_fit, x_val, y_val, seed, lr=lr, lr_decay=lr_decay)
            runs.append(curves(h))
            weights.update({f"{seed}_{k}": v for k, v in net.params.items()})
        np.savez(NETS / f"ch08_nets_{lr}_{lr_decay}.npz", **weights)
        val = np.array([r["val_acc"] for r in runs])  # (seeds, epochs)
        out["grid"].append({"lr": lr, "lr_decay": lr_decay, "val_acc": val.tolist(),
                            "train_acc": [r["train_acc"] for r in runs]})
        print(f"lr {lr} decay {lr_decay}: validation by epoch {np.round(100 * val.mean(axis=0), 1)}", flush=True)
    return out


def choose_and_test(grid):
    """The setting with the best mean validation accuracy after the last epoch; its five
    networks scored once on the test digits."""
    *_, x_test, y_test = data()
    best = max(grid, key=lambda g: np.mean(np.array(g["val_acc"])[:, -1]))
    lr, lr_decay = best["lr"], best["lr_decay"]
    weights = np.load(NETS / f"ch08_nets_{lr}_{lr_decay}.npz", allow_pickle=False)
    test_acc = []
    for seed in SEEDS:
        net = companion.TinyCNN(n_filters=8, seed=seed)
        net.params = {k: weights[f"{seed}_{k}"] for k in net.params}
        test_acc.append(net.evaluate(x_test, y_test)[1])
    return {"lr": lr, "lr_decay": lr_decay, "epochs": EPOCHS, "test_acc": test_acc}


def chosen_schedule():
    """The learning rate and decay that the grid chose, from the recorded results."""
    chosen = json.loads(OUT.read_text())["chosen"]
    return chosen["lr"], chosen["lr_decay"]


def part_extra():
    """The number of kernels, and the first steps of the ablation, with the schedule that the
    validation digits chose (validation accuracy after 4 epochs)."""
    import torch

    x_fit, y_fit, x_val, y_val, _, _ = data()
    lr, lr_decay = chosen_schedule()
    out = {"schedule": {"lr": lr, "lr_decay": lr_decay}, "kernels": {}}
    for nf in [1, 2]:
        out["kernels"][str(nf)] = [numpy_run(x_fit, y_fit, x_val, y_val, seed, n_filters=nf, lr=lr,
                                             lr_decay=lr_decay)[1]["val_acc"][-1] for seed in SEEDS]
        print(f"{nf} kernels: {out['kernels'][str(nf)]}", flush=True)
    steps = {"numpy_float64_sgd": [], "float32_sgd": [], "float32_adam": [], "float32_adam_torch_init": []}
    for seed in SEEDS:
        _, h = numpy_run(x_fit, y_fit, x_val, y_val, seed, lr=lr, lr_decay=lr_decay)
        steps["numpy_float64_sgd"].append(h["val_acc"][-1])
        twin = companion.torch_twin(companion.TinyCNN(n_filters=8, seed=seed)).float()
        steps["float32_sgd"].append(torch_run(twin, x_fit, y_fit, x_val, y_val, seed, "sgd", lr, lr_decay)["val_acc"][-1])
        twin = companion.torch_twin(companion.TinyCNN(n_filters=8, seed=seed)).float()
        steps["float32_adam"].append(torch_run(twin, x_fit, y_fit, x_val, y_val, seed, "adam", 1e-3)["val_acc"][-1])
        model = companion.stacked_cnn((8,), init="torch", seed=seed)
        steps["float32_adam_torch_init"].append(
            torch_run(model, x_fit, y_fit, x_val, y_val, seed, "adam", 1e-3)["val_acc"][-1])
        print(f"ablation seed {seed}: {[v[-1] for v in steps.values()]}", flush=True)
    out["kernels"]["8"] = steps["numpy_float64_sgd"]
    out["ablation"] = steps
    out["torch_threads"] = torch.get_num_threads()
    return out


def part_overfit(pool):
    """TinyCNN with 16 kernels, with (pool 2) or without (pool 1) pooling, trained on the
    OVERFIT_DIGITS (all 3,500) digits to learn from at a constant learning rate for OVERFIT_EPOCHS
    epochs: training and validation curves per seed. For speed the network is trained as its
    PyTorch twin in float64 (the same initial weights, batches and plain gradient steps, so the
    same curves as ``train_numpy`` to within rounding), on one thread."""
    import torch

    torch.set_num_threads(1)
    x_fit, y_fit, x_val, y_val, _, _ = data()
    x_fit, y_fit = x_fit[:OVERFIT_DIGITS], y_fit[:OVERFIT_DIGITS]
    runs = []
    for seed in SEEDS:
        twin = companion.torch_twin(companion.TinyCNN(n_filters=16, pool_size=pool, seed=seed))
        h = torch_run(twin, x_fit, y_fit, x_val, y_val, seed, "sgd", 0.1, epochs=OVERFIT_EPOCHS)
        runs.append(curves(h))
        print(f"pool {pool} seed {seed}: val loss {np.round(runs[-1]['test_loss'], 3)}", flush=True)
    return {"overfit": {str(pool): runs}}


def part_ablation(seed):
    """The last steps of the ablation for one seed: 32 kernels, then the deeper network."""
    x_fit, y_fit, x_val, y_val, _, _ = data()
    model = companion.stacked_cnn((32,), init="torch", seed=seed)
    wide = torch_run(model, x_fit, y_fit, x_val, y_val, seed, "adam", 1e-3)["val_acc"][-1]
    model = companion.keras_style_cnn(10, seed=seed)
    deep = torch_run(model, x_fit, y_fit, x_val, y_val, seed, "adam", 1e-3)["val_acc"][-1]
    print(f"ablation seed {seed}: {wide}, {deep}", flush=True)
    return {"ablation": {"float32_adam_torch_init_32_kernels": {str(seed): wide}, "deeper_network": {str(seed): deep}}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=PARTS)
    parser.add_argument("--merge", action="store_true")
    args = parser.parse_args()
    if args.merge:
        # Parts that have not finished are left out, and the results say which ran.
        # A part that was not re-run here (no file of its own) is kept from the recorded results,
        # so that one part can be re-run without the others.
        files = {p: ROOT / "book" / "data" / f"ch08_sweep_{p}.json" for p in PARTS}
        parts = {p: json.loads(f.read_text()) for p, f in files.items() if f.exists()}
        recorded = json.loads(OUT.read_text()) if OUT.exists() else {"parts": {}}
        rerun = sorted(parts)
        parts = {p: parts.get(p, recorded["parts"].get(p)) for p in PARTS if p in parts or p in recorded["parts"]}
        grid = [g for p in PARTS if p.startswith("grid") and p in parts for g in parts[p]["grid"]]
        if any(p.startswith("grid") for p in rerun) or "chosen" not in recorded:
            chosen = choose_and_test(grid)
        else:  # the grid was not re-run: its choice and test scores stand
            chosen = recorded["chosen"]
        print(f"re-run: {rerun}; chosen: {chosen}")
        ablation_seeds = [seed for seed in SEEDS if f"ablation{seed}" in parts]
        deep = {"overfit": {k: v for p in ["overfit2", "overfit1"] if p in parts for k, v in parts[p]["overfit"].items()},
                "ablation": {key: [parts[f"ablation{seed}"]["ablation"][key][str(seed)] for seed in ablation_seeds]
                             for key in ["float32_adam_torch_init_32_kernels", "deeper_network"]},
                "ablation_seeds": ablation_seeds,
                "run": {p: parts[p]["run"] for p in parts if not p.startswith("grid") and p != "extra"},
                "overfit_epochs": OVERFIT_EPOCHS, "overfit_digits": OVERFIT_DIGITS}
        # The ablation, one list of validation accuracies (one per seed) per step, every step on the
        # same seeds and the first steps with the chosen schedule.
        extra = parts.get("extra", {})
        ablation = {"schedule": extra.get("schedule"), "seeds": ablation_seeds,
                    "val_acc": {**{k: [v[s] for s in ablation_seeds] for k, v in extra.get("ablation", {}).items()},
                                **deep["ablation"]}}
        overfit = {"epochs": OVERFIT_EPOCHS, "digits": OVERFIT_DIGITS, "runs": deep["overfit"]}
        merged = {"grid": grid, "chosen": chosen, "ablation": ablation, "kernels": extra.get("kernels"),
                  "overfit": overfit,
                  "script": "tools/ch08_sweep.py", "seeds": SEEDS, "epochs": EPOCHS,
                  "split": {"fit": 3500, "validation": 500, "test": 1000}, "parts_run": sorted(parts),
                  "parts_not_run": [p for p in PARTS if p not in parts], "parts": {**parts, "deep": deep}}
        OUT.write_text(json.dumps(merged, indent=1) + "\n")
        print(f"wrote {OUT}; parts not run: {merged['parts_not_run']}")
        return
    start = time.time()
    if args.part.startswith("grid"):
        result = part_grid(GRID[int(args.part[-1]) : int(args.part[-1]) + 1])
    elif args.part.startswith("overfit"):
        result = part_overfit(int(args.part[-1]))
    elif args.part.startswith("ablation"):
        result = part_ablation(int(args.part[-1]))
    else:
        result = part_extra()
    import torch

    result["run"] = {
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(time.time() - start),
        "load_average_at_end": [round(v, 1) for v in os.getloadavg()],
        "python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
    }
    path = ROOT / "book" / "data" / f"ch08_sweep_{args.part}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {path} in {result['run']['seconds']} s")


if __name__ == "__main__":
    main()
