"""Words for the engine's codes, the DPIA's decisions and rights per legal basis, the CNIL order, the
figures and the register version, without Jupyter.

Expected texts are read by hand from GDPR arts. 20(1) and 21(1), data/labels.yaml and ropa/.
"""

from __future__ import annotations

import re
import shutil
import typing
from pathlib import Path

import pytest
import yaml

from dpia_lib.catalogue import Measure, RiskDriver
from dpia_lib.law import Art9Condition, DpiaStatus, DutchException, LegalBasis, Safeguard
from dpia_lib.loading import load_register
from dpia_lib.records import Action, BalancingTest
from dpia_lib.report import Plot, Section, load_labels, prepare, prepare_register
from dpia_lib.report.document import register_version
from dpia_lib.report.wording import cite, fact_text
from dpia_lib.screening import PROCESSOR_CODE, screen

REPO = Path(__file__).resolve().parent.parent
#: Finding codes the rules emit or will emit (data/rules.yaml and the codes being added).
NEW_CODES = ("balancing-test-missing", "medical-access-unqualified", "retention-conflict", "measure-status-conflict",
             "art9-exception-mismatch", "transfer-without-safeguard")


def _keys() -> set[str]:
    return set(load_labels().labels)


def test_every_code_that_can_reach_a_report_has_a_label_in_both_languages() -> None:
    keys = _keys()
    needed = {f"basis-{m.value}" for m in LegalBasis} | {f"condition-{m.value}" for m in Art9Condition}
    needed |= {f"exception-{m.value}" for m in DutchException} | {f"dpia-status-{m.value}" for m in DpiaStatus}
    needed |= {f"safeguard-{m.value}" for m in Safeguard}
    needed |= {f"status-{s}" for s in typing.get_args(Action.model_fields["status"].annotation)}
    needed |= {f"kind-{k}" for k in typing.get_args(Measure.model_fields["kind"].annotation)}
    needed |= {f"outcome-{o}" for o in typing.get_args(BalancingTest.model_fields["outcome"].annotation)}
    needed |= {f"driver-{d}" for d in typing.get_args(RiskDriver)} | {"driver-base", "driver-adjustment"}
    rules = yaml.safe_load((REPO / "data" / "rules.yaml").read_text(encoding="utf-8"))
    codes = {r["code"] for r in rules["rules"]} | set(NEW_CODES)
    needed |= {f"finding-{c}" for c in codes}
    needed |= {f"unit-{u}" for u in ("day", "days", "week", "weeks", "month", "months", "year", "years")}
    thresholds = yaml.safe_load((REPO / "data" / "thresholds.yaml").read_text(encoding="utf-8"))
    needed |= {f"threshold-{t['id']}" for t in thresholds["thresholds"]}
    needed |= {"decision-accepted-with-actions"}
    assert sorted(needed - keys) == []


def test_every_retention_event_of_the_register_is_worded() -> None:
    register = load_register(REPO / "ropa")
    events = {r.from_event for a in register.activities.values() for r in a.retention.values()}
    assert sorted(events - set(load_labels().events)) == []


@pytest.mark.parametrize("folder", ["ropa", "examples/occupational-health-service", "examples/career-coach"])
def test_every_screening_fact_is_worded_in_dutch_not_in_the_screenings_english(folder: str) -> None:
    register = load_register(REPO / folder)
    for s in screen(register).values():
        for fact in (f for reason in s.reasons for f in reason.facts if f.code != "officer"):
            dutch = fact_text(register, fact, "nl")
            assert dutch and dutch != fact.text and " declared" not in dutch, fact
            assert fact_text(register, fact, "en"), fact


def test_the_career_coachs_evaluation_by_people_is_a_dutch_fact() -> None:
    # coaching.yaml sets evaluation: true (WP248 rev.01 criterion 1, evaluation or scoring)
    register = load_register(REPO / "examples" / "career-coach")
    (reason,) = [r for r in screen(register)["coaching"].reasons if r.code == "wp248-evaluation-scoring"]
    worded = [fact_text(register, f, "nl") for f in reason.facts]
    assert "vastgelegd: beoordeling door mensen" in worded


@pytest.mark.parametrize(("english", "dutch"), [
    ("GDPR art. 9(2)(b)", "art. 9 lid 2 sub b AVG"),
    ("GDPR art. 6(1)(f); UAVG art. 30(1)(b)", "art. 6 lid 1 sub f AVG; art. 30 lid 1 sub b UAVG"),
    ("GDPR art. 35(11)", "art. 35 lid 11 AVG"),
    ("GDPR arts. 12-22", "artt. 12-22 AVG"),
    ("GDPR art. 7(4), recital 43", "art. 7 lid 4 en overweging 43 AVG"),
    ("Wet BIG art. 88; BW 7:457", "art. 88 Wet BIG; BW 7:457"),
    ("CNIL, PIA Methodology (2018)", "CNIL, PIA Methodology (2018)"),
])
def test_dutch_citation_style(english: str, dutch: str) -> None:
    assert cite(english, "nl") == dutch
    assert cite(english, "en") == english


def test_portability_only_for_consent_or_contract_and_objection_only_for_e_or_f() -> None:
    # GDPR art. 20(1)(a): consent or contract; art. 21(1): processing based on art. 6(1)(e) or (f).
    special = repr(prepare("special-file", "en", "2026-01-01", REPO / "ropa").rights())  # (f) only
    assert "Portability" not in special and "Objection (GDPR art. 21(1))" in special
    newsletter = repr(prepare("newsletter", "en", "2026-01-01", REPO / "ropa").rights())  # consent
    assert "Portability (GDPR art. 20(1))" in newsletter and "Objection" not in newsletter
    assert "Withdrawal of consent" in newsletter


def test_a_legitimate_interest_purpose_shows_its_balancing_test() -> None:
    # ropa/activities/special-file.yaml: the purpose on legitimate interests records its balancing test
    section = prepare("special-file", "nl", "2026-01-01", REPO / "ropa").balancing_tests()
    shown = repr(section)
    assert "Belangenafweging" in section.title and "C-621/22" in section.title
    assert "Passend werk zoeken binnen de functionele mogelijkheden" in shown
    assert "zonder de FML en het arbeidsdeskundig rapport" in shown
    assert "Gescheiden dossier, alleen de medisch geschoolde casemanager" in shown
    assert "het belang van de organisatie weegt zwaarder" in shown and "Privacy officer" in shown
    # an activity without a legitimate-interest purpose says so
    assert "Geen doel berust op gerechtvaardigd belang" in repr(
        prepare("newsletter", "nl", "2026-01-01", REPO / "ropa").balancing_tests())


def test_cnil_template_gives_the_same_sections_in_the_cnil_order() -> None:
    model = prepare("special-file", "en", "2026-01-01", REPO / "ropa")
    cnil = prepare("special-file", "en", "2026-01-01", REPO / "ropa", "cnil")
    titles = [b.title for b in cnil.document() if isinstance(b, Section)]
    heads = ["1. Context", "2. Fundamental principles", "3. Risks", "4. Validation"]
    assert [t for t in titles if t in heads] == heads
    assert set(titles) - set(heads) == {b.title for b in model.document() if isinstance(b, Section)}
    order = [titles.index(t) for t in ("1. Context", "Part A. Description of the processing",
                                       "2. Fundamental principles", "3. Risks", "Part D. Measures",
                                       "Part C. Risks to data subjects", "4. Validation")]
    assert order == sorted(order)  # CNIL: measures (3.1) before the risks (3.2-3.5)
    with pytest.raises(ValueError, match="template must be"):
        prepare("special-file", "en", "2026-01-01", REPO / "ropa", "word")


def test_flow_graph_has_legend_categories_on_edges_focus_and_legible_text() -> None:
    report = prepare("special-file", "en", "2026-01-01", REPO / "ropa")
    plot = report.flow_graph()
    assert isinstance(plot, Plot) and plot.alt.startswith("Flow graph of Special file")
    fig = plot.figure
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["this activity", "activity", "party", "data flow", "with special categories",
                      "hosting by supplier"]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Labour-expert report" in texts  # ropa: the labour expert sends the report to the special file
    focus = [t for t in fig.axes[0].texts if t.get_text().replace("\n", " ").startswith("Special file")]
    assert focus and focus[0].get_fontweight() == "bold"
    sizes = [t.get_fontsize() for t in fig.findobj() if hasattr(t, "get_text") and hasattr(t, "get_fontsize")
             and t.get_text()]
    width = fig.get_size_inches()[0]
    # printed on A4 (about 178 mm text width) the figure is not reduced, so no text is below 7 pt
    assert width <= 7.1 and min(sizes) >= 7


def test_register_version_is_the_git_commit_or_a_content_hash(tmp_path: Path) -> None:
    assert re.fullmatch(r"git [0-9a-f]{12}\+?", register_version(REPO / "ropa"))
    copy = tmp_path / "ropa"
    shutil.copytree(REPO / "ropa", copy)
    first = register_version(copy)
    assert re.fullmatch(r"sha256 [0-9a-f]{12}", first)
    (copy / "parties.yaml").write_text((copy / "parties.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert register_version(copy) != first


def test_dpia_records_keep_open_actions_apart_from_measures_in_place() -> None:
    register = load_register(REPO / "ropa")
    for aid, record in register.dpias.items():
        in_place = set(register.activities[aid].measures)
        open_actions = {a.measure for a in record.actions if a.status in ("planned", "in-progress")}
        assert not in_place & open_actions, (aid, in_place & open_actions)
        assert record.residual_risk_acceptance is not None and record.prior_consultation is not None
        assert {s.role for s in record.signatories} == {"management", "privacy-officer"}
        assert all(s.name is None for s in record.signatories)  # no personal data until signed
        assert record.versions
        # advice given on conditions that are still open actions is not marked followed outright
        if record.dpo_advice is not None and "provided" in record.dpo_advice.advice.en:
            assert not record.dpo_advice.followed and record.dpo_advice.reason_not_followed is not None


def test_register_overview_shows_the_art_30_2_table_for_activities_done_as_processor() -> None:
    # examples/occupational-health-service: the absence administration is done as processor for employers
    # (role: processor, controllers: [employer], agreement signed 2025-02-01); the medical file as controller
    ohs = REPO / "examples" / "occupational-health-service"
    overview = prepare_register("nl", "2026-11-01", ohs)
    art30 = overview.art30()
    shown = repr(art30)
    assert "Verwerkingen als verwerker (art. 30 lid 2 AVG)" in shown
    processing = overview.art30_processor_table()
    assert list(processing.iloc[:, 0]) == ["Verzuimadministratie voor werkgevers"]
    assert "Werkgever (opdrachtgever) (2025-02-01)" in processing.iloc[0, 1]
    assert "Verzuimadministratie voor werkgevers" not in list(overview.art30_table().iloc[:, 0])
    # the shipped company is processor for nothing: no art. 30(2) table
    assert "art. 30 lid 2" not in repr(prepare_register("nl", "2026-11-01", REPO / "ropa").art30())


def test_the_screening_of_a_processor_activity_says_the_controller_decides_in_the_reports_language() -> None:
    register = load_register(REPO / "examples" / "occupational-health-service")
    (reason,) = [r for r in screen(register)["absence-administration"].reasons if r.code == PROCESSOR_CODE]
    (fact,) = reason.facts
    assert fact_text(register, fact, "nl") == (
        "uitgevoerd als verwerker voor Werkgever (opdrachtgever): of een DPIA nodig is, beslist de "
        "verwerkingsverantwoordelijke; deze uitkomst is een advies, en wij verlenen bijstand (art. 28 lid 3 sub f AVG)")
    assert "Employer (client)" in (fact_text(register, fact, "en") or "")


def test_the_description_shows_the_activitys_assumptions_as_to_be_confirmed() -> None:
    # ropa/activities/special-file.yaml: the volume is estimated and the balancing test of purpose 0 drafted
    shown = repr(prepare("special-file", "nl", "2026-01-01", REPO / "ropa").description())
    assert "Aannames (nog te bevestigen)" in shown
    assert "Betrokkenen per jaar (schatting) (estimated; confirm from the yearly count" in shown
    assert "Belangenafweging: Passend werk zoeken binnen de functionele mogelijkheden" in shown
    english = repr(prepare("special-file", "en", "2026-01-01", REPO / "ropa").description())
    assert "Assumptions (to be confirmed)" in english and "Balancing test: Find work" in english
