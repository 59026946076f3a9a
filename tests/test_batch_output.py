"""The batch's output folder is replaced as a whole: concurrent runs leave one complete set, an
interrupted run (Ctrl-C) leaves the previous set with exit code 130 and one line, and folders the batch
must not or cannot write are refused with one line. A badly named activity file fails only itself, and
the register overview survives a flow from an unknown party. Budget: about 60 s on 2 cores.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dpia_lib.batch.output import MANIFEST
from dpia_lib.batch.runner import BatchOptions, run_batch
from dpia_lib.cli import main
from dpia_lib.report import prepare_register
from tests.engine_fixtures import REPO, copy_register, edit

AS_OF = "2026-11-01"


def _batch(register: Path, out: Path, language: str, *activities: str) -> subprocess.Popen[str]:
    args = [arg for aid in activities for arg in ("--activity", aid)]
    return subprocess.Popen([sys.executable, "-m", "dpia_lib.cli", "batch", "--register", str(register),
                             "--out", str(out), "--as-of", AS_OF, "--language", language, "--workers", "1",
                             "--no-progress", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=register.parent)


def _languages(out: Path) -> set[str]:
    """The languages of the pages in ``out``: the index's ``<html lang>``, and of each report the language
    whose title label its ``<title>`` starts with."""
    from dpia_lib.report.labels import load_labels

    labels = load_labels()
    index = (out / "index.html").read_text(encoding="utf-8")
    found = {re.search(r'<html lang="([a-z]+)"', index).group(1)}  # type: ignore[union-attr]
    for name, key in (("newsletter.html", "dpia-title"), ("register.html", "register-title")):
        title = re.search(r"<title>(.*?)</title>", (out / name).read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
        found |= {lang for lang in ("nl", "en") if title.startswith(labels.get(key, lang))}
    return found


@pytest.mark.slow
def test_two_concurrent_batches_into_one_folder_leave_one_complete_set(tmp_path: Path) -> None:
    register = copy_register(tmp_path)
    out = tmp_path / "reports"
    runs = [_batch(register, out, "nl", "newsletter"), _batch(register, out, "en", "newsletter")]
    for run in runs:
        _stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.iterdir() if p.name != MANIFEST) == manifest["files"] == [
        "index.html", "newsletter.html", "newsletter.ipynb", "newsletter.pdf", "register.html", "register.ipynb",
        "register.pdf"]
    assert len(_languages(out)) == 1  # all Dutch or all English, never a mix
    assert not list(tmp_path.glob(".reports.staging-*")) and not list(tmp_path.glob(".reports.old-*"))


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_keeps_the_previous_set(tmp_path: Path) -> None:
    register = copy_register(tmp_path)
    out = tmp_path / "reports"
    first = _batch(register, out, "nl", "newsletter")
    first.communicate(timeout=300)
    assert first.returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    second = _batch(register, out, "en", "newsletter", "special-file", "reintegration-second-track")
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".reports.staging-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # into the run: kernels starting, register loading
    second.send_signal(signal.SIGINT)
    _stdout, stderr = second.communicate(timeout=120)
    assert second.returncode == 130
    assert stderr.strip().splitlines() == [f"dpia batch: interrupted; {out} is unchanged"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".reports.staging-*"))


def test_out_inside_notebooks_or_the_register_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = copy_register(tmp_path)
    notebooks = {p.name: p.read_bytes() for p in (REPO / "notebooks").iterdir() if p.is_file()}
    assert main(["batch", "--register", str(register), "--out", str(REPO / "notebooks")]) == 2
    assert "lies inside the notebooks folder" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (REPO / "notebooks").iterdir() if p.is_file()} == notebooks
    assert main(["batch", "--register", str(register), "--out", str(register / "reports")]) == 2
    assert "lies inside the register" in capsys.readouterr().err
    assert main(["batch", "--register", str(register), "--out", str(tmp_path)]) == 2
    assert "contains the register" in capsys.readouterr().err
    assert not (register / "reports").exists()


def test_unusable_out_gives_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = copy_register(tmp_path)
    a_file = tmp_path / "reports.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    assert main(["batch", "--register", str(register), "--out", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err
    others = tmp_path / "documents"
    others.mkdir()
    (others / "letter.txt").write_text("keep me", encoding="utf-8")
    assert main(["batch", "--register", str(register), "--out", str(others)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds files that dpia batch did not write" in err
    assert [p.name for p in others.iterdir()] == ["letter.txt"]
    # /proc accepts no new folders, whoever runs the test
    assert main(["batch", "--register", str(register), "--out", "/proc/dpia-reports"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dpia batch: --out '/proc/dpia-reports'")


@pytest.mark.slow
def test_a_badly_named_activity_file_sets_aside_only_itself(tmp_path: Path) -> None:
    register = copy_register(tmp_path)
    newsletter = register / "activities" / "newsletter.yaml"
    (register / "activities" / "newsletter copy.yaml").write_bytes(newsletter.read_bytes())
    result = run_batch(BatchOptions(register=register, out=tmp_path / "reports", workers=2, as_of=AS_OF,
                                    language="en", activities=("newsletter", "newsletter copy")))
    assert result.exit_code == 1
    assert [f.activity for f in result.failures] == ["newsletter copy"]
    assert "id-mismatch" in result.failures[0].error and "newsletter copy.yaml" in result.failures[0].error
    written = sorted(p.name for p in (tmp_path / "reports").glob("*.html"))
    assert written == ["index.html", "newsletter.html", "register.html"]
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert '<a href="newsletter.html">' in index and "newsletter copy.yaml" in index


def test_the_register_overview_lists_a_flow_from_an_unknown_party_as_a_problem(tmp_path: Path) -> None:
    register = copy_register(tmp_path)
    edit(register / "activities" / "newsletter.yaml", "from: data-subject", "from: ghost-party")
    overview = prepare_register("en", AS_OF, register)
    assert [(p.code, p.field) for p in overview.left_out] == [("unknown-reference", "flows[0].from")]
    assert "ghost-party" in overview.left_out[0].message
    assert os.path.basename(overview.left_out[0].path) == "newsletter.yaml"
    svg, metadata = overview.flow_graph()._repr_svg_()  # drawn without the dangling flow
    assert svg.rstrip().endswith("</svg>") and metadata["alt"].startswith("All data flows of the register")
    assert ">Newsletter and marketing</text>" in svg and "ghost-party" not in svg
