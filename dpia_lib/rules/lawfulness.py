"""Rules on lawfulness: art. 6 basis and its balancing test, art. 9 condition and its Dutch exception,
consent under a power imbalance, the BSN, electronic marketing, transfers outside the EEA and informing
data subjects (art. 14).

The completeness rules reuse :func:`dpia_lib.references.art6_gaps`, ``art9_gaps`` and
``art9_exception_gaps``, the same functions ``dpia validate`` reports from, so there is one
implementation of each. The controller's duties (basis, condition, consent, the BSN's statute,
informing the data subject) are not checked on an activity done as processor: there they belong to the
controller, whom the processor assists (GDPR art. 28(3)(e)-(f)).
"""

from __future__ import annotations

import re

from dpia_lib.law import Art9Condition, LegalBasis, Safeguard
from dpia_lib.legal import acts_as_processor, is_data_subject_party, national_identifiers, vulnerable_subjects
from dpia_lib.references import art6_gaps, art9_exception_gaps, art9_gaps
from dpia_lib.register import Register
from dpia_lib.rules._context import Context

__all__ = [
    "check_art6",
    "check_art9",
    "check_art9_exception",
    "check_balancing",
    "check_bsn",
    "check_consent",
    "check_marketing",
    "check_source_informed",
    "check_transfers",
    "statute_cited",
]


def check_art6(ctx: Context) -> None:
    """``art6-basis-missing``: a purpose without an art. 6(1) basis."""
    for gap in art6_gaps(ctx.register, ctx.scope):
        ctx.emit("art6-basis-missing", gap.activity, f"activity:{gap.activity}", gap.loc, gap.message)


def check_art9(ctx: Context) -> None:
    """``art9-condition-missing``: special categories without an art. 9(2) condition and UAVG exception."""
    for gap in art9_gaps(ctx.register, ctx.scope):
        ctx.emit("art9-condition-missing", gap.activity, f"activity:{gap.activity}", gap.loc, gap.message)


def check_art9_exception(ctx: Context) -> None:
    """``art9-exception-mismatch``: a UAVG exception that does not rest on the recorded art. 9(2) condition."""
    for gap in art9_exception_gaps(ctx.register, ctx.scope):
        ctx.emit("art9-exception-mismatch", gap.activity, f"activity:{gap.activity}", gap.loc, gap.message)


def check_balancing(ctx: Context) -> None:
    """``balancing-test-missing``: a purpose on legitimate interests (art. 6(1)(f)) without a recorded
    three-step test, or whose test concludes that the data subjects' interests prevail (CJEU C-621/22)."""
    for aid, act in ctx.activities():
        if acts_as_processor(act):
            continue
        for i, purpose in enumerate(act.purposes):
            if purpose.basis != LegalBasis.LEGITIMATE_INTERESTS:
                continue
            test = purpose.balancing_test
            if test is None:
                ctx.emit("balancing-test-missing", aid, f"activity:{aid}", ("purposes", i, "basis"),
                         f"purpose {purpose.id!r} rests on legitimate interests without a recorded balancing test "
                         f"(interest, necessity, balancing)")
            elif test.outcome == "subject-prevails":
                ctx.emit("balancing-test-missing", aid, f"activity:{aid}",
                         ("purposes", i, "balancing_test", "outcome"),
                         f"the balancing test of purpose {purpose.id!r} concludes that the data subjects' interests "
                         f"prevail: legitimate interests cannot be its basis")


def check_consent(ctx: Context) -> None:
    """``consent-power-imbalance``: consent (art. 6 or explicit consent of art. 9) for vulnerable subjects."""
    for aid, act in ctx.activities():
        vulnerable = vulnerable_subjects(ctx.register, act)
        if not vulnerable or acts_as_processor(act):
            continue
        who = ", ".join(vulnerable)
        for i, purpose in enumerate(act.purposes):
            if purpose.basis == LegalBasis.CONSENT:
                ctx.emit("consent-power-imbalance", aid, f"activity:{aid}", ("purposes", i, "basis"),
                         f"purpose {purpose.id!r} rests on consent of {who}, who depend on another party "
                         f"(their employer): consent is rarely free there")
        basis = act.special_categories_basis
        if basis is not None and basis.condition == Art9Condition.EXPLICIT_CONSENT:
            ctx.emit("consent-power-imbalance", aid, f"activity:{aid}", ("special_categories_basis", "condition"),
                     f"special categories rest on explicit consent of {who}, who depend on another party")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def statute_cited(register: Register, text: str | None) -> str | None:
    """The catalogued statutory provision (``data/identifier_statutes.yaml``) that ``text`` cites, or None.

    >>> from dpia_lib import load_register
    >>> statute_cited(load_register(), "BW 7:658a(5); the client sees the report first")
    'BW 7:658a(5)'
    >>> statute_cited(load_register(), "our own policy") is None
    True
    """
    if not text:
        return None
    haystack = _norm(text)
    for entry in register.catalogue.identifier_statutes.values():
        if any(_norm(p) in haystack for p in (entry.provision, *entry.aliases)):
            return entry.provision
    return None


def check_bsn(ctx: Context) -> None:
    """``bsn-without-statute``: a national identifier used without a catalogued statutory provision that
    prescribes it (UAVG art. 46(1)): in the activity (no purpose's source cites one) or in a flow (the
    flow's ground does not cite one)."""
    reg = ctx.register
    for aid, act in ctx.activities():
        if acts_as_processor(act):
            continue
        ids = national_identifiers(reg, act)
        cited = any(statute_cited(reg, p.basis_source) for p in act.purposes)
        for c in ids if not cited else ():
            ctx.emit("bsn-without-statute", aid, f"activity:{aid}", ("categories", act.categories.index(c)),
                     f"{c!r} is processed, but no purpose cites a statutory provision that prescribes its use "
                     f"(data/identifier_statutes.yaml); consent or own policy cannot make its use lawful")
        for i, flow in enumerate(act.flows):
            for j, c in enumerate(flow.categories):
                identifier = c in ids or (c in reg.catalogue.categories and reg.catalogue.categories[c].identifier)
                if identifier and statute_cited(reg, flow.ground.source if flow.ground else None) is None:
                    ctx.emit("bsn-without-statute", aid, f"activity:{aid}", ("flows", i, "categories", j),
                             f"flow {flow.id!r} carries {c!r} without citing a statutory provision that "
                             f"prescribes it (data/identifier_statutes.yaml)")


def check_marketing(ctx: Context) -> None:
    """``marketing-without-consent``: e-mail marketing to individuals without consent, or relying on the
    customer exception (soft opt-in) for addresses that are not our own customers' or without an opt-out
    in every message (Telecommunicatiewet art. 11.7(1), (3))."""
    for aid, act in ctx.activities():
        em = act.electronic_marketing
        if em is None or em.audience != "individuals":
            continue
        if em.ground == "none":
            ctx.emit("marketing-without-consent", aid, f"activity:{aid}", ("electronic_marketing", "ground"),
                     "electronic marketing to individuals without prior consent or the customer exception")
        elif em.ground == "soft-opt-in" and em.own_customers is not True:
            ctx.emit("marketing-without-consent", aid, f"activity:{aid}", ("electronic_marketing", "ground"),
                     "the customer exception (soft opt-in) covers only addresses obtained from our own customers in "
                     "the sale of our own products or services, for similar ones; `own_customers` is not true "
                     "(people we coach for a client employer are that employer's staff, not our customers)")
        elif em.ground == "soft-opt-in" and not em.opt_out_in_every_message:
            ctx.emit("marketing-without-consent", aid, f"activity:{aid}",
                     ("electronic_marketing", "opt_out_in_every_message"),
                     "the customer exception (soft opt-in) needs an opt-out in every message")


def check_transfers(ctx: Context) -> None:
    """``transfer-without-safeguard``: data reaching a country outside the EEA without an adequacy decision
    in force on the run's date (for a decision limited to certified organisations, a certified recipient)
    or an art. 46 safeguard: a recorded transfer, a recipient party abroad, or a system hosted abroad."""
    reg = ctx.register
    cat = reg.catalogue
    for aid, act in ctx.activities():
        for i, t in enumerate(act.transfers):
            if t.safeguard == Safeguard.NONE and not cat.in_eea_or_adequate(t.country, ctx.as_of):
                ctx.emit("transfer-without-safeguard", aid, f"activity:{aid}", ("transfers", i, "safeguard"),
                         f"transfer to {t.party!r} in {t.country} has no safeguard")
            elif t.safeguard == Safeguard.ADEQUACY and not cat.in_eea_or_adequate(t.country, ctx.as_of, t.certified):
                ctx.emit("transfer-without-safeguard", aid, f"activity:{aid}", ("transfers", i, "safeguard"),
                         f"transfer to {t.party!r} in {t.country} relies on adequacy, but no adequacy decision "
                         f"covers it on {ctx.as_of} (see data/countries.yaml; a decision limited to certified "
                         f"organisations needs `certified: true`)")
        covered = {t.party for t in act.transfers if t.safeguard != Safeguard.NONE}
        for _, v, k in sorted(ctx.graph.out_edges(aid, keys=True)):
            party = reg.parties.get(v)
            if party is None or is_data_subject_party(party) or v in covered:
                continue
            if not cat.in_eea_or_adequate(party.country, ctx.as_of):
                _, key, loc = ctx.edge_place(k)
                ctx.emit("transfer-without-safeguard", aid, key, loc,
                         f"{v!r} in {party.country} (outside the EEA, no adequacy) receives data without a "
                         f"recorded transfer safeguard")
        for i, sid in enumerate(act.systems):
            system = reg.systems.get(sid)
            if system is None or cat.in_eea_or_adequate(system.hosting_country, ctx.as_of):
                continue
            supplier = reg.parties.get(system.supplier) if system.supplier else None
            if system.supplier in covered or (supplier is not None
                                              and not cat.in_eea_or_adequate(supplier.country, ctx.as_of)):
                continue  # covered, or already reported on the hosting edge to the supplier abroad
            ctx.emit("transfer-without-safeguard", aid, f"activity:{aid}", ("systems", i),
                     f"system {sid!r} is hosted in {system.hosting_country} (outside the EEA, no adequacy) and no "
                     f"transfer with a safeguard is recorded for its supplier {system.supplier!r}")


def check_source_informed(ctx: Context) -> None:
    """``source-not-informed``: data from a party other than the data subject, without an art. 14 step."""
    reg = ctx.register
    for aid, act in ctx.activities():
        if act.information is not None or acts_as_processor(act):
            continue
        for i, flow in enumerate(act.flows):
            party = reg.parties.get(flow.source)
            if flow.target == aid and party is not None and not is_data_subject_party(party):
                ctx.emit("source-not-informed", aid, f"activity:{aid}", ("flows", i, "from"),
                         f"data comes from {flow.source!r} (flow {flow.id!r}) but the activity records no "
                         f"art. 14 information step")
