"""``dpia batch``: the layers put together. Select activities → parameterize → execute (engine and
executor pluggable) → export HTML → write ``index.html``.

Every job runs in its own worker and never raises: a failing notebook becomes a
:class:`~dpia_lib.batch.execute.ExecutionFailure` naming the activity, the notebook and the failing cell,
and the other reports complete. :attr:`BatchResult.exit_code` is 1 when any job failed.

The local executor spawns worker processes, so a script calling :func:`run_batch` must do so under
``if __name__ == "__main__":`` (the usual rule for Python's ``spawn`` start method). With the warm-kernel
engine the local executor runs jobs on threads instead (:mod:`dpia_lib.batch.threads`), whose kernels
start and warm up while the register is loaded.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpia_lib.batch.execute import (
    ExecutionFailure,
    ExecutionOptions,
    Executor,
    Job,
    JobResult,
    execute_job,
    make_executor,
)
from dpia_lib.batch.export import export_html
from dpia_lib.batch.index import IndexEntry, index_columns, write_index
from dpia_lib.batch.parameters import RESERVED_NAMES, notebook_parameters, register_parameters, report_paths
from dpia_lib.batch.select import select_activities
from dpia_lib.errors import ParameterError
from dpia_lib.loading import load_register_partial
from dpia_lib.register import Register
from dpia_lib.report.labels import check_language, load_labels
from dpia_lib.report.parameters import check_as_of
from dpia_lib.report.summary import highest_residual_label
from dpia_lib.resources import shipped_notebook_dir
from dpia_lib.screening import screen

__all__ = ["NOTEBOOK_DIR", "BatchOptions", "BatchResult", "plan_jobs", "process_job", "run_batch"]

#: The shipped notebook templates (see :func:`dpia_lib.resources.shipped_notebook_dir`).
NOTEBOOK_DIR = shipped_notebook_dir()


@dataclass(frozen=True)
class BatchOptions:
    """What ``dpia batch`` runs; ``workers=None`` means one per CPU core, ``as_of=None`` means today."""

    register: Path = Path("ropa")
    out: Path = Path("reports")
    workers: int | None = None
    activities: tuple[str, ...] = ()
    all_activities: bool = False
    language: str = "nl"
    #: Report structure: ``model`` (Model DPIA Rijksdienst) or ``cnil`` (CNIL PIA order).
    template: str = "model"
    as_of: str | None = None
    executor: str = "local"
    executor_options: dict[str, Any] = field(default_factory=dict, hash=False)
    execution: ExecutionOptions = field(default_factory=ExecutionOptions)
    notebooks: Path = NOTEBOOK_DIR
    include_register: bool = True


@dataclass(frozen=True)
class BatchResult:
    """The outcome of a batch: every job's result (sorted by name), the index, the wall time."""

    out: Path
    index: Path
    results: tuple[JobResult, ...]
    seconds: float

    @property
    def failures(self) -> list[ExecutionFailure]:
        """The failed jobs' failures, by activity."""
        return [r.failure for r in self.results if r.failure is not None]

    @property
    def exit_code(self) -> int:
        """0 when every report was written, 1 otherwise."""
        return 1 if self.failures else 0


def plan_jobs(options: BatchOptions, register: Register, activities: list[str], as_of: str) -> list[Job]:
    """One job per activity (sorted) plus the register overview, with checked parameters and paths."""
    out = options.out.resolve()
    clash = sorted(RESERVED_NAMES & set(activities))
    if clash:
        raise ParameterError(f"activity id {clash[0]!r} would overwrite the batch's own {clash[0]}.html")
    labels = load_labels()
    jobs = []
    for aid in activities:
        output, html = report_paths(out, aid)
        name = register.activities[aid].name.get(options.language) if aid in register.activities else aid
        title = f"{labels.get('dpia-title', options.language)}: {name}"
        jobs.append(Job(aid, options.notebooks / "dpia.ipynb", output, html,
                        notebook_parameters(aid, options.language, as_of, register.root, cwd=out,
                                            template=options.template), out, title))
    if options.include_register:
        output, html = report_paths(out, "register")
        title = f"{labels.get('register-title', options.language)}: {register.organisation.name}"
        jobs.append(Job(None, options.notebooks / "register.ipynb", output, html,
                        register_parameters(options.language, as_of, register.root, cwd=out), out, title))
    return jobs


def process_job(job: Job, options: ExecutionOptions) -> JobResult:
    """Execute ``job`` and export its HTML report (run inside a worker; never raises)."""
    result = execute_job(job, options)
    if not result.ok:
        return result
    started = time.perf_counter()
    try:
        export_html(job.output, job.html, title=job.title or job.name)
    except Exception as exc:  # noqa: BLE001 - one failing report must never stop the batch
        failure = ExecutionFailure(job.name, str(job.notebook), None, "", f"HTML export failed: {exc}")
        return JobResult(job, result.seconds, failure, result.attempts)
    return JobResult(job, result.seconds + time.perf_counter() - started, None, result.attempts)


def _executor(options: BatchOptions, workers: int) -> Executor:
    """The batch's executor: threads with warm kernels for the warm engine run locally, else by name."""
    if options.executor == "local" and options.execution.engine == "dpia-warm" and not options.executor_options:
        from dpia_lib.batch.threads import ThreadExecutor

        return ThreadExecutor(workers, kernel_name=options.execution.kernel_name,
                              start_timeout=options.execution.start_timeout)
    return make_executor(options.executor, workers, **options.executor_options)


def run_batch(options: BatchOptions, *, progress: bool = False) -> BatchResult:
    """Run the batch; raises only for bad options or an invalid register (then any kernel already started
    in the background is shut down)."""
    from tqdm import tqdm

    from dpia_lib.analysis import analyse
    from dpia_lib.risk import assess_risks

    started = time.perf_counter()
    language = check_language(options.language)
    as_of = check_as_of(options.as_of or dt.date.today().isoformat()).isoformat()
    workers = options.workers if options.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ParameterError(f"workers must be at least 1, not {workers}")
    executor = _executor(options, workers)  # warm kernels start now, while the register loads
    try:
        # A broken activity file sets that activity aside; the others are still reported on.
        partial = load_register_partial(options.register)
        register = partial.register
        analysis = analyse(register)  # one flow graph for the screenings and the index's risks
        screenings = screen(analysis)
        activities = select_activities(register, names=options.activities, all_activities=options.all_activities,
                                       screenings=screenings, broken=partial.broken)
        options.out.mkdir(parents=True, exist_ok=True)
        jobs = plan_jobs(options, register, activities, as_of)
    except BaseException:
        executor.close()
        raise
    results: list[JobResult] = []
    bar = tqdm(total=len(jobs), unit="report", disable=not progress, file=sys.stderr, desc="dpia batch")
    try:
        for result in executor.map_unordered(functools.partial(process_job, options=options.execution), jobs):
            results.append(result)
            bar.set_postfix_str(result.job.name + (" FAILED" if not result.ok else ""), refresh=False)
            bar.update(1)
    except Exception as exc:  # noqa: BLE001 - a crashed worker fails the jobs it left, not the batch
        done = {r.job.name for r in results}
        results += [JobResult(job, 0.0, ExecutionFailure(job.name, str(job.notebook), None, "",
                                                         f"worker failed: {type(exc).__name__}: {exc}"))
                     for job in jobs if job.name not in done]
    finally:
        bar.close()
        executor.close()
    results.sort(key=lambda r: (r.job.activity is None, r.job.name))
    by_name = {r.job.name: r for r in results}
    entries = []
    for aid in sorted(set(activities) | set(register.activities)):  # every activity, reported on or not
        outcome = by_name.get(aid)
        if aid not in register.activities or aid in partial.broken:  # set aside: no verdict, no risks
            entries.append(IndexEntry(activity=aid, name=aid, verdict="", overridden=False, highest_residual="—",
                                      link=None, failure=outcome.failure.format().splitlines()[0]
                                      if outcome is not None and outcome.failure else None))
            continue
        verdict = screenings[aid]
        try:
            highest = highest_residual_label(assess_risks(analysis, aid), language)
        except Exception:  # noqa: BLE001 - the activity's own report shows the error; the index goes on
            highest = "—"
        entries.append(IndexEntry(
            activity=aid, name=register.activities[aid].name.get(language), verdict=verdict.verdict.value,
            overridden=verdict.overridden, highest_residual=highest,
            link=outcome.job.html.name if outcome is not None and outcome.ok else None,
            failure=outcome.failure.format().splitlines()[0] if outcome is not None and outcome.failure else None,
        ))
        entries[-1] = index_columns(entries[-1], register, verdict, language)
    reg = by_name.get("register")
    labels = load_labels()
    index = write_index(options.out.resolve() / "index.html", entries,
                        title=f"{labels.get('reports-index', language)}: {register.organisation.name}",
                        language=language, as_of=as_of,
                        register_link=reg.job.html.name if reg is not None and reg.ok else None)
    return BatchResult(options.out.resolve(), index, tuple(results), time.perf_counter() - started)
