"""The editor app's logic, driven without a browser: widgets fitted to fields, live validation next to
the field, screening output, add/remove of records and flows, saving, and HTML escaping."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import Any

import pytest

from dpia_lib.editing import EditSession, read_audit
from dpia_lib.editing.widgets import EditorApp, engine_summary, register_from_environment
from dpia_lib.loading import load_register


@pytest.fixture()
def app(ropa_copy: Path) -> EditorApp:
    editor = EditorApp(EditSession(ropa_copy, user="privacy-officer"), as_of=dt.date(2026, 11, 25))
    editor.picker.value = "newsletter"
    return editor


def test_widgets_fit_the_fields(app: EditorApp) -> None:
    editors = app.editors
    assert type(editors["dossier"].input).__name__ == "Dropdown"
    # a reference to data/dossiers.yaml: "—" (None), then the catalogue's ids in order
    assert [v for _, v in editors["dossier"].input.options] == [
        None, "absence-file", "coaching-file", "medical-file", "none", "process-file", "special-file"]
    assert type(editors["categories"].input).__name__ == "SelectMultiple"
    assert "diagnosis-complaints" in editors["categories"].input.options  # the whole catalogue to choose from
    assert editors["categories"].input.value == ("name-contact", "marketing-preferences")
    assert type(editors["owner"].input).__name__ == "Dropdown" and editors["owner"].input.value == "marketing-staff"
    assert type(editors["last_review"].input).__name__ == "DatePicker"
    assert editors["last_review"].input.value == dt.date(2026, 9, 15)
    assert [c.value for c in editors["name"].input.children] == ["Nieuwsbrief en marketing", "Newsletter and marketing"]
    assert type(editors["data_subjects_per_year"].input).__name__ == "IntText"
    assert type(editors["retention"].input).__name__ == "Textarea"
    assert "period: 1 year, from: withdrawal of consent" in editors["retention"].input.value
    assert "Categories of personal data" in editors["categories"].row.children[1].value  # the description as help


def test_change_is_applied_and_validated_live(app: EditorApp) -> None:
    app.editors["data_subjects_per_year"].input.value = 1800
    assert [c.as_dict() for c in app.session.changes] == [
        {"record": "activity:newsletter", "field": "data_subjects_per_year", "old": 1500, "new": 1800}]
    assert app.editors["data_subjects_per_year"].message.value == ""
    app.editors["retention"].input.value = "name-contact: {period: forever, from: withdrawal of consent, basis: analysis}"
    message = app.editors["retention"].message.value
    assert "bad-value" in message and "(line 17)" in message  # name-contact's retention line in the file
    # the volume, name-contact's period, and marketing-preferences' retention (left out of the box)
    assert app.status.value == "3 unsaved change(s)."
    assert {c.field for c in app.session.changes} == {
        "data_subjects_per_year", "retention.name-contact.period", "retention.marketing-preferences"}


def test_bad_yaml_in_a_field_is_shown_and_not_applied(app: EditorApp) -> None:
    app.editors["retention"].input.value = "name-contact: {period: 1 month"
    assert not app.session.changes
    assert "retention" in app.editors["retention"].message.value


def test_problem_messages_are_escaped(app: EditorApp) -> None:
    app.editors["retention"].input.value = "'<script>alert(1)</script>': {period: 1 month, from: x, basis: analysis}"
    message = app.editors["retention"].message.value
    assert "&lt;script&gt;" in message and "<script>" not in message


def test_screening_verdict_is_shown_and_follows_edits(app: EditorApp) -> None:
    assert "Screening verdict:" in app.engine.value
    app.picker.value = "special-file"
    assert "<span class='dpia-verdict'>required</span>" in app.engine.value  # health data, employees: AP list


def test_engine_absence_is_handled(app: EditorApp, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def missing(name: str, package: str | None = None) -> Any:
        if name in ("dpia_lib.screening", "dpia_lib.rules"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", missing)
    html = engine_summary(app.session.register, "newsletter", dt.date(2026, 11, 25))
    assert "Screening is not installed yet" in html and "Rule checks are not installed yet" in html
    assert "cannot be read" in engine_summary(None, "newsletter", dt.date(2026, 11, 25))


def test_save_writes_and_logs(app: EditorApp, ropa_copy: Path) -> None:
    app.editors["data_subjects_per_year"].input.value = 1600
    assert app.save()
    assert "Saved: activities/newsletter.yaml" in app.status.value
    assert load_register(ropa_copy).activity("newsletter").data_subjects_per_year == 1600
    assert read_audit(ropa_copy)[-1]["who"] == "privacy-officer"


def test_invalid_save_is_refused_with_messages(app: EditorApp, ropa_copy: Path) -> None:
    before = (ropa_copy / "activities/newsletter.yaml").read_bytes()
    app.editors["categories"].input.value = ()
    assert "bad-value" in app.editors["categories"].message.value
    assert not app.save()
    assert app.status.value.startswith("<b>Save refused</b>")
    assert (ropa_copy / "activities/newsletter.yaml").read_bytes() == before


def test_add_and_remove_activity_party_and_flow(app: EditorApp, ropa_copy: Path) -> None:
    app.new_id.value = "job-fair"
    app.add_record("job-fair")
    assert app.record == "activity:job-fair"
    assert app.session.records("activity").count("job-fair") == 1
    app.remove_record()
    assert "job-fair" not in app.session.records("activity")
    app.kind.value = "party"
    app.add_record("web-agency")
    assert app.record == "party:web-agency" and app.editors["kind"].input.value == "employer"
    app.remove_record()
    assert "web-agency" not in app.session.records("party")
    app.kind.value = "activity"
    app.picker.value = "newsletter"
    flow_id, source, target, cats, form = _flow_widgets(app)
    flow_id.value, source.value, target.value = "newsletter-to-uwv", "newsletter", "uwv"
    cats.value = ("name-contact",)
    form[-1].click()
    assert [f["id"] for f in app.session.get("activity:newsletter", "flows")] == ["newsletter-signup", "newsletter-to-uwv"]
    pick, remove = app.flows.children[1].children
    pick.value = "newsletter-to-uwv"
    remove.click()
    assert [f["id"] for f in app.session.get("activity:newsletter", "flows")] == ["newsletter-signup"]
    assert app.save()
    assert (ropa_copy / "activities/newsletter.yaml").read_text(encoding="utf-8") == \
        (Path(__file__).parent.parent / "ropa/activities/newsletter.yaml").read_text(encoding="utf-8")


def _flow_widgets(app: EditorApp) -> tuple[Any, Any, Any, Any, Any]:
    flow_id, source, target = app.flows.children[2].children
    cats, form = app.flows.children[3].children
    return flow_id, source, target, cats, form.children


def test_bad_new_id_is_reported_not_raised(app: EditorApp) -> None:
    app.add_record("../../etc")
    assert "is not a slug" in app.status.value
    assert "../../etc" not in app.session.records("activity")


def test_register_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DPIA_REGISTER", str(tmp_path))
    assert register_from_environment() == tmp_path
    monkeypatch.delenv("DPIA_REGISTER")
    assert register_from_environment() == Path(__file__).resolve().parent.parent / "ropa"
