"""Rules on lawfulness: art. 6 basis, art. 9 condition, consent under a power imbalance, the BSN,
electronic marketing, transfers outside the EEA and informing data subjects (art. 14).

The two completeness rules reuse :func:`dpia_lib.references.art6_gaps` and ``art9_gaps``, the same
functions ``dpia validate`` reports from, so there is one implementation of each.
"""

from __future__ import annotations

from dpia_lib.law import Art9Condition, LegalBasis, Safeguard
from dpia_lib.references import art6_gaps, art9_gaps
from dpia_lib.rules._context import Context

__all__ = [
    "check_art6",
    "check_art9",
    "check_bsn",
    "check_consent",
    "check_marketing",
    "check_source_informed",
    "check_transfers",
]

_STATUTORY = (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK)


def check_art6(ctx: Context) -> None:
    """``art6-basis-missing``: a purpose without an art. 6(1) basis."""
    for gap in art6_gaps(ctx.register):
        ctx.emit("art6-basis-missing", gap.activity, f"activity:{gap.activity}", gap.loc, gap.message)


def check_art9(ctx: Context) -> None:
    """``art9-condition-missing``: special categories without an art. 9(2) condition and UAVG exception."""
    for gap in art9_gaps(ctx.register):
        ctx.emit("art9-condition-missing", gap.activity, f"activity:{gap.activity}", gap.loc, gap.message)


def check_consent(ctx: Context) -> None:
    """``consent-power-imbalance``: consent (art. 6 or explicit consent of art. 9) for vulnerable subjects."""
    subjects = ctx.register.catalogue.data_subjects
    for aid, act in ctx.register.activities.items():
        vulnerable = [s for s in act.data_subjects if s in subjects and subjects[s].vulnerable]
        if not vulnerable:
            continue
        who = ", ".join(vulnerable)
        for i, purpose in enumerate(act.purposes):
            if purpose.basis == LegalBasis.CONSENT:
                ctx.emit("consent-power-imbalance", aid, f"activity:{aid}", ("purposes", i, "basis"),
                         f"purpose {purpose.id!r} rests on consent of {who}, who depend on their employer: "
                         f"consent is rarely free there")
        basis = act.special_categories_basis
        if basis is not None and basis.condition == Art9Condition.EXPLICIT_CONSENT:
            ctx.emit("consent-power-imbalance", aid, f"activity:{aid}", ("special_categories_basis", "condition"),
                     f"special categories rest on explicit consent of {who}, who depend on their employer")


def check_bsn(ctx: Context) -> None:
    """``bsn-without-statute``: a national identifier without a statutory purpose, or sent without one."""
    cat = ctx.register.catalogue.categories
    for aid, act in ctx.register.activities.items():
        ids = [c for c in act.categories if c in cat and cat[c].identifier]
        statutory = [p for p in act.purposes if p.basis in _STATUTORY and p.basis_source]
        for c in ids:
            if not statutory:
                ctx.emit("bsn-without-statute", aid, f"activity:{aid}", ("categories", act.categories.index(c)),
                         f"{c!r} is processed, but no purpose rests on a statute (legal obligation or public "
                         f"task with its source); consent cannot make its use lawful")
        for i, flow in enumerate(act.flows):
            for c in flow.categories:
                if c in cat and cat[c].identifier and (
                        flow.ground is None or flow.ground.basis not in _STATUTORY or not flow.ground.source):
                    ctx.emit("bsn-without-statute", aid, f"activity:{aid}",
                             ("flows", i, "categories", flow.categories.index(c)),
                             f"flow {flow.id!r} carries {c!r} without a statutory ground naming its source")


def check_marketing(ctx: Context) -> None:
    """``marketing-without-consent``: e-mail marketing to individuals without consent or soft opt-in."""
    for aid, act in ctx.register.activities.items():
        em = act.electronic_marketing
        if em is None or em.audience != "individuals":
            continue
        if em.ground == "none":
            ctx.emit("marketing-without-consent", aid, f"activity:{aid}", ("electronic_marketing", "ground"),
                     "electronic marketing to individuals without prior consent or the customer exception")
        elif em.ground == "soft-opt-in" and not em.opt_out_in_every_message:
            ctx.emit("marketing-without-consent", aid, f"activity:{aid}",
                     ("electronic_marketing", "opt_out_in_every_message"),
                     "the customer exception (soft opt-in) needs an opt-out in every message")


def check_transfers(ctx: Context) -> None:
    """``transfer-without-safeguard``: a recipient outside the EEA without adequacy or art. 46 safeguard."""
    reg = ctx.register
    cat = reg.catalogue
    for aid, act in reg.activities.items():
        for i, t in enumerate(act.transfers):
            if t.safeguard == Safeguard.NONE and not cat.in_eea_or_adequate(t.country):
                ctx.emit("transfer-without-safeguard", aid, f"activity:{aid}", ("transfers", i, "safeguard"),
                         f"transfer to {t.party!r} in {t.country} has no safeguard")
        covered = {t.party for t in act.transfers if t.safeguard != Safeguard.NONE}
        for _, v, k in sorted(ctx.graph.out_edges(aid, keys=True)):
            party = reg.parties.get(v)
            if party is None or party.kind.value == "data-subject" or v in covered:
                continue
            if not cat.in_eea_or_adequate(party.country):
                _, key, loc = ctx.edge_place(k)
                ctx.emit("transfer-without-safeguard", aid, key, loc,
                         f"{v!r} in {party.country} (outside the EEA, no adequacy) receives data without a "
                         f"recorded transfer safeguard")


def check_source_informed(ctx: Context) -> None:
    """``source-not-informed``: data from a party other than the data subject, without an art. 14 step."""
    reg = ctx.register
    for aid, act in reg.activities.items():
        if act.information is not None:
            continue
        for i, flow in enumerate(act.flows):
            party = reg.parties.get(flow.source)
            if flow.target == aid and party is not None and party.kind.value != "data-subject":
                ctx.emit("source-not-informed", aid, f"activity:{aid}", ("flows", i, "from"),
                         f"data comes from {flow.source!r} (flow {flow.id!r}) but the activity records no "
                         f"art. 14 information step")
