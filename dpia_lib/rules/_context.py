"""What every rule needs: the register, its flow graph, the date, and a way to emit a located finding.

A finding takes its severity and citation from the rule table in ``data/rules.yaml`` (the officer may
change severities there) and its file and line from :meth:`Register.locate`.

Every finding is about one activity. A run may be limited to a :attr:`Context.scope` of activities (the
re-check after an edit, :func:`dpia_lib.rules.recheck`): rules then look only at those activities
(:meth:`Context.activities`, :meth:`Context.in_scope`) and :meth:`Context.emit` drops any finding about
another, so a scoped run gives exactly the findings of a full run that are about the activities in scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from dpia_lib.findings import Finding, Severity
from dpia_lib.records import Activity
from dpia_lib.register import Register
from dpia_lib.screening import Screening
from dpia_lib.sources import Sources
from dpia_lib.yamlio import format_loc

__all__ = ["Context", "Loc"]

Loc = tuple[str | int, ...]


@dataclass
class Context:
    """One run of the rule engine over a register."""

    register: Register
    graph: nx.MultiDiGraph
    as_of: dt.date
    findings: list[Finding] = field(default_factory=list)
    screenings: Mapping[str, Screening] | None = None  # every activity's screening, when already known
    #: Line lookups of the register (kept for the run; an analysis's when the caller has one).
    sources: Sources | None = None
    #: The activities whose findings this run gives (None: every activity).
    scope: AbstractSet[str] | None = None

    def in_scope(self, activity: str) -> bool:
        """Whether findings about ``activity`` are wanted in this run."""
        return self.scope is None or activity in self.scope

    def activities(self) -> Iterator[tuple[str, Activity]]:
        """The activities in scope with their records, in register order (sorted by id)."""
        acts = self.register.activities
        if self.scope is None:
            yield from acts.items()
        else:
            yield from ((aid, acts[aid]) for aid in sorted(self.scope) if aid in acts)

    @cached_property
    def flow_index(self) -> dict[str, tuple[str, int]]:
        """Flow id -> (activity whose file holds it, index in its ``flows``)."""
        return {flow.id: (aid, i) for aid, act in self.register.activities.items()
                for i, flow in enumerate(act.flows)}

    def emit(self, code: str, activity: str | None, key: str, loc: Loc, message: str) -> None:
        """Record a finding of rule ``code`` about ``activity`` at field ``loc`` of record ``key`` (dropped
        when ``activity`` is out of scope)."""
        if self.scope is not None and (activity is None or activity not in self.scope):
            return
        rule = self.register.catalogue.rules.get(code)
        severity = rule.severity if rule is not None else Severity.HIGH
        citation = (rule.citation or "analysis") if rule is not None else "analysis"
        if self.sources is None:
            self.sources = Sources(self.register)
        path, line, _ = self.sources.locate(key, loc)
        prefix = self.register.sources[key].prefix if key in self.register.sources else ()
        self.findings.append(Finding(code=code, severity=severity, activity=activity, message=message,
                                     citation=citation, path=path, line=line, field=format_loc((*prefix, *loc))))

    def edge_place(self, edge_key: str, category: str | None = None) -> tuple[str, str, Loc]:
        """(activity, record key, field path) of a graph edge: a flow, or a hosting edge ``activity~system``.

        With ``category``, the path points at that category inside the flow.
        """
        if edge_key in self.flow_index:
            aid, i = self.flow_index[edge_key]
            flow = self.register.activities[aid].flows[i]
            loc: Loc = ("flows", i)
            if category is not None and category in flow.categories:
                loc = (*loc, "categories", flow.categories.index(category))
            return aid, f"activity:{aid}", loc
        aid, _, sid = edge_key.partition("~")
        systems = self.register.activities[aid].systems
        return aid, f"activity:{aid}", ("systems", systems.index(sid)) if sid in systems else ("systems",)

    def party_kind(self, node: str) -> str | None:
        """The kind of party ``node`` ('employer', 'processor', ...) or None for an activity."""
        party = self.register.parties.get(node)
        return party.kind if party is not None else None
