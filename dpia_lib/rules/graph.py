"""Rules on the flow graph (:mod:`dpia_lib.flows`) and on who sees what.

- ``medical-secrecy-breach``: a medical-secrecy category reaches an employer by any path;
- ``health-to-employer``: another health category the company doctor may not pass on reaches an employer;
- ``minimisation-excess``: a flow brings an activity categories it does not declare;
- ``processor-without-dpa``: a processor receives data (by a flow or by hosting a system) without a
  current data-processing agreement;
- ``confidentiality-missing``: one of our roles, or one of our processors, with access to special-category
  data is not bound to secrecy (UAVG art. 30(4)). Independent controllers that receive data (the
  employer, a company doctor) answer for their own staff; what they may receive is decided by the two
  employer rules above;
- ``medical-access-unqualified``: a role without medical training has access to data under medical
  secrecy (NVAB guidance on information to reintegration companies; UAVG art. 30(4)).

A finding about a path points at the category in the flow that delivers it to the employer.
"""

from __future__ import annotations

from dpia_lib.catalogue import Catalogue
from dpia_lib.flows import category_paths
from dpia_lib.law import Confidentiality, PartyRole
from dpia_lib.legal import (
    is_employer,
    is_our_processor,
    medical_secrecy_categories,
    medically_qualified,
    special_categories,
)
from dpia_lib.rules._context import Context

__all__ = [
    "check_confidentiality",
    "check_employer_paths",
    "check_medical_access",
    "check_minimisation",
    "check_processors",
    "employer_codes",
]


def _employers(ctx: Context) -> list[str]:
    return sorted(pid for pid, p in ctx.register.parties.items() if is_employer(p))


def employer_codes(catalogue: Catalogue) -> dict[str, str]:
    """The categories that may not reach an employer, with the code of the finding when one does: under
    medical secrecy, or other health data the company doctor may not pass on."""
    out = {}
    for cid, entry in catalogue.categories.items():
        if entry.medical_secrecy:
            out[cid] = "medical-secrecy-breach"
        elif entry.special == "health" and not entry.employer_may_receive:
            out[cid] = "health-to-employer"
    return out


def check_employer_paths(ctx: Context) -> None:
    """``medical-secrecy-breach`` and ``health-to-employer`` for every path into an employer.

    A path may run through any number of activities and the finding is about the one whose flow
    delivers the data to the employer, so an edit anywhere along the path changes it: in a scoped run
    the paths are still followed through the whole graph."""
    codes = employer_codes(ctx.register.catalogue)
    for employer in _employers(ctx):
        for cid, code in codes.items():
            last_edges: dict[str, tuple[str, ...]] = {}
            for path in category_paths(ctx.graph, cid, employer):
                last_edges.setdefault(path[-1], path)
            for edge, path in sorted(last_edges.items()):
                aid, key, loc = ctx.edge_place(edge, cid)
                route = " -> ".join(path)
                ctx.emit(code, aid, key, loc,
                         f"{cid!r} reaches the employer {employer!r} by flow {route}"
                         + (" (medical secrecy: never to the employer)" if code == "medical-secrecy-breach"
                            else " (beyond what the company doctor may pass on)"))


def check_minimisation(ctx: Context) -> None:
    """``minimisation-excess``: categories a flow brings that the receiving activity does not declare."""
    reg = ctx.register
    if ctx.scope is None:
        edges = list(ctx.graph.edges(keys=True, data=True))
    else:
        edges = [e for aid, _ in ctx.activities() if aid in ctx.graph
                 for e in ctx.graph.in_edges(aid, keys=True, data=True)]
    for u, v, k, data in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        if data["kind"] != "flow" or v not in reg.activities:
            continue
        declared = set(reg.activities[v].categories)
        for cid in sorted(data["categories"] - declared):
            _, key, loc = ctx.edge_place(k, cid)
            ctx.emit("minimisation-excess", v, key, loc,
                     f"flow {k!r} from {u!r} brings {cid!r}, which activity {v!r} does not declare it needs")


def check_processors(ctx: Context) -> None:
    """``processor-without-dpa``: a processor receiving data with no DPA, or one that has expired."""
    reg = ctx.register
    for pid, party in reg.parties.items():
        if party.role != PartyRole.PROCESSOR or pid not in ctx.graph:
            continue
        senders = sorted({u for u, _ in ctx.graph.in_edges(pid) if u in reg.activities and ctx.in_scope(u)})
        loc: tuple[str, ...]
        if party.dpa is None:
            problem, loc = "has no data-processing agreement", ("kind",)
        elif party.dpa.expires is not None and party.dpa.expires < ctx.as_of:
            problem, loc = f"has a data-processing agreement that expired on {party.dpa.expires}", ("dpa", "expires")
        else:
            continue
        for aid in senders:
            ctx.emit("processor-without-dpa", aid, f"party:{pid}", loc,
                     f"processor {pid!r} receives data of activity {aid!r} but {problem}")


def check_confidentiality(ctx: Context) -> None:
    """``confidentiality-missing``: our roles with access, and our processors receiving special data, not
    bound to secrecy (UAVG art. 30(4))."""
    reg = ctx.register
    for aid, act in ctx.activities():
        special = special_categories(reg, act)
        if not special:
            continue
        for i, rid in enumerate(act.access):
            role = reg.roles.get(rid)
            if role is not None and role.confidentiality == Confidentiality.NONE:
                ctx.emit("confidentiality-missing", aid, f"activity:{aid}", ("access", i),
                         f"role {rid!r} has access to {', '.join(special)} but is bound to no confidentiality")
        for _, v, k, cats in sorted(ctx.graph.out_edges(aid, keys=True, data="categories")):
            party = reg.parties.get(v)
            carried = sorted(c for c in cats if c in special)
            if not is_our_processor(party) or not carried:
                continue
            assert party is not None
            if party.confidentiality in (None, Confidentiality.NONE):
                loc = ("confidentiality",) if party.confidentiality is not None else ("kind",)
                ctx.emit("confidentiality-missing", aid, f"party:{v}", loc,
                         f"processor {v!r} receives {', '.join(carried)} from {aid!r} (edge {k!r}) but is bound "
                         f"to no confidentiality (art. 28(3)(b))")


def check_medical_access(ctx: Context) -> None:
    """``medical-access-unqualified``: a role without medical training with access to medical-secrecy data."""
    reg = ctx.register
    for aid, act in ctx.activities():
        secret = medical_secrecy_categories(reg, act.categories)
        if not secret:
            continue
        for i, rid in enumerate(act.access):
            role = reg.roles.get(rid)
            if role is not None and not medically_qualified(role):
                ctx.emit("medical-access-unqualified", aid, f"activity:{aid}", ("access", i),
                         f"role {rid!r} has access to {', '.join(secret)} (medical secrecy) but is not medically "
                         f"trained: such data is for a medically qualified person bound to secrecy")
