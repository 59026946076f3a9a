"""The flow graph and its queries, checked by hand against the shipped register and the brief."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from dpia_lib import load_register
from dpia_lib.drawing import draw_flow_graph, figure_bytes, layered_layout
from dpia_lib.flows import (
    category_paths,
    flow_graph,
    neighbourhood,
    origins,
    receivers,
    sources_of,
    special_flows,
)


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return flow_graph(load_register(Path(__file__).parent.parent / "ropa"))


def test_nodes_and_edges(G: nx.MultiDiGraph) -> None:
    # 13 activities + 14 parties; 36 flows + one hosting edge per (activity, system with a supplier).
    assert G.number_of_nodes() == 27
    assert sum(1 for *_, k in G.edges(data="kind") if k == "flow") == 36
    assert G.nodes["special-file"]["kind"] == "activity"
    assert G.nodes["company-doctor"]["kind"] == "party"
    assert G.edges["employer", "reintegration-second-track", "employer-referral"]["categories"] == frozenset(
        {"name-contact", "bsn", "employment-details", "sickness-absence"}
    )
    # The special file is kept in the client-tracking system, so its supplier (a processor) holds it.
    hosting = G.edges["special-file", "cts-supplier", "special-file~client-tracking-system"]
    assert hosting["kind"] == "hosting"
    assert "diagnosis-complaints" in hosting["categories"]


def test_who_receives_functional_limitations(G: nx.MultiDiGraph) -> None:
    # By hand: the company doctor sends the FML to the special file (brief s. 5); from there it goes to
    # the assessments activity (to choose fitting tests) and, on a claim, to legal-claims and the lawyer;
    # the client-tracking-system supplier hosts it. The employer never gets it from the company.
    assert receivers(G, "functional-limitations", kind="party") == {"cts-supplier", "legal-adviser"}
    assert receivers(G, "functional-limitations", kind="activity") == {
        "special-file", "assessments-and-tests", "legal-claims"}
    assert origins(G, "functional-limitations") == {"company-doctor"}
    assert receivers(G, "functional-limitations", origin="special-file") == {
        "assessments-and-tests", "legal-claims", "legal-adviser", "cts-supplier"}


def test_diagnosis_never_reaches_the_employer(G: nx.MultiDiGraph) -> None:
    # Medical secrecy (Wet BIG art. 88, BW 7:457): on a correct register there is no such path.
    assert category_paths(G, "diagnosis-complaints", "employer") == []
    assert receivers(G, "diagnosis-complaints", kind="party") == {"cts-supplier"}


def test_diagnosis_path_found_when_a_flow_leaks_it(ropa_copy: Path) -> None:
    special = ropa_copy / "activities" / "special-file.yaml"
    special.write_text(special.read_text(encoding="utf-8") + """\
  - id: complaints-into-report
    from: special-file
    to: progress-reporting
    categories: [diagnosis-complaints]
    channel: client-tracking-system
    frequency: monthly
""", encoding="utf-8")
    report = ropa_copy / "activities" / "progress-reporting.yaml"
    text = report.read_text(encoding="utf-8")
    before, sep, after = text.partition("  - id: report-to-employer\n")
    after = after.replace("categories: [name-contact, progress-reports]",
                          "categories: [name-contact, progress-reports, diagnosis-complaints]", 1)
    report.write_text(before + sep + after, encoding="utf-8")
    G = flow_graph(load_register(ropa_copy))
    assert category_paths(G, "diagnosis-complaints", "employer") == [
        ("client-volunteered-complaints", "complaints-into-report", "report-to-employer")
    ]


def test_sources_special_flows_and_neighbourhood(G: nx.MultiDiGraph) -> None:
    assert sources_of(G, "reintegration-second-track") == ["company-doctor", "data-subject", "employer",
                                                           "occupational-health-service", "uwv"]
    carried = {k: cats for _, _, k, cats in special_flows(G, {"diagnosis-complaints"})}
    assert set(carried) == {"client-volunteered-complaints", "special-file~client-tracking-system"}
    around = neighbourhood(G, "special-file")
    assert set(around.nodes) == {"special-file", "company-doctor", "labour-expert", "data-subject",
                                 "reintegration-second-track", "assessments-and-tests", "legal-claims",
                                 "cts-supplier"}


def test_drawing_is_deterministic(G: nx.MultiDiGraph) -> None:
    pos = layered_layout(G)
    assert pos["company-doctor"][0] == 0.0  # only sends: left column
    assert pos["special-file"][0] == 1.0  # activities in the middle
    assert pos["employer"][0] == 2.0  # receives reports: right column
    first = figure_bytes(draw_flow_graph(G, language="en"), "svg")
    again = figure_bytes(draw_flow_graph(flow_graph(load_register(Path(__file__).parent.parent / "ropa")),
                                         language="en"), "svg")
    assert first == again
    assert b"Special file (functional" in first


def test_paths_found_on_a_cycle_without_entry_point() -> None:
    # a -> b -> a carries the category in a loop that also feeds the target; elsewhere x -> y has an entry.
    G = nx.MultiDiGraph()
    for node in ("a", "b", "t", "x", "y"):
        G.add_node(node, kind="activity")
    for u, v, k in (("a", "b", "ab"), ("b", "a", "ba"), ("b", "t", "bt"), ("x", "y", "xy")):
        G.add_edge(u, v, key=k, categories=frozenset({"c"}))
    assert category_paths(G, "c", "t") == [("ab", "bt"), ("bt",)]
    assert category_paths(G, "c", "y") == [("xy",)]


def test_register_text_is_drawn_literally(G: nx.MultiDiGraph) -> None:
    # '$...$' in a register string must be drawn as it is, not read as matplotlib mathtext.
    G = G.copy()
    G.nodes["newsletter"]["label"] = {"nl": r"Nieuwsbrief $\euro$ acties", "en": r"Newsletter $\euro$"}
    svg = figure_bytes(draw_flow_graph(G, language="nl", title="$x$"), "svg")
    assert b"Nieuwsbrief" in svg
