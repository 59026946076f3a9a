"""The legal predicates (dpia_lib.legal): one answer per legal notion, checked by hand on the shipped
register and small probes."""

from __future__ import annotations

from pathlib import Path

from dpia_lib import load_register
from dpia_lib.legal import (
    dpo_required,
    inferred_special,
    is_employer,
    is_our_processor,
    large_scale_facts,
    medical_secrecy_categories,
    rights_for,
    special_categories,
    vulnerable_subjects,
)
from dpia_lib.records import Activity
from tests.engine_fixtures import REPO, probe, with_probe

REGISTER = load_register(REPO / "ropa")


def test_health_by_whom_the_data_is_about() -> None:
    # The client portal holds names and accounts only, but of sick employees among others (CJEU C-184/20).
    portal = REGISTER.activities["client-portal"]
    assert inferred_special(REGISTER, portal) == {"health": ["employees-sick"]}
    assert special_categories(REGISTER, portal) == ["name-contact", "account"]
    # The newsletter's subscribers reveal nothing.
    assert special_categories(REGISTER, REGISTER.activities["newsletter"]) == []


def test_medical_secrecy_and_vulnerability() -> None:
    special = REGISTER.activities["special-file"]
    assert medical_secrecy_categories(REGISTER, special.categories) == ["diagnosis-complaints"]
    assert vulnerable_subjects(REGISTER, special) == ["employees-sick"]
    assert vulnerable_subjects(REGISTER, REGISTER.activities["newsletter"]) == []


def test_children_count_as_vulnerable(tmp_path: Path) -> None:
    ropa = with_probe(tmp_path, probe())
    data = tmp_path / "data/data_subjects.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace(
        "  - id: client-contacts\n    label: {nl: Contactpersonen van opdrachtgevers, en: Contact persons at client "
        "organisations}\n    vulnerable: false\n",
        "  - id: client-contacts\n    label: {nl: Contactpersonen van opdrachtgevers, en: Contact persons at client "
        "organisations}\n    children: true\n"), encoding="utf-8")
    register = load_register(ropa)
    assert vulnerable_subjects(register, register.activities["probe"]) == ["client-contacts"]


def test_large_scale_is_the_threshold_and_decides_the_dpo() -> None:
    # 450 sick employees a year in the special file: below 10,000, whatever the sector.
    assert large_scale_facts(REGISTER, REGISTER.activities["special-file"], ("reintegration-company",)) == []
    assert dpo_required(REGISTER) == (False, [])
    big = REGISTER.activities["special-file"].model_copy(update={"data_subjects_per_year": 10000})
    found = large_scale_facts(REGISTER, big, ("reintegration-company",))
    assert [(f.code, f.params) for f in found] == [
        ("volume", (("count", "10000"), ("threshold", "large-scale-special"), ("limit", "10000"))),
        ("sector", (("sector", "reintegration-company"),))]
    assert [f.text for f in found] == [
        "10000 data subjects a year, at or above the large-scale-special threshold of 10000",
        "organisation sector 'reintegration-company' is named among the source's examples"]


def test_parties() -> None:
    assert is_employer(REGISTER.parties["employer"]) and not is_employer(REGISTER.parties["uwv"])
    assert is_our_processor(REGISTER.parties["cts-supplier"]) and not is_our_processor(REGISTER.parties["employer"])


def test_rights_per_basis() -> None:
    def ids(aid: str) -> list[str]:
        return [r.id for r in rights_for(REGISTER.activities[aid])]

    base = ["access", "rectification", "erasure", "restriction"]
    # Consent: portability (art. 20(1)(a)) and withdrawal (art. 7(3)); no objection.
    assert ids("newsletter") == [*base, "portability", "withdraw-consent"]
    # Legitimate interests only: objection (art. 21(1)), no portability.
    assert ids("special-file") == [*base, "objection"]
    # Contract and legal obligation: portability for the contract purpose only.
    assert ids("self-paying-payments") == [*base, "portability"]
    # Legal obligation only: neither.
    assert ids("data-subject-requests") == base
    (objection,) = [r for r in rights_for(REGISTER.activities["special-file"]) if r.id == "objection"]
    assert objection.citation == "GDPR art. 21(1)" and objection.label.en == "Objection"


def test_processor_activity_rights_follow_the_recorded_bases() -> None:
    act = REGISTER.activities["newsletter"]
    bare = Activity.model_validate({**act.model_dump(by_alias=True), "purposes": [
        {"id": "p", "description": {"nl": "d", "en": "d"}}]})
    assert [r.id for r in rights_for(bare)] == ["access", "rectification", "erasure", "restriction"]
