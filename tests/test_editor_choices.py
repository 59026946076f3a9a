"""The editor's drop-downs and checkboxes show words, not ids: every choice field of every record kind in
both languages, legal grounds with their citation in the language's style (checked by hand against the
GDPR, the UAVG and the Telecommunicatiewet), and references by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dpia_lib.editing import EditSession
from dpia_lib.editing.fields import MODELS, REFERENCES, FieldSpec, field_specs
from dpia_lib.editing.widgets import EditorApp


@pytest.fixture()
def app(ropa_copy: Path) -> EditorApp:
    editor = EditorApp(EditSession(ropa_copy, user="privacy-officer"), as_of=dt.date(2026, 11, 25))
    editor.show("activity", "special-file")
    return editor


def _labels(drop: Any) -> dict[Any, str]:
    """A drop-down's words by value."""
    return {value: label for label, value in drop.options}


def _choice_fields(specs: list[FieldSpec] | tuple[FieldSpec, ...], path: str = "") -> Iterator[tuple[str, FieldSpec]]:
    for spec in specs:
        if spec.kind == "choice":
            yield path + spec.name, spec
        yield from _choice_fields(spec.children, f"{path}{spec.name}.")


def _every_choice_field() -> list[tuple[str, str, FieldSpec]]:
    return [(kind, path, spec) for kind, model in MODELS.items() for path, spec in _choice_fields(field_specs(model))]


def test_the_walk_reaches_the_choice_fields_of_every_kind() -> None:
    fields = {(kind, path) for kind, path, _ in _every_choice_field()}
    assert {("activity", "purposes.basis"), ("activity", "special_categories_basis.condition"),
            ("activity", "special_categories_basis.dutch_exception"), ("activity", "flows.frequency"),
            ("activity", "flows.ground.basis"), ("activity", "transfers.safeguard"), ("activity", "role"),
            ("activity", "retention.basis"), ("activity", "electronic_marketing.ground"),
            ("party", "role"), ("party", "confidentiality"), ("role", "confidentiality"),
            ("dpia", "sign_off.decision"), ("dpia", "actions.status")} <= fields
    assert {kind for kind, _ in fields} == set(MODELS)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_choice_shows_its_raw_id(app: EditorApp, language: str) -> None:
    app.language.value = language
    app.show("activity", "newsletter")
    for kind, path, spec in _every_choice_field():
        drop = app._control(spec, (spec.name,), None)  # the drop-down the form shows for this field
        options = [(label, value) for label, value in drop.options if value is not None]
        assert [value for _, value in options] == list(spec.choices), (kind, path)
        for label, value in options:
            assert label != value, (kind, path, language)  # a value without words is shown as its id
            if language == "nl":  # nor is a Dutch label the English id made readable
                assert label.lower() != value.replace("-", " "), (kind, path, label)
            assert label[:1].isupper(), (kind, path, language, label)
        labels = [label for label, _ in options]
        assert len(set(labels)) == len(labels), (kind, path, labels)  # no two values read alike


def test_every_choice_label_exists_in_both_languages(app: EditorApp) -> None:
    words: dict[str, dict[tuple[str, str], str]] = {}
    for language in ("nl", "en"):
        app.language.value = language
        app.show("activity", "newsletter")
        words[language] = {(path, value): label for _, path, spec in _every_choice_field()
                           for label, value in app._control(spec, (spec.name,), None).options if value is not None}
    assert words["nl"].keys() == words["en"].keys()
    same = {key: text for key, text in words["nl"].items() if words["en"][key] == text}
    assert same == {}  # a Dutch label copied from English (or the reverse) would show here


def test_legal_grounds_cite_their_article_in_dutch_style(app: EditorApp) -> None:
    app.open_tab("lawfulness")
    condition = app.inputs["special_categories_basis.condition"]
    assert condition.value == "employment-social-security"
    labels = _labels(condition)
    # GDPR art. 9(2)(b): employment, social security and social protection law
    assert labels["employment-social-security"] == "Arbeidsrecht en sociale zekerheid (art. 9 lid 2 sub b AVG)"
    assert labels["explicit-consent"].endswith("(art. 9 lid 2 sub a AVG)")
    assert labels["archiving-research"].endswith("(art. 9 lid 2 sub j AVG)")
    exception = _labels(app.inputs["special_categories_basis.dutch_exception"])
    # UAVG art. 30(1)(b): reintegration or support of employees or benefit claimants
    assert exception["uavg-30-1-b"] == "Re-integratie of begeleiding van werknemers (art. 30 lid 1 sub b UAVG)"
    basis = app.inputs["purposes[0].basis"]
    assert basis.value == "legitimate-interests"
    assert _labels(basis)["legitimate-interests"] == "Gerechtvaardigd belang (art. 6 lid 1 sub f AVG)"
    assert _labels(basis)["consent"] == "Toestemming (art. 6 lid 1 sub a AVG)"
    app.open_tab("description")
    role = _labels(app.inputs["role"])
    assert role["processor"] == "Verwerker (art. 30 lid 2 AVG)"
    assert role["joint-controller"] == "Gezamenlijke verwerkingsverantwoordelijke (artt. 26 en 30 lid 1 AVG)"


def test_english_labels_keep_the_english_citation(app: EditorApp) -> None:
    app.language.value = "en"
    app.show("activity", "special-file")
    app.open_tab("lawfulness")
    condition = _labels(app.inputs["special_categories_basis.condition"])
    assert condition["employment-social-security"] == "Employment and social security law (GDPR art. 9(2)(b))"
    basis = _labels(app.inputs["purposes[0].basis"])
    assert basis["legitimate-interests"] == "Legitimate interests (GDPR art. 6(1)(f))"


def test_transfers_flows_parties_and_dpias_in_words(app: EditorApp) -> None:
    specs = {path: spec for _, path, spec in _every_choice_field()}
    safeguard = _labels(app._control(specs["transfers.safeguard"], ("safeguard",), None))
    assert safeguard["standard-contractual-clauses"] == "Modelcontractbepalingen (art. 46 lid 2 sub c AVG)"
    assert safeguard["derogation"] == "Uitzondering (art. 49 AVG)"  # cited once, not twice
    marketing = _labels(app._control(specs["electronic_marketing.ground"], ("ground",), None))
    assert marketing["soft-opt-in"].endswith("(art. 11.7 lid 3 Telecommunicatiewet)")
    app.show("activity", "newsletter")
    app.open_tab("flows")
    frequency = app.inputs["flows[0].frequency"]
    assert frequency.value == "once" and _labels(frequency)["once"] == "Eenmalig"
    app.show("party", "labour-expert")
    assert _labels(app.inputs["role"])[app.inputs["role"].value] == "Verwerkingsverantwoordelijke"
    assert _labels(app.inputs["confidentiality"])["contract"] == \
        "Geheimhoudingsovereenkomst of -beding"
    app.show("dpia", "special-file")
    decision = app._control(specs["sign_off.decision"], ("sign_off", "decision"), None)
    assert _labels(decision)["prior-consultation"].endswith("(art. 36 lid 1 AVG)")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_references_show_names(app: EditorApp, language: str) -> None:
    app.language.value = language
    for source in sorted(set(REFERENCES.values())):
        options = app._options(source)
        assert options, source
        for label, ident in options:
            assert label != ident, (source, label)
            if source in ("roles", "parties", "systems", "activities", "nodes"):
                assert label.endswith(f"({ident})"), (source, label)  # ids the officer chose, second
            else:
                assert f"({ident})" not in label, (source, label)  # a catalogue entry by its words alone
    categories = {value: label for label, value in app._options("categories")}
    assert categories["name-contact"] == ("Personalia en contactgegevens" if language == "nl" else
                                          "Name and contact details")


def test_checkboxes_show_names_and_tick_by_id(app: EditorApp) -> None:
    app.open_tab("data-subjects")
    boxes = app.items["categories"]
    assert boxes["functional-limitations"].description == "Functionele mogelijkheden (FML)"
    assert boxes["functional-limitations"].value
    app.open_tab("security")
    access = app.items["access"]
    assert all(box.description.endswith(f"({ident})") for ident, box in access.items())


def test_a_retention_period_runs_from_an_event_in_words_not_from_a_party(app: EditorApp) -> None:
    specs = {s.name: s for s in field_specs(MODELS["activity"])}
    assert {c.name: (c.kind, c.source) for c in specs["retention"].children}["from"] == ("line", None)
    assert {c.name: (c.kind, c.source) for c in specs["flows"].children}["from"] == ("ref", "nodes")
    app.open_tab("retention")
    start = app.inputs["retention.functional-limitations.from"]
    assert type(start).__name__ == "Text" and start.value == "end of the trajectory"
