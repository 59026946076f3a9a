"""dpia-workbook: the GDPR register of processing activities (art. 30) and DPIAs (art. 35) as code."""

from dpia_lib.catalogue import Catalogue
from dpia_lib.diagnostics import Problem
from dpia_lib.dpia import Dpia, build_dpia
from dpia_lib.errors import ConflictError, DpiaError, ParameterError, RegisterError, SaveError, UnknownActivityError
from dpia_lib.findings import Finding, Severity
from dpia_lib.loading import DEFAULT_DATA_DIR, load_catalogue, load_register, read_register
from dpia_lib.register import Register
from dpia_lib.risk import RiskAssessment, RiskEntry, RiskLevel, assess_risks
from dpia_lib.rules import check
from dpia_lib.screening import Reason, Screening, screen, screen_activity

__all__ = [
    "DEFAULT_DATA_DIR",
    "Catalogue",
    "ConflictError",
    "Dpia",
    "DpiaError",
    "Finding",
    "ParameterError",
    "Problem",
    "Reason",
    "Register",
    "RegisterError",
    "RiskAssessment",
    "RiskEntry",
    "RiskLevel",
    "SaveError",
    "Screening",
    "Severity",
    "UnknownActivityError",
    "assess_risks",
    "build_dpia",
    "check",
    "load_catalogue",
    "load_register",
    "read_register",
    "screen",
    "screen_activity",
]
