"""Execute one notebook with papermill, and run many through an :class:`Executor`.

Two seams keep the batch open to faster back ends without touching the runner:

* the **engine** is a papermill engine name (``None`` or ``"nbclient"``: papermill's default, a fresh
  kernel per notebook). Any engine registered with papermill (its ``papermill.engine`` entry point), such
  as a warm-kernel engine, is accepted by name: see :func:`available_engines`.
* the **executor** runs a picklable function over jobs and yields results as they finish. It satisfies the
  small :class:`Executor` protocol; :data:`EXECUTORS` maps names to factories (``"local"``: a process pool
  of ``workers`` processes). Another back end (e.g. dask.distributed) registers itself with
  :func:`register_executor` from its own module, which :func:`load_executors` imports when present.

With the default engine kernels use IPC transport (a socket file in Jupyter's runtime directory instead of
TCP on localhost, which ipykernel flags as unencrypted), are shut down immediately after the last cell,
and a kernel that fails to start is retried up to ``kernel_retries`` times.
"""

from __future__ import annotations

import importlib
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from dpia_lib.errors import ParameterError
from dpia_lib.report.kernel import kernel_manager_class

__all__ = [
    "EXECUTORS",
    "ExecutionFailure",
    "ExecutionOptions",
    "Executor",
    "Job",
    "JobResult",
    "LocalExecutor",
    "available_engines",
    "execute_job",
    "load_executors",
    "make_executor",
    "register_executor",
]

T = TypeVar("T")
R = TypeVar("R")

#: Modules that may add executors or engines (written separately; imported when they exist).
OPTIONAL_MODULES: tuple[str, ...] = ("dpia_lib.batch.dask_executor", "dpia_lib.batch.warm")


@dataclass(frozen=True)
class Job:
    """One notebook to run: ``activity`` is None for the register overview."""

    activity: str | None
    notebook: Path
    output: Path
    html: Path
    parameters: dict[str, str] = field(hash=False)
    cwd: Path
    title: str = ""

    @property
    def name(self) -> str:
        """The activity id, or ``register`` for the overview."""
        return self.activity or "register"


@dataclass(frozen=True)
class ExecutionOptions:
    """How to execute notebooks (the same for every job of a batch)."""

    engine: str | None = None
    start_timeout: float = 60.0
    execution_timeout: float | None = 600.0
    kernel_retries: int = 2
    ipc: bool = True
    kernel_name: str = "python3"


@dataclass(frozen=True)
class ExecutionFailure:
    """Why a job failed: the failing cell (index in the executed notebook) with an excerpt of its source."""

    activity: str
    notebook: str
    cell_index: int | None
    cell_source: str
    error: str

    def format(self) -> str:
        """One line for the console: ``activity: notebook cell N: error``, then the cell excerpt."""
        where = f" cell {self.cell_index}" if self.cell_index is not None else ""
        excerpt = f"\n    {self.cell_source}" if self.cell_source else ""
        return f"{self.activity}: {self.notebook}{where}: {self.error}{excerpt}"


@dataclass(frozen=True)
class JobResult:
    """The outcome of one job: ``failure`` is None when the notebook ran and was exported."""

    job: Job
    seconds: float
    failure: ExecutionFailure | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """Whether the job succeeded."""
        return self.failure is None


def available_engines() -> list[str]:
    """Names of the papermill engines that can run notebooks here (papermill's registry)."""
    load_executors()
    from papermill.engines import papermill_engines

    return sorted(name for name in papermill_engines._engines if name)


def _excerpt(source: str, limit: int = 200) -> str:
    lines = [line for line in source.strip().splitlines() if line.strip()]
    text = " / ".join(lines[:3])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_start_failure(exc: BaseException) -> bool:
    """A kernel that did not come up (as opposed to a cell that raised or a kernel dying mid-run)."""
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError):
        return False
    text = str(exc).lower()
    return isinstance(exc, RuntimeError | TimeoutError | OSError) and "kernel" in text and (
        "respond" in text or "start" in text or "before replying" in text or "died" in text
    )


def execute_job(job: Job, options: ExecutionOptions, *, start_hook: Callable[[int], None] | None = None) -> JobResult:
    """Run ``job.notebook`` with papermill into ``job.output``; never raises for a notebook failure.

    ``start_hook(attempt)`` is called before each attempt (tests use it to inject a kernel that fails to
    start).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    extra: dict[str, Any] = {}
    cwd: str | None = str(job.cwd)
    if options.engine in (None, "nbclient"):
        extra = {"kernel_manager_class": kernel_manager_class(options.ipc), "shutdown_kernel": "immediate"}
    elif options.engine == "dpia-warm":
        # The warm engine sets its kernel's directory itself; papermill's ``cwd`` would change this
        # process's directory, which races when jobs run on threads (see dpia_lib.batch.threads).
        extra, cwd = {"kernel_cwd": cwd}, None
    attempt = 0
    while True:
        attempt += 1
        try:
            if start_hook is not None:
                start_hook(attempt)
            papermill.execute_notebook(
                str(job.notebook), str(job.output), parameters=dict(job.parameters),
                engine_name=options.engine, kernel_name=options.kernel_name, progress_bar=False,
                start_timeout=options.start_timeout, execution_timeout=options.execution_timeout,
                cwd=cwd, **extra,
            )
        except PapermillExecutionError as exc:
            failure = ExecutionFailure(job.name, str(job.notebook), exc.cell_index, _excerpt(exc.source or ""),
                                       f"{exc.ename}: {exc.evalue}")
            return JobResult(job, time.perf_counter() - started, failure, attempt)
        except Exception as exc:  # noqa: BLE001 - one failing activity must never stop the batch
            if _is_start_failure(exc) and attempt <= options.kernel_retries:
                continue
            failure = ExecutionFailure(job.name, str(job.notebook), None, "", f"{type(exc).__name__}: {exc}")
            return JobResult(job, time.perf_counter() - started, failure, attempt)
        return JobResult(job, time.perf_counter() - started, None, attempt)


class Executor(Protocol):
    """Runs ``fn`` over ``items`` and yields each result as soon as it is ready (any order).

    ``fn`` and the items are picklable; an implementation may run them in processes, threads or on a
    cluster. ``close()`` releases workers.
    """

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """A pool of ``workers`` local processes (spawned, so no state leaks from the parent)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=min(self.workers, max(1, len(items))),
                                             mp_context=multiprocessing.get_context("spawn"))
        pending: set[Future[R]] = {self._pool.submit(fn, item) for item in items}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=id):
                yield future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


ExecutorFactory = Callable[..., Executor]

#: Executors by name. Each factory takes ``workers`` and keyword options (e.g. ``scheduler``).
EXECUTORS: dict[str, ExecutorFactory] = {"local": LocalExecutor}


def register_executor(name: str, factory: ExecutorFactory) -> None:
    """Make ``factory`` available as ``dpia batch --executor NAME``."""
    EXECUTORS[name] = factory


def load_executors(modules: Iterable[str] = OPTIONAL_MODULES) -> list[str]:
    """Import the optional back-end modules that exist (they register themselves); the executor names."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return sorted(EXECUTORS)


def make_executor(name: str, workers: int, **options: Any) -> Executor:
    """The executor called ``name`` with ``workers`` workers; :class:`ParameterError` if unknown."""
    if name not in EXECUTORS:
        load_executors()
    if name not in EXECUTORS:
        raise ParameterError(f"unknown executor {name!r}; available: {', '.join(sorted(EXECUTORS))}")
    return EXECUTORS[name](workers, **options)
