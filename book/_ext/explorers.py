"""The interactive explorers of chapters 2, 3 and 4 (static/explorers.js and .css).

A chapter's markdown cell holds ``<div data-explorer="convolution">`` (or ``pooling``,
``activation``, ``receptive-field``) with a short note and a still figure from
``book/images/`` (made by ``tools/make_explorer_stills.py``): that is what Jupyter and Colab
show. On the website the script replaces the div's content with the live explorer.

This extension adds the script and its style sheet to the pages, writes the data the
explorers use (a real MNIST digit, a downsampled crop of the photograph, the chapters' worked
examples and the classic kernels, all taken from the companion when the book is built) into
``_static/explorer-data.js``, and copies the stills next to the pages that show them.

A cell names its still by the repository's raw address (``still_url``, derived from
``_config.yml``'s repository like the setup cells, and rewritten by ``make sync``), because
Colab opens a notebook alone, without the book's folder, and can show only an image on the
web. The website must not fetch anything: at build time the address becomes the relative
``images/...`` path of the copied still.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

HERE = Path(__file__).parent
STILLS = HERE.parent / "images"
STILL_GLOB = "explorer_*.png"
# A still's raw address on GitHub, for any repository and branch; group 1 is the file name.
RAW_STILL = re.compile(
    r"https://raw\.githubusercontent\.com/[^/\"\s]+/[^/\"\s]+/[^/\"\s]+/book/images/(explorer_[\w-]+\.png)"
)


def still_url(repository_url, branch, name):
    """The raw address of the still ``name`` in ``repository_url`` (``https://github.com/o/r``) at ``branch``."""
    owner_repo = repository_url.rstrip("/").split("github.com/", 1)[-1]
    return f"https://raw.githubusercontent.com/{owner_repo}/{branch}/book/images/{name}"


def local_stills(html):
    """``html`` with every still's raw address replaced by its path next to the page."""
    return RAW_STILL.sub(r"images/\1", html)

# Where the photograph's crop comes from: a 180 x 240 window around the cameraman's head,
# averaged over 15 x 15 blocks and rounded to whole grey levels: 12 x 16 pixels.
PHOTO_WINDOW = (slice(90, 270), slice(170, 410))
PHOTO_BLOCK = 15
DIGIT_INDEX = 0  # the first digit of the bundled MNIST subset
POOL_DIGIT_WINDOW = (slice(8, 20), slice(8, 20))  # 12 x 12 of that digit

# The worked examples of the chapters: the 5 x 5 image of chapter 2 (with the vertical-edge
# kernel its first output is -6), and the two inputs of chapter 4.
WORKED_CONV = [[3, 1, 1, 2, 5], [4, 2, 2, 3, 6], [2, 2, 2, 4, 7], [1, 3, 4, 5, 3], [0, 2, 6, 4, 1]]
WORKED_POOL = [[1, 6, 2, 0], [4, 3, 1, 5], [0, 2, 7, 2], [3, 8, 0, 1]]
OVERLAP_POOL = [[1, 0, 2, 1, 0], [3, 7, 0, 2, 1], [0, 2, 4, 0, 5], [1, 5, 0, 3, 1], [2, 0, 8, 6, 2]]


def photo_crop():
    import companion
    import numpy as np

    window = companion.sample_image()[PHOTO_WINDOW].astype(np.float64)
    h, w = window.shape[0] // PHOTO_BLOCK, window.shape[1] // PHOTO_BLOCK
    blocks = window.reshape(h, PHOTO_BLOCK, w, PHOTO_BLOCK).mean(axis=(1, 3))
    return np.rint(blocks).astype(int)


def explorer_data() -> dict:
    """Everything the explorers show, as plain lists of numbers."""
    import companion

    images, labels = companion.load_mnist()
    digit = images[DIGIT_INDEX].astype(int)
    return {
        "worked": WORKED_CONV,
        "digit": digit.tolist(),
        "digit_label": int(labels[DIGIT_INDEX]),
        "photo": photo_crop().tolist(),
        "kernels": {name: k.tolist() for name, k in companion.KERNELS.items()},
        "pool_worked": WORKED_POOL,
        "pool_overlap": OVERLAP_POOL,
        "pool_digit": digit[POOL_DIGIT_WINDOW].tolist(),
    }


def _write(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    data = json.dumps(explorer_data(), separators=(",", ":"))
    (static / "explorer-data.js").write_text(f"window.EXPLORER_DATA = {data};\n", encoding="utf-8")
    target = Path(app.outdir) / "book" / "images"
    target.mkdir(parents=True, exist_ok=True)
    for still in sorted(STILLS.glob(STILL_GLOB)):
        shutil.copyfile(still, target / still.name)


def _local_stills(app, doctree):
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if RAW_STILL.search(text):
            node.replace_self(nodes.raw(node.rawsource, local_stills(text), format=node.get("format", "html")))


def setup(app):
    # html_static_path already holds book/_ext/static (added by equation_index); add it here
    # too in case this extension is used alone, without a duplicate entry.
    def add_static(app):
        path = str(HERE / "static")
        if path not in app.config.html_static_path:
            app.config.html_static_path.append(path)

    app.connect("builder-inited", add_static)
    app.add_css_file("explorers.css")
    app.add_js_file("explorer-data.js", defer="defer")
    app.add_js_file("explorers.js", defer="defer")
    app.connect("build-finished", _write)
    app.connect("doctree-read", _local_stills)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
