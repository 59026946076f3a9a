"""The rule engine: every rule over the register and its flow graph in one pass, as findings.

:func:`check` runs all rules and returns the findings sorted by file and line. Each rule's severity and
citation come from ``data/rules.yaml`` (the officer may change severities); :data:`RULE_CODES` lists the
codes the engine can emit, and the catalogue check makes sure the table holds each of them.

After an edit, :func:`recheck` updates an earlier :class:`RuleRun` instead of running everything again:
the rules run only for the activities the edit can affect (a scope, see
:class:`~dpia_lib.rules._context.Context`) and the findings about other activities are kept. The
rules over paths into an employer (:data:`GRAPH_WIDE`) are about the activity at the end of a path that
may start anywhere, so they run over the whole graph whenever the caller says the graph may have
changed for them. Which activities an edit can affect is the caller's to say
(:class:`~dpia_lib.incremental.IncrementalChecker` works it out from the changed files).

>>> import datetime as dt
>>> from dpia_lib import load_register
>>> [f.code for f in check(load_register(), dt.date(2026, 11, 25)) if f.severity == "high"]
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from dpia_lib.analysis import Analysis, analyse
from dpia_lib.findings import Finding, sort_findings
from dpia_lib.register import Register
from dpia_lib.rules._context import Context
from dpia_lib.rules.governance import check_dpia, check_measure_status, check_retention
from dpia_lib.rules.graph import (
    check_confidentiality,
    check_employer_paths,
    check_medical_access,
    check_minimisation,
    check_processors,
)
from dpia_lib.rules.lawfulness import (
    check_art6,
    check_art9,
    check_art9_exception,
    check_balancing,
    check_bsn,
    check_consent,
    check_marketing,
    check_source_informed,
    check_transfers,
)
from dpia_lib.screening import Screening

__all__ = ["GRAPH_WIDE", "RULES", "RULE_CODES", "RuleRun", "check", "recheck", "run_rules"]

#: Every finding code the engine can emit (the rule table in data/rules.yaml must hold each).
RULE_CODES: tuple[str, ...] = (
    "art6-basis-missing",
    "art9-condition-missing",
    "art9-exception-mismatch",
    "balancing-test-missing",
    "bsn-without-statute",
    "confidentiality-missing",
    "consent-power-imbalance",
    "dpia-missing",
    "dpia-review-overdue",
    "health-to-employer",
    "marketing-without-consent",
    "measure-status-conflict",
    "medical-access-unqualified",
    "medical-secrecy-breach",
    "minimisation-excess",
    "processor-without-dpa",
    "retention-conflict",
    "retention-exceeds-default",
    "retention-missing",
    "source-not-informed",
    "transfer-without-safeguard",
)

#: The rule functions, run in this order.
RULES: tuple[Callable[[Context], None], ...] = (
    check_art6,
    check_balancing,
    check_art9,
    check_art9_exception,
    check_employer_paths,
    check_medical_access,
    check_consent,
    check_bsn,
    check_processors,
    check_confidentiality,
    check_retention,
    check_transfers,
    check_marketing,
    check_minimisation,
    check_dpia,
    check_measure_status,
    check_source_informed,
)


#: The rules whose finding about an activity can change with an edit of any other activity (they follow
#: paths through the whole flow graph); :func:`recheck` runs them whole or not at all.
GRAPH_WIDE: tuple[Callable[[Context], None], ...] = (check_employer_paths,)


@dataclass(frozen=True)
class RuleRun:
    """The findings of one run of the engine as of a date, kept apart by kind of rule so that
    :func:`recheck` can update them after an edit."""

    as_of: dt.date
    #: Findings of the rules about one activity at a time (all but :data:`GRAPH_WIDE`).
    local: tuple[Finding, ...]
    #: Findings of the :data:`GRAPH_WIDE` rules.
    wide: tuple[Finding, ...]

    @property
    def findings(self) -> list[Finding]:
        """Every finding, sorted by file and line (as :func:`check` returns them)."""
        return sort_findings((*self.local, *self.wide))


def _run(analysis: Analysis, as_of: dt.date, rules: tuple[Callable[[Context], None], ...],
         screenings: Mapping[str, Screening] | None, scope: AbstractSet[str] | None) -> list[Finding]:
    ctx = Context(register=analysis.register, graph=analysis.graph, as_of=as_of, sources=analysis.sources,
                  screenings=screenings, scope=scope)
    for rule in rules:
        rule(ctx)
    return ctx.findings


_LOCAL = tuple(rule for rule in RULES if rule not in GRAPH_WIDE)


def run_rules(register: Register | Analysis, as_of: dt.date, *,
              screenings: Mapping[str, Screening] | None = None) -> RuleRun:
    """Run every rule on a register or :class:`~dpia_lib.analysis.Analysis` as of ``as_of``."""
    analysis = analyse(register)
    return RuleRun(as_of, tuple(_run(analysis, as_of, _LOCAL, screenings, None)),
                   tuple(_run(analysis, as_of, GRAPH_WIDE, screenings, None)))


def recheck(previous: RuleRun, register: Register | Analysis, *, scope: AbstractSet[str],
            changed_files: AbstractSet[str] = frozenset(), graph_changed: bool = True,
            screenings: Mapping[str, Screening] | None = None) -> RuleRun:
    """``previous`` brought up to date with ``register`` after an edit, giving the findings a full
    :func:`run_rules` would.

    The caller names what the edit can have changed: ``scope``, every activity (present, added or
    removed) whose findings of the per-activity rules may differ; ``changed_files``, the files whose text
    changed (findings located in them are found again, their lines may have moved); ``graph_changed``,
    whether flows carrying categories that may not reach an employer, or the parties, may differ (then
    the :data:`GRAPH_WIDE` rules run again).

    >>> from dpia_lib import load_register
    >>> register = load_register()
    >>> run = run_rules(register, dt.date(2026, 11, 25))
    >>> again = recheck(run, register, scope={"newsletter"}, graph_changed=False)
    >>> again.findings == run.findings == check(register, dt.date(2026, 11, 25))
    True
    """
    analysis = analyse(register)
    scope = set(scope) | {f.activity or "" for f in previous.local if f.path in changed_files}
    kept = [f for f in previous.local if f.activity not in scope]
    local = (*kept, *_run(analysis, previous.as_of, _LOCAL, screenings, frozenset(scope)))
    if graph_changed or any(f.path in changed_files for f in previous.wide):
        wide = tuple(_run(analysis, previous.as_of, GRAPH_WIDE, screenings, None))
    else:
        wide = previous.wide
    return RuleRun(previous.as_of, local, wide)


def check(
    register: Register | Analysis, as_of: dt.date, *, screenings: Mapping[str, Screening] | None = None
) -> list[Finding]:
    """Run every rule on a register or :class:`~dpia_lib.analysis.Analysis` as of the date ``as_of``; the
    findings, sorted by file and line.

    ``screenings`` (every activity's, e.g. from the incremental checker) saves screening the register again.
    """
    return run_rules(register, as_of, screenings=screenings).findings
