"""The equation index (book/_ext/equation_index.py): every labelled equation of the book has a
companion function that computes it, and that function a test against PyTorch or SciPy."""

import json
import re
import textwrap

import pytest

from _project import ROOT, load_yaml
from book._ext import equation_index as ei


def test_every_labelled_equation_is_computed_and_checked():
    equations = ei.build_index(ROOT)
    missing = ei.problems(equations)
    assert not missing, "\n".join(["The equation index is incomplete:"] + missing)


def test_the_appendix_page_renders_the_index_and_is_in_the_toc():
    text = (ROOT / "book" / "appendix_equations.md").read_text(encoding="utf-8")
    assert "{equation-index}" in text
    assert "book/appendix_equations" in ei.toc_docnames(ROOT)


def test_chapters_are_numbered_and_the_appendix_comes_last():
    parts = load_yaml("_toc.yml")["parts"]
    last = [c["file"] for c in parts[-1]["chapters"]]
    assert "book/appendix_equations" in last and not parts[-1].get("numbered"), "the appendix is the last part"
    for part in parts:
        for chapter in part["chapters"]:
            if re.fullmatch(r"book/\d\d_\w+", chapter["file"]):
                assert part.get("numbered"), f"{chapter['file']} is in the unnumbered part {part['caption']!r}"


# --- the derivation, on a small book made up for the test -------------------------------


def _notebook(path, cells):
    """cells: (kind, source) or (kind, source, metadata)."""
    nb = {
        "cells": [
            {"cell_type": kind, "metadata": meta[0] if meta else {}, "source": src,
             **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for kind, src, *meta in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


@pytest.fixture
def book(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    chapters:\n"
        "      - file: book/01_a\n      - file: book/02_b.md\n"
    )
    (tmp_path / "book" / "intro.md").write_text("# Intro\n\nInline `$$ x $$ (not-an-eq)` is code.\n")
    _notebook(
        tmp_path / "book" / "01_a.ipynb",
        [
            ("code", "import companion\nrng = companion.setup_notebook(seed=0)"),
            ("markdown", "Text\n\n$$\ny = \\max(0, x)\n$$ (eq-relu)\n\nand\n\n$$ s = e^z $$ (eq-softmax)"),
            ("code", "x = 1\ny = companion.relu(x)\nz = companion.softmax(x)"),
            ("markdown", "$$ a $$ (eq-orphan)"),
            ("markdown", "no code after the orphan before the next equation\n\n$$ b $$ (eq-override)"),
            ("code", "v = companion.relu(x)", {"computes": {"eq-override": "companion.activation.tanh"}}),
            ("markdown", "```{math}\n:label: eq-directive\nc\n```\n\n```python\n$$ d $$ (eq-in-code)\n```"),
            ("code", "companion.no_such_function(1)"),
        ],
    )
    (tmp_path / "book" / "02_b.md").write_text(
        "# B\n\n$$ w $$ (eq-md)\n\n```{code-cell} ipython3\nout = companion.sigmoid(0.0)\n```\n"
    )
    (tmp_path / "tests" / "test_x.py").write_text(
        textwrap.dedent(
            """
            import pytest
            import torch
            import companion
            from companion.activation import relu as my_relu
            from scipy.special import expit

            PAIRS = [(companion.tanh, torch.tanh)]

            def _torch_softmax(z):
                return torch.softmax(torch.tensor(z), 0).numpy()

            def test_relu(x=1):
                assert my_relu(x) == torch.relu(torch.tensor(x))

            @pytest.mark.parametrize("ours, theirs", PAIRS)
            def test_pairs(ours, theirs):
                pass

            def test_softmax_through_a_helper():
                assert companion.softmax([1.0]) == _torch_softmax([1.0])

            def test_sigmoid_without_reference():
                assert companion.sigmoid(0.0) == 0.5

            class TestSigmoid:
                def test_against_scipy(self):
                    assert companion.sigmoid(0.0) == expit(0.0)
            """
        )
    )
    return tmp_path


def test_derivation_on_a_small_book(book):
    eqs = {e.label: e for e in ei.build_index(book)}
    assert list(eqs) == ["eq-relu", "eq-softmax", "eq-orphan", "eq-override", "eq-directive", "eq-md"]
    assert eqs["eq-relu"].qualified == eqs["eq-softmax"].qualified == "companion.relu"  # first call counts
    assert eqs["eq-relu"].tests == ["tests/test_x.py::test_relu"]
    assert eqs["eq-orphan"].function is None
    assert eqs["eq-override"].qualified == "companion.activation.tanh"  # from the cell's metadata
    assert eqs["eq-override"].tests == ["tests/test_x.py::test_pairs"]
    assert eqs["eq-directive"].function == "no_such_function" and not eqs["eq-directive"].exists
    assert eqs["eq-md"].docname == "book/02_b" and eqs["eq-md"].function == "sigmoid"
    assert eqs["eq-md"].tests == ["tests/test_x.py::TestSigmoid::test_against_scipy"]
    problems = "\n".join(ei.problems(list(eqs.values())))
    assert "eq-orphan has no companion function" in problems
    assert "companion.no_such_function does not exist" in problems
    assert "eq-relu" not in problems and "eq-md" not in problems


def test_helper_using_torch_counts_as_reference(book):
    index = ei.reference_tests(book)
    assert "tests/test_x.py::test_softmax_through_a_helper" in index["softmax"]
    assert all("test_sigmoid_without_reference" not in t for t in index.get("sigmoid", []))


def test_each_equation_carries_its_formula_and_where_its_function_is_defined(book):
    eqs = {e.label: e for e in ei.build_index(book)}
    assert eqs["eq-relu"].latex == "y = \\max(0, x)"
    assert eqs["eq-softmax"].latex == "s = e^z"
    assert eqs["eq-directive"].latex == "c"
    assert eqs["eq-md"].latex == "w"
    assert eqs["eq-relu"].target == "companion.activation.classic.relu"  # the flat name's definition
    assert eqs["eq-override"].target == "companion.activation.classic.tanh"
    assert eqs["eq-directive"].target is None  # companion.no_such_function
    assert eqs["eq-orphan"].target is None


def test_each_test_carries_the_line_of_its_def(book):
    source = (book / "tests" / "test_x.py").read_text().splitlines()
    eqs = {e.label: e for e in ei.build_index(book)}
    for eq in eqs.values():
        assert set(eq.test_lines) == set(eq.tests)
        for test_id, line in eq.test_lines.items():
            name = test_id.rsplit("::", 1)[-1]
            assert source[line - 1].lstrip().startswith(f"def {name}("), (test_id, source[line - 1])
    # a decorated test: the line of its def, not of its decorator
    line = eqs["eq-override"].test_lines["tests/test_x.py::test_pairs"]
    assert source[line - 2].lstrip().startswith("@pytest.mark.parametrize")


def test_the_test_lines_of_the_book_point_at_their_defs():
    for eq in ei.build_index(ROOT):
        for test_id, line in eq.test_lines.items():
            path, _, name = test_id.partition("::")
            text = (ROOT / path).read_text(encoding="utf-8").splitlines()[line - 1]
            assert re.match(rf"\s*(async\s+)?def {name.rsplit('::', 1)[-1]}\(", text), (test_id, line, text)


def test_callers_name_every_page_that_calls_a_function(book):
    called = ei.callers(book)
    assert called["companion.activation.classic.relu"] == ["book/01_a"]
    assert called["companion.activation.classic.sigmoid"] == ["book/02_b"]
    assert called["companion.notebook.setup_notebook"] == ["book/01_a"]
    assert not any("no_such_function" in target for target in called)


def test_definition_resolves_flat_and_qualified_names():
    assert ei.definition(".conv2d") == "companion.convolution.layer.conv2d"
    assert ei.definition(".convolution.conv2d") == "companion.convolution.layer.conv2d"
    assert ei.definition(".convolution.layer.conv2d") == "companion.convolution.layer.conv2d"
    assert ei.definition(".TinyCNN") == "companion.model.TinyCNN"
    assert ei.definition(".no_such_function") is None
    assert ei.definition(".convolution") is None  # a module is not a function
