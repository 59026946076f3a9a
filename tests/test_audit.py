"""The audit log is written a whole line or nothing: short writes are completed, a full disk cuts the log
back and undoes the save, a torn line is reported, and personal data is masked before it is written."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dpia_lib.editing import EditSession, audit
from dpia_lib.editing.audit import AUDIT_FILE, AuditError, append_audit, read_audit, read_audit_log
from dpia_lib.editing.session import LOCK_FILE
from dpia_lib.errors import SaveError
from dpia_lib.loading import read_register
from dpia_lib.scan import scan_register

REPO = Path(__file__).resolve().parent.parent
NOTE = "activities/newsletter.yaml"


def _lines_whole(register: Path) -> list[dict[str, object]]:
    """Every line of the log parsed as one JSON object (fails on any torn or glued line)."""
    raw = (register / AUDIT_FILE).read_bytes() if (register / AUDIT_FILE).exists() else b""
    assert raw == b"" or raw.endswith(b"\n")
    entries = [json.loads(line) for line in raw.decode("utf-8").split("\n") if line]
    assert all(isinstance(e, dict) for e in entries)
    assert read_audit_log(register) == (entries, [])
    return entries


def test_short_writes_are_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    calls = []

    def short_write(fd: int, data: bytes) -> int:
        calls.append(len(data))
        return real_write(fd, bytes(data)[:7])  # the kernel may write less than asked

    monkeypatch.setattr(audit.os, "write", short_write)
    for i in range(3):
        append_audit(tmp_path, {"event": "save-completed", "who": "privacy-officer", "n": i, "text": "x" * 100})
    assert [e["n"] for e in _lines_whole(tmp_path)] == [0, 1, 2]
    assert len(calls) > 3 * 100 // 7


def test_a_full_disk_part_way_leaves_the_log_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    append_audit(tmp_path, {"event": "save-started", "who": "privacy-officer"})
    before = (tmp_path / AUDIT_FILE).read_bytes()
    real_write = os.write
    state = {"calls": 0}

    def full_after_some(fd: int, data: bytes) -> int:
        state["calls"] += 1
        if state["calls"] == 1:
            return real_write(fd, bytes(data)[:20])  # part of the line fits
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(audit.os, "write", full_after_some)
    with pytest.raises(AuditError, match="No space left on device"):
        append_audit(tmp_path, {"event": "save-completed", "who": "privacy-officer"})
    assert (tmp_path / AUDIT_FILE).read_bytes() == before
    assert isinstance(AuditError("x"), SaveError)


def test_a_torn_last_line_is_reported_and_the_next_entry_starts_on_its_own_line(tmp_path: Path) -> None:
    append_audit(tmp_path, {"event": "save-started", "who": "a"})
    with open(tmp_path / AUDIT_FILE, "ab") as handle:
        handle.write(b'{"event": "save-completed", "who": "a", "chan')  # a crash in the middle of a line
    entries, problems = read_audit_log(tmp_path)
    assert [e["event"] for e in entries] == ["save-started"]
    assert [(p.code, p.line) for p in problems] == [("audit-line-unreadable", 2)]
    append_audit(tmp_path, {"event": "save-started", "who": "b"})
    entries, problems = read_audit_log(tmp_path)
    assert [e["who"] for e in entries] == ["a", "b"]
    assert [(p.code, p.line) for p in problems] == [("audit-line-unreadable", 2)]
    assert [e["who"] for e in read_audit(tmp_path)] == ["a", "b"]


def test_a_save_whose_audit_entry_fails_is_undone(ropa_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ropa_copy / NOTE
    before = path.read_bytes()
    session = EditSession(ropa_copy, user="privacy-officer")
    assert session.set("activity:newsletter", "owner", "office-staff") == {}
    real_append = audit.append_audit

    def completed_fails(register_dir: Path | str, entry: dict[str, object]) -> None:
        if entry["event"] == "save-completed":
            raise AuditError("audit.log.jsonl: cannot write the audit log: No space left on device")
        real_append(register_dir, entry)

    monkeypatch.setattr("dpia_lib.editing.save.append_audit", completed_fails)
    with pytest.raises(AuditError):
        session.save()
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []
    assert [e["event"] for e in _lines_whole(ropa_copy)] == ["save-started"]
    monkeypatch.setattr("dpia_lib.editing.save.append_audit", real_append)
    session.save()  # the edit was kept: saving again once the disk has room writes it
    assert "owner: office-staff" in path.read_text(encoding="utf-8")


def test_a_new_file_is_removed_when_its_save_is_undone(ropa_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dpia_lib.editing import save

    target = ropa_copy / "activities" / "brand-new.yaml"
    real_append = audit.append_audit

    def completed_fails(register_dir: Path | str, entry: dict[str, object]) -> None:
        if entry["event"] == "save-completed":
            raise AuditError("no room")
        real_append(register_dir, entry)

    monkeypatch.setattr(save, "append_audit", completed_fails)
    with pytest.raises(AuditError):
        save.commit_save(ropa_copy, {target: "id: brand-new\n"}, [], {target: None}, who="x", changes=[])
    assert not target.exists()


def test_personal_data_is_masked_in_the_log(ropa_copy: Path) -> None:
    path = ropa_copy / NOTE
    path.write_text(path.read_text(encoding="utf-8").replace(
        "id: newsletter\n", "id: newsletter\nnote: client 111222333, tel 06.12.34.56.78\n"), encoding="utf-8")
    session = EditSession(ropa_copy, user="privacy-officer")
    assert session.set("activity:newsletter", "note", None) == {}
    session.save()  # removing it from the register must not copy it into the log
    log = (ropa_copy / AUDIT_FILE).read_text(encoding="utf-8")
    assert "111222333" not in log and "12.34.56.78" not in log and "11*******" in log
    assert scan_register(ropa_copy) == []


# ---------------------------------------------------------------------------------------- a real full disk

def _fill(filler: Path) -> int:
    """Grow ``filler`` until the file system is full; return its size."""
    block = b"\0" * 4096
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            try:
                if os.write(fd, block) < len(block):
                    break
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    finally:
        os.close(fd)
    return filler.stat().st_size


@pytest.fixture()
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs (the test runs as root in CI); unmounted afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"mounting a small tmpfs needs root: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_saves_on_a_filling_disk_leave_every_audit_line_whole(small_fs: Path) -> None:
    register = small_fs / "ropa"
    shutil.copytree(REPO / "ropa", register, ignore=shutil.ignore_patterns("audit.log*", ".*"))
    filler = small_fs / "filler"
    outcomes: dict[str, int] = {"saved": 0, "audit-failed": 0, "write-failed": 0}
    parties = register / "parties.yaml"
    for round_ in range(36):
        room_pages, length = round_ % 6, 1500 + 700 * (round_ % 5)
        filler.unlink(missing_ok=True)
        full = _fill(filler)
        os.truncate(filler, max(0, full - room_pages * 4096))
        before = parties.read_bytes()
        log_before = _lines_whole(register)
        session = EditSession(register, REPO / "data", user="privacy-officer")
        text = (f"round {round_}: " + "the officer's description of the purpose " * (length // 42)).strip()
        assert session.set("party:email-service", "note", text) == {}
        outcome = "saved"
        try:
            session.save()
        except AuditError:
            outcome = "audit-failed"
            outcomes["audit-failed"] += 1
            assert parties.read_bytes() == before  # undone
        except SaveError:
            outcome = "write-failed"
            outcomes["write-failed"] += 1
            assert parties.read_bytes() == before
        else:
            outcomes["saved"] += 1
            assert parties.read_bytes() != before
        entries = _lines_whole(register)  # every line whole, the log readable
        assert entries[:len(log_before)] == log_before
        # no temporary file is left behind; the save lock's file stays by design
        assert [n for n in os.listdir(register) if n.startswith(".") and n != LOCK_FILE] == []
        loaded, problems = read_register(register, REPO / "data")
        assert problems == [] and loaded is not None
        assert (loaded.parties["email-service"].note == text) is (outcome == "saved")
    assert outcomes["saved"] and outcomes["audit-failed"], outcomes


def test_a_file_size_limit_cutting_the_audit_line_short_leaves_it_whole(tmp_path: Path) -> None:
    # the kernel itself writes part of the line and then refuses (RLIMIT_FSIZE in a child process): the
    # same short write a full disk gives, without mounting anything
    log = tmp_path / AUDIT_FILE
    append_audit(tmp_path, {"event": "save-started", "who": "privacy-officer"})
    size = log.stat().st_size
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({size + 50}, {size + 50}))
        from dpia_lib.editing.audit import AuditError, append_audit
        try:
            append_audit({str(tmp_path)!r}, {{"event": "save-completed", "changes": ["x" * 500]}})
        except AuditError as exc:
            print(exc)
            sys.exit(3)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 3, done.stderr
    assert "File too large" in done.stdout
    assert log.stat().st_size == size
    assert [e["event"] for e in _lines_whole(tmp_path)] == ["save-started"]
