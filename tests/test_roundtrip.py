"""Round-trip editing: comments, key order, quoting and flow style survive; a one-field edit changes only
its own lines (checked with difflib against the file as shipped)."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import ScalarString

from dpia_lib.editing import EditSession
from dpia_lib.editing.files import RegisterFile, dump_field
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


_REPO = Path(__file__).resolve().parent.parent
#: Every register file shipped: the company's register and the example registers.
_REGISTER_FILES = sorted(p for folder in ("ropa", "examples") for p in (_REPO / folder).rglob("*.yaml")
                         if p.name != "scan-allow.yaml")


def _change_first_leaf(node: Any, keys: list[Any] | None = None) -> bool:
    """Change the first scalar inside ``node`` (depth first; at the top only under ``keys``) in place;
    False when it holds none."""
    items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
    for key, value in items:
        if keys is not None and key not in keys:
            continue
        if isinstance(value, (dict, list)):
            if _change_first_leaf(value):
                return True
            continue
        if isinstance(value, bool):
            node[key] = not value
        elif isinstance(value, int):
            node[key] = value + 1
        elif isinstance(value, str):
            node[key] = type(value)(value + " (edited)") if isinstance(value, ScalarString) else value + " (edited)"
        elif isinstance(value, dt.date):
            node[key] = value + dt.timedelta(days=1)
        else:
            continue
        return True
    return False


def test_a_files_dump_is_its_head_and_the_dumps_of_its_top_level_fields() -> None:
    # what the editor's splice of one field's block rests on
    assert len(_REGISTER_FILES) > 30
    for path in _REGISTER_FILES:
        doc = load_rt(path.read_text(encoding="utf-8"))
        whole = dump_rt(doc)
        fields = "".join(dump_field(doc, key) for key in doc)
        assert whole.endswith(fields), path
        head = whole[:len(whole) - len(fields)]  # the file's opening comment
        assert all(line.startswith("#") or not line.strip() for line in head.splitlines()), path


def test_an_edit_inside_one_field_gives_the_text_of_comparing_the_whole_file() -> None:
    checked = 0
    for path in _REGISTER_FILES:
        text = path.read_text(encoding="utf-8")
        baseline = dump_rt(load_rt(text))
        for key in load_rt(text):
            file = RegisterFile(path.name, text, None)
            file.before_edit(key)
            doc = file.doc
            if not _change_first_leaf(doc, [key]):
                continue
            file.touched = True
            spliced = file.text()
            assert spliced == minimal_text(text, baseline, dump_rt(doc)), (path, key)
            assert spliced != text and _diff(text, spliced), (path, key)
            checked += 1
    assert checked > 250  # 299 fields in 31 files


def test_an_edit_that_adds_or_removes_a_top_level_field_compares_the_whole_file(ropa_copy: Path) -> None:
    path = ropa_copy / "activities/newsletter.yaml"
    before = path.read_text(encoding="utf-8")
    session = EditSession(ropa_copy, user="privacy-officer")
    session.set("activity:newsletter", "data_subjects_per_year", 1600)
    session.set("activity:newsletter", "profiling", True)  # a field the file does not have yet
    session.set("activity:newsletter", "last_review", None)  # and one removed
    assert _diff(before, session.texts()["activities/newsletter.yaml"]) == [
        "-data_subjects_per_year: 1500", "+data_subjects_per_year: 1600", "-last_review: 2026-09-15",
        "+profiling: true"]


def test_undo_of_edits_in_two_fields_of_one_file_gives_back_each_step(ropa_copy: Path) -> None:
    rel = "activities/newsletter.yaml"
    before = (ropa_copy / rel).read_text(encoding="utf-8")
    session = EditSession(ropa_copy, user="privacy-officer")
    session.set("activity:newsletter", "data_subjects_per_year", 1600)
    one = session.texts()[rel]
    session.set("activity:newsletter", "flows[0].frequency", "monthly")
    assert _diff(one, session.texts()[rel]) == ["-    frequency: once", "+    frequency: monthly"]
    assert session.undo()
    assert session.texts()[rel] == one
    assert session.undo()
    assert session.texts()[rel] == before
    session.set("activity:newsletter", "flows[0].frequency", "yearly")
    assert _diff(before, session.texts()[rel]) == ["-    frequency: once", "+    frequency: yearly"]


def test_undo_keeps_the_comment_between_a_field_and_its_block(ropa_copy: Path) -> None:
    # newsletter.yaml: "retention:" is followed by two comment lines, then its entries
    rel = "activities/newsletter.yaml"
    before = (ropa_copy / rel).read_text(encoding="utf-8")
    session = EditSession(ropa_copy, user="privacy-officer")
    session.set("activity:newsletter", "retention.name-contact.period", "2 years")
    one = session.texts()[rel]
    session.set("activity:newsletter", "retention.marketing-preferences.period", "2 years")
    session.set("activity:newsletter", "data_subjects_per_year", 1600)
    assert session.undo() and session.undo()
    assert session.texts()[rel] == one
    assert _diff(before, one) == [
        "-  name-contact: {period: 1 year, from: withdrawal of consent, basis: analysis}",
        "+  name-contact: {period: 2 years, from: withdrawal of consent, basis: analysis}"]
    assert "  # on the consent log only, never for mailing; both go after 1 year.\n" in one
