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


def test_the_command_skips_jsonschemas_iri_checker_and_still_validates_notebooks(tmp_path: Path) -> None:
    # In a fresh interpreter: after `dpia` has started, nbformat (through jsonschema) no longer imports
    # rfc3987_syntax, and a notebook is still validated: a broken one is refused.
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from dpia_lib.cli import main\n"
        "main(['validate', '--register', sys.argv[1]])\n"
        "import nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['outputs'] = 'not a list'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    ropa = Path(__file__).parent.parent / "ropa"
    out = subprocess.run([sys.executable, "-c", script, str(ropa)], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout
    assert out.splitlines()[-2:] == ["refused", "None"]
