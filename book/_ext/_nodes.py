"""What the book's two generated pages share (the equation index and the benchmark report):
docutils tables, links into the book's repository, and being read again on every build.

Imported by the Sphinx extensions of this folder (``equation_index``, ``benchmark_report``),
which Sphinx loads with this folder on ``sys.path``.
"""

from __future__ import annotations

from docutils import nodes


def paragraph(*parts):
    """A paragraph of text and inline nodes, in order."""
    p = nodes.paragraph()
    for part in parts:
        p += part if isinstance(part, nodes.Node) else nodes.Text(part)
    return p


def _entry(cell):
    """A table entry: a node as is, a list of nodes one after the other, anything else as text."""
    if isinstance(cell, (list, tuple)):
        return nodes.entry("", *cell)
    return nodes.entry("", cell if isinstance(cell, nodes.Element) else paragraph(str(cell)))


def table(headers, rows, widths, classes=(), title=None):
    """A docutils table: a header row of ``headers``, then ``rows`` (lists of cells, see
    :func:`_entry`, or ready ``nodes.row``), columns in the proportions ``widths``."""
    t = nodes.table(classes=list(classes))
    if title is not None:
        t += nodes.title(text=title)
    group = nodes.tgroup(cols=len(headers))
    t += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for h in headers:
        row += nodes.entry("", paragraph(h))
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        if isinstance(cells, nodes.row):  # a row made by the caller (classes, spanned cells)
            body += cells
            continue
        row = nodes.row()
        for cell in cells:
            row += _entry(cell)
        body += row
    return t


def repository_url(env, path, fragment=""):
    """The address of ``path`` (relative to the repository root) on the repository's website,
    as ``_config.yml`` names it (``<url>/blob/<branch>/<path>#<fragment>``); None when no
    repository is configured."""
    theme = getattr(env.config, "html_theme_options", {}) or {}
    repo, branch = theme.get("repository_url", ""), theme.get("repository_branch", "main")
    if not repo:
        return None
    return f"{repo.rstrip('/')}/blob/{branch}/{path}" + (f"#{fragment}" if fragment else "")


def repository_link(env, path, label, fragment=""):
    """``label`` linked to ``path`` (relative to the repository root) on the repository's
    website, at ``fragment`` (``L12``: its line 12) if given; ``label`` alone when no
    repository is configured."""
    url = repository_url(env, path, fragment)
    if url is None:
        return label
    return nodes.reference("", "", label, refuri=url)


def reread_every_build(app, page):
    """Read the page whose name ends with ``page`` on every build: it is generated from files
    (tests, result files) that Sphinx does not know it depends on."""

    def outdated(app, env, added, changed, removed):
        return [d for d in env.found_docs if d.endswith(page)]

    app.connect("env-get-outdated", outdated)
