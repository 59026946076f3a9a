"""Papermill parameters of the DPIA and register notebooks, and where each report is written.

Parameters are checked before a kernel starts (the notebook checks them again in its first cell), and
hold only an activity id, a language, an ISO date, the report template and the register's path *relative to the kernel's
working directory* (the output folder), so an output notebook never records a home directory or any
other personal data. Output names come from activity ids (slugs) and are resolved and checked to stay
inside the output folder.

>>> from pathlib import Path
>>> notebook_parameters("newsletter", "en", "2026-11-01", Path("/srv/x/ropa"), cwd=Path("/srv/x/reports"))
{'activity': 'newsletter', 'language': 'en', 'as_of': '2026-11-01', 'register': '../ropa', 'template': 'model'}
>>> report_paths(Path("/srv/x/reports"), "newsletter")[1]
PosixPath('/srv/x/reports/newsletter.html')
"""

from __future__ import annotations

import os
from pathlib import Path

from dpia_lib.errors import ParameterError
from dpia_lib.report.labels import check_language
from dpia_lib.report.parameters import check_activity_id, check_as_of

__all__ = ["PARAMETER_NAMES", "RESERVED_NAMES", "notebook_parameters", "register_parameters", "report_paths"]

#: The parameters the DPIA notebook takes (the register notebook takes all but ``activity``).
PARAMETER_NAMES: tuple[str, ...] = ("activity", "language", "as_of", "register", "template")
#: Output names used by the batch itself; an activity with one of these ids would overwrite them.
RESERVED_NAMES: frozenset[str] = frozenset({"index", "register"})


def _relative(register: Path, cwd: Path) -> str:
    return Path(os.path.relpath(register.resolve(), cwd.resolve())).as_posix()


def notebook_parameters(activity: str, language: str, as_of: str, register: Path, *, cwd: Path,
                        template: str = "model") -> dict[str, str]:
    """Checked parameters for ``dpia.ipynb`` run with working directory ``cwd``."""
    if template not in ("model", "cnil"):
        raise ParameterError(f"template must be 'model' or 'cnil', not {template!r}")
    return {
        "activity": check_activity_id(activity),
        "language": check_language(language),
        "as_of": check_as_of(as_of).isoformat(),
        "register": _relative(register, cwd),
        "template": template,
    }


def register_parameters(language: str, as_of: str, register: Path, *, cwd: Path) -> dict[str, str]:
    """Checked parameters for ``register.ipynb``."""
    return {
        "language": check_language(language),
        "as_of": check_as_of(as_of).isoformat(),
        "register": _relative(register, cwd),
    }


def report_paths(out_dir: Path, name: str) -> tuple[Path, Path]:
    """``out_dir/<name>.ipynb`` and ``out_dir/<name>.html``, refusing any name that would leave ``out_dir``."""
    check_activity_id(name)
    root = out_dir.resolve()
    paths = (root / f"{name}.ipynb").resolve(), (root / f"{name}.html").resolve()
    for path in paths:
        if path.parent != root:
            raise ParameterError(f"report name {name!r} would be written outside {str(out_dir)!r}")
    return paths
