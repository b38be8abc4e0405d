"""Time the execution of every notebook of book/, as `make notebooks` runs them, without
writing anything back: each notebook is executed in memory (nbclient) and thrown away.

Usage: python tools/pipeline_budget.py [book/NN_name.ipynb ...]

Prints one line per notebook and the total, with the load average before and after (the
figure in the README's budget comes from here). The issue's budget is 5 minutes for all
notebooks on a 2-core machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from _book import execute, notebooks

BUDGET_SECONDS = 5 * 60


def main(argv):
    paths = [Path(a).resolve() for a in argv] or notebooks()
    load = os.getloadavg()
    print(f"{len(paths)} notebook(s), {os.cpu_count()} CPU(s), load average at start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    total = 0.0
    for path in paths:
        _, seconds = execute(path)
        total += seconds
        print(f"{path.name:<40} {seconds:7.1f} s", flush=True)
    load = os.getloadavg()
    verdict = "within" if total <= BUDGET_SECONDS else "over"
    print(f"{'total':<40} {total:7.1f} s ({verdict} the {BUDGET_SECONDS // 60}-minute budget); "
          f"load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
