"""Re-execute every notebook in book/ in place (or those named), storing fresh outputs.

Usage: python tools/run_notebooks.py [book/NN_name.ipynb ...]
"""

import sys
from pathlib import Path

import nbformat

from _book import execute, notebooks


def run(path):
    nb, seconds = execute(path)
    for cell in nb.cells:  # no widget state, no per-run execution timestamps
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"{path.name}: {seconds:.1f} s")


def main(argv):
    paths = [Path(a).resolve() for a in argv] or notebooks()
    for path in paths:
        run(path)


if __name__ == "__main__":
    main(sys.argv[1:])
