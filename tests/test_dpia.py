"""The DPIA object: derived parts (screening, findings, risks) merged with the officer's record."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dpia_lib import Register, build_dpia, load_register
from dpia_lib.law import Verdict
from tests.engine_fixtures import REPO, copy_register


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register(REPO / "ropa")


def test_every_required_activity_has_a_complete_record(register: Register) -> None:
    as_of = dt.date(2026, 11, 25)
    required = [aid for aid in register.activities
                if build_dpia(register, aid, as_of).screening.verdict == Verdict.REQUIRED]
    assert required == ["assessments-and-tests", "progress-reporting", "reintegration-second-track", "special-file"]
    for aid in required:
        d = build_dpia(register, aid, as_of)
        assert d.record is not None and d.missing == ()
        assert d.record.sign_off is not None and d.record.sign_off.by == "management"
        assert d.record.dpo_advice is not None and d.record.dpo_advice.by == "privacy-officer"


def test_special_file_dpia(register: Register) -> None:
    d = build_dpia(register, "special-file", dt.date(2026, 11, 25))
    assert d.activity.id == "special-file" and d.findings == ()
    assert d.risks.activity == "special-file" and d.screening.codes[0] == "wp248-sensitive-data"
    assert d.record is not None and d.record.review_date == dt.date(2027, 3, 2)
    assert d.overdue_actions == ()


def test_review_overdue_and_actions_late(register: Register) -> None:
    d = build_dpia(register, "special-file", dt.date(2027, 3, 3))
    assert d.missing == ("review",)
    # The CTS supplier's agreement also ended on 2027-01-31 (parties.yaml).
    assert [f.code for f in d.findings] == ["dpia-review-overdue", "processor-without-dpa"]
    # client-review-right was due 2026-12-31 (in progress); data-processing-agreement 2027-01-15 (planned).
    assert d.overdue_actions == ("client-review-right", "data-processing-agreement")


def test_activity_without_record(register: Register) -> None:
    d = build_dpia(register, "newsletter", dt.date(2026, 11, 25))
    assert d.record is None and d.missing == ("record",) and d.risks.actions == ()


def test_findings_are_those_of_the_activity(register: Register) -> None:
    d = build_dpia(register, "satisfaction-survey", dt.date(2026, 11, 25))
    assert [(f.code, f.activity) for f in d.findings] == [("consent-power-imbalance", "satisfaction-survey")]


def test_missing_advice_and_sign_off(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    path = ropa / "dpias/assessments-and-tests.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("dpo_advice:")] + text[text.index("review_date:"):], encoding="utf-8")
    d = build_dpia(load_register(ropa), "assessments-and-tests", dt.date(2026, 11, 25))
    assert d.missing == ("dpo_advice", "sign_off")


def test_as_dict_is_json(register: Register) -> None:
    out = build_dpia(register, "progress-reporting", dt.date(2026, 11, 25)).as_dict()
    assert set(out) == {"activity", "as_of", "screening", "findings", "risks", "record", "missing"}
    assert json.loads(json.dumps(out))["record"]["actions"][0]["measure"] == "access-logging"
