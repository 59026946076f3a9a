"""dpia-workbook: the GDPR register of processing activities (art. 30) and DPIAs (art. 35) as code."""

from dpia_lib.catalogue import Catalogue
from dpia_lib.diagnostics import Problem
from dpia_lib.errors import ConflictError, DpiaError, ParameterError, RegisterError, SaveError, UnknownActivityError
from dpia_lib.loading import DEFAULT_DATA_DIR, load_catalogue, load_register, read_register
from dpia_lib.register import Register

__all__ = [
    "DEFAULT_DATA_DIR",
    "Catalogue",
    "ConflictError",
    "DpiaError",
    "ParameterError",
    "Problem",
    "Register",
    "RegisterError",
    "SaveError",
    "UnknownActivityError",
    "load_catalogue",
    "load_register",
    "read_register",
]
