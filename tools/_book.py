"""Helpers shared by the tools: the repository root, the notebooks, _config.yml, and the one
way the tools execute a notebook (``make notebooks`` and ``make budget`` both use it)."""

import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def config():
    with open(ROOT / "_config.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def notebooks():
    return sorted((ROOT / "book").glob("*.ipynb"))


def execute(path):
    """Execute the notebook at ``path`` in memory, as the book does (nbclient, a fresh
    ``python3`` kernel started in book/); return it and the seconds it took (kernel start
    included). The file is not modified."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "book")}}).execute()
    return nb, time.perf_counter() - start
