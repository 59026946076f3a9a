"""Editing the register safely: round-trip YAML, an edit session with live validation, atomic saves,
an audit log, and the ipywidgets editor app (:mod:`dpia_lib.editing.widgets`, imported on demand)."""

from dpia_lib.editing.audit import AUDIT_FILE, append_audit, read_audit
from dpia_lib.editing.save import Fingerprint, InvalidSaveError, fingerprint, write_files
from dpia_lib.editing.session import Change, EditSession, SaveResult, parse_field_path

__all__ = [
    "AUDIT_FILE",
    "Change",
    "EditSession",
    "Fingerprint",
    "InvalidSaveError",
    "SaveResult",
    "append_audit",
    "fingerprint",
    "parse_field_path",
    "read_audit",
    "write_files",
]
