"""Register text in reports and messages: backslashes and regex group references render as written, and
terminal control characters never reach a terminal raw."""

from __future__ import annotations

import html
from pathlib import Path

import nbformat
import pytest

from dpia_lib.batch.export import notebook_html
from dpia_lib.cli import main
from dpia_lib.report import Plot, Section, prepare, prepare_register

#: A Windows path and every kind of regex replacement escape (\g<0>, \1, \d would be "bad escape").
NAME = r"C:\data \g<0> \1 \d"


def _rename(register: Path, name: str) -> None:
    path = register / "activities" / "newsletter.yaml"
    text = path.read_text(encoding="utf-8")
    old = "name: {nl: Nieuwsbrief en marketing, en: Newsletter and marketing}"
    assert old in text
    path.write_text(text.replace(old, f"name: {{nl: '{name}', en: '{name}'}}"), encoding="utf-8")


def test_backslashes_in_a_name_render_in_the_html_export() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {NAME}")]
    page = notebook_html(nb, f"DPIA: {NAME}")
    assert f"<title>DPIA: {html.escape(NAME)}</title>" in page


def test_backslashes_in_a_name_render_in_the_dpia_report_and_register_overview(ropa_copy: Path) -> None:
    _rename(ropa_copy, NAME)
    report = prepare("newsletter", "en", "2026-11-01", ropa_copy)
    title = report.title()
    assert title.title.endswith(f": {NAME}")
    assert html.escape(NAME) in title._repr_html_()
    pages = [getattr(report, m)() for m in ("description", "necessity", "risks", "measures", "screening",
                                            "findings", "rights", "dpo_advice", "sign_off")]
    assert all(isinstance(p, Section) and p._repr_html_() for p in pages)
    plot = report.flow_graph()
    assert isinstance(plot, Plot) and plot.alt.startswith(f"Flow graph of {NAME}: ") and plot._repr_svg_()
    overview = prepare_register("en", "2026-11-01", ropa_copy)
    assert html.escape(NAME) in overview.art30()._repr_html_()


def test_control_characters_in_register_keys_are_escaped_in_text_output(
        ropa_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ropa_copy / "activities" / "newsletter.yaml"
    path.write_text(path.read_text(encoding="utf-8") + '"evil\\e[2J\\e]0;pwned\\a": 1\n', encoding="utf-8")
    assert main(["validate", "--register", str(ropa_copy)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert r"evil\x1b[2J\x1b]0;pwned\x07" in out
