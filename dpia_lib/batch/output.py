"""The batch's output folder, replaced as a whole.

A batch writes into a staging folder beside ``--out`` (``.<name>.staging-<pid>-<random>``, on the same
file system, so the final step is a rename) and, when every report has been tried and the index written,
replaces the previous output with it under a lock file beside ``--out`` (``.<name>.lock``). So:

- two batches into one ``--out`` never mix: the folder holds the complete set of whichever finished last;
- an interrupted or crashed run leaves the previous complete set untouched (its staging folder is
  removed on the way out; one left by a killed process is removed by the next run into the same folder);
- a folder is only replaced if it holds a previous batch's output (its :data:`MANIFEST`) or is empty, so
  ``--out .`` or a folder of other files is refused instead of being replaced.

``--out`` must also not lie inside the project's ``notebooks/`` or the register, where the batch would
overwrite the notebooks it runs or files of the register.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from pathlib import Path
from types import TracebackType
from typing import Self

from dpia_lib.errors import ParameterError

__all__ = ["MANIFEST", "OutputFolder", "check_out"]

log = logging.getLogger(__name__)

#: The file listing a batch's output (its presence marks a folder the batch may replace).
MANIFEST = ".dpia-batch.json"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out(out: Path, *, protected: dict[str, Path]) -> Path:
    """``out`` resolved, or :class:`ParameterError` (one line) if the batch must not or cannot write it.

    ``protected`` names folders the output must not lie in or contain (e.g. the register, notebooks).
    """
    target = out.resolve()
    for what, folder in protected.items():
        folder = folder.resolve()
        if _inside(target, folder):
            raise ParameterError(f"--out {str(out)!r} lies inside the {what} ({folder}); choose another folder")
        if _inside(folder, target):
            raise ParameterError(f"--out {str(out)!r} contains the {what} ({folder}); choose another folder")
    if target.exists() and not target.is_dir():
        raise ParameterError(f"--out {str(out)!r} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise ParameterError(f"--out {str(out)!r} holds files that dpia batch did not write; "
                             "choose a new or empty folder")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ParameterError(f"--out {str(out)!r}: cannot write to {parent} (permission denied)")
    return target


def _remove(path: Path) -> None:
    """Remove a folder the batch made; a failure is logged (the folder is left, nothing else is lost)."""
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutputFolder:
    """A staging folder for one batch run; :meth:`publish` makes it ``out``, :meth:`close` removes what is left.

    Use as a context manager around the run: on an exception (or Ctrl-C) the staging folder is removed
    and ``out`` keeps its previous contents.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.lock_path = out.parent / f".{out.name}.lock"
        self.staging = out.parent / f".{out.name}.staging-{os.getpid()}-{secrets.token_hex(4)}"

    def __enter__(self) -> Self:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._remove_abandoned()
            self.staging.mkdir()
        except OSError as exc:
            raise ParameterError(f"--out {str(self.out)!r}: cannot create {self.staging.name} beside it: "
                                 f"{exc.strerror or exc}") from None
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _remove_abandoned(self) -> None:
        """Remove staging folders of runs into the same ``out`` whose process no longer exists."""
        prefix = f".{self.out.name}.staging-"
        for path in self.out.parent.glob(f"{prefix}*"):
            pid = path.name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                log.info("removing %s, left by an interrupted batch", path)
                _remove(path)

    def publish(self, files: list[str]) -> Path:
        """Write the manifest and replace ``out`` with the staging folder as a whole; returns ``out``."""
        from filelock import FileLock

        (self.staging / MANIFEST).write_text(json.dumps({"files": sorted(files)}, indent=1) + "\n",
                                             encoding="utf-8")
        with FileLock(str(self.lock_path)):
            previous: Path | None = None
            if self.out.exists():
                if not self.out.is_dir() or (any(self.out.iterdir()) and not (self.out / MANIFEST).is_file()):
                    raise ParameterError(f"--out {str(self.out)!r} changed during the batch and holds files "
                                         "that dpia batch did not write; the reports are left in "
                                         f"{self.staging}")
                previous = self.out.parent / f".{self.out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
                os.rename(self.out, previous)
            os.rename(self.staging, self.out)
        if previous is not None:
            _remove(previous)
        return self.out

    def close(self) -> None:
        """Remove the staging folder if it was not published."""
        if self.staging.exists():
            _remove(self.staging)
