"""Helpers shared by the tools: the repository root, the notebooks and _config.yml."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def config():
    with open(ROOT / "_config.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def notebooks():
    return sorted((ROOT / "book").glob("*.ipynb"))
