"""No pydata-sphinx-theme header bar above the book: one search field, in the sidebar.

sphinx-book-theme keeps its search field at the top of the left sidebar and its buttons
(sidebar toggle, repository, download, Colab, light/dark, and the magnifier that opens the
search dialog on narrow screens) in the article header; it leaves pydata-sphinx-theme's own
header bar (``#pst-header``) empty. Since pydata-sphinx-theme 0.17 that bar's
``navbar_persistent`` slot defaults, in Python, to a search field whenever the book's
``html_theme_options`` do not name it, which overrides sphinx-book-theme's empty default: every
page then showed a second search field in a band 64 px high across the top of wide screens.

Jupyter Book builds ``html_theme_options`` from ``_config.yml`` (launch buttons, repository,
the ``html:`` buttons); setting it under ``sphinx: config:`` would replace all of that. This
extension adds the one key, an empty ``navbar_persistent``, before the theme reads the options,
unless the configuration names it already; the header bar then has nothing to show and takes
no height. tests/site/test_search_field.py checks both widths in a browser.
"""


def _no_header_search(app, config):
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _no_header_search)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
