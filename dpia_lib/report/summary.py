"""Risk and action-plan tables of a DPIA (GDPR art. 35(7)(c)-(d)) and the points of the risk map.

Levels are shown as the CNIL scale's words in the report's language with the numbers, e.g.
``aanzienlijk (W3/E2)`` in Dutch or ``significant (L3/S2)`` in English.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dpia_lib.records import Action
from dpia_lib.register import Register
from dpia_lib.report.labels import load_labels
from dpia_lib.report.riskmap import RiskPoint
from dpia_lib.risk import RiskAssessment, RiskLevel

__all__ = ["LEVEL_NAMES", "action_table", "highest_residual_label", "level_label", "risk_points", "risk_table"]

#: The CNIL scale's level names (1-4) as the risk engine names them.
LEVEL_NAMES: tuple[str, ...] = ("negligible", "limited", "significant", "maximum")


def _t(key: str, language: str) -> str:
    return load_labels().get(key, language)


def level_label(level: RiskLevel | None, language: str) -> str:
    """A risk level as words and numbers, or ``—`` for none."""
    if level is None:
        return "—"
    word = _t(f"level-{LEVEL_NAMES.index(level.name) + 1}", language) if level.name in LEVEL_NAMES else level.name
    l_key, s_key = ("L", "S") if language == "en" else ("W", "E")
    return f"{word} ({l_key}{level.likelihood}/{s_key}{level.severity})"


def highest_residual_label(assessment: RiskAssessment, language: str) -> str:
    """The highest residual risk of an assessment, as :func:`level_label` shows it."""
    return level_label(assessment.highest_residual, language)


def risk_table(assessment: RiskAssessment, language: str) -> pd.DataFrame:
    """One row per feared event: inherent, residual and planned level, and what drives it."""
    rows = [(entry.label.get(language), level_label(entry.inherent, language), level_label(entry.residual, language),
             level_label(entry.planned, language), "; ".join(entry.drivers) or "—") for entry in assessment.risks]
    return pd.DataFrame(rows, columns=[_t(k, language) for k in ("risk", "inherent", "residual", "planned", "drivers")])


def risk_points(assessment: RiskAssessment, language: str) -> list[RiskPoint]:
    """The risk map's points, in the assessment's order."""
    return [RiskPoint(entry.label.get(language), (entry.inherent.likelihood, entry.inherent.severity),
                      (entry.residual.likelihood, entry.residual.severity),
                      (entry.planned.likelihood, entry.planned.severity)) for entry in assessment.risks]


def action_table(register: Register, actions: Sequence[Action], language: str) -> pd.DataFrame:
    """The action plan: measure, owner (role), due date, status; sorted by due date and measure."""
    measures = register.catalogue.measures
    roles = register.roles
    rows = [(measures[a.measure].label.get(language) if a.measure in measures else a.measure,
             roles[a.owner].name.get(language) if a.owner in roles else a.owner, a.due.isoformat(), a.status)
            for a in sorted(actions, key=lambda a: (a.due, a.measure, a.owner))]
    return pd.DataFrame(rows, columns=[_t(k, language) for k in ("measure", "owner", "due", "status")])
