"""Give the one-page HTML build (``singlehtml``, which ``make pdf`` prints) every node
handler that extensions registered for ``html``.

Sphinx looks up the handlers of custom nodes by the builder's name first and falls back to
its format ("html") only when no extension registered any handler under that name. As soon as
one extension registers a node for ``singlehtml``, the nodes registered for ``html`` alone
(MyST-NB's collapsed cell input, for one) have no handler there and the build stops. This
copies the missing ones over once every extension is loaded. It does nothing in the website's
build, and is in its configuration too so that the one-page build can reuse the website's
parsed pages (Sphinx reads every page again when the extensions differ).
"""


def _inherit_html_handlers(app):
    handlers = app.registry.translation_handlers
    if "singlehtml" not in handlers:
        return  # Sphinx falls back to the "html" handlers by itself
    for node, functions in handlers.get("html", {}).items():
        handlers["singlehtml"].setdefault(node, functions)


def setup(app):
    app.connect("builder-inited", _inherit_html_handlers)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
