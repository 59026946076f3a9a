"""``dpia batch``: run the DPIA notebook for every activity that needs a DPIA, plus the register
overview, and write ``reports/`` (executed notebooks, HTML and/or PDF reports, ``index.html``) as a whole.

Ctrl-C stops the batch with exit code 130 and one line, leaving the previous output folder unchanged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parsers"]


def _engines() -> list[str]:
    from dpia_lib.batch.execute import available_engines

    return available_engines()


def _executors() -> list[str]:
    from dpia_lib.batch.execute import load_executors

    return load_executors()


def add_parsers(sub: Any) -> None:
    """Add ``batch`` to the ``dpia`` parser."""
    p = sub.add_parser("batch", help="write a DPIA report per activity that needs one, and reports/index.html",
                       description="Run notebooks/dpia.ipynb through papermill for every activity screened "
                                   "'required' or 'recommended' (or --all, or the --activity ones), plus "
                                   "notebooks/register.ipynb; write executed notebooks, HTML reports without "
                                   "code, their PDFs (see --format) and reports/index.html. Exit 1 if any "
                                   "report failed.")
    p.add_argument("--register", default="ropa", metavar="DIR",
                   help="register directory (default: ropa/ in the current directory)")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports/)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="parallel workers (default: the number of CPU cores)")
    p.add_argument("--activity", action="append", default=[], metavar="ID",
                   help="report on this activity (repeatable); default: those that need a DPIA")
    p.add_argument("--all", action="store_true", dest="all_activities", help="report on every activity")
    p.add_argument("--language", choices=("nl", "en"), default="nl")
    p.add_argument("--template", choices=("model", "cnil"), default="model",
                   help="report structure: Model DPIA Rijksdienst (default) or CNIL PIA order")
    p.add_argument("--format", choices=("html", "pdf", "both"), default="both", dest="report_format",
                   help="report files: both (default) writes the HTML report and its PDF, the signable document "
                        "officers take away; html skips the PDF (WeasyPrint takes seconds per report); pdf "
                        "writes only the PDF. index.html links the files written")
    p.add_argument("--as-of", default=None, metavar="DATE",
                   help="reference date, YYYY-MM-DD (default: today); fix it for reproducible reports")
    p.add_argument("--engine", default=None, metavar="NAME",
                   help="papermill engine by name (default: the registered engine that declares itself the "
                        "batch's default, dpia-warm: warm kernels reset between reports; 'nbclient': "
                        "papermill's own, a fresh kernel per report)")
    p.add_argument("--executor", default="local", metavar="NAME",
                   help="where notebooks run (default: local, a pool of processes)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="scheduler address for an executor that runs on a cluster (not for 'local')")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_batch)


def _batch(args: argparse.Namespace) -> int:
    from dpia_lib.batch.execute import ExecutionOptions
    from dpia_lib.batch.runner import BatchOptions, run_batch
    from dpia_lib.errors import ParameterError

    if args.engine is not None and args.engine not in _engines():
        raise ParameterError(f"unknown engine {args.engine!r}; available: {', '.join(_engines())}")
    from dpia_lib.batch.execute import EXECUTORS

    if args.executor not in EXECUTORS and args.executor not in _executors():
        raise ParameterError(f"unknown executor {args.executor!r}; available: {', '.join(_executors())}")
    executor_options = {}
    if args.scheduler is not None:
        if args.executor == "local":
            raise ParameterError("--scheduler needs an executor that runs on a cluster, not 'local'")
        executor_options["scheduler"] = args.scheduler
    options = BatchOptions(
        register=Path(args.register), out=Path(args.out), workers=args.workers,
        activities=tuple(args.activity), all_activities=args.all_activities, language=args.language,
        template=args.template, format=args.report_format,
        as_of=args.as_of, executor=args.executor, executor_options=executor_options,
        execution=ExecutionOptions(engine=args.engine),
    )
    try:
        result = run_batch(options, progress=not args.no_progress and sys.stderr.isatty())
    except KeyboardInterrupt:
        print(f"dpia batch: interrupted; {args.out} is unchanged", file=sys.stderr)
        return 130
    ok = [r for r in result.results if r.ok]
    for failure in result.failures:
        print(f"FAILED {failure.format()}", file=sys.stderr)
    per_report = sum(r.seconds for r in result.results) / len(result.results) if result.results else 0.0
    print(f"{len(ok)} of {len(result.results)} reports written in {result.seconds:.1f} s "
          f"({per_report:.1f} s per report in its worker)")
    print(f"index: {result.index}")
    return result.exit_code
