"""Root pytest configuration: modules that must not be imported by doctest collection, and the working
folder of doctests."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

collect_ignore = ["dpia_lib/cli/__main__.py", "benchmarks", "reports", "build"]

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _doctests_run_in_the_repository(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Doctests use the shipped register as ``load_register()`` does, from ``ropa/`` in the working
    folder: run them from the repository's root, whatever folder pytest was started in."""
    if isinstance(request.node, DoctestItem):
        monkeypatch.chdir(ROOT)
