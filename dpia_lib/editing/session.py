"""An editing session on one register: load, edit fields and records, re-validate, save atomically.

:class:`EditSession` keeps every register file as a ruamel.yaml round-trip document. Each edit changes
the documents only; after each edit the whole register is validated again (every file written to a
scratch folder and read by :func:`dpia_lib.validation.validate_register`, the same code as
``dpia validate``), so problems are shown per field while editing. :meth:`EditSession.save` refuses an
invalid register and a file changed on disk, writes atomically and appends to the audit log.

>>> import shutil, tempfile, pathlib
>>> from dpia_lib.loading import DEFAULT_DATA_DIR
>>> tmp = tempfile.TemporaryDirectory()
>>> root = shutil.copytree(DEFAULT_DATA_DIR.parent / "ropa", pathlib.Path(tmp.name) / "ropa")
>>> session = EditSession(root, user="privacy-officer")
>>> session.set("activity:special-file", "data_subjects_per_year", 460)  # problems by field: none
{}
>>> [p.name for p in session.save().files]
['special-file.yaml']
>>> tmp.cleanup()
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dpia_lib.diagnostics import Problem
from dpia_lib.editing.audit import default_user
from dpia_lib.editing.changes import Change, FieldPath, SaveResult, check_id, leaf_changes, parse_field_path
from dpia_lib.editing.files import RegisterFile
from dpia_lib.editing.roundtrip import merge_rt, to_plain, to_rt
from dpia_lib.editing.save import (
    Fingerprint,
    InvalidSaveError,
    commit_save,
    fingerprint,
    read_with_fingerprint,
    sweep_temp_files,
)
from dpia_lib.errors import ParameterError, RegisterError
from dpia_lib.register import Register
from dpia_lib.resources import data_dir_for
from dpia_lib.scan import ALLOW_FILE
from dpia_lib.validation import validate_register
from dpia_lib.yamlio import MAX_FILE_BYTES, format_loc

__all__ = ["Change", "EditSession", "SaveResult", "parse_field_path"]

_UNREADABLE = {"yaml-syntax", "bad-encoding", "file-too-large", "duplicate-key", "missing-file"}
_LIST_FILES = {"party": ("parties.yaml", "parties"), "system": ("systems.yaml", "systems")}

@dataclass
class _State:
    register: Register | None = None
    problems: tuple[Problem, ...] = ()
    changes: list[Change] = field(default_factory=list)


class EditSession:
    """Edits of one register directory, validated after every edit and saved atomically.

    Records are named as in :meth:`Register.locate`: ``organisation``, ``activity:<id>``,
    ``party:<id>``, ``system:<id>``, ``dpia:<id>``. Field paths are ``'retention.x.period'`` strings or
    tuples.
    """

    def __init__(self, register_dir: Path | str = "ropa", data_dir: Path | str | None = None,
                 *, user: str | None = None) -> None:
        self.root = Path(register_dir)
        self.data_dir = data_dir_for(self.root, data_dir)
        self.user = user or default_user()
        self._state = _State()
        self._validated: tuple[dict[str, str], tuple[Problem, ...]] | None = None
        self._files: dict[str, RegisterFile] = {}
        self._deferred = 0
        self.reload()

    # ----------------------------------------------------------------- loading
    def reload(self) -> None:
        """(Re)load every file from disk, dropping unsaved edits.

        Each file is read once, fingerprinted from the bytes read and validated from those same bytes, so
        a file changing while the editor starts is caught at save time. Raises :class:`RegisterError`
        when a file cannot be read as YAML at all (the editor needs every file parsed).
        """
        if not self.root.is_dir():
            raise RegisterError([Problem("missing-file", str(self.root), 0, 0, "", "register directory not found")])
        sweep_temp_files(self.root)
        rels = ["organisation.yaml", "parties.yaml", "systems.yaml"]
        rels += [f"activities/{p.name}" for p in sorted((self.root / "activities").glob("*.yaml"))]
        rels += [f"dpias/{p.name}" for p in sorted((self.root / "dpias").glob("*.yaml"))]
        rels += [ALLOW_FILE] if (self.root / ALLOW_FILE).is_file() else []  # the scan's allow-list
        files: dict[str, RegisterFile] = {}
        for rel in rels:
            found = read_with_fingerprint(self.root / rel)
            try:
                if found is None or len(found[0]) > MAX_FILE_BYTES:
                    raise UnicodeError
                files[rel] = RegisterFile(rel, found[0].decode("utf-8"), found[1])
            except UnicodeError:
                result = validate_register(self.root, self.data_dir)  # for the problems, with lines
                raise RegisterError([p for p in result.problems if p.code in _UNREADABLE] or result.problems) from None
        self._files = files
        texts = {rel: f.original for rel, f in files.items()}
        register, problems = self._validate(texts)
        unreadable = [p for p in problems if p.code in _UNREADABLE]
        if unreadable or register is None:
            raise RegisterError(unreadable or problems)
        self._state = _State(register, problems)
        self._validated = (texts, problems)

    # ----------------------------------------------------------------- reading
    @property
    def register(self) -> Register | None:
        """The register as last validated (None if the current edits make it unreadable)."""
        return self._state.register

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem of the register with the current edits (paths point into the register folder)."""
        return self._state.problems

    @property
    def changes(self) -> tuple[Change, ...]:
        """Unsaved changes, one per record and field (old is the value as loaded)."""
        return tuple(self._state.changes)

    @property
    def dirty(self) -> bool:
        """Whether there are unsaved changes."""
        return any(f.touched or f.deleted for f in self._files.values())

    def records(self, kind: str) -> list[str]:
        """Ids of the records of one kind ('activity', 'party', 'system', 'dpia'), sorted."""
        if kind in _LIST_FILES:
            rel, key = _LIST_FILES[kind]
            return sorted(str(item.get("id")) for item in self._files[rel].doc.get(key) or []
                          if isinstance(item, Mapping))
        folder = {"activity": "activities/", "dpia": "dpias/"}.get(kind)
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
        if kind in ("activity", "dpia") and ident:
            check_id(ident, kind)
            file_ = self._files.get(f"{'activities' if kind == 'activity' else 'dpias'}/{ident}.yaml")
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
                             "system:<id> or dpia:<id>")

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
        """Set one field (None removes it) and return the record's problems by field after re-validation."""
        file, node, _ = self._locate(record)
        parts = parse_field_path(path)
        if not parts:
            raise ParameterError("a field path is needed")
        new = to_rt(value)
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
        file.touched = True
        for sub, before, after in leaf_changes(old_plain, to_plain(new), parts):
            self._record_change(record, format_loc(sub), before, after)
        self._revalidate()
        return self.problems_for(record)

    def add_activity(self, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        """Add an activity (its own file ``activities/<id>.yaml``); returns its problems by field."""
        ident = check_id(data.get("id"), "activity")
        rel = f"activities/{ident}.yaml"
        if rel in self._files and not self._files[rel].deleted:
            raise ParameterError(f"activity {ident!r} exists already")
        old = self._files.get(rel)
        doc = to_rt(dict(data))
        if old is not None:  # re-adding a removed activity overwrites the file as loaded
            old.replace(doc)
        else:
            self._files[rel] = RegisterFile(rel, "", fingerprint(self.root / rel), doc)
        self._record_change(f"activity:{ident}", "", None, to_plain(doc))
        self._revalidate()
        return self.problems_for(f"activity:{ident}")

    def remove_activity(self, ident: str) -> None:
        """Remove an activity and its file (flows of other activities to it then fail validation)."""
        file, _, _ = self._locate(f"activity:{ident}")
        self._record_change(f"activity:{ident}", "", to_plain(file.doc), None)
        file.deleted = True
        self._revalidate()

    def _add_item(self, kind: str, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        ident = check_id(data.get("id"), kind)
        if ident in self.records(kind):
            raise ParameterError(f"{kind} {ident!r} exists already")
        rel, key = _LIST_FILES[kind]
        file = self._files[rel]
        if not isinstance(file.doc.get(key), CommentedSeq):
            file.doc[key] = CommentedSeq()
        file.doc[key].append(to_rt(dict(data)))
        file.touched = True
        self._record_change(f"{kind}:{ident}", "", None, to_plain(data))
        self._revalidate()
        return self.problems_for(f"{kind}:{ident}")

    def _remove_item(self, kind: str, ident: str) -> None:
        file, node, prefix = self._locate(f"{kind}:{ident}")
        self._record_change(f"{kind}:{ident}", "", to_plain(node), None)
        del file.doc[prefix[0]][prefix[1]]
        file.touched = True
        self._revalidate()

    def add_party(self, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        """Append a party to ``parties.yaml``; returns its problems by field."""
        return self._add_item("party", data)

    def remove_party(self, ident: str) -> None:
        """Remove a party (flows and systems naming it then fail validation until changed)."""
        self._remove_item("party", ident)

    def add_flow(self, activity: str, data: Mapping[str, Any]) -> dict[str, list[Problem]]:
        """Append a flow to an activity; returns the activity's problems by field."""
        ident = check_id(data.get("id"), "flow")
        file, node, _ = self._locate(f"activity:{activity}")
        flows = node.get("flows")
        if not isinstance(flows, CommentedSeq):
            flows = node["flows"] = CommentedSeq()
        if any(isinstance(f, Mapping) and f.get("id") == ident for f in flows):
            raise ParameterError(f"flow {ident!r} exists already in activity {activity!r}")
        flows.append(to_rt(dict(data)))
        file.touched = True
        self._record_change(f"activity:{activity}", f"flows.{ident}", None, to_plain(data))
        self._revalidate()
        return self.problems_for(f"activity:{activity}")

    def remove_flow(self, activity: str, flow_id: str) -> None:
        """Remove one flow of an activity."""
        file, node, _ = self._locate(f"activity:{activity}")
        flows = node.get("flows") or []
        for i, flow in enumerate(flows):
            if isinstance(flow, Mapping) and flow.get("id") == flow_id:
                self._record_change(f"activity:{activity}", f"flows.{flow_id}", to_plain(flow), None)
                del flows[i]
                file.touched = True
                self._revalidate()
                return
        raise ParameterError(f"activity {activity!r} has no flow {flow_id!r}")

    # ----------------------------------------------------------------- validating and saving
    def texts(self) -> dict[str, str]:
        """The text every file would have if saved now (relative path → text; removed files absent)."""
        return {rel: f.text() for rel, f in sorted(self._files.items()) if not f.deleted}

    def _validate(self, texts: Mapping[str, str]) -> tuple[Register | None, tuple[Problem, ...]]:
        with tempfile.TemporaryDirectory(prefix="dpia-edit-") as tmp:
            scratch = Path(tmp) / "ropa"
            for folder in ("activities", "dpias"):
                (scratch / folder).mkdir(parents=True)
            for rel, text in texts.items():
                (scratch / rel).write_text(text, encoding="utf-8")
            result = validate_register(scratch, self.data_dir)
        inside, outside = str(scratch), str(self.root)
        problems = tuple(
            Problem(p.code, outside + p.path[len(inside):] if p.path.startswith(inside) else p.path,
                    p.line, p.column, p.field, p.message.replace(inside, outside))
            for p in result.problems
        )
        return result.register, problems

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Make several edits with one validation at the end (edits inside return no problems).

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
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
            if not self._deferred:
                self._revalidate()

    def _revalidate(self) -> None:
        if self._deferred:
            return
        texts = self.texts()
        self._state.register, self._state.problems = self._validate(texts)
        self._validated = (texts, self._state.problems)

    def _problems_of(self, texts: dict[str, str]) -> tuple[Problem, ...]:
        """Problems of the register made of ``texts`` (reusing the last validation when unchanged)."""
        cached = self._validated
        if cached is not None and cached[0] == texts:
            return cached[1]
        return self._validate(texts)[1]

    def save(self, *, who: str | None = None) -> SaveResult:
        """Validate the whole register, then write every changed file atomically and log the save.

        Raises :class:`InvalidSaveError` (with the problems) for an invalid register and
        :class:`~dpia_lib.errors.ConflictError` when a file changed on disk since it was loaded; in both
        cases nothing is written.
        """
        writes = {self.root / rel: f.text() for rel, f in sorted(self._files.items()) if f.touched and not f.deleted}
        writes = {path: text for path, text in writes.items()
                  if text != self._files[str(path.relative_to(self.root))].original or
                  not self._files[str(path.relative_to(self.root))].original}
        removals = [self.root / rel for rel, f in sorted(self._files.items()) if f.deleted and f.original]
        if not writes and not removals:
            return SaveResult((), ())
        problems = self._problems_of(self.texts())
        if problems:
            raise InvalidSaveError(problems)
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
        self._state.changes = []
        return SaveResult(written, changes)
