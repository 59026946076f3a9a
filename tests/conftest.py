"""Shared fixtures: a private copy of the shipped register for tests that change it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHIPPED_ROPA = REPO / "ropa"
SHIPPED_DATA = REPO / "data"


@pytest.fixture()
def ropa_copy(tmp_path: Path) -> Path:
    """A copy of the shipped register (with data/ beside it) in a temporary directory."""
    shutil.copytree(SHIPPED_ROPA, tmp_path / "ropa", ignore=shutil.ignore_patterns("audit.log*"))
    shutil.copytree(SHIPPED_DATA, tmp_path / "data")
    return tmp_path / "ropa"
