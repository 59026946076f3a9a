"""The batch with the warm-kernel engine (its default) runs jobs on a thread pool of the batch process
with a :class:`~dpia_lib.batch.warm.WarmKernelPool` owned by the run: kernels are warm before the first
job, each thread keeps its own, a crashed kernel is replaced, every kernel is shut down when the batch
ends (also when the register turns out invalid), the process's working directory is never changed, and
the reports equal papermill's own engine's byte for byte. Budget: about 40 s on 2 cores.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from dpia_lib.batch.execute import (
    ExecutionOptions,
    Job,
    JobResult,
    ThreadExecutor,
    default_engine,
    execute_job,
)
from dpia_lib.batch.runner import BatchOptions, run_batch
from dpia_lib.batch.warm import WarmKernelPool
from dpia_lib.errors import RegisterError
from tests.engine_fixtures import copy_register

AS_OF = "2026-11-01"
WARM = ExecutionOptions(engine="dpia-warm")
PLAIN = ExecutionOptions(engine="nbclient")
pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _kernel_children() -> set[int]:
    """Pids of the ipykernel processes started by this process (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"ipykernel" in cmdline:
            found.add(int(stat.parent.name))
    return found


def _kernel_state(pool: WarmKernelPool, _item: int) -> tuple[int, bool, int]:
    """(thread, whether this thread's kernel was already preloaded, the kernel's pid), read inside a job."""
    kept = pool.kernel()
    time.sleep(0.5)  # long enough for both threads to take jobs
    return threading.get_ident(), kept.preloaded, pool.kernel_pids[threading.get_ident()]


def test_the_warm_engine_is_the_batch_default() -> None:
    assert default_engine() == "dpia-warm"
    assert BatchOptions().execution.engine is None  # None: the default engine


def test_each_thread_warms_its_own_kernel_before_its_first_job_and_close_stops_them() -> None:
    with WarmKernelPool() as pool:
        executor = ThreadExecutor(2, pool.thread_initializer)
        try:
            states = list(executor.map_unordered(functools.partial(_kernel_state, pool), [1, 2, 3, 4, 5, 6]))
            assert len(pool.kernel_pids) == 2
        finally:
            executor.close()
    by_thread = {thread: pid for thread, _, pid in states}
    assert all(ready for _, ready, _ in states)
    assert len(states) == 6 and len(by_thread) == 2 and len(set(by_thread.values())) == 2  # one kernel per thread
    assert threading.get_ident() not in by_thread
    assert not pool.kernel_pids
    assert not any(_alive(pid) for pid in by_thread.values())


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("label = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _printed(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream").strip()


def test_a_crashed_kernel_fails_its_job_only_and_the_next_job_runs_in_the_jobs_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    probe = _notebook(tmp_path / "probe.ipynb", "import os\nprint(os.getpid(), os.getcwd())")
    crash = _notebook(tmp_path / "crash.ipynb", "import os\nos._exit(3)")
    jobs = [Job(name, nb, out / f"{name}.ipynb", out / f"{name}.html", {"label": name}, out)
            for name, nb in (("before", probe), ("crash", crash), ("after", probe))]
    cwd = os.getcwd()
    with WarmKernelPool() as pool:
        executor = ThreadExecutor(1, pool.thread_initializer)  # one thread: the jobs run in order
        try:
            task = functools.partial(execute_job, options=WARM, session=pool)
            results = {r.job.name: r for r in executor.map_unordered(task, jobs)}
        finally:
            executor.close()
    assert os.getcwd() == cwd
    assert results["before"].ok and results["after"].ok
    failure = results["crash"].failure
    assert failure is not None and "dead" in failure.error.lower()
    pid_before, dir_before = _printed(out / "before.ipynb").split(" ", 1)
    pid_after, dir_after = _printed(out / "after.ipynb").split(" ", 1)
    assert pid_after != pid_before  # a fresh kernel replaced the crashed one
    assert Path(dir_before) == Path(dir_after) == out.resolve()


@pytest.fixture(scope="module")
def register_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_register(tmp_path_factory.mktemp("threads"))


def _options(register_dir: Path, name: str, **kw: Any) -> BatchOptions:
    return BatchOptions(register=register_dir, out=register_dir.parent / name, workers=2, as_of=AS_OF,
                        activities=("newsletter", "special-file"), include_register=True, **kw)


def test_default_batch_writes_papermills_own_reports_and_leaves_no_kernel(register_dir: Path) -> None:
    cwd = os.getcwd()
    warm_run = run_batch(_options(register_dir, "warm"))  # the default engine
    assert os.getcwd() == cwd
    assert not _kernel_children()  # every kernel of the run was shut down
    plain_run = run_batch(_options(register_dir, "plain", execution=PLAIN))
    assert warm_run.exit_code == plain_run.exit_code == 0
    names = ["newsletter.html", "register.html", "special-file.html", "index.html"]
    for name in names:
        assert (register_dir.parent / "warm" / name).read_bytes() == (register_dir.parent / "plain" / name).read_bytes()
    results: list[JobResult] = list(warm_run.results)
    assert [r.job.name for r in results] == ["newsletter", "special-file", "register"]


def test_an_invalid_register_raises_and_shuts_the_warming_kernels_down(tmp_path: Path) -> None:
    broken = copy_register(tmp_path)
    # A broken shared file stops the whole batch (a broken activity file would only set that activity aside).
    (broken / "parties.yaml").write_text("parties:\n  - id: employer\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegisterError):
        run_batch(BatchOptions(register=broken, out=tmp_path / "out", workers=2, as_of=AS_OF,
                               all_activities=True, execution=WARM))
    assert not _kernel_children()
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.staging-*"))
