"""An editing session on one register: load, edit fields and records, re-check, undo, save safely.

:class:`EditSession` keeps every register file as a ruamel.yaml round-trip document. Each edit changes
the documents only; after each edit the register is checked again through the incremental checker
(:class:`~dpia_lib.incremental.IncrementalChecker`, the same validation, completeness checks, scan and
screening as ``dpia validate``, and the rule engine's findings) on the texts the files would have if
saved now, held in memory: only what the edit changed is parsed, checked and screened again, and the
rules run again only for the activities the edit can affect, so problems, screenings and findings are
up to date within milliseconds.

:meth:`EditSession.save` holds an inter-process lock on the register (``.dpia-save.lock``) from reading
the files on disk to the last rename. Under the lock it takes in what other sessions saved meanwhile:
files the officer did not edit are taken as they are now, edited files are merged at the field level
(:mod:`dpia_lib.editing.merge`); only edits of the same field on both sides stop the save
(:class:`MergeConflictError`, answered with ``save(prefer="mine")`` or ``"theirs"``). The whole register
as it will be on disk is then validated; an invalid one is refused (:class:`InvalidSaveError`) and the
officer's edits stay in the session. So two sessions can never together leave the register invalid.

>>> import shutil, tempfile, pathlib
>>> from dpia_lib.loading import DEFAULT_DATA_DIR
>>> tmp = tempfile.TemporaryDirectory()
>>> root = shutil.copytree(DEFAULT_DATA_DIR.parent / "ropa", pathlib.Path(tmp.name) / "ropa")
>>> session = EditSession(root, user="privacy-officer")
>>> session.set("activity:special-file", "data_subjects_per_year", 460)  # problems by field: none
{}
>>> session.undo()
True
>>> session.get("activity:special-file", "data_subjects_per_year") != 460
True
>>> _ = session.set("activity:special-file", "data_subjects_per_year", 460)
>>> [p.name for p in session.save().files]
['special-file.yaml']
>>> tmp.cleanup()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dpia_lib.diagnostics import Problem
from dpia_lib.editing.changes import Change, FieldPath, SaveResult, check_id, leaf_changes, parse_field_path
from dpia_lib.editing.files import RegisterFile
from dpia_lib.editing.merge import Overlap, apply_edits, describe_path, diff, plan_merge
from dpia_lib.editing.roundtrip import load_rt, merge_rt, to_plain, to_rt
from dpia_lib.editing.save import (
    Fingerprint,
    InvalidSaveError,
    commit_save,
    fingerprint,
    read_with_fingerprint,
    sweep_temp_files,
)
from dpia_lib.errors import ConflictError, ParameterError, RegisterError, SaveError
from dpia_lib.findings import Finding
from dpia_lib.incremental import IncrementalChecker
from dpia_lib.register import Register
from dpia_lib.resources import data_dir_for
from dpia_lib.scan import ALLOW_FILE
from dpia_lib.screening import Screening
from dpia_lib.validation import validate_register
from dpia_lib.yamlio import MAX_FILE_BYTES, format_loc

__all__ = [
    "KINDS",
    "LOCK_FILE",
    "USER_ENV",
    "Change",
    "EditSession",
    "MergeConflictError",
    "SaveResult",
    "configured_user",
    "parse_field_path",
]

_UNREADABLE = {"yaml-syntax", "bad-encoding", "file-too-large", "duplicate-key", "missing-file"}
#: Records kept as items of a list in one file: kind -> (file, key).
_LIST_FILES = {"party": ("parties.yaml", "parties"), "system": ("systems.yaml", "systems"),
               "role": ("organisation.yaml", "roles")}
#: Records kept one per file: kind -> folder.
_FOLDERS = {"activity": "activities/", "dpia": "dpias/"}
#: Every kind of record the session edits.
KINDS = ("organisation", "activity", "party", "system", "role", "dpia")
#: The lock file that serialises saves of one register between processes.
LOCK_FILE = ".dpia-save.lock"
#: Environment variable naming the user recorded in the audit log.
USER_ENV = "DPIA_USER"
#: Fields whose value names a record of a kind (for "what refers to this record").
_REFERRING = {
    "party": {"from", "to", "party", "supplier", "controllers"},
    "activity": {"from", "to", "activity"},
    "system": {"systems"},
    "role": {"owner", "access", "by", "role", "privacy_officer_role"},
}
_UNDO_LIMIT = 200


def configured_user(setting: str | None = None) -> str:
    """Who is recorded in the audit log: ``setting``, else ``$DPIA_USER``, else ``git config user.name``,
    else the login name.

    >>> configured_user("privacy-officer")
    'privacy-officer'
    """
    for candidate in (setting, os.environ.get(USER_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        found = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5,
                               check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found:
        return found
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


class MergeConflictError(ConflictError):
    """A save stopped because a field edited in the session was also changed on disk to another value.

    :attr:`overlaps` lists (record, field, the session's value, the value on disk); nothing was written
    and the session keeps its edits. Save again with ``prefer="mine"`` or ``prefer="theirs"``.
    """

    def __init__(self, overlaps: Sequence[tuple[str, str, Any, Any]]) -> None:
        self.overlaps = tuple(overlaps)
        lines = "\n".join(f"{record} {name}: yours {mine!r}, on disk {theirs!r}" if name else
                          f"{record}: {mine} here, {theirs} on disk since it was loaded"
                          for record, name, mine, theirs in self.overlaps)
        super().__init__("save stopped, nothing was written: these fields were also changed on disk since "
                         f"they were loaded:\n{lines}")


@dataclass
class _Snapshot:
    """The state of some files (None: the file did not exist) and of the change list before an edit."""

    files: dict[str, tuple[RegisterFile, tuple[Any, ...]] | None]
    changes: list[Change]
    every_file: bool = False


@dataclass
class _State:
    register: Register | None = None
    problems: tuple[Problem, ...] = ()
    screenings: dict[str, Screening] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] | None = None


class EditSession:
    """Edits of one register directory, checked after every edit and saved atomically.

    Records are named as in :meth:`Register.locate`: ``organisation``, ``activity:<id>``,
    ``party:<id>``, ``system:<id>``, ``role:<id>``, ``dpia:<id>``. Field paths are
    ``'retention.x.period'`` strings or tuples.
    """

    def __init__(self, register_dir: Path | str = "ropa", data_dir: Path | str | None = None,
                 *, user: str | None = None, as_of: dt.date | None = None) -> None:
        self.root = Path(register_dir)
        self.data_dir = data_dir_for(self.root, data_dir)
        self.user = configured_user(user)
        self.as_of = as_of or dt.date.today()
        self._state = _State()
        self._files: dict[str, RegisterFile] = {}
        #: The text of each file as :meth:`texts` gives it, until an edit of that file (dumping an edited
        #: document is the costly part of an edit, so only the edited file is dumped again).
        self._texts: dict[str, str] = {}
        self._deferred = 0
        self._undo: list[_Snapshot] = []
        #: Checks the files' texts in memory, keeping what an edit does not change (see :meth:`_revalidate`).
        self._checker = IncrementalChecker(self.root, self.data_dir)
        self.reload()

    # ----------------------------------------------------------------- loading
    def _disk_rels(self) -> list[str]:
        rels = ["organisation.yaml", "parties.yaml", "systems.yaml"]
        for folder in ("activities", "dpias"):
            rels += [f"{folder}/{p.name}" for p in sorted((self.root / folder).glob("*.yaml"))
                     if not p.name.startswith(".")]
        return rels + ([ALLOW_FILE] if (self.root / ALLOW_FILE).is_file() else [])  # the scan's allow-list

    def _read(self, rel: str) -> RegisterFile | None:
        found = read_with_fingerprint(self.root / rel)
        if found is None:
            return None
        try:
            if len(found[0]) > MAX_FILE_BYTES:
                raise UnicodeError
            return RegisterFile(rel, found[0].decode("utf-8"), found[1])
        except UnicodeError:
            result = validate_register(self.root, self.data_dir)  # for the problems, with lines
            raise RegisterError([p for p in result.problems if p.code in _UNREADABLE] or result.problems) from None

    def reload(self) -> None:
        """(Re)load every file from disk, dropping unsaved edits and the undo history.

        Each file is read once, fingerprinted from the bytes read and checked from those same bytes, so
        a file changing while the editor starts is caught at save time. Raises :class:`RegisterError`
        when a file cannot be read as YAML at all (the editor needs every file parsed).
        """
        if not self.root.is_dir():
            raise RegisterError([Problem("missing-file", str(self.root), 0, 0, "", "register directory not found")])
        sweep_temp_files(self.root)
        files: dict[str, RegisterFile] = {}
        for rel in self._disk_rels():
            found = self._read(rel)
            if found is None:
                raise RegisterError([Problem("missing-file", str(self.root / rel), 0, 0, "", "file not found")])
            files[rel] = found
        self._files = files
        self._texts = {}
        self._undo = []
        self._state = _State()
        self._revalidate()
        unreadable = [p for p in self.problems if p.code in _UNREADABLE]
        if unreadable or self.register is None:
            raise RegisterError(unreadable or self.problems)

    # ----------------------------------------------------------------- reading
    @property
    def register(self) -> Register | None:
        """The register as last checked (None if the current edits make it unreadable)."""
        return self._state.register

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem of the register with the current edits (paths point into the register folder)."""
        return self._state.problems

    @property
    def screenings(self) -> dict[str, Screening]:
        """Every activity's screening with the current edits (empty while the register is unreadable)."""
        return self._state.screenings

    @property
    def findings(self) -> list[Finding]:
        """The rule engine's findings over the whole register with the current edits, as of :attr:`as_of`
        (the list :func:`dpia_lib.rules.check` gives; only what the edits can affect is found again)."""
        state = self._state
        if state.findings is None:
            state.findings = self._checker.findings(self.as_of) if state.register is not None else []
        return state.findings

    @property
    def changes(self) -> tuple[Change, ...]:
        """Unsaved changes, one per record and field (old is the value as loaded)."""
        return tuple(self._state.changes)

    @property
    def dirty(self) -> bool:
        """Whether there are unsaved changes."""
        return any(f.touched or f.deleted for f in self._files.values())

    @property
    def can_undo(self) -> bool:
        """Whether there is an edit to undo."""
        return bool(self._undo)

    def records(self, kind: str) -> list[str]:
        """Ids of the records of one kind ('activity', 'party', 'system', 'role', 'dpia'), sorted."""
        if kind in _LIST_FILES:
            rel, key = _LIST_FILES[kind]
            return sorted(str(item.get("id")) for item in self._files[rel].doc.get(key) or []
                          if isinstance(item, Mapping))
        folder = _FOLDERS.get(kind)
        if folder is None:
            raise ParameterError(f"unknown record kind {kind!r}")
        return sorted(f.rel[len(folder):-5] for f in self._files.values()
                      if f.rel.startswith(folder) and not f.deleted)

    def _locate(self, record: str) -> tuple[RegisterFile, Any, FieldPath]:
        """The file, the record's node and its path inside the file."""
        kind, _, ident = record.partition(":")
        if record == "organisation":
            file = self._files["organisation.yaml"]
            return file, file.doc, ()
        if kind in _FOLDERS and ident:
            check_id(ident, kind)
            file_ = self._files.get(f"{_FOLDERS[kind]}{ident}.yaml")
            if file_ is None or file_.deleted:
                raise ParameterError(f"unknown {kind} {ident!r}")
            return file_, file_.doc, ()
        if kind in _LIST_FILES and ident:
            rel, key = _LIST_FILES[kind]
            file = self._files[rel]
            for i, item in enumerate(file.doc.get(key) or []):
                if isinstance(item, Mapping) and item.get("id") == ident:
                    return file, item, (key, i)
            raise ParameterError(f"unknown {kind} {ident!r}")
        raise ParameterError(f"unknown record {record[:80]!r}; use organisation, activity:<id>, party:<id>, "
                             "system:<id>, role:<id> or dpia:<id>")

    def get(self, record: str, path: str | Sequence[str | int] = ()) -> Any:
        """The current value of a field as plain data (None when absent)."""
        _, node, _ = self._locate(record)
        for part in parse_field_path(path):
            if isinstance(node, Mapping) and isinstance(part, str):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return to_plain(node)

    def problems_for(self, record: str) -> dict[str, list[Problem]]:
        """Problems of one record by field path relative to the record (``''`` for the record as a whole)."""
        file, _, prefix = self._locate(record)
        path = str(self.root / file.rel)
        head = format_loc(prefix)
        out: dict[str, list[Problem]] = {}
        for problem in self.problems:
            if problem.path != path:
                continue
            if head:
                if problem.field == head or problem.field.startswith((head + ".", head + "[")):
                    rest = problem.field[len(head):].lstrip(".")
                else:
                    continue
            else:
                rest = problem.field
            out.setdefault(rest, []).append(problem)
        return out

    def record_of(self, path: str, field_name: str) -> tuple[str, str] | None:
        """The record and the field inside it that a problem's file and field point at (None if unknown)."""
        try:
            rel = str(Path(path).relative_to(self.root))
        except ValueError:
            return None
        for kind, folder in _FOLDERS.items():
            if rel.startswith(folder):
                return f"{kind}:{rel[len(folder):-5]}", field_name
        for kind, (name, key) in _LIST_FILES.items():
            if rel == name and field_name.startswith(key + "["):
                index, _, rest = field_name[len(key) + 1:].partition("]")
                items = self._files[rel].doc.get(key) or []
                if index.isdigit() and int(index) < len(items) and isinstance(items[int(index)], Mapping):
                    return f"{kind}:{items[int(index)].get('id')}", rest.lstrip(".")
        if rel == "organisation.yaml":
            return "organisation", field_name
        return None

    def references_to(self, record: str) -> list[tuple[str, str]]:
        """(record, field) of every other record naming ``record`` (e.g. flows from a party).

        >>> from dpia_lib.loading import DEFAULT_DATA_DIR
        >>> session = EditSession(DEFAULT_DATA_DIR.parent / "ropa")
        >>> ("activity:newsletter", "owner") in session.references_to("role:marketing-staff")
        True
        """
        kind, _, ident = record.partition(":")
        keys = _REFERRING.get(kind)
        register = self.register
        if not keys or register is None:
            return []
        out: list[tuple[str, str]] = []

        def walk(owner: str, value: Any, path: tuple[str | int, ...]) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    here = (*path, key)
                    if key in keys and (item == ident or (isinstance(item, list) and ident in item)):
                        out.append((owner, format_loc(here)))
                    else:
                        walk(owner, item, here)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(owner, item, (*path, i))

        sources: list[tuple[str, Any]] = [("organisation", register.organisation)]
        sources += [(f"party:{k}", v) for k, v in register.parties.items()]
        sources += [(f"system:{k}", v) for k, v in register.systems.items()]
        sources += [(f"activity:{k}", v) for k, v in register.activities.items()]
        sources += [(f"dpia:{k}", v) for k, v in register.dpias.items()]
        for owner, model in sources:
            if owner != record:
                data = model.model_dump(by_alias=True, mode="json", exclude_defaults=True)
                if owner == "organisation":
                    data.pop("roles", None)
                    for role in register.organisation.roles:
                        if f"role:{role.id}" != record:
                            walk(f"role:{role.id}", role.model_dump(by_alias=True, mode="json"), ())
                walk(owner, data, ())
        return out

    # ----------------------------------------------------------------- undo
    def _snapshot(self, *rels: str, every_file: bool = False, field: str | None = None) -> bool:
        """Keep the state of ``rels`` for :meth:`undo`; False inside a batch (which keeps its own).

        Called before every change of a file (so the texts of ``rels`` are dumped again; ``field``: the
        one top-level field of the file the change stays inside, when known), and with ``every_file``
        when a batch starts (whose edits snapshot what they change)."""
        if not every_file:
            for rel in rels:
                self._texts.pop(rel, None)
                file = self._files.get(rel)
                if file is not None and not file.deleted:
                    file.before_edit(field)
        if self._deferred:
            return False
        files: dict[str, tuple[RegisterFile, tuple[Any, ...]] | None] = {}
        for rel in rels:
            file = self._files.get(rel)
            files[rel] = None if file is None else (file, file.state())
        self._undo.append(_Snapshot(files, list(self._state.changes), every_file))
        del self._undo[:-_UNDO_LIMIT]
        return True

    def undo(self) -> bool:
        """Undo the last edit (or batch of edits); False when there is nothing to undo."""
        if not self._undo:
            return False
        snap = self._undo.pop()
        self._texts = {}
        if snap.every_file:
            for rel in set(self._files) - set(snap.files):
                del self._files[rel]
        for rel, kept in snap.files.items():
            if kept is None:
                self._files.pop(rel, None)
                continue
            file, state = kept
            file.restore(state)
            self._files[rel] = file
        self._files = dict(sorted(self._files.items()))
        self._state.changes = snap.changes
        self._revalidate()
        return True

    def discard(self) -> None:
        """Drop every unsaved edit: back to the files as loaded (without reading the disk again)."""
        for rel, file in list(self._files.items()):
            if not file.original and (file.touched or file.deleted):
                del self._files[rel]  # added in this session
            elif file.touched or file.deleted:
                file.reset()
        self._texts = {}
        self._state.changes = []
        self._undo = []
        self._revalidate()

    # ----------------------------------------------------------------- editing
    def _record_change(self, record: str, path: str, old: Any, new: Any) -> None:
        changes = self._state.changes
        for i, change in enumerate(changes):
            if change.record == record and change.field == path:
                old = change.old
                del changes[i]
                break
        if old != new:
            changes.append(Change(record, path, old, new))

    def set(self, record: str, path: str | Sequence[str | int], value: Any) -> dict[str, list[Problem]]:
        """Set one field (None removes it) and return the record's problems by field after the re-check."""
        file, node, inside = self._locate(record)
        parts = parse_field_path(path)
        if not parts:
            raise ParameterError("a field path is needed")
        new = to_rt(value)
        top = (*inside, *parts)[0]
        pushed = self._snapshot(file.rel, field=top if isinstance(top, str) else None)
        try:
            for i, part in enumerate(parts[:-1]):
                nxt = parts[i + 1]
                if isinstance(node, CommentedMap) and isinstance(part, str):
                    if node.get(part) is None:
                        if isinstance(nxt, int):
                            raise ParameterError(f"{format_loc(parts[:i + 1])} is empty; set the whole list")
                        node[part] = CommentedMap()
                        node[part].fa.set_flow_style()
                    node = node[part]
                elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                    node = node[part]
                else:
                    raise ParameterError(f"no field {format_loc(parts[:i + 1])} in {record}")
            last = parts[-1]
            if isinstance(node, CommentedMap) and isinstance(last, str):
                old = node.get(last)
                old_plain = to_plain(old)
                if value is not None and last in node:
                    new = merge_rt(old, value)  # keeps the unchanged parts' comments and style
                if new is None:
                    if last in node:
                        del node[last]
                else:
                    node[last] = new
            elif isinstance(node, CommentedSeq) and isinstance(last, int) and 0 <= last < len(node):
                old = node[last]
                old_plain = to_plain(old)
                if value is not None:
                    new = merge_rt(old, value)
                if new is None:
                    del node[last]
                else:
                    node[last] = new
            else:
                raise ParameterError(f"no field {format_loc(parts)} in {record}")
        except ParameterError:
            if pushed:
                self._undo.pop()
            raise
        file.touched = True
        for sub, before, after in leaf_changes(old_plain, to_plain(new), parts):
            self._record_change(record, format_loc(sub), before, after)
        self._revalidate()
        return self.problems_for(record)

    def add_record(self, kind: str, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        """Add a record of ``kind`` (its own file for activities and DPIA records, an item of a list
        otherwise); returns its problems by field."""
        key_field = "activity" if kind == "dpia" else "id"
        ident = check_id(data.get(key_field), kind)
        if kind in _FOLDERS:
            rel = f"{_FOLDERS[kind]}{ident}.yaml"
            if rel in self._files and not self._files[rel].deleted:
                raise ParameterError(f"{kind} {ident!r} exists already")
            self._snapshot(rel)
            old = self._files.get(rel)
            doc = to_rt(dict(data))
            if old is not None:  # re-adding a removed record overwrites the file as loaded
                old.replace(doc)
            else:
                self._files[rel] = RegisterFile(rel, "", fingerprint(self.root / rel), doc)
            self._record_change(f"{kind}:{ident}", "", None, to_plain(doc))
        elif kind in _LIST_FILES:
            if ident in self.records(kind):
                raise ParameterError(f"{kind} {ident!r} exists already")
            rel, key = _LIST_FILES[kind]
            file = self._files[rel]
            self._snapshot(rel)
            if not isinstance(file.doc.get(key), CommentedSeq):
                file.doc[key] = CommentedSeq()
            file.doc[key].append(to_rt(dict(data)))
            file.touched = True
            self._record_change(f"{kind}:{ident}", "", None, to_plain(data))
        else:
            raise ParameterError(f"records of kind {kind!r} cannot be added")
        self._revalidate()
        return self.problems_for(f"{kind}:{ident}")

    def duplicate_record(self, record: str, new_id: str) -> dict[str, list[Problem]]:
        """Add a copy of ``record`` under ``new_id`` (flow ids of a copied activity get the new id as prefix,
        since flow ids are unique in the register)."""
        kind = record.partition(":")[0]
        data = self.get(record)
        if not isinstance(data, dict) or kind not in (*_FOLDERS, *_LIST_FILES):
            raise ParameterError(f"{record} cannot be duplicated")
        data["activity" if kind == "dpia" else "id"] = new_id
        if kind == "activity":
            for flow in data.get("flows") or []:
                if isinstance(flow, dict) and isinstance(flow.get("id"), str):
                    flow["id"] = f"{new_id}-{flow['id']}"[:80].rstrip("-")
        return self.add_record(kind, data)

    def remove_record(self, record: str) -> None:
        """Remove a record (records naming it then fail validation until changed: ask first, see
        :meth:`references_to`)."""
        kind = record.partition(":")[0]
        file, node, prefix = self._locate(record)
        if kind in _FOLDERS:
            self._snapshot(file.rel)
            self._record_change(record, "", to_plain(file.doc), None)
            file.deleted = True
        elif kind in _LIST_FILES:
            self._snapshot(file.rel)
            self._record_change(record, "", to_plain(node), None)
            del file.doc[prefix[0]][prefix[1]]
            file.touched = True
        else:
            raise ParameterError(f"{record} cannot be removed")
        self._revalidate()

    def add_activity(self, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        """Add an activity (its own file ``activities/<id>.yaml``); returns its problems by field."""
        return self.add_record("activity", data)

    def remove_activity(self, ident: str) -> None:
        """Remove an activity and its file (flows of other activities to it then fail validation)."""
        self.remove_record(f"activity:{ident}")

    def add_party(self, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        """Append a party to ``parties.yaml``; returns its problems by field."""
        return self.add_record("party", data)

    def remove_party(self, ident: str) -> None:
        """Remove a party (flows and systems naming it then fail validation until changed)."""
        self.remove_record(f"party:{ident}")

    def add_item(self, record: str, path: str | Sequence[str | int], data: Any) -> dict[str, list[Problem]]:
        """Append ``data`` to the list at ``path`` of ``record`` (e.g. a purpose, a flow, a signatory)."""
        file, node, _ = self._locate(record)
        parts = parse_field_path(path)
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, Mapping) else None
            if node is None:
                raise ParameterError(f"no field {format_loc(parts)} in {record}")
        items = node.get(parts[-1]) if isinstance(node, Mapping) else None
        self._snapshot(file.rel)
        if not isinstance(items, CommentedSeq):
            items = node[parts[-1]] = CommentedSeq()
        items.append(to_rt(data))
        file.touched = True
        ident = data.get("id") if isinstance(data, Mapping) else None
        self._record_change(record, f"{format_loc(parts)}.{ident}" if ident else f"{format_loc(parts)}[{len(items) - 1}]",
                            None, to_plain(data))
        self._revalidate()
        return self.problems_for(record)

    def remove_item(self, record: str, path: str | Sequence[str | int], index: int) -> None:
        """Remove item ``index`` of the list at ``path`` of ``record``."""
        file, node, _ = self._locate(record)
        parts = parse_field_path(path)
        for part in parts:
            node = node.get(part) if isinstance(node, Mapping) else None
        if not isinstance(node, CommentedSeq) or not 0 <= index < len(node):
            raise ParameterError(f"{record} has no {format_loc(parts)}[{index}]")
        self._snapshot(file.rel)
        item = node[index]
        ident = item.get("id") if isinstance(item, Mapping) else None
        self._record_change(record, f"{format_loc(parts)}.{ident}" if ident else f"{format_loc(parts)}[{index}]",
                            to_plain(item), None)
        del node[index]
        file.touched = True
        self._revalidate()

    def add_flow(self, activity: str, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        """Append a flow to an activity; returns the activity's problems by field."""
        ident = check_id(data.get("id"), "flow")
        flows = self.get(f"activity:{activity}", "flows") or []
        if any(isinstance(f, dict) and f.get("id") == ident for f in flows):
            raise ParameterError(f"flow {ident!r} exists already in activity {activity!r}")
        return self.add_item(f"activity:{activity}", "flows", dict(data))

    def remove_flow(self, activity: str, flow_id: str) -> None:
        """Remove one flow of an activity."""
        flows = self.get(f"activity:{activity}", "flows") or []
        for i, flow in enumerate(flows):
            if isinstance(flow, dict) and flow.get("id") == flow_id:
                self.remove_item(f"activity:{activity}", "flows", i)
                return
        raise ParameterError(f"activity {activity!r} has no flow {flow_id!r}")

    # ----------------------------------------------------------------- checking
    def texts(self) -> dict[str, str]:
        """The text every file would have if saved now (relative path → text; removed files absent)."""
        out: dict[str, str] = {}
        for rel, file in sorted(self._files.items()):
            if not file.deleted:
                text = self._texts.get(rel)
                if text is None:
                    text = self._texts[rel] = file.text()
                out[rel] = text
        return out

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Make several edits with one check at the end (and one step of undo).

        >>> import shutil, tempfile, pathlib
        >>> from dpia_lib.loading import DEFAULT_DATA_DIR
        >>> tmp = tempfile.TemporaryDirectory()
        >>> session = EditSession(shutil.copytree(DEFAULT_DATA_DIR.parent / "ropa", pathlib.Path(tmp.name) / "r"))
        >>> with session.batch():
        ...     _ = session.set("activity:newsletter", "owner", "nobody")
        ...     _ = session.set("activity:newsletter", "access", ["no-such-role"])
        >>> sorted(session.problems_for("activity:newsletter"))
        ['access[0]', 'owner']
        >>> tmp.cleanup()
        """
        if not self._deferred:
            self._snapshot(*self._files, every_file=True)
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
            if not self._deferred:
                self._revalidate()

    def _revalidate(self) -> None:
        """Check the texts the files would have if saved now, in memory, as ``dpia validate`` would the saved
        register (:meth:`IncrementalChecker.refresh`): only what the edit changed is parsed, validated,
        scanned and screened again."""
        if self._deferred:
            return
        result = self._checker.refresh(self.texts())
        self._state.register, self._state.problems = result.register, result.problems
        self._state.screenings = result.screenings
        self._state.findings = None

    # ----------------------------------------------------------------- saving
    def _catch_up(self, prefer: str | None) -> list[str]:
        """Take in what changed on disk since loading (under the save lock); what changed, in words.

        Files not edited here are taken as they are on disk; edited files are merged at the field level.
        Raises :class:`MergeConflictError` (the session unchanged) when both sides changed one field.
        """
        updates: dict[str, RegisterFile | None] = {}
        news: list[str] = []
        overlaps: list[tuple[str, str, Any, Any]] = []
        on_disk = set(self._disk_rels())
        for rel in sorted(on_disk | set(self._files)):
            file = self._files.get(rel)
            now = self._read(rel) if rel in on_disk else None
            before = file.fingerprint.sha256 if file is not None and file.fingerprint is not None else None
            after = now.fingerprint.sha256 if now is not None and now.fingerprint is not None else None
            if before == after:
                continue
            label = rel[:-5]
            if file is None or not (file.touched or file.deleted):
                updates[rel] = now
                news.append(f"{label}: " + ("removed" if now is None else "added" if file is None else "changed"))
                continue
            base = to_plain(load_rt(file.original)) if file.original else None
            theirs = to_plain(load_rt(now.original)) if now is not None else None
            mine = None if file.deleted else to_plain(file.doc)
            if base is None or theirs is None or mine is None:
                if mine != theirs or now is None:
                    overlaps.append((rel, "", "removed" if mine is None else "added" if base is None else "edited",
                                     "deleted" if now is None else "created" if base is None else "changed"))
                continue
            edits, clash = plan_merge(base, mine, theirs)
            if prefer == "mine":
                edits, clash = diff(base, mine), []
                edits = [e for e in edits if e not in diff(base, theirs)]
            elif prefer == "theirs":
                clash = []
            overlaps += [self._describe(rel, o) for o in clash]
            assert now is not None
            doc = load_rt(now.original)
            apply_edits(doc, edits)
            now.rebase(doc)
            updates[rel] = now
            news += [f"{label}: {describe_path(p)}" for p, _ in diff(base, theirs)]
        if overlaps:
            raise MergeConflictError(overlaps)
        if updates:
            self._texts = {}
            self._undo = []  # the states kept for undo hold the old versions of these files
            for rel, new in updates.items():
                if new is None:
                    self._files.pop(rel, None)
                else:
                    self._files[rel] = new
            self._files = dict(sorted(self._files.items()))
        return news

    def _describe(self, rel: str, overlap: Overlap) -> tuple[str, str, Any, Any]:
        path = list(overlap.path)
        record = "organisation" if rel == "organisation.yaml" else rel[:-5].replace("activities/", "activity:") \
            .replace("dpias/", "dpia:")
        for kind, (name, key) in _LIST_FILES.items():
            if rel == name and len(path) >= 2 and path[0] == key and isinstance(path[1], tuple):
                record, path = f"{kind}:{path[1][1]}", path[2:]
        return record, describe_path(tuple(path)), overlap.mine, overlap.theirs

    def save(self, *, who: str | None = None, prefer: str | None = None, timeout: float = 60.0) -> SaveResult:
        """Take in changes saved meanwhile, validate the whole register, write atomically and log the save.

        Holds the register's save lock throughout. Raises :class:`MergeConflictError` when a field edited
        here was changed on disk too (``prefer`` = ``"mine"`` or ``"theirs"`` decides), and
        :class:`InvalidSaveError` (with the problems) when the register would be invalid; in both cases
        nothing is written and the edits stay in the session.
        """
        if prefer not in (None, "mine", "theirs"):
            raise ParameterError(f"prefer must be 'mine' or 'theirs', not {prefer!r}")
        try:
            lock = FileLock(str(self.root / LOCK_FILE), timeout=timeout)
            lock.acquire()
        except Timeout:
            raise SaveError(f"save refused, nothing was written: another save of {self.root} did not finish "
                            f"within {timeout:.0f} s") from None
        except OSError as exc:
            raise SaveError(f"save refused, nothing was written: cannot lock {self.root}: {exc.strerror}") from None
        try:
            return self._save_locked(who, prefer)
        finally:
            lock.release()

    def _save_locked(self, who: str | None, prefer: str | None) -> SaveResult:
        merged = self._catch_up(prefer)
        if merged:
            self._revalidate()
        writes = {self.root / rel: f.text() for rel, f in sorted(self._files.items()) if f.touched and not f.deleted}
        writes = {path: text for path, text in writes.items()
                  if text != self._files[str(path.relative_to(self.root))].original or
                  not self._files[str(path.relative_to(self.root))].original}
        removals = [self.root / rel for rel, f in sorted(self._files.items()) if f.deleted and f.original]
        if not writes and not removals:
            return SaveResult((), (), tuple(merged))
        if self.problems:
            raise InvalidSaveError(self.problems)
        expected = {path: self._files[str(path.relative_to(self.root))].fingerprint for path in [*writes, *removals]}
        changes = tuple(self._state.changes)
        written = commit_save(self.root, writes, removals, expected, who=who or self.user,
                              changes=[c.as_dict() for c in changes])
        for rel, file in list(self._files.items()):
            if file.deleted:
                del self._files[rel]
            elif file.touched:
                text = file.text()
                now = fingerprint(self.root / rel)
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                if now is None or now.sha256 != digest:  # changed again already: the next save must refuse
                    now = Fingerprint(0, len(text.encode("utf-8")), digest)
                file.saved(text, now)
        self._texts = {}
        self._state.changes = []
        self._undo = []
        return SaveResult(written, changes, tuple(merged))
