"""The notation page is true, as far as a machine can tell.

book/notation.md promises one meaning per letter, or each local use listed in its last table.
Two things are checked against the mathematics the chapters write (the ``$...$`` and
``$$...$$`` of their markdown):

* every symbol of the tables is written somewhere in the book, so no row describes a letter
  that no page uses;
* every row of the table of local uses names chapters that do write that symbol, so no local
  use is listed for a chapter that never has it.

Whether each use means what the table says is for a reader to judge; the rows that do not
pass these checks are the ones a reader would look for in vain.
"""

import json
import re

import pytest

from _project import BOOK

NOTATION = BOOK / "notation.md"
MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)


def markdown_of(path):
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def math_of(text):
    """The mathematics of a markdown text, one formula a line, without spaces."""
    return "\n".join((m.group(1) or m.group(2)).replace(" ", "") for m in MATH.finditer(text))


def chapter_math():
    """{chapter number: its mathematics}, for the notebooks book/NN_*.ipynb."""
    return {int(p.name[:2]): math_of(markdown_of(p)) for p in sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))}


def book_math():
    """The mathematics of every page but the notation page itself."""
    pages = [p for p in sorted(BOOK.glob("*.ipynb")) + sorted(BOOK.glob("*.md")) if p != NOTATION]
    return "\n".join(math_of(markdown_of(p)) for p in pages)


def symbols(cell):
    """The symbols of a table cell: each ``$...$`` of it, split at its commas outside braces,
    without spaces (``$\\mathbf W_1, \\mathbf W_2$`` is two symbols)."""
    found = []
    for m in MATH.finditer(cell):
        depth, part = 0, ""
        for ch in m.group(2) or "":
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if ch == "," and depth == 0:
                found.append(part)
                part = ""
            else:
                part += ch
        found.append(part)
    return [f.replace(" ", "") for f in found if f.strip()]


def written(symbol, math):
    """Whether ``symbol`` occurs in ``math`` as a symbol of its own (``t`` not inside ``\\tau``)."""
    variants = {symbol, symbol.replace(r"[\cdot]", ""), symbol.replace(r"\lvert", "|").replace(r"\rvert", "|")}
    for v in variants:
        before = r"(?<![\\A-Za-z])" if v[:1].isalpha() else ""
        after = r"(?![A-Za-z])" if v[-1:].isalpha() else ""
        if re.search(before + re.escape(v) + after, math):
            return True
    return False


def table_rows(section):
    """The rows of the tables under ``## section`` headings: lists of cells."""
    rows, current = [], None
    for line in NOTATION.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        elif line.startswith("|") and section(current) and not set(line) <= set("|-: "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] not in ("Symbol", "Elsewhere"):
                rows.append(cells)
    return rows


MAIN = table_rows(lambda s: s not in (None, "Other letters you will meet", "Local uses", "Rules that hold everywhere"))
LOCAL = table_rows(lambda s: s == "Local uses")


def test_the_tables_are_read():
    assert len(MAIN) > 60 and len(LOCAL) >= 10
    assert all(symbols(row[0]) for row in MAIN + LOCAL), "every row starts with its symbols"


@pytest.mark.parametrize(
    "symbol, math, found",
    [
        ("t", r"\hat{t}=\arg\max_iz_i", True),
        ("t", r"\tau+\theta", False),
        (r"\sigma", r"\sigma_a=\sqrt{x}", True),
        (r"\mathbb1[\cdot]", r"\mathbb1[S>0]", True),
        (r"\lvert\theta\rvert", r"|\theta|=10", True),
        (r"C_{\text{in}}", r"C_{\text{in}}k_Hk_W", True),
        ("S", r"\sum_{s}a_s", False),
    ],
)
def test_written_finds_a_symbol_and_only_it(symbol, math, found):
    assert written(symbol, math) is found


@pytest.mark.parametrize("row", MAIN, ids=lambda row: row[0])
def test_every_symbol_of_the_tables_is_written_in_the_book(row):
    math = book_math()
    missing = [s for s in symbols(row[0]) if not written(s, math)]
    assert not missing, f"notation.md lists {missing}, which no page of the book writes"


@pytest.mark.parametrize("row", LOCAL, ids=lambda row: f"{row[0]} in {row[1]}")
def test_every_local_use_is_in_its_chapters(row):
    chapters = chapter_math()
    numbers = [int(n) for n in re.findall(r"\d+", row[1])]
    assert numbers, f"the local use {row[0]} names no chapter"
    for number in numbers:
        missing = [s for s in symbols(row[0]) if not written(s, chapters[number])]
        assert not missing, f"notation.md lists {missing} as a local use of chapter {number}, which does not write it"


def test_symbols_splits_a_cell_at_commas_outside_braces():
    assert symbols(r"$\mathbf W$, $\mathbf W_1, \mathbf W_2$") == [r"\mathbfW", r"\mathbfW_1", r"\mathbfW_2"]
    assert symbols(r"$M^{(i,u)}$") == [r"M^{(i,u)}"]
