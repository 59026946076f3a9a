"""The cross-record checks kept per record (:class:`dpia_lib.references.CrossChecks`): after an edit only
the changed records are checked again, and the problems are still those of a full check, also when the
edit makes an unchanged record wrong (a party it names removed, a flow id it uses taken again elsewhere).
Budget: about 5 s.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dpia_lib.diagnostics import Problem
from dpia_lib.incremental import IncrementalChecker
from dpia_lib.references import CrossChecks, check_completeness, check_references
from dpia_lib.validation import validate_register
from tests.engine_fixtures import copy_register

#: Records of the shipped register: the organisation, 5 systems, 14 parties, 13 activities, 4 DPIA records.
RECORDS = 1 + 5 + 14 + 13 + 4
ACTIVITIES = 13


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    st = path.stat()  # seen as changed even on a coarse file-system clock
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _shown(problems: tuple[Problem, ...]) -> list[tuple[str, str, int, str]]:
    return [(p.code, Path(p.path).name, p.line, p.field) for p in problems]


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    return copy_register(tmp_path)


@pytest.fixture
def checker(shipped: Path) -> IncrementalChecker:
    checker = IncrementalChecker(shipped)
    assert checker.refresh().valid
    assert checker.cross.checked == (RECORDS, ACTIVITIES)
    return checker


def _refresh_equals_full(checker: IncrementalChecker) -> tuple[Problem, ...]:
    got = checker.refresh()
    assert got.problems == validate_register(checker.root).problems
    return got.problems


def test_an_unchanged_register_checks_no_record_again(checker: IncrementalChecker) -> None:
    assert _refresh_equals_full(checker) == ()
    assert checker.cross.checked == (0, 0)


def test_an_unknown_party_in_one_activity_checks_only_that_activity(shipped: Path,
                                                                    checker: IncrementalChecker) -> None:
    # newsletter.yaml line 31: the sign-up flow's "from: data-subject"
    _edit(shipped / "activities" / "newsletter.yaml", "from: data-subject", "from: data-subjekt")
    assert _shown(_refresh_equals_full(checker)) == [("unknown-reference", "newsletter.yaml", 31, "flows[0].from")]
    assert checker.cross.checked == (1, 1)


def test_a_flow_id_taken_again_is_reported_where_the_kept_activity_did_not_change(
        shipped: Path, checker: IncrementalChecker) -> None:
    # client-portal's first flow takes the id of newsletter's sign-up flow; newsletter sorts after
    # client-portal, so newsletter's (unchanged, kept) flow is now the second use: line 30 of newsletter.yaml
    _edit(shipped / "activities" / "client-portal.yaml", "  - id: account-registration",
          "  - id: newsletter-signup")
    problems = _refresh_equals_full(checker)
    assert _shown(problems) == [("duplicate-id", "newsletter.yaml", 30, "flows[0].id")]
    assert "already used in activity 'client-portal'" in problems[0].message
    assert checker.cross.checked[0] == 1


def test_removing_a_party_reports_the_unchanged_activities_that_name_it(shipped: Path,
                                                                       checker: IncrementalChecker) -> None:
    # the survey bureau is named only by the satisfaction survey's flow to it (line 39)
    _edit(shipped / "parties.yaml",
          "  - id: survey-organisation\n"
          "    name: {nl: Onderzoeksbureau tevredenheidsonderzoek (keurmerk Blik op Werk), "
          "en: Survey bureau for the Blik op Werk quality mark}\n"
          "    kind: research-bureau\n"
          "    role: recipient\n"
          "    note: Invites clients once every 12 months for the quality-mark survey (blikopwerk.nl); "
          "participation is voluntary.\n", "")
    problems = _refresh_equals_full(checker)
    assert _shown(problems) == [("unknown-reference", "satisfaction-survey.yaml", 39, "flows[1].to")]
    assert checker.cross.checked[0] == RECORDS - 1  # the ids changed: every record again


def test_an_assumption_about_no_field_is_found_in_the_edited_record(shipped: Path,
                                                                   checker: IncrementalChecker) -> None:
    _edit(shipped / "activities" / "newsletter.yaml", "{field: data_subjects_per_year,",
          "{field: subjects_per_year,")
    assert _shown(_refresh_equals_full(checker)) == [
        ("bad-value", "newsletter.yaml", 27, "assumptions[0].field")]
    assert checker.cross.checked == (1, 1)


def test_a_missing_art9_exception_is_found_and_goes_when_put_back(shipped: Path, checker: IncrementalChecker) -> None:
    path = shipped / "activities" / "special-file.yaml"
    _edit(path, "  dutch_exception: uavg-30-1-b\n", "")
    assert [(code, name) for code, name, _, _ in _shown(_refresh_equals_full(checker))] == [
        ("art9-condition-missing", "special-file.yaml")]
    assert checker.cross.checked == (1, 1)
    _edit(path, "  condition: employment-social-security\n",
          "  condition: employment-social-security\n  dutch_exception: uavg-30-1-b\n")
    assert _refresh_equals_full(checker) == ()


def test_a_fresh_instance_and_a_kept_one_give_the_same_problems(shipped: Path) -> None:
    _edit(shipped / "activities" / "newsletter.yaml", "owner: marketing-staff", "owner: marketing-staf")
    register = validate_register(shipped).register
    assert register is not None
    cross = CrossChecks()
    first = cross.references(register), cross.completeness(register)
    assert first == (check_references(register), check_completeness(register))
    assert [(p.code, p.field) for p in first[0]] == [("unknown-reference", "owner")]
    assert (cross.references(register), cross.completeness(register)) == first
    assert cross.checked == (0, 0)
