"""The edit session's fast check path gives what a full check gives, and undo, discard, every record kind
and "what refers to this record" work on the register's data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from dpia_lib.editing import EditSession
from dpia_lib.rules import check
from dpia_lib.screening import screen
from dpia_lib.validation import validate_register

AS_OF = dt.date(2026, 11, 25)

EDITS: list[tuple[str, Callable[[EditSession], object]]] = [
    ("activity field", lambda s: s.set("activity:newsletter", "data_subjects_per_year", 250_000)),
    ("flow added", lambda s: s.add_flow("legal-claims", {
        "id": "claims-to-coach", "from": "legal-claims", "to": "career-coaching-first-track",
        "categories": ["legal-claim-file"], "channel": "email", "frequency": "once"})),
    ("category with special data", lambda s: s.set("activity:newsletter", "categories", [
        "name-contact", "marketing-preferences", "diagnosis-complaints"])),
    ("party removed (dangling flows)", lambda s: s.remove_record("party:labour-expert")),
    ("empty Dutch name", lambda s: s.set("activity:special-file", "name.nl", "")),
    ("DPIA record field", lambda s: s.set("dpia:special-file", "data_subject_views.consulted", False)),
    ("role renamed", lambda s: s.set("role:career-coach", "name.en", "Career adviser")),
    ("activity removed", lambda s: s.remove_record("activity:newsletter")),
]


def _full(session: EditSession, tmp: Path) -> tuple[list[tuple[str, str, int, str]], object, list[tuple[str, ...]]]:
    root = tmp / "full" / "ropa"
    for rel, text in session.texts().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "dpias").mkdir(exist_ok=True)
    result = validate_register(root, session.data_dir)
    problems = [(p.code, str(Path(p.path).relative_to(root)), p.line, p.field) for p in result.problems]
    screenings = screen(result.register) if result.register is not None else {}
    findings = [(f.code, str(f.activity), f.message, str(Path(f.path).relative_to(root)), str(f.line))
                for f in check(result.register, AS_OF)] if result.register is not None else []
    return problems, screenings, findings


@pytest.mark.parametrize(("what", "edit"), EDITS, ids=[e[0] for e in EDITS])
def test_session_check_equals_a_full_check(ropa_copy: Path, tmp_path: Path, what: str,
                                           edit: Callable[[EditSession], object]) -> None:
    session = EditSession(ropa_copy, as_of=AS_OF)
    edit(session)
    problems, screenings, findings = _full(session, tmp_path)
    assert [(p.code, str(Path(p.path).relative_to(ropa_copy)), p.line, p.field) for p in session.problems] == problems
    assert session.screenings == screenings
    assert [(f.code, str(f.activity), f.message, str(Path(f.path).relative_to(ropa_copy)), str(f.line))
            for f in session.findings] == findings
    if what != "activity field":
        assert problems or findings  # the edits are chosen to change something


def test_undo_steps_back_one_edit_at_a_time_and_discard_drops_all(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    texts = session.texts()
    session.set("activity:newsletter", "owner", "office-staff")
    session.add_record("party", {"id": "printer", "name": {"nl": "Drukker", "en": "Printer"},
                                 "kind": "processor", "role": "processor"})
    session.remove_record("activity:legal-claims")
    assert session.undo() and "legal-claims" in session.records("activity")
    assert session.undo() and "printer" not in session.records("party")
    assert session.get("activity:newsletter", "owner") == "office-staff"
    session.add_record("activity", {**session.get("activity:newsletter"), "id": "newsletter-2", "flows": []})
    session.discard()
    assert session.texts() == texts and not session.dirty and not session.changes
    assert not session.undo()


def test_references_to_a_record(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    refs = session.references_to("party:labour-expert")
    assert ("activity:special-file", "flows[1].from") in refs
    assert all(not r.startswith("party:labour-expert") for r, _ in refs)
    assert session.references_to("system:bookkeeping") == [
        (r, f) for r, f in session.references_to("system:bookkeeping") if f.startswith("systems")]


def test_duplicate_gives_flows_new_ids(ropa_copy: Path) -> None:
    session = EditSession(ropa_copy)
    session.duplicate_record("activity:special-file", "special-file-copy")
    flows = [f["id"] for f in session.get("activity:special-file-copy", "flows")]
    assert flows and all(f.startswith("special-file-copy-") for f in flows)
    assert not [p for p in session.problems if p.code == "duplicate-id"]
