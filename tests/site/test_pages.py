"""Every page of the built book, as a reader's browser shows it (headless Chromium, no network).

Each page is loaded once (see conftest.py); the tests below each ask one question about it.
"""

import json
import re
import urllib.request
from urllib.parse import unquote, urlsplit

import pytest

from _site import HTML, Visit, built_pages, colab_url, is_notebook, screenshot_path, toc_files

BUILT = built_pages()
PAGES = [p for p in toc_files() if p in BUILT]  # a stale page left in _build/html is not checked
NOTEBOOK_PAGES = [p for p in PAGES if is_notebook(p)]
# A term the search must find, the first of these that the book contains.
SEARCH_TERMS = ("stride", "convolution", "pixel", "image")
FILENAME_ALT = re.compile(r"(^|/)[^\s/]+\.(png|jpe?g|gif|svg|webp)$", re.I)


def _listing(items):
    return "\n  " + "\n  ".join(map(str, items))


def test_every_toc_page_is_built():
    assert BUILT, f"{HTML} holds no pages: run `make book` first"
    missing = [p for p in toc_files() if p not in BUILT]
    assert not missing, f"_toc.yml lists pages that were not built: {missing}"


@pytest.mark.parametrize("docname", PAGES)
def test_no_request_leaves_the_site_or_fails(site, docname):
    v = site.visit(docname)
    assert not v.blocked, f"requests outside the site (blocked):{_listing(v.blocked)}"
    assert not v.failed, f"failed requests:{_listing(v.failed)}"


@pytest.mark.parametrize("docname", PAGES)
def test_no_console_errors(site, docname):
    v = site.visit(docname)
    assert not v.console, f"console errors:{_listing(v.console)}"


@pytest.mark.parametrize("docname", PAGES)
def test_math_is_typeset(site, docname):
    v = site.visit(docname)
    assert not v.facts["rawMath"], f"untypeset math ($, \\( or \\[ left in the text):{_listing(v.facts['rawMath'])}"


@pytest.mark.parametrize("docname", PAGES)
def test_images_load_and_have_alt_text(site, docname):
    images = site.visit(docname).facts["images"]
    broken = [i["src"] for i in images if not i["loaded"]]
    assert not broken, f"images that did not load:{_listing(broken)}"
    no_alt = [i["src"] for i in images if not (i["alt"] or "").strip() or FILENAME_ALT.search(i["alt"].strip())]
    assert not no_alt, (
        f"images without alternative text (give notebook figures cell metadata mystnb.image.alt):{_listing(no_alt)}"
    )


@pytest.mark.parametrize("docname", PAGES)
def test_internal_links_and_anchors_resolve(site, docname):
    v = site.visit(docname)
    broken = []
    for link in v.facts["links"]:
        href = link["href"]
        if not href.startswith(site.base):
            continue  # another site (GitHub, Colab): not reachable offline, not ours to check
        fragment = unquote(urlsplit(href).fragment)
        same_page = urlsplit(href)._replace(fragment="").geturl() == v.url
        ids = set(v.facts["ids"]) if same_page else site.target_ids(href)
        if ids is None:
            broken.append(f"{link['raw']} ({link['text']!r}): no such file")
        elif fragment and fragment not in ids:
            broken.append(f"{link['raw']} ({link['text']!r}): no element with id {fragment!r}")
    assert not broken, f"internal links that lead nowhere:{_listing(broken)}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_colab_button_opens_this_notebook(site, docname):
    hrefs = [link["href"] for link in site.visit(docname).facts["links"]]
    colab = [h for h in hrefs if h.startswith("https://colab.research.google.com")]
    assert colab, "no Colab launch button"
    assert set(colab) == {colab_url(docname)}, f"Colab button points at {colab}, expected {colab_url(docname)}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_download_button_offers_the_notebook(site, docname):
    downloads = site.visit(docname).facts["download"]
    ipynb = [d for d in downloads if d.endswith(".ipynb")]
    assert ipynb, f"the download menu offers no .ipynb (offers {downloads})"
    url = ipynb[0]
    assert url.startswith(site.base) and urlsplit(url).path.endswith(f"/_sources/{docname}.ipynb"), url
    with urllib.request.urlopen(url, timeout=10) as response:  # the local server only
        nb = json.load(response)
    assert nb["nbformat"] == 4 and nb["cells"]


@pytest.mark.parametrize("docname", PAGES)
def test_screenshot_saved(site, docname):
    site.visit(docname)
    shot = screenshot_path(docname)
    assert shot.exists() and shot.stat().st_size > 1000, shot


def _search_term():
    texts = [(HTML / (p + ".html")).read_text(encoding="utf-8").lower() for p in PAGES]
    for term in SEARCH_TERMS:
        pages = [p for p, t in zip(PAGES, texts) if re.search(rf"\b{term}\b", t)]
        if pages:
            return term, pages
    pytest.fail(f"the book contains none of {SEARCH_TERMS}")


def test_search_finds_a_term_of_the_book(site):
    term, pages = _search_term()
    visit = Visit("search", f"{site.base}search.html?q={term}")
    page = site.open(site.context, visit.url, visit)
    try:
        page.wait_for_function(
            "document.querySelector('#search-results .search-summary') !== null"
            " || document.querySelectorAll('#search-results ul.search li').length > 0",
            timeout=15000,
        )
        page.wait_for_load_state("networkidle")
        found = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.href)")
    finally:
        site.close(page)
    found_pages = {urlsplit(h).path.lstrip("/").removesuffix(".html") for h in found}
    assert found_pages & set(pages), f"searching {term!r} found {sorted(found_pages)}; it is on {pages}"
    assert not (visit.console or visit.failed or visit.blocked), (visit.console, visit.failed, visit.blocked)


def test_home_redirects_to_the_first_page(site):
    page = site.context.new_page()
    try:
        page.goto(site.base, wait_until="load")
        page.wait_for_url(re.compile(re.escape(toc_files()[0]) + r"\.html"), timeout=5000, wait_until="commit")
        # Let the redirected page finish loading before closing it: closing a page while its
        # requests are still inside the context's route handler can leave close() waiting forever.
        page.wait_for_load_state("load", timeout=15000)
        page.wait_for_load_state("networkidle", timeout=15000)
    finally:
        page.close()


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES[:1])  # one chapter: code, math and a figure
def test_dark_mode(site, docname):
    v = site.dark(docname)
    assert v.facts["theme"] == "dark"
    rgb = [int(c) for c in re.findall(r"\d+", v.facts["background"])[:3]]
    assert sum(rgb) / 3 < 80, f"dark mode, but the page background is {v.facts['background']}"
    assert not v.console and not v.failed and not v.blocked, (v.console, v.failed, v.blocked)
    assert not v.facts["rawMath"]
    assert screenshot_path(docname, "dark").exists()
