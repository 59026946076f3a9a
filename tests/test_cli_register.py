"""``dpia validate`` and ``dpia register`` through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dpia_lib.cli import main

BANK = Path(__file__).parent / "register_bank"


def test_validate_shipped_register(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent.parent)
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "ropa: valid — 13 activities, 14 parties, 36 flows, 22 data categories" in out


def test_validate_json_shape(ropa_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ropa_copy / "activities/newsletter.yaml").write_bytes((BANK / "unknown-key__typo-retention.yaml").read_bytes())
    assert main(["validate", "--register", str(ropa_copy), "--format", "json"]) == 1
    (problem,) = json.loads(capsys.readouterr().out)
    assert set(problem) == {"code", "path", "line", "column", "field", "message"}
    assert problem["code"] == "unknown-key"
    assert problem["path"] == str(ropa_copy / "activities/newsletter.yaml")
    assert (problem["line"], problem["column"], problem["field"]) == (12, 1, "retension")


def test_validate_text_lines(ropa_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ropa_copy / "activities/newsletter.yaml").write_bytes((BANK / "bad-value__channel-unknown.yaml").read_bytes())
    assert main(["validate", "--register", str(ropa_copy)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{ropa_copy / 'activities/newsletter.yaml'}:27:14: bad-value flows[0].channel: ")
    assert "1 problem(s) found" in captured.err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "xml"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_missing_register_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--register", str(tmp_path / "nope")]) == 1
    assert "missing-file: register directory not found" in capsys.readouterr().out


def test_register_csv_and_markdown(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent.parent)
    assert main(["register", "--format", "csv", "--language", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,Activity,(a) Controller and contact,(b) Purposes")
    assert len([line for line in lines if line.startswith("newsletter,")]) == 1
    assert main(["register", "--format", "markdown"]) == 0
    assert "| Nieuwsbrief en marketing" in capsys.readouterr().out
