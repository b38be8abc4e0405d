"""Notebook set-up: the one function every chapter's first code cell calls.

It seeds every random number generator the book uses and sets print options that are
deterministic and easy to read, so that a notebook's stored outputs reproduce exactly.
"""

from __future__ import annotations

import random

import numpy as np

from ._validation import check_int

__all__ = ["setup_notebook", "setup_cell_source", "PACKAGE_NAME"]

#: The distribution name of the companion, as ``pip`` knows it.
PACKAGE_NAME = "cnn-math-companion"


def setup_notebook(seed=0):
    """Seed Python, NumPy and PyTorch and set readable print options.

    Parameters
    ----------
    seed : int, default 0
        The seed for Python's ``random``, NumPy's global generator and ``torch.manual_seed``.

    Returns
    -------
    numpy.random.Generator
        A fresh generator seeded with ``seed``, for the notebook's own random draws.

    Examples
    --------
    >>> rng = setup_notebook(seed=0)
    >>> float(rng.integers(0, 10, size=3).sum()) == float(np.random.default_rng(0).integers(0, 10, size=3).sum())
    True
    """
    seed = check_int(seed, "seed", minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    np.set_printoptions(precision=4, suppress=True, linewidth=100, floatmode="maxprec")
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency; tolerate its absence
        pass
    else:
        torch.manual_seed(seed)
        torch.set_printoptions(precision=4, sci_mode=False, linewidth=100)
    try:
        import matplotlib as mpl
    except ImportError:  # pragma: no cover
        pass
    else:
        mpl.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "image.cmap": "gray"})
    return np.random.default_rng(seed)


def setup_cell_source(repository_url, branch="main"):
    """The source of the first code cell of every chapter, derived from ``_config.yml``.

    On Colab (only there) the cell pip-installs the companion from ``repository_url`` at
    ``branch``, so the book and the package a reader runs never drift apart. Then it
    imports and seeds. Every chapter opens with this same cell.

    Parameters
    ----------
    repository_url : str
        For example ``"https://github.com/cnn-math/cnn-math-course"``.
    branch : str, default "main"

    Returns
    -------
    str

    Examples
    --------
    >>> src = setup_cell_source("https://github.com/org/repo", "main")
    >>> "git+https://github.com/org/repo@main" in src
    True
    """
    if not isinstance(repository_url, str) or not repository_url.startswith("https://"):
        raise ValueError(f"repository_url must be an https URL, got {repository_url!r}")
    if not isinstance(branch, str) or not branch or any(c.isspace() for c in branch):
        raise ValueError(f"branch must be a non-empty name without spaces, got {branch!r}")
    url = repository_url.rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")]
    return (
        "# Setup, the same in every chapter. On Colab (only there) install the course's\n"
        "# companion package from the repository and branch this book was built from.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        "    subprocess.run(\n"
        f'        [sys.executable, "-m", "pip", "install", "-q", "{PACKAGE_NAME} @ git+{url}@{branch}"],\n'
        "        check=True,\n"
        "    )\n"
        "\n"
        "import matplotlib.pyplot as plt\n"
        "import numpy as np\n"
        "import torch\n"
        "\n"
        "import companion\n"
        "\n"
        "rng = companion.setup_notebook(seed=0)"
    )
