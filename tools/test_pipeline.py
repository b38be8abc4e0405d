"""Run the stages of `make test` on the machine's cores and end with a table of their seconds.

Usage: python3 tools/test_pipeline.py [--jobs N] [STAGE ...]

The stages and what each one needs first:

    setup                    the locked environment in .venv (`make setup`)
    unit                     unit tests and doctests with coverage (`make unit`)
    nbval                    every notebook executed once under strict nbval (`make nbval`)
    book                     the website and the PDF, rendering the stored outputs (`make book`)
    site                     every built page in headless Chromium, and the PDF (`make site`); after book
    fingerprint              proof that each configuration below rounds differently
    port-CONFIG              one per configuration of tools/portability.py: strict nbval of every
                             notebook and the numerical unit tests; after fingerprint

Every stage after setup runs as soon as what it needs has passed and one of ``--jobs`` slots
is free (default: the number of cores, at most 2), the one that starts the longest chain of
stages first. Each writes its output to
_build/logs/STAGE.log; when it ends, its last lines (all of them on failure) are printed. The
run ends with the table of every stage's start, end, seconds and processor seconds (of the
stage and the processes it waited for: more than its seconds where it used both cores, less
where it waited for a core), and one closing line that adds up the tests of every pytest run. Exit status 0 only if every stage passed. This script
needs only Python's standard library, so that it can create the environment it then uses.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "_build" / "logs"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import portability  # noqa: E402  (standard library only at import time)


@dataclass
class Stage:
    name: str
    command: list[str]
    needs: tuple[str, ...] = ()
    env: dict = field(default_factory=dict)
    cost: float = 1.0  # relative length, to start the longest first
    slot: float = 1.0  # the share of a core it keeps busy while it runs (see SLOTS)
    # filled in by the run
    state: str = "waiting"  # waiting, running, passed, FAILED, skipped
    start: float = 0.0
    end: float = 0.0
    counts: dict = field(default_factory=dict)
    cpu: float = 0.0  # processor seconds of the stage and every process it waited for


def make(target):
    return ["make", "--no-print-directory", target]


def stages() -> dict[str, Stage]:
    out = [
        Stage("setup", make("setup")),
        Stage("unit", make("unit"), ("setup",), cost=2),
        Stage("nbval", make("nbval"), ("setup",), cost=5),
        Stage("book", make("book"), ("setup",), cost=4),
        Stage("site", make("site"), ("book",), cost=3, slot=0.0),
        Stage("fingerprint", [PYTHON, "tools/portability.py", "--check-fingerprints"], ("setup",), cost=0.5),
    ]
    for name, (_, overrides) in portability.CONFIGS.items():
        out.append(Stage(f"port-{name}", [PYTHON, "tools/portability.py", "--run", name], ("fingerprint",),
                         cost=4.5))
    return {s.name: s for s in out}


# The browser tests mostly wait (for Chromium to load, typeset and paint pages: 91 processor
# seconds in a 288-second stage, measured on an idle 2-core machine), so they take no slot:
# they run beside the two stages that compute, from the moment the book is built.
#
# Two stages share the two cores, so a thread that waits must yield its core: OpenMP's default
# policy spins instead, and PyTorch's two threads then wait for each other at every barrier
# while the other stage runs (a training step of chapter 8's deeper network took ten times as
# long). The policy decides how a thread waits, not what it computes.
SHARED_CORES = {"OMP_WAIT_POLICY": "PASSIVE"}

SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)\b")


def pytest_counts(log: str) -> dict:
    """Add up the closing lines of every pytest run in a log ('== 12 passed, 1 skipped in 3s ==')."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        if re.search(r"\bin [\d.]+s\b", line) and SUMMARY.search(line):
            for n, what in SUMMARY.findall(line):
                what = "error" if what.startswith("error") else what
                counts[what] = counts.get(what, 0) + int(n)
    return counts


class Runner:
    def __init__(self, chosen: dict[str, Stage], jobs: int):
        self.stages = chosen
        self.jobs = jobs
        self.lock = threading.Condition()
        self.t0 = time.perf_counter()
        LOGS.mkdir(parents=True, exist_ok=True)

    def priority(self, stage: Stage) -> float:
        """The length of the longest chain of stages that starts with this one: what unlocks
        long work starts first."""
        after = [self.priority(s) for s in self.stages.values() if stage.name in s.needs]
        return stage.cost + max(after, default=0.0)

    def ready(self, stage: Stage) -> bool:
        return stage.state == "waiting" and all(
            self.stages[n].state == "passed" for n in stage.needs if n in self.stages)

    def blocked(self, stage: Stage) -> bool:
        return stage.state == "waiting" and any(
            self.stages[n].state in ("FAILED", "skipped") for n in stage.needs if n in self.stages)

    def run_one(self, stage: Stage):
        log = LOGS / f"{stage.name}.log"
        stage.start = time.perf_counter() - self.t0
        with open(log, "w", encoding="utf-8") as out:
            child = subprocess.Popen(stage.command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                     env={**SHARED_CORES, **os.environ, **stage.env})
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        stage.end = time.perf_counter() - self.t0
        stage.cpu = usage.ru_utime + usage.ru_stime
        text = log.read_text(encoding="utf-8", errors="replace")
        stage.counts = pytest_counts(text)
        with self.lock:
            stage.state = "passed" if child.returncode == 0 else "FAILED"
            lines = text.rstrip().splitlines()
            shown = lines if stage.state == "FAILED" else lines[-12:]
            print(f"\n===== {stage.name}: {stage.state} after {stage.end - stage.start:.0f} s "
                  f"({log.relative_to(ROOT)}{', last lines' if len(shown) < len(lines) else ''}) =====")
            print("\n".join(shown), flush=True)
            self.lock.notify_all()

    def run(self) -> bool:
        running = 0
        with self.lock:
            while True:
                for s in self.stages.values():
                    if self.blocked(s):
                        s.state = "skipped"
                        print(f"\n===== {s.name}: skipped, since {', '.join(s.needs)} did not pass =====",
                              flush=True)
                waiting = [s for s in self.stages.values() if s.state in ("waiting", "running")]
                if not waiting:
                    break
                ready = sorted((s for s in self.stages.values() if self.ready(s)), key=lambda s: -self.priority(s))
                fits = [s for s in ready if running + s.slot <= self.jobs]
                if fits:
                    stage = fits[0]
                    stage.state = "running"
                    running += stage.slot
                    print(f"[{time.perf_counter() - self.t0:6.0f} s] start {stage.name}", flush=True)

                    def work(stage=stage):
                        nonlocal running
                        self.run_one(stage)
                        with self.lock:
                            running -= stage.slot
                            self.lock.notify_all()

                    threading.Thread(target=work, daemon=True).start()
                    continue
                self.lock.wait()
        return all(s.state == "passed" for s in self.stages.values())

    def table(self) -> str:
        total = time.perf_counter() - self.t0
        rows = [f"{'stage':<34}{'start':>7}{'end':>7}{'seconds':>9}{'cpu s':>8}  result   tests"]
        for s in sorted(self.stages.values(), key=lambda s: (s.start, s.name)):
            tests = ", ".join(f"{n} {k}" for k, n in s.counts.items())
            rows.append(f"{s.name:<34}{s.start:>7.0f}{s.end:>7.0f}{s.end - s.start:>9.0f}{s.cpu:>8.0f}  "
                        f"{s.state:<8} {tests}")
        load = os.getloadavg()
        cpu = sum(s.cpu for s in self.stages.values())
        rows.append(f"{'wall clock':<34}{0:>7}{total:>7.0f}{total:>9.0f}{cpu:>8.0f}  on {os.cpu_count()} cores, "
                    f"{self.jobs} at a time (and the browser tests); load average now {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        return "\n".join(rows)


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stages", nargs="*", metavar="STAGE", help="stages to run (default: all)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    every = stages()
    unknown = [n for n in args.stages if n not in every]
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {list(every)}")
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    chosen = {n: s for n, s in every.items() if not args.stages or n in args.stages}
    runner = Runner(chosen, args.jobs)
    ok = runner.run()
    print("\n" + runner.table())
    totals: dict[str, int] = {}
    for s in chosen.values():
        for k, n in s.counts.items():
            totals[k] = totals.get(k, 0) + n
    failed = totals.get("failed", 0) + totals.get("error", 0)
    if not ok and failed == 0:
        failed = sum(s.state != "passed" for s in chosen.values())  # a stage failed outside pytest
    print(f"tests: {totals.get('passed', 0)} passed, {failed} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
