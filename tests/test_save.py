"""Saving: validate first and refuse, detect files changed on disk, write atomically, log every save."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from dpia_lib.editing import EditSession, InvalidSaveError, read_audit, write_files
from dpia_lib.editing.save import fingerprint
from dpia_lib.editing.session import LOCK_FILE, MergeConflictError, configured_user
from dpia_lib.errors import ConflictError, ParameterError, SaveError
from dpia_lib.loading import load_register


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != LOCK_FILE}


def test_save_writes_only_the_changed_file_and_leaves_no_temporary_files(ropa_copy: Path) -> None:
    before = _snapshot(ropa_copy)
    session = EditSession(ropa_copy, user="privacy-officer")
    session.set("activity:newsletter", "data_subjects_per_year", 2500)
    result = session.save()
    assert [p.name for p in result.files] == ["newsletter.yaml"]
    after = _snapshot(ropa_copy)
    assert set(after) == set(before) | {"audit.log.jsonl"}
    assert [k for k in before if before[k] != after[k]] == ["activities/newsletter.yaml"]
    assert not list(ropa_copy.rglob("*.tmp"))
    assert load_register(ropa_copy).activity("newsletter").data_subjects_per_year == 2500


def test_invalid_register_is_refused_with_the_problems_and_nothing_written(ropa_copy: Path) -> None:
    before = _snapshot(ropa_copy)
    session = EditSession(ropa_copy)
    session.set("activity:special-file", "owner", "nobody")
    with pytest.raises(InvalidSaveError) as caught:
        session.save()
    (problem,) = caught.value.problems
    assert (problem.code, problem.path, problem.line, problem.field) == (
        "unknown-reference", str(ropa_copy / "activities/special-file.yaml"), 8, "owner")
    assert "nothing was written" in str(caught.value)
    assert _snapshot(ropa_copy) == before  # no audit entry either


def test_personal_data_blocks_a_save(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.set("activity:special-file", "information.when", "at intake; ask j.jansen@example.nl")
    with pytest.raises(InvalidSaveError) as caught:
        session.save()
    assert [p.code for p in caught.value.problems] == ["personal-data-email"]


def test_removing_a_party_still_referenced_is_refused(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.remove_party("labour-expert")
    with pytest.raises(InvalidSaveError) as caught:
        session.save()
    assert {(p.code, p.field) for p in caught.value.problems} == {("unknown-reference", "flows[1].from")}
    assert "id: labour-expert" in (ropa_copy / "parties.yaml").read_text(encoding="utf-8")


def test_file_changed_on_disk_elsewhere_is_merged_with_the_edit(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.set("activity:special-file", "data_subjects_per_year", 460)
    session.set("party:labour-expert", "note", "Engaged by the employer.")
    parties = ropa_copy / "parties.yaml"
    text = parties.read_text(encoding="utf-8")
    parties.write_text(text.replace("UWV (Employee", "UWV (Dutch Employee", 1) + "# edited in another window\n",
                       encoding="utf-8")
    result = session.save()
    assert [p.name for p in result.files] == ["special-file.yaml", "parties.yaml"]
    after = parties.read_text(encoding="utf-8")
    assert after.endswith("# edited in another window\n") and "UWV (Dutch Employee" in after  # theirs kept
    assert load_register(ropa_copy).parties["labour-expert"].note == "Engaged by the employer."  # mine kept
    assert any(m.startswith("parties:") for m in result.merged)


def test_same_field_changed_on_disk_stops_the_save_and_keeps_the_edit(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.set("activity:special-file", "data_subjects_per_year", 460)
    target = ropa_copy / "activities/special-file.yaml"
    old = session.get("activity:special-file", "data_subjects_per_year")
    target.write_text(target.read_text(encoding="utf-8").replace("data_subjects_per_year: 450",
                                                                  "data_subjects_per_year: 470"), encoding="utf-8")
    before = _snapshot(ropa_copy)
    with pytest.raises(MergeConflictError) as caught:
        session.save()
    assert caught.value.overlaps == (("activity:special-file", "data_subjects_per_year", 460, 470),)
    assert _snapshot(ropa_copy) == before and old == 460
    assert session.get("activity:special-file", "data_subjects_per_year") == 460  # the edit is kept
    session.save(prefer="mine")
    assert load_register(ropa_copy).activity("special-file").data_subjects_per_year == 460


def test_deleted_file_is_a_conflict(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.set("activity:newsletter", "data_subjects_per_year", 1)
    (ropa_copy / "activities/newsletter.yaml").unlink()
    with pytest.raises(ConflictError, match="newsletter.yaml: edited here, deleted on disk"):
        session.save()
    assert not (ropa_copy / "activities/newsletter.yaml").exists()


def test_touch_without_change_is_not_a_conflict(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.set("activity:newsletter", "data_subjects_per_year", 1)
    os.utime(ropa_copy / "activities/newsletter.yaml", ns=(10**18, 10**18))
    assert [p.name for p in session.save().files] == ["newsletter.yaml"]


def test_second_save_after_first_uses_new_fingerprints(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.set("activity:newsletter", "data_subjects_per_year", 1)
    session.save()
    session.set("activity:newsletter", "data_subjects_per_year", 2)
    session.save()
    assert load_register(ropa_copy).activity("newsletter").data_subjects_per_year == 2


def test_audit_log_records_who_when_files_and_old_new(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy, user="privacy-officer")
    session.set("activity:special-file", "retention.diagnosis-complaints.period", "3 months")
    session.set("activity:special-file", "retention.diagnosis-complaints.period", "4 months")
    session.set("party:payment-provider", "country", "BE")
    session.save()
    started, completed = read_audit(ropa_copy)
    assert started["event"] == "save-started" and completed["event"] == "save-completed"
    assert started["save_id"] == completed["save_id"]
    assert started["files"] == ["activities/special-file.yaml", "parties.yaml"]
    assert completed["files_written"] == ["activities/special-file.yaml", "parties.yaml"]
    assert completed["who"] == "privacy-officer"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", completed["when"])
    assert completed["changes"] == [
        {"record": "activity:special-file", "field": "retention.diagnosis-complaints.period",
         "old": "6 months", "new": "4 months"},
        {"record": "party:payment-provider", "field": "country", "old": None, "new": "BE"},
    ]
    lines = (ropa_copy / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["save-started", "save-completed"]


def test_audit_user_from_the_environment_then_git_then_login(ropa_copy: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DPIA_USER", "privacy officer")
    session = EditSession(ropa_copy)
    session.set("activity:newsletter", "data_subjects_per_year", 1)
    session.save()
    assert read_audit(ropa_copy)[-1]["who"] == "privacy officer"
    monkeypatch.delenv("DPIA_USER")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Officer From Git\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    assert configured_user() == "Officer From Git"
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    monkeypatch.setenv("LOGNAME", "office-pc-7")
    monkeypatch.setenv("USER", "office-pc-7")
    assert configured_user() == "office-pc-7"


def test_adding_and_removing_activities_writes_and_deletes_files(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    data = session.get("activity:legal-claims")
    session.remove_activity("legal-claims")
    data["id"] = "legal-claims-archive"
    data["flows"] = [dict(f, id=f"archive-{f['id']}", **{k: "legal-claims-archive" for k in ("from", "to")
                                                          if f[k] == "legal-claims"}) for f in data["flows"]]
    assert session.add_activity(data) == {}
    result = session.save()
    assert sorted(p.name for p in result.files) == ["legal-claims-archive.yaml", "legal-claims.yaml"]
    assert not (ropa_copy / "activities/legal-claims.yaml").exists()
    assert "legal-claims-archive" in load_register(ropa_copy).activities


def test_bad_ids_and_paths_are_parameter_errors(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    for call in (lambda: session.add_activity({"id": "../../etc/passwd"}),
                 lambda: session.add_party({"id": "a/b"}),
                 lambda: session.set("activity:../../etc", "id", "x"),
                 lambda: session.set("activity:newsletter", "retention..period", "1 year"),
                 lambda: session.set("activity:newsletter", "flows[99].id", "x"),
                 lambda: session.set("activity:newsletter", "owner", object()),
                 lambda: session.add_party({"id": "employer"}),
                 lambda: session.remove_flow("newsletter", "no-such-flow"),
                 lambda: session.get("nonsense")):
        with pytest.raises(ParameterError):
            call()
    assert not session.changes


def test_write_files_cleans_up_when_a_target_cannot_be_written(tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text("old\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(SaveError, match="before any file was replaced"):
        write_files({good: "new\n", blocker / "b.yaml": "x\n"}, expected={good: fingerprint(good)})
    assert good.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "file"]


def test_opening_a_session_sweeps_old_temporary_files_only(ropa_copy: Path) -> None:
    old = ropa_copy / "activities/.newsletter.yaml.0123456789ab.tmp"
    young = ropa_copy / "activities/.newsletter.yaml.ba9876543210.tmp"
    other = ropa_copy / "activities/.notes.tmp"
    for path in (old, young, other):
        path.write_text("half a file", encoding="utf-8")
    os.utime(old, (0, 0))
    os.utime(other, (0, 0))
    EditSession(ropa_copy)
    assert (old.exists(), young.exists(), other.exists()) == (False, True, True)


def test_new_file_created_meanwhile_by_someone_else_is_a_conflict(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    data = session.get("activity:legal-claims")
    data["id"] = "legal-claims-copy"
    data["flows"] = []
    session.add_activity(data)
    target = ropa_copy / "activities/legal-claims-copy.yaml"
    target.write_text("# written by a colleague\n", encoding="utf-8")
    with pytest.raises(ConflictError, match="legal-claims-copy.yaml: added here, created on disk"):
        session.save()
    assert target.read_text(encoding="utf-8") == "# written by a colleague\n"
