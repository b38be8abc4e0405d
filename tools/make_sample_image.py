"""Write the bundled photographs ``companion/data/camera.npz`` and ``chelsea.npz``.

Both come from scikit-image's sample data (``skimage.data``), whose docstrings state:

* ``camera()``: 512x512 grayscale, "No copyright restrictions. CC0 by the photographer
  (Lav Varshney)."
* ``chelsea()``: 300x451 RGB, "No copyright restrictions. CC0 by the photographer
  (Stefan van der Walt)."

Usage (needs scikit-image, a test dependency; the companion itself does not)::

    python tools/make_sample_image.py

Each file holds one uint8 array ``image``, stored unchanged (no resizing), with a fixed
zip timestamp so that the bytes are reproducible. The script prints each file's SHA-256:
copy them into ``_SHA256`` in ``companion/data.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from make_mnist_npz import write_npz  # tools/ is on sys.path when this script runs

DATA = Path(__file__).resolve().parent.parent / "companion" / "data"


def main():
    import skimage
    import skimage.data

    images = {"camera.npz": skimage.data.camera(), "chelsea.npz": skimage.data.chelsea()}
    for name, image in images.items():
        if image.dtype != np.uint8:
            raise ValueError(f"{name}: expected uint8, got {image.dtype}")
        path = DATA / name
        digest = write_npz(path, image=image)
        print(f"{name}: {image.shape} {image.dtype} from scikit-image {skimage.__version__}, "
              f"{path.stat().st_size:,} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
