"""The benchmark appendix: tables and a chart generated at build time from the newest file of
``benchmarks/results/`` for each thread count (two threads first, the setting of the
targets, then one), so that every number a reader sees was measured.

All the arithmetic (medians, ratios, geometric means, targets) is in ``benchmarks/report.py``,
which ``tests/test_benchmarks.py`` tests; this extension only turns its summary into
docutils nodes. The chart is an SVG drawn by matplotlib (no network) and embedded in the page
as a ``data:`` image with alternative text, so there is no generated file to keep in sync.

As a Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``) it provides the
``benchmark-report`` directive (no arguments, no content).
"""

from __future__ import annotations

import base64
import importlib
import sys
from pathlib import Path


def _report_module(root: Path):
    """``benchmarks/report.py`` of the book's repository, imported as ``benchmarks.report``:
    the one name under which ``benchmarks/run.py`` and the tests import it too."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module("benchmarks.report")


def setup(app):
    from docutils import nodes
    from docutils.parsers.rst import Directive

    from _nodes import paragraph, reread_every_build, repository_link, table

    class BenchmarkReport(Directive):
        has_content = False

        def run(self):
            env = self.state.document.settings.env
            root = Path(env.srcdir)
            report = _report_module(root)
            env.note_dependency(str(root / "benchmarks" / "report.py"))
            try:
                newest = report.latest_per_threads(root / "benchmarks" / "results")
            except FileNotFoundError as exc:
                return [self.state.document.reporter.warning(str(exc), line=self.lineno)]
            out = []
            for threads, path in newest.items():
                env.note_dependency(str(path))
                summary = report.summarize(report.load(path), path.name)
                out.extend(self.one_run(env, root, report, summary, path, threads))
            return out

        def one_run(self, env, root, report, summary, path, threads):
            rel = path.relative_to(root).as_posix()
            words = {1: "One thread", 2: "Two threads"}.get(threads, f"{threads} threads")
            title = f"{words} on each side" + (" (the setting of the targets)" if threads == report.TARGET_THREADS
                                               else "")
            out = [nodes.rubric(text=title)]

            m = summary.machine
            source = repository_link(env, rel, nodes.literal(text=rel))
            blas = (m.get("numpy_blas") or {}).get("blas", {})
            reported = m.get("threads_reported") or {}
            load = " / ".join(f"{v:.2f}" for v in m.get("load_average_start", []))
            load_end = " / ".join(f"{v:.2f}" for v in m.get("load_average_end", []))
            bandwidth = m.get("copy_bandwidth_gb_s") or {}
            copy = (f" A plain contiguous np.copyto of 128 MB ran at {bandwidth.get('float32', '?')} GB/s "
                    f"(bytes copied per second) in this run." if bandwidth else "")
            out.append(paragraph(
                "Measured ", nodes.strong(text=summary.created), " on ", nodes.strong(text=m.get("cpu_model", "?")),
                f" ({m.get('cpus_available', '?')} of {m.get('logical_cpus', '?')} logical CPUs available), "
                f"Python {m.get('python', '?')}, NumPy {m.get('numpy', '?')} with "
                f"{blas.get('name', '?')} {blas.get('version', '')}, PyTorch {m.get('torch', '?')}"
                f"{' (oneDNN available)' if m.get('torch_mkldnn') else ''}; ",
                nodes.strong(text=f"{m.get('threads', '?')} thread(s) on each side"),
                f" (PyTorch reports {reported.get('torch', '?')}, NumPy's BLAS {reported.get('numpy_blas', '?')}). "
                f"Load average (1, 5, 15 minutes) {load} at the start and {load_end} at the end. "
                f"Medians of {summary.settings.get('repeats', '?')} interleaved repetitions "
                f"({summary.settings.get('epoch_repeats', '?')} for the training epochs).{copy} Source: ",
                source, ".",
            ))

            rows = []
            for v in summary.verdicts + summary.held_out:
                verdict = nodes.paragraph()
                verdict += nodes.strong(text="met" if v.met else f"missed by {v.excess:.0%}")
                rows.append([v.target.label, v.shapes, f"{v.n_cases}", f"≤ {v.target.limit:g}×", f"{v.value:.2f}×",
                             verdict])
            out.append(table(["Target", "Shapes", "Cases", "Limit", "Measured", "Verdict"], rows, (8, 2, 1, 2, 2, 3),
                             ["benchmark-table", "benchmark-targets"],
                             title=f"The targets, measured with {words.lower()} on each side (the limits are "
                                   f"stated for {report.TARGET_THREADS})"))

            if summary.memory:
                body = [[f"{e['group'].replace('_', ' ')}: {e['case']}", e["dtype"],
                         report.format_bytes(e["companion_peak_bytes"]), report.format_bytes(e["torch_peak_bytes"]),
                         report.memory_ratio(e), f"≤ {report.MEMORY_LIMIT:g}×: {'met' if report.memory_met(e) else 'missed'}"]
                        for e in summary.memory]
                out.append(table(["Call", "dtype", "companion", "PyTorch", "ratio", "target"], body, (8, 2, 2, 2, 3, 2),
                                 ["benchmark-table"],
                                 title="Peak memory of one call on the largest benchmark shape (tracemalloc for "
                                       "NumPy, torch.profiler's allocation events for PyTorch)"))

            if summary.split:
                body = []
                for e in summary.split:
                    t = e["seconds"]
                    body.append([e["case"], e["dtype"], f"{e['column_bytes'] / 1e6:.0f} MB",
                                 f"{report.format_seconds(t['copies'])} ({e['column_bytes'] / t['copies'] / 1e9:.1f} GB/s)",
                                 report.format_seconds(t["products"]), report.format_seconds(t["conv2d"]),
                                 report.format_seconds(t["torch"])])
                out.append(table(["Layer", "dtype", "columns", "im2col copies (one core)", "matrix products",
                                  "conv2d", "PyTorch"], body, (6, 2, 2, 3, 2, 2, 2), ["benchmark-table"],
                                 title=f"Where conv2d's time goes on the largest layer ({words.lower()})"))

            for group, title in report.GROUPS.items():
                rows = summary.group(group)
                if not rows:
                    continue
                body = [[r.case + (" (held-out)" if r.shapes == "held-out" else ""), r.dtype,
                         report.format_seconds(r.subject_median), report.format_seconds(r.baseline_median),
                         f"{r.ratio:.2f}×", f"{r.ratio_low:.2f} – {r.ratio_high:.2f}"] for r in rows]
                subjects = sorted({r.subject for r in rows})
                baselines = sorted({r.baseline for r in rows})
                heading = f"{title[0].upper()}{title[1:]}: {', '.join(subjects)} against {', '.join(baselines)}"
                if group == "naive":
                    body = [[f"{r.subject} / {r.baseline}", *row[1:]] for r, row in zip(rows, body)]
                    headers = ["Pair", "dtype", "first", "second", "ratio", "range"]
                    heading = f"{title[0].upper()}{title[1:]} ({rows[0].case})"
                else:
                    headers = ["Case", "dtype", "companion", "PyTorch", "ratio", "range"]
                out.append(table(headers, body, (8, 2, 2, 2, 2, 3), ["benchmark-table"],
                                 title=f"{heading} ({words.lower()})"))

            svg = report.ratio_plot_svg(summary)
            uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
            figure = nodes.figure(classes=["benchmark-plot"])
            figure += nodes.image(uri=uri, alt=report.plot_alt_text(summary), candidates={"?": uri})
            figure += nodes.caption(text=(
                f"{words} on each side: time of the companion divided by PyTorch's, one bar per case (log scale); "
                "a bar left of the dashed line is a case where the companion is faster, a black tick is the "
                "target of its group, a hatched bar a held-out shape."))
            out.append(figure)
            return out

    app.add_directive("benchmark-report", BenchmarkReport)
    # A new result file does not change any existing dependency: read the page on every build.
    reread_every_build(app, "appendix_benchmarks")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
