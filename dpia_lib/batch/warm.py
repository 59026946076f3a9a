"""A warm-kernel papermill engine: one kernel per worker runs many notebooks, reset between runs.

Starting a kernel and importing pandas, matplotlib and networkx costs more than a DPIA report's own work.
:class:`WarmKernelEngine` starts one kernel per process (and thread), imports ``dpia_lib``, pandas,
matplotlib (with pyplot) and networkx in it once, and runs every notebook of that worker in it. Before each
notebook the user state is reset, so no report can see another's variables:

- ``%reset -f`` empties the user namespace, ``In``/``Out`` and the output cache; the execution counter is set
  back to 1, so ``Out[n]`` numbers match a fresh kernel, in a new history session (as in a fresh kernel;
  reusing line numbers within one session makes IPython print a history error into whatever cell runs);
- every matplotlib figure is closed (and the inline backend's queue emptied) and ``rcParams`` are restored to
  the values right after warm-up, when the inline backend is active as after a fresh kernel's first figure;
- the working directory is set to the caller's current directory (as a fresh kernel would start there), or
  to ``kernel_cwd`` when the caller passes that engine option (``dpia batch`` does: it runs notebooks on
  several threads of one process, where changing the process's directory as papermill's ``cwd`` does would
  race);
- ``sys.modules`` is left alone: imported modules stay imported, which is the point.

When a kernel dies (a crash, ``os._exit`` in a cell) the notebook that was running fails as it would with
papermill's default engine, and the next notebook gets a fresh kernel. A kernel whose reset fails is also
replaced. Kernels use the IPC transport (a local socket file), not TCP.

It is registered as the papermill engine ``dpia-warm`` (entry point ``papermill.engine``), so plain
papermill users can use it: ``papermill.execute_notebook(src, dst, parameters=..., engine_name="dpia-warm")``.

:func:`warm_up` starts and warms the calling thread's kernel ahead of its first notebook (``dpia batch``
does so in the background while it loads the register); :func:`shutdown_warm_kernels` stops kernels.
"""

from __future__ import annotations

import atexit
import os
import tempfile
import threading
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from nbclient.util import run_sync

__all__ = ["PRELOAD", "WarmKernelEngine", "shutdown_warm_kernels", "warm_up"]

#: Code run once in each new kernel: the imports every report needs.
PRELOAD = """\
import dpia_lib, pandas, networkx, matplotlib, matplotlib.pyplot
matplotlib.pyplot.close(matplotlib.pyplot.figure())  # loads the inline backend as a report's first figure would
def _dpia_warm_reset(cwd, _rc=dict(matplotlib.rcParams)):
    import os, sys
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
get_ipython()._dpia_warm_reset = _dpia_warm_reset
del _dpia_warm_reset
"""

# Run (silently, outside the history) before every notebook: the reset function lives on the shell object,
# not in the user namespace, so nothing of it remains there.
_RESET = "get_ipython()._dpia_warm_reset({cwd!r})\n"


class WarmKernelError(RuntimeError):
    """The warm kernel could not be prepared (its preload or reset failed)."""


@dataclass
class _Warm:
    """One kept kernel: its manager and the client connected to it."""

    km: Any
    kc: Any = None
    runs: int = 0


_POOL: dict[tuple[str, int], _Warm] = {}
_LOCK = threading.Lock()


def _run_silently(client: Any, code: str) -> None:
    """Execute ``code`` in the client's kernel outside the history; raise if it fails."""
    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = client.wait_for_reply(msg_id)
    content = reply["content"] if reply else {"status": "no reply"}
    if content.get("status") != "ok":
        raise WarmKernelError(f"warm kernel setup failed: {content.get('ename', '')} {content.get('evalue', '')}")


@cache
def _client_class() -> Any:
    """papermill's notebook client on a kept kernel (built on first use: papermill imports this module
    while it registers its engines, so this module must not import papermill at import time)."""
    from papermill.clientwrap import PapermillNotebookClient

    class _WarmClient(PapermillNotebookClient):  # type: ignore[misc]
        """Preload once per kernel, reset before the notebook's cells."""

        def __init__(self, nb_man: Any, warm: _Warm, cwd: str | None, **kwargs: Any) -> None:
            super().__init__(nb_man, km=warm.km, **kwargs)
            self.kc = warm.kc
            self._warm = warm
            self._cwd = cwd

        def papermill_execute_cells(self) -> None:
            if self._warm.kc is None:  # a new kernel: nbclient has just started it and its client
                self._warm.kc = self.kc
                _run_silently(self, PRELOAD)
            _run_silently(self, _RESET.format(cwd=self._cwd or os.getcwd()))
            self._warm.runs += 1
            super().papermill_execute_cells()

    return _WarmClient


def _new_warm(kernel_name: str) -> _Warm:
    km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc",
                            ip=os.path.join(tempfile.gettempdir(), f"dpia-warm-{os.getpid()}-{threading.get_ident()}"))
    return _Warm(km=km)


def _discard(warm: _Warm) -> None:
    """Stop a kept kernel and its client, ignoring errors (it may be dead already)."""
    try:
        if warm.kc is not None:
            warm.kc.stop_channels()
    except Exception:  # noqa: BLE001 - best effort on a kernel that may be gone
        pass
    try:
        if warm.km.has_kernel:
            run_sync(warm.km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001
        pass
    try:
        run_sync(warm.km.cleanup_resources)()
    except Exception:  # noqa: BLE001
        pass


def _kernel_for(kernel_name: str) -> tuple[tuple[str, int], _Warm]:
    key = (kernel_name, threading.get_ident())
    with _LOCK:
        warm = _POOL.get(key)
        if warm is not None and not (warm.km.has_kernel and run_sync(warm.km.is_alive)()):
            _discard(warm)
            warm = None
        if warm is None:
            warm = _POOL[key] = _new_warm(kernel_name)
    return key, warm


def warm_up(kernel_name: str = "python3", start_timeout: float = 60.0) -> bool:
    """Start the calling thread's kernel (if it has none) and run :data:`PRELOAD` in it; never raises.

    Returns whether the kernel is ready. On failure the kernel is discarded, and the thread's first
    notebook starts one as usual (with papermill's error if that fails too).
    """
    key, warm = _kernel_for(kernel_name)
    if warm.kc is not None:
        return True
    kc: Any = None
    try:
        run_sync(warm.km.start_kernel)()
        kc = warm.km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=start_timeout)
        kc.allow_stdin = False
        msg_id = kc.execute(PRELOAD, silent=True, store_history=False, allow_stdin=False)
        reply = run_sync(kc.get_shell_msg)(timeout=start_timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = run_sync(kc.get_shell_msg)(timeout=start_timeout)
        if reply["content"].get("status") != "ok":
            raise WarmKernelError(f"warm kernel setup failed: {reply['content'].get('evalue', '')}")
        warm.kc = kc
        return True
    except Exception:  # noqa: BLE001 - warming is an optimisation; the first notebook starts a kernel itself
        with _LOCK:
            if kc is not None and warm.kc is None:
                try:
                    kc.stop_channels()
                except Exception:  # noqa: BLE001 - best effort on a client that may be closed
                    pass
            _discard(warm)
            if _POOL.get(key) is warm:
                del _POOL[key]
        return False


def shutdown_warm_kernels(threads: Collection[int] | None = None) -> None:
    """Shut down the kernels this process keeps for ``threads`` (thread idents; default: all of them).

    Done for all at exit; ``dpia batch`` does it for its own threads when the batch ends.
    """
    with _LOCK:
        for key in [k for k in _POOL if threads is None or k[1] in threads]:
            _discard(_POOL.pop(key))


atexit.register(shutdown_warm_kernels)


class WarmKernelEngine:
    """papermill engine ``dpia-warm``: runs notebooks in a kept kernel, resetting user state between runs.

    It has the interface of ``papermill.engines.Engine`` (whose generic methods it borrows) without
    subclassing it at import time, for the reason given in :func:`_client_class`.
    """

    #: Whether to save the output notebook after every cell as papermill's default engine does (about 25
    #: validated writes per report, a third of a warm report's time). Off: papermill writes the finished
    #: notebook (or the one with the failing cell) once; only a kernel crash then leaves no partial output.
    save_progress: bool = False

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, **kwargs: Any) -> Any:
        """papermill's generic wrapper (progress, output saving) around :meth:`execute_managed_notebook`."""
        from papermill.engines import Engine

        if not cls.save_progress:
            kwargs["output_path"] = None
        return Engine.execute_notebook.__func__(cls, nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb: Any, name: str | None = None) -> Any:
        """The kernel name to use (papermill's rule)."""
        from papermill.engines import Engine

        return Engine.nb_kernel_name.__func__(cls, nb, name)

    @classmethod
    def nb_language(cls, nb: Any, language: str | None = None) -> Any:
        """The notebook's language (papermill's rule)."""
        from papermill.engines import Engine

        return Engine.nb_language.__func__(cls, nb, language)

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """Execute the parameterised notebook of ``nb_man`` in this worker's warm kernel."""
        from papermill.log import logger
        from papermill.utils import merge_kwargs, remove_args

        cwd = kwargs.pop("kernel_cwd", None)
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        key, warm = _kernel_for(kernel_name)
        try:
            return _client_class()(nb_man, warm, cwd, **final_kwargs).execute()
        except BaseException:
            # A dead kernel, a timeout or an interrupt: never reuse this kernel; the next notebook gets a
            # fresh one. (Errors inside cells do not come here: papermill records them in the notebook.)
            with _LOCK:
                _discard(warm)
                if _POOL.get(key) is warm:
                    del _POOL[key]
            raise
