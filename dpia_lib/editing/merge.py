"""Three-way merge of one register file at the field level: re-apply the officer's edits on a version
that changed on disk, and name the fields where both sides changed the same thing.

Lists of records with an ``id`` (flows, purposes, parties, systems, roles) are matched by id, not by
position, so a flow added on disk and another added in the editor are both kept.

>>> base = {"owner": "a", "flows": [{"id": "f1", "channel": "email"}]}
>>> mine = {"owner": "b", "flows": [{"id": "f1", "channel": "email"}, {"id": "f2", "channel": "sftp"}]}
>>> theirs = {"owner": "a", "flows": [{"id": "f1", "channel": "sftp"}]}
>>> edits, overlaps = plan_merge(base, mine, theirs)
>>> overlaps
[]
>>> [describe_path(p) for p, _ in edits]
['owner', 'flows.f2']
>>> from dpia_lib.editing.roundtrip import dump_rt, load_rt
>>> doc = load_rt("owner: a\\nflows:\\n  - id: f1\\n    channel: sftp\\n")
>>> apply_edits(doc, edits)
>>> print(dump_rt(doc), end="")
owner: b
flows:
  - id: f1
    channel: sftp
  - {id: f2, channel: sftp}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dpia_lib.editing.roundtrip import merge_rt, to_rt

__all__ = ["MISSING", "Edit", "Overlap", "apply_edits", "describe_path", "diff", "plan_merge"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: The value of a field that is absent (removed by one side).
MISSING: Any = _Missing()

#: A path element matching a list item by its id.
IdKey = tuple[str, str]
Path_ = tuple[str | int | IdKey, ...]
Edit = tuple[Path_, Any]


@dataclass(frozen=True)
class Overlap:
    """A field both sides changed, to different values."""

    path: Path_
    mine: Any
    theirs: Any


def _by_id(items: Any) -> dict[str, Any] | None:
    if not isinstance(items, list) or not items:
        return None
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        return None
    return {str(i): item for i, item in zip(ids, items, strict=True)}


def diff(base: Any, new: Any, path: Path_ = ()) -> list[Edit]:
    """The smallest edits turning ``base`` into ``new`` (plain data); ``MISSING`` marks a removal."""
    if isinstance(base, dict) and isinstance(new, dict):
        out: list[Edit] = []
        for key in [*base, *(k for k in new if k not in base)]:
            out += diff(base.get(key, MISSING), new.get(key, MISSING), (*path, key))
        return out
    keyed_base, keyed_new = _by_id(base), _by_id(new)
    if keyed_base is not None and keyed_new is not None:
        out = []
        for key in [*keyed_base, *(k for k in keyed_new if k not in keyed_base)]:
            out += diff(keyed_base.get(key, MISSING), keyed_new.get(key, MISSING), (*path, ("id", key)))
        return out
    if base is MISSING and new is MISSING:
        return []
    if base == new and type(base) is type(new):
        return []
    return [(path, new)]


def _prefix(a: Path_, b: Path_) -> bool:
    return len(a) <= len(b) and b[:len(a)] == a


def plan_merge(base: Any, mine: Any, theirs: Any) -> tuple[list[Edit], list[Overlap]]:
    """My edits (base → mine) to apply on ``theirs``, and the overlaps with their edits (base → theirs).

    Two edits overlap when one's field contains the other's and they do not set the same value.
    """
    my_edits, their_edits = diff(base, mine), diff(base, theirs)
    edits, overlaps = [], []
    for path, value in my_edits:
        clash = [(p, v) for p, v in their_edits if _prefix(p, path) or _prefix(path, p)]
        if any(not (p == path and v == value) for p, v in clash):
            theirs_value = next((v for p, v in clash if p == path), _get(theirs, path))
            overlaps.append(Overlap(path, value, theirs_value))
        elif not clash:
            edits.append((path, value))
    return edits, overlaps


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(part, tuple):
            keyed = _by_id(data) or {}
            data = keyed.get(part[1], MISSING)
        elif isinstance(data, dict):
            data = data.get(part, MISSING)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return MISSING
    return data


def _index(seq: Sequence[Any], ident: str) -> int | None:
    for i, item in enumerate(seq):
        if isinstance(item, Mapping) and item.get("id") == ident:
            return i
    return None


def apply_edits(doc: Any, edits: Sequence[Edit]) -> None:
    """Apply edits to a round-trip document in place (missing parents are created)."""
    for path, value in edits:
        node = doc
        for depth, part in enumerate(path[:-1]):
            nxt: Any
            if isinstance(part, tuple):
                i = _index(node, part[1]) if isinstance(node, CommentedSeq) else None
                if i is None:
                    node = None
                    break
                nxt = node[i]
            elif isinstance(node, CommentedMap):
                nxt = node.get(part)
                if nxt is None:
                    nxt = node[part] = CommentedSeq() if isinstance(path[depth + 1], tuple) else CommentedMap()
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                nxt = node[part]
            else:
                node = None
                break
            node = nxt
        if node is None:
            continue  # the parent is gone on their side: a removal wins over an edit inside it
        last = path[-1]
        if isinstance(last, tuple):
            if not isinstance(node, CommentedSeq):
                continue
            i = _index(node, last[1])
            if value is MISSING:
                if i is not None:
                    del node[i]
            elif i is None:
                node.append(to_rt(value))
            else:
                node[i] = merge_rt(node[i], value)
        elif isinstance(node, CommentedMap):
            if value is MISSING:
                node.pop(last, None)
            else:
                node[last] = merge_rt(node[last], value) if last in node else to_rt(value)
        elif isinstance(node, CommentedSeq) and isinstance(last, int) and 0 <= last < len(node):
            if value is MISSING:
                del node[last]
            else:
                node[last] = merge_rt(node[last], value)


def describe_path(path: Path_) -> str:
    """A path as the editor names fields: ``flows.f2.channel``."""
    return ".".join(p[1] if isinstance(p, tuple) else str(p) for p in path)

