"""dpia-workbook: the GDPR register of processing activities (art. 30) and DPIAs (art. 35) as code."""

from typing import TYPE_CHECKING

from dpia_lib.lazy import lazy_exports

if TYPE_CHECKING:
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

# imported on first use: `import dpia_lib.errors` (or the CLI) does not load the register model
_HOMES = {
    "Catalogue": "dpia_lib.catalogue",
    "Problem": "dpia_lib.diagnostics",
    "Dpia": "dpia_lib.dpia",
    "build_dpia": "dpia_lib.dpia",
    "ConflictError": "dpia_lib.errors",
    "DpiaError": "dpia_lib.errors",
    "ParameterError": "dpia_lib.errors",
    "RegisterError": "dpia_lib.errors",
    "SaveError": "dpia_lib.errors",
    "UnknownActivityError": "dpia_lib.errors",
    "Finding": "dpia_lib.findings",
    "Severity": "dpia_lib.findings",
    "DEFAULT_DATA_DIR": "dpia_lib.loading",
    "load_catalogue": "dpia_lib.loading",
    "load_register": "dpia_lib.loading",
    "read_register": "dpia_lib.loading",
    "Register": "dpia_lib.register",
    "RiskAssessment": "dpia_lib.risk",
    "RiskEntry": "dpia_lib.risk",
    "RiskLevel": "dpia_lib.risk",
    "assess_risks": "dpia_lib.risk",
    "check": "dpia_lib.rules",
    "Reason": "dpia_lib.screening",
    "Screening": "dpia_lib.screening",
    "screen": "dpia_lib.screening",
    "screen_activity": "dpia_lib.screening",
}
__getattr__ = lazy_exports(__name__, _HOMES)
