"""The append-only audit log of register edits, kept beside the register (``ropa/audit.log.jsonl``).

One JSON object per line. Every save appends ``save-started`` (the files it is about to write) before it
replaces anything and ``save-completed`` (the files written and every field changed, old → new) after.
A ``save-started`` without its ``save-completed`` (same ``save_id``) marks a save that was interrupted:
each file it names is whole, either in its old or its new version.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     append_audit(tmp, {"event": "save-completed", "who": "privacy-officer"})
...     [e["event"] for e in read_audit(tmp)]
['save-completed']
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dpia_lib.errors import SaveError

__all__ = ["AUDIT_FILE", "append_audit", "default_user", "read_audit", "utc_now"]

#: Name of the audit log inside the register directory.
AUDIT_FILE = "audit.log.jsonl"


def default_user() -> str:
    """The operating-system user name, or ``'unknown'``."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


def utc_now() -> str:
    """The current time in UTC as ISO 8601 with seconds, e.g. ``2026-11-25T15:42:41Z``."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def append_audit(register_dir: Path | str, entry: Mapping[str, Any]) -> None:
    """Append one entry as a JSON line (one ``write`` call, then fsync); adds ``when`` if absent."""
    record = {"when": utc_now(), **entry}
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode("utf-8")
    path = Path(register_dir) / AUDIT_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise SaveError(f"{path}: cannot append to the audit log: {exc.strerror}") from None


def read_audit(register_dir: Path | str) -> list[dict[str, Any]]:
    """Every entry of the audit log, oldest first (an empty list when there is none)."""
    path = Path(register_dir) / AUDIT_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]
