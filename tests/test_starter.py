"""``dpia init``: the starter register validates, passes every rule, and never overwrites a folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dpia_lib import check, load_register
from dpia_lib.cli import main
from dpia_lib.errors import ParameterError
from dpia_lib.starter import write_starter
from dpia_lib.validation import validate_register


def test_starter_is_valid_and_clean(tmp_path: Path) -> None:
    root = write_starter(tmp_path / "register")
    result = validate_register(root)
    assert result.valid, result.problems
    register = load_register(root)
    assert (len(register.activities), len(register.parties), len(register.systems)) == (1, 2, 1)
    assert register.catalogue.source_dir is not None and register.catalogue.source_dir.name == "data"
    assert check(register, dt.date(2026, 6, 1)) == []
    # every record invites replacement, and nothing of the shipped company's register is in it
    for path in root.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "REPLACE" in text, path
        assert "Ros" not in text and "Loopbaan" not in text


def test_starter_goes_into_an_empty_folder_but_never_over_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["init", str(empty)]) == 0
    assert "starter register written" in capsys.readouterr().out
    assert (empty / "organisation.yaml").is_file()
    before = (empty / "organisation.yaml").read_bytes()
    with pytest.raises(ParameterError, match="already exists"):
        write_starter(empty)
    assert main(["init", str(empty)]) == 2
    assert (empty / "organisation.yaml").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # no scratch folder left behind
