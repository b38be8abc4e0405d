"""What a maintainer looks for on the built website (run `make book` first): the record of how
each notebook ran when the site was built, and a "last updated" date on every page, taken
from the repository's history."""

import datetime
import re
import subprocess
from html.parser import HTMLParser

import pytest

from _project import ROOT, notebooks
from _site import HTML, built_pages, toc_files

PAGES = [p for p in toc_files() if p in built_pages()]
EXECUTION_PAGE = "book/appendix_execution"
LAST_UPDATED = re.compile(r'<p class="last-updated">\s*Last updated on (\d{2} \w+ \d{4})\.')


class _Rows(HTMLParser):
    """The text of each cell of each row of the page's tables."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_execution_page_lists_every_notebook_as_run_without_error():
    assert EXECUTION_PAGE in toc_files(), "_toc.yml lists no execution page"
    parser = _Rows()
    parser.feed((HTML / f"{EXECUTION_PAGE}.html").read_text(encoding="utf-8"))
    header, *rows = parser.rows
    assert header == ["Document", "Modified", "Method", "Run Time (s)", "Status"], header
    by_doc = {row[0]: row for row in rows}
    expected = {f"book/{p.stem}" for p in notebooks()}
    assert set(by_doc) == expected, f"rows for {sorted(by_doc)}, notebooks {sorted(expected)}"
    for doc, (_, modified, method, runtime, status) in by_doc.items():
        assert method == "force", f"{doc} was not executed for this build ({method})"
        assert float(runtime) > 0, f"{doc}: run time {runtime}"
        assert status == "✅", f"{doc} did not run without an error: {status}"


@pytest.mark.parametrize("docname", PAGES)
def test_every_page_says_when_its_source_last_changed(docname):
    html = (HTML / f"{docname}.html").read_text(encoding="utf-8")
    m = LAST_UPDATED.search(html)
    assert m, f"{docname}: no 'Last updated on' in the page's footer"
    shown = datetime.datetime.strptime(m.group(1), "%d %B %Y").date()
    source = next(ROOT.glob(docname + ".*"))
    log = subprocess.run(
        ["git", "log", "-1", "--format=%aI", "--", source.relative_to(ROOT).as_posix()],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert log, f"{source.name} has no commit: the date comes from the repository's history"
    committed = datetime.datetime.fromisoformat(log).astimezone(datetime.timezone.utc).date()
    # The page's own last commit, or a later one of a file it depends on; never in the future.
    assert committed <= shown <= datetime.datetime.now(datetime.timezone.utc).date(), (
        f"{docname}: shows {shown}, its source was last committed on {committed}"
    )
