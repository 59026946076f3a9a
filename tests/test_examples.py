"""The example registers under examples/: an occupational health service and a sole-practitioner career
coach. Each validates, and its screening and findings were worked out by hand from its files and the law.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dpia_lib import check, load_register, screen
from dpia_lib.cli import main
from dpia_lib.legal import dpo_required, rights_for
from dpia_lib.validation import validate_register

REPO = Path(__file__).resolve().parent.parent
OHS = REPO / "examples/occupational-health-service"
COACH = REPO / "examples/career-coach"
AS_OF = dt.date(2026, 12, 2)


@pytest.mark.parametrize("register", [REPO / "ropa", OHS, COACH], ids=["shipped", "ohs", "coach"])
def test_validates_and_passes_fail_on_high(register: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_register(register).problems == ()
    assert main(["check", "--register", str(register), "--fail-on", "high", "--as-of", AS_OF.isoformat()]) == 0
    assert "0 hoog" in capsys.readouterr().err  # the summary line is Dutch by default


def test_occupational_health_service_screening() -> None:
    s = screen(load_register(OHS))
    # Medical file: health data of employees (WP248 4 and 7), 3,000 a year is not large-scale: required by
    # WP248, not by the AP list; the DPIA is recorded in dpias/medical-file.yaml.
    medical = s["medical-file"]
    assert (medical.verdict.value, medical.codes) == ("required", ("wp248-sensitive-data", "wp248-vulnerable-subjects"))
    assert not medical.controller_decides
    # Absence administration: done as processor for the employer, who decides on the DPIA.
    absence = s["absence-administration"]
    assert absence.controller_decides and absence.controllers == ("employer",)
    assert absence.codes == ("wp248-sensitive-data", "wp248-vulnerable-subjects", "processor-activity")


def test_occupational_health_service_findings() -> None:
    # No finding: the medical file's 20-year retention cites BW 7:454(3); only the company doctor and the
    # nurse (medically trained) see it; the employer receives functional limitations and appointments,
    # which the company doctor may pass on; the processor activity leaves basis, condition, art. 14 and
    # DPIA to the employer.
    assert check(load_register(OHS), AS_OF) == []
    assert dpo_required(load_register(OHS)) == (False, [])


def test_medical_file_rights() -> None:
    # Legal obligation only: no portability (art. 20(1)), no objection (art. 21(1)), no consent to withdraw.
    assert [r.id for r in rights_for(load_register(OHS).activities["medical-file"])] == [
        "access", "rectification", "erasure", "restriction"]


def test_career_coach_screening_and_findings() -> None:
    register = load_register(COACH)
    s = screen(register)
    # Coaching notes evaluate the client (WP248 criterion 1) by a person, without profiling: one criterion.
    assert (s["coaching"].verdict.value, s["coaching"].codes) == ("recommended", ("wp248-evaluation-scoring",))
    assert (s["invoicing"].verdict.value, s["invoicing"].codes) == ("not-required", ())
    # The US storage provider is covered by the Data Privacy Framework because it is certified; the
    # invoices keep the name 7 years under AWR art. 52(4).
    assert check(register, AS_OF) == []


def test_career_coach_without_certification_has_no_safeguard(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "career-coach"
    shutil.copytree(COACH, copy)
    path = copy / "activities/coaching.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("certified: true", "certified: false"), encoding="utf-8")
    found = check(load_register(copy), AS_OF)
    # coaching.yaml line 24: the transfer ("  - {party: cloud-provider, ...}") relying on adequacy.
    assert [(f.code, f.activity, Path(f.path).name, f.line) for f in found] == [
        ("transfer-without-safeguard", "coaching", "coaching.yaml", 24)]
