"""Rules on keeping the register in order: retention per category and the DPIA itself.

- ``retention-missing``: a category without a retention period;
- ``retention-exceeds-default``: a period longer than the catalogue's default for the category;
- ``dpia-missing``: the (effective) screening verdict is ``required`` but no DPIA record exists;
- ``dpia-review-overdue``: the DPIA's review date is before ``as_of``.
"""

from __future__ import annotations

from dpia_lib.law import Verdict
from dpia_lib.rules._context import Context
from dpia_lib.screening import screen

__all__ = ["check_dpia", "check_retention"]


def check_retention(ctx: Context) -> None:
    """``retention-missing`` and ``retention-exceeds-default``."""
    cats = ctx.register.catalogue.categories
    for aid, act in ctx.register.activities.items():
        for i, cid in enumerate(act.categories):
            retention = act.retention.get(cid)
            if retention is None:
                ctx.emit("retention-missing", aid, f"activity:{aid}", ("categories", i),
                         f"category {cid!r} has no retention period")
                continue
            default = cats[cid].retention_default if cid in cats else None
            if default is not None and retention.months > default.months:
                ctx.emit("retention-exceeds-default", aid, f"activity:{aid}", ("retention", cid, "period"),
                         f"{cid!r} is kept {retention.period}, longer than the default of {default.period} "
                         f"(from {default.from_event})")


def check_dpia(ctx: Context) -> None:
    """``dpia-missing`` and ``dpia-review-overdue``."""
    reg = ctx.register
    screenings = ctx.screenings if ctx.screenings is not None else screen(reg, ctx.graph)
    for aid, screening in screenings.items():
        act = reg.activities[aid]
        record = reg.dpias.get(aid)
        if screening.verdict == Verdict.REQUIRED and record is None:
            why = ", ".join(r.code for r in screening.reasons)
            ctx.emit("dpia-missing", aid, f"activity:{aid}", ("dpia", "status"),
                     f"screening says a DPIA is required ({why}) but none is recorded in dpias/{aid}.yaml "
                     f"(status: {act.dpia.status.value})")
        if record is not None and record.review_date < ctx.as_of:
            ctx.emit("dpia-review-overdue", aid, f"dpia:{aid}", ("review_date",),
                     f"the DPIA was due for review on {record.review_date}")
        elif act.dpia.next_review is not None and act.dpia.next_review < ctx.as_of:
            ctx.emit("dpia-review-overdue", aid, f"activity:{aid}", ("dpia", "next_review"),
                     f"the DPIA was due for review on {act.dpia.next_review}")
