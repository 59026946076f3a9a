"""DPIA screening: each WP248 criterion from register facts, the AP list, art. 35(3), the verdicts and
overrides. Expected outcomes are worked out by hand from WP248 rev.01, the AP list (Stcrt. 2019, 64418)
and the facts written into each probe activity (tests/engine_fixtures).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dpia_lib import Screening, load_register, screen, screen_activity
from dpia_lib.errors import UnknownActivityError
from dpia_lib.law import Verdict
from tests.engine_fixtures import REPO, copy_register, edit, probe, with_probe

FLAG_LINE = "data_subjects_per_year: 10\n"
CATEGORIES_LINE = "\ncategories: [name-contact]\n"
HEALTH_BASIS = ("\ncategories: [name-contact]\n",
                ("\ncategories: [name-contact, sickness-absence]\nspecial_categories_basis: "
                 "{condition: employment-social-security, dutch_exception: uavg-30-1-b}\n"))


def _screen(tmp_path: Path, text: str) -> Screening:
    return screen_activity(load_register(with_probe(tmp_path, text)), "probe")


def _facts(s: Screening, code: str) -> tuple[str, ...]:
    return next(tuple(f.text for f in r.facts) for r in s.reasons if r.code == code)


@pytest.fixture(scope="module")
def shipped() -> dict[str, Screening]:
    return screen(load_register(REPO / "ropa"))


@pytest.mark.parametrize("activity", ["reintegration-second-track", "special-file", "assessments-and-tests"])
def test_health_activities_required_by_wp248(activity: str, shipped: dict[str, Screening]) -> None:
    # Health data of sick employees: WP248 criteria 4 (sensitive) and 7 (vulnerable) and more. Not the AP
    # list's "Gezondheidsgegevens": 450-700 data subjects a year is below the large-scale threshold, and
    # naming reintegration companies as examples does not make a small one's processing large-scale (the
    # same test that makes a DPO not mandatory, GDPR art. 37(1)(c)).
    s = shipped[activity]
    assert s.verdict == Verdict.REQUIRED and not s.overridden
    assert {"wp248-sensitive-data", "wp248-vulnerable-subjects"} <= set(s.codes)
    assert "ap-health-data" not in s.codes


def test_newsletter_not_required(shipped: dict[str, Screening]) -> None:
    assert shipped["newsletter"].verdict == Verdict.NOT_REQUIRED
    assert shipped["newsletter"].reasons == ()


def test_screen_is_sorted_and_complete(shipped: dict[str, Screening]) -> None:
    assert list(shipped) == sorted(load_register(REPO / "ropa").activities)


def test_shipped_overrides_are_shown(shipped: dict[str, Screening]) -> None:
    s = shipped["legal-claims"]
    assert (s.verdict, s.computed, s.overridden) == (Verdict.NOT_REQUIRED, Verdict.REQUIRED, True)
    assert s.codes[-1] == "screening-override"
    assert s.reasons[-1].facts[0].text == "computed verdict 'required' overridden to 'not-required'"


def test_base_probe_meets_no_criterion(tmp_path: Path) -> None:
    s = _screen(tmp_path, probe())
    assert (s.verdict, s.codes) == (Verdict.NOT_REQUIRED, ())


@pytest.mark.parametrize(("replacement", "code", "fact"), [
    ((CATEGORIES_LINE, "\ncategories: [name-contact, coaching-notes]\n"), "wp248-evaluation-scoring",
     "evaluative category 'coaching-notes'"),
    ((FLAG_LINE, FLAG_LINE + "profiling: true\n"), "wp248-evaluation-scoring", "profiling declared"),
    ((FLAG_LINE, FLAG_LINE + "automated_decisions: true\n"), "wp248-automated-decision",
     "automated decisions declared"),
    ((FLAG_LINE, FLAG_LINE + "systematic_monitoring: true\n"), "wp248-systematic-monitoring",
     "systematic monitoring declared"),
    ((CATEGORIES_LINE, "\ncategories: [name-contact, bsn]\n"), "wp248-sensitive-data", "national identifier 'bsn'"),
    ((FLAG_LINE, "data_subjects_per_year: 100000\n"), "wp248-large-scale",
     "100000 data subjects a year, at or above the large-scale-ordinary threshold of 100000"),
    (("data_subjects: [client-contacts]\n", "data_subjects: [employees]\n"), "wp248-vulnerable-subjects",
     "vulnerable data subjects 'employees'"),
    ((FLAG_LINE, FLAG_LINE + "innovative_technology: true\n"), "wp248-innovative-technology",
     "new technology declared"),
    ((FLAG_LINE, FLAG_LINE + "blocks_service: true\n"), "wp248-blocks-rights",
     "outcome can block a right, service or contract"),
])
def test_each_criterion_alone_is_recommended(replacement: tuple[str, str], code: str, fact: str,
                                             tmp_path: Path) -> None:
    s = _screen(tmp_path, probe(replacement))
    assert s.codes == (code,)
    assert _facts(s, code) == (fact,)
    assert s.verdict == Verdict.RECOMMENDED


def test_large_scale_threshold_is_a_floor(tmp_path: Path) -> None:
    assert _screen(tmp_path, probe((FLAG_LINE, "data_subjects_per_year: 99999\n"))).codes == ()


def test_sensitive_health_category(tmp_path: Path) -> None:
    ropa = with_probe(tmp_path, probe(HEALTH_BASIS))
    edit(ropa / "organisation.yaml", "sector: reintegration-company\n", "sector: training-provider\n")
    s = screen_activity(load_register(ropa), "probe")
    # Another sector, 10 data subjects: no AP-list match, one WP248 criterion.
    assert (s.codes, s.verdict) == (("wp248-sensitive-data",), Verdict.RECOMMENDED)
    assert _facts(s, "wp248-sensitive-data") == ("special category 'sickness-absence'",)


def test_matching_two_external_sources(tmp_path: Path) -> None:
    text = probe(("    from: data-subject\n", "    from: employer\n")) + (
        "  - id: probe-uwv\n    from: uwv\n    to: probe\n    categories: [name-contact]\n"
        "    channel: email\n    frequency: once\n")
    s = _screen(tmp_path, text)
    assert "wp248-matching-combining" in s.codes
    assert _facts(s, "wp248-matching-combining") == ("data from party 'employer'", "data from party 'uwv'")


def test_matching_party_and_own_activity(tmp_path: Path) -> None:
    text = probe(("    from: data-subject\n", "    from: employer\n")) + (
        "  - id: probe-internal\n    from: probe\n    to: customer-contact\n    categories: [name-contact]\n"
        "    channel: email\n    frequency: once\n"
        "  - id: probe-from-portal\n    from: client-portal\n    to: probe\n    categories: [name-contact]\n"
        "    channel: email\n    frequency: once\n")
    s = _screen(tmp_path, text)
    assert _facts(s, "wp248-matching-combining") == ("data from party 'employer'", "data from own activities client-portal")


def test_data_subject_and_one_party_is_not_matching(tmp_path: Path) -> None:
    text = probe() + ("  - id: probe-employer\n    from: employer\n    to: probe\n    categories: [name-contact]\n"
                      "    channel: email\n    frequency: once\n")
    assert "wp248-matching-combining" not in _screen(tmp_path, text).codes


def test_two_criteria_are_required(tmp_path: Path) -> None:
    s = _screen(tmp_path, probe(("data_subjects: [client-contacts]\n", "data_subjects: [employees]\n"),
                                (FLAG_LINE, FLAG_LINE + "innovative_technology: true\n")))
    assert (s.codes, s.verdict) == (("wp248-vulnerable-subjects", "wp248-innovative-technology"), Verdict.REQUIRED)


def test_sector_named_by_the_ap_list_is_not_large_scale_by_itself(tmp_path: Path) -> None:
    # Health data of 10 people a year in a reintegration company: one WP248 criterion, no AP-list match.
    s = _screen(tmp_path, probe(HEALTH_BASIS))
    assert s.codes == ("wp248-sensitive-data",)
    assert s.verdict == Verdict.RECOMMENDED


def test_ap_list_alone_makes_it_required(tmp_path: Path) -> None:
    s = _screen(tmp_path, probe(HEALTH_BASIS, (FLAG_LINE, "data_subjects_per_year: 10000\n")))
    # At the threshold the AP list applies, and the sector is named as context.
    assert s.codes[:2] == ("ap-health-data", "art35-3-b") and s.verdict == Verdict.REQUIRED
    assert _facts(s, "ap-health-data")[-1] == "organisation sector 'reintegration-company' is named among the " \
                                              "source's examples"


def test_ap_health_data_by_threshold_in_another_sector(tmp_path: Path) -> None:
    ropa = with_probe(tmp_path, probe(HEALTH_BASIS, (FLAG_LINE, "data_subjects_per_year: 10000\n")))
    edit(ropa / "organisation.yaml", "sector: reintegration-company\n", "sector: training-provider\n")
    s = screen_activity(load_register(ropa), "probe")
    assert s.codes == ("ap-health-data", "art35-3-b", "wp248-sensitive-data", "wp248-large-scale")
    assert _facts(s, "art35-3-b") == ("special category 'sickness-absence'",
                                      "10000 data subjects a year, at or above the large-scale-special threshold of 10000")


def test_art35_3_a(tmp_path: Path) -> None:
    s = _screen(tmp_path, probe((FLAG_LINE, FLAG_LINE + "profiling: true\nautomated_decisions: true\n")))
    assert s.codes[0] == "art35-3-a" and s.verdict == Verdict.REQUIRED
    assert s.reasons[0].source == "GDPR art. 35(3)(a)"


def test_art35_3_c_needs_a_public_area(tmp_path: Path) -> None:
    monitoring = "data_subjects_per_year: 100000\nsystematic_monitoring: true\n"
    public = _screen(tmp_path / "a", probe((FLAG_LINE, monitoring + "monitors_public_area: true\n")))
    assert "art35-3-c" in public.codes
    private = _screen(tmp_path / "b", probe((FLAG_LINE, monitoring)))
    assert "art35-3-c" not in private.codes


def test_ap_employee_monitoring(tmp_path: Path) -> None:
    s = _screen(tmp_path, probe(("data_subjects: [client-contacts]\n", "data_subjects: [employees-sick]\n"),
                                (FLAG_LINE, FLAG_LINE + "systematic_monitoring: true\n")))
    assert s.codes[0] == "ap-employee-monitoring"


OVERRIDE = ("last_review: 2026-09-15\n",
            ("screening_override: {verdict: %s, reason: officer's reasoning, by: privacy-officer, date: 2026-10-01}\n"
             "last_review: 2026-09-15\n"))


def test_override_down_is_shown(tmp_path: Path) -> None:
    s = _screen(tmp_path, probe(HEALTH_BASIS, ("data_subjects: [client-contacts]\n", "data_subjects: [employees]\n"),
                                (OVERRIDE[0], OVERRIDE[1] % "not-required")))
    assert (s.verdict, s.computed, s.overridden) == (Verdict.NOT_REQUIRED, Verdict.REQUIRED, True)
    assert s.override is not None and s.override.by == "privacy-officer"
    assert s.reasons[-1].code == "screening-override"
    assert [(f.code, f.text) for f in s.reasons[-1].facts] == [
        ("override", "computed verdict 'required' overridden to 'not-required'"), ("officer", "officer's reasoning")]
    assert s.as_dict()["overridden"] is True and s.as_dict()["verdict"] == "not-required"


def test_override_up(tmp_path: Path) -> None:
    s = _screen(tmp_path, probe((OVERRIDE[0], OVERRIDE[1] % "required")))
    assert (s.verdict, s.computed, s.overridden) == (Verdict.REQUIRED, Verdict.NOT_REQUIRED, True)


def test_unknown_activity() -> None:
    with pytest.raises(UnknownActivityError, match="did you mean 'newsletter'"):
        screen_activity(load_register(REPO / "ropa"), "newsleter")


def test_copy_without_engine_catalogues_uses_shipped_ones(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    (tmp_path / "data/wp248.yaml").unlink()
    assert screen_activity(load_register(ropa), "special-file").verdict == Verdict.REQUIRED


def test_cli_screen_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from dpia_lib.cli import main

    assert main(["screen", "--register", str(REPO / "ropa"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["activity"] for o in out] == sorted(o["activity"] for o in out) and len(out) == 13
    assert all(set(o) == {"activity", "verdict", "overridden", "controller_decides", "controllers", "reasons"}
               for o in out)
    special = next(o for o in out if o["activity"] == "special-file")
    assert special["verdict"] == "required" and special["overridden"] is False
    assert special["controller_decides"] is False
    assert set(special["reasons"][0]) == {"code", "source", "facts"}
    assert special["reasons"][0]["code"] == "wp248-sensitive-data"
    legal = next(o for o in out if o["activity"] == "legal-claims")
    assert (legal["verdict"], legal["overridden"]) == ("not-required", True)


def test_cli_screen_table_and_one_activity(capsys: pytest.CaptureFixture[str]) -> None:
    from dpia_lib.cli import main

    assert main(["screen", "--register", str(REPO / "ropa"), "--activity", "outplacement", "--language", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Activity", "Verdict", "Reasons"]
    assert lines[1].startswith("Outplacement") and "not required (overridden; computed: required)" in lines[1]
    assert main(["screen", "--register", str(REPO / "ropa"), "--activity", "outplacement"]) == 0
    assert "niet verplicht (handmatig aangepast; berekend: verplicht)" in capsys.readouterr().out
    assert main(["screen", "--register", str(REPO / "ropa"), "--activity", "nope"]) == 2
