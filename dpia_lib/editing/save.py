"""Atomic saves of register files: all or each file whole, never half-written, never over a newer file.

:func:`write_files` writes every new content to a temporary file in the same folder as its target
(``.<name>.<random>.tmp``, a name the loader never reads), fsyncs it, checks that no target changed on
disk since it was loaded (:class:`Fingerprint`: mtime, size and SHA-256), then ``os.replace``-s each
temporary file over its target and fsyncs the folders. A file is therefore always either its old or its
new version.

Several files are replaced one after the other: a process killed between two replaces leaves some files
new and the rest old (each one whole). The audit log (:mod:`dpia_lib.editing.audit`) records the planned
files before the first replace (``save-started``) and the written files after the last one
(``save-completed``), so such an interrupted save is visible and can be redone.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     target = pathlib.Path(tmp) / "a.yaml"
...     written = write_files({target: "a: 1\\n"}, expected={target: None})
...     target.read_text(), [p.name for p in written]
('a: 1\\n', ['a.yaml'])
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from dpia_lib.diagnostics import Problem
from dpia_lib.editing.audit import AuditError, append_audit
from dpia_lib.errors import ConflictError, SaveError

__all__ = [
    "Fingerprint",
    "InvalidSaveError",
    "check_unchanged",
    "commit_save",
    "fingerprint",
    "read_with_fingerprint",
    "sweep_temp_files",
    "write_files",
]

_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")


class InvalidSaveError(SaveError):
    """A save refused because the register would be invalid; :attr:`problems` says why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(p.format() for p in self.problems)
        super().__init__(f"save refused, the register would be invalid; nothing was written:\n{lines}")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a file looked like when it was loaded."""

    mtime_ns: int
    size: int
    sha256: str


def read_with_fingerprint(path: Path) -> tuple[bytes, Fingerprint] | None:
    """The file's bytes and their fingerprint, read in one go (None when the file does not exist).

    Only a regular file is read: a device or named pipe (which could be read forever, or block) raises
    :class:`SaveError` naming it.
    """
    try:
        # O_NONBLOCK: opening a named pipe does not wait for a writer
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            stat = os.fstat(handle.fileno())
            if not S_ISREG(stat.st_mode):
                raise SaveError(f"{path}: not a regular file (a device, pipe or folder); only regular files are read")
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SaveError(f"{path}: cannot read the file: {exc.strerror}") from None
    return data, Fingerprint(stat.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def fingerprint(path: Path) -> Fingerprint | None:
    """The file's fingerprint, or None when it does not exist."""
    found = read_with_fingerprint(path)
    return found[1] if found is not None else None


def check_unchanged(expected: Mapping[Path, Fingerprint | None]) -> None:
    """Raise :class:`ConflictError` naming every file that differs from its fingerprint at load.

    A file whose content is the same (only its mtime changed, e.g. by ``touch`` or a checkout of the same
    content) is not a conflict; a changed size or SHA-256, a deleted file or a new file is.
    """
    changed = []
    for path, before in sorted(expected.items()):
        now = fingerprint(path)
        if now is None and before is None:
            continue
        if now is None:
            changed.append(f"{path}: deleted on disk since it was loaded")
        elif before is None:
            changed.append(f"{path}: created on disk since the editor started")
        elif (now.size, now.sha256) != (before.size, before.sha256):
            changed.append(f"{path}: changed on disk since it was loaded (by another editor or by git)")
    if changed:
        raise ConflictError("save refused, nothing was written; reload and redo the edit:\n" + "\n".join(changed))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _write_temp(target: Path, data: bytes) -> Path:
    mode = 0o644
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        pass
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        temp.unlink(missing_ok=True)  # e.g. the disk filled up part-way: leave no partial temporary file
        raise
    finally:
        os.close(fd)
    return temp


def write_files(
    contents: Mapping[Path, str],
    removals: Iterable[Path] = (),
    *,
    expected: Mapping[Path, Fingerprint | None] | None = None,
) -> tuple[Path, ...]:
    """Write ``contents`` (path → text) and remove ``removals``, each atomically; return what changed.

    ``expected`` holds the fingerprints at load of the files touched; a difference raises
    :class:`ConflictError` before anything is replaced. Any failure before the first replace removes the
    temporary files and raises :class:`SaveError` with the register untouched.
    """
    removals = tuple(removals)
    if expected is not None:
        check_unchanged(expected)
    temps: dict[Path, Path] = {}
    try:
        for target, text in sorted(contents.items()):
            if not target.parent.is_dir():
                target.parent.mkdir(parents=True, exist_ok=True)
            temps[target] = _write_temp(target, text.encode("utf-8"))
        if expected is not None:
            check_unchanged(expected)  # again, just before replacing
    except BaseException as exc:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        if isinstance(exc, (SaveError, KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(exc, OSError):
            raise SaveError(f"save failed before any file was replaced: {exc}") from None
        raise
    folders = set()
    for target, temp in sorted(temps.items()):
        os.replace(temp, target)
        folders.add(target.parent)
    for target in removals:
        target.unlink(missing_ok=True)
        folders.add(target.parent)
    for folder in sorted(folders):
        _fsync_dir(folder)
    return tuple(sorted(set(temps) | set(removals)))


def commit_save(
    root: Path,
    contents: Mapping[Path, str],
    removals: Sequence[Path],
    expected: Mapping[Path, Fingerprint | None],
    *,
    who: str,
    changes: Sequence[Mapping[str, Any]],
) -> tuple[Path, ...]:
    """The I/O of a save of the register in ``root``: log ``save-started``, write, log ``save-completed``.

    The caller has validated the register; this checks fingerprints (:class:`ConflictError`), writes
    every file atomically (:func:`write_files`) and logs the files and changes in the audit log.
    """
    check_unchanged(expected)
    save_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}"
    rels = sorted(str(p.relative_to(root)) for p in [*contents, *removals])
    append_audit(root, {"event": "save-started", "save_id": save_id, "who": who, "files": rels})
    old = _keep_old_versions([*contents, *removals])  # a save whose audit entry fails is undone
    try:
        written = write_files(contents, removals, expected=expected)
        append_audit(root, {
            "event": "save-completed", "save_id": save_id, "who": who,
            "files_written": [str(p.relative_to(root)) for p in written],
            "changes": list(changes),
        })
    except AuditError:
        _put_back(old)
        raise
    finally:
        for kept in old.values():
            if kept is not None:
                kept.unlink(missing_ok=True)
    return written


def _keep_old_versions(targets: Iterable[Path]) -> dict[Path, Path | None]:
    """A hard link to each existing target's current version (None for a target that does not exist yet).

    A link takes no room for data, so a save can be undone on a full disk. The links are named like
    temporary files, which the loader never reads and :func:`sweep_temp_files` removes if left behind.
    """
    kept: dict[Path, Path | None] = {}
    try:
        for target in targets:
            link = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
            try:
                os.link(target, link)
            except FileNotFoundError:
                kept[target] = None
                continue
            kept[target] = link
            os.utime(link)  # young, so that a sweep by another process leaves it alone during this save
    except OSError as exc:
        for made in kept.values():
            if made is not None:
                made.unlink(missing_ok=True)
        raise SaveError(f"save failed before any file was replaced: cannot keep the old version: {exc}") from None
    return kept


def _put_back(kept: Mapping[Path, Path | None]) -> None:
    """Undo a save: every target back to its kept version, or removed when it did not exist before."""
    for target, link in sorted(kept.items()):
        if link is not None:
            os.replace(link, target)
        else:
            target.unlink(missing_ok=True)
    for folder in sorted({target.parent for target in kept}):
        _fsync_dir(folder)


def sweep_temp_files(root: Path, older_than: float = 3600.0) -> list[Path]:
    """Remove temporary files left by saves that were killed, if older than ``older_than`` seconds.

    Young ones are kept: they may belong to a save running in another process right now.
    """
    removed = []
    cutoff = time.time() - older_than
    for path in sorted(Path(root).rglob(".*.tmp")):
        try:
            if _TEMP_NAME.match(path.name) and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
