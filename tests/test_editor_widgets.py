"""The editor app's logic, driven without a browser: a form for every kind of record, widgets that cannot
drop data (one click or key changes one item), plain messages in the officer's language, the whole
register's findings with links, undo, discard, questions before removing, merged saves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dpia_lib.editing import EditSession, read_audit
from dpia_lib.editing.widgets import EditorApp, register_from_environment
from dpia_lib.loading import load_register


@pytest.fixture()
def app(ropa_copy: Path) -> EditorApp:
    editor = EditorApp(EditSession(ropa_copy, user="privacy-officer"), as_of=dt.date(2026, 11, 25))
    editor.show("activity", "newsletter")
    return editor


def _boxes(app: EditorApp, key: str) -> dict[str, Any]:
    """The checkboxes of a set field by item id."""
    boxes = app.items[key]
    assert list(boxes.values()) == list(app.inputs[key].children)  # every checkbox shown, and only those
    return boxes


def _text(widget: Any) -> str:
    """All HTML text inside a widget tree."""
    out = [getattr(widget, "value", "") if type(widget).__name__ == "HTML" else ""]
    out += [_text(c) for c in getattr(widget, "children", ())]
    return " ".join(o for o in out if isinstance(o, str))


# ----------------------------------------------------------------- one click, one item
def test_ticking_one_category_adds_exactly_that_one(app: EditorApp) -> None:
    app.open_tab("data-subjects")
    boxes = _boxes(app, "categories")
    assert {k for k, b in boxes.items() if b.value} == {"name-contact", "marketing-preferences"}
    assert len(boxes) > 10  # the whole catalogue to choose from
    boxes["survey-responses"].value = True
    assert app.session.get("activity:newsletter", "categories") == [
        "name-contact", "marketing-preferences", "survey-responses"]
    boxes["name-contact"].value = False  # one click removes that one item only
    assert app.session.get("activity:newsletter", "categories") == ["marketing-preferences", "survey-responses"]


def test_a_click_on_a_set_of_roles_or_measures_never_clears_it(app: EditorApp) -> None:
    app.show("activity", "special-file")
    app.open_tab("security")
    for key in ("measures", "access", "systems"):
        before = app.session.get("activity:special-file", key)
        assert len(before) >= 1
        boxes = _boxes(app, key)
        first = next(k for k, b in boxes.items() if b.value)
        boxes[first].value = False
        after = app.session.get("activity:special-file", key)
        assert after == [v for v in before if v != first], key
        boxes[first].value = True
        assert sorted(app.session.get("activity:special-file", key)) == sorted(before)


def test_removing_one_flow_or_purpose_keeps_the_others(app: EditorApp) -> None:
    app.show("activity", "special-file")
    flows = [f["id"] for f in app.session.get("activity:special-file", "flows")]
    app.open_tab("flows")
    app._structure(lambda: app.session.remove_item("activity:special-file", "flows", 0))
    assert [f["id"] for f in app.session.get("activity:special-file", "flows")] == flows[1:]
    app.undo()
    assert [f["id"] for f in app.session.get("activity:special-file", "flows")] == flows


def test_removing_one_retention_entry_keeps_the_others(app: EditorApp) -> None:
    app.open_tab("retention")
    before = app.session.get("activity:newsletter", "retention")
    app._edit(("retention", "name-contact"), None, rerender=True)
    after = app.session.get("activity:newsletter", "retention")
    assert set(after) == set(before) - {"name-contact"}
    assert after["marketing-preferences"] == before["marketing-preferences"]


def test_emptying_the_dutch_name_keeps_the_english_one_and_says_so_in_dutch(app: EditorApp) -> None:
    dutch = app.inputs["name"].children[0]
    dutch.value = ""
    assert app.session.get("activity:newsletter", "name") == {"nl": "", "en": "Newsletter and marketing"}
    assert "De Nederlandse naam is leeg" in app.messages["name"].value
    assert "bad-value" not in app.messages["name"].value and "String" not in app.messages["name"].value
    assert not app.save()
    assert "Niet opgeslagen" in app.status.value and "De Nederlandse naam is leeg" in app.status.value
    assert app.session.get("activity:newsletter", "name")["nl"] == ""  # the edit is kept


def test_tags_input_removes_one_word(app: EditorApp) -> None:
    from dpia_lib.editing.fields import FieldSpec

    spec = FieldSpec("codes", "strings", "", False)
    app.session.set("activity:newsletter", "description.en", "x")  # any record: drive the widget by hand
    tags = app._control(spec, ("controllers",), ["a", "b", "c"])
    seen: list[Any] = []
    app._edit = lambda path, value, **_: seen.append(value)  # type: ignore[method-assign]
    tags.value = ["a", "c"]  # the frontend removes the one tag clicked (or the last with Backspace)
    assert seen == [["a", "c"]]


# ----------------------------------------------------------------- every record kind
@pytest.mark.parametrize(("kind", "ident", "field"), [
    ("organisation", None, "dpo_appointed"), ("party", "labour-expert", "kind"), ("system", None, "hosting_country"),
    ("role", "career-coach", "confidentiality"), ("dpia", "special-file", "review_date"),
])
def test_every_record_kind_has_a_form(app: EditorApp, kind: str, ident: str | None, field: str) -> None:
    app.show(kind, ident)
    assert app.record is not None and app.record.startswith(kind)
    assert field in app.inputs


def test_dpia_record_fields_are_edited_and_saved(app: EditorApp, ropa_copy: Path) -> None:
    app.show("dpia", "special-file")
    assert {"data_subject_views.how", "data_subject_views.consulted", "review_date"} <= set(app.inputs)
    english = app.inputs["data_subject_views.how"].children[1]
    english.value = "Two clients' representatives were asked in a meeting."
    assert app.save()
    record = load_register(ropa_copy).dpias["special-file"]
    assert record.data_subject_views.how.en == "Two clients' representatives were asked in a meeting."


def test_new_dpia_fields_appear_without_editor_code(app: EditorApp) -> None:
    app.show("dpia", "special-file")
    text = _text(app.form)
    for label in ("Aanvaarding restrisico", "Voorafgaande raadpleging AP (art. 36)", "Ondertekening",
                  "Versiegeschiedenis"):
        assert label in text


def test_art9_exception_list_follows_the_condition(app: EditorApp) -> None:
    app.show("activity", "special-file")
    app.open_tab("lawfulness")
    exception = app.inputs["special_categories_basis.dutch_exception"]
    assert [v for _, v in exception.options if v] == ["uavg-30-1-a", "uavg-30-1-b", "uavg-30-2"]
    app.inputs["special_categories_basis.condition"].value = "legal-claims"
    options = [v for _, v in app.inputs["special_categories_basis.dutch_exception"].options if v]
    assert "uavg-22-2-c" in options and "uavg-30-2" not in options


def test_add_duplicate_and_remove_with_a_question(app: EditorApp, ropa_copy: Path) -> None:
    app.show("party", "labour-expert")
    app.ask_remove()
    question = _text(app.confirm)
    assert "Arbeidsdeskundige verwijderen?" in question and "Hiernaar wordt verwezen door" in question
    assert "activity:" in question  # the flows from this party are listed
    assert "labour-expert" in app.session.records("party")  # nothing removed yet
    no = app.confirm.children[1].children[1]
    no.click()
    assert "labour-expert" in app.session.records("party")
    app.duplicate_record("labour-expert-2")
    assert app.record == "party:labour-expert-2"
    app.ask_remove()
    assert "Niets verwijst hiernaar" in _text(app.confirm)
    app.confirm.children[1].children[0].click()
    assert "labour-expert-2" not in app.session.records("party")
    app.kinds.value = "activity"
    app.add_record("Not An Id")
    assert "kleine letters" in app.status.value
    app.add_record("intake-call")
    assert app.record == "activity:intake-call"


def test_a_tab_clicked_while_the_form_is_replaced_opens_on_the_new_form(app: EditorApp) -> None:
    # In the browser a save or a pick re-renders the form while the old one is still on screen; a click on
    # the old form's "Bewaartermijnen" tab must open that tab on the form that replaced it.
    old = app.tabs
    assert old is not None and old.selected_index == 0
    app.show("activity", "special-file")
    new = app.tabs
    assert new is not None and new is not old
    titles = [new.get_title(i) for i in range(len(new.children))]
    retention = titles.index("Bewaartermijnen")
    assert not any(k.startswith("retention") for k in app.inputs)  # before the click: not built yet
    old.selected_index = retention
    assert new.selected_index == retention
    # special-file's retention as in its file: diagnosis and complaints 6 months
    assert app.inputs["retention.diagnosis-complaints.period"].value == "6 months"


def test_undo_and_discard_all(app: EditorApp) -> None:
    app.open_tab("data-subjects")
    app.inputs["data_subjects_per_year"].value = 1800
    app.open_tab("description")
    app.inputs["name"].children[1].value = "Newsletter"
    app.undo()
    assert app.session.get("activity:newsletter", "name.en") == "Newsletter and marketing"
    assert app.session.get("activity:newsletter", "data_subjects_per_year") == 1800
    app.ask_discard()
    assert "weggooien" in _text(app.confirm)
    app.confirm.children[1].children[0].click()
    assert not app.session.dirty and app.session.get("activity:newsletter", "data_subjects_per_year") == 1500
    assert "dpia-unsaved" not in app.status.value


def test_unsaved_changes_mark_the_page_for_the_leave_warning(app: EditorApp) -> None:
    app.open_tab("data-subjects")
    app.inputs["data_subjects_per_year"].value = 1800
    assert "dpia-unsaved" in app.status.value and "1 niet-opgeslagen wijziging(en)." in app.status.value
    assert any("beforeunload" in getattr(c, "value", "") for c in app.widget.children)


# ----------------------------------------------------------------- feedback
def test_findings_cover_the_whole_register_and_open_their_record(app: EditorApp) -> None:
    # health data in the newsletter gives it findings of its own, beside the survey's (the shipped
    # register's one activity with a finding): the list shows both records' findings
    app.session.set("activity:newsletter", "categories", ["name-contact", "marketing-preferences",
                                                         "diagnosis-complaints"])
    app._refresh()
    findings = app.findings.options
    activities = {f.activity for f in app.session.findings}
    assert {"newsletter", "satisfaction-survey"} <= activities and len(findings) == len(app.session.findings)
    target = next(value for _, value in findings if app._finding_places[value].activity == "satisfaction-survey")
    app.findings.value = target
    assert app.record == "activity:satisfaction-survey"


def test_a_new_flow_elsewhere_updates_the_findings_at_once(app: EditorApp) -> None:
    before = len(app.session.findings)
    app.session.set("activity:newsletter", "categories", ["name-contact", "marketing-preferences",
                                                         "diagnosis-complaints"])
    app._refresh()
    assert len(app.session.findings) > before
    assert f"({len(app.session.findings)})" in app.findings_title.value


def test_labels_and_language_switch(app: EditorApp) -> None:
    assert "Betrokkenen per jaar (schatting)" in _text(app.form) or "Omschrijving" in _text(app.form)
    assert "data_subjects_per_year" not in _text(app.form)
    app.language.value = "en"
    app.open_tab("data-subjects")
    assert "Data subjects per year (estimate)" in _text(app.form)
    assert "Edit the register of processing activities" in _text(app.widget)


def test_screening_verdict_follows_edits(app: EditorApp) -> None:
    app.show("activity", "special-file")
    assert "DPIA verplicht" in app.screening.value


def test_problem_messages_are_escaped(app: EditorApp) -> None:
    app.session.set("activity:newsletter", "owner", "<script>alert(1)</script>")
    app._refresh()
    assert "&lt;script&gt;" in app.messages["owner"].value and "<script>" not in app.messages["owner"].value


def test_save_writes_and_logs_who(app: EditorApp, ropa_copy: Path) -> None:
    app.open_tab("data-subjects")
    app.inputs["data_subjects_per_year"].value = 1800
    assert app.save()
    assert "Opgeslagen: activities/newsletter.yaml" in app.status.value
    assert read_audit(ropa_copy)[-1]["who"] == "privacy-officer"


def test_a_file_changed_on_disk_is_merged_and_said(app: EditorApp, ropa_copy: Path) -> None:
    app.open_tab("data-subjects")
    app.inputs["data_subjects_per_year"].value = 1800
    target = ropa_copy / "activities/newsletter.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("last_review: 2026-09-15", "last_review: 2026-10-01"),
                      encoding="utf-8")
    assert app.save()
    activity = load_register(ropa_copy).activity("newsletter")
    assert (activity.data_subjects_per_year, activity.last_review) == (1800, dt.date(2026, 10, 1))
    assert "Intussen op schijf gewijzigd" in app.status.value


def test_register_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DPIA_REGISTER", str(tmp_path))
    assert register_from_environment() == tmp_path
