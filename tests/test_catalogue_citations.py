"""Every catalogue entry in data/ carries a citation or ``basis: analysis``; the engine's catalogues are
complete (nine WP248 criteria, the AP list's 17 categories, every rule code, the feared events the
measures refer to) and cross-references between them are checked with file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dpia_lib import RegisterError, load_catalogue, load_register
from dpia_lib.rules import RULE_CODES
from dpia_lib.validation import validate_register
from tests.engine_fixtures import REPO, copy_register, edit

DATA = REPO / "data"
CATALOGUES = ["categories", "data_subjects", "measures", "countries", "wp248", "ap_list", "art35_3",
              "thresholds", "rules", "risks"]


def _entries(name: str) -> list[dict[str, object]]:
    entries = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))[name]
    assert isinstance(entries, list) and entries
    return entries


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_entry_is_sourced(name: str) -> None:
    # Read the raw YAML, not the models: this fails even if the schema's own check were dropped.
    unsourced = [e.get("id", e.get("code")) for e in _entries(name)
                 if not (isinstance(e.get("citation"), str) and e["citation"].strip()) and e.get("basis") != "analysis"]
    assert unsourced == []


def test_unsourced_entry_is_refused(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(tmp_path / "data/risks.yaml",
         "    citation: CNIL, PIA Methodology (2018), feared event \"disappearance of personal data\"; GDPR art. 32(1)(c)\n",
         "")
    with pytest.raises(RegisterError, match="risks.yaml.*needs a 'citation' or a 'basis'"):
        load_register(ropa)


def test_wp248_has_nine_criteria() -> None:
    assert sorted(c.number for c in load_catalogue().wp248.values()) == list(range(1, 10))


def test_ap_list_has_seventeen_categories_by_name() -> None:
    ap = load_catalogue().ap_list
    assert len(ap) == 17
    assert ap["ap-health-data"].name.nl == "Gezondheidsgegevens"
    assert ap["ap-health-data"].match is not None
    assert "reintegration-company" in ap["ap-health-data"].match.example_sectors


def test_art35_3_has_three_cases() -> None:
    assert sorted(load_catalogue().art35_3) == ["art35-3-a", "art35-3-b", "art35-3-c"]


def test_rule_table_holds_every_code() -> None:
    assert sorted(load_catalogue().rules) == sorted(RULE_CODES)


def test_feared_events_cover_the_field() -> None:
    events = set(load_catalogue().risks)
    assert {"illegitimate-access", "unwanted-modification", "data-disappearance", "health-to-employer",
            "function-creep", "placement-discrimination", "re-identification"} <= events


def test_every_measure_event_exists() -> None:
    catalogue = load_catalogue()
    assert {e for m in catalogue.measures.values() for e in m.events} <= set(catalogue.risks)


def test_unknown_event_in_a_measure_is_reported(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    # measures.yaml line 8: "    events: [illegitimate-access, health-to-employer, function-creep]"
    edit(tmp_path / "data/measures.yaml", "    events: [illegitimate-access, health-to-employer, function-creep]\n    effect: {likelihood: 1}\n    citation: GDPR art. 32(1)(b), art. 25(2)",
         "    events: [illegitimate-acess, health-to-employer, function-creep]\n    effect: {likelihood: 1}\n    citation: GDPR art. 32(1)(b), art. 25(2)")
    problems = [p for p in validate_register(ropa).problems if p.code == "unknown-reference"]
    assert [(Path(p.path).name, p.line, p.field) for p in problems] == [("measures.yaml", 8, "measures[0].events[0]")]
    assert problems[0].message == "unknown feared event 'illegitimate-acess'; did you mean 'illegitimate-access'?"


def test_unknown_event_in_a_risk_adjustment_is_reported(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "dpias/progress-reporting.yaml", "  - event: health-to-employer\n", "  - event: health-to-employee\n")
    problems = validate_register(ropa).problems
    # progress-reporting.yaml line 50: "  - event: health-to-employee"
    assert [(p.code, Path(p.path).name, p.line) for p in problems] == [
        ("unknown-reference", "progress-reporting.yaml", 50)]
