"""The privacy statement written from the register: every item of GDPR art. 13 (and the extra items of
art. 14) for each group of data subjects, worded from the register, with gaps named instead of invented."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dpia_lib import load_register
from dpia_lib.cli import main
from dpia_lib.law import LegalBasis
from dpia_lib.legal import rights_that_reach
from dpia_lib.notice.citations import article, gdpr_citation
from dpia_lib.notice.render import render_statement
from dpia_lib.notice.statement import build_statement, period_text
from tests.engine_fixtures import edit

AS_OF = dt.date(2026, 10, 1)
#: GDPR art. 13: paragraph 1 (a)-(f), paragraph 2 (a)-(f); art. 14 adds (1)(d) categories, (2)(f) the source
#: and (3) the timing of the information.
ART13 = ["13-1-a", "13-1-b", "13-1-c", "13-1-d", "13-1-e", "13-1-f",
         "13-2-a", "13-2-b", "13-2-c", "13-2-d", "13-2-e", "13-2-f"]
ART14_EXTRA = ["14-1-d", "14-2-f", "14-3"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_article_13_item_for_every_group(language: str) -> None:
    register = load_register()
    statement = build_statement(register, language, as_of=AS_OF)
    groups = {s for a in register.activities.values() for s in a.data_subjects}
    assert {g.key for g in statement.groups} == groups
    for group in groups:
        assert set(ART13 + ART14_EXTRA) <= statement.items_for(group), group
    # organisation.yaml has no address: art. 13(1)(a) asks for the controller's contact details
    assert [(g.item, g.field) for g in statement.gaps] == [("13-1-a", "organisation.yaml address")]


def test_wording_from_the_register() -> None:
    statement = build_statement(load_register(), "nl", as_of=AS_OF)
    sick = next(g for g in statement.groups if g.key == "employees-sick")
    lines = {p.item: "\n".join(p.lines) for p in sick.paragraphs}
    # reintegration-second-track.yaml: both purposes on legitimate interests; the BSN only as the statutes
    # of data/identifier_statutes.yaml that its sources cite prescribe it; 2 years after the trajectory
    assert "(BSN) verwerken wij alleen omdat de wet dat voorschrijft (art. 46 UAVG): BW 7:658a(5); Wet SUWI " \
        "art. 73." in lines["13-1-c"]
    assert "art. 6 lid 1 sub f AVG" in lines["13-1-c"] and "art. 6 lid 1 sub c AVG" not in lines["13-1-c"]
    assert "art. 9 lid 2 sub b AVG en art. 30 lid 1 sub b UAVG" in lines["13-1-c"]
    assert "Burgerservicenummer (BSN): 2 jaar na het einde van het traject" in lines["13-2-a"]
    assert "UWV" in lines["14-2-f"] and "Bedrijfsarts" in lines["14-2-f"]
    # assessments-and-tests.yaml rests on the contract: providing data is a contractual requirement
    assert "contractuele verplichting" in lines["13-2-e"] and "Gevolg" in lines["13-2-e"]
    self_paying = next(g for g in statement.groups if g.key == "self-paying-clients")
    required = next(p for p in self_paying.paragraphs if p.item == "13-2-e")
    # self-paying-payments.yaml: the bookkeeping duty of AWR art. 52(4) is a statutory requirement
    assert any("wettelijke verplichting (AWR art. 52(4))" in line for line in required.lines)
    # ... and erasure does not reach what that duty makes the company keep (art. 17(3)(b))
    rights = next(p for p in self_paying.paragraphs if p.item == "13-2-b")
    assert any(line.startswith("Recht op wissen van gegevens (art. 17 AVG)") and
               "(art. 17 lid 3 sub b AVG): Betaling door particuliere cliënten." in line for line in rights.lines)
    requesters = next(g for g in statement.groups if g.key == "requesters")
    # data-subject-requests.yaml rests only on legal obligations: no right to erasure at all
    assert not any("art. 17" in line for p in requesters.paragraphs if p.item == "13-2-b" for line in p.lines)
    assert "Autoriteit Persoonsgegevens" not in lines["13-1-e"]  # a supervisory authority is no recipient (art. 4(9))
    newsletter = next(g for g in statement.groups if g.key == "newsletter-subscribers")
    consent = next(p for p in newsletter.paragraphs if p.item == "13-2-c")
    assert "toestemming altijd intrekken" in consent.lines[0]


def test_rights_per_basis() -> None:
    register = load_register()

    def reach(aid: str) -> list[str]:
        return [r.id for r in rights_that_reach(register.activities[aid])]

    # Consent: portability (art. 20(1)(a)) and withdrawal (art. 7(3)), no objection.
    assert reach("newsletter") == ["access", "rectification", "erasure", "restriction", "portability",
                                   "withdraw-consent"]
    # Legal obligation only: no erasure (art. 17(3)(b)), no portability, no objection.
    assert reach("data-subject-requests") == ["access", "rectification", "restriction"]
    # Contract and legal obligation: erasure reaches the contract purpose, not the bookkeeping duty.
    (erasure,) = [r for r in rights_that_reach(register.activities["self-paying-payments"]) if r.id == "erasure"]
    assert erasure.not_reached == (LegalBasis.LEGAL_OBLIGATION,) and erasure.exception == "GDPR art. 17(3)(b)"
    assert article("21-1", "en") == "GDPR art. 21(1)" and article("13-2-e", "nl") == "art. 13 lid 2 sub e AVG"
    assert gdpr_citation("GDPR art. 20(1)", "nl") == "art. 20 lid 1 AVG"
    assert period_text("1 year", "nl") == "1 jaar" and period_text("6 months", "nl") == "6 maanden"


def test_a_missing_fact_is_marked_and_named(
    ropa_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(ropa_copy / "activities" / "newsletter.yaml",
         "  marketing-preferences: {period: 1 year, from: withdrawal of consent, basis: analysis,\n"
         "                          note: proof of consent and of its withdrawal (GDPR art. 7(1))}\n", "")
    statement = build_statement(load_register(ropa_copy), "en", as_of=AS_OF)
    assert [(g.item, g.field) for g in statement.gaps][1:] == [
        ("13-2-a", "activities/newsletter.yaml retention.marketing-preferences")]
    # the gap points at the category in the activity file: line 13, "categories: [name-contact, ...]"
    assert statement.gaps[1].path.endswith("activities/newsletter.yaml") and statement.gaps[1].line == 13
    out = tmp_path / "notice.md"
    assert main(["notice", "--register", str(ropa_copy), "--language", "en", "--out", str(out)]) == 1
    assert "[MISSING FROM THE REGISTER: activities/newsletter.yaml retention.marketing-preferences]" in \
        out.read_text(encoding="utf-8")
    assert "retention.marketing-preferences" in capsys.readouterr().err


def test_html_is_escaped_and_layered() -> None:
    html = render_statement(build_statement(load_register(), "en", as_of=AS_OF), "html")
    assert html.index('id="layer-1"') < html.index('id="layer-2"')
    assert "2nd-track reintegration (process file)" in html
    assert "<script" not in html and "&lt;" not in html.split("<body>")[0]


def test_cli_writes_markdown_and_names_the_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "privacyverklaring.md"
    assert main(["notice", "--language", "nl", "--format", "md", "--as-of", "2026-10-01", "--out", str(out)]) == 1
    assert "organisation.yaml:4: 13-1-a organisation.yaml address:" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "[ONTBREEKT IN HET REGISTER: organisation.yaml address]" in text
    assert text.startswith("# Privacyverklaring van Ros Loopbaan")
    assert "peildatum 2026-10-01" in text
