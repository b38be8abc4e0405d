"""Drop repeated inline scripts from every page.

With Sphinx 7.4, an inline script that an extension adds in `env-before-read-docs` (here
sphinx-thebe's `const THEBE_JS_URL = ...`) reaches each page twice; the second `const` throws
"Identifier 'THEBE_JS_URL' has already been declared" in the reader's browser console, which
the browser tests (tests/site) rightly report. Sphinx deduplicates scripts by file name only,
and counts an inline script once as `None` and once as `""`; this extension removes exact
repeats (same file name, same attributes, same body).
"""


def _unique(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        filename = getattr(script, "filename", script) or ""  # None and "" both mean inline
        key = (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _unique, priority=999)  # after every handler that adds scripts
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
