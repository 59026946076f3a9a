"""The editor's advanced view: a record's YAML as it sits in its file, edited and applied like any other
edit (the same problems, the same one-line diff when saved, one step of undo), and a text that cannot be
read changes nothing and says where."""

from __future__ import annotations

import datetime as dt
import difflib
import html
from pathlib import Path
from typing import Any

import pytest

from dpia_lib.editing import EditSession
from dpia_lib.editing.widgets import EditorApp
from tests.engine_fixtures import copy_register

ACTIVITY = "activities/assessments-and-tests.yaml"


def _app(root: Path, kind: str = "activity", ident: str | None = "assessments-and-tests") -> EditorApp:
    editor = EditorApp(EditSession(root, user="privacy-officer"), as_of=dt.date(2026, 11, 25))
    editor.show(kind, ident)
    return editor


def _said(widget: Any) -> str:
    """The text an HTML widget shows."""
    return html.unescape(str(widget.value))


def _diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("---", "+++"))]


@pytest.fixture()
def app(ropa_copy: Path) -> EditorApp:
    return _app(ropa_copy)


def test_collapsed_until_opened_then_the_file_as_it_is(app: EditorApp, ropa_copy: Path) -> None:
    assert app.advanced is not None and app.advanced.selected_index is None
    assert app.advanced.get_title(0) == "Geavanceerd (YAML)"
    app.open_advanced()
    assert app.yaml_area.value == (ropa_copy / ACTIVITY).read_text(encoding="utf-8")  # comments and all
    assert "activities/assessments-and-tests.yaml" in app.yaml_help.value


def test_a_party_is_its_item_of_the_list(ropa_copy: Path) -> None:
    app = _app(ropa_copy, "party", "labour-expert")
    app.open_advanced()
    assert app.yaml_area.value.splitlines()[:5] == [
        "id: labour-expert", "name: {nl: Arbeidsdeskundige, en: Labour expert}", "kind: labour-expert",
        "role: controller", "confidentiality: contract"]
    assert "employer" not in app.yaml_area.value.split("note:")[0]  # no line of the next party


def test_a_yaml_edit_saves_the_same_one_line_diff_as_the_field(tmp_path: Path) -> None:
    by_field = _app(copy_register(tmp_path / "field"))
    by_yaml = _app(copy_register(tmp_path / "yaml"))
    before = (by_field.session.root / ACTIVITY).read_text(encoding="utf-8")

    by_field.open_tab("retention")
    by_field.inputs["retention.coaching-notes.period"].value = "18 months"
    assert by_field.save()

    by_yaml.open_advanced()
    text = by_yaml.yaml_area.value
    assert text.count("coaching-notes: {period: 1 year,") == 1
    by_yaml.yaml_area.value = text.replace("coaching-notes: {period: 1 year,", "coaching-notes: {period: 18 months,")
    assert by_yaml.apply_yaml()
    assert "Toegepast: Bewaartermijnen." in _said(by_yaml.yaml_messages)
    assert [(c.record, c.field, c.old, c.new) for c in by_yaml.session.changes] == [
        ("activity:assessments-and-tests", "retention.coaching-notes.period", "1 year", "18 months")]
    assert by_yaml.save()

    saved_by_yaml = (by_yaml.session.root / ACTIVITY).read_text(encoding="utf-8")
    assert saved_by_yaml == (by_field.session.root / ACTIVITY).read_text(encoding="utf-8")
    assert _diff(before, saved_by_yaml) == [
        "-  coaching-notes: {period: 1 year, from: end of the trajectory, basis: analysis}",
        "+  coaching-notes: {period: 18 months, from: end of the trajectory, basis: analysis}"]


def test_a_yaml_edit_of_a_party_saves_like_the_drop_down(tmp_path: Path) -> None:
    by_field = _app(copy_register(tmp_path / "field"), "party", "labour-expert")
    by_yaml = _app(copy_register(tmp_path / "yaml"), "party", "labour-expert")
    before = (by_field.session.root / "parties.yaml").read_text(encoding="utf-8")
    by_field.inputs["confidentiality"].value = "statute"
    assert by_field.save()
    by_yaml.open_advanced()
    by_yaml.yaml_area.value = by_yaml.yaml_area.value.replace("confidentiality: contract", "confidentiality: statute")
    assert by_yaml.apply_yaml() and by_yaml.save()
    after = (by_yaml.session.root / "parties.yaml").read_text(encoding="utf-8")
    assert after == (by_field.session.root / "parties.yaml").read_text(encoding="utf-8")
    assert _diff(before, after) == ["-    confidentiality: contract", "+    confidentiality: statute"]


def test_a_syntax_error_changes_nothing_and_names_line_and_field(app: EditorApp, ropa_copy: Path) -> None:
    app.open_advanced()
    texts = app.session.texts()
    broken = app.yaml_area.value.replace("owner: career-coach", "owner: [career-coach")
    app.yaml_area.value = broken
    assert not app.apply_yaml()
    assert app.session.texts() == texts and not app.session.changes and not app.session.can_undo
    line = broken.splitlines().index("owner: [career-coach") + 1  # where the bracket was opened
    message = _said(app.yaml_messages)
    assert (f"Niets toegepast: de tekst is op regel {line} (bij Eigenaar (rol)) niet leesbaar: een blokhaak '[' "
            "wordt niet gesloten met ']'") in message
    assert app.yaml_area.value == broken  # the officer's text stays to be corrected
    assert not app.save() or (ropa_copy / ACTIVITY).read_text(encoding="utf-8") == texts[ACTIVITY]


def test_a_tab_and_a_duplicate_field_are_said_plainly_in_english(ropa_copy: Path) -> None:
    app = _app(ropa_copy)
    app.language.value = "en"
    app.open_advanced()
    texts = app.session.texts()
    assert not app.apply_yaml(app.yaml_area.value.replace("\nowner:", "\n\towner:"))
    assert "Nothing applied: the text cannot be read at line" in _said(app.yaml_messages)
    assert "indented with a tab; use spaces" in _said(app.yaml_messages)
    assert not app.apply_yaml(app.yaml_area.value + "owner: management\n")
    assert "(at Owner (role)): this field appears twice in the text" in _said(app.yaml_messages)
    assert app.session.texts() == texts


def test_yaml_edits_are_checked_like_field_edits(tmp_path: Path) -> None:
    by_field = _app(copy_register(tmp_path / "field"))
    by_yaml = _app(copy_register(tmp_path / "yaml"))
    by_field._edit(("owner",), "nobody")  # as the form sets a field (its drop-down offers known roles only)
    by_yaml.open_advanced()
    text = by_yaml.yaml_area.value
    assert by_yaml.apply_yaml(text.replace("owner: career-coach", "owner: nobody"))
    record = "activity:assessments-and-tests"
    same = [(f, p.code, p.line, p.message) for f, ps in by_yaml.session.problems_for(record).items() for p in ps]
    assert same == [(f, p.code, p.line, p.message) for f, ps in by_field.session.problems_for(record).items()
                    for p in ps]
    assert "Eigenaar (rol): 'nobody' bestaat niet in het register" in _said(by_yaml.messages["owner"])
    line = text.splitlines().index("owner: career-coach") + 1
    assert f"Regel {line}: Eigenaar (rol): 'nobody' bestaat niet in het register" in _said(by_yaml.yaml_messages)
    assert not by_yaml.save()  # refused like any invalid edit


def test_one_undo_takes_back_a_whole_yaml_edit(app: EditorApp, ropa_copy: Path) -> None:
    original = app.session.texts()
    app.open_advanced()
    text = app.yaml_area.value
    edited = text.replace("data_subjects_per_year: 700", "data_subjects_per_year: 725").replace(
        "dossier: process-file", "dossier: special-file")
    assert edited != text
    assert app.apply_yaml(edited)
    assert app.session.get("activity:assessments-and-tests", "data_subjects_per_year") == 725
    assert app.session.get("activity:assessments-and-tests", "dossier") == "special-file"
    assert app.yaml_area.value == app.session.texts()[ACTIVITY]  # the box shows the file as it is now
    app.undo()
    assert app.session.texts() == original and not app.session.dirty
    assert app.yaml_area.value == text


def test_a_field_left_out_is_removed_and_the_id_stays(app: EditorApp) -> None:
    app.open_advanced()
    text = app.yaml_area.value
    note = next(line for line in text.splitlines() if line.startswith("dossier:"))
    assert app.apply_yaml(text.replace(note + "\n", ""))
    assert app.session.get("activity:assessments-and-tests", "dossier") is None
    app.undo()
    texts = app.session.texts()
    assert not app.apply_yaml(text.replace("id: assessments-and-tests", "id: renamed"))
    assert "Niets toegepast: Id (regel" in _said(app.yaml_messages) and "Kopiëren" in _said(app.yaml_messages)
    assert app.session.texts() == texts
    assert not app.apply_yaml("- just\n- a list\n")
    assert "één 'veld: waarde' per regel" in _said(app.yaml_messages)
    assert app.session.texts() == texts


def test_field_edits_show_in_the_open_view(app: EditorApp) -> None:
    app.open_advanced()
    app.open_tab("data-subjects")
    app.inputs["data_subjects_per_year"].value = 725
    assert "data_subjects_per_year: 725" in app.yaml_area.value


def test_a_misspelt_field_is_a_problem_like_any_other(app: EditorApp) -> None:
    app.open_advanced()
    text = app.yaml_area.value
    assert app.apply_yaml(text + "retention.coaching-notes: 3\n")  # a key as written, never a path into retention
    record = "activity:assessments-and-tests"
    assert app.session.get(record, "retention")["coaching-notes"]["period"] == "1 year"
    assert set(app.session.problems_for(record)) == {"retention.coaching-notes"}
    assert "Regel " in _said(app.yaml_messages) and not app.save()
    app.undo()
    assert not app.session.dirty
