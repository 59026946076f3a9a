"""``validate_register``: every problem of a register in one pass, for ``dpia validate`` and the editor.

Structural problems (syntax, schema, references) and completeness gaps (art. 6 basis, art. 9 condition)
are reported together, sorted by file and line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from dpia_lib.diagnostics import Problem
from dpia_lib.loading import ParseCache, read_register
from dpia_lib.references import CrossChecks, check_completeness
from dpia_lib.register import Register
from dpia_lib.sources import Sources

if TYPE_CHECKING:
    from dpia_lib.scan import Allowance

__all__ = ["CheckCache", "ValidationResult", "validate_register", "yaml_files"]


class CheckCache(ParseCache, Protocol):
    """A :class:`~dpia_lib.loading.ParseCache` that also keeps the personal-data scan of each file."""

    def scanned(self, shown: str, path: Path | None = None, allowance: Allowance | None = None,
                text: str | None = None) -> list[Problem]:
        """The personal-data scan of the file ``shown`` (at ``path``, or of ``text`` when the file is given in
        memory) with what ``allowance`` lets pass, from the cache while neither changed."""


def yaml_files(register_dir: Path | str) -> set[str]:
    """Every ``*.yaml`` file under ``register_dir`` (the files the personal-data scan reads), as paths."""
    return {os.path.join(folder, name) for folder, _, names in os.walk(register_dir)
            for name in names if name.endswith(".yaml")}


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


def validate_register(register_dir: Path | str = "ropa", data_dir: Path | str | None = None,
                      *, cache: CheckCache | None = None, texts: Mapping[str, str] | None = None,
                      cross: CrossChecks | None = None) -> ValidationResult:
    """Validate a register directory; never raises for problems in its files.

    ``cache`` keeps files parsed, validated and scanned between runs (see :mod:`dpia_lib.incremental`);
    the result is the same with or without it. ``texts`` gives every file of the register in memory, by
    path relative to ``register_dir`` (an editor's unsaved state): they are checked, and scanned for
    personal data, instead of the files on disk, and the problems name the files in ``register_dir`` (the
    audit log is still read from there). ``cross`` keeps the cross-record checks' results per record
    between runs (:class:`~dpia_lib.references.CrossChecks`, what the incremental checker passes).

    >>> from dpia_lib.loading import DEFAULT_DATA_DIR
    >>> validate_register(DEFAULT_DATA_DIR.parent / "ropa").valid
    True
    """
    from dpia_lib.scan import load_allowance, scan_audit_log, scan_register, scan_text

    register, problems = read_register(register_dir, data_dir, cache=cache, texts=texts, cross=cross)
    if register is not None:
        problems = problems + check_completeness(register, Sources(register), cross)
    # client data has no place in the register
    if cache is None and texts is None:
        problems = problems + scan_register(register_dir)
    elif texts is not None:
        allowance, allow_problems = load_allowance(register_dir, texts)
        shown = {rel: os.path.join(str(register_dir), rel) for rel in texts if rel.endswith(".yaml")}
        problems = [*problems, *allow_problems,
                    *(p for rel, path in sorted(shown.items())
                      for p in (cache.scanned(path, allowance=allowance, text=texts[rel]) if cache is not None
                                else scan_text(texts[rel], path, allowance))),
                    *scan_audit_log(register_dir, allowance)]
    elif cache is not None and Path(register_dir).is_dir():
        allowance, allow_problems = load_allowance(register_dir)
        problems = [*problems, *allow_problems,
                    *(p for shown in sorted(yaml_files(register_dir))
                      for p in cache.scanned(shown, allowance=allowance)),
                    *scan_audit_log(register_dir, allowance)]
    ordered = sorted(problems, key=lambda p: (p.path, p.line, p.column, p.code))
    return ValidationResult(register, tuple(ordered))
