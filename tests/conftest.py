"""Shared fixtures: a private copy of the shipped register for tests that change it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine_fixtures import copy_register


@pytest.fixture()
def ropa_copy(tmp_path: Path) -> Path:
    """A copy of the shipped register (with data/ beside it) in a temporary directory."""
    return copy_register(tmp_path)
