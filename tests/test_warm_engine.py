"""The warm-kernel papermill engine: isolation between reports, recovery after a crash, report output
identical to papermill's default engine, and kernels that live exactly as long as their pool.

The notebooks are built here (not stored as files, which nbval would collect). Budget: about 25 s.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from papermill.engines import papermill_engines

from dpia_lib.batch import warm
from dpia_lib.batch.warm import WarmKernelPool
from dpia_lib.errors import DpiaError, WarmKernelError

pytestmark = pytest.mark.slow


def _notebook(path: Path, *cells: str, parameters: str = "label = 'x'") -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


_POOL: list[WarmKernelPool] = []


def _run(src: Path, out: Path, engine: str | None, **parameters: Any) -> Any:
    extra = {"kernel_pool": _POOL[-1]} if engine == "dpia-warm" else {}
    return papermill.execute_notebook(str(src), str(out), parameters=parameters, engine_name=engine,
                                      progress_bar=False, kernel_name="python3", **extra)


def _text(nb: Any, index: int) -> str:
    """Printed text of the ``index``-th cell after the parameters (papermill inserts its own cell)."""
    return "".join(o.get("text", "") for o in _cell(nb, index).outputs if o.output_type == "stream")


def _cell(nb: Any, index: int) -> Any:
    assert "injected-parameters" in nb.cells[1].metadata.get("tags", [])
    return nb.cells[index + 1]


@pytest.fixture(autouse=True)
def _pool() -> Iterator[WarmKernelPool]:
    """Each test's notebooks share one pool (so one kernel), closed after the test."""
    with WarmKernelPool() as pool:
        _POOL.append(pool)
        yield pool
    _POOL.remove(pool)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_registered_as_papermill_engine_subclassing_nbclient() -> None:
    from papermill.engines import NBClientEngine

    engine = papermill_engines.get_engine("dpia-warm")
    assert engine is warm.WarmKernelEngine and issubclass(engine, NBClientEngine)
    assert issubclass(WarmKernelError, DpiaError)


def test_a_closed_pool_stops_its_kernel_and_a_notebook_without_pool_leaves_none(tmp_path: Path,
                                                                                 _pool: WarmKernelPool) -> None:
    pid_nb = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    in_pool = int(_text(_run(pid_nb, tmp_path / "a.ipynb", "dpia-warm", label="a"), 1))
    assert _alive(in_pool) and list(_pool.kernel_pids.values()) == [in_pool]
    _pool.close()
    assert not _alive(in_pool) and not _pool.kernel_pids
    # plain papermill use, no pool: the notebook gets a preloaded kernel of its own, stopped afterwards
    own = papermill.execute_notebook(str(pid_nb), str(tmp_path / "b.ipynb"), parameters={"label": "b"},
                                     engine_name="dpia-warm", progress_bar=False, kernel_name="python3")
    pid_own = int(_text(own, 1))
    assert pid_own != in_pool and not _alive(pid_own)


def test_a_variable_set_by_one_report_is_not_visible_to_the_next(tmp_path: Path) -> None:
    probe = ("import os\n"
             "print(os.getpid(), 'secret' in globals(), 'label' in globals(), 'Out' in globals() and len(Out))")
    setter = _notebook(tmp_path / "set.ipynb", "secret = label * 2\nsecret", probe)
    first = _run(setter, tmp_path / "a.ipynb", "dpia-warm", label="abc")
    second = _run(setter, tmp_path / "b.ipynb", "dpia-warm", label="xyz")
    pid_a, secret_a, *_ = _text(first, 2).split()
    # the first report sees its own variable
    assert secret_a == "True"
    assert _cell(first, 1).outputs[0]["data"]["text/plain"] == "'abcabc'"

    reader = _notebook(tmp_path / "read.ipynb", probe)
    third = _run(reader, tmp_path / "c.ipynb", "dpia-warm", label="q")
    pid_c, secret_c, label_c, out_c = _text(third, 1).split()
    assert pid_c == pid_a, "the same kernel must be reused, or this test proves nothing"
    assert (secret_c, label_c) == ("False", "True")  # label: this report's own parameter
    assert out_c == "0"  # no output history from earlier reports
    assert _cell(second, 1).outputs[0]["data"]["text/plain"] == "'xyzxyz'"
    # execution counts restart at 1, as in a fresh kernel
    assert _cell(third, 1).execution_count == 3 and _cell(second, 1).outputs[0]["execution_count"] == 3


def test_each_report_gets_its_own_history_session(tmp_path: Path) -> None:
    # Line numbers restart at 1 for every report; within one history session IPython's database refuses
    # them and prints an error into a report, so each report must start a new session as a fresh kernel does.
    probe = _notebook(tmp_path / "session.ipynb",
                      "import os\nh = get_ipython().history_manager\nprint(os.getpid(), h.session_number)")
    pid_a, session_a = _text(_run(probe, tmp_path / "s1.ipynb", "dpia-warm", label="a"), 1).split()
    pid_b, session_b = _text(_run(probe, tmp_path / "s2.ipynb", "dpia-warm", label="b"), 1).split()
    assert pid_a == pid_b, "the same kernel must be reused, or this test proves nothing"
    assert session_a != session_b


def test_a_crash_in_one_report_does_not_affect_the_next(tmp_path: Path) -> None:
    pid = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    before = _text(_run(pid, tmp_path / "p1.ipynb", "dpia-warm", label="p"), 1).strip()
    crash = _notebook(tmp_path / "crash.ipynb", "import os\nos._exit(3)", "print('never')")
    with pytest.raises(Exception) as info:
        _run(crash, tmp_path / "crash-out.ipynb", "dpia-warm", label="c")
    assert "dead" in str(info.value).lower() or "died" in str(info.value).lower()
    after_nb = _run(pid, tmp_path / "p2.ipynb", "dpia-warm", label="p")
    after = _text(after_nb, 1).strip()
    assert after.isdigit() and after != before  # a fresh kernel took over and ran the report


def test_a_cell_error_fails_that_report_only(tmp_path: Path) -> None:
    bad = _notebook(tmp_path / "bad.ipynb", "leaked = 1\nraise ValueError('boom')")
    with pytest.raises(papermill.PapermillExecutionError, match="boom"):
        _run(bad, tmp_path / "bad-out.ipynb", "dpia-warm", label="b")
    probe = _notebook(tmp_path / "probe.ipynb", "print('leaked' in globals())")
    assert _text(_run(probe, tmp_path / "probe-out.ipynb", "dpia-warm", label="p"), 1).strip() == "False"


_REPORT = (
    "import pandas as pd\nimport matplotlib.pyplot as plt\nimport networkx as nx",
    "df = pd.DataFrame({'activity': [label, label + '-2'], 'risk': [3, 1]})\ndf",
    "print(df.risk.sum(), nx.path_graph(4).number_of_edges())",
    "fig, ax = plt.subplots(figsize=(3, 2), dpi=50)\nax.bar(df.activity, df.risk)\nax.set_title(label)",
)


def _outputs(nb: Any) -> list[Any]:
    return [(c.source, c.get("execution_count"), c.get("outputs")) for c in nb.cells]


def test_report_output_identical_to_papermills_default_engine(tmp_path: Path) -> None:
    src = _notebook(tmp_path / "report.ipynb", *_REPORT)
    default = _run(src, tmp_path / "default.ipynb", None, label="alpha")
    warm_first = _run(src, tmp_path / "w1.ipynb", "dpia-warm", label="beta")
    warm_second = _run(src, tmp_path / "w2.ipynb", "dpia-warm", label="alpha")
    assert any("image/png" in o.get("data", {}) for o in _cell(default, 4).outputs)
    assert "<table" in _cell(default, 2).outputs[0]["data"]["text/html"]
    assert _outputs(warm_second) == _outputs(default)
    assert _outputs(warm_first) != _outputs(default)  # the parameter shows: the comparison can fail


def test_a_register_edited_between_two_reports_in_one_kernel_shows_in_the_second(tmp_path: Path) -> None:
    from tests.engine_fixtures import REPO, copy_register, edit

    ropa = copy_register(tmp_path)
    dpia = REPO / "notebooks" / "dpia.ipynb"
    params = {"activity": "newsletter", "language": "en", "as_of": "2026-11-01", "register": str(ropa)}
    probe = _notebook(tmp_path / "probe.ipynb",
                      "import os, dpia_lib.report.cache as c\nprint(os.getpid(), len(c.installed_cache()))")

    def title(nb: Any) -> str:
        return str(nb.cells[2].outputs[0]["data"]["text/html"]).split("</h1>")[0]

    first = _run(dpia, tmp_path / "r1.ipynb", "dpia-warm", **params)
    pid_a, kept = _text(_run(probe, tmp_path / "p1.ipynb", "dpia-warm", label="p"), 1).split()
    assert kept == "1"  # the kernel keeps the register's snapshot for its next report
    assert title(first).endswith(": Newsletter and marketing")
    edit(ropa / "activities" / "newsletter.yaml", "en: Newsletter and marketing}", "en: Mailing list}")
    second = _run(dpia, tmp_path / "r2.ipynb", "dpia-warm", **params)
    pid_b, _ = _text(_run(probe, tmp_path / "p2.ipynb", "dpia-warm", label="p"), 1).split()
    assert pid_a == pid_b, "the same kernel must be reused, or this test proves nothing"
    assert title(second).endswith(": Mailing list")


def test_a_warmed_kernel_is_ready_from_its_preload_and_its_first_notebook_loses_no_output(
        tmp_path: Path, _pool: WarmKernelPool, monkeypatch: pytest.MonkeyPatch) -> None:
    # The preload's own reply and idle status show the kernel ready: jupyter_client's readiness check (a
    # kernel-info round trip and a wait for IOPub to fall silent) is not run, and still the first
    # notebook's outputs all arrive, the first cell's included.
    from jupyter_client.asynchronous.client import AsyncKernelClient

    checks: list[object] = []
    original = AsyncKernelClient.wait_for_ready

    async def counted(self: Any, timeout: float | None = None) -> None:
        checks.append(self)
        await original(self, timeout=timeout)

    monkeypatch.setattr(AsyncKernelClient, "wait_for_ready", counted)
    assert _pool.warm_up()
    src = _notebook(tmp_path / "first.ipynb", "print('first', label)", "print(sum(range(5)))")
    nb = _run(src, tmp_path / "out.ipynb", "dpia-warm", label="a")
    assert checks == []
    assert (_text(nb, 1), _text(nb, 2)) == ("first a\n", "10\n")
