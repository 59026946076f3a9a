"""Reports: the DPIA of one activity and the register overview, as the notebooks display them.

Notebooks call :func:`prepare` (or :func:`prepare_register`) in their first cell and display the sections
it returns; all text comes from ``data/labels.yaml`` in the chosen language, and every register string is
escaped. The tables are pandas DataFrames (:mod:`dpia_lib.report.tables`), the risk map and flow graph
matplotlib figures built without pyplot.

The names below are imported on first use: the batch imports :mod:`dpia_lib.report.document` (the HTML
and PDF pages) without matplotlib and pandas, which only the kernels need.

Refreshing the outputs stored in the notebooks (which nbval compares): ``python -m dpia_lib.report.refresh``.
"""

from typing import TYPE_CHECKING

from dpia_lib.lazy import lazy_exports

if TYPE_CHECKING:
    from dpia_lib.report.blocks import Items, Paragraph, Plot, Section, Table, html_table
    from dpia_lib.report.dpia_report import DpiaReport, prepare
    from dpia_lib.report.labels import LANGUAGES, Labels, load_labels
    from dpia_lib.report.register_report import RegisterReport, prepare_register
    from dpia_lib.report.riskmap import RiskPoint, risk_map

__all__ = [
    "LANGUAGES",
    "DpiaReport",
    "Items",
    "Labels",
    "Paragraph",
    "Plot",
    "RegisterReport",
    "RiskPoint",
    "Section",
    "Table",
    "html_table",
    "load_labels",
    "prepare",
    "prepare_register",
    "risk_map",
]

_HOMES = {
    "Items": "dpia_lib.report.blocks",
    "Paragraph": "dpia_lib.report.blocks",
    "Plot": "dpia_lib.report.blocks",
    "Section": "dpia_lib.report.blocks",
    "Table": "dpia_lib.report.blocks",
    "html_table": "dpia_lib.report.blocks",
    "DpiaReport": "dpia_lib.report.dpia_report",
    "prepare": "dpia_lib.report.dpia_report",
    "LANGUAGES": "dpia_lib.report.labels",
    "Labels": "dpia_lib.report.labels",
    "load_labels": "dpia_lib.report.labels",
    "RegisterReport": "dpia_lib.report.register_report",
    "prepare_register": "dpia_lib.report.register_report",
    "RiskPoint": "dpia_lib.report.riskmap",
    "risk_map": "dpia_lib.report.riskmap",
}
__getattr__ = lazy_exports(__name__, _HOMES)
