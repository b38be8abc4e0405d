"""The reference of the companion: one page per module, grouped by chapter, each function
linked back to the equations it computes and to the chapters that call it.

The pages are ``book/reference/<module>.md``, each an ``automodule`` of one module (autodoc
with Napoleon for the numpydoc sections, viewcode for the highlighted source). The list of
those pages is the ``sections`` of ``book/appendix_reference`` in ``_toc.yml``, and nowhere
else; ``tests/test_companion_reference.py`` fails when a public module or name of the
companion is missing from it.

Nothing here is typed by hand; the links come from the data of the index of equations
(``equation_index.build_index`` for the equations, ``equation_index.callers`` for the pages
that call each function):

* ``autodoc-process-docstring`` appends to the docstring of every function and class the
  equations it computes (``:eq:`` references) and the chapters whose code calls it, and to a
  module's docstring the chapters that call any of its names;
* the ``companion-reference`` directive renders, on the appendix page, the table of chapters
  and the modules each one introduces (the first chapter that calls a name of the module).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

try:  # as a Sphinx extension, with book/_ext on sys.path
    import equation_index as ei
except ImportError:  # as book._ext.companion_reference, in the tests
    from . import equation_index as ei

REFERENCE_PAGE = "book/appendix_reference"
_AUTOMODULE = re.compile(r"^\.\.\s+automodule::\s*(\S+)", re.M)


def reference_pages(root: Path) -> list[str]:
    """The docnames of the module pages: the sections of book/appendix_reference in _toc.yml."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    found = []

    def walk(entries):
        for entry in entries or []:
            if entry.get("file", "").removesuffix(".md") == REFERENCE_PAGE:
                found.extend(s["file"].removesuffix(".md") for s in entry.get("sections") or [] if "file" in s)
            walk(entry.get("sections"))

    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return found


def documented_modules(root: Path) -> dict[str, str]:
    """module name ("companion.convolution.layer") -> docname of the page that documents it."""
    out = {}
    for docname in reference_pages(root):
        path = Path(root) / (docname + ".md")
        if path.exists():
            for module in _AUTOMODULE.findall(path.read_text(encoding="utf-8")):
                out[module] = docname
    return out


def chapter_number(docname: str) -> str | None:
    """ "7" for book/07_backpropagation; None for a page that is not a numbered chapter."""
    m = re.fullmatch(r"(?:.*/)?(\d\d)_\w+", docname)
    return str(int(m.group(1))) if m else None


def backlinks(equations, called) -> dict[str, dict[str, list[str]]]:
    """definition ("companion.convolution.layer.conv2d") -> {"equations": [labels], "chapters":
    [docnames]}: what the index of equations and the chapters' code cells say of each name.
    Only numbered chapters count as callers."""
    out: dict[str, dict[str, list[str]]] = {}
    for eq in equations:
        if eq.target:
            entry = out.setdefault(eq.target, {"equations": [], "chapters": []})
            if eq.label not in entry["equations"]:
                entry["equations"].append(eq.label)
    for target, docnames in called.items():
        entry = out.setdefault(target, {"equations": [], "chapters": []})
        entry["chapters"] = [d for d in docnames if chapter_number(d)]
    return out


def home_chapters(modules, called, chapters) -> dict[str, str | None]:
    """module -> the first chapter (in reading order) whose code calls one of its names."""
    order = {d: i for i, d in enumerate(chapters)}
    out = {}
    for module in modules:
        pages = {d for target, ds in called.items() if target.startswith(module + ".") for d in ds if d in order}
        out[module] = min(pages, key=order.get) if pages else None
    return out


def docstring_lines(name: str, what: str, links: dict) -> list[str]:
    """The reST lines appended to the docstring of ``name``: its equations and chapters."""
    if what == "module":
        chapters = []
        for target, entry in links.items():
            if target.startswith(name + "."):
                chapters += [d for d in entry["chapters"] if d not in chapters]
        chapters.sort()
        if not chapters:
            return []
        return ["", ".. rubric:: In the book", "", "Called in " + _docs(chapters) + "."]
    entry = links.get(name)
    if not entry or not (entry["equations"] or entry["chapters"]):
        return []
    lines = ["", ".. rubric:: In the book", ""]
    if entry["equations"]:
        eqs = ", ".join(f":eq:`{label}`" for label in entry["equations"])
        lines += [("Computes equation " if len(entry["equations"]) == 1 else "Computes equations ") + eqs + ".", ""]
    if entry["chapters"]:
        lines += ["Called in " + _docs(entry["chapters"]) + ".", ""]
    return lines


def _docs(docnames) -> str:
    """ "chapter 2, chapter 5" as links to the chapters."""
    return ", ".join(f":doc:`chapter {chapter_number(d)} </{d}>`" for d in docnames)


# --- Sphinx ------------------------------------------------------------------------------


def _data(app):
    """The index of equations and the callers, read once per build."""
    if getattr(app, "_companion_reference", None) is None:
        root = Path(app.srcdir)
        docnames = ei.toc_docnames(root)
        equations = ei.build_index(root, docnames)
        called = ei.callers(root, docnames)
        app._companion_reference = (equations, called, docnames)
    return app._companion_reference


def forget_foreign_documents(doctree) -> int:
    """Detach the nodes of a page from any document other than the page's own; return how many.

    Autodoc inside MyST's ``{eval-rst}`` parses each signature in a document of its own, and
    its ``desc_signature`` nodes keep a reference to that document, whose settings hold the
    whole build environment. Pickled with the page, it made every reference page's doctree
    4.5 MB (the environment, again and again), and reading them back dominated the one-page
    build of the PDF. A node without a document of its own takes its parent's.
    """
    count = 0
    for node in doctree.findall():
        own = node.__dict__.get("_document")
        if own is not None and own is not doctree:
            node._document = None
            count += 1
    return count


def setup(app):
    from docutils import nodes
    from docutils.parsers.rst import Directive
    from sphinx import addnodes

    from _nodes import paragraph, table

    def process_docstring(app, what, name, obj, options, lines):
        equations, called, _ = _data(app)
        lines.extend(docstring_lines(name, what, backlinks(equations, called)))

    class CompanionReference(Directive):
        """The table of chapters and the modules each introduces, with links to their pages."""

        has_content = False

        def run(self):
            env = self.state.document.settings.env
            root = Path(env.srcdir)
            _, called, docnames = _data(env.app)
            pages = documented_modules(root)
            chapters = [d for d in docnames if chapter_number(d)]
            home = home_chapters(pages, called, chapters)

            def doc(target, text=None):
                inner = nodes.literal(text=text) if text else nodes.inline(text="")
                return addnodes.pending_xref(
                    "", inner, refdomain="std", reftype="doc", reftarget="/" + target,
                    refdoc=env.docname, refexplicit=bool(text), refwarn=True,
                )

            rows = []
            for chapter in chapters + [None]:
                modules = [m for m in pages if home[m] == chapter]
                if not modules:
                    continue
                first = paragraph(f"{chapter_number(chapter)}. ", doc(chapter)) if chapter else paragraph("Not called in a chapter")
                listing = paragraph()
                for i, module in enumerate(modules):
                    if i:
                        listing += nodes.Text(", ")
                    listing += doc(pages[module], module)
                rows.append([first, listing])
            return [table(["Chapter", "Modules it introduces"], rows, (1, 1), ["companion-reference"])]

    def outdated(app, env, added, changed, removed):
        # The back-links depend on every chapter: read the reference again on every build.
        return [d for d in env.found_docs if d == REFERENCE_PAGE or d.startswith("book/reference/")]

    def flat_name(app, env, node, contnode):
        """A docstring's ``companion.conv2d`` or ``conv2d`` (the flat name a reader writes) links
        to where the reference documents it, ``companion.convolution.layer.conv2d``."""
        if node.get("refdomain") != "py":
            return None
        target = node["reftarget"].removeprefix("~")
        name = target.removeprefix("companion.")
        if "." in name:  # companion.plotting.show_image: the last part, if it is flat
            name = name.rsplit(".", 1)[-1]
        defined = ei.definition("." + name)
        if defined is None or defined == target:
            return None
        domain = env.get_domain("py")
        found = domain.resolve_any_xref(env, node["refdoc"], app.builder, defined, node, contnode)
        return found[0][1] if found else None

    def add_static(app):
        static = str(Path(__file__).parent / "static")
        if static not in app.config.html_static_path:
            app.config.html_static_path.append(static)

    def nitpick_pairs(app, config):
        # _config.yml can only write lists; Sphinx compares (type, target) tuples.
        config.nitpick_ignore = {tuple(pair) for pair in config.nitpick_ignore}

    app.connect("config-inited", nitpick_pairs)
    app.connect("builder-inited", add_static)
    app.add_css_file("companion_reference.css")
    app.connect("autodoc-process-docstring", process_docstring, priority=600)  # after Napoleon
    app.connect("missing-reference", flat_name)
    app.connect("env-get-outdated", outdated)
    app.connect("doctree-read", lambda app, doctree: forget_foreign_documents(doctree))
    app.add_directive("companion-reference", CompanionReference)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
