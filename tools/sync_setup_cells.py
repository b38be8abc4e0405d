"""Write the setup cell derived from _config.yml into the first code cell of every notebook."""

import nbformat

from _book import config, notebooks

from companion.notebook import setup_cell_source


def main():
    repo = config()["repository"]
    source = setup_cell_source(repo["url"], repo.get("branch", "main"))
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        if first.source != source:
            first.source = source
            nbformat.write(nb, path)
            print(f"updated {path.name}")


if __name__ == "__main__":
    main()
