"""One search field, where the reader looks for it (headless Chromium, no network).

On a wide screen (1280 px) the book's search field is the one at the top of the left sidebar,
and nothing sits above the page: pydata-sphinx-theme's own header bar (``#pst-header``), which
the locked theme versions fill with a second search field, must show nothing and take no
height. On a phone (390 px) the sidebar is folded away and the theme's magnifier button in the
article header opens the search dialog, whose field takes the keyboard. The other buttons of
the article header (sidebar toggle, repository, download, Colab, light/dark) stay reachable at
both widths.

Run after `make book`. Each page is loaded once per width, without waiting for MathJax.
"""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from _site import is_notebook, toc_files

FIRST = toc_files()[0]
CHAPTER = next(p for p in toc_files() if is_notebook(p))  # a notebook: it has the Colab button
PAGES = [FIRST, CHAPTER]
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Whatever a reader would take for a search field: the sidebar's (and the header's) field-like
# button, the dialog's form and its input, any other search input.
FIELD = "input[type=search], input[name=q], .search-button-field, form.bd-search"
SEARCH_INPUT = "input[type=search], input[name=q]"

# The fields a reader sees: shown (not display:none, visibility:hidden or transparent) and of
# nonzero size; a form and the input inside it are one field.
VISIBLE_FIELDS = r"""
([fieldSelector, inputSelector]) => {
  const shown = e => {
    const r = e.getBoundingClientRect();
    return e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) && r.width > 0 && r.height > 0;
  };
  const describe = e => {
    const r = e.getBoundingClientRect();
    return `<${e.tagName.toLowerCase()} class="${e.className}"> at (${Math.round(r.x)}, ${Math.round(r.y)}),`
      + ` ${Math.round(r.width)} x ${Math.round(r.height)}`;
  };
  const all = Array.from(document.querySelectorAll(fieldSelector)).filter(shown);
  const fields = all.filter(e => !all.some(o => o !== e && o.contains(e)));
  return {
    fields: fields.map(e => ({what: describe(e), sidebar: !!e.closest('.bd-sidebar-primary')})),
    inputs: Array.from(document.querySelectorAll(inputSelector)).filter(shown).map(describe),
  };
}
"""

# pydata-sphinx-theme's header bar and the top of the article (in the viewport, page not scrolled).
TOP = r"""
() => {
  const header = document.querySelector('#pst-header');
  const r = header && header.getBoundingClientRect();
  return {
    header: header && {shown: header.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}),
                       height: r.height, html: header.innerHTML.trim().slice(0, 120)},
    article: document.querySelector('.bd-header-article').getBoundingClientRect().top,
    scrollY: window.scrollY,
  };
}
"""

FOCUSED_INPUT = r"""
(inputSelector) => {
  const e = document.activeElement;
  if (!e || !e.matches(inputSelector)) return null;
  const r = e.getBoundingClientRect();
  return {shown: e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) && r.width > 0 && r.height > 0,
          value: e.value};
}
"""


# The header's buttons: each one must be visible and take a click (Playwright's actionability
# checks: shown, stable, enabled, not covered by another element); a dropdown must open onto
# its link. The launch dropdown is on notebook pages only.
BUTTONS = {
    "sidebar toggle": (".bd-header-article .primary-toggle", None),
    "light/dark switch": (".bd-header-article .theme-switch-button", None),
    "repository": (".dropdown-source-buttons .dropdown-toggle", "a.btn-source-repository-button"),
    "download": (".dropdown-download-buttons .dropdown-toggle", ".btn-download-pdf-button"),
    "Colab": (".dropdown-launch-buttons .dropdown-toggle", 'a[href^="https://colab.research.google.com/"]'),
}
# What opens the search dialog: the sidebar's field on a wide screen, the magnifier on a phone.
SEARCH_CONTROL = {"wide": ".bd-sidebar-primary .search-button-field:visible", "phone": "button.search-button:visible"}


def _buttons(page, docname):
    """Each header button's problem (None when it is reachable and, for a dropdown, opens)."""
    problems = {}
    for name, (button, item) in BUTTONS.items():
        if name == "Colab" and not is_notebook(docname):
            continue
        toggle = page.locator(button)
        try:
            assert toggle.count() == 1, f"{toggle.count()} elements match {button!r}"
            toggle.click(trial=True, timeout=3000)  # fails if hidden, covered or disabled
            if item:
                toggle.click(timeout=3000)
                expect(page.locator(button + " ~ .dropdown-menu").locator(item).first).to_be_visible(timeout=3000)
                page.keyboard.press("Escape")
            problems[name] = None
        except (AssertionError, PlaywrightError) as e:
            problems[name] = str(e).splitlines()[0]
        # The pointer leaves, and the button's tooltip with it (it could cover the next button).
        page.mouse.move(1, page.viewport_size["height"] - 1)
    return problems


def _search(page, width, text="stride"):
    """Clicks what opens the search dialog and types into the focused input."""
    control = page.locator(SEARCH_CONTROL[width])
    found = {"controls": control.count(), "focused": None}
    if found["controls"]:
        try:
            control.first.click(timeout=3000)
            page.wait_for_function(
                f"document.activeElement && document.activeElement.matches({SEARCH_INPUT!r})", timeout=3000
            )
        except PlaywrightError:
            return found
        page.keyboard.type(text)
        found["focused"] = page.evaluate(FOCUSED_INPUT, SEARCH_INPUT)
        found["after"] = page.evaluate(VISIBLE_FIELDS, [FIELD, SEARCH_INPUT])
    return found


@pytest.fixture(scope="module")
def seen(site):
    """What a page showed at a width, each (width, page) loaded once: the visible search fields
    and the top of the window as loaded, then the header buttons, then the search dialog."""
    contexts = {"wide": site._context(viewport=WIDE), "phone": site._context(viewport=PHONE)}
    found = {}

    def visit(width, docname):
        if (width, docname) not in found:
            page = contexts[width].new_page()
            try:
                page.goto(site.base + docname + ".html", wait_until="load")
                found[width, docname] = {
                    "before": page.evaluate(VISIBLE_FIELDS, [FIELD, SEARCH_INPUT]),
                    "top": page.evaluate(TOP),
                    "buttons": _buttons(page, docname),
                    "search": _search(page, width),
                }
            finally:
                page.close()
        return found[width, docname]

    yield visit
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize("docname", PAGES)
def test_wide_screen_shows_one_search_field_in_the_sidebar(seen, docname):
    v = seen("wide", docname)
    fields = [f["what"] for f in v["before"]["fields"]]
    assert len(fields) == 1, f"{len(fields)} visible search fields at 1280 px (expected the sidebar's alone): {fields}"
    assert v["before"]["fields"][0]["sidebar"], f"the one visible search field is not in the left sidebar: {fields[0]}"
    focused = v["search"]["focused"]
    assert focused and focused["shown"] and focused["value"] == "stride", (
        f"clicking the sidebar's search field gave no visible, focused search input to type into: {focused}"
    )


@pytest.mark.parametrize("docname", PAGES)
def test_wide_screen_has_no_header_bar_above_the_page(seen, docname):
    top = seen("wide", docname)["top"]
    header = top["header"]
    assert header is None or not header["shown"] or header["height"] < 1, (
        f"#pst-header is shown, {header['height']:.0f} px tall, holding {header['html']!r}"
    )
    assert top["scrollY"] == 0 and top["article"] <= 8, (
        f"the article header begins {top['article']:.0f} px below the top of the window"
    )


@pytest.mark.parametrize("docname", PAGES)
def test_phone_search_button_opens_a_field_to_type_into(seen, docname):
    v = seen("phone", docname)
    before = [f["what"] for f in v["before"]["fields"]]
    assert len(before) <= 1, f"search fields visible at 390 px: {before}"
    search = v["search"]
    assert search["controls"] >= 1, "no visible search (magnifier) button at 390 px"
    focused = search["focused"]
    assert focused, "clicking the search button focused no search input"
    assert focused["shown"], "the focused search input is not visible"
    assert focused["value"] == "stride", f"typing into the search input gave {focused['value']!r}"
    after = search["after"]
    assert len(after["inputs"]) <= 1 and len(after["fields"]) <= 1, (
        f"with the search dialog open, visible search inputs {after['inputs']}, fields {after['fields']}"
    )


@pytest.mark.parametrize("width", ["wide", "phone"])
@pytest.mark.parametrize("docname", PAGES)
def test_header_buttons_stay_reachable(seen, width, docname):
    problems = {name: p for name, p in seen(width, docname)["buttons"].items() if p}
    assert not problems, f"header buttons not reachable at {width} width: {problems}"
