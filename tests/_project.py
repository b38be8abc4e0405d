"""Facts about the repository that several tests read: paths, _config.yml, _toc.yml, notebooks."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def load_yaml(name):
    with open(ROOT / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def toc_files():
    """Every `file:` entry of _toc.yml, in order, without extension (the root first)."""
    toc = load_yaml("_toc.yml")
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def notebooks():
    return sorted(BOOK.glob("*.ipynb"))
