"""The append-only audit log of register edits, kept beside the register (``ropa/audit.log.jsonl``).

One JSON object per line. Every save appends ``save-started`` (the files it is about to write) before it
replaces anything and ``save-completed`` (the files written and every field changed, old → new) after.
A ``save-started`` without its ``save-completed`` (same ``save_id``) marks a save that was interrupted
or rolled back: each file it names is whole, either in its old or its new version.

A line is written whole or not at all: :func:`append_audit` loops until every byte is written, fsyncs,
and when the disk is full part-way cuts the file back to where it was and raises :class:`AuditError`
(a :class:`~dpia_lib.errors.SaveError`), so the save is refused and rolled back. A line cut short by a
crash is ended before the next entry, and :func:`read_audit_log` reports it instead of failing. Values the
personal-data scanner flags (a BSN typed into a field, a phone number) are masked before they are written.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     append_audit(tmp, {"event": "save-completed", "who": "privacy-officer", "old": "bsn 111222333"})
...     [(e["event"], e["old"]) for e in read_audit(tmp)]
[('save-completed', 'bsn 11*******')]
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dpia_lib.diagnostics import Problem
from dpia_lib.errors import SaveError

__all__ = ["AUDIT_FILE", "AuditError", "append_audit", "default_user", "read_audit", "read_audit_log", "utc_now"]

#: Name of the audit log inside the register directory.
AUDIT_FILE = "audit.log.jsonl"


class AuditError(SaveError):
    """An audit entry could not be written whole (disk full, no permission); the log is left as it was."""


def default_user() -> str:
    """The operating-system user name, or ``'unknown'``."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


def utc_now() -> str:
    """The current time in UTC as ISO 8601 with seconds, e.g. ``2026-11-25T15:42:41Z``."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _masked(value: Any) -> Any:
    """``value`` with every string (and mapping key) masked where the personal-data scanner flags it."""
    from dpia_lib.scan import mask_text

    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {_masked(str(k)): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


def append_audit(register_dir: Path | str, entry: Mapping[str, Any]) -> None:
    """Append one entry as a whole JSON line (adds ``when`` if absent), masked, fsynced.

    Raises :class:`AuditError` when the line cannot be written whole; the log then holds what it held.
    """
    record = _masked(json.loads(json.dumps({"when": utc_now(), **entry}, default=str)))
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    path = Path(register_dir) / AUDIT_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise AuditError(f"{path}: cannot open the audit log: {exc.strerror}") from None
    try:
        start = os.fstat(fd).st_size
        if start and os.pread(fd, 1, start - 1) != b"\n":
            line = b"\n" + line  # the last line was cut short (a crash): this entry starts on its own line
        _write_whole(fd, line, start, path)
    finally:
        os.close(fd)


def _write_whole(fd: int, line: bytes, start: int, path: Path) -> None:
    """Write all of ``line`` at the end of the log and fsync; on failure cut the log back to ``start``."""
    view = memoryview(line)
    try:
        while view:
            written = os.write(fd, view)
            if written <= 0:  # pragma: no cover - a regular file never returns 0 for a non-empty write
                raise OSError(28, os.strerror(28))
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        try:
            if os.fstat(fd).st_size <= start + len(line) - len(view):  # only our bytes were added
                os.ftruncate(fd, start)
                os.fsync(fd)
        except OSError:
            pass  # the torn line stays; the reader reports it and the next entry starts on a new line
        raise AuditError(f"{path}: cannot write the audit log: {exc.strerror}; the save was not made") from None


def read_audit_log(register_dir: Path | str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every whole entry of the audit log, oldest first, and a problem for each line that is not one.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (pathlib.Path(tmp) / AUDIT_FILE).write_text('{"event": "save-started"}\\n{"event": "sa')
    ...     entries, problems = read_audit_log(tmp)
    ...     [e["event"] for e in entries], [(p.code, p.line) for p in problems]
    (['save-started'], [('audit-line-unreadable', 2)])
    """
    path = Path(register_dir) / AUDIT_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], []
    entries: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            problems.append(Problem("audit-line-unreadable", str(path), number, 1, "",
                                    "not a whole audit entry (cut short by a crash or a full disk); skipped"))
    return entries, problems


def read_audit(register_dir: Path | str) -> list[dict[str, Any]]:
    """Every whole entry of the audit log, oldest first (an empty list when there is none).

    A line that is not a whole entry is skipped; :func:`read_audit_log` also says which.
    """
    return read_audit_log(register_dir)[0]
