"""Run the batch's jobs on threads of this process, each thread with its own warm kernel.

With the warm-kernel engine (:mod:`dpia_lib.batch.warm`) the notebooks run in kernels, which are separate
processes anyway; the batch process only drives them (papermill's client) and exports HTML. Worker
*processes* would add a fixed cost per batch (spawning them and importing papermill, nbconvert and
dpia_lib in each) without running anything in parallel that threads cannot: the kernels run in parallel
whatever drives them. So ``dpia batch --engine dpia-warm`` (with the local executor) uses a
:class:`ThreadExecutor`:

- its threads start at once, and each starts and warms its kernel (:func:`~dpia_lib.batch.warm.warm_up`)
  and builds its HTML exporter in the background while the batch loads the register and plans the jobs;
- failure isolation is the engine's: a failing notebook fails its job only; a dead kernel is replaced for
  the thread's next job;
- :meth:`ThreadExecutor.close` shuts its threads' kernels down at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, TypeVar

__all__ = ["ThreadExecutor"]

T = TypeVar("T")
R = TypeVar("R")


class ThreadExecutor:
    """``workers`` threads, each warming its own kernel as soon as the executor is created.

    ``warm=False`` starts no kernel ahead (each thread's first notebook starts one). Each thread shuts its
    own kernel down and closes its own event loop when the executor closes.
    """

    def __init__(self, workers: int, *, kernel_name: str = "python3", start_timeout: float = 60.0,
                 warm: bool = True) -> None:
        self.workers = max(1, workers)
        self.kernel_name = kernel_name
        self.start_timeout = start_timeout
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[Any], Any], Any] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, args=(warm,), name=f"dpia-batch-{i}", daemon=True)
                         for i in range(self.workers)]
        self._closed = False
        for thread in self._threads:
            thread.start()

    @property
    def threads(self) -> frozenset[int]:
        """The idents of the executor's threads."""
        return frozenset(t.ident for t in self._threads if t.ident is not None)

    def _warm_up(self) -> None:
        try:
            from dpia_lib.batch.export import _exporter
            from dpia_lib.batch.warm import warm_up

            warm_up(self.kernel_name, self.start_timeout)
            import papermill  # noqa: F401 - imported once here rather than by the first job

            _exporter(threading.get_ident())
        except Exception:  # noqa: BLE001 - warming is an optimisation; the jobs start kernels themselves
            pass

    def _work(self, warm: bool) -> None:
        if warm:
            self._warm_up()
        try:
            while (task := self._queue.get()) is not None:
                future, fn, item = task
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(fn(item))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
                    future.set_exception(exc)
        finally:
            self._stop_thread()

    def _stop_thread(self) -> None:
        """Shut down this thread's kernel and close its event loop (jupyter's ``run_sync`` made one)."""
        from jupyter_core.utils import ensure_event_loop

        from dpia_lib.batch.warm import shutdown_warm_kernels

        shutdown_warm_kernels({threading.get_ident()})
        loop = ensure_event_loop()
        if not loop.is_running():
            loop.close()

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        """Run ``fn`` over ``items`` on the threads; yield each result as it is ready."""
        if self._closed:
            raise RuntimeError("the executor is closed")
        pending: set[Future[R]] = set()
        for item in items:
            future: Future[R] = Future()
            self._queue.put((future, fn, item))
            pending.add(future)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=id):
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Wait for the running jobs, drop the queued ones, and stop the threads and their kernels."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
