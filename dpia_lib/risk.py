"""Risk assessment per activity, after the CNIL PIA method: feared events scored on likelihood and
severity (4 levels each: negligible, limited, significant, maximum), before and after measures.

For each feared event of ``data/risks.yaml`` that applies to the activity:

- **inherent** risk: the event's base levels raised by drivers read from the register (our analysis of
  the CNIL scales, recorded as text in :attr:`RiskEntry.drivers`). Each event lists its drivers in
  ``data/risks.yaml``; each driver the register meets raises one level:

  * severity: ``sensitive`` (special-category data or a national identifier), ``medical-secrecy`` (a
    medical-secrecy category), ``vulnerable`` (vulnerable data subjects, children included), each read
    from the predicates of :mod:`dpia_lib.legal` that screening and the rules use too;
  * likelihood: ``access-roles`` (three or more roles have access), ``recipients`` (two or more external
    recipients, by flows or a hosting supplier), ``volume`` (the volume threshold of
    ``data/thresholds.yaml``), ``employer-reach`` (the activity's data reaches an employer in the flow
    graph), ``reuse`` (other activities receive its data), ``profiling`` (profiling or automated decisions);
  * each driver is recorded as a code with parameters, ``driver|axis|ids`` (``base|L|S`` for the event's
    base levels, ``adjustment|L|S`` for the officer's adjustment), which the reports word in nl or en;
  * then the officer's ``risk_adjustments`` in the DPIA record, which replace a derived level;

- **residual** risk: lowered by each implemented measure (``activity.measures``) that addresses the event
  (``Measure.events``) by its ``effect``, in total at most the event's ``max_reduction``;
- **planned** (projected) risk: the residual lowered further by the DPIA record's actions that are not
  done (status planned or in progress), within the same cap.

The risk level of a (likelihood, severity) pair is its cell in the risk matrix of
``data/risk_matrix.yaml`` (the CNIL PIA methodology's risk map).

>>> RiskLevel(likelihood=1, severity=4).name, RiskLevel(likelihood=2, severity=2).name
('significant', 'negligible')
>>> from dpia_lib import load_register
>>> a = assess_risks(load_register(), "special-file")
>>> a.highest_residual.name in LEVEL_NAMES
True
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict

from dpia_lib.analysis import Analysis, analyse
from dpia_lib.catalogue import FearedEvent
from dpia_lib.legal import (
    is_data_subject_party,
    is_employer,
    medical_secrecy_categories,
    national_identifiers,
    special_categories,
    vulnerable_subjects,
)
from dpia_lib.records import Action, Activity, DpiaRecord, RiskAdjustment, Text
from dpia_lib.register import Register
from dpia_lib.riskmatrix import load_risk_matrix

__all__ = ["LEVEL_NAMES", "RiskAssessment", "RiskEntry", "RiskLevel", "applicable_events", "assess_risks"]

#: The CNIL scale, level 1 to 4.
LEVEL_NAMES: tuple[str, ...] = ("negligible", "limited", "significant", "maximum")


def _clamp(level: int) -> int:
    return max(1, min(4, level))


class RiskLevel(BaseModel):
    """A likelihood and a severity, each 1-4, and the risk level they make."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    likelihood: int
    severity: int

    @property
    def level(self) -> int:
        """The risk level 1-4: the cell of the risk matrix (``data/risk_matrix.yaml``, CNIL risk map)."""
        return load_risk_matrix().level(self.likelihood, self.severity)

    @property
    def name(self) -> str:
        """The risk level's name: negligible, limited, significant or maximum."""
        return LEVEL_NAMES[self.level - 1]

    @property
    def likelihood_name(self) -> str:
        """The likelihood level's name."""
        return LEVEL_NAMES[self.likelihood - 1]

    @property
    def severity_name(self) -> str:
        """The severity level's name."""
        return LEVEL_NAMES[self.severity - 1]

    @property
    def order(self) -> tuple[int, int, int]:
        """Sort key: level, then severity, then likelihood."""
        return self.level, self.severity, self.likelihood

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: likelihood, severity, level (name)."""
        return {"likelihood": self.likelihood, "severity": self.severity, "level": self.name}


class RiskEntry(BaseModel):
    """One feared event for one activity: inherent, residual and planned levels, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: str
    label: Text
    inherent: RiskLevel
    residual: RiskLevel
    planned: RiskLevel
    measures_applied: tuple[str, ...]
    measures_planned: tuple[str, ...]
    drivers: tuple[str, ...]
    adjustment: RiskAdjustment | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "event": self.event,
            "label": self.label.model_dump(),
            "inherent": self.inherent.as_dict(),
            "residual": self.residual.as_dict(),
            "planned": self.planned.as_dict(),
            "measures_applied": list(self.measures_applied),
            "measures_planned": list(self.measures_planned),
            "drivers": list(self.drivers),
            "adjustment": self.adjustment.model_dump(mode="json") if self.adjustment else None,
        }


class RiskAssessment(BaseModel):
    """The risks of one activity, its action plan and the highest residual risk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    activity: str
    risks: tuple[RiskEntry, ...]
    actions: tuple[Action, ...]
    highest_residual: RiskLevel | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with keys activity, highest_residual, risks, actions."""
        return {
            "activity": self.activity,
            "highest_residual": self.highest_residual.as_dict() if self.highest_residual else None,
            "risks": [r.as_dict() for r in self.risks],
            "actions": [a.model_dump(mode="json") for a in self.actions],
        }


def _reaches_employer(register: Register, G: nx.MultiDiGraph, aid: str,
                      cache: dict[str, list[str]] | None = None) -> list[str]:
    """Employers that data of ``aid`` reaches in the flow graph (memoised in ``cache``)."""
    if cache is not None and aid in cache:
        return cache[aid]
    found = sorted(n for n in nx.descendants(G, aid)
                   if is_employer(register.parties.get(n))) if aid in G else []
    if cache is not None:
        cache[aid] = found
    return found


def applicable_events(register: Register, activity: Activity, G: nx.MultiDiGraph | None = None,
                      cache: dict[str, list[str]] | None = None) -> list[FearedEvent]:
    """The feared events of the catalogue that apply to ``activity`` (their ``applies`` conditions)."""
    G = G if G is not None else analyse(register).graph
    cats = register.catalogue.categories
    entries = [cats[c] for c in activity.categories if c in cats]
    facts = {
        "always": True,
        "health": bool(special_categories(register, activity, ("health",))),
        "special": bool(special_categories(register, activity)),
        "evaluative": any(e.evaluative for e in entries),
        "profiling": activity.profiling or activity.automated_decisions,
        "anonymised-output": activity.anonymised_output,
        "employer-recipient": bool(_reaches_employer(register, G, activity.id, cache)),
    }
    return [event for event in register.catalogue.risks.values() if any(facts[c] for c in event.applies)]


def _drivers(register: Register, G: nx.MultiDiGraph, act: Activity, event: FearedEvent,
             cache: dict[str, list[str]]) -> tuple[int, int, list[str]]:
    """The event's levels raised by each of its drivers that the register's facts meet, and why."""
    cat = register.catalogue
    likelihood, severity = event.likelihood_base, event.severity_base
    drivers = [f"base|{likelihood}|{severity}"]  # codes with parameters, worded by the report
    facts: dict[str, tuple[str, str]] = {}  # driver -> (axis, fact) for the drivers that hold
    sensitive = list(dict.fromkeys([*special_categories(register, act), *national_identifiers(register, act)]))
    if sensitive:
        facts["sensitive"] = ("severity", ",".join(sensitive))
    secret = medical_secrecy_categories(register, act.categories)
    if secret:
        facts["medical-secrecy"] = ("severity", ",".join(secret))
    vulnerable = vulnerable_subjects(register, act)
    if vulnerable:
        facts["vulnerable"] = ("severity", ",".join(vulnerable))
    if len(act.access) >= 3:
        facts["access-roles"] = ("likelihood", ",".join(act.access))
    recipients = sorted({v for _, v in G.out_edges(act.id)
                         if v in register.parties and not is_data_subject_party(register.parties[v])})
    if len(recipients) >= 2:
        facts["recipients"] = ("likelihood", ",".join(recipients))
    volume = cat.threshold("volume")
    if volume is not None and act.data_subjects_per_year >= volume.data_subjects_per_year:
        facts["volume"] = ("likelihood", f"{act.data_subjects_per_year},{volume.data_subjects_per_year}")
    if employers := _reaches_employer(register, G, act.id, cache):
        facts["employer-reach"] = ("likelihood", ",".join(employers))
    if reusers := sorted({v for _, v in G.out_edges(act.id) if v in register.activities}):
        facts["reuse"] = ("likelihood", ",".join(reusers))
    if act.profiling or act.automated_decisions:
        facts["profiling"] = ("likelihood", "")
    for driver in event.drivers:
        if driver in facts:
            axis, fact = facts[driver]
            if axis == "severity":
                severity += 1
            else:
                likelihood += 1
            drivers.append(f"{driver}|{axis}|{fact}")
    return _clamp(likelihood), _clamp(severity), drivers


def _reduce(base: RiskLevel, start: RiskLevel, measures: list[str], register: Register,
            event: FearedEvent) -> tuple[RiskLevel, list[str]]:
    """Lower ``start`` by the effects of ``measures`` on ``event``, at most ``max_reduction`` below ``base``."""
    used = []
    likelihood, severity = start.likelihood, start.severity
    for mid in measures:
        measure = register.catalogue.measures.get(mid)
        if measure is None or event.id not in measure.events:
            continue
        used.append(mid)
        likelihood -= measure.effect.likelihood
        severity -= measure.effect.severity
    cap = event.max_reduction
    likelihood = max(likelihood, base.likelihood - cap.likelihood, 1)
    severity = max(severity, base.severity - cap.severity, 1)
    return RiskLevel(likelihood=likelihood, severity=severity), used


def _entry(register: Register, G: nx.MultiDiGraph, act: Activity, event: FearedEvent,
           record: DpiaRecord | None, cache: dict[str, list[str]]) -> RiskEntry:
    likelihood, severity, drivers = _drivers(register, G, act, event, cache)
    adjustment = next((a for a in record.risk_adjustments if a.event == event.id), None) if record else None
    if adjustment is not None:
        drivers.append(f"adjustment|{likelihood}|{severity}")
        likelihood = adjustment.likelihood or likelihood
        severity = adjustment.severity or severity
    inherent = RiskLevel(likelihood=likelihood, severity=severity)
    residual, applied = _reduce(inherent, inherent, list(act.measures), register, event)
    pending = [a.measure for a in (record.actions if record else ())
               if a.status in ("planned", "in-progress") and a.measure not in act.measures]
    planned, planned_used = _reduce(inherent, residual, pending, register, event)
    return RiskEntry(event=event.id, label=event.label, inherent=inherent, residual=residual, planned=planned,
                     measures_applied=tuple(applied), measures_planned=tuple(planned_used),
                     drivers=tuple(drivers), adjustment=adjustment)


def assess_risks(register: Register | Analysis, activity_id: str,
                 graph: nx.MultiDiGraph | None = None) -> RiskAssessment:
    """Assess the feared events of one activity of a register or :class:`~dpia_lib.analysis.Analysis`
    (:class:`~dpia_lib.errors.UnknownActivityError` if unknown)."""
    analysis = analyse(register, graph)
    register, G = analysis.register, analysis.graph
    act = register.activity(activity_id)
    record = register.dpias.get(activity_id)
    cache: dict[str, list[str]] = {}
    risks = tuple(_entry(register, G, act, event, record, cache)
                  for event in applicable_events(register, act, G, cache))
    highest = max((r.residual for r in risks), key=lambda level: level.order, default=None)
    return RiskAssessment(activity=activity_id, risks=risks, actions=record.actions if record else (),
                          highest_residual=highest)
