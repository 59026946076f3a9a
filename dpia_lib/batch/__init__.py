"""The batch: DPIA reports for many activities, in papermill-like layers.

``select`` (which activities) → ``parameters`` (checked notebook parameters and output paths) →
``execute`` (papermill, pluggable engine and executor) → ``export`` (HTML without code) → ``index``
(``reports/index.html``); ``runner`` puts them together for ``dpia batch``.

Extension points for faster back ends: a papermill engine (by name, see
:func:`dpia_lib.batch.execute.available_engines`) and an :class:`~dpia_lib.batch.execute.Executor`
registered with :func:`~dpia_lib.batch.execute.register_executor`.
"""

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
