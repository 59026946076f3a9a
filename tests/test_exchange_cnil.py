"""The CNIL PIA export has the shape the app imports: the keys of its export example, answers to the
question ids of its structure with the answer type each question expects, and the three feared events'
gauges and evaluations (facts from github.com/LINCnil/pia in tests/fixtures/cnil_pia)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dpia_lib import load_register
from dpia_lib.cli import main
from dpia_lib.errors import UnknownActivityError
from dpia_lib.exchange.cnil import cnil_pia

FORMAT = json.loads((Path(__file__).parent / "fixtures" / "cnil_pia" / "pia_format.json").read_text(encoding="utf-8"))
QUESTIONS = {q["id"]: q for s in FORMAT["structure"]["sections"] for i in s["items"] for q in i["questions"]}
ITEMS = {f"{s['id']}.{i['id']}": i for s in FORMAT["structure"]["sections"] for i in s["items"]}
EXAMPLE = FORMAT["export_example"]


@pytest.fixture(scope="module")
def export() -> dict[str, Any]:
    return cnil_pia(load_register(), "special-file", as_of=dt.date(2026, 10, 1))


def test_top_level_and_record_keys_match_the_app_export(export: dict[str, Any]) -> None:
    assert sorted(export) == EXAMPLE["top_level_keys"]
    # every key the app's importData reads is there; none the app does not know
    assert set(export["pia"]) <= set(EXAMPLE["pia_keys"])
    for key in ("name", "author_name", "evaluator_name", "validator_name", "dpo_status", "dpo_opinion",
                "concerned_people_opinion", "concerned_people_status", "concerned_people_searched_opinion",
                "concerned_people_searched_content", "people_names", "dpos_names", "status", "created_at"):
        assert key in export["pia"], key
    for answer in export["answers"]:
        assert sorted(answer) == EXAMPLE["answer_keys"]
        assert sorted(answer["data"]) == EXAMPLE["answer_data_keys"]
    for measure in export["measures"]:
        assert sorted(measure) == EXAMPLE["measure_keys"]
    for evaluation in export["evaluations"]:
        assert set(evaluation) <= set(EXAMPLE["evaluation_keys"])


def test_answers_fit_the_structure(export: dict[str, Any]) -> None:
    refs = [a["reference_to"] for a in export["answers"]]
    assert len(refs) == len(set(refs))
    for answer in export["answers"]:
        question = QUESTIONS[answer["reference_to"]]
        data = answer["data"]
        if question["answer_type"] == "gauge":
            assert data["gauge"] in (1, 2, 3, 4)
        elif question["answer_type"] == "list":
            assert data["list"] and all(isinstance(x, str) for x in data["list"])
        else:
            assert data["text"] and data["gauge"] is None


def test_three_feared_events_with_gauges(export: dict[str, Any]) -> None:
    gauges = {q["cartography"]: q["id"] for q in QUESTIONS.values() if q.get("cartography")}
    answered = {a["reference_to"]: a["data"]["gauge"] for a in export["answers"]}
    for event in ("access", "change", "disappearance"):
        assert answered[gauges[f"risk-{event}_x"]] in (1, 2, 3, 4)
        assert answered[gauges[f"risk-{event}_y"]] in (1, 2, 3, 4)
    evaluated = {e["reference_to"]: e for e in export["evaluations"]}
    assert sorted(evaluated) == ["3.2", "3.3", "3.4"]
    for ref, evaluation in evaluated.items():
        assert ITEMS[ref]["evaluation_with_gauge"] and ref in EXAMPLE["evaluation_references"]
        assert evaluation["gauges"]["x"] == answered[int(ref.replace(".", "")) * 10 + 5]
        assert evaluation["gauges"]["y"] == answered[int(ref.replace(".", "")) * 10 + 6]


def test_register_facts_in_the_answers(export: dict[str, Any]) -> None:
    text = {a["reference_to"]: a["data"]["text"] or "" for a in export["answers"]}
    # special-file.yaml: art. 9(2)(b) with UAVG art. 30(1)(b); 6 months for volunteered complaints
    assert "GDPR art. 9(2)(b)" in text[212] and "UAVG art. 30(1)(b)" in text[212]
    assert "Diagnosis, complaints and treatment: 6 months from end of the trajectory" in text[215]
    assert "Client-tracking-system supplier: agreement signed 2024-02-01, expires 2027-01-31" in text[226]
    assert [m["title"] for m in export["measures"]][:1] and len(export["measures"]) == len(
        load_register().activities["special-file"].measures)
    # dpias/special-file.yaml: advice followed, data subjects consulted
    assert export["pia"]["dpo_status"] == 1 and export["pia"]["concerned_people_searched_opinion"] is True


def test_cli_and_unknown_activity(tmp_path: Path) -> None:
    out = tmp_path / "pia.json"
    assert main(["export", "cnil", "--activity", "progress-reporting", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["pia"]["name"]
    with pytest.raises(UnknownActivityError):
        cnil_pia(load_register(), "no-such-activity")
