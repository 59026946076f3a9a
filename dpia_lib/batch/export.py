"""Export an executed notebook to a standalone HTML report without code cells, and that report to PDF.

The report shows only outputs: code cells' inputs and prompts are left out, papermill's injected
parameters cell is dropped, the template's scripts (CDN-hosted require.js and MathJax) are removed, and
images (PNG outputs: the risk map and the flow graph) are embedded as ``data:`` URIs, so one ``.html``
file is the whole report. Register strings are already escaped by :mod:`dpia_lib.report.blocks`; stream
and error outputs are escaped by nbconvert.

The exporter's configuration lives in :func:`html_exporter`. A :class:`ReportExporter` keeps the
exporters of one batch run (one per thread) for as long as the run lasts.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from dpia_lib.errors import ParameterError
from dpia_lib.report.document import html_exporter, report_page, write_pdf

__all__ = ["REPORT_FORMATS", "ReportExporter", "export_html", "html_exporter", "notebook_html", "report_files"]

#: nbconvert's template loads require.js and MathJax from a CDN; a report needs no script, and opening it
#: must not contact a third party, so every script element of the template is removed.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.DOTALL | re.IGNORECASE)


#: What ``dpia batch --format`` accepts: the HTML report, its PDF, or both (the default).
REPORT_FORMATS: tuple[str, ...] = ("html", "pdf", "both")


def report_files(report_format: str) -> tuple[bool, bool]:
    """Whether a report in ``report_format`` is written as HTML and whether as PDF.

    >>> report_files("both"), report_files("html"), report_files("pdf")
    ((True, True), (True, False), (False, True))
    """
    if report_format not in REPORT_FORMATS:
        raise ParameterError(f"format must be one of {', '.join(REPORT_FORMATS)}, not {report_format!r}")
    return report_format != "pdf", report_format != "html"


def _report_cells(nb: Any) -> Any:
    nb = nb.copy()
    nb.cells = [cell for cell in nb.cells if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])
                and "parameters" not in cell.get("metadata", {}).get("tags", [])]
    return nb


def notebook_html(nb: Any, title: str, exporter: Any = None) -> str:
    """The HTML of notebook node ``nb`` without code inputs, titled ``title``.

    ``exporter`` (from :func:`html_exporter`) is reused when given; it must not convert two notebooks
    at the same time (nbconvert registers per-call filters on its template environment).
    """
    body, _resources = (exporter or html_exporter()).from_notebook_node(_report_cells(nb))
    return report_page(_SCRIPT.sub("", str(body)), title=title, language=_language(nb))


def _language(nb: Any) -> str:
    """The report's language: the notebook's ``language`` parameter (papermill records it)."""
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    return str(params.get("language", "en"))


class ReportExporter:
    """Writes HTML reports with one exporter per thread, each built on the thread's first report.

    Building an exporter compiles nbconvert's templates (about half of an export's time), so a batch run
    builds it once per worker thread and drops it with this object. A pickled copy (for a worker process)
    starts without exporters and builds its own.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._local = threading.local()

    def exporter(self) -> Any:
        """The calling thread's exporter."""
        found = getattr(self._local, "exporter", None)
        if found is None:
            found = self._local.exporter = html_exporter()
        return found

    def write(self, nb: Any, target: Path, title: str, *, pdf: bool = True, html: bool = True) -> Path:
        """Write the report of the executed notebook node ``nb``: with ``html`` as HTML to ``target`` (UTF-8),
        with ``pdf`` as PDF to ``target`` with suffix ``.pdf``; returns ``target``."""
        page = notebook_html(nb, title, self.exporter())
        if html:
            target.write_text(page, encoding="utf-8")
        if pdf:
            write_pdf(page, target.with_suffix(".pdf"))
        return target


def export_html(notebook: Path, target: Path, title: str, exporter: ReportExporter | None = None, *,
                pdf: bool = True) -> Path:
    """Write the HTML report of the executed notebook file ``notebook`` to ``target``, and with ``pdf`` its
    PDF beside it; returns ``target``."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)  # type: ignore[no-untyped-call]
    return (exporter or ReportExporter()).write(nb, target, title, pdf=pdf)
