"""The fideslang manifest validates with fideslang's own models and names only keys of its default
taxonomy; our categories, bases and art. 9 conditions land on the keys the mapping table documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fideslang import DEFAULT_TAXONOMY
from fideslang.models import Taxonomy

from dpia_lib import load_register
from dpia_lib.cli import main
from dpia_lib.errors import DpiaError
from dpia_lib.exchange import fides
from dpia_lib.exchange.fides import fides_manifest


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.model_validate(fides_manifest(load_register()))


def test_manifest_validates_with_fideslang(taxonomy: Taxonomy) -> None:
    categories = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    uses = {u.fides_key for u in DEFAULT_TAXONOMY.data_use}
    subjects = {s.fides_key for s in DEFAULT_TAXONOMY.data_subject}
    keys = {s.fides_key for s in taxonomy.system}
    declarations = [d for s in taxonomy.system for d in s.privacy_declarations]
    assert declarations
    for d in declarations:
        assert set(d.data_categories) <= categories
        assert d.data_use in uses
        assert set(d.data_subjects) <= subjects
        assert set(d.egress or ()) <= keys and set(d.ingress or ()) <= keys


def test_declarations_follow_the_register(taxonomy: Taxonomy) -> None:
    cts = next(s for s in taxonomy.system if s.fides_key == "client_tracking_system")
    special = [d for d in cts.privacy_declarations if d.name and d.name.startswith("Special file")]
    assert special and all(d.processes_special_category_data for d in special)
    # special-file.yaml: condition employment-social-security = GDPR art. 9(2)(b)
    assert {d.special_category_legal_basis for d in special} == {"Employment, social security and social protection"}
    second_track = [d for d in cts.privacy_declarations if d.name and d.name.startswith("2nd-track")]
    # reintegration-second-track.yaml: both purposes rest on art. 6(1)(f)
    assert {d.legal_basis_for_processing for d in second_track} == {"Legitimate interests"}
    assert all("user.government_id.national_identification_number" in d.data_categories for d in second_track)
    assert all("uwv" in (d.ingress or []) and "employee" in d.data_subjects for d in second_track)
    newsletter = next(s for s in taxonomy.system if s.fides_key == "mailing_platform").privacy_declarations
    assert [d.data_use for d in newsletter] == ["marketing.communications.email"]


def test_unmapped_category_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    table = dict(fides._mapping())
    table["categories"] = {k: v for k, v in table["categories"].items() if k != "bsn"}
    monkeypatch.setattr(fides, "_mapping", lambda: table)
    with pytest.raises(DpiaError, match="categories has no entry for 'bsn'"):
        fides_manifest(load_register())


def test_cli_writes_yaml_and_json(tmp_path: Path) -> None:
    assert main(["export", "fides", "--out", str(tmp_path / "fides.yaml")]) == 0
    Taxonomy.model_validate(yaml.safe_load((tmp_path / "fides.yaml").read_text(encoding="utf-8")))
    assert main(["export", "fides", "--out", str(tmp_path / "fides.json")]) == 0
    Taxonomy.model_validate(json.loads((tmp_path / "fides.json").read_text(encoding="utf-8")))
