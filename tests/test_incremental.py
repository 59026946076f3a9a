"""Incremental re-check: after each kind of edit the incremental result equals a full
re-validation, re-screening and rule check, and only the affected activities are re-screened.
Budget: about 15 s.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from dpia_lib.findings import Finding
from dpia_lib.incremental import IncrementalChecker, IncrementalResult
from dpia_lib.rules import check
from dpia_lib.screening import screen
from dpia_lib.synthetic import generate_register
from dpia_lib.validation import validate_register
from tests.engine_fixtures import copy_register

REPO = Path(__file__).resolve().parent.parent


AS_OF = dt.date(2026, 11, 25)


def _full(root: Path) -> tuple[tuple[object, ...], dict[str, object], list[Finding]]:
    result = validate_register(root)
    assert result.register is not None
    return result.problems, screen(result.register), check(result.register, AS_OF)


def _assert_equals_full(root: Path, got: IncrementalResult, checker: IncrementalChecker) -> None:
    problems, screenings, findings = _full(root)
    assert got.problems == problems
    assert got.screenings == screenings
    assert checker.findings(AS_OF) == findings


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    st = path.stat()  # make sure the edit is seen even on coarse file-system clocks
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    return copy_register(tmp_path)


def test_no_edit_re_reads_nothing(shipped: Path) -> None:
    checker = IncrementalChecker(shipped)
    assert checker.refresh().full
    again = checker.refresh()
    assert (again.full, again.changed, again.rescreened) == (False, (), ())
    _assert_equals_full(shipped, again, checker)


def test_touching_a_file_without_changing_it_re_parses_nothing(shipped: Path) -> None:
    checker = IncrementalChecker(shipped)
    checker.refresh()
    path = shipped / "activities" / "newsletter.yaml"
    _edit(path, "id: newsletter", "id: newsletter")
    assert checker.refresh().changed == ()


def test_activity_edit_rescreens_it_and_its_flow_partners(shipped: Path) -> None:
    checker = IncrementalChecker(shipped)
    first = checker.refresh()
    assert first.screenings["newsletter"].verdict.value == "not-required"
    # profiling plus large scale (1500 a year is under every threshold, so raise it) changes the verdict
    path = shipped / "activities" / "newsletter.yaml"
    _edit(path, "data_subjects_per_year: 1500", "data_subjects_per_year: 1500\nprofiling: true\n"
                                                  "systematic_monitoring: true")
    got = checker.refresh()
    assert got.changed == (str(path),)
    assert not got.full and "newsletter" in got.rescreened
    assert len(got.rescreened) < len(got.screenings)
    assert got.screenings["newsletter"].verdict != first.screenings["newsletter"].verdict
    _assert_equals_full(shipped, got, checker)


def test_flow_edit_between_activities_matches_a_full_check(shipped: Path) -> None:
    checker = IncrementalChecker(shipped)
    checker.refresh()
    path = shipped / "activities" / "reintegration-second-track.yaml"
    _edit(path, "    to: training-institute\n", "    to: special-file\n")
    got = checker.refresh()
    assert {"reintegration-second-track", "special-file"} <= set(got.rescreened)
    _assert_equals_full(shipped, got, checker)  # incl. the minimisation of the new flow, if any


def test_broken_edit_then_fix(shipped: Path) -> None:
    checker = IncrementalChecker(shipped)
    checker.refresh()
    path = shipped / "activities" / "newsletter.yaml"
    _edit(path, "owner: marketing-staff", "owner: marketing-staf")
    broken = checker.refresh()
    assert [p.code for p in broken.problems] == ["unknown-reference"]
    _assert_equals_full(shipped, broken, checker)
    _edit(path, "owner: marketing-staf", "owner: marketing-staff")
    fixed = checker.refresh()
    assert fixed.valid
    _assert_equals_full(shipped, fixed, checker)


def test_party_and_system_edits_match_a_full_check(shipped: Path) -> None:
    checker = IncrementalChecker(shipped)
    checker.refresh()
    _edit(shipped / "parties.yaml", "    kind: employer\n    role: controller\n",
          "    kind: employer\n    role: controller\n    confidentiality: contract\n")
    got = checker.refresh()
    assert not got.full
    _assert_equals_full(shipped, got, checker)
    _edit(shipped / "systems.yaml", "    supplier: email-service\n", "    supplier: cts-supplier\n")
    got = checker.refresh()
    assert not got.full and "newsletter" in got.rescreened
    _assert_equals_full(shipped, got, checker)


def test_adding_and_removing_an_activity_is_a_full_refresh(shipped: Path) -> None:
    checker = IncrementalChecker(shipped)
    checker.refresh()
    copy = shipped / "activities" / "newsletter-2.yaml"
    copy.write_text((shipped / "activities" / "newsletter.yaml").read_text(encoding="utf-8")
                    .replace("id: newsletter", "id: newsletter-2").replace("id: newsletter-signup", "id: signup-2"),
                    encoding="utf-8")
    got = checker.refresh()
    assert got.full and "newsletter-2" in got.screenings
    _assert_equals_full(shipped, got, checker)
    copy.unlink()
    got = checker.refresh()
    assert "newsletter-2" not in got.screenings
    _assert_equals_full(shipped, got, checker)


def test_synthetic_register_edits_match_a_full_check(tmp_path: Path) -> None:
    root = generate_register(tmp_path / "ropa", 60, seed=3)
    checker = IncrementalChecker(root)
    checker.refresh()
    target = sorted((root / "activities").glob("special-file-*.yaml"))[0]
    _edit(target, "data_subjects_per_year:", "profiling: true\ndata_subjects_per_year:")
    got = checker.refresh()
    assert not got.full and got.changed == (str(target),)
    _assert_equals_full(root, got, checker)
