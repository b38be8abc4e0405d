"""The benchmark appendix: tables and a chart generated from the newest file of
``benchmarks/results/`` at build time, so that every number a reader sees was measured.

All the arithmetic (medians, ratios, geometric means, targets) is in ``benchmarks/report.py``,
which ``tests/test_benchmarks.py`` tests; this extension only turns its summary into
docutils nodes. The chart is an SVG drawn by matplotlib (no network) and embedded in the page
as a ``data:`` image with alternative text, so there is no generated file to keep in sync.

As a Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``) it provides the
``benchmark-report`` directive (no arguments, no content).
"""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path


def _report_module(root: Path):
    """``benchmarks/report.py`` of the book's repository, loaded from its path."""
    name = "_benchmarks_report"
    path = root / "benchmarks" / "report.py"
    module = sys.modules.get(name)
    if module is not None and Path(module.__file__) == path:
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def setup(app):
    from docutils import nodes
    from docutils.parsers.rst import Directive

    def paragraph(*parts):
        p = nodes.paragraph()
        for part in parts:
            p += part if isinstance(part, nodes.Node) else nodes.Text(part)
        return p

    def table(title, headers, rows, widths, classes=()):
        t = nodes.table(classes=["benchmark-table", *classes])
        t += nodes.title(text=title)
        group = nodes.tgroup(cols=len(headers))
        t += group
        for w in widths:
            group += nodes.colspec(colwidth=w)
        head = nodes.thead()
        group += head
        row = nodes.row()
        for h in headers:
            row += nodes.entry("", paragraph(h))
        head += row
        body = nodes.tbody()
        group += body
        for cells in rows:
            row = nodes.row()
            for cell in cells:
                row += nodes.entry("", cell if isinstance(cell, nodes.Element) else paragraph(str(cell)))
            body += row
        return t

    class BenchmarkReport(Directive):
        has_content = False

        def run(self):
            env = self.state.document.settings.env
            root = Path(env.srcdir)
            report = _report_module(root)
            env.note_dependency(str(root / "benchmarks" / "report.py"))
            try:
                path = report.latest(root / "benchmarks" / "results")
            except FileNotFoundError as exc:
                return [self.state.document.reporter.warning(str(exc), line=self.lineno)]
            env.note_dependency(str(path))
            summary = report.summarize(report.load(path), path.name)
            theme = getattr(env.config, "html_theme_options", {}) or {}
            repo, branch = theme.get("repository_url", ""), theme.get("repository_branch", "main")
            rel = path.relative_to(root).as_posix()
            out = []

            m = summary.machine
            source = nodes.literal(text=rel)
            if repo:
                source = nodes.reference("", "", source, refuri=f"{repo.rstrip('/')}/blob/{branch}/{rel}")
            blas = (m.get("numpy_blas") or {}).get("blas", {})
            reported = m.get("threads_reported") or {}
            load = " / ".join(f"{v:.2f}" for v in m.get("load_average_start", []))
            load_end = " / ".join(f"{v:.2f}" for v in m.get("load_average_end", []))
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
                f"({summary.settings.get('epoch_repeats', '?')} for the training epochs). Source: ",
                source, ".",
            ))

            rows = []
            for v in summary.verdicts:
                verdict = nodes.paragraph()
                verdict += nodes.strong(text="met" if v.met else f"missed by {v.excess:.0%}")
                rows.append([v.target.label, f"≤ {v.target.limit:g}×", f"{v.value:.2f}×", verdict])
            out.append(table("The targets of the benchmark", ["Target", "Limit", "Measured", "Verdict"],
                             rows, (8, 2, 2, 3), ["benchmark-targets"]))

            for group, title in report.GROUPS.items():
                rows = summary.group(group)
                if not rows:
                    continue
                body = [[r.case, r.dtype, report.format_seconds(r.subject_median),
                         report.format_seconds(r.baseline_median), f"{r.ratio:.2f}×",
                         f"{r.ratio_low:.2f} – {r.ratio_high:.2f}"] for r in rows]
                subjects = sorted({r.subject for r in rows})
                baselines = sorted({r.baseline for r in rows})
                heading = f"{title[0].upper()}{title[1:]}: {', '.join(subjects)} against {', '.join(baselines)}"
                if group == "naive":
                    body = [[f"{r.subject} / {r.baseline}", *row[1:]] for r, row in zip(rows, body)]
                    headers = ["Pair", "dtype", "first", "second", "ratio", "range"]
                    heading = f"{title[0].upper()}{title[1:]} ({rows[0].case})"
                else:
                    headers = ["Case", "dtype", "companion", "PyTorch", "ratio", "range"]
                out.append(table(heading, headers, body, (8, 2, 2, 2, 2, 3)))

            svg = report.ratio_plot_svg(summary)
            uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
            figure = nodes.figure(classes=["benchmark-plot"])
            figure += nodes.image(uri=uri, alt=report.plot_alt_text(summary), candidates={"?": uri})
            figure += nodes.caption(text=(
                "Time of the companion divided by PyTorch's, one bar per case (log scale); a bar left of the "
                "dashed line is a case where the companion is faster, a black tick is the target of its group."))
            out.append(figure)
            return out

    def always_reread(app, env, added, changed, removed):
        # A new result file does not change any existing dependency: read the page on every build.
        return [d for d in env.found_docs if d.endswith("appendix_benchmarks")]

    app.add_directive("benchmark-report", BenchmarkReport)
    app.connect("env-get-outdated", always_reread)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
