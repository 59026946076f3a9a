"""The art. 30 table."""

from __future__ import annotations

from pathlib import Path

from dpia_lib import Register
from dpia_lib import load_register as _load
from dpia_lib.art30 import ART30_COLUMNS, art30_table


def load_register() -> Register:
    """The shipped register, wherever the tests are run from."""
    return _load(Path(__file__).resolve().parent.parent / "ropa")


def test_one_row_per_activity_with_art30_columns() -> None:
    register = load_register()
    table = art30_table(register, language="en")
    assert list(table.index) == sorted(register.activities)
    assert list(table.columns[1:]) == list(ART30_COLUMNS["en"])
    assert len(ART30_COLUMNS["en"]) == 7  # art. 30(1)(a) to (g)


def test_row_content_for_payments() -> None:
    row = art30_table(load_register(), language="en").loc["self-paying-payments"]
    assert "[GDPR art. 6(1)(b)]" in row["(b) Purposes"]
    assert "[GDPR art. 6(1)(c)]" in row["(b) Purposes"]
    assert row["(d) Recipients"] == "Payment service provider"
    assert "Payment data: 7 years (end of the financial year)" in row["(f) Retention"]
    assert row["(e) Transfers outside the EEA"] == "—"


def test_dutch_headings() -> None:
    table = art30_table(load_register(), language="nl")
    assert table.columns[1] == "(a) Verwerkingsverantwoordelijke en contact"
    assert table.loc["newsletter", "Verwerking"] == "Nieuwsbrief en marketing"


def test_processor_activities_have_their_own_table() -> None:
    from dpia_lib.art30 import art30_processor_table

    register = _load(Path(__file__).resolve().parent.parent / "examples/occupational-health-service")
    assert list(art30_table(register, "en").index) == ["medical-file"]
    table = art30_processor_table(register, "en")
    assert list(table.index) == ["absence-administration"]
    row = table.loc["absence-administration"]
    # (a) names us and the controller with the agreement's date; (c) no transfers.
    assert row["(a) Processor and the controllers it acts for"] == (
        "Voorbeeld Arbodienst — Privacy officer, via the contact form on the website; Employer (client) (2025-02-01)")
    assert row["(c) Transfers outside the EEA"] == "—"
    assert row["(b) Categories of processing"].endswith("| Name and contact details, Employment and job details, "
                                                        "Sickness absence (first day of sickness, expected duration), "
                                                        "Appointments and consultations")
