"""The parameters of the DPIA notebook, checked before anything is computed.

A notebook calls :func:`dpia_lib.report.prepare` in its first cell; that calls :func:`check_parameters`,
so a bad parameter stops the notebook there with one clear :class:`~dpia_lib.errors.ParameterError`
(unknown activity with a suggestion, bad language, bad date) instead of a traceback deep in a cell.
The batch checks the same parameters before it starts a kernel.

Parameters hold only ids, a language, a date and a path: no personal data (papermill stores them in the
output notebook).

>>> check_as_of("2026-11-01")
datetime.date(2026, 11, 1)
>>> check_as_of("1 Nov 2026")
Traceback (most recent call last):
...
dpia_lib.errors.ParameterError: as_of must be an ISO date (YYYY-MM-DD), not '1 Nov 2026'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from dpia_lib.errors import ParameterError
from dpia_lib.report.labels import check_language

__all__ = [
    "ACTIVITY_ID",
    "ReportParameters",
    "check_activity_id",
    "check_as_of",
    "check_parameters",
    "check_register_dir",
]

#: An activity id: the register's slug pattern (so it can never be a path).
ACTIVITY_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ReportParameters:
    """Checked notebook parameters."""

    activity: str
    language: str
    as_of: dt.date
    register: Path


def check_as_of(as_of: object) -> dt.date:
    """``as_of`` as a date; it must be an ISO ``YYYY-MM-DD`` string or a date."""
    if isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime):
        return as_of
    if isinstance(as_of, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of.strip()):
        try:
            return dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise ParameterError(f"as_of {as_of!r} is not a calendar date") from None
    raise ParameterError(f"as_of must be an ISO date (YYYY-MM-DD), not {as_of!r}")


def check_activity_id(activity: object) -> str:
    """``activity`` if it is a well-formed activity id (a slug).

    >>> check_activity_id("../etc")
    Traceback (most recent call last):
    ...
    dpia_lib.errors.ParameterError: activity must be an activity id (lower-case letters, digits, hyphens), not '../etc'
    """
    if not isinstance(activity, str) or not ACTIVITY_ID.fullmatch(activity) or len(activity) > 80:
        raise ParameterError(
            f"activity must be an activity id (lower-case letters, digits, hyphens), not {activity!r}"
        )
    return activity


def check_register_dir(register: object) -> Path:
    """``register`` as a path to an existing directory."""
    if not isinstance(register, str | Path) or not str(register):
        raise ParameterError(f"register must be the path of a register directory, not {register!r}")
    path = Path(register)
    if not path.is_dir():
        raise ParameterError(f"register directory {str(path)!r} not found")
    return path


def check_parameters(activity: object, language: object, as_of: object, register: object) -> ReportParameters:
    """Check the form of every parameter (whether the activity exists is checked on the loaded register)."""
    return ReportParameters(
        activity=check_activity_id(activity),
        language=check_language(language),
        as_of=check_as_of(as_of),
        register=check_register_dir(register),
    )
