"""The synthetic register generator: deterministic by seed, valid by construction against the
shipped catalogues, realistic in shape, and free of personal data. Budget: about 5 s.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from dpia_lib.loading import load_catalogue
from dpia_lib.scan import scan_register
from dpia_lib.synthetic import generate_register
from dpia_lib.validation import validate_register


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_register(tmp_path_factory.mktemp("syn") / "ropa", 120, seed=7)


def test_same_seed_same_bytes_other_seed_other_register(register: Path, tmp_path: Path) -> None:
    again = generate_register(tmp_path / "again", 120, seed=7)
    other = generate_register(tmp_path / "other", 120, seed=8)
    assert _files(again) == _files(register)
    assert _files(other) != _files(register)


def test_valid_without_any_problem_and_the_requested_size(register: Path) -> None:
    result = validate_register(register)
    assert result.problems == ()
    assert result.register is not None
    assert len(result.register.activities) == 120
    assert len(result.register.flows) == 1200  # ten flows per activity by default
    assert len(result.register.parties) == 31  # max(30, 120 // 5) plus the data subject


def test_uses_only_catalogue_ids_and_protects_special_data(register: Path) -> None:
    result = validate_register(register)
    reg = result.register
    assert reg is not None
    catalogue = load_catalogue()
    for act in reg.activities.values():
        assert set(act.categories) <= set(catalogue.categories)
        special = [c for c in act.categories if catalogue.is_special(c)]
        # special-category data only in the special file, always with an art. 9(2) condition and UAVG exception
        if special:
            assert act.dossier == "special-file"
            assert act.special_categories_basis is not None
            assert act.special_categories_basis.condition is not None
            assert act.special_categories_basis.dutch_exception is not None
        for flow in act.flows:
            assert act.id in (flow.source, flow.target)
            if flow.source == act.id:  # special data never leaves the activity
                assert not any(catalogue.is_special(c) for c in flow.categories), flow.id


def test_a_realistic_mix(register: Path) -> None:
    reg = validate_register(register).register
    assert reg is not None
    kinds = collections.Counter(aid.rsplit("-", 1)[0] for aid in reg.activities)
    assert len(kinds) == 12 and max(kinds.values()) == 10
    inbound = sum(1 for f in reg.flows if f.target in reg.activities and f.source in reg.parties)
    between = sum(1 for f in reg.flows if f.source in reg.activities and f.target in reg.activities)
    assert inbound > len(reg.flows) // 3 and between > 0


def test_no_personal_data(register: Path) -> None:
    assert scan_register(register) == []
    text = "\n".join(p.read_text(encoding="utf-8") for p in register.rglob("*.yaml"))
    assert "@" not in text  # not even role mailboxes


def test_rejects_impossible_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_register(tmp_path, 0)
