"""The book speaks of its subject only: no built page shows a word of how it was made.

Reads the text a reader sees in every built page of _build/html (run `make book` first): the
words of the workshop ("the issue", "required:", nbval's "NBVAL" markers) must not appear in
it, in prose, code or outputs. No browser is needed, only the HTML files.
"""

import re
from html.parser import HTMLParser

import pytest

from _site import HTML, built_pages, toc_files

PAGES = [p for p in toc_files() if p in built_pages()]
# Case-insensitive: "The issue asks", "(Required: at least 92%)", "# nbval_ignore_output".
WORKSHOP = re.compile(r"\bthe\s+issue\b|\brequired:|\bnbval", re.IGNORECASE)


class _Text(HTMLParser):
    """The text of a page as a reader sees it: no scripts, no styles, no tag attributes."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def workshop_words(text: str) -> list[str]:
    """Each workshop word in ``text`` with some context, for the failure message."""
    return [text[max(0, m.start() - 60):m.end() + 60] for m in WORKSHOP.finditer(text)]


@pytest.mark.parametrize(
    "html, found",
    [
        ("<p>The case of the issue, stride 2</p>", True),
        ("<pre>accuracy 96.1% (required: at least 96%)</pre>", True),
        ("<pre># NBVAL_IGNORE_OUTPUT\nimport time</pre>", True),
        ("<p>The Issue asks</p>", True),
        ("<p>at least 92%, which this cell checks</p><script>var nbval = 1</script>", False),
        ('<a title="Open an issue" href="x">repository</a><p>the issues of numerical tissue</p>', False),
    ],
)
def test_the_check_finds_workshop_words(html, found):
    assert bool(workshop_words(page_text(html))) is found


@pytest.mark.parametrize("docname", PAGES)
def test_no_page_speaks_of_the_workshop(docname):
    text = page_text((HTML / f"{docname}.html").read_text(encoding="utf-8"))
    hits = workshop_words(text)
    assert not hits, f"{docname} speaks of how the book is made:\n  " + "\n  ".join(hits)
