"""Export an executed notebook to a standalone HTML report without code cells.

The report shows only outputs: code cells' inputs and prompts are left out, papermill's injected
parameters cell is dropped, the template's scripts (CDN-hosted require.js and MathJax) are removed, and images (PNG outputs: the risk map and the flow graph) are embedded as
``data:`` URIs, so one ``.html`` file is the whole report. Register strings are already escaped by
:mod:`dpia_lib.report.blocks`; stream and error outputs are escaped by nbconvert.
"""

from __future__ import annotations

import html
import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["export_html", "notebook_html"]

_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)
#: nbconvert's template loads require.js and MathJax from a CDN; a report needs no script, and opening it
#: must not contact a third party, so every script element of the template is removed.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.DOTALL | re.IGNORECASE)
#: Report tables read left to right, top aligned (JupyterLab's CSS right-aligns table cells).
_STYLE = ("<style>.jp-RenderedHTMLCommon table.dpia th, .jp-RenderedHTMLCommon table.dpia td "
          "{text-align: left; vertical-align: top;}</style>")


@cache
def _exporter(thread: int) -> Any:
    """The HTML exporter of thread ``thread`` (its Jinja templates compiled once per process and thread).

    Building an exporter compiles nbconvert's templates (about half of an export's time), so it is built
    once and reused. One per thread, because ``from_notebook_node`` registers per-call filters on the
    exporter's template environment, so one exporter must not convert two notebooks at the same time.
    """
    from nbconvert import HTMLExporter

    return HTMLExporter(  # type: ignore[no-untyped-call]
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True)


def notebook_html(nb: Any, title: str) -> str:
    """The HTML of notebook node ``nb`` without code inputs, titled ``title``."""
    nb = nb.copy()
    nb.cells = [cell for cell in nb.cells if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])
                and "parameters" not in cell.get("metadata", {}).get("tags", [])]
    body, _resources = _exporter(threading.get_ident()).from_notebook_node(nb)
    page = _SCRIPT.sub("", str(body))
    head = f"<title>{html.escape(title)}</title>{_STYLE}"
    return _TITLE.sub(lambda _: head, page, count=1)  # a function: register text is never a replacement template


def export_html(notebook: Path, target: Path, title: str) -> Path:
    """Write the HTML report of the executed ``notebook`` to ``target`` (UTF-8); returns ``target``."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)  # type: ignore[no-untyped-call]
    target.write_text(notebook_html(nb, title), encoding="utf-8")
    return target
