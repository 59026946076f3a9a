"""A warm-kernel papermill engine: one kernel per thread runs many notebooks, reset between runs.

Starting a kernel and importing pandas, matplotlib and networkx costs more than a DPIA report's own work.
:class:`WarmKernelPool` starts one kernel per thread, imports ``dpia_lib``, pandas, matplotlib (with
pyplot), networkx and the report code in it once (:data:`PRELOAD`), and :class:`WarmKernelEngine` runs every notebook of
that thread in it. Before each notebook the user state is reset, so no report can see another's variables:

- ``%reset -f`` empties the user namespace, ``In``/``Out`` and the output cache; the execution counter is set
  back to 1, so ``Out[n]`` numbers match a fresh kernel, in a new history session (as in a fresh kernel;
  reusing line numbers within one session makes IPython print a history error into whatever cell runs);
- every matplotlib figure is closed (and the inline backend's queue emptied) and ``rcParams`` are restored to
  the values right after warm-up, when the inline backend is active as after a fresh kernel's first figure;
- the working directory is set to ``kernel_cwd`` (an engine option; papermill's own ``cwd`` would change
  this process's directory, which races when notebooks run on several threads), or to the caller's
  current directory, where a fresh kernel would start;
- ``sys.modules`` is left alone: imported modules stay imported, which is the point.

The preload also installs a :class:`dpia_lib.report.cache.ReportCache` in the kernel: the reports it runs
share the register's load, flow graph and rule findings (immutable, keyed on the bytes of every register
and catalogue file and on the reference date, checked before every report), instead of each loading and
checking the whole register again. A register edited between two reports is loaded afresh.

When a kernel dies (a crash, ``os._exit`` in a cell) the notebook that was running fails as it would with
papermill's default engine, and the next notebook gets a fresh kernel. A kernel whose preload or reset
fails is replaced too. Kernels use the IPC transport (a local socket file), not TCP, and keep their
IPython history in memory, as papermill's default engine does.

The engine is papermill's :class:`~papermill.engines.NBClientEngine`, given the pool's kernel manager
and an ``on_notebook_start`` hook that preloads and resets. It is registered as the papermill engine
``dpia-warm`` (entry point ``papermill.engine``). A caller that owns a pool passes it as the engine option
``kernel_pool``; without one, the notebook runs in a preloaded kernel of its own, shut down afterwards::

    with WarmKernelPool() as pool:
        papermill.execute_notebook(src, dst, parameters=..., engine_name="dpia-warm", kernel_pool=pool)
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_event_loop, run_sync

from dpia_lib.errors import WarmKernelError

__all__ = ["PRELOAD", "WarmKernelEngine", "WarmKernelPool"]  # noqa: F822 - WarmKernelEngine: see __getattr__

log = logging.getLogger(__name__)

#: Code run once in each new kernel: the imports every report needs.
PRELOAD = """\
import dpia_lib.report.cache, dpia_lib.report.dpia_report, dpia_lib.report.register_report, IPython.display
import pandas, networkx, matplotlib, matplotlib.pyplot
# the register's load, analysis and findings, shared by this kernel's reports while its files are unchanged
dpia_lib.report.cache.install_cache(dpia_lib.report.cache.ReportCache())
matplotlib.pyplot.close(matplotlib.pyplot.figure())  # loads the inline backend as a report's first figure would
def _dpia_warm_reset(cwd, _rc=dict(matplotlib.rcParams)):
    import gc, os, sys
    ip = get_ipython()
    # what %reset -f does (user namespace, In/Out, output cache), and a new history session: the execution
    # counter restarts at 1, and IPython's history database refuses a line number twice in one session
    # (it would print "Session/line number was not unique in database" into a report)
    ip.reset(new_session=True)
    ip.execution_count = 1
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and pyplot.get_fignums():
        pyplot.close("all")
    inline = sys.modules.get("matplotlib_inline.backend_inline")
    if inline is not None:
        inline.show._to_draw = []
        inline.show._draw_called = False
    sys.modules["matplotlib"].rcParams.update(_rc)
    os.chdir(cwd)
    # what survives a reset lives as long as the kernel (modules, the report cache's register): collect the
    # last report's garbage, then keep later collections from walking the survivors again
    gc.collect()
    gc.freeze()
get_ipython()._dpia_warm_reset = _dpia_warm_reset
del _dpia_warm_reset
import gc; gc.freeze(); del gc  # the preloaded modules live as long as the kernel: keep the reset's gc from walking them
"""

# Run (silently, outside the history) before every notebook: the reset function lives on the shell object,
# not in the user namespace, so nothing of it remains there.
_RESET = "get_ipython()._dpia_warm_reset({cwd!r})\n"

#: IPython's history in memory, as papermill's default engine (nbclient) starts its kernels: concurrent
#: kernels must not share one SQLite history file.
_KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


class _KeptClient(AsyncKernelClient):
    """A kernel client used for every notebook of its kernel: connecting a new client costs a kernel-info
    round trip and a wait until its IOPub subscription receives (up to a second or more per notebook)."""

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        if not getattr(self, "_dpia_ready", False):
            await super().wait_for_ready(timeout=timeout)
            self._dpia_ready = True


class _KeptKernelManager(AsyncKernelManager):
    """A kernel manager whose :meth:`client` is always the same connected client.

    Its kernel talks over an IPC socket file in Jupyter's runtime directory, as
    :class:`dpia_lib.report.kernel.IpcKernelManager` (not imported here: this module is loaded as
    papermill's plugin and by the batch before the report code).

    nbclient neither closes a client of a kernel manager it was given nor shuts the kernel down (the
    manager's owner decides the kernel's life); the pool closes both in :meth:`WarmKernelPool.discard`.
    """

    def __init__(self, **kwargs: Any) -> None:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = jupyter_runtime_dir()
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        super().__init__(transport="ipc", ip=os.path.join(runtime, f"dpia-{uuid.uuid4().hex[:16]}-ipc"), **kwargs)
        self.client_factory = _KeptClient
        self.kept: Any = None

    def client(self, **kwargs: Any) -> Any:
        if self.kept is None:
            self.kept = super().client(**kwargs)
        return self.kept

    def release_clients(self) -> None:
        if self.kept is not None:
            try:
                self.kept.stop_channels()
            except Exception as exc:  # noqa: BLE001 - the kernel may be gone; the next notebook gets a new one
                log.debug("closing a kernel client failed (%s); its kernel is being replaced", exc)
            self.kept = None


@dataclass
class _Warm:
    """One kept kernel: its manager, whether :data:`PRELOAD` ran in it, how many notebooks it ran."""

    km: _KeptKernelManager
    preloaded: bool = False
    runs: int = 0


async def _run_silently(kc: Any, code: str, timeout: float) -> str:
    """Execute ``code`` in ``kc``'s kernel outside the history and return the request's message id;
    :class:`WarmKernelError` if it fails, the kernel dies or no reply comes within ``timeout`` seconds."""
    msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = await kc.get_shell_msg(timeout=1)
        except queue.Empty:
            if not await kc.is_alive():
                raise WarmKernelError("warm kernel died during its setup") from None
            if time.monotonic() > deadline:
                raise WarmKernelError(f"warm kernel setup gave no reply in {timeout:.0f} s") from None
            continue
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    content = reply["content"]
    if content.get("status") != "ok":
        raise WarmKernelError(f"warm kernel setup failed: {content.get('ename', '')}: {content.get('evalue', '')}")
    return str(msg_id)


async def _idle_on_iopub(kc: Any, msg_id: str, timeout: float) -> bool:
    """Whether the kernel's idle status after request ``msg_id`` arrives on ``kc``'s IOPub channel within
    ``timeout`` seconds (other messages on the channel are skipped)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = await kc.get_iopub_msg(timeout=left)
        except queue.Empty:
            return False
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"):
            return True
    return False


class WarmKernelPool:
    """The warm kernels of one batch run: one per thread and kernel name, shut down by :meth:`close`.

    Use it as a context manager. :meth:`warm_up` starts and preloads the calling thread's kernel ahead of
    its first notebook (the batch runs it on each worker thread while the register loads).

    It is also the engine's declaration to the batch (entry point group ``dpia.batch_engine``, name
    ``dpia-warm``), loaded without importing papermill.
    """

    #: The batch runs this engine's notebooks on threads of one process (kernels are separate processes,
    #: and the engine never changes the process's working directory).
    batch_threads: bool = True
    #: ``dpia batch`` uses this engine unless told otherwise: byte-identical reports, isolated, fastest.
    batch_default: bool = True

    @classmethod
    def open_batch_session(cls, kernel_name: str, start_timeout: float) -> WarmKernelPool:
        """The kernels of one batch run."""
        return cls(kernel_name, start_timeout)

    @staticmethod
    def batch_job_kwargs(cwd: Path) -> dict[str, Any]:
        """Engine options for one notebook run in ``cwd`` without a pool shared by the batch."""
        return {"kernel_cwd": str(cwd)}

    def __init__(self, kernel_name: str = "python3", start_timeout: float = 60.0) -> None:
        self.kernel_name = kernel_name
        self.start_timeout = start_timeout
        self._kernels: dict[tuple[str, int], _Warm] = {}
        self._loops: dict[int, Any] = {}  # each thread's event loop (jupyter's run_sync made one), to close
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def kernel_pids(self) -> dict[int, int]:
        """Thread ident → pid of that thread's running kernel."""
        with self._lock:
            pids = {thread: getattr(warm.km.provisioner, "pid", None) for (_, thread), warm in self._kernels.items()
                    if warm.km.has_kernel}
        return {thread: pid for thread, pid in pids.items() if isinstance(pid, int)}

    def kernel(self, kernel_name: str | None = None) -> _Warm:
        """The calling thread's kernel (started or not yet), replacing one that died."""
        if self._closed:
            raise WarmKernelError("the warm kernel pool is closed")
        key = (kernel_name or self.kernel_name, threading.get_ident())
        with self._lock:
            warm = self._kernels.get(key)
        if warm is not None and warm.km.has_kernel and not run_sync(warm.km.is_alive)():
            log.info("warm kernel of thread %s died; starting a new one", key[1])
            self.discard(warm)
            warm = None
        if warm is None:
            warm = _Warm(km=_KeptKernelManager(kernel_name=key[0]))
            with self._lock:
                self._kernels[key] = warm
                self._loops[key[1]] = ensure_event_loop()
        return warm

    def warm_up(self) -> bool:
        """Start the calling thread's kernel and run :data:`PRELOAD` in it; returns whether it is ready.

        Never raises: warming ahead is an optimisation. On failure the reason is logged, the kernel is
        discarded and the thread's first notebook starts one (with papermill's error if that fails too).
        """
        warm: _Warm | None = None
        try:
            warm = self.kernel()
            if warm.preloaded:
                return True
            if not warm.km.has_kernel:
                run_sync(warm.km.start_kernel)(extra_arguments=list(_KERNEL_ARGUMENTS))
            run_sync(self._preload)(warm)
            return True
        except Exception as exc:  # noqa: BLE001 - the first notebook starts a kernel itself
            # After kill() (Ctrl-C, an invalid register) the failure is expected: not worth a warning.
            log.log(logging.INFO if self._closed else logging.WARNING,
                    "warming a kernel ahead failed (%s: %s); the first notebook starts one", type(exc).__name__, exc)
            if warm is not None:
                self.discard(warm)
            return False

    async def _preload(self, warm: _Warm) -> None:
        kc = warm.km.client()
        kc.start_channels()
        # The preload is sent at once (the socket holds it until the kernel listens). Its reply shows the
        # kernel answers; its idle status on IOPub shows that the subscription notebooks' outputs arrive on
        # is live. That is what jupyter_client's readiness check establishes, with a kernel-info round trip
        # and a 0.2 s wait for IOPub to fall silent; the check still runs when the status does not arrive.
        msg_id = await _run_silently(kc, PRELOAD, self.start_timeout)
        if await _idle_on_iopub(kc, msg_id, timeout=1.0):
            kc._dpia_ready = True
        else:
            await kc.wait_for_ready(timeout=self.start_timeout)
        warm.preloaded = True

    def notebook_start_hook(self, warm: _Warm, cwd: str) -> Any:
        """nbclient's ``on_notebook_start`` hook: preload a new kernel, then reset it for the notebook."""
        async def hook(notebook: Any = None) -> None:
            kc = warm.km.client()
            if not warm.preloaded:
                await _run_silently(kc, PRELOAD, self.start_timeout)
                warm.preloaded = True
            await _run_silently(kc, _RESET.format(cwd=cwd), self.start_timeout)
            warm.runs += 1

        return hook

    def discard(self, warm: _Warm) -> None:
        """Stop a kept kernel and forget it (it may be dead already); the reasons of failures are logged."""
        with self._lock:
            for key in [k for k, v in self._kernels.items() if v is warm]:
                del self._kernels[key]
        warm.km.release_clients()
        try:
            if warm.km.has_kernel:
                run_sync(warm.km.shutdown_kernel)(now=True)
        except Exception as exc:  # noqa: BLE001 - a kernel that cannot be stopped may already be gone
            log.warning("stopping a warm kernel failed: %s: %s", type(exc).__name__, exc)
        try:
            run_sync(warm.km.cleanup_resources)()
        except Exception as exc:  # noqa: BLE001 - leftover connection files are harmless; say so
            log.warning("removing a warm kernel's connection files failed: %s: %s", type(exc).__name__, exc)

    def kill(self) -> None:
        """Kill every kernel at once (from any thread): the notebooks running in them fail quickly, and
        the pool hands out no more kernels."""
        import signal

        self._closed = True

        for pid in self.kernel_pids.values():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # already gone: nothing to kill
                continue

    def close(self) -> None:
        """Shut every kernel down and close the worker threads' event loops (call when the threads are done)."""
        self._closed = True
        with self._lock:
            kept = list(self._kernels.values())
        for warm in kept:
            self.discard(warm)
        current = threading.get_ident()
        with self._lock:
            loops = [loop for thread, loop in self._loops.items() if thread != current]
            self._loops.clear()
        for loop in loops:
            if not loop.is_running() and not loop.is_closed():
                loop.close()

    # The batch's side of the engine (see dpia_lib.batch.execute.EngineSession).
    def job_kwargs(self, cwd: Path) -> dict[str, Any]:
        """papermill engine options for a notebook run in ``cwd`` with this pool's kernels."""
        return {"kernel_pool": self, "kernel_cwd": str(cwd)}

    def thread_initializer(self) -> None:
        """Run on each worker thread as it starts: warm its kernel."""
        self.warm_up()


@contextmanager
def _pool_for(pool: WarmKernelPool | None, kernel_name: str, start_timeout: float) -> Iterator[WarmKernelPool]:
    if pool is not None:
        yield pool
        return
    with WarmKernelPool(kernel_name, start_timeout) as own:
        yield own


def __getattr__(name: str) -> Any:
    """``WarmKernelEngine``, built on first access.

    papermill imports this module while it loads its engines' entry points, before
    ``papermill.engines`` has finished importing; the engine class (a subclass of papermill's
    ``NBClientEngine``) is therefore created when papermill (or anyone) first asks for it, not at import.
    """
    if name == "WarmKernelEngine":
        return _engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _engine_class() -> type:
    from papermill.engines import NBClientEngine

    class WarmKernelEngine(NBClientEngine):  # type: ignore[misc]
        """papermill engine ``dpia-warm``: runs notebooks in a kept kernel, resetting user state between runs.

        Its own options: ``kernel_pool`` (a :class:`WarmKernelPool`; without one the notebook gets a
        preloaded kernel of its own) and ``kernel_cwd`` (the kernel's working directory for this notebook).
        """

        #: Whether to save the output notebook after every cell as papermill's default engine does (about
        #: 25 validated writes per report, a third of a warm report's time). Off: papermill writes the
        #: finished notebook (or the one with the failing cell) once; only a kernel crash then leaves no
        #: partial output.
        save_progress: bool = False

        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, **kwargs: Any) -> Any:
            """papermill's wrapper, without the save after every cell unless :attr:`save_progress`."""
            if not cls.save_progress:
                kwargs["output_path"] = None
            return super().execute_notebook(nb, kernel_name, **kwargs)

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str,
                                     kernel_pool: WarmKernelPool | None = None, kernel_cwd: str | None = None,
                                     **kwargs: Any) -> Any:
            """Execute the parameterised notebook of ``nb_man`` in the calling thread's warm kernel."""
            start_timeout = float(kwargs.get("start_timeout", 60))
            with _pool_for(kernel_pool, kernel_name, start_timeout) as pool:
                warm = pool.kernel(kernel_name)
                if not warm.km.has_kernel:
                    run_sync(warm.km.start_kernel)(extra_arguments=list(_KERNEL_ARGUMENTS))
                try:
                    return super().execute_managed_notebook(
                        nb_man, kernel_name, km=warm.km,
                        on_notebook_start=pool.notebook_start_hook(warm, kernel_cwd or os.getcwd()), **kwargs)
                except BaseException:
                    # A dead kernel, a timeout, a failed reset or an interrupt: never reuse this kernel; the
                    # next notebook gets a fresh one. (Errors inside cells do not come here: papermill
                    # records them in the notebook.)
                    pool.discard(warm)
                    raise

    return WarmKernelEngine
