"""What a maintainer looks for on the built website (run `make book` first): a "last updated"
date on every page, taken from the repository's history."""

import datetime
import re
import subprocess

import pytest

from _project import ROOT
from _site import HTML, built_pages, toc_files

PAGES = [p for p in toc_files() if p in built_pages()]
LAST_UPDATED = re.compile(r'<p class="last-updated">\s*Last updated on (\d{2} \w+ \d{4})\.')


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
