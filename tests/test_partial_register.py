"""One broken activity does not take the others down: load_register_partial and the reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpia_lib.errors import RegisterError
from dpia_lib.loading import load_register_partial
from dpia_lib.report import prepare, prepare_register

BANK = Path(__file__).parent / "register_bank"


def _break_newsletter(ropa: Path) -> None:
    # bad-value__channel-unknown: flow channel 'pigeon' on line 27 of the newsletter's file
    (ropa / "activities/newsletter.yaml").write_bytes((BANK / "bad-value__channel-unknown.yaml").read_bytes())


def test_broken_activity_is_set_aside_with_its_problems(ropa_copy: Path) -> None:
    _break_newsletter(ropa_copy)
    partial = load_register_partial(ropa_copy)
    assert list(partial.broken) == ["newsletter"]
    (problem,) = partial.broken["newsletter"]
    assert (problem.code, Path(problem.path).name, problem.line) == ("bad-value", "newsletter.yaml", 27)
    assert "newsletter" not in partial.register.activities
    assert len(partial.register.activities) == 12


def test_broken_dpia_record_sets_its_activity_aside(ropa_copy: Path) -> None:
    record = ropa_copy / "dpias/special-file.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("review_date:", "review_dat:"), encoding="utf-8")
    partial = load_register_partial(ropa_copy)
    assert list(partial.broken) == ["special-file"]
    assert {p.code for p in partial.broken["special-file"]} >= {"unknown-key"}


def test_problems_outside_activity_files_still_stop_everything(ropa_copy: Path) -> None:
    (ropa_copy / "parties.yaml").write_bytes((BANK / "bad-value__party-kind.yaml").read_bytes())
    with pytest.raises(RegisterError, match=r"parties\.yaml:13:11: bad-value parties\[1\]\.kind"):
        load_register_partial(ropa_copy)


def test_reports_of_the_others_are_built_and_say_what_is_left_out(ropa_copy: Path) -> None:
    _break_newsletter(ropa_copy)
    with pytest.raises(RegisterError, match=r"newsletter\.yaml:27:14: bad-value flows\[0\]\.channel"):
        prepare("newsletter", "en", "2026-11-01", str(ropa_copy))
    report = prepare("special-file", "en", "2026-11-01", str(ropa_copy))
    assert report.left_out == ("newsletter",)
    assert "Note: left out because their files have problems" in str(report.title())
    overview = prepare_register("en", "2026-11-01", str(ropa_copy))
    assert [Path(p.path).name for p in overview.left_out] == ["newsletter.yaml"]
    # On the intact register nothing is left out and the title says nothing about it.
    intact = prepare("special-file", "en", "2026-11-01", str(Path(__file__).parent.parent / "ropa"))
    assert intact.left_out == () and "left out" not in str(intact.title())
