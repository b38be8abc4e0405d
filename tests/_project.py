"""Facts about the repository that several tests read: paths, _config.yml, _toc.yml, notebooks.

The table of contents is read by the book's own reader, ``toc_docnames`` of
``book/_ext/equation_index.py``, so that the tests and the build agree on the pages.
"""

from pathlib import Path

import yaml

from book._ext.equation_index import toc_docnames

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def load_yaml(name):
    with open(ROOT / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def toc_files():
    """Every `file:` entry of _toc.yml, in order, without extension (the root first)."""
    return toc_docnames(ROOT)


def notebooks():
    return sorted(BOOK.glob("*.ipynb"))
