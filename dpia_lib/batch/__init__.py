"""The batch: DPIA reports for many activities, in papermill-like layers.

``select`` (which activities) → ``parameters`` (checked notebook parameters and output paths) →
``execute`` (papermill, pluggable engine and executor) → ``export`` (HTML without code, PDF) → ``index``
(``reports/index.html``) → ``output`` (the output folder replaced as a whole); ``runner`` puts them
together for ``dpia batch``.

Extension points for faster back ends: a papermill engine (by name, see
:func:`dpia_lib.batch.execute.available_engines`) and an :class:`~dpia_lib.batch.execute.Executor`
registered with :func:`~dpia_lib.batch.execute.register_executor`.

The names below are imported on first use, so that importing one layer (e.g. the warm engine, which
papermill loads as a plugin) does not import the others and their report code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dpia_lib.lazy import lazy_exports

if TYPE_CHECKING:
    from dpia_lib.batch.execute import (
        EXECUTORS,
        ExecutionFailure,
        ExecutionOptions,
        Executor,
        Job,
        JobResult,
        LocalExecutor,
        register_executor,
    )
    from dpia_lib.batch.runner import BatchOptions, BatchResult, run_batch

__all__ = [
    "EXECUTORS",
    "BatchOptions",
    "BatchResult",
    "ExecutionFailure",
    "ExecutionOptions",
    "Executor",
    "Job",
    "JobResult",
    "LocalExecutor",
    "register_executor",
    "run_batch",
]

_HOMES = {name: "dpia_lib.batch.runner" if name in ("BatchOptions", "BatchResult", "run_batch")
          else "dpia_lib.batch.execute" for name in __all__}
__getattr__ = lazy_exports(__name__, _HOMES)
