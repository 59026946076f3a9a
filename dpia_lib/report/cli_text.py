"""The text output of ``dpia screen``, ``dpia check`` and ``dpia risks`` in nl or en, worded through the
label catalogue like the reports (JSON output keeps the engine's codes).

>>> from dpia_lib import load_register
>>> from dpia_lib.screening import screen_activity
>>> r = load_register()
>>> print(screening_text(r, [screen_activity(r, "newsletter")], "en").splitlines()[0])
Activity    Verdict       Reasons
"""

from __future__ import annotations

from collections.abc import Sequence

from dpia_lib.findings import Finding
from dpia_lib.register import Register
from dpia_lib.report.summary import level_label
from dpia_lib.report.tables import _reason_label
from dpia_lib.report.wording import cite, driver_text, finding_text, word
from dpia_lib.risk import RiskAssessment
from dpia_lib.screening import Screening

__all__ = ["finding_line", "findings_summary", "risks_text", "screening_text"]


def _name(register: Register, aid: str | None, language: str) -> str:
    act = register.activities.get(aid or "")
    return act.name.get(language) if act is not None else (aid or "")


def screening_text(register: Register, screenings: Sequence[Screening], language: str) -> str:
    """The screenings as a fixed-width table: activity, verdict (with override), reasons."""
    rows = [(word("activity", language), word("verdict", language), word("reasons", language))]
    for s in screenings:
        verdict = word(f"verdict-{s.verdict.value}", language)
        if s.overridden:
            verdict += (f" ({word('overridden', language).lower()}; {word('computed', language)}: "
                        f"{word('verdict-' + s.computed.value, language)})")
        reasons = "; ".join(_reason_label(register, r.code, language) for r in s.reasons) or "-"
        rows.append((_name(register, s.activity, language), verdict, reasons))
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {v:<{widths[1]}}  {r}".rstrip() for a, v, r in rows)


def finding_line(register: Register, finding: Finding, language: str) -> str:
    """One finding: ``path:line: severity [activity]: message (citation)``."""
    activity = f" [{_name(register, finding.activity, language)}]" if finding.activity else ""
    return (f"{finding.path}:{finding.line}: {word('severity-' + finding.severity.value, language)}"
            f"{activity}: {finding_text(finding, language, register)} ({cite(finding.citation, language)})")


def findings_summary(findings: Sequence[Finding], failing: int, fail_on: str, language: str) -> str:
    """The closing line of ``dpia check``: the count per severity and how many are at or above ``fail_on``.

    >>> findings_summary([], 0, "high", "nl")
    '0 bevinding(en): 0 hoog, 0 middel, 0 laag; 0 op of boven hoog'
    """
    counts = ", ".join(f"{sum(f.severity.value == s for f in findings)} {word('severity-' + s, language)}"
                       for s in ("high", "medium", "low"))
    return word("findings-summary", language).format(
        count=len(findings), counts=counts, failing=failing, level=word("severity-" + fail_on, language))


def risks_text(register: Register, assessment: RiskAssessment, language: str) -> str:
    """The feared events of one activity: levels, drivers, measures, and the action plan."""
    def t(key: str) -> str:
        return word(key, language)

    measures = register.catalogue.measures

    def names(ids: Sequence[str]) -> str:
        return ", ".join(measures[m].label.get(language) if m in measures else m for m in ids)

    lines = [(f"{_name(register, assessment.activity, language)}: {t('highest-residual').lower()} "
             f"{level_label(assessment.highest_residual, language)}")]
    for r in assessment.risks:
        lines.append(f"- {r.label.get(language)}: {t('inherent').lower()} {level_label(r.inherent, language)}, "
                     f"{t('residual').lower()} {level_label(r.residual, language)}, "
                     f"{t('planned').lower()} {level_label(r.planned, language)}")
        lines += [f"    {driver_text(register, d, language)}" for d in r.drivers]
        if r.measures_applied:
            lines.append(f"    {t('measures-applied')}: {names(r.measures_applied)}")
        if r.measures_planned:
            lines.append(f"    {t('planned')}: {names(r.measures_planned)}")
    for a in assessment.actions:
        owner = register.roles[a.owner].name.get(language) if a.owner in register.roles else a.owner
        lines.append(f"{t('action-plan')}: {names([a.measure])} ({owner}, {t('due').lower()} {a.due.isoformat()}, "
                     f"{t('status-' + a.status)})")
    return "\n".join(lines)
