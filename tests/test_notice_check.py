"""The gap check of a published statement: per article item and per register fact covered, missing or
contradicting, with the statement's line and the register's file and line as evidence.

``fixtures/notice/statement-with-gaps.txt`` is a short statement written for this test with the gaps of
the company's 2018 statement: no BSN, no retention periods, no consequence of not providing data, no named
recipients, three bases listed without the legal obligation, and a promise of consent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import matplotlib
import pytest

from dpia_lib import load_register
from dpia_lib.cli import main
from dpia_lib.notice.check import CheckReport, check_statement, read_statement
from dpia_lib.notice.render import render_statement
from dpia_lib.notice.statement import build_statement

matplotlib.use("Agg")
GAPS = Path(__file__).parent / "fixtures" / "notice" / "statement-with-gaps.txt"


@pytest.fixture(scope="module")
def report() -> CheckReport:
    return check_statement(load_register(), GAPS, "en")


def _verdict(report: CheckReport, key: str) -> tuple[str, list[str], list[str]]:
    v = next(v for v in report.verdicts if v.key == key)
    return v.verdict, [line for line, _ in v.statement], list(v.register)


def test_statement_with_gaps_fails(report: CheckReport) -> None:
    assert report.failed
    # BSN: the statement never names it; the register has it in reintegration-second-track.yaml line 43
    # (its categories), citing BW 7:658a(5) and Wet SUWI art. 73 in the purposes' sources (lines 19, 33)
    verdict, lines, register = _verdict(report, "bsn:reintegration-second-track")
    assert verdict == "missing" and lines == []
    assert register[0] == f"{Path('ropa').resolve() / 'activities' / 'reintegration-second-track.yaml'}:43" or \
        register[0].endswith("ropa/activities/reintegration-second-track.yaml:43")
    assert [r.rsplit(":", 1)[1] for r in register[1:]] == ["19", "33"]
    # retention: the item and each category's period (the BSN: 2 years, line 50 of the activity file)
    assert _verdict(report, "item:13-2-a")[0] == "missing"
    verdict, _, register = _verdict(report, "retention:bsn")
    assert verdict == "missing" and register[0].endswith("reintegration-second-track.yaml:50")
    # art. 13(2)(e): line 18 says providing data is sometimes required, but not what happens if not
    assert _verdict(report, "item:13-2-e")[0] == "missing"
    # recipients the register has: the employer is named only as a source (line 3) and in a promise (line
    # 10), never as a recipient; the training institute not at all
    verdict, lines, _ = _verdict(report, "recipient:employer")
    assert verdict == "missing" and lines == ["3", "10"]
    assert _verdict(report, "recipient:training-institute")[0] == "missing"


def test_contradictions_with_their_lines(report: CheckReport) -> None:
    # line 7 lists contract, legitimate interest and consent; the register also relies on art. 6(1)(c):
    # handling data-subject requests (line 10) and keeping the books of self-paying clients (line 12)
    verdict, lines, register = _verdict(report, "basis:legal-obligation")
    assert verdict == "contradicts" and lines[0] == "7"
    assert any(r.endswith("data-subject-requests.yaml:10") for r in register)
    assert any(r.endswith("self-paying-payments.yaml:12") for r in register)
    # line 10 promises consent before anything goes to the employer; progress reports go on another basis
    verdict, lines, register = _verdict(report, "promise:employer:10")
    assert verdict == "contradicts" and lines == ["10"]
    assert any("progress-reporting.yaml" in r for r in register)


def test_covered_items_show_their_evidence(report: CheckReport) -> None:
    assert _verdict(report, "item:13-2-b") == ("covered", ["14"], [])
    assert _verdict(report, "item:13-2-d")[:2] == ("covered", ["16"])
    assert _verdict(report, "source:employer")[:2] == ("covered", ["3"])
    assert _verdict(report, "item:13-1-b")[0] == "not-applicable"  # organisation.yaml: no DPO appointed


@pytest.mark.parametrize(("language", "fmt"), [("nl", "md"), ("nl", "html"), ("en", "md"), ("en", "html")])
def test_generated_statement_has_no_gap(language: str, fmt: str, tmp_path: Path) -> None:
    register = load_register()
    path = tmp_path / f"statement.{fmt}"
    path.write_text(render_statement(build_statement(register, language, as_of=dt.date(2026, 10, 1)), fmt),
                    encoding="utf-8")
    report = check_statement(register, path)
    assert [(v.key, v.reason) for v in report.verdicts if v.verdict in ("missing", "contradicts")] == []
    assert not report.failed


def test_html_lines_are_source_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.html"
    path.write_text("<html><body>\n<h1>Privacy</h1>\n<p>Wij verwerken uw\nburgerservicenummer.</p>\n</body></html>\n",
                    encoding="utf-8")
    assert [(line.label, line.text) for line in read_statement(path)] == [
        ("2", "Privacy"), ("3", "Wij verwerken uw burgerservicenummer.")]


def test_pdf_statement(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    path = tmp_path / "s.pdf"
    with PdfPages(path) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.05, 0.9, "Wij verwerken uw burgerservicenummer (BSN) omdat de wet dat voorschrijft.")
        pdf.savefig(fig)
        plt.close(fig)
    lines = read_statement(path)
    assert lines[0].label == "1:1" and "burgerservicenummer" in lines[0].text
    report = check_statement(load_register(), path)
    assert _verdict(report, "bsn:reintegration-second-track")[:2] == ("covered", ["1:1"])


def test_cli_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice-check", str(GAPS), "--language", "en"]) == 1
    out = capsys.readouterr().out
    assert f"statement {GAPS}:7: Wij baseren ons op drie grondslagen" in out
    assert out.splitlines()[-1].endswith("2 contradicting, 2 not applicable")
    assert main(["notice-check", str(GAPS), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["failed"] is True and data["counts"]["contradicts"] == 2
    assert main(["notice-check", "no-such-file.txt"]) == 2
