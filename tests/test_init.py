"""companion/__init__.py: the flat names the book uses, a light import, and the package's shape
(no import cycle, no private name taken from a sibling module)."""

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import companion
from _project import BOOK

PACKAGE = Path(companion.__file__).resolve().parent


def test_import_companion_does_not_import_torch():
    code = "import sys, companion; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_import_companion_imports_neither_matplotlib_nor_scipy_nor_keras():
    code = "import sys, companion; print(sorted(m for m in ('matplotlib', 'scipy', 'keras') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_torch_backed_names_load_on_first_use():
    from companion import torch_models

    for name in torch_models.__all__:
        assert name in dir(companion)
        assert getattr(companion, name) is getattr(torch_models, name)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        companion.no_such_name  # noqa: B018


def _code_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def test_every_name_the_book_calls_is_a_flat_name():
    used = set()
    for path in sorted(BOOK.glob("*.ipynb")):
        for source in _code_cells(path):
            used |= set(re.findall(r"\bcompanion\.([A-Za-z_]\w*)", source))
    assert used, "the notebooks use no companion names"
    assert not sorted(n for n in used if n.startswith("_")), "a notebook uses a private name"
    assert sorted(n for n in used if not hasattr(companion, n)) == []


def test_every_public_name_of_the_modules_is_re_exported():
    modules = [companion.representation, companion.data, companion.convolution, companion.filters,
               companion.activation, companion.pooling, companion.layers, companion.backprop,
               companion.training, companion.statistics, companion.model, companion.initialization, companion.optimizers,
               companion.normalization, companion.augmentation, companion.plotting, companion.checks, companion.notebook]
    for module in modules:
        for name in module.__all__:
            assert getattr(companion, name) is getattr(module, name), f"{module.__name__}.{name}"


def test_no_two_modules_export_the_same_name():
    """A flat name belongs to one module: two chapters' checks of the same name would shadow
    each other in ``companion`` (the later import wins) and one chapter would call the other's."""
    owners = {}
    for name, (path, tree) in _modules().items():
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(name)
        # companion.autograd mirrors torch (its conv2d is not the flat one): only FLAT_NAMES are flat.
        for public in getattr(module, "FLAT_NAMES", getattr(module, "__all__", [])):
            assert public not in owners, f"{public} is exported by {owners[public]} and {name}"
            owners[public] = name


# --------------------------------------------------------------------------- the package's shape


def _modules():
    """companion module name -> parsed source, for every .py file of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = (path, ast.parse(path.read_text(encoding="utf-8")))
    return out


def _imports(name, path, tree, modules):
    """(imported module, imported names) of every relative import of one module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield (sub, None) if sub in modules else (target, alias.name)


def test_no_module_takes_a_private_name_from_a_sibling():
    """Shared helpers live in modules named with an underscore (_validation, _kernels,
    checks._verdict, plotting._style); nothing else is imported under a private name."""
    modules = _modules()
    offenders = []
    for name, (path, tree) in modules.items():
        for target, imported in _imports(name, path, tree, modules):
            shared_home = target.rpartition(".")[2].startswith("_")
            if imported is not None and imported.startswith("_") and not shared_home:
                offenders.append(f"{name} imports {imported} from {target}")
    assert offenders == []


def test_no_import_cycle():
    modules = _modules()
    graph = {name: {t for t, _ in _imports(name, path, tree, modules) if t in modules and t != name}
             for name, (path, tree) in modules.items()}
    # the package's __init__ files only re-export: an edge into one is not a dependency of its modules
    graph = {name: {t for t in deps if not (name.startswith(t + ".") and t in graph)} for name, deps in graph.items()}
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
