"""Which activities the batch reports on: those screened ``required`` or ``recommended`` (the effective
verdict, overrides included), every activity with ``all_activities``, or the ones named.

>>> from dpia_lib import load_register
>>> register = load_register()
>>> select_activities(register, names=["newsletter"])
['newsletter']
>>> select_activities(register, names=["newsleter"])
Traceback (most recent call last):
...
dpia_lib.errors.UnknownActivityError: unknown activity 'newsleter'; did you mean 'newsletter'?
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from dpia_lib.law import Verdict
from dpia_lib.register import Register
from dpia_lib.screening import Screening, screen

__all__ = ["REPORTED_VERDICTS", "select_activities"]

#: Verdicts for which a DPIA report is produced by default.
REPORTED_VERDICTS: frozenset[Verdict] = frozenset({Verdict.REQUIRED, Verdict.RECOMMENDED})


def select_activities(
    register: Register,
    *,
    names: Sequence[str] = (),
    all_activities: bool = False,
    screenings: Mapping[str, Screening] | None = None,
    broken: Collection[str] = (),
) -> list[str]:
    """Sorted activity ids to report on. Named ids must exist (:class:`UnknownActivityError` otherwise).

    ``broken`` activities (their own files have problems, see ``load_register_partial``) cannot be
    screened, so they are always selected: their report fails in its first cell and names the problem.
    """
    if names:
        return sorted({name if name in broken else register.activity(name).id for name in names})
    if all_activities:
        return sorted({*register.activities, *broken})
    found = screenings if screenings is not None else screen(register)
    return sorted({*(aid for aid, result in found.items() if result.verdict in REPORTED_VERDICTS), *broken})
