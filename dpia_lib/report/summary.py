"""Risk and action-plan tables of a DPIA (GDPR art. 35(7)(c)-(d)) and the points of the risk map.

Levels are shown as the CNIL scale's words in the report's language with the numbers, e.g.
``aanzienlijk (W3/E2)`` in Dutch or ``significant (L3/S2)`` in English (:func:`level_label`, worded in
:mod:`dpia_lib.report.wording`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dpia_lib.records import Action
from dpia_lib.register import Register
from dpia_lib.report.labels import load_labels
from dpia_lib.report.riskmap import RiskPoint
from dpia_lib.report.wording import LEVEL_NAMES, driver_text, highest_residual_label, level_label
from dpia_lib.risk import RiskAssessment
from dpia_lib.riskmatrix import load_risk_matrix

__all__ = [
    "LEVEL_NAMES",
    "action_table",
    "event_table",
    "highest_residual_label",
    "level_label",
    "matrix_table",
    "risk_points",
    "risk_table",
]

def _t(key: str, language: str) -> str:
    return load_labels().get(key, language)


def risk_table(register: Register, assessment: RiskAssessment, language: str) -> pd.DataFrame:
    """One row per feared event (numbered as on the risk map): inherent, residual and planned level, and
    what drives it."""
    rows = [(n, entry.label.get(language), level_label(entry.inherent, language),
             level_label(entry.residual, language), level_label(entry.planned, language),
             "; ".join(driver_text(register, d, language) for d in entry.drivers) or "—")
            for n, entry in enumerate(assessment.risks, start=1)]
    return pd.DataFrame(rows, columns=[_t(k, language)
                                       for k in ("risk-nr", "risk", "inherent", "residual", "planned", "drivers")])


def event_table(register: Register, assessment: RiskAssessment, language: str) -> pd.DataFrame:
    """One row per feared event: its impacts on data subjects, threats and risk sources (CNIL PIA 3.x)."""
    events = register.catalogue.risks
    rows = []
    for n, entry in enumerate(assessment.risks, start=1):
        event = events.get(entry.event)
        if event is None:
            continue
        rows.append((n, entry.label.get(language),
                     "; ".join(i.get(language) for i in event.impacts) or event.description.get(language),
                     "; ".join(t.get(language) for t in event.threats),
                     "; ".join(r.get(language) for r in event.risk_sources)))
    return pd.DataFrame(rows, columns=[_t(k, language) for k in ("risk-nr", "risk", "impacts", "threats", "risk-sources")])


def matrix_table(language: str) -> pd.DataFrame:
    """The risk matrix (``data/risk_matrix.yaml``): likelihood rows (4 at the top), severity columns."""
    matrix = load_risk_matrix()
    levels = [_t(f"level-{n}", language) for n in range(1, 5)]
    l_key, s_key = ("L", "S") if language == "en" else ("W", "E")
    rows = [[f"{l_key}{likelihood} {levels[likelihood - 1]}"]
            + [levels[matrix.level(likelihood, severity) - 1] for severity in range(1, 5)]
            for likelihood in range(4, 0, -1)]
    columns = [f"{_t('likelihood', language)} ↓  {_t('severity', language)} →"]
    columns += [f"{s_key}{severity} {levels[severity - 1]}" for severity in range(1, 5)]
    return pd.DataFrame(rows, columns=columns)


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
             roles[a.owner].name.get(language) if a.owner in roles else a.owner, a.due.isoformat(),
             _t(f"status-{a.status}", language))
            for a in sorted(actions, key=lambda a: (a.due, a.measure, a.owner))]
    return pd.DataFrame(rows, columns=[_t(k, language) for k in ("measure", "owner", "due", "status")])
