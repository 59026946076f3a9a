"""Finding records and severities."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dpia_lib.findings import Finding, Severity, at_or_above, sort_findings


def _finding(code: str, severity: str, path: str = "a.yaml", line: int = 1) -> Finding:
    return Finding(code=code, severity=severity, activity="x", message="m", citation="c", path=path, line=line)


def test_severity_order() -> None:
    assert [s.rank for s in (Severity.LOW, Severity.MEDIUM, Severity.HIGH)] == [0, 1, 2]


def test_at_or_above_filters_by_rank() -> None:
    findings = [_finding("a", "low"), _finding("b", "medium"), _finding("c", "high")]
    assert [f.code for f in at_or_above(findings, "medium")] == ["b", "c"]
    assert [f.code for f in at_or_above(findings, Severity.HIGH)] == ["c"]
    assert len(at_or_above(findings, "low")) == 3


def test_sorted_by_file_then_line() -> None:
    findings = [_finding("a", "low", "b.yaml", 1), _finding("b", "low", "a.yaml", 9), _finding("c", "low", "a.yaml", 2)]
    assert [f.code for f in sort_findings(findings)] == ["c", "b", "a"]


def test_as_dict_keys_and_frozen() -> None:
    f = _finding("retention-missing", "medium")
    assert set(f.as_dict()) == {"code", "severity", "activity", "message", "citation", "path", "line"}
    assert f.as_dict()["severity"] == "medium"
    with pytest.raises(ValidationError):
        f.code = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        _finding("x", "critical")
