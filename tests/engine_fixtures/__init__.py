"""Small registers for the DPIA engine's tests: a copy of the shipped register (and its catalogues) in a
temporary directory, with files replaced or edited, plus ``probe.yaml``: a minimal activity whose line
numbers are fixed, so a test can assert the line of a finding (counted by hand in :data:`PROBE`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: A minimal activity that triggers no rule and no screening criterion. Line numbers (1-based):
#: 5 purposes[0] ("- id: p1"), 7 purposes[0].basis, 8 data_subjects, 9 categories, 11 retention of
#: name-contact, 12 access, 13 data_subjects_per_year, 14 dpia, 17-23 flows[0] (18 from, 20 categories).
PROBE = """\
id: probe
name: {nl: Proef, en: Probe}
owner: office-staff
purposes:
  - id: p1
    description: {nl: Doel, en: Purpose}
    basis: contract
data_subjects: [client-contacts]
categories: [name-contact]
retention:
  name-contact: {period: 1 year, from: last contact, basis: analysis}
access: [office-staff]
data_subjects_per_year: 10
dpia: {status: not-needed}
last_review: 2026-09-15
flows:
  - id: probe-in
    from: data-subject
    to: probe
    categories: [name-contact]
    channel: email
    ground: {basis: contract}
    frequency: once
"""

#: A second flow to append to :data:`PROBE`: lines 24-30, its categories on line 27.
PROBE_OUT = """\
  - id: probe-out
    from: probe
    to: {to}
    categories: [{categories}]
    channel: email
    ground: {{basis: contract}}
    frequency: once
"""


def copy_register(tmp_path: Path) -> Path:
    """A copy of ``ropa/`` and ``data/`` under ``tmp_path``; returns the register directory."""
    shutil.copytree(REPO / "ropa", tmp_path / "ropa", ignore=shutil.ignore_patterns("audit.log*", ".*"))
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path / "ropa"


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` by ``new`` (fails if not exactly once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def probe(*replacements: tuple[str, str], out: str | None = None) -> str:
    """:data:`PROBE` with one-line ``(old, new)`` replacements and optionally :data:`PROBE_OUT` appended
    (``out`` as ``"to|categories"``)."""
    text = PROBE
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    if out is not None:
        to, categories = out.split("|")
        text += PROBE_OUT.format(to=to, categories=categories)
    return text


def with_probe(tmp_path: Path, text: str) -> Path:
    """A register copy with ``activities/probe.yaml`` holding ``text``."""
    ropa = copy_register(tmp_path)
    (ropa / "activities" / "probe.yaml").write_text(text, encoding="utf-8")
    return ropa
