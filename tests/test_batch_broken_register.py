"""``dpia batch`` on a register in which one activity's file is broken: the other
reports complete, the exit code is 1, and the broken activity is named with its notebook cell and the
file and line of its problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpia_lib.cli import main

BANK = Path(__file__).parent / "register_bank"


def test_one_broken_activity_does_not_stop_the_others(
    ropa_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # bad-value__channel-unknown: the newsletter's flow channel 'pigeon', line 27 of its file
    (ropa_copy / "activities/newsletter.yaml").write_bytes((BANK / "bad-value__channel-unknown.yaml").read_bytes())
    out = tmp_path / "reports"
    code = main(["batch", "--register", str(ropa_copy), "--out", str(out), "--workers", "2",
                 "--activity", "newsletter", "--activity", "special-file", "--as-of", "2026-11-01",
                 "--language", "en"])
    assert code == 1
    err = capsys.readouterr().err
    failed = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1
    assert failed[0].startswith("FAILED newsletter: ") and "dpia.ipynb cell " in failed[0]
    assert "newsletter.yaml:27:14: bad-value flows[0].channel" in failed[0]
    # The other activity and the register overview are complete and say what was left out.
    special = (out / "special-file.html").read_text(encoding="utf-8")
    assert "Special file (functional limitations)" in special
    assert "left out because their files have problems" in special
    assert "newsletter.yaml:27:14" in (out / "register.html").read_text(encoding="utf-8")
    assert not (out / "newsletter.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="special-file.html">' in index
    assert "newsletter.yaml:27:14: bad-value" in index
