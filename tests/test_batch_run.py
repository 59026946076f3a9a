"""``dpia batch`` end to end with real kernels (about 30 s on 2 cores): output layout, parallelism,
failure isolation, escaping of register text in reports and index, IPC kernels and start retries.

One register copy is shared: the newsletter's Dutch name is ``<script>alert(1)</script>``. Run A uses
one worker; run B uses two workers, goes through the CLI and includes an activity whose notebook is
given an impossible date by an executor registered for the test (the executor seam), so its first cell
raises.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dpia_lib.batch.execute import ExecutionOptions, Job, LocalExecutor, execute_job, register_executor
from dpia_lib.batch.runner import BatchOptions, BatchResult, run_batch
from dpia_lib.cli import main
from tests.engine_fixtures import copy_register

REPO = Path(__file__).resolve().parent.parent
EVIL = "<script>alert(1)</script>"
AS_OF = "2026-11-01"
pytestmark = pytest.mark.slow


class SabotagingExecutor:
    """A local executor that gives the special-file job an impossible date (an injected bad parameter)."""

    def __init__(self, workers: int) -> None:
        self.inner = LocalExecutor(workers)

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        broken = [dataclasses.replace(job, parameters={**job.parameters, "as_of": "2026-02-30"})
                  if job.activity == "special-file" else job for job in items]
        return self.inner.map_unordered(fn, broken)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def register_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    copy_register(root)
    newsletter = root / "ropa" / "activities" / "newsletter.yaml"
    text = newsletter.read_text(encoding="utf-8")
    start = text.index("name:")
    end = text.index("\n", start)
    newsletter.write_text(text[:start] + f'name: {{nl: "{EVIL}", en: Newsletter}}' + text[end:], encoding="utf-8")
    return root / "ropa"


@pytest.fixture(scope="module")
def run_a(register_dir: Path) -> BatchResult:
    return run_batch(BatchOptions(register=register_dir, out=register_dir.parent / "a", workers=1,
                                  activities=("newsletter", "reintegration-second-track"), as_of=AS_OF,
                                  include_register=False))


@pytest.fixture(scope="module")
def run_b(register_dir: Path) -> tuple[int, str, str]:
    register_executor("sabotage-for-tests", SabotagingExecutor)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["batch", "--register", str(register_dir), "--out", str(register_dir.parent / "b"),
                     "--workers", "2", "--as-of", AS_OF, "--executor", "sabotage-for-tests",
                     "--activity", "newsletter", "--activity", "reintegration-second-track",
                     "--activity", "special-file"])
    return code, out.getvalue(), err.getvalue()


def test_output_layout(register_dir: Path, run_b: tuple[int, str, str]) -> None:
    b = register_dir.parent / "b"
    assert sorted(p.name for p in b.iterdir()) == [
        ".dpia-batch.json", "index.html", "newsletter.html", "newsletter.ipynb", "newsletter.pdf", "register.html",
        "register.ipynb", "register.pdf", "reintegration-second-track.html", "reintegration-second-track.ipynb",
        "reintegration-second-track.pdf", "special-file.ipynb"]
    assert f"index: {b.resolve() / 'index.html'}" in run_b[1]


def test_a_failing_activity_is_reported_with_its_cell_and_the_others_complete(run_b: tuple[int, str, str]) -> None:
    code, out, err = run_b
    assert code == 1
    assert "3 of 4 reports written" in out
    # cells of the executed notebook: 0 parameters, 1 papermill's injected parameters, 2 prepare(...)
    assert "FAILED special-file: " in err and "dpia.ipynb cell 2: ParameterError: as_of '2026-02-30'" in err
    assert "prepare(activity, language, as_of, register, template)" in err


def test_index_lists_verdicts_risks_links_and_the_failure(register_dir: Path, run_b: tuple[int, str, str]) -> None:
    index = (register_dir.parent / "b" / "index.html").read_text(encoding="utf-8")
    assert EVIL not in index
    assert '<a href="newsletter.html">&lt;script&gt;alert(1)&lt;/script&gt;</a></td><td>niet verplicht</td>' in index
    assert '<a href="reintegration-second-track.html">2e spoor re-integratiebegeleiding (procesdossier)</a></td><td>verplicht</td>' in index
    assert "special-file.html" not in index and "mislukt: special-file: " in index
    assert '<a href="register.html">' in index
    assert index.count("<tr><td>") == 13  # every activity of the register, reported on or not


def test_reports_escape_register_text_and_embed_images_without_code(register_dir: Path, run_b: tuple[int, str, str]) -> None:
    for name in ("newsletter.html", "register.html"):
        page = (register_dir.parent / "b" / name).read_text(encoding="utf-8")
        assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = (register_dir.parent / "b" / "reintegration-second-track.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/svg+xml;base64,') == 2  # flow graph and risk map
    assert "prepare(" not in page and "display(" not in page
    assert "<title>Gegevensbeschermingseffectbeoordeling (DPIA): 2e spoor re-integratiebegeleiding" in page


def test_two_workers_write_the_same_reports_as_one(register_dir: Path, run_a: BatchResult,
                                                   run_b: tuple[int, str, str]) -> None:
    assert run_a.exit_code == 0
    for name in ("newsletter.html", "reintegration-second-track.html"):
        assert (register_dir.parent / "a" / name).read_bytes() == (register_dir.parent / "b" / name).read_bytes()


def test_output_notebooks_record_only_the_checked_parameters(register_dir: Path, run_b: tuple[int, str, str]) -> None:
    nb = nbformat.read(str(register_dir.parent / "b" / "newsletter.ipynb"), as_version=4)
    assert nb.metadata.papermill.parameters == {
        "activity": "newsletter", "language": "nl", "as_of": AS_OF, "register": "../ropa", "template": "model"}


def test_kernels_use_ipc_and_a_failed_start_is_retried(tmp_path: Path) -> None:
    nb = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(
        "from ipykernel.kernelapp import IPKernelApp\nprint(IPKernelApp.instance().transport)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), str(nb))
    calls: list[int] = []

    def fail_twice(attempt: int) -> None:
        calls.append(attempt)
        if attempt <= 2:
            raise RuntimeError("Kernel died before replying to kernel_info")

    job = Job("probe", nb, tmp_path / "out.ipynb", tmp_path / "out.html", {}, tmp_path)
    result = execute_job(job, ExecutionOptions(), start_hook=fail_twice)
    assert result.ok and result.attempts == 3 and calls == [1, 2, 3]
    executed = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "ipc"
