"""The whole book as one PDF (_build/pdf/book.pdf, written by `make pdf` and by `make book`).

Everything the test expects is read from the sources: the pages and their order from
_toc.yml, each page's title from its first heading, the numbered equations and captioned
figures of each chapter from the notebooks. The text of the PDF is extracted with pypdf.
"""

import functools
import json
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest

from _project import ROOT, toc_files
from book._ext.equation_index import cells, labels_in, source_path

sys.path.insert(0, str(ROOT / "tools"))
from make_pdf import PDF, WEBSITE_ONLY  # noqa: E402

DOCS = [d for d in toc_files() if d not in WEBSITE_ONLY]
HEADING = re.compile(r"^#\s+(.+?)\s*$", re.M)
# Display or inline TeX left as source: what MathJax leaves behind when it did not typeset.
RAW_TEX = ("$$", "\\begin{", "\\frac{", "\\mathbf{", "\\sum_")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")


def squeeze(text):
    """Without whitespace, ligatures spelled out ("ﬁ" is "fi"): PDF text extraction breaks
    lines and spaces where the layout does."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def plain(markdown_title):
    """A heading as a reader sees it: no markup, no link targets."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_title)
    # emphasis marks go; an underscore inside a name ("plotting.conv_scene") stays
    return re.sub(r"[`*]|(?<!\w)_+|_+(?!\w)", "", text).strip()


def title(docname):
    for kind, text in cells(source_path(ROOT, docname)):
        if kind == "markdown":
            m = HEADING.search(text)
            if m:
                return plain(m.group(1))
    raise AssertionError(f"{docname} has no title")


def chapters():
    """(number, docname) of the numbered part of _toc.yml, numbered from 1 as the book does."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered = [part for part in toc.get("parts", []) if part.get("numbered")]
    docs = [entry["file"] for part in numbered for entry in part["chapters"] if "file" in entry]
    return [(n, re.sub(r"\.(md|ipynb)$", "", d)) for n, d in enumerate(docs, start=1)]


@functools.lru_cache(maxsize=None)
def reader():
    from pypdf import PdfReader

    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: run `make pdf` (or `make book`, which also writes it)")
    return PdfReader(str(PDF))


@functools.lru_cache(maxsize=None)
def page_texts():
    """The text of every sheet, by poppler's pdftotext (Debian's poppler-utils, which .ci/run
    installs): some twenty times quicker than pypdf's extraction on a book this size."""
    reader()  # fails clearly when the PDF is missing
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils (`apt-get install -y poppler-utils`)")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], check=True, capture_output=True).stdout
    sheets = out.decode("utf-8").split("\f")
    if sheets and not sheets[-1].strip():
        sheets = sheets[:-1]
    assert len(sheets) == len(reader().pages), (len(sheets), len(reader().pages))
    return tuple(squeeze(text) for text in sheets)


@functools.lru_cache(maxsize=None)
def whole_text():
    return "".join(page_texts())


def test_enough_pages_for_the_content():
    """A lower bound from the sources: a sheet holds at most about 900 words of prose, 80
    lines of code or 6 figures, each page of the book starts on a new sheet, and the title and
    the contents take one sheet each."""
    words = code_lines = figures = 0
    for doc in DOCS:
        path = source_path(ROOT, doc)
        for kind, text in cells(path):
            if kind == "markdown":
                words += len(text.split())
            else:
                code_lines += len(text.splitlines())
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            figures += sum(
                "image/png" in out.get("data", {})
                for cell in nb["cells"] if cell["cell_type"] == "code" for out in cell.get("outputs", [])
            )
    bound = max(len(DOCS) + 2, int(words / 900 + code_lines / 80 + figures / 6))
    assert words > 10_000 and figures > 10, (words, figures)
    assert len(reader().pages) >= bound, (
        f"{len(reader().pages)} pages for {words} words, {code_lines} lines of code and {figures} figures"
    )


@pytest.mark.parametrize("docname", DOCS)
def test_every_page_of_the_book_is_in_the_pdf(docname):
    assert squeeze(title(docname)) in whole_text(), f"{title(docname)!r} ({docname}) is not in the PDF"


def test_contents_and_outline_list_every_page_in_order():
    """The contents (the second sheet) name every page of the book after the first, in the order
    of _toc.yml; the PDF's outline (bookmarks) holds every title and leads to the sheet where
    that page of the book begins."""
    texts = page_texts()
    assert texts[1].startswith("Contents"), texts[1][:80]
    # the contents fill the sheets up to the one where the first page after the title begins
    first = squeeze(title(DOCS[1]))
    end = next(i for i in range(2, len(texts)) if texts[i].startswith(first))
    contents = "".join(texts[1:end])
    # each title after the one before it: short titles ("data") also occur inside longer ones
    at = 0
    for doc in DOCS[1:]:
        found = contents.find(squeeze(title(doc)), at)
        assert found >= 0, f"{title(doc)!r} is not in the contents after {contents[max(0, at - 40):at]!r}"
        at = found + len(squeeze(title(doc)))

    r = reader()

    def flatten(items):
        for item in items:
            if isinstance(item, list):
                yield from flatten(item)
            else:
                yield item

    outline = {}
    for item in flatten(r.outline):
        outline.setdefault(squeeze(item.title), r.get_destination_page_number(item))
    texts = page_texts()
    for doc in DOCS[1:]:
        wanted = squeeze(title(doc))
        hits = [page for name, page in outline.items() if name.endswith(wanted)]
        assert hits, f"the outline has no entry {title(doc)!r}"
        assert any(texts[page][: len(wanted) + 20].find(wanted) >= 0 for page in hits), (
            f"the outline's {title(doc)!r} leads to a sheet that does not begin with it"
        )


def test_no_math_left_as_tex():
    """MathJax typeset every formula before printing: no TeX source is left in the text, except
    where the book shows TeX on purpose, as code (the equation index explains `$$ ... $$`)."""
    text = whole_text()
    shown = set()
    for doc in toc_files():
        for kind, source in cells(source_path(ROOT, doc)):
            if kind == "markdown":
                shown.update(squeeze(m.group(2)) for m in INLINE_CODE.finditer(source))
    # the longest first, so that a short piece of code ("label") does not cut a longer one that
    # holds it; a separator, not "", so that two "$" either side of a cut do not meet as "$$"
    for code in sorted(shown, key=len, reverse=True):
        text = text.replace(code, "\0")
    left = {raw: text.count(squeeze(raw)) for raw in RAW_TEX if squeeze(raw) in text}
    assert not left, f"TeX left untypeset in the PDF: {left}"


@pytest.mark.parametrize("number, docname", chapters())
def test_equations_and_figures_are_numbered(number, docname):
    """Every labelled equation of chapter n appears with its number (n.k), every figure with a
    caption as Fig. n.k, numbered as on the website."""
    path = source_path(ROOT, docname)
    equations = sum(len(labels_in(text)) for kind, text in cells(path) if kind == "markdown")
    figures = 0
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        figures = sum(
            bool(cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption"))
            for cell in nb["cells"] if cell["cell_type"] == "code"
        )
    text = whole_text()
    missing = [f"({number}.{k})" for k in range(1, equations + 1) if f"({number}.{k})" not in text]
    missing += [f"Fig. {number}.{k}" for k in range(1, figures + 1) if squeeze(f"Fig. {number}.{k}") not in text]
    assert not missing, f"{docname}: not in the PDF: {missing}"
