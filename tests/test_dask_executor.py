"""``dpia batch --executor dask``: the batch on a dask.distributed cluster (a LocalCluster with one
single-threaded worker process here) writes the same reports as the local executor, also with the
warm-kernel engine. Budget: about 40 s on 2 cores.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from dpia_lib.batch.dask_executor import DaskExecutor
from dpia_lib.batch.execute import ExecutionOptions, load_executors
from dpia_lib.batch.runner import BatchOptions, BatchResult, run_batch
from dpia_lib.cli import main
from tests.engine_fixtures import copy_register

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-01"
ACTIVITIES = ("newsletter", "special-file")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def register_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_register(tmp_path_factory.mktemp("dask"))


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def local_run(register_dir: Path) -> BatchResult:
    return run_batch(BatchOptions(register=register_dir, out=register_dir.parent / "local", workers=1,
                                  activities=ACTIVITIES, as_of=AS_OF, include_register=False))


def _reports(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.html"))}


def test_dask_is_a_registered_executor() -> None:
    assert "dask" in load_executors()


def test_the_dask_executor_runs_functions_and_yields_every_result() -> None:
    executor = DaskExecutor(workers=1, processes=False)
    try:
        assert sorted(executor.map_unordered(abs, [-3, 1, -2])) == [1, 2, 3]
        assert list(executor.map_unordered(abs, [])) == []
    finally:
        executor.close()


def test_batch_on_a_cluster_writes_the_same_reports_as_the_local_run(
    register_dir: Path, scheduler: str, local_run: BatchResult
) -> None:
    out = register_dir.parent / "dask"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["batch", "--register", str(register_dir), "--out", str(out), "--as-of", AS_OF,
                     "--executor", "dask", "--scheduler", scheduler, "--no-progress",
                     *[arg for aid in ACTIVITIES for arg in ("--activity", aid)]])
    assert code == 0, stderr.getvalue()
    assert local_run.exit_code == 0
    local = _reports(register_dir.parent / "local")
    remote = _reports(out)
    assert sorted(remote) == ["index.html", "newsletter.html", "register.html", "special-file.html"]
    for name in ("newsletter.html", "special-file.html"):
        assert remote[name] == local[name], name


def test_warm_engine_on_a_cluster_writes_the_same_reports(
    register_dir: Path, scheduler: str, local_run: BatchResult
) -> None:
    out = register_dir.parent / "dask-warm"
    result = run_batch(BatchOptions(register=register_dir, out=out, workers=1, activities=ACTIVITIES, as_of=AS_OF,
                                    include_register=False, executor="dask",
                                    executor_options={"scheduler": scheduler},
                                    execution=ExecutionOptions(engine="dpia-warm")))
    assert result.exit_code == 0, [r.failure for r in result.results]
    local = _reports(register_dir.parent / "local")
    for name in ("newsletter.html", "special-file.html", "index.html"):
        assert (out / name).read_bytes() == local[name], name
