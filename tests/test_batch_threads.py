"""``dpia batch --engine dpia-warm`` with the local executor runs jobs on threads of the batch process
(:mod:`dpia_lib.batch.threads`): kernels are warm before the first job, each thread keeps its own, a
crashed kernel is replaced, every kernel is shut down when the batch ends (also when the register turns
out invalid), the process's working directory is never changed, and the reports equal the default
engine's byte for byte. Budget: about 30 s on 2 cores.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from dpia_lib.batch import warm
from dpia_lib.batch.execute import ExecutionOptions, Job, JobResult, execute_job
from dpia_lib.batch.runner import BatchOptions, run_batch
from dpia_lib.batch.threads import ThreadExecutor
from dpia_lib.errors import RegisterError
from tests.engine_fixtures import copy_register

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-01"
WARM = ExecutionOptions(engine="dpia-warm")
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _fresh_pool() -> Iterator[None]:
    warm.shutdown_warm_kernels()
    yield
    warm.shutdown_warm_kernels()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _kernel_state(_item: int) -> tuple[int, bool, int]:
    """(thread, whether this thread's kernel was already warm, the kernel's pid), read inside a job."""
    kept = warm._POOL[("python3", threading.get_ident())]
    return threading.get_ident(), kept.kc is not None, kept.km.provisioner.pid


def test_each_thread_warms_its_own_kernel_before_its_first_job_and_close_stops_them() -> None:
    executor = ThreadExecutor(2)
    try:
        states = list(executor.map_unordered(_kernel_state, [1, 2, 3, 4, 5, 6]))
    finally:
        executor.close()
    by_thread = {thread: pid for thread, _, pid in states}
    assert all(ready for _, ready, _ in states)
    assert len(states) == 6 and len(set(by_thread.values())) == len(by_thread)  # one kernel per thread
    assert set(by_thread) <= executor.threads and threading.get_ident() not in by_thread
    assert not any(key[1] in executor.threads for key in warm._POOL)
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
    executor = ThreadExecutor(1)  # one thread: the jobs run in order in the same thread
    try:
        results = {r.job.name: r for r in executor.map_unordered(functools.partial(execute_job, options=WARM), jobs)}
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


def test_warm_batch_writes_the_default_engines_reports_and_leaves_no_kernel(register_dir: Path) -> None:
    cwd = os.getcwd()
    warm_run = run_batch(_options(register_dir, "warm", execution=WARM))
    assert os.getcwd() == cwd
    assert not warm._POOL  # every kernel of the batch's threads was shut down
    default_run = run_batch(_options(register_dir, "default"))
    assert warm_run.exit_code == default_run.exit_code == 0
    names = ["newsletter.html", "register.html", "special-file.html", "index.html"]
    for name in names:
        assert (register_dir.parent / "warm" / name).read_bytes() == (register_dir.parent / "default" / name).read_bytes()
    results: list[JobResult] = list(warm_run.results)
    assert [r.job.name for r in results] == ["newsletter", "special-file", "register"]


def test_an_invalid_register_raises_and_shuts_the_warming_kernels_down(tmp_path: Path) -> None:
    broken = copy_register(tmp_path)
    # A broken shared file stops the whole batch (a broken activity file would only set that activity aside).
    (broken / "parties.yaml").write_text("parties:\n  - id: employer\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegisterError):
        run_batch(BatchOptions(register=broken, out=tmp_path / "out", workers=2, as_of=AS_OF,
                               all_activities=True, execution=WARM))
    assert not warm._POOL
