"""The risk matrix: the risk level (1-4) of each likelihood x severity cell, read from
``data/risk_matrix.yaml`` with its source (the CNIL PIA methodology's risk map and its four treatment
zones), so the way levels are derived is data that every report shows as a legend.

>>> m = load_risk_matrix()
>>> m.level(1, 4), m.level(4, 1), m.level(3, 3), m.level(2, 2)
(3, 2, 4, 1)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from dpia_lib.loading import load_data_file
from dpia_lib.records import Sourced

__all__ = ["RiskMatrix", "load_risk_matrix"]


class RiskMatrix(Sourced):
    """Levels by likelihood (rows, 1-4) and severity (columns, 1-4)."""

    levels: tuple[tuple[int, int, int, int], tuple[int, int, int, int],
                  tuple[int, int, int, int], tuple[int, int, int, int]] = Field(
        description="Row i, column j: the level of likelihood i+1 and severity j+1")

    @field_validator("levels")
    @classmethod
    def _in_range(cls, value: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
        if any(not 1 <= cell <= 4 for row in value for cell in row):
            raise ValueError("every level must be 1-4")
        return value

    def level(self, likelihood: int, severity: int) -> int:
        """The level of one cell."""
        return self.levels[likelihood - 1][severity - 1]


@lru_cache(maxsize=4)
def load_risk_matrix(data_dir: Path | str | None = None) -> RiskMatrix:
    """Read ``risk_matrix.yaml`` from ``data_dir`` (default: the shipped ``data/``); errors name file and line."""
    return load_data_file("risk_matrix.yaml", RiskMatrix, data_dir)
