"""DPIA screening: does an activity need a DPIA, why, and on which source?

Three sources, all read from ``data/``: the nine criteria of WP248 rev.01 (``wp248.yaml``), the Dutch
DPA's mandatory-DPIA list (Stcrt. 2019, 64418; ``ap_list.yaml``) and GDPR art. 35(3) (``art35_3.yaml``),
with large-scale thresholds in ``thresholds.yaml``. Each criterion is derived from register facts, and
each :class:`Reason` names the facts that triggered it.

Verdict: ``required`` when an AP-list category or an art. 35(3) case matches, or two or more WP248
criteria do (WP248 rev.01: "in most cases"); ``recommended`` for exactly one criterion; ``not-required``
otherwise. An officer's ``screening_override`` in the register replaces the verdict, and the screening
says so (``overridden``), with the override as a reason of its own. For an activity done as processor
the verdict is advice to the controllers, who decide (``controller_decides``; GDPR art. 35(1), 28(3)(f)).
Every legal notion (special category, large scale, vulnerable subjects) comes from :mod:`dpia_lib.legal`.

>>> from dpia_lib import load_register
>>> register = load_register()
>>> s = screen_activity(register, "special-file")
>>> s.verdict.value, "wp248-sensitive-data" in s.codes, "ap-health-data" in s.codes
('required', True, False)
>>> screen_activity(register, "newsletter").verdict.value
'not-required'
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict

from dpia_lib import facts
from dpia_lib.analysis import Analysis, analyse
from dpia_lib.catalogue import TriggerMatch
from dpia_lib.facts import Fact
from dpia_lib.law import Verdict
from dpia_lib.legal import (
    acts_as_processor,
    inferred_special,
    is_data_subject_party,
    large_scale_facts,
    national_identifiers,
    special_categories,
    vulnerable_subjects,
)
from dpia_lib.records import Activity, ScreeningOverride
from dpia_lib.register import Register

__all__ = [
    "OVERRIDE_CODE",
    "PROCESSOR_CODE",
    "Reason",
    "Screening",
    "engine_graph",
    "large_scale_facts",
    "screen",
    "screen_activity",
]

#: Reason code of an officer's override.
OVERRIDE_CODE = "screening-override"
#: Reason code saying the activity is done as processor: the verdict is the controller's to decide.
PROCESSOR_CODE = "processor-activity"


class Reason(BaseModel):
    """Why a screening source applies: its code (catalogue id), its source (citation) and the facts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    source: str
    facts: tuple[Fact, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with keys code, source, facts (each fact as its English sentence)."""
        return {"code": self.code, "source": self.source, "facts": [f.text for f in self.facts]}


class Screening(BaseModel):
    """The screening of one activity: effective and computed verdict, the override, the reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    activity: str
    verdict: Verdict
    computed: Verdict
    overridden: bool
    override: ScreeningOverride | None
    reasons: tuple[Reason, ...]
    controllers: tuple[str, ...] = ()

    @property
    def controller_decides(self) -> bool:
        """True for an activity done as processor: whether a DPIA is needed is the controllers' decision
        (GDPR art. 35(1)); the verdict shown is advice to them (art. 28(3)(f))."""
        return bool(self.controllers)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the reasons, in order."""
        return tuple(r.code for r in self.reasons)

    @property
    def wp248_count(self) -> int:
        """How many WP248 criteria are met."""
        return sum(1 for r in self.reasons if r.code.startswith("wp248-"))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with keys activity, verdict, overridden, reasons."""
        return {
            "activity": self.activity,
            "verdict": self.verdict.value,
            "overridden": self.overridden,
            "controller_decides": self.controller_decides,
            "controllers": list(self.controllers),
            "reasons": [r.as_dict() for r in self.reasons],
        }


def engine_graph(register: Register | Analysis) -> nx.MultiDiGraph:
    """The frozen flow graph of ``register``: an analysis's own, or a new one for a register.

    To share one graph between screening, rules and risk, pass them one :class:`~dpia_lib.analysis.Analysis`.
    """
    return analyse(register).graph


def _source(entry: Any) -> str:
    citation: str | None = entry.citation
    if citation and entry.basis == "analysis":
        return f"{citation} (applied by analysis)"
    return citation or "analysis"


def _independent_sources(register: Register, G: nx.MultiDiGraph, activity: Activity) -> list[Fact]:
    """External parties (not data subjects) sending data to the activity, plus 'own activities' once."""
    external, internal = set(), set()
    for u, _, k, kind in G.in_edges(activity.id, keys=True, data="kind"):
        if kind != "flow":
            continue
        if u in register.activities:
            internal.add(u)
        elif u in register.parties and not is_data_subject_party(register.parties[u]):
            external.add(u)
    found = [facts.from_party(p) for p in sorted(external)]
    if internal:
        found.append(facts.from_activities(sorted(internal)))
    return found


def _wp248_facts(register: Register, G: nx.MultiDiGraph, act: Activity) -> dict[str, list[Fact]]:
    cat = register.catalogue
    evaluative = [c for c in act.categories if c in cat.categories and cat.categories[c].evaluative]
    identifiers = national_identifiers(register, act)
    sources = _independent_sources(register, G, act)
    return {
        "wp248-evaluation-scoring": [facts.evaluative(c) for c in evaluative]
        + [facts.flag(name) for name in ("profiling", "evaluation") if getattr(act, name)],
        "wp248-automated-decision": [facts.flag("automated_decisions")] if act.automated_decisions else [],
        "wp248-systematic-monitoring": [facts.flag("systematic_monitoring")] if act.systematic_monitoring else [],
        "wp248-sensitive-data": _special_facts(register, act) + [facts.identifier(c) for c in identifiers],
        "wp248-large-scale": large_scale_facts(register, act),
        "wp248-matching-combining": sources if len(sources) >= 2 else [],
        "wp248-vulnerable-subjects": [facts.vulnerable(s) for s in vulnerable_subjects(register, act)],
        "wp248-innovative-technology": [facts.flag("innovative_technology")] if act.innovative_technology else [],
        "wp248-blocks-rights": [facts.blocks_service()] if act.blocks_service else [],
    }


def _special_facts(register: Register, act: Activity, kinds: tuple[str, ...] | None = None) -> list[Fact]:
    """Facts for the special categories of ``act`` (of ``kinds``), the inferred ones named by their group."""
    cat = register.catalogue
    hits = special_categories(register, act, kinds)
    named = [facts.special(c) for c in hits if cat.is_special(c)]
    if len(named) < len(hits) or (hits and not named):
        for kind, groups in inferred_special(register, act).items():
            if kinds is None or kind in kinds:
                named.append(facts.inferred_special(list(groups), kind))
    return named


def _match_facts(register: Register, act: Activity, match: TriggerMatch) -> list[Fact]:
    """The facts meeting every condition of ``match``, or [] when one condition fails."""
    found: list[Fact] = []
    if match.special:
        hits = _special_facts(register, act, match.special)
        if not hits:
            return []
        found += hits
    for name in match.flags:
        if not getattr(act, name):
            return []
        found.append(facts.flag(name))
    if match.vulnerable_subjects:
        vulnerable = vulnerable_subjects(register, act)
        if not vulnerable:
            return []
        found += [facts.vulnerable(s) for s in vulnerable]
    if match.large_scale:
        scale = large_scale_facts(register, act, match.example_sectors)
        if not scale:
            return []
        found += scale
    return found


def _screen(register: Register, G: nx.MultiDiGraph, act: Activity) -> Screening:
    cat = register.catalogue
    mandatory: list[Reason] = []
    for ap in cat.ap_list.values():
        if ap.match is not None and (found := _match_facts(register, act, ap.match)):
            mandatory.append(Reason(code=ap.id, source=_source(ap), facts=tuple(found)))
    for case in cat.art35_3.values():
        if found := _match_facts(register, act, case.match):
            mandatory.append(Reason(code=case.id, source=_source(case), facts=tuple(found)))
    wp248: list[Reason] = []
    derived = _wp248_facts(register, G, act)
    for criterion in sorted(cat.wp248.values(), key=lambda c: c.number):
        if found := derived.get(criterion.id, []):
            wp248.append(Reason(code=criterion.id, source=_source(criterion), facts=tuple(found)))
    if mandatory or len(wp248) >= 2:
        computed = Verdict.REQUIRED
    elif wp248:
        computed = Verdict.RECOMMENDED
    else:
        computed = Verdict.NOT_REQUIRED
    reasons = [*mandatory, *wp248]
    if acts_as_processor(act):
        reasons.append(Reason(
            code=PROCESSOR_CODE,
            source="GDPR art. 35(1), 28(3)(f)",
            facts=(facts.processor(list(act.controllers)),),
        ))
    override = act.screening_override
    if override is not None:
        reasons.append(Reason(
            code=OVERRIDE_CODE,
            source=f"officer's decision recorded in the register (role {override.by}, {override.date.isoformat()})",
            facts=(facts.override(computed.value, override.verdict.value), facts.officer(override.reason)),
        ))
    return Screening(
        activity=act.id,
        verdict=override.verdict if override is not None else computed,
        computed=computed,
        overridden=override is not None,
        override=override,
        reasons=tuple(reasons),
        controllers=tuple(act.controllers) if acts_as_processor(act) else (),
    )


def screen(register: Register | Analysis, graph: nx.MultiDiGraph | None = None) -> dict[str, Screening]:
    """Screen every activity of a register or :class:`~dpia_lib.analysis.Analysis`; keyed and sorted by id."""
    analysis = analyse(register, graph)
    register, G = analysis.register, analysis.graph
    return {aid: _screen(register, G, act) for aid, act in sorted(register.activities.items())}


def screen_activity(register: Register | Analysis, activity_id: str, graph: nx.MultiDiGraph | None = None) -> Screening:
    """Screen one activity (:class:`~dpia_lib.errors.UnknownActivityError` for an unknown id)."""
    analysis = analyse(register, graph)
    register, G = analysis.register, analysis.graph
    act = register.activity(activity_id)
    return _screen(register, G, act)
