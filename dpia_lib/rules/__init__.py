"""The rule engine: every rule over the register and its flow graph in one pass, as findings.

:func:`check` runs all rules and returns the findings sorted by file and line. Each rule's severity and
citation come from ``data/rules.yaml`` (the officer may change severities); :data:`RULE_CODES` lists the
codes the engine can emit, and the catalogue check makes sure the table holds each of them.

>>> import datetime as dt
>>> from dpia_lib import load_register
>>> [f.code for f in check(load_register(), dt.date(2026, 11, 25)) if f.severity == "high"]
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

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

__all__ = ["RULES", "RULE_CODES", "check"]

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


def check(
    register: Register | Analysis, as_of: dt.date, *, screenings: Mapping[str, Screening] | None = None
) -> list[Finding]:
    """Run every rule on a register or :class:`~dpia_lib.analysis.Analysis` as of the date ``as_of``; the
    findings, sorted by file and line.

    ``screenings`` (every activity's, e.g. from the incremental checker) saves screening the register again.
    """
    analysis = analyse(register)
    ctx = Context(
        register=analysis.register, graph=analysis.graph, as_of=as_of, sources=analysis.sources, screenings=screenings
    )
    for rule in RULES:
        rule(ctx)
    return sort_findings(ctx.findings)
