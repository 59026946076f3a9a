"""Incremental re-check: after an edit, re-validate and re-screen only what the edit touches.

:class:`IncrementalChecker` keeps every file of a register parsed and validated, keyed by path, and
trusts a file while its modification time and size are unchanged; when they change, the file is read and
hashed, and parsed and validated again only when its content changed. A :meth:`~IncrementalChecker.refresh`
then rebuilds the register from the kept records (cheap), runs the cross-record checks (references,
completeness) and the personal-data scan of changed files, updates the flow graph for the changed
activities only, and re-screens only the affected activities:

- an edited activity, and every activity one of its old or new flows starts or ends at (their incoming
  flows changed);
- for an edited ``parties.yaml``: the activities connected to a changed party in the flow graph;
- for an edited ``systems.yaml``: the activities using a changed system;
- for an edited organisation, catalogue or a file added or removed: everything (a full rebuild).

The result always equals a full :func:`~dpia_lib.validation.validate_register` plus
:func:`~dpia_lib.screening.screen` (``tests/test_incremental.py`` checks this after each kind of edit).
The rule engine (``check``) is not incremental: run it on :attr:`IncrementalResult.register`.

>>> from dpia_lib.loading import DEFAULT_DATA_DIR
>>> checker = IncrementalChecker(DEFAULT_DATA_DIR.parent / "ropa")
>>> first = checker.refresh()
>>> (first.valid, first.full, len(first.screenings) == len(first.register.activities))
(True, True, True)
>>> again = checker.refresh()
>>> (again.full, again.changed, again.rescreened)
(False, (), ())
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from dpia_lib.diagnostics import Problem
from dpia_lib.flows import flow_graph
from dpia_lib.loading import DEFAULT_DATA_DIR, read_register
from dpia_lib.references import check_completeness
from dpia_lib.register import Register
from dpia_lib.scan import scan_text
from dpia_lib.screening import Screening, screen, screen_activity

__all__ = ["FileCache", "IncrementalChecker", "IncrementalResult"]

_Parsed = tuple[str | None, Any, list[Problem]]


@dataclass
class _Entry:
    """What is kept of one file: its stat key, content hash, parse result, validations and scan."""

    stat: tuple[int, int]
    digest: bytes
    parsed: _Parsed
    validated: dict[tuple[Any, ...], tuple[Any, list[Problem]]] = field(default_factory=dict)
    scanned: list[Problem] | None = None


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class FileCache:
    """Parsed and validated files by path; a :class:`~dpia_lib.loading.ParseCache` for ``read_register``.

    A file is re-read when its (mtime, size) changed, and re-parsed only when its BLAKE2 hash changed too.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        #: Files whose content changed (or appeared) since :meth:`take_changed` was last called.
        self._changed: set[str] = set()

    def _fresh(self, path: Path, shown: str) -> _Entry | None:
        entry = self._entries.get(shown)
        stat = _stat(path)
        if entry is None or stat is None:
            return None
        if entry.stat == stat:
            return entry
        try:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
        except OSError:
            return None
        if digest != entry.digest:
            return None
        entry.stat = stat  # touched, not changed
        return entry

    def parsed(self, path: Path, shown: str, parse: Callable[[Path, str], _Parsed]) -> _Parsed:
        """The parse result of ``path``, from the cache while the file is unchanged."""
        entry = self._fresh(path, shown)
        if entry is None:
            stat = _stat(path) or (0, 0)
            result = parse(path, shown)
            text = result[0]
            digest = hashlib.blake2b(text.encode("utf-8") if text is not None else b"", digest_size=16).digest()
            entry = self._entries[shown] = _Entry(stat, digest, result)
            self._changed.add(shown)
        return entry.parsed

    def validated(self, shown: str, key: tuple[Any, ...],
                  validate: Callable[[], tuple[Any, list[Problem]]]) -> tuple[Any, list[Problem]]:
        """The validation ``key`` (model and field prefix) of the file ``shown``, computed once per content."""
        entry = self._entries[shown]
        hit = entry.validated.get(key)
        if hit is None:
            hit = entry.validated[key] = validate()
        return hit

    def scanned(self, shown: str) -> list[Problem]:
        """The personal-data scan of the file ``shown`` (read through :meth:`parsed` first)."""
        entry = self._entries[shown]
        if entry.scanned is None:
            text = entry.parsed[0]
            entry.scanned = scan_text(text, shown) if text is not None else []
        return entry.scanned

    def take_changed(self) -> set[str]:
        """The files parsed anew since the last call (and forget them)."""
        changed, self._changed = self._changed, set()
        return changed

    def forget(self, keep: set[str]) -> None:
        """Drop the entries of files not in ``keep`` (removed files)."""
        for shown in set(self._entries) - keep:
            del self._entries[shown]


@dataclass(frozen=True)
class IncrementalResult:
    """One refresh: the register, every problem (as ``validate_register``), and every screening."""

    register: Register | None
    problems: tuple[Problem, ...]
    screenings: dict[str, Screening]
    changed: tuple[str, ...]
    rescreened: tuple[str, ...]
    full: bool

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


class IncrementalChecker:
    """Validates and screens a register, then keeps it up to date cheaply as its files are edited."""

    def __init__(self, register_dir: Path | str = "ropa", data_dir: Path | str | None = None) -> None:
        self.root = Path(register_dir)
        beside = self.root.parent / "data"
        self.data_dir = Path(data_dir) if data_dir is not None else (
            beside if (beside / "categories.yaml").is_file() else DEFAULT_DATA_DIR)
        self.cache = FileCache()
        self._files: set[str] = set()
        self._register: Register | None = None
        self._graph: nx.MultiDiGraph | None = None
        self._screenings: dict[str, Screening] = {}

    def _listing(self) -> set[str]:
        """Every ``*.yaml`` file under the register directory (``os.walk``: no Path object per file)."""
        return {os.path.join(folder, name) for folder, _, names in os.walk(self.root)
                for name in names if name.endswith(".yaml")}

    def refresh(self) -> IncrementalResult:
        """Re-read what changed since the last refresh and return the up-to-date result."""
        files = self._listing()
        added_or_removed = files != self._files
        register, problems = read_register(self.root, self.data_dir, cache=self.cache)
        changed = self.cache.take_changed()
        self.cache.forget(files | {s for s in self.cache._entries if not s.startswith(str(self.root))})
        self._files = files
        if register is not None:
            problems = problems + check_completeness(register)
        for shown in sorted(files):
            if shown in self.cache._entries:
                problems += self.cache.scanned(shown)
        ordered = tuple(sorted(problems, key=lambda p: (p.path, p.line, p.column, p.code)))

        old, old_graph = self._register, self._graph
        full = old is None or old_graph is None or register is None or added_or_removed or any(
            not self._is_local(shown) for shown in changed)
        rescreened: list[str]
        if register is None:
            self._graph, self._screenings, rescreened = None, {}, []
        elif full:
            self._graph = flow_graph(register)
            self._screenings = screen(register, self._graph)
            rescreened = sorted(self._screenings)
        else:
            assert old is not None and old_graph is not None
            affected = self._update_graph(old, register, old_graph, changed)
            rescreened = sorted(a for a in affected if a in register.activities)
            screenings = dict(self._screenings)
            for aid in rescreened:
                screenings[aid] = screen_activity(register, aid, old_graph)
            self._screenings = dict(sorted(screenings.items()))
        self._register = register
        return IncrementalResult(register, ordered, dict(self._screenings), tuple(sorted(changed)),
                                 tuple(rescreened), full)

    def _is_local(self, shown: str) -> bool:
        """Whether an edit of this file can be applied locally (activities, parties, systems)."""
        path = Path(shown)
        return (path.parent == self.root / "activities"
                or path in (self.root / "parties.yaml", self.root / "systems.yaml"))

    def _update_graph(self, old: Register, new: Register, G: nx.MultiDiGraph, changed: set[str]) -> set[str]:
        """Bring ``G`` (the graph of ``old``) up to date with ``new`` in place; the affected activities."""
        affected: set[str] = set()
        touched_acts: set[str] = set()
        for shown in changed:
            path = Path(shown)
            if path.parent == self.root / "activities":
                touched_acts.add(path.stem)
            elif path == self.root / "parties.yaml":
                for pid in set(old.parties) | set(new.parties):
                    if old.parties.get(pid) != new.parties.get(pid):
                        if pid in G:
                            affected.update(n for n in nx.all_neighbors(G, pid) if n in new.activities)
                        touched_acts.update(a for a, act in new.activities.items()
                                            if any(pid in (f.source, f.target) for f in act.flows))
                        self._party_node(G, new, pid)
            elif path == self.root / "systems.yaml":
                for sid in set(old.systems) | set(new.systems):
                    if old.systems.get(sid) != new.systems.get(sid):
                        touched_acts.update(a for a, act in new.activities.items() if sid in act.systems)
        for aid in sorted(touched_acts):
            before, after = old.activities.get(aid), new.activities.get(aid)
            for act in (before, after):
                if act is not None:
                    affected.add(act.id)
                    affected.update(n for f in act.flows for n in (f.source, f.target))
            if before is not None:
                drop = [(u, v, k) for u, v, k, d in G.edges(aid, keys=True, data=True) if d.get("activity") == aid]
                drop += [(u, v, k) for u, v, k, d in G.in_edges(aid, keys=True, data=True) if d.get("activity") == aid]
                G.remove_edges_from(set(drop))
            if after is not None:
                self._add_activity(G, new, aid)
        return affected

    @staticmethod
    def _party_node(G: nx.MultiDiGraph, register: Register, pid: str) -> None:
        party = register.parties.get(pid)
        if party is None:
            if pid in G and not any(True for _ in nx.all_neighbors(G, pid)):
                G.remove_node(pid)
            return
        G.add_node(pid, kind="party", party_kind=party.kind, role=party.role.value,
                   country=party.country, label=party.name)

    @staticmethod
    def _add_activity(G: nx.MultiDiGraph, register: Register, aid: str) -> None:
        """Add one activity's node and edges exactly as :func:`~dpia_lib.flows.flow_graph` does."""
        sub = flow_graph(register.model_copy(update={
            "activities": {aid: register.activities[aid]},
            "parties": register.parties,
        }))
        G.add_node(aid, **sub.nodes[aid])
        for u, v, k, data in sub.edges(keys=True, data=True):
            for node in (u, v):
                if node not in G:
                    G.add_node(node, **sub.nodes[node])
            G.add_edge(u, v, key=k, **data)
