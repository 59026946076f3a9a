"""Incremental re-check: after an edit, re-validate and re-screen only what the edit touches.

:class:`IncrementalChecker` keeps every file of a register parsed and validated, keyed by path, and
trusts a file while its modification time and size are unchanged; when they change, the file is read and
hashed, and parsed and validated again only when its content changed. A :meth:`~IncrementalChecker.refresh`
runs the same check as ``dpia validate`` (:func:`~dpia_lib.validation.validate_register`, with this cache:
the register is rebuilt from the kept records, the cross-record checks run, and only changed files are
scanned for personal data), brings its working copy of the flow graph up to date for the changed activities
only (:func:`~dpia_lib.flows.update_flow_graph`), and re-screens only the affected activities:

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

from dpia_lib.analysis import analyse
from dpia_lib.diagnostics import Problem
from dpia_lib.flows import flow_graph, update_flow_graph
from dpia_lib.layout import RegisterLayout
from dpia_lib.register import Register
from dpia_lib.resources import data_dir_for
from dpia_lib.scan import Allowance, scan_text
from dpia_lib.screening import Screening, screen, screen_activity
from dpia_lib.validation import validate_register, yaml_files
from dpia_lib.yamlio import read_text

__all__ = ["FileCache", "IncrementalChecker", "IncrementalResult"]

_Parsed = tuple[str | None, Any, list[Problem]]


@dataclass
class _Entry:
    """What is kept of one file: its stat key, content hash, text, parse result, validations and scan."""

    stat: tuple[int, int]
    digest: bytes
    text: str | None
    parsed: _Parsed | None = None
    validated: dict[tuple[Any, ...], tuple[Any, list[Problem]]] = field(default_factory=dict)
    scanned: tuple[Allowance | None, list[Problem]] | None = None


def _stat(path: Path | str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _digest(text: str | None) -> bytes:
    return hashlib.blake2b(text.encode("utf-8") if text is not None else b"", digest_size=16).digest()


class FileCache:
    """Parsed, validated and scanned files by path: a :class:`~dpia_lib.validation.CheckCache` for
    :func:`~dpia_lib.validation.validate_register`.

    A file is re-read when its (mtime, size) changed, and re-parsed only when its BLAKE2 hash changed too.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        #: Files whose content changed (or appeared) since :meth:`take_changed` was last called.
        self._changed: set[str] = set()

    def _fresh(self, path: Path | str, shown: str) -> _Entry | None:
        entry = self._entries.get(shown)
        stat = _stat(path)
        if entry is None or stat is None:
            return None
        if entry.stat == stat:
            return entry
        try:
            with open(path, "rb") as handle:
                digest = hashlib.blake2b(handle.read(), digest_size=16).digest()
        except OSError:
            return None
        if digest != entry.digest:
            return None
        entry.stat = stat  # touched, not changed
        return entry

    def parsed(self, path: Path, shown: str, parse: Callable[[Path, str], _Parsed]) -> _Parsed:
        """The parse result of ``path``, from the cache while the file is unchanged."""
        entry = self._fresh(path, shown)
        if entry is None or entry.parsed is None:
            stat = _stat(path) or (0, 0)
            result = parse(path, shown)
            entry = self._entries[shown] = _Entry(stat, _digest(result[0]), result[0], result)
            self._changed.add(shown)
        assert entry.parsed is not None
        return entry.parsed

    def validated(self, shown: str, key: tuple[Any, ...],
                  validate: Callable[[], tuple[Any, list[Problem]]]) -> tuple[Any, list[Problem]]:
        """The validation ``key`` (model and field prefix) of the file ``shown``, computed once per content."""
        entry = self._entries[shown]
        hit = entry.validated.get(key)
        if hit is None:
            hit = entry.validated[key] = validate()
        return hit

    def scanned(self, shown: str, path: Path | None = None, allowance: Allowance | None = None) -> list[Problem]:
        """The personal-data scan of the file ``shown`` (at ``path``, by default ``shown``) with what
        ``allowance`` lets pass, computed once per content and allowance; [] for a file that cannot be read
        as UTF-8 (the loader reports those)."""
        entry = self._fresh(path if path is not None else shown, shown)
        if entry is None:
            stat = _stat(path if path is not None else shown) or (0, 0)
            text, _ = read_text(Path(path if path is not None else shown), shown)
            entry = self._entries[shown] = _Entry(stat, _digest(text), text)
        if entry.scanned is None or entry.scanned[0] != allowance:
            entry.scanned = (allowance, scan_text(entry.text, shown, allowance) if entry.text is not None else [])
        return entry.scanned[1]

    def paths(self) -> set[str]:
        """The files the cache holds."""
        return set(self._entries)

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
        self.layout = RegisterLayout(self.root)
        self.data_dir = data_dir_for(self.root, data_dir)
        self.cache = FileCache()
        self._prefix = os.path.join(str(self.root), "")
        self._files: set[str] = set()
        self._register: Register | None = None
        #: The checker's own, mutable copy of the flow graph of ``_register``, updated in place per edit;
        #: screening sees it through a frozen view only.
        self._graph: nx.MultiDiGraph | None = None
        self._screenings: dict[str, Screening] = {}

    def refresh(self) -> IncrementalResult:
        """Re-read what changed since the last refresh and return the up-to-date result."""
        files = yaml_files(self.root) if self.root.is_dir() else set()
        added_or_removed = files != self._files
        result = validate_register(self.root, self.data_dir, cache=self.cache)
        register = result.register
        changed = self.cache.take_changed()
        # keep the catalogues' entries and the files still there
        self.cache.forget(files | {s for s in self.cache.paths() if not s.startswith(self._prefix)})
        self._files = files

        old, G = self._register, self._graph
        full = old is None or G is None or register is None or added_or_removed or any(
            self.layout.kind_of(shown) not in ("activity", "parties", "systems") for shown in changed)
        rescreened: list[str]
        if register is None:
            self._graph, self._screenings, rescreened = None, {}, []
        elif full:
            frozen = flow_graph(register)
            self._graph = frozen.copy()
            self._screenings = screen(analyse(register, frozen))
            rescreened = sorted(self._screenings)
        else:
            assert old is not None and G is not None
            activities, parties, affected = self._changes(old, G, register, changed)
            update_flow_graph(G, old, register, activities=activities, parties=parties)
            analysis = analyse(register, nx.freeze(nx.graphviews.generic_graph_view(G)))
            rescreened = sorted(a for a in affected if a in register.activities)
            screenings = dict(self._screenings)
            for aid in rescreened:
                screenings[aid] = screen_activity(analysis, aid)
            self._screenings = dict(sorted(screenings.items()))
        self._register = register
        return IncrementalResult(register, result.problems, dict(self._screenings), tuple(sorted(changed)),
                                 tuple(rescreened), full)

    def _changes(self, before: Register, G: nx.MultiDiGraph, new: Register,
                 changed: set[str]) -> tuple[set[str], set[str], set[str]]:
        """The activities and parties whose graph nodes and edges change, and the activities to re-screen."""
        affected: set[str] = set()
        activities: set[str] = set()
        parties: set[str] = set()
        for shown in changed:
            kind = self.layout.kind_of(shown)
            if kind == "activity":
                activities.add(Path(shown).stem)
            elif kind == "parties":
                for pid in set(before.parties) | set(new.parties):
                    if before.parties.get(pid) != new.parties.get(pid):
                        parties.add(pid)
                        if pid in G:
                            affected.update(n for n in nx.all_neighbors(G, pid) if n in new.activities)
                        activities.update(a for a, act in new.activities.items()
                                          if any(pid in (f.source, f.target) for f in act.flows))
            elif kind == "systems":
                for sid in set(before.systems) | set(new.systems):
                    if before.systems.get(sid) != new.systems.get(sid):
                        activities.update(a for a, act in new.activities.items() if sid in act.systems)
        for aid in activities:
            for act in (before.activities.get(aid), new.activities.get(aid)):
                if act is not None:
                    affected.add(act.id)
                    affected.update(n for f in act.flows for n in (f.source, f.target))
        return activities, parties, affected
