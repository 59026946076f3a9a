"""Line lookups in the files a register was read from.

A :class:`~dpia_lib.register.Register` holds the texts of its files as plain data; turning a record and
a field path into a line needs those texts composed by YAML (:class:`~dpia_lib.yamlio.Locator`), which is
costly, so :class:`Sources` keeps the most recently used composed files. It lives beside the register
(in an :class:`~dpia_lib.analysis.Analysis`, or for one run of a checker), never inside it.

>>> from dpia_lib import load_register
>>> register = load_register()
>>> path, line, column = Sources(register).locate("activity:newsletter", ("purposes", 0))
>>> path.endswith("newsletter.yaml"), line > 1
(True, True)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dpia_lib.yamlio import Locator

if TYPE_CHECKING:
    from dpia_lib.register import Register

__all__ = ["LOCATOR_CACHE", "Sources"]

#: Composed files kept for line lookups (a 10,000-activity register would otherwise keep ~1 GB of nodes).
LOCATOR_CACHE = 64


class Sources:
    """File, line and column of the records of one register, with a bounded cache of composed files.

    Safe to share between threads. A file whose text the register does not hold is read from disk.
    ``reuse``: the line lookups of another register (e.g. the same register before an edit), whose composed
    files are kept for every file whose text is the same in both.
    """

    def __init__(self, register: Register, *, size: int = LOCATOR_CACHE, reuse: Sources | None = None) -> None:
        self.register = register
        self._size = max(1, size)
        self._locators: OrderedDict[str, Locator] = OrderedDict()
        self._lock = threading.Lock()
        if reuse is not None:
            with reuse._lock:
                kept = list(reuse._locators.items())
            for path, locator in kept:
                text, before = register.texts.get(path), reuse.register.texts.get(path)
                if text is not None and (text is before or text == before):
                    self._locators[path] = locator

    def locator(self, path: str) -> Locator:
        """The (lazily composed) locator of the file ``path``."""
        with self._lock:
            locator = self._locators.get(path)
            if locator is not None:
                self._locators.move_to_end(path)
                return locator
        text = self.register.texts.get(path)
        if text is None:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
        # the register was read from this text, so it composes: a lookup may compose just a part
        locator = Locator(text, parsed=True)
        with self._lock:
            self._locators[path] = locator
            while len(self._locators) > self._size:
                self._locators.popitem(last=False)
        return locator

    def locate(self, key: str, loc: Sequence[str | int] = (), *, on_key: bool = False) -> tuple[str, int, int]:
        """File, line and column of field ``loc`` inside the record ``key`` (e.g. ``'activity:x'``).

        ``key`` is one of ``organisation``, ``activity:<id>``, ``dpia:<id>``, ``party:<id>``,
        ``system:<id>``; an unknown key gives the register folder at line 0.
        """
        ref = self.register.sources.get(key)
        if ref is None:
            return str(self.register.root), 0, 0
        line, column = self.locator(ref.path).position((*ref.prefix, *loc), key=on_key)
        return ref.path, line, column
