"""The project's configuration: lock, environment.yml and pyproject.toml agree; _config.yml."""

import re
import tomllib

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from _project import ROOT, load_yaml


def lock_pins():
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"requirements-lock.txt: {line!r} is not an exact pin"
        pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def environment_pins():
    env = load_yaml("environment.yml")
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {}
    for item in pip_section:
        if item.startswith("-e"):
            continue
        req = Requirement(item)
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"environment.yml: {item!r} is not an exact pin"
        pins[canonicalize_name(req.name)] = spec[0].version
    return env, pins


def pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def test_environment_yml_pins_equal_the_lock():
    env, pins = environment_pins()
    lock = lock_pins()
    assert any(str(d).startswith("python=") for d in env["dependencies"] if isinstance(d, str))
    for name, version in pins.items():
        assert name in lock, f"environment.yml pins {name}, the lock does not"
        assert lock[name] == version, f"{name}: environment.yml {version}, lock {lock[name]}"


def test_pyproject_dependencies_are_lower_bounds_met_by_the_lock():
    project = pyproject()["project"]
    lock = lock_pins()
    _, env = environment_pins()
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    for item in requirements:
        req = Requirement(item)
        name = canonicalize_name(req.name)
        assert name in lock, f"pyproject names {name}, the lock does not pin it"
        assert name in env, f"pyproject names {name}, environment.yml does not"
        assert req.specifier.contains(lock[name], prereleases=True), f"lock {name}=={lock[name]} violates {item!r}"
    for item in project["dependencies"]:  # runtime: lower bounds only, so Colab keeps its own versions
        for spec in Requirement(item).specifier:
            assert spec.operator == ">=", f"runtime dependency {item!r} must be a lower bound only"


def test_runtime_bounds_accept_colab():
    colab = {"torch": "2.11.0", "numpy": "2.1.0", "matplotlib": "3.10.0", "torchsummary": "1.5.1"}
    for item in pyproject()["project"]["dependencies"]:
        req = Requirement(item)
        if req.name in colab:
            assert req.specifier.contains(colab[req.name]), f"{item!r} refuses Colab's {req.name} {colab[req.name]}"
    assert SpecifierSet(pyproject()["project"]["requires-python"]).contains("3.13")


def test_toolchain_pins():
    lock = lock_pins()
    assert lock["torch"] == "2.13.0"
    assert Version(lock["jupyter-book"]) < Version("2"), "Jupyter Book 2 reads myst.yml and has no Colab button"
    assert lock["torchsummary"] == "1.5.1"
    assert Version(lock["sphinx-book-theme"]) < Version("1.4")


def test_distribution_contains_only_companion():
    """The companion and every one of its subpackages (so that a pip install from git, as on
    Colab, has them all), nothing else."""
    packages = pyproject()["tool"]["setuptools"]["packages"]
    on_disk = sorted(".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "companion").rglob("__init__.py"))
    assert packages == on_disk == ["companion", "companion.activation", "companion.autograd", "companion.backprop", "companion.checks",
                                   "companion.convolution", "companion.plotting"]


def test_config():
    cfg = load_yaml("_config.yml")
    assert cfg["only_build_toc_files"] is True
    for pattern in (".venv", "README.md", "_build", "companion"):
        assert pattern in cfg["exclude_patterns"]
    repo = cfg["repository"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo["url"])
    assert repo["branch"] == "main" and repo["path_to_book"] == ""
    assert cfg["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert cfg["html"]["use_repository_button"] is True
    # The site renders the stored outputs that nbval has compared with a fresh run.
    assert cfg["execute"]["execute_notebooks"] == "off"
    assert cfg["execute"]["allow_errors"] is False
    sphinx = cfg["sphinx"]
    assert "sphinx-mathjax-offline" in sphinx["extra_extensions"]
    assert "myst.domains" in sphinx["config"]["suppress_warnings"]
    assert "intersphinx_mapping" not in sphinx["config"]
    assert "sphinx.ext.intersphinx" not in sphinx.get("extra_extensions", [])


def test_ci_runs_make_test():
    text = (ROOT / ".ci" / "run").read_text()
    assert "make test" in text


def _tool(name):
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(name, module)  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "tools"))


def test_make_test_runs_every_stage_and_each_configuration():
    pipeline = _tool("test_pipeline")
    stages = pipeline.stages()
    portability = _tool("portability")
    expected = {"setup", "unit", "nbval", "book", "site", "fingerprint"} | {f"port-{c}" for c in portability.CONFIGS}
    assert set(stages) == expected
    assert len(portability.CONFIGS) >= 3
    for name, stage in stages.items():  # every stage waits for what it reads
        assert name == "setup" or "setup" in stage.needs or stage.needs[0] in stages, name
    assert stages["site"].needs == ("book",)
    assert all(stages[f"port-{c}"].needs == ("fingerprint",) for c in portability.CONFIGS)
    assert "tools/test_pipeline.py" in (ROOT / "Makefile").read_text()


def test_portability_leaves_out_only_files_that_exist_and_no_numerical_module():
    portability = _tool("portability")
    tests = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    missing = set(portability.NOT_NUMERICAL) - tests
    assert not missing, f"NOT_NUMERICAL names files that do not exist: {sorted(missing)}"
    # the tests of every math module of the companion run in each configuration
    sources = [p.relative_to(ROOT / "companion") for p in (ROOT / "companion").rglob("*.py")]
    math_modules = ["_".join(p.with_suffix("").parts) for p in sources
                    if p.parts[0] not in ("plotting", "checks") and not p.name.startswith("_")
                    and p.stem not in ("notebook", "data")]
    assert "backprop_conv" in math_modules or "backprop" in math_modules
    left_out = [m for m in math_modules if f"test_{m}.py" in portability.NOT_NUMERICAL]
    assert not left_out, f"the tests of {left_out} compute numbers and must run in every configuration"


def test_pipeline_adds_up_pytest_closing_lines():
    pipeline = _tool("test_pipeline")
    log = "...\n== 12 passed, 1 skipped in 3.2s ==\nother\n3 failed, 40 passed, 2 errors in 61.00s (0:01:01)\n"
    assert pipeline.pytest_counts(log) == {"passed": 52, "skipped": 1, "failed": 3, "error": 2}
    assert pipeline.pytest_counts("no closing line here: 5 passed") == {}


def _third_party_imports_of_notebooks():
    """The top-level modules the chapters' code cells import, without the standard library."""
    import ast
    import json
    import sys

    from _project import notebooks

    found = set()
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            lines = "".join(cell["source"]).splitlines()
            tree = ast.parse("\n".join(line for line in lines if not line.lstrip().startswith(("%", "!"))))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names}


def test_notebooks_extra_is_what_the_chapters_import():
    """`cnn-math-companion[notebooks]` names exactly the distributions the chapters import
    beside the companion and its own dependencies (IPython is the kernel itself)."""
    from importlib.metadata import packages_distributions

    project = pyproject()["project"]
    runtime = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    extra = {canonicalize_name(Requirement(r).name) for r in project["optional-dependencies"]["notebooks"]}
    dists = packages_distributions()
    imported = set()
    for module in _third_party_imports_of_notebooks() - {"companion", "IPython"}:
        assert module in dists, f"the chapters import {module!r}, which no installed distribution provides"
        imported.update(canonicalize_name(d) for d in dists[module])
    assert imported - runtime == extra, (
        f"the chapters import {sorted(imported - runtime)} beside the companion's dependencies; "
        f"the notebooks extra names {sorted(extra)}"
    )


def test_notebooks_extra_accepts_colab():
    colab = {"scipy": "1.14.1", "scikit-image": "0.25.2", "pillow": "11.1.0", "keras": "3.10.0", "threadpoolctl": "3.5.0"}
    for item in pyproject()["project"]["optional-dependencies"]["notebooks"]:
        req = Requirement(item)
        assert all(s.operator == ">=" for s in req.specifier), f"{item!r} must be a lower bound only"
        name = canonicalize_name(req.name)
        assert name in colab, f"{name}: which version does Colab have? add it here"
        assert req.specifier.contains(colab[name]), f"{item!r} refuses Colab's {name} {colab[name]}"
