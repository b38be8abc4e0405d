"""Write the setup cell derived from _config.yml into the first code cell of every notebook.

The cell also carries MyST-NB's ``hide-input`` tag: on the website its source is collapsed
behind a "Show code cell source" toggle, so that a chapter opens with its title and text;
Jupyter and Colab ignore the tag and show the cell as it is.
"""

import re
import sys
from pathlib import Path

import nbformat

from _book import config, notebooks

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from explorers import RAW_STILL, still_url  # noqa: E402

from companion.notebook import setup_cell_source

#: The cell tag that collapses the setup cell's input on the website (MyST-NB).
SETUP_CELL_TAG = "hide-input"


def main():
    repo = config()["repository"]
    source = setup_cell_source(repo["url"], repo.get("branch", "main"))
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        tags = list(first.metadata.get("tags", []))
        if first.source != source or SETUP_CELL_TAG not in tags:
            first.source = source
            if SETUP_CELL_TAG not in tags:
                first.metadata["tags"] = tags + [SETUP_CELL_TAG]
            nbformat.write(nb, path)
            print(f"updated {path.name}")
        # The explorers' stills, named by their raw address in this repository (Colab opens a
        # notebook without the book's folder).
        changed = False
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "data-explorer=" in cell.source:
                def url(m):
                    return still_url(repo["url"], repo.get("branch", "main"), m.group(1))
                new = re.sub(r'(?<=src=")images/(explorer_[\w-]+\.png)', url, cell.source)
                new = RAW_STILL.sub(url, new)
                if new != cell.source:
                    cell.source, changed = new, True
        if changed:
            nbformat.write(nb, path)
            print(f"updated the explorer stills of {path.name}")


if __name__ == "__main__":
    main()
