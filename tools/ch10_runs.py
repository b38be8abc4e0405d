"""The tuned experiments of chapter 10, too slow to run while the book builds.

Chapter 10 reads the results from ``companion/data/ch10_runs.json``
(``companion.load_results("ch10_runs")``), which this script writes, and re-runs the first
epoch of the first seed of one setting to check it against the record.

Every run follows the book's protocol: ``companion.load_protocol_split()`` (3,500 digits to
learn from, 500 validation digits, 1,000 test digits), the seeds ``SEEDS`` for every setting,
``EPOCHS`` epochs of ``companion.train_steps`` on ``TinyCNN`` (mini-batches of 32 drawn by
``companion.minibatches``). Each setting of ``SETTINGS`` is tuned on the same log grid of
learning rates ``RATES``: the rate with the best mean validation accuracy after the last
epoch is chosen (the smaller rate on a tie). Only the chosen rate of each setting is then
trained again and scored once on the test digits (``--merge``); that re-run must reproduce
its recorded validation accuracies.

A setting is one way to train the network; adding one (another optimiser, say) is one more
entry in ``SETTINGS`` and, for the page, in ``OPTIMIZERS`` or ``COMPARISONS``.

Parts (one per setting, each a separate process)::

    python tools/ch10_runs.py --part sgd        # and momentum, adam, sgd_bn, momentum_aug
    python tools/ch10_runs.py --merge           # choose, score on the test digits, write the record
    python tools/ch10_runs.py                   # every part, then --merge (``make ch10-runs``)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import companion  # noqa: E402

SEEDS = [0, 1, 2, 3, 4]
EPOCHS = 3
RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]      # a log grid, about 3 times per step
SHIFTS = [0, 1, 2, 3, 4]                                # validation and test digits moved right
AUGMENT = {"max_shift": 3, "max_angle": 10.0}
BLOCK = 10                                              # the step losses are kept as means of 10 steps

SETTINGS = {
    "sgd": {"label": "gradient descent", "model": "TinyCNN", "optimizer": "sgd", "augment": False},
    "momentum": {"label": "momentum", "model": "TinyCNN", "optimizer": "momentum", "augment": False},
    "adam": {"label": "Adam", "model": "TinyCNN", "optimizer": "adam", "augment": False},
    "sgd_bn": {"label": "gradient descent, batch normalisation", "model": "TinyCNNBN", "optimizer": "sgd",
               "augment": False},
    "momentum_aug": {"label": "momentum, augmentation", "model": "TinyCNN", "optimizer": "momentum",
                     "augment": True},
}
OPTIMIZERS = ["sgd", "momentum", "adam"]                # the optimisers compared with each other
COMPARISONS = {"batch_norm": ["sgd_bn", "sgd"], "augmentation": ["momentum_aug", "momentum"]}
OUT = ROOT / "companion" / "data" / "ch10_runs.json"    # read by companion.load_results("ch10_runs")
PARTS_DIR = ROOT / "_build" / "ch10_runs"


def data():
    (x_fit, y_fit), (x_val, y_val), (x_test, y_test) = companion.load_protocol_split()
    return (companion.images_to_batch(x_fit), y_fit, companion.images_to_batch(x_val), y_val,
            companion.images_to_batch(x_test), y_test)


def make_model(setting, seed):
    return {"TinyCNN": companion.TinyCNN, "TinyCNNBN": companion.TinyCNNBN}[SETTINGS[setting]["model"]](seed=seed)


def correct(net, x, y):
    """How many of the digits ``x`` the network classifies right (in evaluation mode)."""
    with np.errstate(all="ignore"):          # a diverged run has infinite weights: it scores, badly
        return int(np.sum(net.predict(x) == y))


def finite(value, digits=6):
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None


def train(setting, lr, seed, x_fit, y_fit, x_val, y_val, epochs=EPOCHS):
    """One run: the network, and the record of its validation accuracy and loss after each epoch."""
    spec = SETTINGS[setting]
    net = make_model(setting, seed)
    start = {k: v.copy() for k, v in net.params.items()}
    val_correct = []

    def score(epoch):
        if hasattr(net, "eval"):
            net.eval()
        val_correct.append(correct(net, x_val, y_val))
        if hasattr(net, "train"):
            net.train()

    with np.errstate(all="ignore"):
        losses = companion.train_steps(net, x_fit, y_fit, optimizer=spec["optimizer"], lr=lr, epochs=epochs,
                                       seed=seed, augment=spec["augment"], on_epoch_end=score, **AUGMENT)
    if hasattr(net, "eval"):
        net.eval()
    per_epoch = np.array_split(losses, epochs)
    blocks = [losses[i : i + BLOCK].mean() for i in range(0, len(losses), BLOCK)]
    moved = max(float(np.abs(net.params[k] - start[k]).max()) for k in start)
    return net, {
        "seed": seed,
        "val_correct": val_correct,
        "train_loss": [finite(e.mean()) for e in per_epoch],
        "first_step_loss": finite(losses[0]),
        "step_loss_per_10": [finite(b, 4) for b in blocks],
        "val_shift_correct": [correct(net, companion.shift_image(x_val, (0, s)), y_val) for s in SHIFTS],
        "largest_weight_change": finite(moved, 4),
    }


def part(setting):
    x_fit, y_fit, x_val, y_val, _, _ = data()
    grid = []
    for lr in RATES:
        runs = [train(setting, lr, seed, x_fit, y_fit, x_val, y_val)[1] for seed in SEEDS]
        grid.append({"lr": lr, "runs": runs})
        accs = [100 * r["val_correct"][-1] / len(y_val) for r in runs]
        print(f"{setting} lr {lr}: validation accuracy {np.mean(accs):.1f}% ({min(accs):.1f} to {max(accs):.1f})",
              flush=True)
    return {"grid": grid}


def choose(grid):
    """The rate with the best mean validation accuracy after the last epoch (the first of the grid on a tie)."""
    means = [np.mean([r["val_correct"][-1] for r in g["runs"]]) for g in grid]
    return grid[int(np.argmax(means))]


def test_chosen(setting, best):
    """Train the chosen rate again, check that it reproduces its record, and score the test digits once."""
    x_fit, y_fit, x_val, y_val, x_test, y_test = data()
    test_correct = []
    for recorded in best["runs"]:
        net, again = train(setting, best["lr"], recorded["seed"], x_fit, y_fit, x_val, y_val)
        if again["val_correct"] != recorded["val_correct"]:
            raise RuntimeError(f"{setting} lr {best['lr']} seed {recorded['seed']} did not reproduce its record: "
                               f"{again['val_correct']} against {recorded['val_correct']}")
        test_correct.append([correct(net, companion.shift_image(x_test, (0, s)), y_test) for s in SHIFTS])
    return {"lr": best["lr"], "test_shift_correct": test_correct, "test_correct": [t[0] for t in test_correct]}


def merge():
    parts = {}
    for setting in SETTINGS:
        path = PARTS_DIR / f"{setting}.json"
        if not path.exists():
            raise SystemExit(f"{path} is missing: run  python tools/ch10_runs.py --part {setting}")
        parts[setting] = json.loads(path.read_text())
    start = time.time()
    chosen = {}
    for setting, result in parts.items():
        chosen[setting] = test_chosen(setting, choose(result["grid"]))
        print(f"{setting}: chosen lr {chosen[setting]['lr']}, test correct {chosen[setting]['test_correct']}", flush=True)
    seconds = {setting: result["seconds"] for setting, result in parts.items()}
    seconds["test"] = round(time.time() - start)
    merged = {
        "script": "tools/ch10_runs.py",
        "seeds": SEEDS, "epochs": EPOCHS, "rates": RATES, "shifts": SHIFTS, "augment": AUGMENT,
        "batch_size": 32, "step_loss_block": BLOCK,
        "split": {"fit": 3500, "validation": 500, "test": 1000},
        "settings": SETTINGS, "optimizers": OPTIMIZERS, "comparisons": COMPARISONS,
        "grid": {setting: result["grid"] for setting, result in parts.items()},
        "chosen": chosen,
        "seconds": seconds,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__},
    }
    OUT.write_text(json.dumps(merged, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}; the runs took {sum(seconds.values())} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=list(SETTINGS))
    parser.add_argument("--merge", action="store_true")
    args = parser.parse_args()
    if args.merge:
        merge()
    elif args.part:
        start = time.time()
        result = part(args.part)
        result["seconds"] = round(time.time() - start)
        PARTS_DIR.mkdir(parents=True, exist_ok=True)
        (PARTS_DIR / f"{args.part}.json").write_text(json.dumps(result) + "\n")
        print(f"{args.part}: {result['seconds']} s", flush=True)
    else:
        for setting in SETTINGS:
            subprocess.run([sys.executable, __file__, "--part", setting], check=True)
        merge()


if __name__ == "__main__":
    main()
