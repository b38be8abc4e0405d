"""Read a benchmark result file (written by ``benchmarks/run.py``) and summarise it.

Everything the book's appendix shows is derived here from the raw timings stored in the
JSON file: medians, ratios, the geometric means the targets of issue 8 are stated in, the
verdict on each target and the bar chart. Nothing in this module times anything, imports
torch or reads the clock, so it is cheap to import at build time and easy to test
(``tests/test_benchmarks.py``).

A result file looks like this (``schema`` 1)::

    {"schema": 1, "created": "2026-11-22T00:40:00+00:00",
     "machine": {"host": ..., "cpu_model": ..., "threads": 2, "load_average_start": [..], ...},
     "settings": {"repeats": 7, "warmup": 1, ...},
     "results": [
        {"group": "conv2d_forward", "case": "64x1x28x28, 32 filters 3x3, stride 1",
         "dtype": "float32", "subject": "companion.conv2d", "baseline": "torch F.conv2d",
         "subject_seconds": [...], "baseline_seconds": [...], "calls_per_sample": [20, 40]},
        ...]}

Each ``*_seconds`` list holds one time per repetition, already divided by that side's count
in ``calls_per_sample`` (seconds per call; older files hold one count for both sides). The two sides were timed interleaved
(subject, baseline, baseline, subject, ...), so a burst of load from another process hits
both.

Newer files add, all optional: ``"shapes"`` in an entry (``"benchmark"``, the default, or
``"held-out"``: layers no speed-up was tuned on, whose verdicts are reported apart), a
``"memory"`` list (peak bytes of one call on each side, ``companion_peak_bytes`` and
``torch_peak_bytes``) and ``machine.copy_bandwidth_gb_s``. The targets are stated for two
threads on each side; :func:`latest_per_threads` finds the newest file of each thread count,
and the book shows them all.
"""

from __future__ import annotations

import io
import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = 1
SHAPE_SETS = ("benchmark", "held-out")
RESULTS_DIR = Path(__file__).resolve().parent / "results"

# The groups of a result file, in the order the book shows them, with a title each.
GROUPS = {
    "conv2d_forward": "conv2d, forward",
    "conv2d_backward": "conv2d, backward",
    "max_pool2d_forward": "max_pool2d, forward",
    "max_pool2d_forward_indices": "max_pool2d, forward returning the indices of the maxima",
    "max_pool2d_backward": "max_pool2d, backward from the forward pass's indices",
    "max_pool2d_backward_search": "max_pool2d, backward searching the maxima again (no indices)",
    "avg_pool2d_forward": "avg_pool2d, forward",
    "avg_pool2d_backward": "avg_pool2d, backward",
    "epoch": "one training epoch of chapter 8's network",
    "naive": "loops against vectorised code",
}

# The same, as short labels of the chart's bars.
SHORT = {
    "conv2d_forward": "conv2d",
    "conv2d_backward": "conv2d bwd",
    "max_pool2d_forward": "max_pool2d",
    "max_pool2d_forward_indices": "max_pool2d with indices",
    "max_pool2d_backward": "max_pool2d bwd",
    "max_pool2d_backward_search": "max_pool2d bwd, search",
    "avg_pool2d_forward": "avg_pool2d",
    "avg_pool2d_backward": "avg_pool2d bwd",
}


@dataclass(frozen=True)
class Target:
    """A goal of issue 8: the geometric mean of ``group``'s ratios at most ``limit``."""

    group: str
    limit: float
    label: str
    dtypes: tuple = ()  # empty: every dtype of the group


TARGETS = (
    Target("conv2d_forward", 1.5, "conv2d forward, geometric mean over shapes, strides and dtypes"),
    Target("conv2d_backward", 2.0, "conv2d backward, geometric mean over shapes, strides and dtypes"),
    Target("max_pool2d_backward", 3.0, "max_pool2d backward, geometric mean over shapes and dtypes"),
    Target("avg_pool2d_backward", 3.0, "avg_pool2d backward, geometric mean over shapes and dtypes"),
    Target("epoch", 2.0, "one NumPy training epoch (float64)", ("float64",)),
)
TARGET_THREADS = 2  # the targets are stated for this many threads on each side
MEMORY_LIMIT = 3.0  # the companion's peak memory at most this many times PyTorch's


@dataclass
class Row:
    """One measured case: medians of both sides and their ratio."""

    group: str
    case: str
    dtype: str
    subject: str
    baseline: str
    subject_median: float
    baseline_median: float
    repeats: int
    ratio_low: float  # the smallest and largest per-repetition ratio: how noisy the pair was
    ratio_high: float
    shapes: str = "benchmark"  # or "held-out"

    @property
    def spread(self) -> float:
        """``(largest - smallest) / median`` of the per-repetition ratios."""
        return (self.ratio_high - self.ratio_low) / self.pair_median

    pair_median: float = 1.0

    @property
    def ratio(self) -> float:
        """``subject_median / baseline_median``: above 1, the subject is slower."""
        return self.subject_median / self.baseline_median


@dataclass
class Verdict:
    target: Target
    value: float
    n_cases: int
    shapes: str = "benchmark"

    @property
    def met(self) -> bool:
        return self.value <= self.target.limit

    @property
    def excess(self) -> float:
        """How far over the limit, as a fraction of it (0.25 = 25 % slower than allowed)."""
        return max(0.0, self.value / self.target.limit - 1.0)

    def describe(self) -> str:
        if self.met:
            return f"met: {self.value:.2f}x <= {self.target.limit:g}x"
        return f"missed by {self.excess:.0%}: {self.value:.2f}x > {self.target.limit:g}x"


@dataclass
class Summary:
    created: str
    machine: dict
    settings: dict
    rows: list = field(default_factory=list)
    verdicts: list = field(default_factory=list)  # on the benchmark shapes
    held_out: list = field(default_factory=list)  # the same targets on the held-out shapes
    memory: list = field(default_factory=list)
    split: list = field(default_factory=list)  # where conv2d's time goes (copies, products)
    source: str = ""

    def group(self, name: str) -> list:
        return [r for r in self.rows if r.group == name]

    @property
    def threads(self):
        return self.machine.get("threads")


def _positive_list(value, where):
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where} must be a non-empty list of seconds, got {value!r}")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"{where} must hold positive finite numbers, got {v!r}")
    return [float(v) for v in value]


def validate(data: dict, source: str = "result") -> dict:
    """Check the structure of a result file; raise ``ValueError`` naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: a result file holds a JSON object, got {type(data).__name__}")
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{source}: schema must be {SCHEMA}, got {data.get('schema')!r}")
    for key, kind in (("created", str), ("machine", dict), ("settings", dict), ("results", list)):
        if not isinstance(data.get(key), kind):
            raise ValueError(f"{source}: {key!r} must be a {kind.__name__}, got {data.get(key)!r:.60}")
    if not data["results"]:
        raise ValueError(f"{source}: 'results' is empty")
    for i, entry in enumerate(data["results"]):
        where = f"{source}: results[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be an object")
        for key in ("group", "case", "dtype", "subject", "baseline"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ValueError(f"{where}.{key} must be a non-empty string, got {entry.get(key)!r}")
        if entry["group"] not in GROUPS:
            raise ValueError(f"{where}.group must be one of {sorted(GROUPS)}, got {entry['group']!r}")
        a = _positive_list(entry.get("subject_seconds"), f"{where}.subject_seconds")
        b = _positive_list(entry.get("baseline_seconds"), f"{where}.baseline_seconds")
        if len(a) != len(b):
            raise ValueError(f"{where}: subject_seconds has {len(a)} repetitions, baseline_seconds {len(b)}")
        if entry.get("shapes", "benchmark") not in SHAPE_SETS:
            raise ValueError(f"{where}.shapes must be one of {list(SHAPE_SETS)}, got {entry['shapes']!r}")
    memory = data.get("memory", [])
    if not isinstance(memory, list):
        raise ValueError(f"{source}: 'memory' must be a list, got {memory!r:.60}")
    for i, entry in enumerate(memory):
        where = f"{source}: memory[{i}]"
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("group", "case", "dtype")):
            raise ValueError(f"{where} must be an object with the strings group, case and dtype")
        for key in ("companion_peak_bytes", "torch_peak_bytes"):
            v = entry.get(key)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{where}.{key} must be a number of bytes (an int >= 0), got {v!r}")
    return data


def load(path) -> dict:
    """Read and validate one result file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not valid JSON ({exc})") from None
    return validate(data, path.name)


def latest(results_dir=RESULTS_DIR) -> Path:
    """The newest result file of ``results_dir``: names start with the date and time
    (``YYYY-MM-DDTHHMM-host.json``), so the last name in sorted order is the newest."""
    files = sorted(Path(results_dir).glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no benchmark results (*.json) in {results_dir}; run `make bench`")
    return files[-1]


def latest_per_threads(results_dir=RESULTS_DIR) -> dict:
    """The newest result file of each thread count in ``results_dir``, as ``{threads: path}``,
    most threads first (the targets are stated for :data:`TARGET_THREADS`)."""
    newest = {}
    for path in sorted(Path(results_dir).glob("*.json")):  # oldest first: a later file replaces
        threads = load(path)["machine"].get("threads")
        newest[threads] = path
    if not newest:
        raise FileNotFoundError(f"no benchmark results (*.json) in {results_dir}; run `make bench`")
    return dict(sorted(newest.items(), key=lambda item: -(item[0] or 0)))


def geometric_mean(values) -> float:
    values = list(values)
    if not values:
        raise ValueError("geometric mean of no values")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def summarize(data: dict, source: str = "") -> Summary:
    """Medians, ratios and target verdicts of a validated result."""
    data = validate(data, source or "result")
    summary = Summary(data["created"], data["machine"], data["settings"], source=source)
    for entry in data["results"]:
        a, b = entry["subject_seconds"], entry["baseline_seconds"]
        pair_ratios = [x / y for x, y in zip(a, b)]
        mid = statistics.median(pair_ratios)
        summary.rows.append(
            Row(
                group=entry["group"],
                case=entry["case"],
                dtype=entry["dtype"],
                subject=entry["subject"],
                baseline=entry["baseline"],
                subject_median=statistics.median(a),
                baseline_median=statistics.median(b),
                repeats=len(a),
                ratio_low=min(pair_ratios),
                ratio_high=max(pair_ratios),
                pair_median=mid,
                shapes=entry.get("shapes", "benchmark"),
            )
        )
    order = list(GROUPS)
    summary.rows.sort(key=lambda r: order.index(r.group))  # stable: keeps the run's order within a group
    for shapes, verdicts in (("benchmark", summary.verdicts), ("held-out", summary.held_out)):
        for target in TARGETS:
            rows = [r for r in summary.group(target.group)
                    if r.shapes == shapes and (not target.dtypes or r.dtype in target.dtypes)]
            if rows:
                verdicts.append(Verdict(target, geometric_mean(r.ratio for r in rows), len(rows), shapes))
    summary.memory = list(data.get("memory", []))
    summary.split = [e for e in data.get("split", []) if isinstance(e, dict) and isinstance(e.get("seconds"), dict)]
    return summary


def format_seconds(s: float) -> str:
    """A time with a unit a reader takes in at a glance: ``412 µs``, ``3.1 ms``, ``2.40 s``."""
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def text_report(summary: Summary) -> str:
    """A plain-text table for the terminal (what ``make bench`` prints at the end)."""
    lines = []
    m = summary.machine
    lines.append(
        f"{m.get('cpu_model', '?')}, {m.get('threads', '?')} thread(s) each side, load average at start "
        f"{' '.join(f'{v:.2f}' for v in m.get('load_average_start', []))}"
    )
    width = max(len(r.case) for r in summary.rows)
    for name, title in GROUPS.items():
        rows = summary.group(name)
        if not rows:
            continue
        lines.append("")
        lines.append(f"{title}: {rows[0].subject} / {rows[0].baseline}")
        for r in rows:
            lines.append(
                f"  {r.case:<{width}}  {r.dtype:<7}  {format_seconds(r.subject_median):>9}  "
                f"{format_seconds(r.baseline_median):>9}  {r.ratio:7.2f}x"
                + ("  (held-out)" if r.shapes == "held-out" else "")
            )
    lines.append("")
    for v in summary.verdicts:
        lines.append(f"target {v.target.label}: {v.describe()}")
    for v in summary.held_out:
        lines.append(f"held-out shapes, {v.target.label}: {v.describe()}")
    for e in summary.split:
        lines.append(split_text(e))
    for m in summary.memory:
        lines.append(f"peak memory, {m['group']} {m['case']} {m['dtype']}: companion "
                     f"{format_bytes(m['companion_peak_bytes'])}, PyTorch {format_bytes(m['torch_peak_bytes'])}"
                     f" ({memory_ratio(m)}; target <= {MEMORY_LIMIT:g}x {'met' if memory_met(m) else 'missed'})")
    return "\n".join(lines)


def split_text(entry: dict) -> str:
    """One line on where conv2d's time went: copies, products, whole call, PyTorch's."""
    t = entry["seconds"]
    rate = entry["column_bytes"] / t["copies"] / 1e9 if t.get("copies") else float("nan")
    return (f"conv2d {entry['case']} {entry['dtype']}: im2col copies {format_seconds(t['copies'])} "
            f"({entry['column_bytes'] / 1e6:.0f} MB of columns, {rate:.1f} GB/s), matrix products "
            f"{format_seconds(t['products'])}, whole call {format_seconds(t['conv2d'])}, PyTorch {format_seconds(t['torch'])}")


def format_bytes(n: int) -> str:
    """``12.3 MB`` (decimal megabytes)."""
    return f"{n / 1e6:.1f} MB"


def memory_ratio(entry: dict) -> str:
    """The companion's peak as a multiple of PyTorch's, as text."""
    if entry["torch_peak_bytes"] == 0:
        return "PyTorch allocated nothing"
    return f"{entry['companion_peak_bytes'] / entry['torch_peak_bytes']:.2f}x PyTorch's"


def memory_met(entry: dict) -> bool:
    """Whether the companion's peak is at most :data:`MEMORY_LIMIT` times PyTorch's."""
    return entry["companion_peak_bytes"] <= MEMORY_LIMIT * entry["torch_peak_bytes"]


def ratio_plot_svg(summary: Summary) -> str:
    """A horizontal bar chart of companion / PyTorch per case, with the target lines, as SVG.

    Drawn with matplotlib's SVG backend (no display, no network); the ``naive`` group is
    left out (its ratios are in the thousands and have a table of their own).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    rows = [r for r in summary.rows if r.group != "naive"]
    limits = {v.target.group: v.target.limit for v in summary.verdicts}
    colours = {"conv2d_forward": "#1f77b4", "conv2d_backward": "#ff7f0e", "max_pool2d_forward": "#2ca02c",
               "max_pool2d_forward_indices": "#98df8a", "max_pool2d_backward": "#9467bd",
               "max_pool2d_backward_search": "#c5b0d5", "avg_pool2d_forward": "#8c564b", "avg_pool2d_backward": "#e377c2",
               "epoch": "#d62728"}
    labels = [f"training epoch, {r.dtype}" if r.group == "epoch" else
              f"{SHORT.get(r.group, r.group)}: {r.case}, {r.dtype}"
              f"{' (held-out)' if r.shapes == 'held-out' else ''}"
              for r in rows]
    with plt.rc_context({"svg.hashsalt": "benchmarks", "svg.fonttype": "path", "font.size": 8}):
        fig, ax = plt.subplots(figsize=(8, 0.22 * len(rows) + 1.2))
        y = list(range(len(rows)))[::-1]
        ax.barh(y, [r.ratio for r in rows], color=[colours.get(r.group, "grey") for r in rows],
                hatch=["//" if r.shapes == "held-out" else "" for r in rows])
        for yi, r in zip(y, rows):
            ax.text(r.ratio, yi, f" {r.ratio:.2f}", va="center", fontsize=7)
            limit = limits.get(r.group)
            if limit is not None:
                ax.plot([limit, limit], [yi - 0.45, yi + 0.45], color="black", linewidth=1.5)
        ax.axvline(1.0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_yticks(y, labels)
        ax.set_xscale("log")
        ax.set_xlabel("companion time / PyTorch time (log scale); black ticks: targets; hatched: held-out shapes")
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ratios = [r.ratio for r in rows] + list(limits.values()) + [1.0]
        ax.set_xlim(min(ratios) / 1.3, max(ratios) * 1.8)  # room for the numbers right of the bars
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
    return out.getvalue()


def plot_alt_text(summary: Summary) -> str:
    """Alternative text of the chart: what it shows and what a reader should see in it."""
    parts = []
    for v in summary.verdicts:
        parts.append(f"{v.target.label.split(',')[0]} {v.value:.2f} times PyTorch's time "
                     f"(target {v.target.limit:g}, {'met' if v.met else 'missed'})")
    rows = [r for r in summary.rows if r.group != "naive"]
    lo = min(rows, key=lambda r: r.ratio)
    hi = max(rows, key=lambda r: r.ratio)
    return (
        f"Horizontal bar chart of {len(rows)} ratios of the companion's time to PyTorch's, on a log "
        f"scale, with the targets marked. Geometric means: {'; '.join(parts)}. Smallest ratio "
        f"{lo.ratio:.2f} ({GROUPS[lo.group]}, {lo.case}, {lo.dtype}); largest {hi.ratio:.2f} "
        f"({GROUPS[hi.group]}, {hi.case}, {hi.dtype})."
    )


def main(argv=None):  # pragma: no cover - a thin command line
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", help="a result file (default: the newest in benchmarks/results)")
    args = parser.parse_args(argv)
    path = Path(args.path) if args.path else latest()
    print(text_report(summarize(load(path), path.name)))


if __name__ == "__main__":  # pragma: no cover
    main()
