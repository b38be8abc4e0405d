"""Hygiene of every chapter notebook, and its setup cell kept in step with _config.yml."""

import json
import re

import pytest

from companion.notebook import setup_cell_source

from _project import BOOK, ROOT, load_yaml, notebooks, toc_files

NOTEBOOKS = notebooks()
IDS = [p.name for p in NOTEBOOKS]


def read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "book/ holds no notebooks"


def test_toc_and_book_agree():
    listed = toc_files()
    for entry in listed:
        matches = list(ROOT.glob(entry + ".*"))
        assert matches, f"_toc.yml lists {entry}, which does not exist"
    listed_nbs = {ROOT / (entry + ".ipynb") for entry in listed}
    for path in NOTEBOOKS:
        assert path in listed_nbs, f"{path.name} is not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_name_is_chapter_number_and_topic(path):
    """A chapter is NN_topic; a notebook without a number is a page of an unnumbered part
    (the page on comparing results, before the chapters)."""
    assert re.fullmatch(r"(\d\d_)?[a-z0-9_]+\.ipynb", path.name), path.name
    if not re.match(r"\d\d_", path.name):
        docname = f"book/{path.stem}"
        part = next(p for p in load_yaml("_toc.yml")["parts"] if any(c["file"] == docname for c in p["chapters"]))
        assert not part.get("numbered"), f"{path.name} has no chapter number but sits among the numbered chapters"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernelspec_is_python3(path):
    assert read(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_in_order_from_one_with_outputs(path):
    cells = code_cells(read(path))
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), f"execution counts {counts}: run `make notebooks`"
    assert any(c["outputs"] for c in cells), "outputs are not committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_widget_state_and_small(path):
    nb = read(path)
    assert "widgets" not in nb["metadata"]
    assert path.stat().st_size <= 1_000_000, f"{path.name} is {path.stat().st_size} bytes (limit 1 MB)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_errors_and_no_machine_paths_in_outputs(path):
    text_outputs = []
    for cell in code_cells(read(path)):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"stored error: {out.get('ename')}"
            if out["output_type"] == "stream":
                text_outputs.append("".join(out["text"]))
            for key, value in out.get("data", {}).items():
                if key.startswith("text/"):
                    text_outputs.append("".join(value))
    joined = "\n".join(text_outputs)
    for marker in (str(ROOT), "/work/", "/root/", "/home/", "/tmp/", "site-packages"):
        assert marker not in joined, f"output contains the machine path {marker!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_is_the_setup_cell_of_config(path):
    repo = load_yaml("_config.yml")["repository"]
    expected = setup_cell_source(repo["url"], repo["branch"])
    first = code_cells(read(path))[0]
    assert "".join(first["source"]) == expected, f"{path.name}: run `make sync` after changing _config.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_cell_input_is_collapsed_on_the_website(path):
    """MyST-NB's hide-input tag folds the setup cell's source on the website only (Jupyter and
    Colab ignore tags); it is the only code cell whose input is hidden that way by `make sync`."""
    first = code_cells(read(path))[0]
    assert "hide-input" in first["metadata"].get("tags", []), f"{path.name}: run `make sync` to tag the setup cell"
    assert not first["metadata"].get("jupyter", {}).get("source_hidden"), (
        f"{path.name}: the setup cell must stay visible in Jupyter and Colab"
    )


def test_setup_cell_names_the_configured_repository():
    repo = load_yaml("_config.yml")["repository"]
    src = setup_cell_source(repo["url"], repo["branch"])
    assert f"git+{repo['url']}@{repo['branch']}" in src
    assert 'if "google.colab" in sys.modules:' in src
