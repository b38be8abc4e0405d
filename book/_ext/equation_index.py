"""The equation index: every labelled equation of the book, the companion function that
computes it, and the tests that hold that function to PyTorch or SciPy.

Nothing here is typed by hand; it is all read from the sources at build time:

* **Equations** are the labelled display equations of every page in ``_toc.yml``:
  MyST ``$$ ... $$ (label)`` and ``{math}`` directives with a ``:label:`` option, in the
  markdown cells of notebooks and in ``.md`` pages.
* **Function.** The first code cell after the equation (before the next labelled equation)
  that calls ``companion.<name>(...)`` names the function; if that cell calls several, the
  first call counts. For the rare cell whose first call is not the equation's, the cell's
  metadata names the function instead, where a reader does not see it:
  ``"computes": {"<label>": "companion.<name>"}`` (Jupyter and Colab keep cell metadata).
* **Tests** are the ``test_*`` functions under ``tests/`` that use that function (call it, or
  pass it as a parameter, directly or through a module-level table) and also use ``torch``
  or ``scipy`` (directly, or through a module-level helper that does).

As a Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``) it provides the
``equation-index`` directive, which renders the table; ``tests/test_equation_index.py``
fails when an equation has no function or a function has no test.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REFERENCE_MODULES = ("torch", "scipy")

# $$ ... $$ (label): the label follows the closing $$ on the same line.
_DOLLAR_EQ = re.compile(r"\$\$(?P<body>.+?)\$\$[ \t]*\((?P<label>[^()\s]+)\)", re.S)
# ```{math} / :::{math} with a :label: option.
_MATH_DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{math\}[^\n]*\n(?P<opts>(?:[ \t]*:[\w-]+:[^\n]*\n)*)", re.M
)
_LABEL_OPT = re.compile(r"^[ \t]*:label:[ \t]*(\S+)", re.M)
_COMPANION_CALL = re.compile(r"\bcompanion((?:\.[A-Za-z_]\w*)+)\s*\(")
# Code fences of a .md page: ```{code-cell} and ```python blocks are code; others are prose.
_INLINE_CODE = re.compile(r"(?<!`)(`{1,2})(?!`)[^\n]+?(?<!`)\1(?!`)")
_MD_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)


@dataclass
class Equation:
    label: str
    docname: str  # e.g. "book/02_convolution"
    function: str | None = None  # e.g. "conv2d" (the attribute of companion)
    qualified: str | None = None  # e.g. "companion.convolution.conv2d" as written
    exists: bool = False  # the function resolves to a callable in the installed companion
    tests: list[str] = field(default_factory=list)  # "tests/test_x.py::test_y"
    latex: str = ""  # the equation itself, as written between the $$
    target: str | None = None  # where the function is defined, "companion.convolution.layer.conv2d"
    test_lines: dict[str, int] = field(default_factory=dict)  # test id -> line of its `def`


# --- pages and their cells ---------------------------------------------------------------


def toc_docnames(root: Path) -> list[str]:
    """Every `file:` of _toc.yml (without extension), the root first, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(n).with_suffix("")) if Path(n).suffix in (".md", ".ipynb") else n for n in names]


def source_path(root: Path, docname: str) -> Path | None:
    for suffix in (".ipynb", ".md"):
        path = root / (docname + suffix)
        if path.exists():
            return path
    return None


def cells(path: Path) -> list[tuple[str, str]]:
    """(kind, text) pairs, kind "markdown" or "code", in order."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        out = []
        for cell in nb.get("cells", []):
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            if cell.get("cell_type") == "code":
                out.append(("code", src))
            elif cell.get("cell_type") == "markdown":
                out.append(("markdown", src))
        return out
    text = path.read_text(encoding="utf-8")
    out, pos = [], 0
    for m in _MD_FENCE.finditer(text):
        info = m.group("info").strip()
        if info.startswith("{code-cell}") or info.split()[:1] in (["python"], ["ipython3"], ["py"]):
            out.append(("markdown", text[pos : m.start()]))
            out.append(("code", m.group("body")))
            pos = m.end()
    out.append(("markdown", text[pos:]))
    return out


def _strip_code_fences(markdown: str) -> str:
    """Markdown without backtick/tilde code blocks that are not math directives."""

    def repl(m):
        return m.group(0) if m.group("info").strip().startswith("{math}") else ""

    text = _MD_FENCE.sub(repl, markdown)
    return _INLINE_CODE.sub("", text)


def equations_in(markdown: str) -> list[tuple[str, str]]:
    """(label, LaTeX) of the display equations of a markdown text, in order of appearance."""
    text = _strip_code_fences(markdown)
    found = [(m.start(), m.group("label"), m.group("body").strip()) for m in _DOLLAR_EQ.finditer(text)]
    for m in _MATH_DIRECTIVE.finditer(text):
        opt = _LABEL_OPT.search(m.group("opts"))
        if opt:
            end = text.find("\n" + m.group("fence"), m.end() - 1)
            body = text[m.end() : end if end >= 0 else len(text)]
            found.append((m.start(), opt.group(1), body.strip()))
    return [(label, body) for _, label, body in sorted(found)]


def labels_in(markdown: str) -> list[str]:
    """The labels of the display equations of a markdown text, in order of appearance."""
    return [label for label, _ in equations_in(markdown)]


def _lookup(dotted: str):
    """The object companion<dotted> (".conv2d", ".convolution.conv2d"), or None."""
    try:
        obj = importlib.import_module("companion")
    except ImportError:  # pragma: no cover - the companion is installed wherever the book builds
        return None
    for part in dotted.strip(".").split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
            except (ImportError, AttributeError):
                return None
    return obj


def _resolve(dotted: str) -> bool:
    """Whether companion<dotted> (".conv2d", ".convolution.conv2d") is a callable."""
    return callable(_lookup(dotted))


def definition(dotted: str) -> str | None:
    """Where the callable companion<dotted> is defined ("companion.convolution.layer.conv2d"):
    the name under which the reference of the companion documents it."""
    obj = _lookup(dotted)
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not callable(obj) or not module or not qualname or not module.startswith("companion"):
        return None
    return f"{module}.{qualname}"


def computes_metadata(path: Path) -> dict[str, str]:
    """{label: ".name"} from the ``computes`` metadata of a notebook's code cells."""
    if path.suffix != ".ipynb":
        return {}
    out = {}
    for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
        for label, dotted in (cell.get("metadata", {}).get("computes") or {}).items():
            if not (isinstance(dotted, str) and dotted.startswith("companion.")):
                raise ValueError(f"{path.name}: computes metadata {label!r} -> {dotted!r} must name companion.<name>")
            out[label] = dotted[len("companion"):]
    return out


def equations_of(root: Path, docname: str) -> list[Equation]:
    path = source_path(root, docname)
    if path is None:
        return []
    page = cells(path)
    overrides = computes_metadata(path)
    result = []
    for i, (kind, text) in enumerate(page):
        if kind != "markdown":
            continue
        for label, latex in equations_in(text):
            eq = Equation(label=label, docname=docname, latex=latex)
            dotted = overrides.get(label)
            if dotted is None:
                for kind2, text2 in page[i + 1 :]:
                    if kind2 == "markdown" and labels_in(text2):
                        break  # the next equation starts: this one had no code
                    if kind2 == "code":
                        m = _COMPANION_CALL.search(text2)
                        if m:
                            dotted = m.group(1)
                            break
            if dotted is not None:
                eq.qualified = "companion" + dotted
                eq.function = dotted.rsplit(".", 1)[-1]
                eq.exists = _resolve(dotted)
                eq.target = definition(dotted)
            result.append(eq)
    return result


# --- tests -------------------------------------------------------------------------------


class _TestModule:
    """What one test file imports and which test functions use which companion functions."""

    def __init__(self, path: Path):
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.companion_names = {}  # local name -> companion attribute ("relu") or "" for a module
        self.reference_names = set()  # local names bound to torch/scipy (modules or objects)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    local = alias.asname or top
                    if top == "companion":
                        self.companion_names[local] = ""
                    elif top in REFERENCE_MODULES:
                        self.reference_names.add(local)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                for alias in node.names:
                    local = alias.asname or alias.name
                    if top == "companion":
                        is_module = node.module == "companion" and _is_submodule(alias.name)
                        self.companion_names[local] = "" if is_module else alias.name
                    elif top in REFERENCE_MODULES:
                        self.reference_names.add(local)
        self.top_level = {}  # module-level name -> node (functions, assignments)
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.top_level[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            self.top_level[n.id] = node

    def _direct(self, node) -> tuple[set[str], bool, set[str]]:
        """(companion functions used, uses torch/scipy, module-level names used) in node."""
        functions, reference, names = set(), False, set()
        for n in ast.walk(node):
            if isinstance(n, ast.Name):
                if n.id in self.reference_names:
                    reference = True
                if self.companion_names.get(n.id):
                    functions.add(self.companion_names[n.id])
                if n.id in self.top_level:
                    names.add(n.id)
            elif isinstance(n, ast.Attribute):
                base = n.value
                if isinstance(base, ast.Name) and base.id in self.companion_names and not self.companion_names[base.id]:
                    functions.add(n.attr)
                # companion.convolution.conv2d
                if isinstance(base, ast.Attribute):
                    root = base
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    if isinstance(root, ast.Name) and self.companion_names.get(root.id) == "":
                        functions.add(n.attr)
        return functions, reference, names

    def _closure(self, node, seen=None) -> tuple[set[str], bool]:
        seen = set() if seen is None else seen
        functions, reference, names = self._direct(node)
        for name in names - seen:
            seen.add(name)
            f, r = self._closure(self.top_level[name], seen)
            functions |= f
            reference = reference or r
        return functions, reference

    def tests(self, root: Path):
        rel = self.path.relative_to(root).as_posix()

        def visit(body, prefix):
            for node in body:
                if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                    yield from visit(node.body, f"{prefix}{node.name}::")
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                    functions, reference = self._closure(node, {node.name})
                    yield f"{rel}::{prefix}{node.name}", functions, reference, node.lineno

        yield from visit(self.tree.body, "")


def _is_submodule(name: str) -> bool:
    try:
        return importlib.util.find_spec(f"companion.{name}") is not None
    except (ImportError, ValueError):  # pragma: no cover
        return False


def reference_tests(root: Path, lines: dict[str, int] | None = None) -> dict[str, list[str]]:
    """companion function name -> ids of the tests that use it and torch or scipy. If given,
    ``lines`` receives the line of each test's ``def`` (test id -> line number, from 1)."""
    index: dict[str, list[str]] = {}
    for path in sorted((root / "tests").rglob("test_*.py")):
        if "site" in path.relative_to(root / "tests").parts[:1]:
            continue  # the browser tests check the website, not the companion
        try:
            module = _TestModule(path)
        except SyntaxError:
            continue  # a file being edited; pytest reports it on its own
        for test_id, functions, reference, line in module.tests(root):
            if lines is not None:
                lines[test_id] = line
            if reference:
                for f in functions:
                    index.setdefault(f, []).append(test_id)
    return index


def build_index(root: Path, docnames: list[str] | None = None) -> list[Equation]:
    """Every labelled equation of the book (of `docnames`, default every page of _toc.yml),
    in reading order, with function and tests."""
    root = Path(root)
    lines: dict[str, int] = {}
    tests = reference_tests(root, lines)
    equations = []
    for docname in toc_docnames(root) if docnames is None else docnames:
        for eq in equations_of(root, docname):
            if eq.function:
                eq.tests = tests.get(eq.function, [])
                eq.test_lines = {t: lines[t] for t in eq.tests}
            equations.append(eq)
    return equations


def callers(root: Path, docnames: list[str] | None = None) -> dict[str, list[str]]:
    """Where the companion is defined -> the pages whose code cells call it: for every
    ``companion.<name>(`` of a page (``companion.convolution.conv2d(`` too), the definition
    of that name ("companion.convolution.layer.conv2d") -> the docnames that call it, in reading
    order. Names that resolve to nothing callable are left out."""
    root = Path(root)
    found: dict[str, list[str]] = {}
    for docname in toc_docnames(root) if docnames is None else docnames:
        path = source_path(root, docname)
        if path is None:
            continue
        for kind, text in cells(path):
            if kind != "code":
                continue
            for m in _COMPANION_CALL.finditer(text):
                target = definition(m.group(1))
                if target and docname not in found.setdefault(target, []):
                    found[target].append(docname)
    return found


def problems(equations: list[Equation]) -> list[str]:
    """One line for each equation that lacks a function or whose function lacks a test."""
    out = []
    for eq in equations:
        where = f"{eq.docname}: equation {eq.label}"
        if eq.function is None:
            out.append(f"{where} has no companion function (no code cell after it calls companion.<name>(...))")
        elif not eq.exists:
            out.append(f"{where}: {eq.qualified} does not exist in the companion")
        elif not eq.tests:
            out.append(f"{where}: {eq.qualified} has no test under tests/ that also uses torch or scipy")
    return out


# --- Sphinx ------------------------------------------------------------------------------


def setup(app):
    from docutils import nodes
    from docutils.parsers.rst import Directive
    from sphinx import addnodes

    from _nodes import reread_every_build, repository_link, table

    class EquationIndex(Directive):
        """The table of the equation index, built from the sources at build time."""

        has_content = False

        def run(self):
            env = self.state.document.settings.env
            root = Path(env.srcdir)
            # The pages this build reads, in the order of _toc.yml (which an author may be
            # editing while the book builds: Sphinx's own list of documents decides).
            known = env.found_docs
            docnames = [d for d in toc_docnames(root) if d in known]
            docnames += sorted(d for d in known if d not in docnames and d != env.docname)
            equations = build_index(root, docnames)
            if not equations:
                return [nodes.paragraph(text="The book has no labelled equations yet.")]
            rows = []
            for eq in equations:
                page = nodes.paragraph()
                page += addnodes.pending_xref(
                    "", nodes.inline(text=eq.docname), refdomain="std", reftype="doc",
                    reftarget="/" + eq.docname, refdoc=env.docname, refexplicit=False, refwarn=True,
                )
                equation = nodes.paragraph()
                equation += addnodes.pending_xref(
                    "", nodes.inline(text=eq.label), refdomain="math", reftype="eq",
                    reftarget=eq.label, refdoc=env.docname, refexplicit=False, refwarn=True,
                )
                equation = [equation, page, nodes.paragraph("", "", nodes.literal(text=eq.label))]
                # The formula itself, typeset as on its page, on its own line under the row of
                # its label, across the whole table; a long one scrolls sideways
                # (equation_index.css), so that no row grows taller than one formula.
                formula = nodes.math_block(eq.latex, eq.latex, nowrap=False, number=None, label=None,
                                           docname=env.docname)
                function = nodes.paragraph()
                if eq.function and eq.target:  # linked to its entry in the reference of the companion
                    function += addnodes.pending_xref(
                        "", nodes.literal(text=eq.qualified), refdomain="py", reftype="obj",
                        reftarget=eq.target, refdoc=env.docname, refexplicit=True, refwarn=True,
                    )
                elif eq.function:
                    function += nodes.literal(text=eq.qualified)
                    function += nodes.Text(" (missing)")
                else:
                    function += nodes.emphasis(text="none yet")
                checked = []
                shown = 3  # the first few tests; the count of the rest keeps the table readable
                for test_id in eq.tests[:shown]:  # one paragraph per test: file, then the test's name
                    path, _, name = test_id.partition("::")
                    line = nodes.paragraph()
                    fragment = f"L{eq.test_lines[test_id]}" if test_id in eq.test_lines else ""
                    line += repository_link(env, path, nodes.literal(text=name), fragment)
                    line += nodes.inline(text=f" in {Path(path).name}", classes=["equation-index-file"])
                    checked.append(line)
                if len(eq.tests) > shown:
                    checked.append(nodes.paragraph(text=f"and {len(eq.tests) - shown} more"))
                if not checked:
                    checked = [nodes.paragraph("", "", nodes.emphasis(text="none yet"))]
                head = nodes.row(classes=["equation-index-head"])
                head += [nodes.entry("", *equation), nodes.entry("", function), nodes.entry("", *checked)]
                under = nodes.row(classes=["equation-index-formula"])
                under += nodes.entry("", formula, morecols=2)
                rows += [head, under]
            return [table(["Equation", "Computed by", "Checked by"], rows, (4, 4, 7), ["equation-index"])]

    def add_static(app):
        app.config.html_static_path.append(str(Path(__file__).parent / "static"))

    app.add_directive("equation-index", EquationIndex)
    app.connect("builder-inited", add_static)
    app.add_css_file("equation_index.css")
    # The index depends on every page and on the tests: read it again on every build.
    reread_every_build(app, "appendix_equations")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
