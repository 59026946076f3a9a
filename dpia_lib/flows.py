"""The register as a networkx ``MultiDiGraph`` of data flows, and the queries a DPIA needs.

Nodes are parties and activities (attribute ``kind``: ``"party"`` or ``"activity"``). Edges are the
register's flows (``kind="flow"``, keyed by flow id) plus one derived ``kind="hosting"`` edge from each
activity to the supplier of each system it uses: a processor hosting the data receives all of it.
Every edge carries ``categories`` (a frozenset of data-category ids). A category *reaches* a node when a
path of edges that all carry that category leads there. The graphs built here are frozen
(``nx.freeze``): screening, rules, risk and reports share one graph per register
(:class:`~dpia_lib.analysis.Analysis`), so none of them may change it for the others.

>>> from dpia_lib import load_register
>>> G = flow_graph(load_register())
>>> sorted(receivers(G, "functional-limitations", kind="party"))
['cts-supplier', 'legal-adviser']
>>> category_paths(G, "diagnosis-complaints", "employer")
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from dpia_lib.register import Register

__all__ = [
    "category_graph",
    "category_paths",
    "flow_graph",
    "neighbourhood",
    "origins",
    "receivers",
    "sources_of",
    "special_flows",
    "update_flow_graph",
]


def _add_party(G: nx.MultiDiGraph, register: Register, pid: str) -> None:
    party = register.parties[pid]
    G.add_node(pid, kind="party", party_kind=party.kind, role=party.role.value,
               country=party.country, label=party.name)


def _add_activity_node(G: nx.MultiDiGraph, register: Register, aid: str) -> None:
    act = register.activities[aid]
    G.add_node(aid, kind="activity", label=act.name, dossier=act.dossier)


def _add_activity_edges(G: nx.MultiDiGraph, register: Register, aid: str) -> None:
    """The flows of activity ``aid`` and a hosting edge to the supplier of each system it uses."""
    act = register.activities[aid]
    for flow in act.flows:
        G.add_edge(flow.source, flow.target, key=flow.id, kind="flow", categories=frozenset(flow.categories),
                   channel=flow.channel, frequency=flow.frequency, activity=aid,
                   basis=flow.ground.basis.value if flow.ground else None)
    for sid in act.systems:
        supplier = register.systems[sid].supplier if sid in register.systems else None
        if supplier is not None and supplier in register.parties:
            G.add_edge(aid, supplier, key=f"{aid}~{sid}", kind="hosting", categories=frozenset(act.categories),
                       channel="system", frequency="continuous", activity=aid, system=sid, basis=None)


def flow_graph(register: Register) -> nx.MultiDiGraph:
    """The flow graph of ``register``, frozen (nodes and edges in sorted, reproducible order).

    >>> from dpia_lib import load_register
    >>> flow_graph(load_register()).add_node("x")
    Traceback (most recent call last):
    ...
    networkx.exception.NetworkXError: Frozen graph can't be modified
    """
    G = nx.MultiDiGraph(name=register.organisation.name)
    for pid in register.parties:
        _add_party(G, register, pid)
    for aid in register.activities:
        _add_activity_node(G, register, aid)
    for aid in register.activities:
        _add_activity_edges(G, register, aid)
    return nx.freeze(G)


def update_flow_graph(G: nx.MultiDiGraph, old: Register, new: Register, *,
                      activities: Iterable[str] = (), parties: Iterable[str] = ()) -> None:
    """Bring ``G``, a mutable copy of the graph of ``old``, up to date with ``new`` in place, when only
    ``activities`` and ``parties`` differ: afterwards it has the nodes, attributes and edges of
    :func:`flow_graph` of ``new``.

    For a caller that keeps its own working graph across edits (:mod:`dpia_lib.incremental`); a
    party no longer in ``new`` keeps its node only while flows still reach it.
    """
    for pid in sorted(set(parties)):
        if pid in new.parties:
            _add_party(G, new, pid)
    for aid in sorted(set(activities)):
        if aid in old.activities and aid in G:
            G.remove_edges_from({(u, v, k) for u, v, k, a in [*G.out_edges(aid, keys=True, data="activity"),
                                                                  *G.in_edges(aid, keys=True, data="activity")]
                                 if a == aid})
        if aid in new.activities:
            _add_activity_node(G, new, aid)
            _add_activity_edges(G, new, aid)
        elif aid in G and not any(True for _ in nx.all_neighbors(G, aid)):
            G.remove_node(aid)
    for pid in sorted(set(parties)):
        if pid not in new.parties and pid in G and not any(True for _ in nx.all_neighbors(G, pid)):
            G.remove_node(pid)


def category_graph(G: nx.MultiDiGraph, category: str) -> nx.MultiDiGraph:
    """A read-only view of ``G`` with only the edges that carry ``category``."""
    def carries(u: str, v: str, k: str) -> bool:
        return category in G.edges[u, v, k]["categories"]

    return nx.subgraph_view(G, filter_edge=carries)


def _nodes_of(G: nx.MultiDiGraph, nodes: Iterable[str], kind: str | None) -> set[str]:
    return {n for n in nodes if kind is None or G.nodes[n]["kind"] == kind}


def receivers(G: nx.MultiDiGraph, category: str, *, origin: str | None = None, kind: str | None = None) -> set[str]:
    """Nodes that receive ``category``: directly (the end of an edge carrying it) or downstream.

    With ``origin``, only those the category reaches from that node. ``kind`` filters on
    ``"party"`` or ``"activity"``.
    """
    H = category_graph(G, category)
    if origin is not None:
        found = nx.descendants(H, origin) if origin in H else set()
    else:
        found = {v for _, v in H.edges()}
    return _nodes_of(G, found, kind)


def origins(G: nx.MultiDiGraph, category: str) -> set[str]:
    """Nodes where ``category`` enters the graph: they send it but receive it from no one."""
    H = category_graph(G, category)
    return {u for u, _ in H.edges() if H.in_degree(u) == 0}


def category_paths(G: nx.MultiDiGraph, category: str, target: str) -> list[tuple[str, ...]]:
    """Every simple path by which ``category`` reaches ``target``, as tuples of edge keys (flow ids).

    Paths start where the category enters the graph (or at any sender on a cycle); sorted.
    """
    H = category_graph(G, category)
    if target not in H or H.in_degree(target) == 0:
        return []
    # Only nodes from which the target can be reached take part: path enumeration elsewhere is wasted
    # (and exponential on a large register).
    upstream = nx.ancestors(H, target)
    if not upstream:
        return []
    # Start where the category enters; on a cycle with no entry point, start at every sender on it.
    starts = (origins(G, category) & upstream) or upstream
    K = H.subgraph(upstream | {target})
    paths: set[tuple[str, ...]] = set()
    for start in sorted(starts):
        for edge_path in nx.all_simple_edge_paths(K, start, target):
            paths.add(tuple(key for _, _, key in edge_path))
    return sorted(paths)


def sources_of(G: nx.MultiDiGraph, activity: str) -> list[str]:
    """The nodes that send data directly to ``activity``, sorted."""
    return sorted({u for u, _, k in G.in_edges(activity, keys=True)})


def special_flows(G: nx.MultiDiGraph, special: Iterable[str]) -> Iterator[tuple[str, str, str, frozenset[str]]]:
    """Edges that carry any of the ``special`` categories: (from, to, key, the special ones carried)."""
    wanted = frozenset(special)
    for u, v, k, cats in sorted(G.edges(keys=True, data="categories")):
        hit = cats & wanted
        if hit:
            yield u, v, k, frozenset(hit)


def neighbourhood(G: nx.MultiDiGraph, activity: str, radius: int = 1) -> Any:
    """The subgraph around ``activity``: every node within ``radius`` flows, either direction.

    The nodes are found by following each node's predecessors and successors (what ``nx.ego_graph`` with
    ``undirected=True`` finds, without building an undirected copy of the whole graph).
    """
    nodes = {activity}
    frontier = {activity}
    for _ in range(radius):
        frontier = {n for node in frontier for n in (*G.predecessors(node), *G.successors(node))} - nodes
        nodes |= frontier
    return G.subgraph(sorted(nodes))
