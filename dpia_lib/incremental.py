"""Incremental re-check: after an edit, re-validate, re-screen and re-run the rules only for what the
edit touches.

:class:`IncrementalChecker` keeps every file of a register parsed and validated, keyed by path. It reads
the files on disk, trusting a file while its modification time and size are unchanged (when they change,
the file is read and hashed, and parsed and validated again only when its content changed), or the texts
an editor holds in memory (``refresh(texts=...)``, see :class:`~dpia_lib.editing.EditSession`: a text is
parsed again only when it differs from the one kept). A :meth:`~IncrementalChecker.refresh` runs the same
check as ``dpia validate`` (:func:`~dpia_lib.validation.validate_register`, with this cache: the register
is rebuilt from the kept records, the cross-record checks run again only for records that changed or
when the ids they may name changed (:class:`~dpia_lib.references.CrossChecks`), and only changed files are
scanned for personal data), brings its working copy of the flow graph up to date for the changed activities only
(:func:`~dpia_lib.flows.update_flow_graph`), and re-screens only the affected activities:

- an edited activity, and every activity one of its old or new flows starts or ends at (their incoming
  flows changed);
- for an edited ``parties.yaml``: the activities connected to a changed party in the flow graph, and
  those using a system it supplies;
- for an edited ``systems.yaml``: the activities using a changed system;
- for an edited DPIA record: none (screening does not read them);
- for an edited organisation, catalogue or a file added or removed: everything (a full rebuild).

:meth:`~IncrementalChecker.findings` gives the rule engine's findings: after an edit the per-activity
rules run again for the affected activities above (and those with a changed DPIA record, or with a
finding located in a changed file) and the other findings are kept
(:func:`~dpia_lib.rules.recheck`); the paths into employers are followed again when the parties or the
flows carrying the categories concerned changed. Composed files for line lookups are kept while their
text is unchanged (:class:`~dpia_lib.sources.Sources`).

The result always equals a full :func:`~dpia_lib.validation.validate_register` plus
:func:`~dpia_lib.screening.screen` plus :func:`~dpia_lib.rules.check` (``tests/test_incremental.py`` and
``tests/test_incremental_findings.py`` check this after each kind of edit and after random sequences).

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

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from dpia_lib.analysis import Analysis
from dpia_lib.diagnostics import Problem
from dpia_lib.findings import Finding
from dpia_lib.flows import flow_graph, update_flow_graph
from dpia_lib.layout import RegisterLayout
from dpia_lib.references import CrossChecks
from dpia_lib.register import Register
from dpia_lib.resources import data_dir_for
from dpia_lib.rules import RuleRun, recheck, run_rules
from dpia_lib.rules.graph import employer_codes
from dpia_lib.scan import Allowance, scan_text
from dpia_lib.screening import Screening, screen, screen_activity
from dpia_lib.sources import Sources
from dpia_lib.validation import validate_register, yaml_files
from dpia_lib.yamlio import read_text

__all__ = ["FileCache", "IncrementalChecker", "IncrementalResult"]

_Parsed = tuple[str | None, Any, list[Problem]]


@dataclass
class _Entry:
    """What is kept of one file: its stat key, content hash, text, parse result, validations and scan."""

    stat: tuple[int, int] | None  # None for a text given in memory
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

    def _fresh(self, path: Path | str, shown: str, text: str | None = None) -> _Entry | None:
        entry = self._entries.get(shown)
        if text is not None:  # given in memory: fresh while the text is the same
            return entry if entry is not None and (entry.text is text or entry.text == text) else None
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

    def parsed(self, path: Path, shown: str, parse: Callable[[Path, str], _Parsed], text: str | None = None) -> _Parsed:
        """The parse result of ``path`` (or of ``text``, given in memory), from the cache while the file is
        unchanged."""
        entry = self._fresh(path, shown, text)
        if entry is None or entry.parsed is None:
            stat = (_stat(path) or (0, 0)) if text is None else None
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

    def scanned(self, shown: str, path: Path | None = None, allowance: Allowance | None = None,
                text: str | None = None) -> list[Problem]:
        """The personal-data scan of the file ``shown`` (at ``path``, by default ``shown``, or ``text`` when
        given in memory) with what ``allowance`` lets pass, computed once per content and allowance; [] for
        a file that cannot be read as UTF-8 (the loader reports those)."""
        entry = self._fresh(path if path is not None else shown, shown, text)
        if entry is None:
            if text is None:
                stat: tuple[int, int] | None = _stat(path if path is not None else shown) or (0, 0)
                text, _ = read_text(Path(path if path is not None else shown), shown)
            else:
                stat = None
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


@dataclass
class _Pending:
    """What changed since the findings were last brought up to date (over one or more refreshes)."""

    full: bool = True
    #: Activities whose findings of the per-activity rules may have changed.
    scope: set[str] = field(default_factory=set)
    #: Files whose content changed.
    files: set[str] = field(default_factory=set)
    #: Whether the parties, or the edges carrying categories that may not reach an employer, changed.
    graph: bool = False


def _employer_edges(G: nx.MultiDiGraph, activities: set[str], codes: Mapping[str, str]) -> set[tuple[Any, ...]]:
    """The edges of ``activities`` that carry categories which may not reach an employer, with those."""
    wanted = frozenset(codes)
    out: set[tuple[Any, ...]] = set()
    for aid in activities:
        if aid not in G:
            continue
        for u, v, k, data in [*G.out_edges(aid, keys=True, data=True), *G.in_edges(aid, keys=True, data=True)]:
            carried = data["categories"] & wanted
            if data.get("activity") == aid and carried:
                out.add((u, v, k, carried))
    return out


class IncrementalChecker:
    """Validates, screens and checks a register, then keeps it up to date cheaply as its files are edited
    (on disk, or as texts in memory: see :meth:`refresh`)."""

    def __init__(self, register_dir: Path | str = "ropa", data_dir: Path | str | None = None) -> None:
        self.root = Path(register_dir)
        self.layout = RegisterLayout(self.root)
        self.data_dir = data_dir_for(self.root, data_dir)
        self.cache = FileCache()
        #: The cross-record checks' results per record, for records of unchanged files.
        self.cross = CrossChecks()
        self._prefix = os.path.join(str(self.root), "")
        self._files: set[str] = set()
        self._register: Register | None = None
        #: The checker's own, mutable copy of the flow graph of ``_register``, updated in place per edit;
        #: screening and the rules see it through a frozen view only.
        self._graph: nx.MultiDiGraph | None = None
        self._screenings: dict[str, Screening] = {}
        #: The register with a frozen view of the graph and its line lookups (kept per file content).
        self._analysis: Analysis | None = None
        self._run: RuleRun | None = None
        self._pending = _Pending()

    def refresh(self, texts: Mapping[str, str] | None = None) -> IncrementalResult:
        """Re-read what changed since the last refresh and return the up-to-date result.

        ``texts``: every file of the register, by path relative to the register folder (an editor's
        unsaved state, e.g. ``{'organisation.yaml': ..., 'activities/x.yaml': ...}``), checked instead of
        the files on disk; the problems still name the files in the register folder.
        """
        if texts is None:
            files = yaml_files(self.root) if self.root.is_dir() else set()
        else:
            files = {os.path.join(self._prefix, rel) for rel in texts if rel.endswith(".yaml")}
        added_or_removed = files != self._files
        result = validate_register(self.root, self.data_dir, cache=self.cache, texts=texts, cross=self.cross)
        register = result.register
        changed = self.cache.take_changed()
        # keep the catalogues' entries and the files still there
        self.cache.forget(files | {s for s in self.cache.paths() if not s.startswith(self._prefix)})
        self._files = files

        old, G = self._register, self._graph
        full = old is None or G is None or register is None or added_or_removed or any(
            self.layout.kind_of(shown) not in ("activity", "parties", "systems", "dpia") for shown in changed)
        pending = self._pending
        pending.files |= changed
        rescreened: list[str]
        if register is None:
            self._graph, self._screenings, self._analysis, rescreened = None, {}, None, []
            pending.full = True
        elif full:
            frozen = flow_graph(register)
            self._graph = frozen.copy()
            self._analysis = Analysis(register, frozen, self._sources(register))
            self._screenings = screen(self._analysis)
            rescreened = sorted(self._screenings)
            pending.full = True
        else:
            assert old is not None and G is not None
            activities, parties, affected = self._changes(old, G, register, changed)
            codes = employer_codes(register.catalogue)  # the catalogue is unchanged: else a full refresh
            before = _employer_edges(G, activities, codes)
            update_flow_graph(G, old, register, activities=activities, parties=parties)
            pending.graph = pending.graph or bool(parties) or before != _employer_edges(G, activities, codes)
            self._analysis = Analysis(register, nx.freeze(nx.graphviews.generic_graph_view(G)),
                                      self._sources(register))
            rescreened = sorted(a for a in affected if a in register.activities)
            screenings = {a: v for a, v in self._screenings.items() if a in register.activities}
            for aid in rescreened:
                screenings[aid] = screen_activity(self._analysis, aid)
            self._screenings = dict(sorted(screenings.items()))
            pending.scope |= {a for a in affected if a in register.activities or a in old.activities}
        self._register = register
        return IncrementalResult(register, result.problems, dict(self._screenings), tuple(sorted(changed)),
                                 tuple(rescreened), full)

    def findings(self, as_of: dt.date) -> list[Finding]:
        """The rule engine's findings as of ``as_of`` on the register of the last :meth:`refresh`: the same
        list as :func:`dpia_lib.rules.check` on it (same order, files and lines).

        After an edit only the findings about the activities the edit can affect are found again
        (:func:`dpia_lib.rules.recheck`): the edited activities, the activities and parties at either end
        of their old and new flows, the activities connected to an edited party or using an edited
        system, those re-screened and those whose DPIA record changed; findings located in a changed file
        are found again too (their lines may have moved). The paths into employers are followed again
        when the parties or the flows carrying the categories concerned changed. An edit of the
        organisation or a catalogue, or a file added or removed, runs every rule.

        >>> import datetime as dt
        >>> from dpia_lib.loading import DEFAULT_DATA_DIR
        >>> from dpia_lib.rules import check
        >>> checker = IncrementalChecker(DEFAULT_DATA_DIR.parent / "ropa")
        >>> result = checker.refresh()
        >>> checker.findings(dt.date(2026, 11, 25)) == check(result.register, dt.date(2026, 11, 25))
        True
        """
        analysis, pending = self._analysis, self._pending
        if analysis is None:
            return []
        if self._run is None or pending.full or self._run.as_of != as_of:
            self._run = run_rules(analysis, as_of, screenings=self._screenings)
        elif pending.scope or pending.files or pending.graph:
            self._run = recheck(self._run, analysis, scope=pending.scope, changed_files=pending.files,
                                graph_changed=pending.graph, screenings=self._screenings)
        self._pending = _Pending(full=False)
        return self._run.findings

    def _sources(self, register: Register) -> Sources:
        """Line lookups of ``register``, keeping the composed files of the last register whose text is the same."""
        return Sources(register, reuse=self._analysis.sources if self._analysis is not None else None)

    def _changes(self, before: Register, G: nx.MultiDiGraph, new: Register,
                 changed: set[str]) -> tuple[set[str], set[str], set[str]]:
        """The activities and parties whose graph nodes and edges change, and the activities affected:
        to re-screen, and whose findings may change."""
        affected: set[str] = set()
        activities: set[str] = set()
        parties: set[str] = set()
        for shown in changed:
            kind = self.layout.kind_of(shown)
            if kind == "activity":
                activities.add(Path(shown).stem)
            elif kind == "dpia":  # screening does not read DPIA records; the rules about its activity do
                affected.add(Path(shown).stem)
            elif kind == "parties":
                for pid in set(before.parties) | set(new.parties):
                    if before.parties.get(pid) != new.parties.get(pid):
                        parties.add(pid)
                        if pid in G:
                            affected.update(n for n in nx.all_neighbors(G, pid) if n in new.activities)
                        activities.update(a for a, act in new.activities.items()
                                          if any(pid in (f.source, f.target) for f in act.flows))
                        # a system it supplies gives its users a hosting edge to it (or takes it away)
                        supplied = {sid for reg in (before, new) for sid, system in reg.systems.items()
                                    if system.supplier == pid}
                        activities.update(a for a, act in new.activities.items() if supplied & set(act.systems))
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
