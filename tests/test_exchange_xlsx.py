"""The register workbook: export with the art. 30 sheets, import back into an equivalent register (shipped
and synthetic), hand edits on the visible sheets, and refusal of a bad cell without writing anything."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from dpia_lib import check, load_register, screen
from dpia_lib.cli import main
from dpia_lib.exchange.xlsx import write_csv, write_workbook
from dpia_lib.exchange.xlsx_import import WorkbookError, import_workbook
from dpia_lib.register import Register
from dpia_lib.synthetic import generate_register
from dpia_lib.validation import validate_register

AS_OF = dt.date(2026, 11, 25)
SHEETS_EN = ["Read me", "Art. 30(1)", "Art. 30(2)", "Purposes", "Retention", "Parties", "Systems", "Flows",
             "Processors", "Organisation", "Roles", "_machine"]


def _column(ws: openpyxl.worksheet.worksheet.Worksheet, heading: str) -> int:
    for cell in ws[1]:
        if cell.value == heading:
            return int(cell.column)
    raise AssertionError(f"no column {heading!r}")


def _row(ws: openpyxl.worksheet.worksheet.Worksheet, ident: str) -> int:
    for cell in ws["A"]:
        if cell.value == ident or (isinstance(cell.value, str) and cell.value.endswith(f"[{ident}]")):
            return int(cell.row)
    raise AssertionError(f"no row {ident!r}")


def _same(a: Register, b: Register) -> None:
    assert dict(a.activities) == dict(b.activities)
    assert dict(a.parties) == dict(b.parties)
    assert dict(a.systems) == dict(b.systems)
    assert dict(a.dpias) == dict(b.dpias)
    assert a.organisation == b.organisation
    assert {k: s.verdict for k, s in screen(a).items()} == {k: s.verdict for k, s in screen(b).items()}
    findings_a = sorted((f.code, f.activity, f.message) for f in check(a, AS_OF))
    findings_b = sorted((f.code, f.activity, f.message) for f in check(b, AS_OF))
    assert findings_a == findings_b


@pytest.fixture(scope="module")
def shipped() -> Register:
    return load_register()


@pytest.fixture(scope="module")
def workbook(shipped: Register, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(shipped, tmp_path_factory.mktemp("wb") / "register.xlsx", language="en")


def test_sheets_headings_and_layout(workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames == SHEETS_EN
    assert wb["_machine"].sheet_state == "hidden"
    ws = wb["Art. 30(1)"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    assert ws.cell(row=2, column=1).alignment.wrap_text
    headings = [c.value for c in ws[1]]
    for expected in ("(a) Controller and contact", "(b) Purposes", "Basis per purpose (GDPR art. 6(1))",
                     "(c) Data subjects", "(c) Categories of personal data", "Condition of GDPR art. 9(2)",
                     "UAVG exception", "BSN basis (UAVG art. 46)", "Sources", "(d) Recipients",
                     "(e) Transfers outside the EEA", "(f) Retention periods", "(g) Security measures",
                     "DPIA verdict (screening)", "DPIA status", "Next DPIA review"):
        assert expected in headings, expected


def test_art30_row_holds_the_register_facts(workbook: Path) -> None:
    ws = openpyxl.load_workbook(workbook)["Art. 30(1)"]
    row = _row(ws, "reintegration-second-track")

    def cell(heading: str) -> str:
        return str(ws.cell(row=row, column=_column(ws, heading)).value)

    # ropa/activities/reintegration-second-track.yaml, read by hand: both purposes rest on legitimate
    # interests (the reintegration duty of BW 7:658a binds the employer, not the company)
    assert cell("Basis per purpose (GDPR art. 6(1))").count("GDPR art. 6(1)(f)") == 2
    assert "GDPR art. 6(1)(c)" not in cell("Basis per purpose (GDPR art. 6(1))")
    assert cell("Condition of GDPR art. 9(2)") == "employment-social-security"
    assert cell("UAVG exception") == "uavg-30-1-b"
    assert cell("BSN basis (UAVG art. 46)") == "BW 7:658a(5)\nWet SUWI art. 73"
    assert "[uwv]" in cell("Sources") and "[company-doctor]" in cell("Sources")
    assert "[training-institute]" in cell("(d) Recipients")
    assert cell("DPIA status") == "done"
    assert cell("Next DPIA review").startswith("2027-03-02")
    # the special file needs a DPIA (health data of vulnerable data subjects: see test_dpia)
    special = _row(ws, "special-file")
    assert ws.cell(row=special, column=_column(ws, "DPIA verdict (screening)")).value == "required"


def test_processor_sheet_and_retention_calendar(workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    processors = wb["Processors"]
    names = [str(c.value) for c in processors["A"][1:]]
    assert names == ["Client-tracking-system supplier [cts-supplier]", "E-mail and newsletter service [email-service]"]
    assert processors.cell(row=2, column=4).value == dt.datetime(2027, 1, 31)  # parties.yaml: expires
    assert processors.cell(row=3, column=4).value == "open-ended"
    months = [c.value for c in wb["Retention"]["A"][1:]]
    # the shortest periods come first: 3 months for the client portal's account and management reporting
    assert months == sorted(months) and months[:3] == [3, 3, 3]


def test_round_trip_shipped_register(shipped: Register, workbook: Path, tmp_path: Path) -> None:
    result = import_workbook(workbook, tmp_path / "ropa")
    assert (result.activities, result.parties, result.systems, result.dpias) == (13, 14, 5, 4)
    assert validate_register(tmp_path / "ropa").valid
    _same(shipped, load_register(tmp_path / "ropa"))


def test_round_trip_dutch_headings(shipped: Register, tmp_path: Path) -> None:
    path = write_workbook(shipped, tmp_path / "register.xlsx", language="nl")
    assert openpyxl.load_workbook(path).sheetnames[1] == "Art. 30 lid 1"
    import_workbook(path, tmp_path / "ropa")
    _same(shipped, load_register(tmp_path / "ropa"))


def test_round_trip_synthetic_register(tmp_path: Path) -> None:
    root = generate_register(tmp_path / "synthetic", activities=40, flows_per_activity=4, seed=3)
    original = load_register(root)
    path = write_workbook(original, tmp_path / "synthetic.xlsx")
    import_workbook(path, tmp_path / "back")
    assert validate_register(tmp_path / "back").valid
    _same(original, load_register(tmp_path / "back"))


def test_hand_edits_on_visible_sheets_are_read(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    purposes = wb["Purposes"]
    row = next(r for r in range(2, purposes.max_row + 1) if purposes.cell(row=r, column=2).value == "send-newsletter")
    assert purposes.cell(row=row, column=5).value == "consent"
    purposes.cell(row=row, column=3).value = "Nieuwsbrief aan abonnees"
    parties = wb["Parties"]
    prow = _row(parties, "email-service")
    parties.cell(row=prow, column=_column(parties, "Processing agreement expires")).value = dt.date(2028, 6, 30)
    art30 = wb["Art. 30(1)"]
    arow = _row(art30, "newsletter")
    art30.cell(row=arow, column=_column(art30, "Data subjects per year")).value = 1234
    wb.save(tmp_path / "edited.xlsx")
    import_workbook(tmp_path / "edited.xlsx", tmp_path / "ropa")
    register = load_register(tmp_path / "ropa")
    newsletter = register.activities["newsletter"]
    assert newsletter.purposes[0].description.nl == "Nieuwsbrief aan abonnees"
    assert newsletter.data_subjects_per_year == 1234
    dpa = register.parties["email-service"].dpa
    assert dpa is not None and dpa.expires == dt.date(2028, 6, 30)


def test_workbook_without_machine_sheet_still_imports(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    del wb["_machine"]
    wb.save(tmp_path / "plain.xlsx")
    result = import_workbook(tmp_path / "plain.xlsx", tmp_path / "ropa")
    assert result.dpias == 0  # the DPIA answers live only in the machine sheet
    assert validate_register(tmp_path / "ropa").valid


def test_bad_cells_are_refused_naming_sheet_and_cell(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    art30 = wb["Art. 30(1)"]
    row = _row(art30, "newsletter")
    col = _column(art30, "Profiling")
    art30.cell(row=row, column=col).value = "often"
    wb.save(tmp_path / "bad.xlsx")
    target = tmp_path / "ropa"
    with pytest.raises(WorkbookError) as info:
        import_workbook(tmp_path / "bad.xlsx", target)
    letter = openpyxl.utils.get_column_letter(col)
    assert [p.format() for p in info.value.problems] == [
        f"{tmp_path / 'bad.xlsx'}:Art. 30(1)!{letter}{row}: bad-value profiling: 'often' is not yes/no (ja/nee)"]
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx"]


def test_register_level_problem_is_traced_to_its_cell(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    parties = wb["Parties"]
    row = _row(parties, "uwv")
    parties.cell(row=row, column=_column(parties, "Kind")).value = "ministry"
    flows = wb["Flows"]
    frow = next(r for r in range(2, flows.max_row + 1) if flows.cell(row=r, column=2).value == "uwv-referral")
    flows.cell(row=frow, column=_column(flows, "From")).value = "uvw"
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(WorkbookError) as info:
        import_workbook(tmp_path / "bad.xlsx", tmp_path / "ropa")
    where = {(p.sheet, p.cell, p.code) for p in info.value.problems}
    assert ("Parties", f"D{row}", "unknown-reference") in where  # party kinds come from data/party_kinds.yaml
    assert ("Flows", f"C{frow}", "unknown-reference") in where
    assert not (tmp_path / "ropa").exists()


def test_csv_per_sheet(shipped: Register, tmp_path: Path) -> None:
    written = write_csv(shipped, tmp_path / "csv", language="en")
    assert [p.name for p in written] == ["art30-1.csv", "art30-2.csv", "purposes.csv", "retention.csv",
                                         "parties.csv", "systems.csv", "flows.csv", "processors.csv",
                                         "organisation.csv", "roles.csv"]
    with (tmp_path / "csv" / "parties.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["Id", "Name (nl)", "Name (en)"]
    assert len(rows) == 1 + 14


def test_cli_export_and_refused_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["export", "xlsx", "--language", "en", "--out", str(out), "--csv", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "art30-1.csv").is_file()
    assert main(["import", "xlsx", str(out), "--into", str(tmp_path / "ropa")]) == 0
    assert main(["validate", "--register", str(tmp_path / "ropa")]) == 0
    wb = openpyxl.load_workbook(out)
    wb["Systems"]["E2"] = "Nederland"
    wb.save(out)
    capsys.readouterr()
    assert main(["import", "xlsx", str(out), "--into", str(tmp_path / "other")]) == 1
    err = capsys.readouterr().err
    assert f"{out}:Systems!E2: bad-value systems[0].hosting_country:" in err
    assert "nothing was written" in err and not (tmp_path / "other").exists()


def test_processing_as_processor_goes_to_the_art30_2_sheet(ropa_copy: Path, tmp_path: Path) -> None:
    from tests.engine_fixtures import probe

    # an activity we perform for the employer as its processor (GDPR art. 30(2))
    (ropa_copy / "activities" / "probe.yaml").write_text(
        probe(("owner: office-staff", "owner: office-staff\nrole: processor\ncontrollers: [employer]\n"
               "agreement: {signed: 2026-03-01}\nmeasures: [role-based-access, incident-procedure]")),
        encoding="utf-8")
    original = load_register(ropa_copy)
    path = write_workbook(original, tmp_path / "r.xlsx", language="en")
    wb = openpyxl.load_workbook(path)
    art30_2 = wb["Art. 30(2)"]
    row = _row(art30_2, "probe")
    assert art30_2.cell(row=row, column=_column(art30_2, "(a) Controllers we act for")).value == \
        "Client organisation (employer) [employer]"
    # the agreement with the controller (GDPR art. 28(3)) has its own column
    assert art30_2.cell(row=row, column=_column(art30_2, "Processing agreement with them signed (GDPR art. 28(3))")
                        ).value == dt.datetime(2026, 3, 1)
    with pytest.raises(AssertionError):
        _row(wb["Art. 30(1)"], "probe")
    import_workbook(path, tmp_path / "back")
    _same(original, load_register(tmp_path / "back"))


def test_rows_pointing_to_no_activity_are_refused(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    purposes = wb["Purposes"]
    purposes.cell(row=2, column=1).value = "Nothing [no-such-activity]"
    art30 = wb["Art. 30(1)"]
    art30.cell(row=3, column=1).value = art30.cell(row=2, column=1).value  # the same id twice
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(WorkbookError) as info:
        import_workbook(tmp_path / "bad.xlsx", tmp_path / "ropa")
    where = {(p.sheet, p.cell, p.code) for p in info.value.problems}
    assert ("Purposes", "A2", "unknown-reference") in where
    assert ("Art. 30(1)", "A3", "duplicate-id") in where


def test_columns_are_found_by_heading(shipped: Register, workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    art30 = wb["Art. 30(1)"]
    # an officer drops derived columns she does not need; the editable ones shift to the left
    art30.delete_cols(_column(art30, "Sources"))
    art30.delete_cols(_column(art30, "(a) Controller and contact"))
    wb.save(tmp_path / "trimmed.xlsx")
    import_workbook(tmp_path / "trimmed.xlsx", tmp_path / "ropa")
    _same(shipped, load_register(tmp_path / "ropa"))


def test_evaluation_is_a_column_and_survives_a_hand_edit(ropa_copy: Path, tmp_path: Path) -> None:
    from tests.engine_fixtures import probe

    # people scoring personal aspects without profiling: WP248 rev.01 criterion 1 (evaluation or scoring)
    (ropa_copy / "activities" / "probe.yaml").write_text(
        probe(("owner: office-staff", "owner: office-staff\nevaluation: true")), encoding="utf-8")
    original = load_register(ropa_copy)
    path = write_workbook(original, tmp_path / "r.xlsx", language="en")
    wb = openpyxl.load_workbook(path)
    art30 = wb["Art. 30(1)"]
    row, col = _row(art30, "probe"), _column(art30, "Evaluation or scoring")
    assert art30.cell(row=row, column=col).value == "yes"
    import_workbook(path, tmp_path / "back")
    _same(original, load_register(tmp_path / "back"))
    art30.cell(row=row, column=col).value = "no"
    wb.save(tmp_path / "edited.xlsx")
    import_workbook(tmp_path / "edited.xlsx", tmp_path / "edited")
    assert not load_register(tmp_path / "edited").activities["probe"].evaluation
