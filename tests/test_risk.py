"""Risk assessment (CNIL method): applicable events, levels derived from register facts, measures,
planned actions and officer adjustments. Levels are computed by hand from data/risks.yaml,
data/measures.yaml and the shipped register, as written beside each assertion.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dpia_lib import Register, RiskAssessment, RiskEntry, RiskLevel, assess_risks, load_register
from dpia_lib.cli import main
from dpia_lib.errors import UnknownActivityError
from tests.engine_fixtures import REPO, copy_register, edit


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register(REPO / "ropa")


def _entry(a: RiskAssessment, event: str) -> RiskEntry:
    return next(r for r in a.risks if r.event == event)


# CNIL risk map (data/risk_matrix.yaml): "high" is significant or maximum (3-4) on an axis; high on both
# is the top zone, high severity only the next, high likelihood only the one below, neither the lowest.
@pytest.mark.parametrize(("likelihood", "severity", "name"), [
    (1, 1, "negligible"), (1, 2, "negligible"), (2, 2, "negligible"), (2, 3, "significant"),
    (1, 4, "significant"), (3, 2, "limited"), (4, 1, "limited"), (3, 3, "maximum"), (3, 4, "maximum"),
    (4, 4, "maximum"),
])
def test_level_names(likelihood: int, severity: int, name: str) -> None:
    assert RiskLevel(likelihood=likelihood, severity=severity).name == name


def test_events_that_apply(register: Register) -> None:
    # special-file: health data (health-to-employer, function-creep), no tests, not anonymised.
    assert {r.event for r in assess_risks(register, "special-file").risks} == {
        "illegitimate-access", "unwanted-modification", "data-disappearance", "health-to-employer", "function-creep"}
    # assessments-and-tests declares profiling: placement discrimination applies.
    assert "placement-discrimination" in {r.event for r in assess_risks(register, "assessments-and-tests").risks}
    # management-reporting has anonymised output: re-identification applies; its input is about sick
    # employees, which is health data (CJEU C-184/20), so the health events apply too.
    assert {r.event for r in assess_risks(register, "management-reporting").risks} == {
        "illegitimate-access", "unwanted-modification", "data-disappearance", "re-identification",
        "health-to-employer", "function-creep"}


def test_special_file_illegitimate_access(register: Register) -> None:
    e = _entry(assess_risks(register, "special-file"), "illegitimate-access")
    # base L2/S2; severity +1 health, +1 diagnosis (medical secrecy), +1 employees-sick -> 5, capped at 4;
    # likelihood: 2 roles, 1 external recipient (the CTS supplier), 450 a year -> no driver.
    assert (e.inherent.likelihood, e.inherent.severity, e.inherent.name) == (2, 4, "significant")
    # Eight measures lower likelihood, three lower severity; the cap is 2 and 1 levels: L max(2-2, 1)=1, S 3.
    assert (e.residual.likelihood, e.residual.severity, e.residual.name) == (1, 3, "significant")
    assert "special-file-access" in e.measures_applied and "backup" not in e.measures_applied
    assert e.measures_planned == ("data-processing-agreement", "pseudonymisation")
    assert e.planned == e.residual  # already at the cap
    assert "medical-secrecy|severity|diagnosis-complaints" in e.drivers


def test_planned_actions_lower_the_projected_risk(register: Register) -> None:
    e = _entry(assess_risks(register, "progress-reporting"), "illegitimate-access")
    # base L2/S2; S+1 reports about sick employees are health data, S+1 employees; L+1 three roles, L+1 two
    # external recipients (employer, CTS supplier) -> L4/S4.
    assert (e.inherent.likelihood, e.inherent.severity) == (4, 4)
    # role-based-access, encryption-in-transit, privacy-training: L-3, capped at -2 -> L2; no severity measure.
    assert (e.residual.likelihood, e.residual.severity, e.residual.name) == (2, 4, "significant")
    # Planned access-logging (L-1, already at the cap) and deletion-schedule (S-1) -> L2/S3: severity stays
    # high (3-4) while likelihood is low, which the CNIL risk map rates significant.
    assert (e.planned.likelihood, e.planned.severity, e.planned.name) == (2, 3, "significant")
    assert e.measures_planned == ("access-logging", "deletion-schedule")


def test_officer_adjustment_is_applied_and_shown(register: Register) -> None:
    e = _entry(assess_risks(register, "progress-reporting"), "health-to-employer")
    # Derived: base L2/S3; S+1 employees -> 4; L+1 three roles, L+1 reports reach the employer -> 4.
    # The DPIA record sets likelihood 3.
    assert e.adjustment is not None and e.adjustment.likelihood == 3
    assert (e.inherent.likelihood, e.inherent.severity) == (3, 4)
    assert "adjustment|4|4" in e.drivers


def test_highest_residual(register: Register) -> None:
    a = assess_risks(register, "special-file")
    # health-to-employer keeps severity 4 (no measure lowers its severity): L1/S4 is the highest.
    assert a.highest_residual == _entry(a, "health-to-employer").residual
    assert (a.highest_residual.likelihood, a.highest_residual.severity) == (1, 4)
    assert [x.measure for x in a.actions] == ["client-review-right", "data-processing-agreement", "pseudonymisation"]


def test_no_measures_means_residual_equals_inherent(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "activities/self-paying-payments.yaml", "measures: [role-based-access, backup, encryption-in-transit]\n",
         "measures: []\n")
    a = assess_risks(load_register(ropa), "self-paying-payments")
    assert all(r.residual == r.inherent and r.measures_applied == () for r in a.risks)


def test_unknown_activity(register: Register) -> None:
    with pytest.raises(UnknownActivityError):
        assess_risks(register, "no-such-activity")


def test_cli_risks_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risks", "--register", str(REPO / "ropa"), "--activity", "special-file", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"activity", "highest_residual", "risks", "actions"}
    assert out["highest_residual"] == {"likelihood": 1, "severity": 4, "level": "significant"}
    first = out["risks"][0]
    assert set(first) == {"event", "label", "inherent", "residual", "planned", "measures_applied",
                          "measures_planned", "drivers", "adjustment"}


def test_cli_risks_text_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risks", "--register", str(REPO / "ropa"), "--activity", "newsletter", "--language", "en"]) == 0
    assert capsys.readouterr().out.startswith("Newsletter and marketing: highest residual risk ")
    assert main(["risks", "--register", str(REPO / "ropa"), "--activity", "newsletter"]) == 0
    assert ": hoogste restrisico " in capsys.readouterr().out
    assert main(["risks", "--register", str(REPO / "ropa"), "--activity", "nope"]) == 2
    assert "unknown activity 'nope'" in capsys.readouterr().err
