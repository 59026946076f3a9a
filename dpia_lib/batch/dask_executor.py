"""Run the batch on a dask.distributed cluster: ``dpia batch --executor dask [--scheduler ADDRESS]``.

:class:`DaskExecutor` satisfies :class:`~dpia_lib.batch.execute.Executor`: each job (one notebook) becomes
one dask task; results are yielded as tasks finish, so the batch's output (notebooks, HTML, index) is the
same as with the local executor. Without ``scheduler`` it starts a ``LocalCluster`` of ``workers``
single-threaded worker processes on this machine and closes it afterwards.

Pointing it at a real cluster::

    dask scheduler                                   # on the scheduler host (port 8786)
    dask worker tcp://SCHEDULER:8786 --nthreads 1    # on each worker host, in the project's environment
    dpia batch --executor dask --scheduler tcp://SCHEDULER:8786 --out /shared/reports

Every worker needs dpia-workbook installed (with ``[dask]``) and a Jupyter kernel, and must see the
register, the notebooks and the output folder at the same paths as the client (a shared file system),
because jobs carry paths, not file contents. With the warm-kernel engine each notebook gets a preloaded
kernel of its own there (warm kernels shared across jobs belong to the local thread pool's run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from dpia_lib.batch.execute import register_executor

__all__ = ["DaskExecutor"]

T = TypeVar("T")
R = TypeVar("R")


class DaskExecutor:
    """Runs jobs as dask tasks on the cluster at ``scheduler``, or on a LocalCluster of ``workers``."""

    def __init__(self, workers: int = 1, scheduler: str | None = None, *, processes: bool = True) -> None:
        self.workers = max(1, workers)
        self.scheduler = scheduler
        self.processes = processes
        self._client: Any = None
        self._cluster: Any = None

    def _connect(self) -> Any:
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.scheduler is None:
                self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=self.workers, threads_per_worker=1, processes=self.processes, dashboard_address=":0")
                self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
            else:
                self._client = Client(self.scheduler)  # type: ignore[no-untyped-call]
        return self._client

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        """Submit one task per item (never cached: ``pure=False``); yield results as they complete."""
        from distributed import as_completed

        if not items:
            return
        client = self._connect()
        futures = client.map(fn, list(items), pure=False)
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this executor started it."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


register_executor("dask", DaskExecutor)
