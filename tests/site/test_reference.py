"""The index of equations, the reference of the companion and the bibliography, as a reader's
browser shows them: the index typesets every formula, its functions lead to their entries in
the reference, its tests to the line that defines them; every public name has its entry; the
citations lead to their entries. (Math, links, anchors and console errors of these pages are
also checked with every other page, in test_pages.py.)"""

import importlib
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest

from _project import ROOT, load_yaml
from _site import HTML, Visit, built_pages

INDEX = "book/appendix_equations"
BIBLIOGRAPHY = "book/appendix_bibliography"

ROWS = r"""
() => Array.from(document.querySelectorAll('table.equation-index tbody tr')).map(tr => ({
  kind: tr.classList.contains('equation-index-head') ? 'head' : (tr.classList.contains('equation-index-formula') ? 'formula' : 'other'),
  text: tr.innerText.slice(0, 80),
  math: tr.querySelectorAll('mjx-container').length,
  mathError: tr.querySelectorAll('mjx-merror, [data-mjx-error]').length,
  functions: Array.from(tr.querySelectorAll('td:nth-child(2) a')).map(a => ({href: a.href, text: a.innerText.trim()})),
  tests: Array.from(tr.querySelectorAll('td:nth-child(3) a')).map(a => ({href: a.href, text: a.innerText.trim()})),
  wide: (() => { const m = tr.querySelector('div.math'); return m ? [m.scrollWidth, m.clientWidth, getComputedStyle(m).overflowX] : null; })(),
}))
"""


def _open(site, docname, script):
    visit = Visit(docname, site.base + docname + ".html")
    page = site.open(site.context, visit.url, visit)
    try:
        return page.evaluate(script), visit
    finally:
        site.close(page)


@pytest.fixture(scope="module")
def rows(site):
    if INDEX not in built_pages():
        pytest.fail(f"{INDEX} was not built")
    found, visit = _open(site, INDEX, ROWS)
    assert not visit.console and not visit.blocked and not visit.failed, (visit.console, visit.blocked, visit.failed)
    return found


class _Definitions(HTMLParser):
    """The ids of the <dt> of documented objects (autodoc's entries) of a page."""

    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "dt" and "sig-object" in (attrs.get("class") or "") and attrs.get("id"):
            self.ids.add(attrs["id"])


def definitions(path):
    parser = _Definitions()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.ids


def test_every_row_of_the_index_typesets_its_formula(rows):
    heads = [r for r in rows if r["kind"] == "head"]
    formulas = [r for r in rows if r["kind"] == "formula"]
    assert heads and len(heads) == len(formulas), (len(heads), len(formulas))
    untypeset = [h["text"] for h, f in zip(heads, formulas) if f["math"] < 1 or f["mathError"]]
    assert not untypeset, f"rows whose formula is not typeset: {untypeset}"
    # A formula wider than the page scrolls inside its row instead of widening the table.
    assert all(f["wide"] and f["wide"][2] == "auto" for f in formulas)


def test_every_function_of_the_index_leads_to_its_entry_in_the_reference(site, rows):
    heads = [r for r in rows if r["kind"] == "head"]
    checked = 0
    for row in heads:
        assert len(row["functions"]) == 1, f"{row['text']!r}: expected one linked function, got {row['functions']}"
        link = row["functions"][0]
        url = urlsplit(link["href"])
        assert link["href"].startswith(site.base) and url.path.startswith("/book/reference/"), link
        target = unquote(url.fragment)
        file = HTML / url.path.lstrip("/")
        assert target in definitions(file), f"{link}: {file.name} has no documented object with id {target!r}"
        # the link text is the name the chapter calls; the entry is where it is defined
        assert target.rsplit(".", 1)[-1] == link["text"].rsplit(".", 1)[-1], (link, target)
        checked += 1
    assert checked == len(heads) > 0


def test_every_test_link_of_the_index_points_at_the_line_defining_the_test(rows):
    repo = load_yaml("_config.yml")["repository"]
    prefix = f"{repo['url'].rstrip('/')}/blob/{repo['branch']}/"
    links = [t for r in rows if r["kind"] == "head" for t in r["tests"]]
    assert links, "the index links no test"
    for link in links:
        assert link["href"].startswith(prefix), link
        m = re.fullmatch(r"(tests/[\w/]+\.py)#L(\d+)", link["href"][len(prefix):])
        assert m, f"{link['href']} is not <repository>/blob/<branch>/tests/<file>.py#L<line>"
        path, line = ROOT / m.group(1), int(m.group(2))
        lines = path.read_text(encoding="utf-8").splitlines()
        assert 1 <= line <= len(lines), link
        name = link["text"].rsplit("::", 1)[-1]  # TestClass::test_x: the method's def
        assert re.match(rf"\s*(async\s+)?def {re.escape(name)}\(", lines[line - 1]), (
            f"{link['href']}: line {line} of {m.group(1)} is {lines[line - 1]!r}, not the def of {name}"
        )


def _reference_pages():
    from book._ext.companion_reference import documented_modules

    return sorted(documented_modules(ROOT).items())


@pytest.mark.parametrize("module, docname", _reference_pages())
def test_every_public_name_has_its_entry(module, docname):
    path = HTML / (docname + ".html")
    assert path.exists(), f"{docname} was not built"
    ids = definitions(path)
    names = importlib.import_module(module).__all__
    missing = [n for n in names if f"{module}.{n}" not in ids]
    assert not missing, f"{docname}.html has no entry for {missing}"


def test_conv2d_backward_links_back_to_chapter_7(site):
    script = r"""
    () => { const dd = document.getElementById('companion.backprop.conv.conv2d_backward').nextElementSibling;
            return Array.from(dd.querySelectorAll('a')).map(a => ({href: a.href, text: a.innerText.trim()})); }
    """
    links, visit = _open(site, "book/reference/backprop_conv", script)
    assert not visit.console, visit.console
    chapter = [a for a in links if urlsplit(a["href"]).path.endswith("/book/07_backpropagation.html")]
    equations = [a for a in chapter if re.fullmatch(r"\(7\.\d+\)", a["text"])]
    assert equations, f"no link to an equation of chapter 7 among {links}"
    assert any(a["text"] == "chapter 7" for a in chapter), f"no link to chapter 7 among {links}"


def test_the_entry_links_to_its_highlighted_source():
    page = (HTML / "book/reference/backprop_conv.html").read_text(encoding="utf-8")
    m = re.search(r'href="([^"]*_modules/companion/backprop/conv\.html#conv2d_backward)"', page)
    assert m, "the entry of conv2d_backward has no [source] link"
    source = HTML / "_modules/companion/backprop/conv.html"
    text = source.read_text(encoding="utf-8")
    assert 'id="conv2d_backward"' in text and 'class="highlight"' in text


def test_the_bibliography_lists_every_entry_and_citations_lead_there(site):
    from pybtex.database import parse_file

    bib = parse_file(str(ROOT / "references.bib"), bib_format="bibtex")
    script = r"""
    () => ({entries: Array.from(document.querySelectorAll('div.citation')).map(d => ({id: d.id, text: d.innerText.trim()})),
            visibleLabels: Array.from(document.querySelectorAll('div.citation > span.label')).filter(s => s.offsetParent !== null).length})
    """
    found, visit = _open(site, BIBLIOGRAPHY, script)
    assert not visit.console and not visit.blocked, (visit.console, visit.blocked)
    assert len(found["entries"]) == len(bib.entries), (len(found["entries"]), len(bib.entries))
    assert found["visibleLabels"] == 0, "the author-year bibliography shows numbers"
    ids = {e["id"] for e in found["entries"]}
    # a chapter's citation: typeset by author and year, linked to its entry here
    script = r"""
    () => Array.from(document.querySelectorAll('a[href*="appendix_bibliography.html#"]')).map(a => ({href: a.href, text: a.innerText.trim()}))
    """
    cites, visit = _open(site, "book/11_what_next", script)
    assert cites, "the closing page cites nothing"
    for a in cites:
        assert unquote(urlsplit(a["href"]).fragment) in ids, a
    assert any(a["text"] == "Srivastava et al., 2014" for a in cites), cites
    page = (HTML / "book/11_what_next.html").read_text(encoding="utf-8")
    assert "#cite-" not in page, "a citation link was left unconverted"
