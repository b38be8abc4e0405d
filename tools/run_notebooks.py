"""Re-execute every notebook in book/ in place (or those named), storing fresh outputs.

Usage: python tools/run_notebooks.py [book/NN_name.ipynb ...]
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from _book import ROOT, notebooks


def run(path):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "book")}}).execute()
    for cell in nb.cells:  # no widget state, no per-run execution timestamps
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")


def main(argv):
    paths = [Path(a).resolve() for a in argv] or notebooks()
    for path in paths:
        run(path)


if __name__ == "__main__":
    main(sys.argv[1:])
