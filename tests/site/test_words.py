"""The book speaks of its subject only: no built page shows a word of how it was made.

Reads the text a reader sees in every built page of _build/html (run `make book` first): the
words of the workshop must not appear in it, in prose, code or outputs: "the issue",
"required:", nbval's "NBVAL" markers, the ``# computes:`` comments that once told the index of
equations which function computes an equation (cell metadata does that now), paths of the
build's own scripts (``tools/...``, ``book/_ext/...``), assertions that print "as claimed",
and a date stamp on a "finished" line (when a recorded run ended is no part of the subject).
No browser is needed, only the HTML files.
"""

import re
from html.parser import HTMLParser

import pytest

from _site import HTML, built_pages, toc_files

PAGES = [p for p in toc_files() if p in built_pages()]
_DATE = (
    r"\d{4}-\d{2}-\d{2}"  # 2026-12-01
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}"  # 1 December 2026
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"  # Dec 1, 2026
)
# Case-insensitive: "The issue asks", "(Required: at least 92%)", "# nbval_ignore_output",
# "# computes: eq-02-conv -> companion.conv2d", "tools/ch08_sweep.py", "book/_ext/citations.py",
# "(at least 92%, as claimed)", "last part finished 2026-12-01 19:09 UTC".
WORKSHOP = re.compile(
    r"\bthe\s+issue\b|\brequired:|\bnbval"
    r"|#\s*computes\s*:"
    r"|(?<![\w.-])(?:tools|book/_ext|_ext)/[\w./-]*"
    r"|\bas\s+claimed\b"
    rf"|\bfinished\b.{{0,40}}?\b(?:{_DATE})\b|\b(?:{_DATE})\b.{{0,40}}?\bfinished\b",
    re.IGNORECASE,
)


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
        ("<pre># computes: eq-02-conv -&gt; companion.conv2d\nS = companion.conv2d(I, K)</pre>", True),
        ("<pre>#computes:eq-06-softmax</pre>", True),
        ("<p>The script tools/ch08_sweep.py trained this network</p>", True),
        ("<p>generated each time (<code>book/_ext/equation_index.py</code>)</p>", True),
        ("<pre>test accuracy 94.9% after 4 epochs (at least 92%, as claimed)</pre>", True),
        ("<pre>recorded, last part finished 2026-12-01 19:09 UTC; 5 seeds</pre>", True),
        ("<p>the runs finished on 1 December 2026</p>", True),
        ("<p>On 2026-12-01 the last part finished</p>", True),
        ('<a href="../tools/x.py">the script</a><p>it computes: the sum</p>', False),
        ("<p>itertools/more_itertools and torch.utils/data; the run finished in 40 s</p>", False),
        ("<p>the claimed accuracy, as we claimed above; finished training after 4 epochs</p>", False),
    ],
)
def test_the_check_finds_workshop_words(html, found):
    assert bool(workshop_words(page_text(html))) is found


@pytest.mark.parametrize("docname", PAGES)
def test_no_page_speaks_of_the_workshop(docname):
    text = page_text((HTML / f"{docname}.html").read_text(encoding="utf-8"))
    hits = workshop_words(text)
    assert not hits, f"{docname} speaks of how the book is made:\n  " + "\n  ".join(hits)
