"""Round-trip editing: comments, key order, quoting and flow style survive; a one-field edit changes only
its own lines (checked with difflib against the file as shipped)."""

from __future__ import annotations

import difflib
from pathlib import Path

from dpia_lib.editing import EditSession
from dpia_lib.editing.roundtrip import dump_rt, load_rt, minimal_text


def _diff(before: str, after: str) -> list[str]:
    """The changed lines (``-old``/``+new``) of a unified diff without context."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in lines if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def test_unedited_session_reproduces_every_file_byte_for_byte(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    texts = session.texts()
    assert len(texts) == 3 + 13 + len(list((ropa_copy / "dpias").glob("*.yaml")))
    for rel, text in texts.items():
        assert text == (ropa_copy / rel).read_text(encoding="utf-8"), rel


def test_one_retention_period_changes_exactly_one_line(ropa_copy: Path) -> None:
    path = ropa_copy / "activities/special-file.yaml"
    before = path.read_text(encoding="utf-8")
    session = EditSession(ropa_copy, user="privacy-officer")
    assert session.set("activity:special-file", "retention.diagnosis-complaints.period", "12 months") == {}
    session.save()
    assert _diff(before, path.read_text(encoding="utf-8")) == [
        "-  diagnosis-complaints: {period: 6 months, from: end of the trajectory, basis: analysis}",
        "+  diagnosis-complaints: {period: 12 months, from: end of the trajectory, basis: analysis}",
    ]


def test_edit_keeps_comment_on_the_line_and_null_spelling(ropa_copy: Path) -> None:
    path = ropa_copy / "organisation.yaml"
    before = path.read_text(encoding="utf-8")
    session = EditSession(ropa_copy)
    session.set("organisation", "legal_form", "besloten vennootschap (bv)")
    session.save()
    after = path.read_text(encoding="utf-8")
    assert _diff(before, after) == [
        "-legal_form: besloten vennootschap",
        "+legal_form: besloten vennootschap (bv)",
    ]
    assert "representative: null\n" in after  # ruamel alone would write "representative:"
    assert after.startswith("# The controller keeping this register (GDPR art. 30(1)(a)).\n")


def test_untouched_multiline_flow_list_keeps_its_wrapping(ropa_copy: Path) -> None:
    path = ropa_copy / "activities/special-file.yaml"
    before = path.read_text(encoding="utf-8")
    session = EditSession(ropa_copy)
    session.set("activity:special-file", "data_subjects_per_year", 500)
    session.save()
    after = path.read_text(encoding="utf-8")
    assert _diff(before, after) == ["-data_subjects_per_year: 450", "+data_subjects_per_year: 500"]
    assert "measures: [special-file-access, separate-special-file, role-based-access, confidentiality-agreements,\n" \
           "           encryption-at-rest," in after


def test_editing_inside_a_wrapped_flow_list_rewrites_only_that_list(ropa_copy: Path) -> None:
    path = ropa_copy / "activities/outplacement.yaml"
    before = path.read_text(encoding="utf-8")
    session = EditSession(ropa_copy)
    measures = session.get("activity:outplacement", "measures")
    assert measures[-1] == "privacy-training"
    session.set("activity:outplacement", "measures", [m for m in measures if m != "backup"])
    session.save()
    changed = _diff(before, path.read_text(encoding="utf-8"))
    assert changed == [
        "-measures: [role-based-access, confidentiality-agreements, encryption-at-rest, encryption-in-transit,",
        "-           access-logging, backup, deletion-schedule, privacy-training]",
        ("+measures: [role-based-access, confidentiality-agreements, encryption-at-rest, encryption-in-transit, "
        "access-logging, deletion-schedule, privacy-training]"),
    ]


def test_new_party_is_appended_in_flow_style_without_touching_other_lines(ropa_copy: Path) -> None:
    path = ropa_copy / "parties.yaml"
    before = path.read_text(encoding="utf-8")
    session = EditSession(ropa_copy)
    problems = session.add_party({"id": "translation-agency", "name": {"nl": "Vertaalbureau", "en": "Translation agency"},
                                  "kind": "processor", "role": "processor", "dpa": {"signed": "2026-01-05"}})
    assert problems == {}
    session.save()
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert after[len(before):] == (
        "  - id: translation-agency\n"
        "    name: {nl: Vertaalbureau, en: Translation agency}\n"
        "    kind: processor\n"
        "    role: processor\n"
        "    dpa: {signed: '2026-01-05'}\n"
    )


def test_quoted_string_keeps_its_quotes(ropa_copy: Path) -> None:
    path = ropa_copy / "organisation.yaml"
    session = EditSession(ropa_copy)
    session.set("organisation", "contact", "Privacy officer, via the contact form")
    session.save()
    assert 'contact: "Privacy officer, via the contact form"\n' in path.read_text(encoding="utf-8")


def test_minimal_text_keeps_original_units_around_an_edit() -> None:
    original = "a: [x,\n    y]\nb: 1 # note\nc: {k: v}\n"
    doc = load_rt(original)
    doc["c"]["k"] = "w"
    result = minimal_text(original, dump_rt(load_rt(original)), dump_rt(doc))
    assert result == "a: [x,\n    y]\nb: 1 # note\nc: {k: w}\n"


def test_replacing_a_whole_block_with_one_difference_changes_one_line(ropa_copy: Path) -> None:
    """What the editor's YAML box does: the whole retention mapping comes back with one period changed."""
    path = ropa_copy / "activities/special-file.yaml"
    before = path.read_text(encoding="utf-8")
    session = EditSession(ropa_copy)
    retention = session.get("activity:special-file", "retention")
    retention["name-contact"]["period"] = "3 years"
    session.set("activity:special-file", "retention", retention)
    session.save()
    after = path.read_text(encoding="utf-8")
    assert _diff(before, after) == [
        "-  name-contact: {period: 2 years, from: end of the trajectory, basis: analysis}",
        "+  name-contact: {period: 3 years, from: end of the trajectory, basis: analysis}",
    ]
    assert "  # Open point: volunteered complaints are no longer needed" in after  # comment inside the block kept
