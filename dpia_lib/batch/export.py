"""Export an executed notebook to a standalone HTML report without code cells, and that report to PDF.

The report shows only outputs: code cells' inputs and prompts are left out, papermill's injected
parameters cell is dropped, the template's scripts (CDN-hosted require.js and MathJax) are removed, and images (PNG outputs: the risk map and the flow graph) are embedded as
``data:`` URIs, so one ``.html`` file is the whole report. Register strings are already escaped by
:mod:`dpia_lib.report.blocks`; stream and error outputs are escaped by nbconvert.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from dpia_lib.report.document import html_exporter, report_page, write_pdf

__all__ = ["export_html", "notebook_html"]

#: nbconvert's template loads require.js and MathJax from a CDN; a report needs no script, and opening it
#: must not contact a third party, so every script element of the template is removed.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.DOTALL | re.IGNORECASE)


@cache
def _exporter(thread: int) -> Any:
    """The HTML exporter of thread ``thread`` (its Jinja templates compiled once per process and thread).

    Building an exporter compiles nbconvert's templates (about half of an export's time), so it is built
    once and reused. One per thread, because ``from_notebook_node`` registers per-call filters on the
    exporter's template environment, so one exporter must not convert two notebooks at the same time.
    """
    return html_exporter()


def notebook_html(nb: Any, title: str) -> str:
    """The HTML of notebook node ``nb`` without code inputs, titled ``title``."""
    nb = nb.copy()
    nb.cells = [cell for cell in nb.cells if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])
                and "parameters" not in cell.get("metadata", {}).get("tags", [])]
    body, _resources = _exporter(threading.get_ident()).from_notebook_node(nb)
    return report_page(_SCRIPT.sub("", str(body)), title=title, language=_language(nb))


def _language(nb: Any) -> str:
    """The report's language: the notebook's ``language`` parameter (papermill records it)."""
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    return str(params.get("language", "en"))


def export_html(notebook: Path, target: Path, title: str, *, pdf: bool = True) -> Path:
    """Write the HTML report of the executed ``notebook`` to ``target`` (UTF-8), and with ``pdf`` the same
    report as ``target`` with suffix ``.pdf`` beside it; returns ``target``."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)  # type: ignore[no-untyped-call]
    page = notebook_html(nb, title)
    target.write_text(page, encoding="utf-8")
    if pdf:
        write_pdf(page, target.with_suffix(".pdf"))
    return target
