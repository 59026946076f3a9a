"""``validate_register``: every problem of a register in one pass, for ``dpia validate`` and the editor.

Structural problems (syntax, schema, references) and completeness gaps (art. 6 basis, art. 9 condition)
are reported together, sorted by file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dpia_lib.diagnostics import Problem
from dpia_lib.loading import read_register
from dpia_lib.references import check_completeness
from dpia_lib.register import Register

__all__ = ["ValidationResult", "validate_register"]


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating a register: the register (if it could be built) and all problems."""

    register: Register | None
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def summary(self) -> str:
        """One line: what the register holds."""
        r = self.register
        if r is None:
            return "register could not be read"
        state = "valid" if self.valid else "invalid"
        return (f"{r.root}: {state} — {len(r.activities)} activities, {len(r.parties)} parties, "
                f"{len(r.flows)} flows, {len(r.catalogue.categories)} data categories, "
                f"{len(r.dpias)} DPIA records")


def validate_register(register_dir: Path | str = "ropa", data_dir: Path | str | None = None) -> ValidationResult:
    """Validate a register directory; never raises for problems in its files.

    >>> from dpia_lib.loading import DEFAULT_DATA_DIR
    >>> validate_register(DEFAULT_DATA_DIR.parent / "ropa").valid
    True
    """
    from dpia_lib.scan import scan_register

    register, problems = read_register(register_dir, data_dir)
    if register is not None:
        problems = problems + check_completeness(register)
    problems = problems + scan_register(register_dir)  # client data has no place in the register
    ordered = sorted(problems, key=lambda p: (p.path, p.line, p.column, p.code))
    return ValidationResult(register, tuple(ordered))
