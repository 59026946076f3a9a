"""A new register for another organisation: a small, commented starter that validates as it is.

The starter (``dpia_lib/templates/register``) holds a fictitious organisation with two roles, two
parties, one system and one example activity; every value to replace is marked ``REPLACE``. It uses the
shipped catalogues, so ``dpia validate``, ``screen`` and ``check`` work on it at once.

>>> import tempfile, pathlib
>>> from dpia_lib.validation import validate_register
>>> root = write_starter(pathlib.Path(tempfile.mkdtemp()) / "register")
>>> sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml"))
['activities/client-administration.yaml', 'organisation.yaml', 'parties.yaml', 'systems.yaml']
>>> validate_register(root).valid
True
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dpia_lib.errors import ParameterError
from dpia_lib.resources import starter_register_dir

__all__ = ["write_starter"]


def write_starter(target: Path | str) -> Path:
    """Write the starter register into the new or empty folder ``target``; return its path.

    Refuses (:class:`~dpia_lib.errors.ParameterError`) a folder that already holds files, so an existing
    register is never overwritten. The files appear at once or not at all (copied beside the target,
    then renamed into place).
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ParameterError(f"{target} already exists and is not an empty folder; choose a new folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        staged = shutil.copytree(starter_register_dir(), scratch / "register", copy_function=shutil.copyfile,
                                 ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(staged, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
