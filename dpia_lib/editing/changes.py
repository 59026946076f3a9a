"""Field paths, ids and changes: how the editor names what it edits and what the audit log records.

>>> parse_field_path("purposes[0].basis")
('purposes', 0, 'basis')
>>> Change("activity:newsletter", "owner", "marketing-staff", "office-staff").as_dict()["new"]
'office-staff'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dpia_lib.errors import ParameterError
from dpia_lib.records import ID_PATTERN
from dpia_lib.yamlio import MAX_DEPTH

__all__ = ["Change", "FieldPath", "SaveResult", "check_id", "leaf_changes", "parse_field_path"]

_ID = re.compile(ID_PATTERN)

FieldPath = tuple[str | int, ...]


def parse_field_path(path: str | Sequence[str | int]) -> FieldPath:
    """``'purposes[0].basis'`` → ``('purposes', 0, 'basis')``; a tuple is returned as it is.

    >>> parse_field_path("retention.name-contact.period")
    ('retention', 'name-contact', 'period')
    >>> parse_field_path("flows[2].categories[0]")
    ('flows', 2, 'categories', 0)
    """
    if not isinstance(path, str):
        given = tuple(path)
        if len(given) > MAX_DEPTH or not all(isinstance(p, (str, int)) for p in given):
            raise ParameterError(f"not a field path: {str(given)[:80]}")
        return given
    if len(path) > 1000 or path.count(".") + path.count("[") >= MAX_DEPTH:
        raise ParameterError(f"field path too long: {path[:80]!r}...")
    if not re.fullmatch(r"[A-Za-z0-9_-]+(\[\d+\])*(\.[A-Za-z0-9_-]+(\[\d+\])*)*", path):
        raise ParameterError(f"not a field path: {path[:80]!r}")
    parts: list[str | int] = []
    for piece in path.split("."):
        name, *indexes = piece.split("[")
        parts.append(name)
        parts += [int(i.rstrip("]")) for i in indexes]
    return tuple(parts)


def leaf_changes(old: Any, new: Any, path: FieldPath) -> list[tuple[FieldPath, Any, Any]]:
    """The smallest fields that differ between two plain values, for the audit log.

    >>> leaf_changes({"a": {"period": "1 year", "from": "x"}}, {"a": {"period": "2 years", "from": "x"}}, ("r",))
    [(('r', 'a', 'period'), '1 year', '2 years')]
    """
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in [*old, *(k for k in new if k not in old)]:
            out += leaf_changes(old.get(key), new.get(key), (*path, key))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [c for i, (a, b) in enumerate(zip(old, new)) for c in leaf_changes(a, b, (*path, i))]
    return [] if old == new and type(old) is type(new) else [(path, old, new)]


def check_id(ident: Any, what: str) -> str:
    if not isinstance(ident, str) or not _ID.fullmatch(ident) or len(ident) > 80:
        raise ParameterError(f"{what} id {str(ident)[:80]!r} is not a slug (lower-case letters, digits, hyphens)")
    return ident


@dataclass(frozen=True)
class Change:
    """One field changed in one record: what the audit log records."""

    record: str
    field: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: record, field, old, new."""
        return {"record": self.record, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class SaveResult:
    """What a save wrote: the files (replaced or removed), the changes, and what it took in from disk
    (changes saved meanwhile by others, e.g. ``'activities/newsletter: owner'``)."""

    files: tuple[Path, ...]
    changes: tuple[Change, ...]
    merged: tuple[str, ...] = ()
