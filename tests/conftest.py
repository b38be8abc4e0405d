"""Shared set-up of the test suite.

The repository root goes on ``sys.path`` once, here, so that every test imports the book's
code one way: ``companion`` (installed, editable), ``benchmarks.report`` and
``book._ext.equation_index``. pytest itself puts this folder on the path, which is how the
tests import ``_project``.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def count_blocks(monkeypatch):
    """Make a module build its im2col columns in small blocks, and record them.

    ``count_blocks(module, block_elements)`` sets ``companion._kernels._BLOCK_ELEMENTS`` (the
    one place the block size lives) and wraps the ``_image_blocks`` that ``module`` calls; it
    returns the list of the blocks of every call, so that a test can assert that the
    multi-block path really ran.
    """
    from companion import _kernels

    def patch(module, block_elements):
        monkeypatch.setattr(_kernels, "_BLOCK_ELEMENTS", block_elements)
        calls = []

        def image_blocks(*args):
            calls.append(_kernels._image_blocks(*args))
            return calls[-1]

        monkeypatch.setattr(module, "_image_blocks", image_blocks)
        return calls

    return patch
