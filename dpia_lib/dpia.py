"""One DPIA object per activity: the derived parts (screening, findings, risks) merged with the officer's
recorded answers (``ropa/dpias/<activity>.yaml``: necessity, proportionality, subsidiarity, data-subject
views, the DPO's or privacy officer's advice, sign-off, review date, action plan).

GDPR art. 35(7) asks for (a) a description of the processing and its purposes, (b) necessity and
proportionality, (c) the risks to data subjects and (d) the measures; :attr:`Dpia.missing` names the
parts the record does not yet hold, so a notebook can show what is left to do.

>>> import datetime as dt
>>> from dpia_lib import load_register
>>> d = build_dpia(load_register(), "special-file", dt.date(2026, 11, 25))
>>> d.screening.verdict.value, d.record is not None, d.missing
('required', True, ())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from dpia_lib.analysis import Analysis, analyse
from dpia_lib.findings import Finding
from dpia_lib.records import Activity, DpiaRecord
from dpia_lib.register import Register
from dpia_lib.risk import RiskAssessment, assess_risks
from dpia_lib.rules import check
from dpia_lib.screening import Screening, screen_activity

__all__ = ["Dpia", "build_dpia"]


class Dpia(BaseModel):
    """The DPIA of one activity as of a date: derived and recorded parts together."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    activity: Activity
    screening: Screening
    findings: tuple[Finding, ...]
    risks: RiskAssessment
    record: DpiaRecord | None
    as_of: dt.date

    @property
    def missing(self) -> tuple[str, ...]:
        """The parts the officer still has to record (empty when the DPIA is complete)."""
        if self.record is None:
            return ("record",)
        out = []
        if self.record.dpo_advice is None:
            out.append("dpo_advice")
        if self.record.sign_off is None:
            out.append("sign_off")
        if self.record.review_date < self.as_of:
            out.append("review")
        return tuple(out)

    @property
    def overdue_actions(self) -> tuple[str, ...]:
        """Measures of the action plan not done by their due date."""
        if self.record is None:
            return ()
        return tuple(a.measure for a in self.record.actions
                     if a.status in ("planned", "in-progress") and a.due < self.as_of)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary: activity, as_of, screening, findings, risks, record, missing."""
        return {
            "activity": self.activity.id,
            "as_of": self.as_of.isoformat(),
            "screening": self.screening.as_dict(),
            "findings": [f.as_dict() for f in self.findings],
            "risks": self.risks.as_dict(),
            "record": self.record.model_dump(mode="json", by_alias=True) if self.record else None,
            "missing": list(self.missing),
        }


def build_dpia(register: Register | Analysis, activity_id: str, as_of: dt.date,
               findings: Sequence[Finding] | None = None) -> Dpia:
    """Merge screening, the findings of ``activity_id``, its risks and the officer's record.

    ``findings``: the result of :func:`dpia_lib.rules.check` for the same register and date, when the
    caller builds many DPIAs and has run the rules once; otherwise they are computed here.
    """
    analysis = analyse(register)
    register = analysis.register
    activity = register.activity(activity_id)
    every = findings if findings is not None else check(analysis, as_of)
    mine = tuple(f for f in every if f.activity == activity_id)
    return Dpia(
        activity=activity,
        screening=screen_activity(analysis, activity_id),
        findings=mine,
        risks=assess_risks(analysis, activity_id),
        record=register.dpias.get(activity_id),
        as_of=as_of,
    )
