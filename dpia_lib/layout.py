"""The files of a register folder, described once for the loader, the incremental checker and the editor.

Layout::

    <register>/organisation.yaml        the controller (art. 30(1)(a)) and its roles
    <register>/parties.yaml             parties: [...]
    <register>/systems.yaml             systems: [...]
    <register>/activities/<id>.yaml     one processing activity each, with its flows
    <register>/dpias/<id>.yaml          the officer's DPIA answers for one activity

The reference catalogues are found by :func:`dpia_lib.resources.data_dir_for`.

>>> layout = RegisterLayout("ropa")
>>> layout.kind_of("ropa/activities/newsletter.yaml"), layout.kind_of("ropa/parties.yaml")
('activity', 'parties')
>>> layout.kind_of("ropa/notes/x.yaml") is None
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["FOLDERS", "LIST_FILES", "ORGANISATION_FILE", "FileKind", "RegisterLayout"]

#: What a register file holds.
FileKind = Literal["organisation", "parties", "systems", "activity", "dpia"]

ORGANISATION_FILE = "organisation.yaml"
#: Files holding one list of records: record kind -> (file name, the list's key).
LIST_FILES: dict[str, tuple[str, str]] = {"party": ("parties.yaml", "parties"),
                                          "system": ("systems.yaml", "systems")}
#: Folders holding one record per ``<id>.yaml`` file: record kind -> folder name.
FOLDERS: dict[str, str] = {"activity": "activities", "dpia": "dpias"}


#: The kind of each file directly in the register folder.
_ROOT_FILES: dict[str, FileKind] = {ORGANISATION_FILE: "organisation", LIST_FILES["party"][0]: "parties",
                                    LIST_FILES["system"][0]: "systems"}


@dataclass(frozen=True)
class RegisterLayout:
    """Where the files of the register in :attr:`root` are."""

    root: Path

    def __init__(self, root: Path | str) -> None:
        object.__setattr__(self, "root", Path(root))

    @property
    def organisation(self) -> Path:
        """``organisation.yaml``."""
        return self.root / ORGANISATION_FILE

    def list_file(self, kind: str) -> Path:
        """The file of the list of ``kind`` (``'party'`` or ``'system'``)."""
        return self.root / LIST_FILES[kind][0]

    def folder(self, kind: str) -> Path:
        """The folder of the one-record files of ``kind`` (``'activity'`` or ``'dpia'``)."""
        return self.root / FOLDERS[kind]

    def record_files(self, kind: str) -> list[Path]:
        """The ``*.yaml`` files of ``kind`` (``'activity'`` or ``'dpia'``), sorted; [] without the folder."""
        folder = self.folder(kind)
        return sorted(folder.glob("*.yaml")) if folder.is_dir() else []

    def files(self) -> set[str]:
        """Every file the register is read from that exists now, as path strings (cheap: no stat per file)."""
        root = str(self.root)
        out = {os.path.join(root, name) for name in (ORGANISATION_FILE, *(f for f, _ in LIST_FILES.values()))
               if os.path.exists(os.path.join(root, name))}
        for folder in FOLDERS.values():
            try:
                with os.scandir(os.path.join(root, folder)) as entries:
                    out.update(os.path.join(root, folder, e.name) for e in entries if e.name.endswith(".yaml"))
            except OSError:
                continue
        return out

    def kind_of(self, path: Path | str) -> FileKind | None:
        """What the file ``path`` holds, or None when it is not one of the register's files."""
        path = Path(path)
        if path.parent == self.root:
            return _ROOT_FILES.get(path.name)
        if path.parent.parent == self.root and path.suffix == ".yaml":
            for kind, folder in FOLDERS.items():
                if path.parent.name == folder:
                    return "activity" if kind == "activity" else "dpia"
        return None
