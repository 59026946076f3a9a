"""Execute one notebook with papermill, and run many through an :class:`Executor`.

Two seams keep the batch open to faster back ends without touching the runner:

* the **engine** is a papermill engine name, looked up in papermill's registry (its built-in
  ``nbclient`` and every engine registered through the ``papermill.engine`` entry point):
  :func:`available_engines`. ``None`` means the batch's default, the registered engine that declares
  ``batch_default`` (:func:`default_engine`), or papermill's own when none does. An engine declares
  how the batch runs it in the entry point group :data:`BATCH_ENGINE_GROUP` (see :class:`EngineSession`
  and :func:`job_kwargs`).
* the **executor** runs a picklable function over jobs and yields results as they finish. It satisfies the
  small :class:`Executor` protocol; :data:`EXECUTORS` maps names to factories (``"local"``: a process pool
  of ``workers`` processes, or a thread pool for an engine that declares ``batch_threads``). Another
  back end (e.g. dask.distributed) registers itself with :func:`register_executor` from its own module,
  which :func:`load_executors` imports when present.

With papermill's own engine kernels use IPC transport (a socket file in Jupyter's runtime directory
instead of TCP on localhost, which ipykernel flags as unencrypted), are shut down immediately after the
last cell, and a kernel that fails to start is retried up to ``kernel_retries`` times.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures import Executor as FuturesExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from dpia_lib.errors import ParameterError

__all__ = [
    "EXECUTORS",
    "EngineSession",
    "ExecutionFailure",
    "ExecutionOptions",
    "Executor",
    "Job",
    "JobResult",
    "LocalExecutor",
    "ThreadExecutor",
    "available_engines",
    "batch_declaration",
    "default_engine",
    "engine_class",
    "execute_job",
    "job_kwargs",
    "load_executors",
    "make_executor",
    "open_session",
    "register_executor",
    "run_job",
    "runs_on_threads",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Modules that may add executors or engines (written separately; imported when they exist).
OPTIONAL_MODULES: tuple[str, ...] = ("dpia_lib.batch.dask_executor",)


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

    #: A papermill engine name; ``None``: :func:`default_engine`.
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


def _entry_point_engines() -> list[str]:
    from importlib.metadata import entry_points

    return sorted({ep.name for ep in entry_points(group="papermill.engine")})


def engine_class(name: str | None) -> Any:
    """The papermill engine registered as ``name`` (papermill's registry); :class:`ParameterError` if none."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    try:
        return papermill_engines.get_engine(name)
    except PapermillException:
        raise ParameterError(f"unknown engine {name!r}; available: {', '.join(available_engines())}") from None


def available_engines() -> list[str]:
    """Names of the papermill engines that can run notebooks here: papermill's ``nbclient`` and every
    engine registered through the ``papermill.engine`` entry point that papermill's registry holds."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    found = ["nbclient"]
    for name in _entry_point_engines():
        try:
            papermill_engines.get_engine(name)
        except PapermillException as exc:
            log.warning("papermill engine %r is declared but not registered: %s", name, exc)
            continue
        found.append(name)
    return sorted(found)


#: Entry point group in which a papermill engine declares how the batch runs it (by the engine's name):
#: an object with any of ``batch_default`` (bool: the batch's default engine), ``batch_threads`` (bool:
#: jobs may run on threads of one process), ``open_batch_session(kernel_name, start_timeout)`` (what the
#: engine keeps for one run, an :class:`EngineSession` and context manager) and ``batch_job_kwargs(cwd)``
#: (engine options for one notebook without a session). Loading it must not import papermill, so that
#: the batch can start an engine's kernels while papermill and nbconvert are still being imported.
BATCH_ENGINE_GROUP = "dpia.batch_engine"


def batch_declaration(name: str | None) -> Any:
    """What engine ``name`` declares for the batch (:data:`BATCH_ENGINE_GROUP`), or ``None``."""
    from importlib.metadata import entry_points

    for ep in entry_points(group=BATCH_ENGINE_GROUP):
        if ep.name == name:
            return ep.load()
    return None


def default_engine() -> str | None:
    """The engine that declares itself the batch's default (``batch_default``), or ``None`` (papermill's
    own engine) when none does."""
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=BATCH_ENGINE_GROUP), key=lambda ep: ep.name):
        if getattr(ep.load(), "batch_default", False):
            return ep.name
    return None


def runs_on_threads(options: ExecutionOptions) -> bool:
    """Whether the engine declares that its jobs may run on threads of one process."""
    return bool(getattr(batch_declaration(options.engine), "batch_threads", False))


class EngineSession(Protocol):
    """What an engine keeps for one batch run (e.g. warm kernels), from its ``open_batch_session``.

    ``job_kwargs(cwd)`` are the papermill options of a notebook run in ``cwd``; ``thread_initializer``
    runs on each worker thread as it starts; ``kill`` stops running work at once; ``close`` ends the run.
    """

    def job_kwargs(self, cwd: Path) -> dict[str, Any]: ...

    def thread_initializer(self) -> None: ...

    def kill(self) -> None: ...

    def close(self) -> None: ...


def open_session(options: ExecutionOptions) -> AbstractContextManager[Any] | None:
    """The engine's session for one batch run, when the engine declares ``open_batch_session``."""
    opener = getattr(batch_declaration(options.engine), "open_batch_session", None)
    return opener(options.kernel_name, options.start_timeout) if opener is not None else None


def job_kwargs(options: ExecutionOptions, cwd: Path, session: EngineSession | None = None) -> dict[str, Any]:
    """papermill's keyword arguments for a job run in ``cwd``, as the engine declares them.

    With a session: the session's. Else the engine's ``batch_job_kwargs(cwd)`` when it declares one;
    papermill's own nbclient engine gets IPC kernels shut down at once; any other engine papermill's ``cwd``.
    """
    if session is not None:
        return session.job_kwargs(cwd)
    declared = getattr(batch_declaration(options.engine), "batch_job_kwargs", None)
    if declared is not None:
        return dict(declared(cwd))
    from papermill.engines import NBClientEngine

    from dpia_lib.report.kernel import kernel_manager_class

    if engine_class(options.engine) is NBClientEngine:
        return {"cwd": str(cwd), "kernel_manager_class": kernel_manager_class(options.ipc),
                "shutdown_kernel": "immediate"}
    return {"cwd": str(cwd)}


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


def execute_job(job: Job, options: ExecutionOptions, *, session: EngineSession | None = None,
                start_hook: Callable[[int], None] | None = None) -> JobResult:
    """Run ``job.notebook`` with papermill into ``job.output``; never raises for a notebook failure.

    ``start_hook(attempt)`` is called before each attempt (tests use it to inject a kernel that fails to
    start).
    """
    return run_job(job, options, session=session, start_hook=start_hook)[0]


def run_job(job: Job, options: ExecutionOptions, *, session: EngineSession | None = None,
            start_hook: Callable[[int], None] | None = None) -> tuple[JobResult, Any]:
    """:func:`execute_job`, also returning the executed notebook node (``None`` when it failed)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    extra = job_kwargs(options, job.cwd, session)
    attempt = 0
    while True:
        attempt += 1
        try:
            if start_hook is not None:
                start_hook(attempt)
            nb = papermill.execute_notebook(
                str(job.notebook), str(job.output), parameters=dict(job.parameters),
                engine_name=options.engine, kernel_name=options.kernel_name, progress_bar=False,
                start_timeout=options.start_timeout, execution_timeout=options.execution_timeout, **extra,
            )
        except PapermillExecutionError as exc:
            failure = ExecutionFailure(job.name, str(job.notebook), exc.cell_index, _excerpt(exc.source or ""),
                                       f"{exc.ename}: {exc.evalue}")
            return JobResult(job, time.perf_counter() - started, failure, attempt), None
        except Exception as exc:  # noqa: BLE001 - one failing activity must never stop the batch
            if _is_start_failure(exc) and attempt <= options.kernel_retries:
                log.info("%s: kernel did not start (%s); retrying", job.name, exc)
                continue
            failure = ExecutionFailure(job.name, str(job.notebook), None, "", f"{type(exc).__name__}: {exc}")
            return JobResult(job, time.perf_counter() - started, failure, attempt), None
        return JobResult(job, time.perf_counter() - started, None, attempt), nb


class Executor(Protocol):
    """Runs ``fn`` over ``items`` and yields each result as soon as it is ready (any order).

    ``fn`` and the items are picklable; an implementation may run them in processes, threads or on a
    cluster. ``close()`` releases workers.
    """

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


def _unordered(pool: FuturesExecutor, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    pending: set[Future[R]] = {pool.submit(fn, item) for item in items}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=id):
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


class LocalExecutor:
    """A pool of ``workers`` local processes (spawned, so no state leaks from the parent)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=min(self.workers, max(1, len(items))),
                                             mp_context=multiprocessing.get_context("spawn"))
        return _unordered(self._pool, fn, items)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class ThreadExecutor:
    """A pool of ``workers`` threads of this process (``concurrent.futures``), all started at once.

    For engines whose notebooks run in kernels (separate processes) and that never change the process's
    working directory: threads cost nothing to start and import nothing again. ``initializer`` runs on
    each thread as it starts (the warm engine starts and preloads the thread's kernel there, while the
    batch loads the register).
    """

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None) -> None:
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="dpia-batch",
                                        initializer=initializer)
        # Each submission while no thread is idle starts a thread, so every thread starts (and runs the
        # initializer) now rather than when the first jobs arrive.
        for _ in range(self.workers):
            self._pool.submit(_nothing)

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        return _unordered(self._pool, fn, items)

    def close(self) -> None:
        """Wait for the running jobs and drop the queued ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _nothing() -> None:
    return None


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
            log.debug("optional batch module %s is not installed", module)
    return sorted(EXECUTORS)


def make_executor(name: str, workers: int, **options: Any) -> Executor:
    """The executor called ``name`` with ``workers`` workers; :class:`ParameterError` if unknown."""
    if name not in EXECUTORS:
        load_executors()
    if name not in EXECUTORS:
        raise ParameterError(f"unknown executor {name!r}; available: {', '.join(sorted(EXECUTORS))}")
    return EXECUTORS[name](workers, **options)
