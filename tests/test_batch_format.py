"""``dpia batch --format``: ``both`` (the default) writes each report as HTML and as PDF, ``html`` writes no
PDF, ``pdf`` writes no HTML report; the index links exactly the files written. Budget: about 40 s on 2
cores (two small batches)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dpia_lib.batch.index import IndexEntry, index_html
from dpia_lib.batch.runner import BatchOptions, run_batch
from dpia_lib.cli import build_parser
from dpia_lib.errors import ParameterError
from tests.engine_fixtures import copy_register

AS_OF = "2026-11-01"


def _links(out: Path) -> list[str]:
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    return sorted({a["href"] for a in page.find_all("a")})


def _batch(tmp_path: Path, report_format: str) -> Path:
    out = tmp_path / f"reports-{report_format}"
    result = run_batch(BatchOptions(register=copy_register(tmp_path / report_format), out=out, workers=1,
                                    as_of=AS_OF, language="en", activities=("newsletter",),
                                    format=report_format))
    assert result.exit_code == 0, result.failures
    return out


def test_the_cli_writes_both_by_default_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    assert parser.parse_args(["batch"]).report_format == "both"
    assert parser.parse_args(["batch", "--format", "html"]).report_format == "html"
    with pytest.raises(SystemExit):
        parser.parse_args(["batch", "--format", "docx"])
    with pytest.raises(SystemExit):
        parser.parse_args(["batch", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "both (default) writes the HTML report and its PDF, the signable document" in shown


def test_an_unknown_format_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    with pytest.raises(ParameterError, match="format must be one of html, pdf, both"):
        run_batch(BatchOptions(register=copy_register(tmp_path), out=out, format="docx"))
    assert not out.exists()


@pytest.mark.slow
def test_html_only_writes_no_pdf_and_the_index_links_only_html(tmp_path: Path) -> None:
    out = _batch(tmp_path, "html")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "index.html", "newsletter.html", "newsletter.ipynb", "register.html", "register.ipynb"]
    assert _links(out) == ["newsletter.html", "register.html"]


@pytest.mark.slow
def test_pdf_only_writes_no_html_report_and_the_index_links_only_pdf(tmp_path: Path) -> None:
    out = _batch(tmp_path, "pdf")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "index.html", "newsletter.ipynb", "newsletter.pdf", "register.ipynb", "register.pdf"]
    assert (out / "newsletter.pdf").read_bytes().startswith(b"%PDF")
    assert _links(out) == ["newsletter.pdf", "register.pdf"]


def test_index_names_link_the_pdf_when_no_html_was_written() -> None:
    entries = [IndexEntry("a", "A", "required", False, "limited", None, None, pdf="a.pdf"),
               IndexEntry("b", "B", "required", False, "limited", "b.html", None, pdf="b.pdf"),
               IndexEntry("c", "C", "required", False, "limited", "c.html", None)]
    page = BeautifulSoup(index_html(entries, title="T", language="en", as_of=AS_OF, register_link=None,
                                    register_pdf="register.pdf"), "html.parser")
    rows = {row.find("td").get_text(strip=True): row for row in page.find("tbody").find_all("tr")}
    assert [(a["href"], a.get_text()) for a in rows["A"].find_all("a")] == [("a.pdf", "A"), ("a.pdf", "PDF")]
    assert [(a["href"], a.get_text()) for a in rows["B"].find_all("a")] == [
        ("b.html", "B"), ("b.html", "HTML"), ("b.pdf", "PDF")]
    assert [(a["href"], a.get_text()) for a in rows["C"].find_all("a")] == [("c.html", "C"), ("c.html", "HTML")]
    assert [a["href"] for a in page.find("p", recursive=True).find_next("p").find_all("a")] == ["register.pdf"]
