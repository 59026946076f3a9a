"""The bank of invalid register files (tests/register_bank/): each file replaces one file of a copy of
the shipped register and must produce the problem its name and header state.

Header of each bank file (line numbers count the header itself)::

    # target: activities/newsletter.yaml
    # expect: unknown-key line 12 field retension

The expected line was worked out by hand from where the fault sits in the file, and the rest of the
register stays valid, so every problem reported must be in the target file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dpia_lib.validation import validate_register

BANK = Path(__file__).parent / "register_bank"
CASES = sorted(BANK.glob("*.yaml"))
HEADER = re.compile(rb"# target: (?P<target>\S+)\n"
                    rb"# expect: (?P<code>[a-z0-9-]+) line (?P<line>\d+)(?: field (?P<field>\S+))?\n")


def test_bank_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_register_file(case: Path, ropa_copy: Path) -> None:
    raw = case.read_bytes()
    header = HEADER.match(raw)
    assert header, f"{case.name}: malformed header"
    target, code = header["target"].decode(), header["code"].decode()
    line = int(header["line"])
    field = header["field"].decode() if header["field"] else None
    assert case.stem.split("__")[0] == code, "each bank file is named for the code it must produce"

    (ropa_copy / target).write_bytes(raw)
    result = validate_register(ropa_copy)

    assert not result.valid
    target_path = str(ropa_copy / target)
    matching = [p for p in result.problems if p.code == code]
    assert matching, f"expected {code}, got {[p.format() for p in result.problems]}"
    assert any(p.path == target_path and p.line == line for p in matching), [p.format() for p in matching]
    if field is not None:
        assert any(p.field == field for p in matching if p.line == line), [p.format() for p in matching]
    # The rest of the register is untouched, so nothing is reported elsewhere.
    assert {p.path for p in result.problems} == {target_path}
    for problem in result.problems:
        assert problem.format().startswith(f"{target_path}:{problem.line}:{problem.column}: {problem.code}")


def test_suggestions_for_near_misses(ropa_copy: Path) -> None:
    (ropa_copy / "activities/newsletter.yaml").write_bytes((BANK / "unknown-key__typo-retention.yaml").read_bytes())
    (problem,) = validate_register(ropa_copy).problems
    assert problem.message == "unknown key 'retension'; did you mean 'retention'?"

    (ropa_copy / "activities/newsletter.yaml").write_bytes((BANK / "unknown-reference__owner.yaml").read_bytes())
    (problem,) = validate_register(ropa_copy).problems
    assert "did you mean 'marketing-staff'?" in problem.message

    (ropa_copy / "activities/newsletter.yaml").write_bytes((BANK / "bad-value__basis-typo.yaml").read_bytes())
    (problem,) = validate_register(ropa_copy).problems
    assert "did you mean 'consent'?" in problem.message


def test_all_problems_in_one_pass(ropa_copy: Path) -> None:
    """Faults in three files are all reported by one run, sorted by file and line."""
    for name, target in (("unknown-key__typo-retention", "activities/newsletter.yaml"),
                         ("unknown-reference__party-kind", "parties.yaml"),
                         ("unknown-reference__system-supplier", "systems.yaml")):
        (ropa_copy / target).write_bytes((BANK / f"{name}.yaml").read_bytes())
    problems = validate_register(ropa_copy).problems
    assert [p.code for p in problems] == ["unknown-key", "unknown-reference", "unknown-reference"]
    assert [Path(p.path).name for p in problems] == ["newsletter.yaml", "parties.yaml", "systems.yaml"]
