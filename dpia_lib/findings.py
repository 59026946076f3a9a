"""Findings: what a rule check found in the register, as data (stable code, severity, where, why, source).

The rule engine (:mod:`dpia_lib.rules`) returns a sorted list of :class:`Finding`; the caller decides
whether to show, filter or fail on them (``dpia check --fail-on``).

>>> Severity.MEDIUM.rank > Severity.LOW.rank
True
>>> f = Finding(code="retention-missing", severity="medium", activity="newsletter",
...             message="category 'x' has no retention period", citation="GDPR art. 5(1)(e)",
...             path="ropa/activities/newsletter.yaml", line=12, field="categories[1]")
>>> f.as_dict()["line"], f.format()
(12, "ropa/activities/newsletter.yaml:12: medium retention-missing [newsletter]: category 'x' has no retention period (GDPR art. 5(1)(e))")
>>> at_or_above([f], Severity.HIGH)
[]
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Finding", "Severity", "at_or_above", "sort_findings"]


class Severity(StrEnum):
    """How serious a finding is; the officer can change a rule's severity in ``data/rules.yaml``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for low, 1 for medium, 2 for high (for comparing severities)."""
        return _RANKS[self.value]


_RANKS = {"low": 0, "medium": 1, "high": 2}


class Finding(BaseModel):
    """One rule violation: which rule (``code``), how serious, which activity, where in which file, why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    activity: str | None
    message: str
    citation: str
    path: str
    line: int
    field: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with keys code, severity, activity, message, citation, path, line."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "activity": self.activity,
            "message": self.message,
            "citation": self.citation,
            "path": self.path,
            "line": self.line,
        }

    def format(self) -> str:
        """One line: ``path:line: severity code [activity]: message (citation)``."""
        where = f" [{self.activity}]" if self.activity else ""
        return f"{self.path}:{self.line}: {self.severity.value} {self.code}{where}: {self.message} ({self.citation})"


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a stable order: by file, line, code, activity and message."""
    return sorted(findings, key=lambda f: (f.path, f.line, f.code, f.activity or "", f.message))


def at_or_above(findings: Iterable[Finding], severity: Severity | str) -> list[Finding]:
    """The findings whose severity is ``severity`` or higher."""
    floor = Severity(severity).rank
    return [f for f in findings if f.severity.rank >= floor]
