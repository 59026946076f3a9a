"""One register file in an edit session: its text and fingerprint as loaded, and its round-trip document."""

from __future__ import annotations

import copy
from typing import Any

from dpia_lib.editing.roundtrip import dump_rt, load_rt, minimal_text
from dpia_lib.editing.save import Fingerprint

__all__ = ["RegisterFile"]


class RegisterFile:
    """One register file: its text as loaded, its fingerprint, and (parsed on first use) its document."""

    def __init__(self, rel: str, original: str, fingerprint: Fingerprint | None, doc: Any = None) -> None:
        self.rel = rel
        self.original = original  # text as loaded ("" for a new file)
        self.fingerprint = fingerprint
        self.deleted = False
        self.touched = doc is not None
        self._doc = doc
        self._baseline: str | None = "" if doc is not None else None

    @property
    def doc(self) -> Any:
        """The round-trip document (parsed from the loaded text on first use)."""
        if self._doc is None:
            self._doc = load_rt(self.original)
        return self._doc

    def before_edit(self) -> None:
        """Keep the dump of the document as loaded (what :meth:`text` compares the edited dump with) before
        the document is first changed: dumped from the parsed document, without parsing the text again."""
        if self._baseline is None and not self.touched and self.original:
            self._baseline = dump_rt(self.doc)

    def replace(self, doc: Any) -> None:
        """Make this a new file with ``doc`` (e.g. an activity removed and added again)."""
        self._doc, self.original, self._baseline, self.deleted, self.touched = doc, "", "", False, True

    def state(self) -> tuple[Any, ...]:
        """Everything that an edit may change, copied (for undo)."""
        doc = copy.deepcopy(self._doc) if self.touched else None
        return self.original, self.fingerprint, doc, self._baseline, self.touched, self.deleted

    def restore(self, state: tuple[Any, ...]) -> None:
        """Put back a :meth:`state` (its document is copied again, so a state can be restored twice)."""
        original, fp, doc, baseline, touched, deleted = state
        self.original, self.fingerprint, self._baseline = original, fp, baseline
        self._doc = copy.deepcopy(doc) if touched else None
        self.touched, self.deleted = touched, deleted

    def rebase(self, doc: Any) -> None:
        """Edits ``doc`` made on this file's text as loaded (a merge onto a newer version on disk)."""
        self._doc, self.touched = doc, True

    def saved(self, text: str, fingerprint: Fingerprint | None) -> None:
        """The file now holds ``text`` on disk."""
        self.original, self.fingerprint, self._doc, self._baseline, self.touched = text, fingerprint, None, None, False

    def text(self) -> str:
        """The file's text with the edits made (its loaded text when untouched)."""
        if not self.touched:
            return self.original
        if not self.original:
            return dump_rt(self.doc)
        if self._baseline is None:
            self._baseline = dump_rt(load_rt(self.original))
        return minimal_text(self.original, self._baseline, dump_rt(self.doc))
