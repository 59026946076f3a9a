"""The report package without Jupyter: parameters, labels, tables, escaping, risk map, register overview.

Expected values are read by hand from the shipped register (ropa/) and the domain brief, not from the
code's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from dpia_lib.errors import ParameterError, RegisterError, UnknownActivityError
from dpia_lib.report import (
    Paragraph,
    RiskPoint,
    Section,
    Table,
    html_table,
    load_labels,
    prepare,
    prepare_register,
    risk_map,
)
from dpia_lib.report.labels import Labels
from dpia_lib.report.tables import rights_table

REPO = Path(__file__).resolve().parent.parent
ROPA = REPO / "ropa"
AS_OF = "2026-11-01"


def test_every_label_has_both_languages_and_the_file_is_checked(tmp_path: Path) -> None:
    labels = load_labels()
    assert all(text.nl and text.en for text in labels.labels.values())
    (tmp_path / "labels.yaml").write_text("labels:\n  verdict: {nl: Uitkomst}\n", encoding="utf-8")
    from dpia_lib.report.labels import load_labels as fresh

    with pytest.raises(RegisterError) as info:
        fresh(tmp_path)
    assert "labels.yaml:2" in str(info.value) and "labels.verdict.en" in str(info.value)


def test_unknown_label_suggests_the_closest_key() -> None:
    with pytest.raises(KeyError, match="did you mean 'verdict'"):
        load_labels().get("verdikt", "nl")


@pytest.mark.parametrize(("activity", "language", "as_of", "message"), [
    ("reintegration-second-trak", "nl", AS_OF, "did you mean 'reintegration-second-track'"),
    ("reintegration-second-track", "de", AS_OF, "language must be 'nl' or 'en', not 'de'"),
    ("reintegration-second-track", "nl", "2026-02-30", "not a calendar date"),
    ("reintegration-second-track", "nl", "01-11-2026", "ISO date"),
    ("../ropa", "nl", AS_OF, "activity must be an activity id"),
])
def test_prepare_rejects_bad_parameters_with_one_clear_message(
    activity: str, language: str, as_of: str, message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        prepare(activity, language, as_of, ROPA)


def test_prepare_rejects_a_missing_register_folder(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="not found"):
        prepare("newsletter", "nl", AS_OF, tmp_path / "nowhere")


def test_unknown_activity_is_a_parameter_error() -> None:
    assert issubclass(UnknownActivityError, ParameterError)


def test_sections_escape_register_text_in_html_and_keep_it_in_text() -> None:
    evil = "<script>alert(1)</script>"
    section = Section(evil, (Paragraph(evil, evil), Table(pd.DataFrame({evil: [evil]}))))
    page = section._repr_html_()
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5  # title, lead, text, header, cell
    assert repr(section).splitlines()[0] == evil


def test_html_table_shows_the_index_when_asked() -> None:
    frame = pd.DataFrame({"a": [1]}, index=pd.Index(["x<"], name="id"))
    assert "<th>id</th><th>a</th>" in html_table(frame, index=True)
    assert "<td>x&lt;</td><td>1</td>" in html_table(frame, index=True)


def test_dpia_parts_a_to_d_mark_the_points_of_art_35_7_they_answer() -> None:
    nl = prepare("reintegration-second-track", "nl", AS_OF, ROPA)
    en = prepare("reintegration-second-track", "en", AS_OF, ROPA)
    parts = (en.description(), en.necessity(), en.risks(), en.measures())
    assert [s.title[:6] for s in parts] == ["Part A", "Part B", "Part C", "Part D"]
    marks = [s.blocks[0] for s in parts]
    assert [m.text for m in marks if isinstance(m, Paragraph)] == [
        "Answers: GDPR art. 35(7)(a)", "Answers: GDPR arts. 35(7)(a), 35(7)(b)", "Answers: GDPR art. 35(7)(c)",
        "Answers: GDPR art. 35(7)(d)"]
    mark = nl.description().blocks[0]
    assert isinstance(mark, Paragraph) and mark.text == "Beantwoordt: art. 35 lid 7 sub a AVG"


def test_legal_bases_per_purpose_with_art_9_and_the_dutch_exception() -> None:
    # ropa/activities/reintegration-second-track.yaml: (f) for both purposes (BW 7:658a(3) binds the employer,
    # not the company); 9(2)(b) with UAVG 30(1)(b)
    report = prepare("reintegration-second-track", "en", AS_OF, ROPA)
    table = report.necessity().blocks[1]
    assert isinstance(table, Table)
    bases = list(table.frame.iloc[:, 1])
    assert bases[0] == "legitimate interests (GDPR art. 6(1)(f))"
    assert bases[1] == "legitimate interests (GDPR art. 6(1)(f))"
    assert bases[2] == ("employment and social security law (GDPR art. 9(2)(b)) + "
                        "reintegration or support of employees (UAVG art. 30(1)(b))")
    nl = prepare("reintegration-second-track", "nl", AS_OF, ROPA).necessity().blocks[1]
    assert isinstance(nl, Table)
    assert list(nl.frame.iloc[:, 1])[2] == ("arbeidsrecht en sociale zekerheid (art. 9 lid 2 sub b AVG) + "
                                            "re-integratie of begeleiding van werknemers (art. 30 lid 1 sub b UAVG)")


def test_rights_table_states_the_art_12_deadlines_identity_check_and_complaint() -> None:
    from dpia_lib import load_register

    text = " ".join(rights_table(load_register(ROPA), "en").iloc[:, 1])
    assert "within 1 month" in text and "12(3)" in text
    assert "by 2 months" in text
    assert "12(6)" in text
    assert "Autoriteit Persoonsgegevens" in text and "art. 77" in text


def test_risk_map_places_each_position_at_severity_x_likelihood_without_pyplot() -> None:
    fig = risk_map([RiskPoint("$\\nosuchsymbol$ access", (3, 4), (2, 2), (1, 2))], language="nl")
    ax = fig.axes[0]
    points = sorted((round(float(line.get_xdata()[0])), round(float(line.get_ydata()[0]))) for line in ax.lines)
    assert points == [(2, 1), (2, 2), (4, 3)]  # (severity, likelihood) of planned, residual, inherent
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "E1\nverwaarloosbaar", "E2\nbeperkt", "E3\naanzienlijk", "E4\nmaximaal"]
    # the axes are named in the report's language only (one language per output)
    assert ax.get_xlabel() == "Ernst" and ax.get_ylabel() == "Waarschijnlijkheid"
    assert fig.canvas.manager is None  # not registered with pyplot
    import io

    fig.savefig(io.BytesIO(), format="png")  # a '$' in a register text is not parsed as mathtext


def test_every_marker_is_drawn_and_explained_even_when_planned_equals_residual() -> None:
    fig = risk_map([RiskPoint("x", (3, 3), (2, 2), (2, 2))], language="en")
    assert [line.get_marker() for line in fig.axes[0].lines] == ["o", "o", "^"]
    key = " ".join(t.get_text() for t in fig.texts)
    assert "▲ After planned measures" in key and "on the same spot as" in key
    assert "L = likelihood, S = severity" in key
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["1 negligible", "2 limited", "3 significant", "4 maximum"]
    texts = [t for t in fig.findobj() if hasattr(t, "get_fontsize") and getattr(t, "get_text", lambda: "")()]
    assert min(t.get_fontsize() for t in texts) >= 7  # legible when printed at A4 width


def test_register_overview_lists_actions_due_within_90_days() -> None:
    # as_of 2026-11-01 + 90 days = 2027-01-30: ropa/dpias/reintegration-second-track.yaml's client-review-right
    # (2026-12-31) and data-processing-agreement (2027-01-15) are due; report-review (2027-01-31) is not.
    overview = prepare_register("en", AS_OF, ROPA)
    due = {b.caption: list(b.frame.iloc[:, 2]) for b in overview.actions_due().blocks if isinstance(b, Table)}
    assert sorted(due["2nd-track reintegration (process file)"]) == ["2026-12-31", "2027-01-15"]


def test_register_overview_marks_an_expired_processing_agreement(ropa_copy: Path) -> None:
    # ropa/parties.yaml: cts-supplier's agreement expires 2027-01-31
    before = prepare_register("en", "2027-01-31", ropa_copy).processor_table().set_index("Party")
    after = prepare_register("en", "2027-02-01", ropa_copy).processor_table().set_index("Party")
    assert before.loc["Client-tracking-system supplier", "Expires"] == "2027-01-31"
    assert after.loc["Client-tracking-system supplier", "Expires"] == "2027-01-31 (expired)"
    assert after.loc["E-mail and newsletter service", "Expires"] == "open-ended"


def test_findings_show_locations_relative_to_the_register(ropa_copy: Path) -> None:
    path = ropa_copy / "activities" / "reintegration-second-track.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  bsn: {period: 2 years, from: end of the trajectory, basis: analysis}\n", ""),
                    encoding="utf-8")
    report = prepare("reintegration-second-track", "en", AS_OF, ropa_copy)
    table = report.findings().blocks[0]
    assert isinstance(table, Table)
    rows = table.frame.set_index("Finding")
    missing = "A data category has no retention period. (Citizen service number (BSN))"
    assert rows.loc[missing, "Location"].startswith("ropa/activities/reintegration-second-track.yaml:")
    principles = report.necessity().blocks[2]
    assert isinstance(principles, Table)
    storage = principles.frame.set_index("Principle").loc["(e) Storage limitation"]
    assert missing in storage["Findings"] and storage["What the register says"].startswith("4/5")


def test_labels_model_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError):
        Labels.model_validate({"labels": {}, "extra": 1})


def test_report_dates_are_the_parameter_not_today() -> None:
    report = prepare("newsletter", "en", "2020-01-01", ROPA)
    assert report.params.as_of == dt.date(2020, 1, 1)
    assert "2020-01-01" in repr(report.title())
