"""The register-wide results a DPIA report needs, computed once per register content and kept in a
bounded cache object.

Every DPIA report needs the whole register loaded and checked: the activity's findings come from the
rule engine (:func:`dpia_lib.rules.check`), which runs over the register and its flow graph as a whole.
A :class:`RegisterSnapshot` holds those results for one register folder and reference date: the loaded
register with its broken activities set aside, its :class:`~dpia_lib.analysis.Analysis` (frozen flow
graph) and, computed on first use, every finding. Nothing in it can be changed.

A :class:`ReportCache` keeps the last few snapshots (two by default), keyed on the register's content:
the bytes of every file under the register folder and under its catalogue folder
(:func:`dpia_lib.resources.data_dir_for`), with their names and the folders' paths, and the reference
date. :func:`content_key` reads and hashes every file on every lookup, so an edited, added or removed
file is never served from the cache; a snapshot is kept only when the files hashed the same before and
after it was loaded (a file changed during the load is not cached).

:func:`dpia_lib.report.prepare` uses the cache installed with :func:`install_cache`; without one (in a
notebook session, under papermill's own engine) it loads a fresh snapshot each time. The batch's warm
kernels (:mod:`dpia_lib.batch.warm`) install one when they start, so the reports run in one kernel share
the register's load and checks while its files stay the same.

>>> import datetime as dt
>>> from dpia_lib.loading import DEFAULT_DATA_DIR
>>> cache = ReportCache()
>>> ropa = DEFAULT_DATA_DIR.parent / "ropa"
>>> first = cache.snapshot(ropa, dt.date(2026, 11, 1))
>>> cache.snapshot(ropa, dt.date(2026, 11, 1)) is first, len(first.register.activities)
(True, 13)
>>> cache.snapshot(ropa, dt.date(2026, 12, 1)) is first  # another reference date: other findings
False
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from dpia_lib.analysis import Analysis, analyse
from dpia_lib.diagnostics import Problem
from dpia_lib.findings import Finding
from dpia_lib.loading import load_register_partial
from dpia_lib.register import Register
from dpia_lib.resources import data_dir_for

__all__ = ["RegisterSnapshot", "ReportCache", "content_key", "install_cache", "installed_cache"]

#: Snapshots a :class:`ReportCache` keeps unless told otherwise.
DEFAULT_SIZE = 2


@dataclass(frozen=True, eq=False)
class RegisterSnapshot:
    """What every DPIA report of one register (as of one date) shares: the register as loaded, its broken
    activities, its analysis and every finding of the rule engine (computed on first use)."""

    register: Register
    #: Activities set aside because their own files have problems, with those problems.
    broken: Mapping[str, tuple[Problem, ...]]
    analysis: Analysis
    as_of: dt.date

    @classmethod
    def load(cls, register_dir: Path | str, as_of: dt.date) -> RegisterSnapshot:
        """Load the register in ``register_dir`` (:func:`~dpia_lib.loading.load_register_partial`, raising
        :class:`~dpia_lib.errors.RegisterError` as it does) and analyse it."""
        partial = load_register_partial(register_dir)
        return cls(partial.register, MappingProxyType(dict(partial.broken)), analyse(partial.register), as_of)

    @cached_property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of the rule engine on this register as of :attr:`as_of`."""
        from dpia_lib.rules import check

        return tuple(check(self.analysis, self.as_of))


def _hash_folder(digest: hashlib.blake2b, folder: Path) -> None:
    """Feed the names and bytes of every file under ``folder`` (links followed, each folder once) to
    ``digest``; raises ``OSError`` when a file cannot be read."""
    seen: set[str] = set()
    top = os.path.realpath(folder)
    digest.update(b"folder\0" + os.fsencode(top) + b"\0")
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a link back up the tree: hashed once already
            dirnames.clear()
            continue
        seen.add(real)
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.islink(path):  # where a link points decides whether the loader accepts it
                digest.update(b"link\0" + os.fsencode(os.path.realpath(path)) + b"\0")
            with open(path, "rb") as handle:
                data = handle.read()
            digest.update(b"file\0" + os.fsencode(os.path.relpath(path, folder)) + b"\0"
                          + len(data).to_bytes(8, "big") + data)
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                digest.update(b"link\0" + os.fsencode(os.path.relpath(path, folder)) + b"\0"
                              + os.fsencode(os.path.realpath(path)) + b"\0")


def content_key(register_dir: Path | str, as_of: dt.date) -> tuple[str, str, dt.date] | None:
    """The cache key of the register in ``register_dir`` as of ``as_of``: the path as given, and a digest of
    the register's and its catalogues' folders (their real paths, every file's name and bytes); ``None``
    when a file cannot be read (then nothing is cached: the load reports the problem).

    >>> import datetime as dt
    >>> from dpia_lib.loading import DEFAULT_DATA_DIR
    >>> key = content_key(DEFAULT_DATA_DIR.parent / "ropa", dt.date(2026, 11, 1))
    >>> key == content_key(DEFAULT_DATA_DIR.parent / "ropa", dt.date(2026, 11, 1)), len(key[1])
    (True, 64)
    """
    digest = hashlib.blake2b(digest_size=32)
    try:
        _hash_folder(digest, Path(register_dir))
        _hash_folder(digest, data_dir_for(register_dir))
    except OSError:
        return None
    return str(register_dir), digest.hexdigest(), as_of


class ReportCache:
    """The :class:`RegisterSnapshot` of the last ``size`` registers (and dates) asked for, by content.

    Safe to share between threads; two threads asking for the same new register may both load it.
    """

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError(f"a report cache keeps at least one snapshot, not {size}")
        self.size = size
        self._kept: OrderedDict[tuple[str, str, dt.date], RegisterSnapshot] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)

    def snapshot(self, register_dir: Path | str, as_of: dt.date) -> RegisterSnapshot:
        """The snapshot of the register in ``register_dir`` as of ``as_of``: the kept one while every file
        is unchanged, otherwise a fresh one (kept if no file changed while it loaded)."""
        key = content_key(register_dir, as_of)
        if key is not None:
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None:
                    self._kept.move_to_end(key)
                    return kept
        fresh = RegisterSnapshot.load(register_dir, as_of)
        if key is not None and content_key(register_dir, as_of) == key:
            with self._lock:
                self._kept[key] = fresh
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return fresh

    def clear(self) -> None:
        """Forget every snapshot."""
        with self._lock:
            self._kept.clear()


_installed: ReportCache | None = None


def install_cache(cache: ReportCache | None) -> ReportCache | None:
    """Make :func:`dpia_lib.report.prepare` use ``cache`` (``None``: no cache, the default); returns the
    cache installed before. The batch's warm kernels install one as they start."""
    global _installed
    previous, _installed = _installed, cache
    return previous


def installed_cache() -> ReportCache | None:
    """The cache :func:`dpia_lib.report.prepare` uses, if one is installed."""
    return _installed
