"""One analysis of a register: the register, its flow graph and its line lookups, handed along together.

Screening, the rule engine, risk assessment and the reports all need the flow graph of the same
register. :func:`analyse` builds it once (:func:`dpia_lib.flows.flow_graph`, frozen so no caller can
change it for the others) and the :class:`Analysis` is passed explicitly to each of them; every one of
those functions also accepts a plain :class:`~dpia_lib.register.Register` and then analyses it itself.

>>> import networkx as nx
>>> from dpia_lib import load_register
>>> from dpia_lib.screening import screen
>>> analysis = analyse(load_register())
>>> nx.is_frozen(analysis.graph), analysis.catalogue is analysis.register.catalogue
(True, True)
>>> screen(analysis)["special-file"].verdict.value
'required'
>>> analysis.graph.add_edge("employer", "special-file")
Traceback (most recent call last):
...
networkx.exception.NetworkXError: Frozen graph can't be modified
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx

from dpia_lib.catalogue import Catalogue
from dpia_lib.flows import flow_graph
from dpia_lib.register import Register
from dpia_lib.sources import Sources

__all__ = ["Analysis", "analyse"]


@dataclass(frozen=True, eq=False)
class Analysis:
    """A register with its frozen flow graph and a cache of line lookups (:class:`~dpia_lib.sources.Sources`).

    Build it with :func:`analyse`. Safe to share between threads.
    """

    register: Register
    graph: nx.MultiDiGraph
    sources: Sources = field(repr=False)

    @property
    def catalogue(self) -> Catalogue:
        """The register's reference catalogues."""
        return self.register.catalogue

    def locate(self, key: str, loc: Sequence[str | int] = (), *, on_key: bool = False) -> tuple[str, int, int]:
        """File, line and column of field ``loc`` inside the record ``key`` (see :meth:`Sources.locate`)."""
        return self.sources.locate(key, loc, on_key=on_key)


def analyse(subject: Register | Analysis, graph: nx.MultiDiGraph | None = None) -> Analysis:
    """The analysis of ``subject``: an :class:`Analysis` is returned as it is, a register is analysed.

    ``graph``: the register's flow graph when the caller already has it (it is used as given; graphs from
    :func:`~dpia_lib.flows.flow_graph` are frozen).
    """
    if isinstance(subject, Analysis):
        if graph is None or graph is subject.graph:
            return subject
        return Analysis(subject.register, graph, subject.sources)
    return Analysis(subject, graph if graph is not None else flow_graph(subject), Sources(subject))
