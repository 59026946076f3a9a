"""The personal-data scanner; every number here was checked by hand (11-proef, mod-97)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dpia_lib.cli import main
from dpia_lib.scan import iban_valid, is_bsn, scan_register, scan_text
from dpia_lib.validation import validate_register


def _codes(text: str) -> list[str]:
    return [p.code for p in scan_text(text, "f.yaml")]


@pytest.mark.parametrize("digits, valid", [
    ("111222333", True),   # 9+8+7+12+10+8+9+6-3 = 66 = 6*11
    ("123456782", True),   # 9+16+21+24+25+24+21+16-2 = 154 = 14*11
    ("123456789", False),  # ... -9 = 147 = 13*11 + 4
    ("000000000", False),
    ("12345678", False),
])
def test_eleven_test(digits: str, valid: bool) -> None:
    assert is_bsn(digits) is valid


@pytest.mark.parametrize("text", ["bsn 111222333", "note: 123.456.782 in file", "# client 123 456 782"])
def test_bsn_found_plain_and_grouped(text: str) -> None:
    assert _codes(text) == ["personal-data-bsn"]


@pytest.mark.parametrize("text", ["data_subjects_per_year: 450", "n: 123456789", "date: 2026-03-02",
                                  "x: 1234567820", "v: 111222333.5"])
def test_no_bsn_in_ordinary_numbers(text: str) -> None:
    assert _codes(text) == []


def test_role_mailboxes_allowed_person_addresses_flagged() -> None:
    assert _codes("contact: privacy@rosloopbaan.example") == []
    assert _codes("contact: INFO@example.nl, dpo@example.org") == []
    assert _codes("contact: j.jansen@example.nl") == ["personal-data-email"]
    assert _codes("ask jan+privacy@mail.example") == ["personal-data-email"]


@pytest.mark.parametrize("text", ["call 06-12345678", "tel: +31 6 12345678", "020 123 4567",
                                  "0031 20 1234567", "+31 (0)20 1234567", "0612345678"])
def test_dutch_phone_numbers(text: str) -> None:
    assert _codes(text) == ["personal-data-phone"]


@pytest.mark.parametrize("text", ["0800-1234", "BW 7:658a(5)", "AWR art. 52(4)", "period: 7 years",
                                  "Stcrt. 2019, 64418"])
def test_not_phone_numbers(text: str) -> None:
    assert _codes(text) == []


def test_iban_mod97() -> None:
    assert iban_valid("NL91ABNA0417164300")  # the standard example IBAN
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("NL91ABNA0417164301")
    assert _codes("pay to NL91 ABNA 0417 1643 00") == ["personal-data-iban"]
    assert _codes("pay to NL91ABNA0417164301") == []


@pytest.mark.parametrize("text", ["geboren 12-03-1980", "geboortedatum: 1980-03-12", "date of birth 3 maart 1980",
                                  "born 12/03/1980", "birth_date: 1975-01-31"])
def test_dates_of_birth_in_context(text: str) -> None:
    assert _codes(text) == ["personal-data-birth-date"]


def test_dates_without_birth_context_are_fine() -> None:
    assert _codes("dpia: {status: done, date: 2026-03-02, next_review: 2027-03-02}") == []


def test_position_and_masking() -> None:
    (problem,) = scan_text("a: 1\n# note: client 111222333 asked\n", "ropa/x.yaml")
    assert (problem.path, problem.line, problem.column) == ("ropa/x.yaml", 2, 16)
    assert "111222333" not in problem.message and "11*******" in problem.message


def test_shipped_register_is_clean() -> None:
    assert scan_register(Path(__file__).parent.parent / "ropa") == []


def test_scan_and_validate_report_file_and_line(ropa_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ropa_copy / "activities/newsletter.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, "# example subscriber: j.jansen@example.nl, 06-12345678\n")
    path.write_text("".join(lines), encoding="utf-8")
    assert main(["scan", "--register", str(ropa_copy), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(p["code"], p["path"], p["line"], p["column"]) for p in found] == [
        ("personal-data-email", str(path), 3, 23), ("personal-data-phone", str(path), 3, 44)]
    result = validate_register(ropa_copy)
    assert [(p.code, p.line) for p in result.problems] == [("personal-data-email", 3), ("personal-data-phone", 3)]
    assert main(["validate", "--register", str(ropa_copy)]) == 1
    assert main(["scan", "--register", str(ropa_copy / "missing")]) == 2


def test_line_breaks_other_than_newline_count_as_lines() -> None:
    # str.splitlines() also ends a line at \r, \r\n and U+2028; the prefiltered scan must number lines alike
    text = "a: 1\r\nb: 06-12345678\u2028c: bsn 111222333\rd: geboren 12-03-1980"
    assert [(p.code, p.line, p.column) for p in scan_text(text, "f.yaml")] == [
        ("personal-data-phone", 2, 4), ("personal-data-bsn", 3, 8), ("personal-data-birth-date", 4, 12)]


_MIXED = (
    "# example: j.jansen@example.nl, privacy@example.nl, 06-12345678\n"
    "iban: NL91 ABNA 0417 1643 00 and NL91ABNA0417164301; bsn 123.456.782 / 123 456 782 / 111222333\n"
    "note: geboren 12-03-1980, born 3 maart 1980; review 2026-03-02\n"
    "tel: +31 (0)20 1234567, 0031 20 1234567\r\nx: DE89 3704 0044 0532 0130 00\x85y: 0800-1234\n"
    "date: 1980-03-12\n"
    "no-trailing-newline: 020 123 4567"
)


def test_prefiltered_scan_equals_scanning_every_line(tmp_path: Path) -> None:
    from dpia_lib.scan import _scan_text_reference
    from dpia_lib.synthetic import generate_register
    from dpia_lib.yamlio import read_text

    here = Path(__file__).parent
    generate_register(tmp_path / "synthetic", 12, seed=3)
    paths = (sorted((here.parent / "ropa").rglob("*.yaml")) + sorted((here / "bad_input").rglob("*.yaml"))
             + sorted((tmp_path / "synthetic").rglob("*.yaml")))
    texts = [text for text in (read_text(path, str(path))[0] for path in paths) if text is not None]
    texts += [path.read_bytes().decode("utf-8", "replace") for path in sorted((here / "bad_input").rglob("*.yaml"))]
    # the synthetic and shipped files hold no hits: plant some in them too
    texts += [text[: len(text) // 2] + _MIXED + text[len(text) // 2:] for text in texts[:40]] + [_MIXED]
    assert len(texts) > 100
    for text in texts:
        assert scan_text(text, "f.yaml") == _scan_text_reference(text, "f.yaml")
    # every date on a line that speaks of birth is flagged, the review date too; line 7 has no birth word
    assert [(p.code, p.line, p.column) for p in scan_text(_MIXED, "f.yaml")] == [
        ("personal-data-email", 1, 12), ("personal-data-phone", 1, 53),
        ("personal-data-iban", 2, 7), ("personal-data-bsn", 2, 58), ("personal-data-bsn", 2, 72),
        ("personal-data-bsn", 2, 86),
        ("personal-data-birth-date", 3, 15), ("personal-data-birth-date", 3, 32), ("personal-data-birth-date", 3, 53),
        ("personal-data-phone", 4, 6), ("personal-data-phone", 4, 25), ("personal-data-iban", 5, 4),
        ("personal-data-phone", 8, 22)]
