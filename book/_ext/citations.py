"""Citations that read as plain text in Jupyter and Colab and are real citations on the website.

A chapter cites a published result with a markdown link to ``#cite-`` and the keys of
``references.bib`` (several separated by commas):

* ``[(He et al., 2015)](#cite-he2015delving)``: parenthetical, text in parentheses;
* ``[He et al. (2015)](#cite-he2015delving)``: textual, the authors part of the sentence;
* ``[(Polyak, 1964; Sutskever et al., 2013)](#cite-polyak1964some,sutskever2013importance)``.

Colab and Jupyter show the link text as written. On the website, ``source-read`` rewrites each
such link, in the markdown cells of a notebook and in a ``.md`` page, into the
sphinxcontrib-bibtex role ``{cite:p}`keys``` (text starting with ``(``) or ``{cite:t}`keys```
(otherwise), so that the citation is typeset by the bibliography's author-year style and links
to its entry on the bibliography page. An unknown key is a warning (a failed build with ``-W``).

``tests/test_citations.py`` checks that every key exists in ``references.bib``, that the link
text names the first author and year of its entry, and that no chapter leaves a plain-text
citation ("(He et al., 2015)") unlinked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# [text](#cite-key1,key2): the text has no brackets, the keys no spaces.
CITE_LINK = re.compile(r"\[(?P<text>[^\[\]]+)\]\(#cite-(?P<keys>[\w:.-]+(?:,[\w:.-]+)*)\)")


def role_for(text: str) -> str:
    """``p`` (parenthetical) for link text in parentheses, ``t`` (textual) otherwise."""
    return "p" if text.strip().startswith("(") else "t"


def to_role(match: re.Match) -> str:
    return f"{{cite:{role_for(match.group('text'))}}}`{match.group('keys')}`"


def convert_markdown(text: str) -> str:
    """Every ``[text](#cite-keys)`` of a markdown text as a ``{cite:p}``/``{cite:t}`` role."""
    return CITE_LINK.sub(to_role, text)


def convert_notebook(source: str) -> str:
    """The notebook (JSON text) with its markdown cells converted; code cells untouched."""
    if "#cite-" not in source:
        return source
    nb = json.loads(source)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            src = cell.get("source", "")
            text = "".join(src) if isinstance(src, list) else src
            cell["source"] = convert_markdown(text)
    return json.dumps(nb, ensure_ascii=False)


def citations_in(text: str) -> list[tuple[str, list[str]]]:
    """(link text, keys) of every citation link of a markdown text."""
    return [(m.group("text"), m.group("keys").split(",")) for m in CITE_LINK.finditer(text)]


# --- the author-year style with round brackets -------------------------------------------


def _register_round_style():
    """``author_year_round``: sphinxcontrib-bibtex's author-year references, with the round
    brackets of the source form: (He et al., 2015) and He et al. (2015)."""
    import sphinxcontrib.bibtex.plugin
    from sphinxcontrib.bibtex.style.referencing import BracketStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    def round_brackets():
        return BracketStyle(left="(", right=")")

    @dataclass
    class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
        bracket_parenthetical: BracketStyle = field(default_factory=round_brackets)
        bracket_textual: BracketStyle = field(default_factory=round_brackets)
        bracket_author: BracketStyle = field(default_factory=round_brackets)
        bracket_label: BracketStyle = field(default_factory=round_brackets)
        bracket_year: BracketStyle = field(default_factory=round_brackets)

    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", "author_year_round", RoundAuthorYearReferenceStyle
    )


def setup(app):
    _register_round_style()

    def source_read(app, docname, source):
        path = str(app.env.doc2path(docname))
        if path.endswith(".ipynb"):
            source[0] = convert_notebook(source[0])
        elif "#cite-" in source[0]:
            source[0] = convert_markdown(source[0])

    def add_static(app):
        static = str(Path(__file__).parent / "static")
        if static not in app.config.html_static_path:
            app.config.html_static_path.append(static)

    app.connect("builder-inited", add_static)
    app.add_css_file("citations.css")
    app.connect("source-read", source_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
