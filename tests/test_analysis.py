"""The analysis object: one frozen flow graph per register, handed along explicitly; loading and analysing
change nothing process-wide; the register stays as loaded."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pytest

from dpia_lib import load_register
from dpia_lib.analysis import Analysis, analyse
from dpia_lib.dpia import build_dpia
from dpia_lib.flows import flow_graph, update_flow_graph
from dpia_lib.risk import assess_risks
from dpia_lib.rules import check
from dpia_lib.screening import screen, screen_activity

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return analyse(load_register(REPO / "ropa"))


def test_the_graph_handed_out_cannot_be_changed(analysis: Analysis) -> None:
    G = analysis.graph
    edges = G.number_of_edges()
    with pytest.raises(nx.NetworkXError):
        G.add_edge("employer", "special-file", key="leak", categories=frozenset({"diagnosis-complaints"}))
    with pytest.raises(nx.NetworkXError):
        G.remove_node("employer")
    assert G.number_of_edges() == edges
    with pytest.raises(nx.NetworkXError):
        flow_graph(analysis.register).add_node("x")


def test_an_analysis_is_passed_on_as_it_is(analysis: Analysis) -> None:
    assert analyse(analysis) is analysis
    # every engine function takes the analysis or a plain register, with the same result
    register = analysis.register
    assert screen(analysis) == screen(register)
    assert screen_activity(analysis, "special-file") == screen_activity(register, "special-file")
    assert check(analysis, AS_OF) == check(register, AS_OF)
    assert assess_risks(analysis, "special-file") == assess_risks(register, "special-file")
    assert build_dpia(analysis, "special-file", AS_OF) == build_dpia(register, "special-file", AS_OF)


def test_each_register_gets_its_own_graph() -> None:
    first, second = load_register(REPO / "ropa"), load_register(REPO / "ropa")
    assert analyse(first).graph is not analyse(second).graph
    assert nx.utils.graphs_equal(analyse(first).graph, analyse(second).graph)


def test_locating_leaves_the_register_unchanged(analysis: Analysis) -> None:
    register = analysis.register
    before = register.model_dump()
    path, line, column = analysis.locate("activity:newsletter", ("owner",))
    assert Path(path).name == "newsletter.yaml"
    text = (REPO / "ropa" / "activities" / "newsletter.yaml").read_text(encoding="utf-8").splitlines()
    assert text[line - 1][column - 1:].startswith("marketing-staff")
    assert register.locate("activity:newsletter", ("owner",)) == (path, line, column)
    assert register.model_dump() == before
    assert not register.__pydantic_private__  # no hidden per-instance state


def test_a_working_copy_updated_in_place_equals_a_new_graph(tmp_path: Path) -> None:
    from tests.engine_fixtures import copy_register

    root = copy_register(tmp_path)
    old = load_register(root)
    path = root / "activities" / "reintegration-second-track.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    to: training-institute\n" in text
    path.write_text(text.replace("    to: training-institute\n", "    to: special-file\n", 1), encoding="utf-8")
    new = load_register(root)
    frozen = flow_graph(old)
    edges = sorted(frozen.edges(keys=True))
    H = frozen.copy()
    update_flow_graph(H, old, new, activities={"reintegration-second-track"})
    assert sorted(frozen.edges(keys=True)) == edges
    expected = flow_graph(new)
    assert sorted(H.edges(keys=True)) != edges
    assert sorted(H.edges(keys=True, data=True)) == sorted(expected.edges(keys=True, data=True))
    assert dict(H.nodes(data=True)) == dict(expected.nodes(data=True))


def test_loading_and_checking_change_nothing_process_wide() -> None:
    # in a fresh interpreter, so that nothing the test process did counts
    code = textwrap.dedent(f"""
        import datetime as dt, gc, sys
        sys.path.insert(0, {str(REPO)!r})
        from dpia_lib.synthetic import generate_register
        from dpia_lib import load_register, check, screen
        from dpia_lib.analysis import analyse
        import tempfile, pathlib
        root = generate_register(pathlib.Path(tempfile.mkdtemp()) / "ropa", 1000, seed=1)
        threshold = gc.get_threshold()
        register = load_register(root)
        analysis = analyse(register)
        screen(analysis); check(analysis, dt.date(2026, 11, 25))
        print(gc.get_freeze_count(), gc.isenabled(), gc.get_threshold() == threshold)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["0", "True", "True"]
