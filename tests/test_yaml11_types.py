"""Text that YAML 1.1 would read as another type: the editor writes it quoted, so it loads back as text,
and the loader refuses base-60 numbers (``1:30:00`` = 5400 in YAML 1.1) instead of reading them silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpia_lib.editing import EditSession
from dpia_lib.loading import load_register, read_register
from dpia_lib.validation import validate_register


def test_no_on_off_round_trip_as_text_through_edit_save_and_load(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy, user="privacy-officer")
    assert session.set("activity:newsletter", "name", {"nl": "no", "en": "Off"}) == {}
    assert session.set("activity:newsletter", "purposes[0].description", {"nl": "on", "en": "yes"}) == {}
    assert session.set("activity:newsletter", "retention.name-contact.note", "1:30:00") == {}
    assert session.set("activity:newsletter", "retention.name-contact.from", "y") == {}
    session.save()
    text = (ropa_copy / "activities" / "newsletter.yaml").read_text(encoding="utf-8")
    assert "name: {nl: 'no', en: 'Off'}" in text
    activity = load_register(ropa_copy).activities["newsletter"]
    assert (activity.name.nl, activity.name.en) == ("no", "Off")
    assert (activity.purposes[0].description.nl, activity.purposes[0].description.en) == ("on", "yes")
    retention = activity.retention["name-contact"]
    assert (retention.note, retention.from_event) == ("1:30:00", "y")


@pytest.mark.parametrize("plain", ["1:30:00", "90:00", "1:30.5"])
def test_the_loader_refuses_a_base_60_number_with_file_line_and_field(ropa_copy: Path, plain: str) -> None:
    path = ropa_copy / "activities" / "newsletter.yaml"
    text = path.read_text(encoding="utf-8")
    old = "data_subjects_per_year: 1500"
    path.write_text(text.replace(old, f"data_subjects_per_year: {plain}"), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    _, problems = read_register(ropa_copy)
    (problem,) = problems
    assert (problem.code, problem.path, problem.line, problem.column, problem.field) == (
        "bad-value", str(path), line, 25, "data_subjects_per_year")
    assert "base-60" in problem.message and "quotes" in problem.message
    path.write_text(text.replace(old, f"data_subjects_per_year: '{plain}'"), encoding="utf-8")
    assert [p.code for p in validate_register(ropa_copy).problems] == ["bad-value"]  # text, not an integer
