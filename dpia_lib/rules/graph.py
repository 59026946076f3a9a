"""Rules on the flow graph (:mod:`dpia_lib.flows`): who receives what, by which path.

- ``medical-secrecy-breach``: a medical-secrecy category reaches an employer by any path;
- ``health-to-employer``: another health category the company doctor may not pass on reaches an employer;
- ``minimisation-excess``: a flow brings an activity categories it does not declare;
- ``processor-without-dpa``: a processor receives data (by a flow or by hosting a system) without a
  current data-processing agreement;
- ``confidentiality-missing``: a role or party with access to special-category data is not bound to
  secrecy.

A finding about a path points at the category in the flow that delivers it to the employer.
"""

from __future__ import annotations

from dpia_lib.flows import category_paths
from dpia_lib.law import Confidentiality, PartyRole
from dpia_lib.rules._context import Context

__all__ = [
    "check_confidentiality",
    "check_employer_paths",
    "check_minimisation",
    "check_processors",
]


def _employers(ctx: Context) -> list[str]:
    return sorted(pid for pid, p in ctx.register.parties.items() if p.kind.value == "employer")


def check_employer_paths(ctx: Context) -> None:
    """``medical-secrecy-breach`` and ``health-to-employer`` for every path into an employer."""
    cats = ctx.register.catalogue.categories
    for employer in _employers(ctx):
        for cid, entry in cats.items():
            if entry.medical_secrecy:
                code = "medical-secrecy-breach"
            elif entry.special == "health" and not entry.employer_may_receive:
                code = "health-to-employer"
            else:
                continue
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
    for u, v, k, data in sorted(ctx.graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
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
        senders = sorted({u for u, _ in ctx.graph.in_edges(pid) if u in reg.activities})
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
    """``confidentiality-missing``: roles with access, and parties receiving special data, not bound to secrecy."""
    reg = ctx.register
    for aid, act in reg.activities.items():
        special = [c for c in act.categories if reg.catalogue.is_special(c)]
        if not special:
            continue
        for i, rid in enumerate(act.access):
            role = reg.roles.get(rid)
            if role is not None and role.confidentiality == Confidentiality.NONE:
                ctx.emit("confidentiality-missing", aid, f"activity:{aid}", ("access", i),
                         f"role {rid!r} has access to {', '.join(special)} but is bound to no confidentiality")
        for _, v, k, cats in sorted(ctx.graph.out_edges(aid, keys=True, data="categories")):
            party = reg.parties.get(v)
            carried = sorted(c for c in cats if reg.catalogue.is_special(c))
            if party is None or not carried or party.kind.value == "data-subject":
                continue
            if party.confidentiality in (None, Confidentiality.NONE):
                loc = ("confidentiality",) if party.confidentiality is not None else ("kind",)
                ctx.emit("confidentiality-missing", aid, f"party:{v}", loc,
                         f"party {v!r} receives {', '.join(carried)} from {aid!r} (edge {k!r}) but is bound to "
                         f"no confidentiality")
