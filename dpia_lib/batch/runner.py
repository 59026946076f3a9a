"""``dpia batch``: the layers put together. Select activities → parameterize → execute (engine and
executor pluggable) → export HTML → write ``index.html`` → replace the output folder as a whole.

Every job runs in its own worker and never raises: a failing notebook becomes a
:class:`~dpia_lib.batch.execute.ExecutionFailure` naming the activity, the notebook and the failing cell,
and the other reports complete. :attr:`BatchResult.exit_code` is 1 when any job failed.

The engine is papermill's registered engine by name, or the one that declares itself the batch's
default (:func:`~dpia_lib.batch.execute.default_engine`). An engine that declares ``batch_threads`` runs
its jobs on threads of this process with the local executor, with whatever it keeps for the run (its
``open_batch_session``, e.g. warm kernels started while the register loads and papermill is imported);
otherwise the local
executor spawns worker processes, so a script calling :func:`run_batch` must do so under
``if __name__ == "__main__":`` (the usual rule for Python's ``spawn`` start method).

Reports are written to a staging folder and replace ``--out`` as a whole at the end
(:mod:`dpia_lib.batch.output`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dpia_lib.batch.execute import (
    EngineSession,
    ExecutionFailure,
    ExecutionOptions,
    Executor,
    Job,
    JobResult,
    ThreadExecutor,
    default_engine,
    make_executor,
    open_session,
    run_job,
    runs_on_threads,
)
from dpia_lib.batch.export import ReportExporter, report_files
from dpia_lib.batch.output import OutputFolder, check_out
from dpia_lib.errors import ParameterError
from dpia_lib.resources import shipped_notebook_dir

if TYPE_CHECKING:
    from dpia_lib.register import Register

# The register model and the report wording are imported inside the functions, after the engine's
# kernels have started, so that they warm up while this process imports them.

__all__ = ["NOTEBOOK_DIR", "BatchOptions", "BatchResult", "plan_jobs", "process_job", "run_batch"]

log = logging.getLogger(__name__)

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
    #: Report files: ``html``, ``pdf`` or ``both`` (default; the PDF is the signable document).
    format: str = "both"


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


def plan_jobs(options: BatchOptions, register: Register, activities: list[str], as_of: str,
              out: Path | None = None) -> list[Job]:
    """The register overview, then one job per activity (in the given order), with checked parameters and
    paths. The overview comes first because it is the longest job (every activity's row and flow): started
    last, it would keep one worker busy while the others had nothing left to do.

    Reports go to ``out`` (default ``options.out``; the batch passes its staging folder beside it, so the
    register's path relative to the kernel's folder is the same).
    """
    from dpia_lib.batch.parameters import (
        RESERVED_NAMES,
        notebook_parameters,
        register_parameters,
        report_paths,
    )
    from dpia_lib.report.labels import load_labels

    out = (out or options.out).resolve()
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
        jobs.insert(0, jobs.pop())
    return jobs


def process_job(job: Job, options: ExecutionOptions, session: EngineSession | None = None,
                exporter: ReportExporter | None = None, report_format: str = "both") -> JobResult:
    """Execute ``job`` and export its report as ``report_format`` (``html``, ``pdf`` or ``both``; run inside a
    worker; never raises)."""
    html, pdf = report_files(report_format)
    result, nb = run_job(job, options, session=session)
    if not result.ok:
        return result
    started = time.perf_counter()
    try:
        (exporter or ReportExporter()).write(nb, job.html, title=job.title or job.name, html=html, pdf=pdf)
    except Exception as exc:  # noqa: BLE001 - one failing report must never stop the batch
        what = " and ".join(name for name, wanted in (("HTML", html), ("PDF", pdf)) if wanted)
        failure = ExecutionFailure(job.name, str(job.notebook), None, "", f"export to {what} failed: {exc}")
        return JobResult(job, result.seconds, failure, result.attempts)
    return JobResult(job, result.seconds + time.perf_counter() - started, None, result.attempts)


def _set_aside(name: str, problems: tuple[Any, ...], notebook: Path) -> JobResult:
    """The failed result of a broken activity that cannot even be a notebook parameter (a file name
    that is not an activity id): no job runs; its problems are the failure."""
    job = Job(name, notebook, notebook, notebook, {}, notebook.parent)
    text = "; ".join(p.format() for p in problems) or "its file is not a valid activity file"
    return JobResult(job, 0.0, ExecutionFailure(name, str(notebook), None, "", text))


def _valid_id(name: str) -> bool:
    from dpia_lib.report.parameters import check_activity_id

    try:
        check_activity_id(name)
    except ParameterError:
        return False
    return True


def run_batch(options: BatchOptions, *, progress: bool = False) -> BatchResult:
    """Run the batch; raises only for bad options or an invalid register, leaving ``options.out`` as it
    was (and shutting down any kernel already started in the background). Ctrl-C stops every job at once
    and raises ``KeyboardInterrupt``, also leaving ``options.out`` as it was."""
    started = time.perf_counter()
    workers = options.workers if options.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ParameterError(f"workers must be at least 1, not {workers}")
    report_files(options.format)  # a ParameterError for an unknown format, before anything starts
    out = check_out(options.out, protected={"register": options.register, "notebooks folder": options.notebooks})
    execution = replace(options.execution, engine=options.execution.engine or default_engine())
    threads = options.executor == "local" and not options.executor_options and runs_on_threads(execution)
    with contextlib.ExitStack() as stack:
        # Closed last to first: kernels killed on an error, threads joined, staging removed, session closed.
        opened = open_session(execution) if threads else None
        session: EngineSession | None = stack.enter_context(opened) if opened is not None else None
        staging = stack.enter_context(OutputFolder(out))
        executor: Executor
        if threads:
            # The threads start now and warm their kernels while the register loads.
            executor = ThreadExecutor(workers, session.thread_initializer if session is not None else None)
        else:
            executor = make_executor(options.executor, workers, **options.executor_options)
        stack.callback(executor.close)
        if session is not None:
            kill = session.kill
            stack.push(lambda exc_type, exc, tb: kill() if exc_type is not None else None)
        return _run(options, execution, executor, session, staging, started, progress)
    raise AssertionError("unreachable")  # pragma: no cover


def _run(options: BatchOptions, execution: ExecutionOptions, executor: Executor, session: EngineSession | None,
         staging: OutputFolder, started: float, progress: bool) -> BatchResult:
    from tqdm import tqdm

    from dpia_lib.analysis import analyse
    from dpia_lib.batch.index import IndexEntry, index_columns, write_index
    from dpia_lib.batch.select import select_activities
    from dpia_lib.loading import load_register_partial
    from dpia_lib.report.labels import check_language, load_labels
    from dpia_lib.report.parameters import check_as_of
    from dpia_lib.report.wording import highest_residual_label
    from dpia_lib.risk import assess_risks
    from dpia_lib.screening import screen

    language = check_language(options.language)
    as_of = check_as_of(options.as_of or dt.date.today().isoformat()).isoformat()
    # Imported here, while the engine's kernels warm up, rather than by the first job.
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    # A broken activity file sets that activity aside; the others are still reported on.
    partial = load_register_partial(options.register)
    register = partial.register
    analysis = analyse(register)  # one flow graph for the screenings and the index's risks
    screenings = screen(analysis)
    activities = select_activities(register, names=options.activities, all_activities=options.all_activities,
                                   screenings=screenings, broken=partial.broken)
    unnamed = [aid for aid in activities if not _valid_id(aid)]
    jobs = plan_jobs(options, register, [aid for aid in activities if aid not in unnamed], as_of, staging.staging)
    results = [_set_aside(aid, partial.broken.get(aid, ()), options.notebooks / "dpia.ipynb") for aid in unnamed]
    task = functools.partial(process_job, options=execution, session=session, exporter=ReportExporter(),
                             report_format=options.format)
    bar = tqdm(total=len(jobs), unit="report", disable=not progress, file=sys.stderr, desc="dpia batch")
    try:
        for result in executor.map_unordered(task, jobs):
            results.append(result)
            bar.set_postfix_str(result.job.name + (" FAILED" if not result.ok else ""), refresh=False)
            bar.update(1)
    except Exception as exc:  # noqa: BLE001 - a crashed worker fails the jobs it left, not the batch
        log.warning("the executor failed: %s: %s", type(exc).__name__, exc)
        done = {r.job.name for r in results}
        results += [JobResult(job, 0.0, ExecutionFailure(job.name, str(job.notebook), None, "",
                                                         f"worker failed: {type(exc).__name__}: {exc}"))
                    for job in jobs if job.name not in done]
    finally:
        bar.close()
    results.sort(key=lambda r: (r.job.activity is None, r.job.name))
    by_name = {r.job.name: r for r in results}
    html, pdf = report_files(options.format)
    entries = []
    for aid in sorted(set(activities) | set(register.activities)):  # every activity, reported on or not
        outcome = by_name.get(aid)
        failure = outcome.failure.format().splitlines()[0] if outcome is not None and outcome.failure else None
        if aid not in register.activities or aid in partial.broken:  # set aside: no verdict, no risks
            entries.append(IndexEntry(activity=aid, name=aid, verdict="", overridden=False, highest_residual="—",
                                      link=None, failure=failure))
            continue
        verdict = screenings[aid]
        try:
            highest = highest_residual_label(assess_risks(analysis, aid), language)
        except Exception as exc:  # noqa: BLE001 - the activity's own report shows the error; the index goes on
            log.warning("%s: no highest residual risk for the index (%s: %s)", aid, type(exc).__name__, exc)
            highest = "—"
        report = outcome.job.html if outcome is not None and outcome.ok else None
        entries.append(IndexEntry(
            activity=aid, name=register.activities[aid].name.get(language), verdict=verdict.verdict.value,
            overridden=verdict.overridden, highest_residual=highest,
            link=report.name if report is not None and html else None, failure=failure,
            pdf=report.with_suffix(".pdf").name if report is not None and pdf else None,
        ))
        entries[-1] = index_columns(entries[-1], register, verdict, language)
    reg = by_name.get("register")
    labels = load_labels()
    overview = reg.job.html if reg is not None and reg.ok else None
    write_index(staging.staging / "index.html", entries,
                title=f"{labels.get('reports-index', language)}: {register.organisation.name}",
                language=language, as_of=as_of,
                register_link=overview.name if overview is not None and html else None,
                register_pdf=overview.with_suffix(".pdf").name if overview is not None and pdf else None)
    out = staging.publish(sorted(p.name for p in staging.staging.iterdir()))
    return BatchResult(out, out / "index.html", tuple(results), time.perf_counter() - started)
