"""Reports: the DPIA of one activity and the register overview, as the notebooks display them.

Notebooks call :func:`prepare` (or :func:`prepare_register`) in their first cell and display the sections
it returns; all text comes from ``data/labels.yaml`` in the chosen language, and every register string is
escaped. The tables are pandas DataFrames (:mod:`dpia_lib.report.tables`), the risk map and flow graph
matplotlib figures built without pyplot.

Refreshing the outputs stored in the notebooks (which nbval compares): ``python -m dpia_lib.report.refresh``.
"""

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
