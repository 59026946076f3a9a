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
    # a date right after a word for birth is flagged, the review date on the same line is not; line 7 has no
    # birth word
    assert [(p.code, p.line, p.column) for p in scan_text(_MIXED, "f.yaml")] == [
        ("personal-data-email", 1, 12), ("personal-data-phone", 1, 53),
        ("personal-data-iban", 2, 7), ("personal-data-bsn", 2, 58), ("personal-data-bsn", 2, 72),
        ("personal-data-bsn", 2, 86),
        ("personal-data-birth-date", 3, 15), ("personal-data-birth-date", 3, 32),
        ("personal-data-phone", 4, 6), ("personal-data-phone", 4, 25), ("personal-data-iban", 5, 4),
        ("personal-data-phone", 8, 22)]


# A corpus of notations a scanner easily misses and of look-alikes it easily flags; each number passes its
# check (111222333 and 123456782 the 11-proef, NL91ABNA0417164300 mod-97), so only the rule decides.
@pytest.mark.parametrize("text, code", [
    ("clients: bsn 111222333, then the file", "personal-data-bsn"),    # a comma after it
    ("bsn: 111-222-333", "personal-data-bsn"),                          # written with hyphens
    ("pay to nl91abna0417164300", "personal-data-iban"),                # lower case
    ("pay to nl91 abna 0417 1643 00 today", "personal-data-iban"),     # lower case, grouped, a word after
    ("mobiel 06.12.34.56.78", "personal-data-phone"),
    ("bel (020) 123 4567", "personal-data-phone"),
    ("client geb. 3 mrt 1980", "personal-data-birth-date"),
    ("geboren op 03-03-80", "personal-data-birth-date"),
    ("geb. 03-03-80", "personal-data-birth-date"),
    ("client born March 3, 1980", "personal-data-birth-date"),
    ("date of birth: Mar. 3rd 1980", "personal-data-birth-date"),
    ("BSN-nr. 123456782", "personal-data-bsn"),                         # "nr." after a word for BSN
])
def test_corpus_misses_are_found(text: str, code: str) -> None:
    assert _codes(text) == [code]


@pytest.mark.parametrize("text", [
    "amount: 111.222.333 euro",                                          # an amount, not a BSN
    "budget € 111.222.333",
    "EUR 111222333",
    "total 111.222.333,00",
    "geboorteverlof voor partners sinds 01-07-2020 (Wet invoering extra geboorteverlof)",
    "artikelnummer 123456782",                                           # article numbers
    "art. 111222333",
    "Stcrt. 2019, 64418",                                                # Staatscourant references
    "Staatscourant 2016, 123456782",
    "Stb. 2018, 111222333",
    "ECLI:NL:CRVB:2019:1234",
    "Kamerstukken II 2017/18, 34 851, nr. 3",
    "geboortedatum is not recorded; review 2026-03-02",                  # a date near an unrelated word
    "last_review: 2026-03-02  # dob is never recorded",
    "born-digital records since 2019-01-01",
    "0800-1234567",                                                      # eleven digits: a service number
])
def test_corpus_false_positives_are_not_flagged(text: str) -> None:
    assert _codes(text) == []


def test_a_birth_date_is_flagged_but_the_unrelated_date_after_it_is_not() -> None:
    assert [(p.code, p.column) for p in scan_text("geboren 12-03-1980; review 2026-03-02", "f")] == [
        ("personal-data-birth-date", 9)]


def _note(register: Path, text: str) -> Path:
    path = register / "activities" / "newsletter.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"# {text}\n", encoding="utf-8")
    return path


def test_the_organisations_own_rsin_and_kvk_are_allowed(ropa_copy: Path) -> None:
    _note(ropa_copy, "our RSIN 123456782 and KvK 12345678; a client's BSN 111222333")
    assert [p.code for p in scan_register(ropa_copy)] == ["personal-data-bsn", "personal-data-bsn"]
    org = ropa_copy / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "rsin: '123456782'\nkvk: '12345678'\n", encoding="utf-8")
    (problem,) = scan_register(ropa_copy)
    assert problem.code == "personal-data-bsn" and "11*******" in problem.message
    assert validate_register(ropa_copy).problems == (problem,)  # rsin and kvk are valid organisation fields


_ALLOW = """\
# Values the personal-data scan flags that may stay in the register.
allow:
  - value: 020-1234567
    reason: the office switchboard number, printed in the privacy statement
    who: privacy-officer
    date: 2026-11-20
"""


def test_an_office_number_is_flagged_until_the_allow_list_names_it(ropa_copy: Path) -> None:
    path = _note(ropa_copy, "office: 020-1234567, also (020) 123 4567 and +31 20 1234567; mobile 06-12345678")
    assert [p.code for p in scan_register(ropa_copy)] == ["personal-data-phone"] * 4
    (ropa_copy / "scan-allow.yaml").write_text(_ALLOW, encoding="utf-8")
    (problem,) = scan_register(ropa_copy)
    assert (problem.path, problem.code, problem.column) == (str(path), "personal-data-phone", 71)
    assert validate_register(ropa_copy).problems == (problem,)


def test_the_allow_list_is_validated_with_file_line_and_field(ropa_copy: Path) -> None:
    path = ropa_copy / "scan-allow.yaml"
    path.write_text(_ALLOW.replace("who: privacy-officer", "who: the-intern").replace(
        "    date: 2026-11-20\n", "    date: someday\n    reasn: typo\n"), encoding="utf-8")
    found = {(p.code, p.line, p.field) for p in validate_register(ropa_copy).problems}
    # an invalid entry allows nothing, so the scan flags its own value too
    assert found == {("bad-value", 6, "allow[0].date"), ("unknown-key", 7, "allow[0].reasn"),
                     ("personal-data-phone", 3, "")}
    path.write_text(_ALLOW.replace("who: privacy-officer", "who: the-intern"), encoding="utf-8")
    assert [(p.code, p.line, p.field) for p in validate_register(ropa_copy).problems] == [
        ("unknown-reference", 5, "allow[0].who")]


def test_an_allowed_value_does_not_block_an_editor_save(ropa_copy: Path) -> None:
    from dpia_lib.editing import EditSession
    from dpia_lib.editing.save import InvalidSaveError

    session = EditSession(ropa_copy, user="privacy-officer")
    session.set("organisation", "contact", "Privacy officer, switchboard 020-1234567")
    with pytest.raises(InvalidSaveError, match="personal-data-phone"):
        session.save()
    (ropa_copy / "scan-allow.yaml").write_text(_ALLOW, encoding="utf-8")
    session = EditSession(ropa_copy, user="privacy-officer")
    assert session.set("organisation", "contact", "Privacy officer, switchboard 020-1234567") == {}
    session.save()
    assert "switchboard 020-1234567" in (ropa_copy / "organisation.yaml").read_text(encoding="utf-8")


def test_the_audit_log_is_scanned(ropa_copy: Path) -> None:
    log = ropa_copy / "audit.log.jsonl"
    log.write_text('{"event": "save-completed", "changes": [{"old": "bsn 111222333", "new": ""}]}\n'
                   '{"event": "save-completed", "changes": []}\n', encoding="utf-8")
    (problem,) = scan_register(ropa_copy)
    assert (problem.path, problem.line, problem.code) == (str(log), 1, "personal-data-bsn")
    assert "audit log" in problem.message and "111222333" not in problem.message


def test_the_incremental_checker_lets_the_same_values_pass(ropa_copy: Path) -> None:
    from dpia_lib.incremental import IncrementalChecker

    _note(ropa_copy, "office: 020-1234567; mobile 06-12345678; our RSIN 123456782")
    org = ropa_copy / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "rsin: '123456782'\n", encoding="utf-8")
    checker = IncrementalChecker(ropa_copy)
    assert [p.code for p in checker.refresh().problems] == ["personal-data-phone"] * 2
    (ropa_copy / "scan-allow.yaml").write_text(_ALLOW, encoding="utf-8")
    # the edited allow-list reaches files whose scan is cached: only the mobile number is left
    (problem,) = checker.refresh().problems
    assert problem.code == "personal-data-phone" and problem.column > 30
    assert checker.refresh().problems == validate_register(ropa_copy).problems
