"""The data and the stills of the interactive explorers (book/_ext/explorers.py,
tools/make_explorer_stills.py), and the chapter cells that hold them. The explorers' arithmetic
is tested in a browser, against the companion, by tests/site/test_explorers_in_browser.py."""

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import companion

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import explorers  # noqa: E402

CELLS = {
    "convolution": "02_convolution.ipynb",
    "receptive-field": "02_convolution.ipynb",
    "activation": "03_activation.ipynb",
    "pooling": "04_pooling.ipynb",
}


def test_data_comes_from_the_companion():
    data = explorers.explorer_data()
    images, labels = companion.load_mnist()
    digit = np.array(data["digit"])
    assert digit.shape == (28, 28)
    np.testing.assert_array_equal(digit, images[explorers.DIGIT_INDEX])
    assert data["digit_label"] == labels[explorers.DIGIT_INDEX]
    np.testing.assert_array_equal(np.array(data["pool_digit"]), images[explorers.DIGIT_INDEX][8:20, 8:20])
    # the photograph: 15 x 15 block means of a 180 x 240 window, rounded to grey levels
    photo = companion.sample_image().astype(float)
    crop = np.array(data["photo"])
    assert crop.shape == (12, 16)
    for i, j in [(0, 0), (5, 7), (11, 15)]:
        block = photo[90 + 15 * i:105 + 15 * i, 170 + 15 * j:185 + 15 * j]
        assert crop[i, j] == round(block.mean())
    for name, kernel in companion.KERNELS.items():
        np.testing.assert_array_equal(np.array(data["kernels"][name]), kernel)
    # chapter 2's worked example gives -6 at the first position; chapter 4's (chapter 7's too)
    # pools to 6, 5, 8, 7
    assert companion.correlate2d(np.array(data["worked"]), companion.KERNELS["vertical_edge"])[0, 0] == -6
    np.testing.assert_array_equal(companion.max_pool2d(np.array(data["pool_worked"], dtype=float), 2), [[6, 5], [8, 7]])
    json.dumps(data)  # plain numbers only


@pytest.mark.parametrize("name", sorted(CELLS))
def test_each_chapter_holds_its_explorer_with_a_still(name):
    nb = json.loads((ROOT / "book" / CELLS[name]).read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if f'data-explorer="{name}"' in "".join(c["source"])]
    assert len(cells) == 1 and cells[0]["cell_type"] == "markdown"
    text = "".join(cells[0]["source"])
    assert "**A question to answer with it.**" in text
    src = re.search(r'<img src="([^"]+)" alt="([^"]{30,})"', text)
    assert src, "the still needs a src and alternative text"
    # Colab opens the notebook alone: the still is named by its raw address in the repository
    # that _config.yml names (make sync writes it), and that file is in book/images/.
    m = explorers.RAW_STILL.fullmatch(src.group(1))
    assert m, f"the still must be named by its raw address on GitHub, got {src.group(1)}"
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    assert src.group(1) == explorers.still_url(cfg["url"], cfg.get("branch", "main"), m.group(1))
    still = ROOT / "book" / "images" / m.group(1)
    assert still.is_file() and still.stat().st_size < 20_000, still
    assert still.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the raw HTML block must not be cut by a blank line (Markdown would end it there)
    block = text[text.index("<div data-explorer"):text.index("</div>")]
    assert "\n\n" not in block


def test_the_website_shows_the_copied_still_not_the_raw_address():
    url = explorers.still_url("https://github.com/someone/fork/", "draft", "explorer_pooling.png")
    assert url == "https://raw.githubusercontent.com/someone/fork/draft/book/images/explorer_pooling.png"
    html = f'<div data-explorer="pooling"><img src="{url}" alt="a still"></div>'
    assert explorers.local_stills(html) == '<div data-explorer="pooling"><img src="images/explorer_pooling.png" alt="a still"></div>'
    assert explorers.local_stills("<p>https://example.org/a.png</p>") == "<p>https://example.org/a.png</p>"
