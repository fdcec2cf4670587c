"""Real saved marketplace pages from ../shared/data/marketplace_pages (see its READMEs)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "marketplace_pages"


@pytest.fixture
def page() -> Callable[[str, str], str]:
    """Read one saved page as text (`.gz` files decompressed); skip when the shared folder is absent."""

    def read(site: str, name: str) -> str:
        path = PAGES / site / name
        if not path.is_file():
            pytest.skip(f"{path} not found: the shared real-data folder is absent")
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return handle.read()
        return path.read_text(encoding="utf-8")

    return read
