"""The reference of the companion (book/_ext/companion_reference.py): every public module and
every public name of the companion has its page, and the back-links to equations and
chapters come from the data of the index of equations."""

import importlib
import pkgutil

import pytest

import companion
from _project import ROOT
from book._ext import companion_reference as cr
from book._ext import equation_index as ei


def public_modules():
    """Every module of the companion whose dotted name has no private part, packages left out
    (``companion.plotting`` and ``companion.checks`` only gather their modules' names)."""
    found = []
    for info in pkgutil.walk_packages(companion.__path__, "companion."):
        if info.ispkg or any(part.startswith("_") for part in info.name.split(".")):
            continue
        found.append(info.name)
    return sorted(found)


def public_names():
    """Every public name of ``companion`` (the flat namespace a chapter uses), modules aside."""
    names = [n for n in dir(companion) if not n.startswith("_")]
    return [n for n in names if not type(getattr(companion, n)).__name__ == "module"]


DOCUMENTED = cr.documented_modules(ROOT)


def test_every_page_of_the_reference_exists_and_documents_one_module():
    pages = cr.reference_pages(ROOT)
    assert pages, "_toc.yml lists no sections under book/appendix_reference"
    for docname in pages:
        path = ROOT / (docname + ".md")
        assert path.exists(), f"_toc.yml lists {docname}, but {path.name} does not exist"
        modules = cr._AUTOMODULE.findall(path.read_text(encoding="utf-8"))
        assert len(modules) == 1, f"{docname} should document exactly one module, it has {modules}"
        importlib.import_module(modules[0])  # the module exists
    assert len(set(DOCUMENTED.values())) == len(pages)


@pytest.mark.parametrize("module", public_modules())
def test_every_public_module_has_a_page(module):
    assert module in DOCUMENTED, (
        f"{module} is not in the reference of the companion: add book/reference/"
        f"{module.removeprefix('companion.').replace('.', '_')}.md (copy another page of that folder) "
        "and list it in _toc.yml under book/appendix_reference, after the modules of the chapter "
        "before the one that introduces it"
    )
    assert hasattr(importlib.import_module(module), "__all__"), f"{module} has no __all__: autodoc documents __all__"


@pytest.mark.parametrize("name", public_names())
def test_every_public_name_is_documented(name):
    obj = getattr(companion, name)
    module = getattr(obj, "__module__", None)
    if not (isinstance(module, str) and module.startswith("companion.")):  # a constant: KERNELS
        mods = [importlib.import_module(m) for m in public_modules()]
        module = next((m.__name__ for m in mods if name in getattr(m, "__all__", ()) and getattr(m, name) is obj), None)
    assert module in DOCUMENTED, f"companion.{name} is defined in {module}, which has no page in the reference"
    assert name in importlib.import_module(module).__all__, (
        f"companion.{name} is not in {module}.__all__, so its page leaves it out"
    )


def test_no_page_documents_a_module_that_is_gone():
    gone = sorted(set(DOCUMENTED) - set(public_modules()))
    assert not gone, f"the reference documents modules that are not public modules of the companion: {gone}"


# --- the back-links, from the data of the index of equations ----------------------------


def test_backlinks_join_equations_and_callers():
    equations = [
        ei.Equation("eq-a", "book/02_x", function="conv2d", target="companion.convolution.layer.conv2d"),
        ei.Equation("eq-b", "book/05_y", function="conv2d", target="companion.convolution.layer.conv2d"),
        ei.Equation("eq-c", "book/05_y", function=None),
    ]
    called = {"companion.convolution.layer.conv2d": ["book/02_x", "book/notation", "book/05_y"], "companion.data.digits": ["book/01_z"]}
    links = cr.backlinks(equations, called)
    assert links["companion.convolution.layer.conv2d"] == {"equations": ["eq-a", "eq-b"], "chapters": ["book/02_x", "book/05_y"]}
    assert links["companion.data.digits"] == {"equations": [], "chapters": ["book/01_z"]}

    lines = "\n".join(cr.docstring_lines("companion.convolution.layer.conv2d", "function", links))
    assert "Computes equations :eq:`eq-a`, :eq:`eq-b`." in lines
    assert "Called in :doc:`chapter 2 </book/02_x>`, :doc:`chapter 5 </book/05_y>`." in lines
    one = "\n".join(cr.docstring_lines("companion.data.digits", "function", links))
    assert "Computes" not in one and ":doc:`chapter 1 </book/01_z>`" in one
    assert cr.docstring_lines("companion.data.other", "function", links) == []
    module = "\n".join(cr.docstring_lines("companion.convolution.layer", "module", links))
    assert "Called in :doc:`chapter 2 </book/02_x>`, :doc:`chapter 5 </book/05_y>`." in module


def test_home_chapter_is_the_first_that_calls_the_module():
    called = {
        "companion.convolution.layer.conv2d": ["book/05_y", "book/02_x"],
        "companion.convolution.layer.im2col": ["book/07_z"],
        "companion.pooling.max_pool2d": ["book/notation"],
    }
    home = cr.home_chapters(["companion.convolution.layer", "companion.pooling"], called, ["book/02_x", "book/05_y", "book/07_z"])
    assert home == {"companion.convolution.layer": "book/02_x", "companion.pooling": None}


def test_chapter_number():
    assert cr.chapter_number("book/07_backpropagation") == "7"
    assert cr.chapter_number("book/appendix_equations") is None


def test_the_book_links_conv2d_backward_to_chapter_7():
    equations = ei.build_index(ROOT)
    links = cr.backlinks(equations, ei.callers(ROOT))
    entry = links["companion.backprop.conv.conv2d_backward"]
    assert entry["equations"], "no equation of the book is computed by conv2d_backward"
    assert "book/07_backpropagation" in entry["chapters"]


def test_a_page_keeps_no_foreign_document():
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    page = new_document("page", get_default_settings(Parser))
    other = new_document("other", get_default_settings(Parser))
    section = nodes.section()
    signature = nodes.paragraph(text="f(x)")
    signature.document = other  # as autodoc's nested parse leaves it
    section += signature
    page += section
    assert signature.document is other
    assert cr.forget_foreign_documents(page) == 1
    assert signature.document is page and section.document is page
    assert cr.forget_foreign_documents(page) == 0
