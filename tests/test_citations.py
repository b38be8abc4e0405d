"""The citations of the book (book/_ext/citations.py and references.bib): every key a page cites
exists, the link text names the entry's first author and year, and no page leaves a plain-text
citation unlinked."""

import json
import re

import pytest
from pybtex.database import parse_file

from _project import ROOT
from book._ext import citations as ct
from book._ext import equation_index as ei

BIB = parse_file(str(ROOT / "references.bib"), bib_format="bibtex")

# What a citation looks like when it is left as plain text: "et al", or one or two capitalised
# names then a year ("Glorot and Bengio, 2010", "(Kingma and Ba, 2015)", "Howard (2017)").
_NAME = r"[A-Z][\w'’-]+"
PLAIN_CITATION = re.compile(
    rf"\bet al\b|\b{_NAME}(?: and {_NAME})?(?:'s)?,? \(?(?:1[89]|20)\d\d[a-z]?\)?"
)


def markdown_of(docname):
    """The markdown a reader reads in Colab: markdown cells of a notebook, or a .md page,
    without code (fences and inline code, where a year or a name is not a citation)."""
    path = ei.source_path(ROOT, docname)
    parts = [text for kind, text in ei.cells(path) if kind == "markdown"]
    text = "\n".join(parts)
    return ei._INLINE_CODE.sub("", ei._MD_FENCE.sub("", text))


PAGES = [d for d in ei.toc_docnames(ROOT) if ei.source_path(ROOT, d) is not None]


def _plain(text):
    """LaTeX accents and braces removed: {\\'e} -> e, {Stanford University} -> Stanford University."""
    text = re.sub(r"\\[a-zA-Z]+\s*|\\.", "", text)
    return text.replace("{", "").replace("}", "")


def first_author(key):
    persons = BIB.entries[key].persons.get("author", [])
    return _plain(" ".join(persons[0].last_names)) if persons else None


@pytest.mark.parametrize("docname", PAGES)
def test_every_cited_key_exists_and_the_text_names_it(docname):
    for text, keys in ct.citations_in(markdown_of(docname)):
        for key in keys:
            assert key in BIB.entries, f"{docname}: [{text}](#cite-{key}) cites a key that references.bib lacks"
            entry = BIB.entries[key]
            author = first_author(key)
            assert author and _plain(author) in _plain(text), (
                f"{docname}: the link text {text!r} does not name {key}'s first author, {author}"
            )
            year = entry.fields.get("year")
            assert year is None or year in text, f"{docname}: the link text {text!r} does not give {key}'s year, {year}"


@pytest.mark.parametrize("docname", PAGES)
def test_no_plain_text_citation_is_left(docname):
    text = ct.CITE_LINK.sub("", markdown_of(docname))
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "", text, flags=re.S)  # math
    left = [text[max(0, m.start() - 40) : m.end() + 20].replace("\n", " ") for m in PLAIN_CITATION.finditer(text)]
    assert not left, (
        f"{docname} cites in plain text; write [(Author et al., 2015)](#cite-key) (README, Writing a "
        "chapter) and add the entry to references.bib:\n  " + "\n  ".join(left)
    )


def test_every_entry_is_complete():
    for key, entry in BIB.entries.items():
        assert entry.persons.get("author"), f"{key} has no author"
        assert entry.fields.get("title"), f"{key} has no title"
        venue = ("journal", "booktitle", "publisher", "howpublished")
        assert any(entry.fields.get(f) for f in venue), f"{key} names no venue"
        if key != "cs231n":  # course notes, revised every year: no single year to give
            assert re.fullmatch(r"(19|20)\d\d", entry.fields.get("year", "")), f"{key} has no year"


def test_the_bibliography_page_lists_every_entry_and_is_in_the_toc():
    text = (ROOT / "book" / "appendix_bibliography.md").read_text(encoding="utf-8")
    assert "{bibliography}" in text and ":all:" in text
    assert "book/appendix_bibliography" in ei.toc_docnames(ROOT)


# --- the conversion ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("as shown [(He et al., 2015)](#cite-he2015delving).", "as shown {cite:p}`he2015delving`."),
        ("[He et al. (2015)](#cite-he2015delving) showed", "{cite:t}`he2015delving` showed"),
        (
            "momentum [(Polyak, 1964; Sutskever et al., 2013)](#cite-polyak1964some,sutskever2013importance)",
            "momentum {cite:p}`polyak1964some,sutskever2013importance`",
        ),
        ("a [link](#sec-02-stride) and [another](https://example.org)", "a [link](#sec-02-stride) and [another](https://example.org)"),
        ("two: [(A, 2001)](#cite-a) and [B (2002)](#cite-b)", "two: {cite:p}`a` and {cite:t}`b`"),
    ],
)
def test_convert_markdown(markdown, expected):
    assert ct.convert_markdown(markdown) == expected


def test_convert_notebook_touches_markdown_cells_only():
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["See [(He et al., 2015)](#cite-he2015delving).\n", "Next line"]},
            {"cell_type": "code", "metadata": {}, "source": "s = '[(He et al., 2015)](#cite-he2015delving)'", "outputs": [], "execution_count": None},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    out = json.loads(ct.convert_notebook(json.dumps(nb)))
    assert out["cells"][0]["source"] == "See {cite:p}`he2015delving`.\nNext line"
    assert out["cells"][1]["source"] == nb["cells"][1]["source"]
    plain = json.dumps({"cells": [], "metadata": {}})
    assert ct.convert_notebook(plain) == plain  # nothing to convert: the text as it was


def test_citations_in_and_role_for():
    assert ct.citations_in("x [(A and B, 2010)](#cite-ab2010) y [C (2011)](#cite-c,d)") == [
        ("(A and B, 2010)", ["ab2010"]),
        ("C (2011)", ["c", "d"]),
    ]
    assert ct.role_for(" (A, 2010)") == "p" and ct.role_for("A (2010)") == "t"


@pytest.mark.parametrize(
    "text, found",
    [
        ("after Glorot and Bengio, 2010: every", True),
        ("Adam (Kingma and Ba, 2015), which", True),
        ("as in He et al. showed", True),
        ("MNIST (1998)", True),
        ("the 2015 paper", False),
        ("Chapter 8's network has 70,000 digits", False),
    ],
)
def test_the_plain_citation_pattern(text, found):
    assert bool(PLAIN_CITATION.search(text)) is found
