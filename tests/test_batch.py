"""The batch layers without kernels: selection, parameters, output paths, index page, HTML export,
executor registry, kernel start retries."""

from __future__ import annotations

import base64
import math
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from dpia_lib import load_register
from dpia_lib.batch.execute import (
    EXECUTORS,
    ExecutionOptions,
    Job,
    LocalExecutor,
    available_engines,
    execute_job,
    make_executor,
)
from dpia_lib.batch.export import notebook_html
from dpia_lib.batch.index import IndexEntry, index_html
from dpia_lib.batch.parameters import PARAMETER_NAMES, notebook_parameters, register_parameters, report_paths
from dpia_lib.batch.runner import BatchOptions, plan_jobs
from dpia_lib.batch.select import select_activities
from dpia_lib.cli import build_parser
from dpia_lib.errors import ParameterError, UnknownActivityError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def register():  # type: ignore[no-untyped-def]
    return load_register(REPO / "ropa")


def test_default_selection_is_the_activities_that_need_a_dpia(register) -> None:  # type: ignore[no-untyped-def]
    chosen = select_activities(register)
    # reintegration, special file and assessments are 'required'; the newsletter is 'not-required'
    assert {"reintegration-second-track", "special-file", "assessments-and-tests"} <= set(chosen)
    assert "newsletter" not in chosen
    assert chosen == sorted(chosen)


def test_all_and_named_selection(register) -> None:  # type: ignore[no-untyped-def]
    assert select_activities(register, all_activities=True) == sorted(p.stem for p in (REPO / "ropa/activities").glob("*.yaml"))
    assert select_activities(register, names=["newsletter", "special-file", "newsletter"]) == ["newsletter", "special-file"]
    with pytest.raises(UnknownActivityError, match="did you mean 'special-file'"):
        select_activities(register, names=["special-fiel"])


def test_parameters_hold_only_ids_language_date_and_a_relative_register_path(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    params = notebook_parameters("special-file", "en", "2026-11-01", tmp_path / "ropa", cwd=out)
    assert params == {"activity": "special-file", "language": "en", "as_of": "2026-11-01", "register": "../ropa",
                      "template": "model"}
    assert tuple(params) == PARAMETER_NAMES
    assert set(register_parameters("nl", "2026-11-01", tmp_path / "ropa", cwd=out)) == {"language", "as_of", "register"}
    with pytest.raises(ParameterError):
        notebook_parameters("special-file", "fr", "2026-11-01", tmp_path, cwd=out)
    with pytest.raises(ParameterError):
        notebook_parameters("Jan Jansen", "nl", "2026-11-01", tmp_path, cwd=out)


def test_planned_jobs_store_no_absolute_paths_in_parameters(register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    jobs = plan_jobs(BatchOptions(register=REPO / "ropa", out=tmp_path / "out"), register, ["special-file"], "2026-11-01")
    assert [j.name for j in jobs] == ["register", "special-file"]  # the longest job first
    out = (tmp_path / "out").resolve()
    for job in jobs:
        for name, value in job.parameters.items():
            assert not Path(value).is_absolute()
            if name == "register":  # relative to the output folder, wherever the clone and the output lie
                assert (out / value).resolve() == (REPO / "ropa").resolve()
            else:
                assert re.fullmatch(r"[a-z0-9.-]+", value)
        assert job.output.parent == job.html.parent == out


def test_report_names_stay_inside_the_output_folder(tmp_path: Path) -> None:
    assert report_paths(tmp_path, "special-file")[0] == (tmp_path / "special-file.ipynb").resolve()
    for bad in ("../escape", "/etc/passwd", "a/b", ".."):
        with pytest.raises(ParameterError):
            report_paths(tmp_path, bad)


def test_an_activity_called_index_would_overwrite_the_index(register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match="index"):
        plan_jobs(BatchOptions(out=tmp_path), register, ["index"], "2026-11-01")


def test_index_links_reports_with_verdict_and_risk_and_escapes_text() -> None:
    page = index_html([
        IndexEntry("a", "<script>alert(1)</script>", "required", True, "aanzienlijk (W2/E4)", "a.html", None),
        IndexEntry("b", "B & co", "recommended", False, "—", None, "b: dpia.ipynb cell 2: ValueError: <x>"),
    ], title="DPIA <rapporten>", language="nl", as_of="2026-11-01", register_link="register.html")
    assert "<script>" not in page
    assert '<a href="a.html">&lt;script&gt;alert(1)&lt;/script&gt;</a>' in page
    # columns: activity, verdict, DPIA status, sign-off, highest residual risk, reports ("—" where not known)
    assert "<td>verplicht (handmatig aangepast)</td><td>—</td><td>—</td><td>aanzienlijk (W2/E4)</td>" in page
    assert "<td>B &amp; co</td><td>aanbevolen</td>" in page
    assert "mislukt: b: dpia.ipynb cell 2: ValueError: &lt;x&gt;" in page
    assert '<a href="register.html">' in page and "<title>DPIA &lt;rapporten&gt;</title>" in page


def test_html_export_drops_code_and_embeds_images() -> None:
    nb = new_notebook(cells=[
        new_code_cell("activity = 'x'", metadata={"tags": ["parameters"]}),
        new_code_cell("SECRET_SOURCE_TEXT = 1\nreport.risk_map()", outputs=[
            new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "[map]"}),
            new_output("display_data", data={"image/svg+xml": "<svg><text>a &lt; b</text></svg>", "text/plain": "[graph]"},
                       metadata={"image/svg+xml": {"alt": "Flow <graph>"}}),
            new_output("display_data", data={"text/html": "<p>&lt;b&gt;</p>", "text/plain": "x"}),
        ]),
    ])
    page = notebook_html(nb, "Report <1>")
    assert "SECRET_SOURCE_TEXT" not in page and "activity = " not in page
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in page
    # an SVG figure is an image (its element ids cannot clash with another figure's), with its alt text
    svg = base64.b64encode(b"<svg><text>a &lt; b</text></svg>").decode("ascii")
    assert f'<img alt="Flow &lt;graph&gt;" src="data:image/svg+xml;base64,{svg}"/>' in page
    assert "<svg>" not in page
    assert "<p>&lt;b&gt;</p>" in page and "<title>Report &lt;1&gt;</title>" in page
    assert "<script" not in page.lower() and "cdnjs" not in page  # opening a report contacts no one


def test_local_executor_runs_every_item_in_worker_processes() -> None:
    executor = LocalExecutor(2)
    try:
        assert sorted(executor.map_unordered(math.factorial, [3, 4, 5])) == [6, 24, 120]
    finally:
        executor.close()


def test_only_implemented_executors_and_engines_are_accepted() -> None:
    assert "local" in EXECUTORS
    with pytest.raises(ParameterError, match="unknown executor 'nope'"):
        make_executor("nope", 1)
    assert {"nbclient", "dpia-warm"} <= set(available_engines())
    with pytest.raises(SystemExit):
        build_parser().parse_args(["batch", "--language", "de"])


def test_cli_defaults_match_the_readme_command() -> None:
    args = build_parser().parse_args(["batch"])
    assert (args.register, args.out, args.workers, args.activity, args.all_activities, args.language) == (
        "ropa", "reports", None, [], False, "nl")
    assert args.executor == "local" and args.engine is None


def test_kernel_that_never_starts_is_retried_twice_then_reported(tmp_path: Path) -> None:
    attempts: list[int] = []

    def never(attempt: int) -> None:
        attempts.append(attempt)
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    nb = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), str(nb))
    job = Job("a", nb, tmp_path / "a.ipynb", tmp_path / "a.html", {}, tmp_path)
    result = execute_job(job, ExecutionOptions(kernel_retries=2), start_hook=never)
    assert attempts == [1, 2, 3]
    assert result.failure is not None and result.failure.cell_index is None
    assert "Kernel didn't respond" in result.failure.error and result.attempts == 3


def test_unknown_engine_and_misplaced_scheduler_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from dpia_lib.cli import main

    assert main(["batch", "--engine", "turbo"]) == 2
    assert "unknown engine 'turbo'" in capsys.readouterr().err
    assert main(["batch", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "not 'local'" in capsys.readouterr().err
    assert main(["batch", "--executor", "nope"]) == 2
    assert "unknown executor 'nope'; available: " in capsys.readouterr().err


class _CrashingExecutor:
    """An executor whose workers all die (like a BrokenProcessPool) before any report is done."""

    def __init__(self, workers: int) -> None:
        self.closed = False

    def map_unordered(self, fn, items):  # type: ignore[no-untyped-def]
        raise RuntimeError("worker process died")
        yield  # pragma: no cover - makes this a generator

    def close(self) -> None:
        self.closed = True


def test_a_crashed_executor_fails_its_jobs_but_the_index_is_still_written(tmp_path: Path) -> None:
    from dpia_lib.batch.execute import register_executor
    from dpia_lib.batch.runner import run_batch

    register_executor("crash-for-tests", _CrashingExecutor)
    result = run_batch(BatchOptions(register=REPO / "ropa", out=tmp_path, workers=1, activities=("special-file",),
                                    as_of="2026-11-01", executor="crash-for-tests"))
    assert result.exit_code == 1
    assert [(f.activity, f.error) for f in result.failures] == [
        ("special-file", "worker failed: RuntimeError: worker process died"),
        ("register", "worker failed: RuntimeError: worker process died")]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "mislukt: special-file: " in index and 'href="special-file.html"' not in index


def test_each_engine_declares_what_the_batch_passes_it(tmp_path: Path) -> None:
    from dpia_lib.batch.execute import default_engine, job_kwargs, runs_on_threads
    from dpia_lib.report.kernel import IpcKernelManager

    plain = job_kwargs(ExecutionOptions(engine="nbclient"), tmp_path)
    assert plain == {"cwd": str(tmp_path), "kernel_manager_class": IpcKernelManager, "shutdown_kernel": "immediate"}
    # the warm engine sets its kernel's folder itself: papermill's cwd would change this process's folder
    assert job_kwargs(ExecutionOptions(engine="dpia-warm"), tmp_path) == {"kernel_cwd": str(tmp_path)}
    assert runs_on_threads(ExecutionOptions(engine="dpia-warm"))
    assert not runs_on_threads(ExecutionOptions(engine="nbclient"))
    assert default_engine() == "dpia-warm"
