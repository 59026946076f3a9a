"""Rules on keeping the register in order: retention per category, the DPIA and its action plan.

- ``retention-missing``: a category without a retention period (not for an activity done as processor:
  the controller sets retention, art. 30(2) has no point (f));
- ``retention-exceeds-default``: a period longer than the catalogue's default for the category, unless
  the entry cites its own source (a statutory period such as AWR art. 52(4) or BW 7:454(3));
- ``retention-conflict``: within one activity, the category that names the person (``identifying``) is
  deleted before other records about that person, which then either lose their subject or are kept
  nameless without the register saying so;
- ``dpia-missing``: the (effective) screening verdict is ``required`` but no DPIA record exists (not
  for an activity done as processor: the DPIA is the controller's, art. 35(1), 28(3)(f));
- ``dpia-review-overdue``: the DPIA's review date is before ``as_of``;
- ``measure-status-conflict``: a measure the activity records as in place is an open action (planned or
  in progress) in its DPIA record.
"""

from __future__ import annotations

from dpia_lib.law import Verdict
from dpia_lib.legal import acts_as_processor
from dpia_lib.rules._context import Context
from dpia_lib.screening import screen, screen_activity

__all__ = ["check_dpia", "check_measure_status", "check_retention"]


def check_retention(ctx: Context) -> None:
    """``retention-missing``, ``retention-exceeds-default`` and ``retention-conflict``."""
    cats = ctx.register.catalogue.categories
    for aid, act in ctx.activities():
        for i, cid in enumerate(act.categories):
            retention = act.retention.get(cid)
            if retention is None:
                if not acts_as_processor(act):
                    ctx.emit("retention-missing", aid, f"activity:{aid}", ("categories", i),
                             f"category {cid!r} has no retention period")
                continue
            default = cats[cid].retention_default if cid in cats else None
            if default is not None and retention.months > default.months and retention.citation is None:
                ctx.emit("retention-exceeds-default", aid, f"activity:{aid}", ("retention", cid, "period"),
                         f"{cid!r} is kept {retention.period}, longer than the default of {default.period} "
                         f"(from {default.from_event}), and the entry cites no source for it")
        kept = {c: r for c, r in act.retention.items() if c in act.categories}
        for cid, retention in kept.items():
            if cid not in cats or not cats[cid].identifying:
                continue
            longer = sorted((c, r) for c, r in kept.items()
                            if r.months > retention.months and not (c in cats and cats[c].identifying))
            if longer:
                other, r = max(longer, key=lambda cr: cr[1].months)
                ctx.emit("retention-conflict", aid, f"activity:{aid}", ("retention", cid, "period"),
                         f"{cid!r} is deleted after {retention.period} (from {retention.from_event}), but {other!r}, "
                         f"which is about the same people, is kept {r.period} (from {r.from_event}): keep the "
                         f"name as long as those records, or record that they are kept without it")


def check_dpia(ctx: Context) -> None:
    """``dpia-missing`` and ``dpia-review-overdue``."""
    reg = ctx.register
    if ctx.screenings is not None:
        screenings = ctx.screenings
    elif ctx.scope is None:
        screenings = screen(reg, ctx.graph)
    else:
        screenings = {aid: screen_activity(reg, aid, ctx.graph) for aid, _ in ctx.activities()}
    for aid, screening in screenings.items():
        if not ctx.in_scope(aid):
            continue
        act = reg.activities[aid]
        record = reg.dpias.get(aid)
        if screening.verdict == Verdict.REQUIRED and record is None and not acts_as_processor(act):
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


def check_measure_status(ctx: Context) -> None:
    """``measure-status-conflict``: a measure in place in the activity but still open in its DPIA's action plan."""
    reg = ctx.register
    for aid, record in reg.dpias.items():
        act = reg.activities.get(aid)
        if act is None or not ctx.in_scope(aid):
            continue
        for i, action in enumerate(record.actions):
            if action.status in ("planned", "in-progress") and action.measure in act.measures:
                ctx.emit("measure-status-conflict", aid, f"dpia:{aid}", ("actions", i, "status"),
                         f"measure {action.measure!r} is recorded as in place in the activity but is "
                         f"{action.status} in the DPIA's action plan (due {action.due})")
