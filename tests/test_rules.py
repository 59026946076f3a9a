"""The rule engine (dpia_lib.rules): for every rule one register that triggers it and one that does not.

Registers are copies of the shipped one with one file edited or ``activities/probe.yaml`` added (see
tests/engine_fixtures). Lines were counted by hand in the edited files: PROBE's lines are listed in its
docstring; lines in shipped files are quoted beside each assertion.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dpia_lib import Finding, Severity, check, load_register
from dpia_lib.cli import main
from dpia_lib.rules import RULE_CODES
from tests.engine_fixtures import copy_register, edit, probe, with_probe

AS_OF = dt.date(2026, 11, 25)


def _run(ropa: Path, as_of: dt.date = AS_OF) -> list[Finding]:
    return check(load_register(ropa), as_of)


def _only(findings: list[Finding], code: str) -> list[tuple[str | None, str, int]]:
    """(activity, file name relative to the register's parent, line) of the findings with ``code``."""
    return [(f.activity, "/".join(Path(f.path).parts[-2:]), f.line) for f in findings if f.code == code]


@pytest.fixture(scope="module")
def shipped() -> list[Finding]:
    return check(load_register(Path(__file__).resolve().parent.parent / "ropa"), AS_OF)


def test_shipped_register_has_only_the_open_consent_point(shipped: list[Finding]) -> None:
    # satisfaction-survey.yaml line 16: "    basis: consent" for clients including employees in outplacement.
    assert [(f.code, f.severity.value, f.activity, f.line) for f in shipped] == [
        ("consent-power-imbalance", "medium", "satisfaction-survey", 16)]
    assert shipped[0].path.endswith("activities/satisfaction-survey.yaml")


def test_base_probe_is_clean(tmp_path: Path) -> None:
    assert [f for f in _run(with_probe(tmp_path, probe())) if f.activity == "probe"] == []


@pytest.mark.parametrize("code", RULE_CODES)
def test_rule_silent_on_shipped_register(code: str, shipped: list[Finding]) -> None:
    if code == "consent-power-imbalance":
        assert _only(shipped, code) == [("satisfaction-survey", "activities/satisfaction-survey.yaml", 16)]
    else:
        assert _only(shipped, code) == []


def test_art6_basis_missing(tmp_path: Path) -> None:
    text = probe(("    basis: contract\n", "    basis_source: none recorded\n"))
    # The purpose has no 'basis' key: the finding points at the purpose, line 5.
    assert _only(_run(with_probe(tmp_path, text)), "art6-basis-missing") == [("probe", "activities/probe.yaml", 5)]


def test_art9_condition_missing(tmp_path: Path) -> None:
    text = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, sickness-absence]\n"))
    found = _run(with_probe(tmp_path, text))
    assert _only(found, "art9-condition-missing") == [("probe", "activities/probe.yaml", 9)]


def test_medical_secrecy_breach_and_its_absence(tmp_path: Path) -> None:
    leaking = with_probe(tmp_path / "a", probe(out="employer|diagnosis-complaints"))
    assert _only(_run(leaking), "medical-secrecy-breach") == [("probe", "activities/probe.yaml", 27)]
    safe = with_probe(tmp_path / "b", probe(out="employer|name-contact"))
    assert _only(_run(safe), "medical-secrecy-breach") == []


def test_medical_secrecy_breach_downstream_path(tmp_path: Path) -> None:
    # special-file sends diagnosis to progress-reporting, which reports to the employer: the finding is on
    # the flow that delivers it (progress-reporting.yaml, report-to-employer's categories, line 61).
    ropa = copy_register(tmp_path)
    (ropa / "activities/special-file.yaml").write_text(
        (ropa / "activities/special-file.yaml").read_text(encoding="utf-8")
        + "  - id: complaints-to-report\n    from: special-file\n    to: progress-reporting\n"
          "    categories: [diagnosis-complaints]\n    channel: client-tracking-system\n    frequency: monthly\n",
        encoding="utf-8")
    edit(ropa / "activities/progress-reporting.yaml",
         "    to: employer\n    categories: [name-contact, progress-reports]\n",
         "    to: employer\n    categories: [name-contact, progress-reports, diagnosis-complaints]\n")
    assert _only(_run(ropa), "medical-secrecy-breach") == [
        ("progress-reporting", "activities/progress-reporting.yaml", 61)]


def test_health_to_employer(tmp_path: Path) -> None:
    # The labour-expert report holds health-derived limitations: only its conclusions, without medical
    # content, may reach the employer (as progress reports). The probe's flow categories are on line 27.
    ropa = with_probe(tmp_path / "a", probe(out="employer|labour-expert-report"))
    assert _only(_run(ropa), "health-to-employer") == [("probe", "activities/probe.yaml", 27)]
    assert _only(_run(ropa), "medical-secrecy-breach") == []
    edit(tmp_path / "a" / "data/categories.yaml",
         "    employer_may_receive: false\n    citation: GDPR art. 9(1); AP policy rules",
         "    employer_may_receive: true\n    citation: GDPR art. 9(1); AP policy rules")
    assert _only(_run(ropa), "health-to-employer") == []


def test_lawful_feedback_of_limitations_raises_no_high_finding(tmp_path: Path) -> None:
    # The company doctor's functional limitations may be fed back to the employer (AP policy rules "De zieke
    # werknemer"); the employer is an independent controller, whose staff's secrecy is its own duty.
    text = probe(("\ncategories: [name-contact]\n",
                  ("\ncategories: [name-contact, functional-limitations]\nspecial_categories_basis: "
                   "{condition: employment-social-security, dutch_exception: uavg-30-1-b}\n")),
                 ("  name-contact: {period: 1 year, from: last contact, basis: analysis}\n",
                  ("  name-contact: {period: 1 year, from: last contact, basis: analysis}\n"
                   "  functional-limitations: {period: 1 year, from: last contact, basis: analysis}\n")),
                 out="employer|functional-limitations")
    found = [f for f in _run(with_probe(tmp_path, text)) if f.activity == "probe"]
    assert [f.code for f in found if f.severity == Severity.HIGH] == []
    assert _only(found, "confidentiality-missing") == []


def test_consent_power_imbalance(tmp_path: Path) -> None:
    employees = probe(("    basis: contract\n", "    basis: consent\n"),
                      ("data_subjects: [client-contacts]\n", "data_subjects: [employees-sick]\n"))
    found = _run(with_probe(tmp_path / "a", employees))
    assert ("probe", "activities/probe.yaml", 7) in _only(found, "consent-power-imbalance")
    contacts = probe(("    basis: contract\n", "    basis: consent\n"))
    assert [a for a, _, _ in _only(_run(with_probe(tmp_path / "b", contacts)), "consent-power-imbalance")] == [
        "satisfaction-survey"]


def test_bsn_without_statute(tmp_path: Path) -> None:
    text = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, bsn]\n"),
                 ("    categories: [name-contact]\n", "    categories: [name-contact, bsn]\n"))
    found = _run(with_probe(tmp_path / "a", text))
    assert _only(found, "bsn-without-statute") == [("probe", "activities/probe.yaml", 9),
                                                   ("probe", "activities/probe.yaml", 20)]
    statutory = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, bsn]\n"),
                      ("    categories: [name-contact]\n", "    categories: [name-contact, bsn]\n"),
                      ("    basis: contract\n", "    basis: legal-obligation\n    basis_source: BW 7:658a(5)\n"),
                      ("    ground: {basis: contract}\n", "    ground: {basis: legal-obligation, source: BW 7:658a(5)}\n"))
    assert _only(_run(with_probe(tmp_path / "b", statutory)), "bsn-without-statute") == []


def test_processor_with_expired_dpa(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    # parties.yaml line 60: the e-mail service's agreement, now ending on 2025-12-31.
    edit(ropa / "parties.yaml", "    dpa: {signed: 2023-09-15}\n", "    dpa: {signed: 2023-09-15, expires: 2025-12-31}\n")
    assert _only(_run(ropa), "processor-without-dpa") == [("newsletter", "ropa/parties.yaml", 60)]
    assert _only(_run(ropa, dt.date(2025, 12, 31)), "processor-without-dpa") == []


def test_processor_without_dpa(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "parties.yaml", "    dpa: {signed: 2023-09-15}\n", "")
    # parties.yaml line 58: "    kind: processor" of the e-mail service (it has no dpa key to point at).
    assert _only(_run(ropa), "processor-without-dpa") == [("newsletter", "ropa/parties.yaml", 58)]


def test_hosting_processor_agreement_expires(shipped: list[Finding]) -> None:
    # The client-tracking-system supplier's agreement ends 2027-01-31; it hosts seven activities' data.
    found = check(load_register(Path(__file__).resolve().parent.parent / "ropa"), dt.date(2027, 2, 1))
    hits = _only(found, "processor-without-dpa")
    assert {a for a, _, _ in hits} == {"assessments-and-tests", "client-portal", "management-reporting",
                                       "outplacement", "progress-reporting", "reintegration-second-track",
                                       "special-file"}
    # parties.yaml line 52: "    dpa: {signed: 2024-02-01, expires: 2027-01-31}"
    assert {(p, line) for _, p, line in hits} == {("ropa/parties.yaml", 52)}


def test_confidentiality_missing_for_a_role(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "organisation.yaml", "    name: {nl: Secretariaat, en: Office staff}\n    confidentiality: contract\n",
         "    name: {nl: Secretariaat, en: Office staff}\n    confidentiality: none\n")
    # Office staff reach data about sick employees (health data by inference) in four activities; the
    # access lines, counted by hand: client-portal 21, customer-contact 29, progress-reporting 35,
    # reintegration-second-track 58.
    assert sorted(_only(_run(ropa), "confidentiality-missing")) == [
        ("client-portal", "activities/client-portal.yaml", 21),
        ("customer-contact", "activities/customer-contact.yaml", 29),
        ("progress-reporting", "activities/progress-reporting.yaml", 35),
        ("reintegration-second-track", "activities/reintegration-second-track.yaml", 58)]


def test_confidentiality_missing_for_a_processor(tmp_path: Path) -> None:
    special = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, sickness-absence]\n"),
                    out="email-service|sickness-absence")
    # parties.yaml line 58: "    kind: processor" of the e-mail service, our processor (no confidentiality key).
    assert _only(_run(with_probe(tmp_path / "a", special)), "confidentiality-missing") == [
        ("probe", "ropa/parties.yaml", 58)]
    ordinary = probe(out="email-service|name-contact")
    assert _only(_run(with_probe(tmp_path / "b", ordinary)), "confidentiality-missing") == []


def test_confidentiality_of_an_independent_recipient_is_its_own(tmp_path: Path) -> None:
    # The training institute is no processor of ours: its staff's secrecy is its own duty (UAVG art. 30(4)).
    special = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, sickness-absence]\n"),
                    out="training-institute|sickness-absence")
    assert _only(_run(with_probe(tmp_path, special)), "confidentiality-missing") == []


def test_retention_missing(tmp_path: Path) -> None:
    text = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, account]\n"))
    assert _only(_run(with_probe(tmp_path, text)), "retention-missing") == [("probe", "activities/probe.yaml", 9)]


def test_retention_exceeds_default(tmp_path: Path) -> None:
    text = probe(("{period: 1 year, from: last contact", "{period: 3 years, from: last contact"))
    # name-contact's default is 2 years (data/categories.yaml); 3 years on line 11 exceeds it, 1 year does not.
    assert _only(_run(with_probe(tmp_path, text)), "retention-exceeds-default") == [
        ("probe", "activities/probe.yaml", 11)]


def test_transfer_recorded_without_safeguard(tmp_path: Path) -> None:
    text = probe(("access: [office-staff]\n", "transfers: [{party: training-institute, country: US, safeguard: none}]\n"))
    assert _only(_run(with_probe(tmp_path, text)), "transfer-without-safeguard") == [
        ("probe", "activities/probe.yaml", 12)]


def test_recipient_outside_eea_without_transfer_record(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "parties.yaml", "    kind: payment-provider\n", "    kind: payment-provider\n    country: US\n")
    # self-paying-payments.yaml line 44: the flow payment-order to the payment provider.
    assert _only(_run(ropa), "transfer-without-safeguard") == [
        ("self-paying-payments", "activities/self-paying-payments.yaml", 44)]
    edit(ropa / "activities/self-paying-payments.yaml", "systems: [bookkeeping]\n",
         "systems: [bookkeeping]\ntransfers: [{party: payment-provider, country: US, safeguard: standard-contractual-clauses}]\n")
    assert _only(_run(ropa), "transfer-without-safeguard") == []


@pytest.mark.parametrize("ground", ["ground: none, opt_out_in_every_message: true",
                                    "ground: soft-opt-in, opt_out_in_every_message: false"])
def test_marketing_without_consent(ground: str, tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "activities/newsletter.yaml", "ground: consent, opt_out_in_every_message: true", ground)
    # newsletter.yaml line 24: electronic_marketing: {...}
    assert _only(_run(ropa), "marketing-without-consent") == [("newsletter", "activities/newsletter.yaml", 24)]


def test_soft_opt_in_with_opt_out_for_own_customers_is_allowed(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "activities/newsletter.yaml", "ground: consent, opt_out_in_every_message: true",
         "ground: soft-opt-in, opt_out_in_every_message: true, own_customers: true")
    assert _only(_run(ropa), "marketing-without-consent") == []


def test_soft_opt_in_for_people_who_are_not_our_customers(tmp_path: Path) -> None:
    # Employees coached for a client employer are the employer's staff, not our customers
    # (Telecommunicatiewet art. 11.7(3)): newsletter.yaml line 24.
    ropa = copy_register(tmp_path)
    edit(ropa / "activities/newsletter.yaml", "ground: consent, opt_out_in_every_message: true",
         "ground: soft-opt-in, opt_out_in_every_message: true, own_customers: false")
    assert _only(_run(ropa), "marketing-without-consent") == [("newsletter", "activities/newsletter.yaml", 24)]


def test_minimisation_excess(tmp_path: Path) -> None:
    text = probe(("    categories: [name-contact]\n", "    categories: [name-contact, interaction]\n"))
    assert _only(_run(with_probe(tmp_path, text)), "minimisation-excess") == [("probe", "activities/probe.yaml", 20)]


def test_dpia_missing(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    (ropa / "dpias/special-file.yaml").unlink()
    # special-file.yaml line 54: dpia: {status: done, ...} -- but the record is gone.
    assert _only(_run(ropa), "dpia-missing") == [("special-file", "activities/special-file.yaml", 54)]


def test_dpia_missing_respects_override(tmp_path: Path) -> None:
    # legal-claims screens 'required' but the officer's override says 'not-required': no finding; without the
    # override the finding appears (legal-claims.yaml line 37: dpia: {status: not-needed}).
    ropa = copy_register(tmp_path)
    assert _only(_run(ropa), "dpia-missing") == []
    path = ropa / "activities/legal-claims.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("screening_override:\n")] + text[text.index("last_review:"):], encoding="utf-8")
    assert _only(_run(ropa), "dpia-missing") == [("legal-claims", "activities/legal-claims.yaml", 37)]


def test_dpia_review_overdue(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    assert _only(_run(ropa, dt.date(2027, 3, 2)), "dpia-review-overdue") == []
    # review_date lines: progress-reporting 37, reintegration-second-track 50, special-file 51.
    assert _only(_run(ropa, dt.date(2027, 3, 3)), "dpia-review-overdue") == [
        ("progress-reporting", "dpias/progress-reporting.yaml", 37),
        ("reintegration-second-track", "dpias/reintegration-second-track.yaml", 50),
        ("special-file", "dpias/special-file.yaml", 51),
    ]


def test_source_not_informed(tmp_path: Path) -> None:
    text = probe(("    from: data-subject\n", "    from: employer\n"))
    assert _only(_run(with_probe(tmp_path, text)), "source-not-informed") == [("probe", "activities/probe.yaml", 18)]


def test_all_rules_in_one_pass(tmp_path: Path) -> None:
    text = probe(("    basis: contract\n", "    basis: consent\n"),
                 ("data_subjects: [client-contacts]\n", "data_subjects: [employees-sick]\n"),
                 ("\ncategories: [name-contact]\n", "\ncategories: [name-contact, account]\n"),
                 ("    from: data-subject\n", "    from: employer\n"),
                 out="employer|diagnosis-complaints")
    codes = {f.code for f in _run(with_probe(tmp_path, text)) if f.activity == "probe"}
    # Data about sick employees is health data (CJEU C-184/20): without an art. 9 condition, and with two
    # WP248 criteria (sensitive data, vulnerable subjects) a DPIA is required.
    assert codes == {"consent-power-imbalance", "retention-missing", "source-not-informed", "medical-secrecy-breach",
                     "art9-condition-missing", "dpia-missing"}


def test_severity_comes_from_the_rule_table(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(tmp_path / "data/rules.yaml", "  - code: consent-power-imbalance\n    severity: medium\n",
         "  - code: consent-power-imbalance\n    severity: high\n")
    (finding,) = _run(ropa)
    assert finding.severity == Severity.HIGH
    assert finding.citation.startswith("GDPR art. 7(4)")


def test_cli_check_shipped_exits_0_at_high(capsys: pytest.CaptureFixture[str]) -> None:
    ropa = str(Path(__file__).resolve().parent.parent / "ropa")
    assert main(["check", "--register", ropa, "--fail-on", "high", "--as-of", "2026-11-25", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [set(f) for f in out] == [{"code", "severity", "activity", "message", "citation", "path", "line"}]
    assert (out[0]["code"], out[0]["line"]) == ("consent-power-imbalance", 16)
    # The open point is medium: failing on medium (or low) exits 1.
    assert main(["check", "--register", ropa, "--fail-on", "medium", "--as-of", "2026-11-25"]) == 1
    assert main(["check", "--register", ropa, "--as-of", "2026-11-25", "--language", "en"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1].startswith(f"{ropa}/activities/satisfaction-survey.yaml:16: medium ")
    assert "1 finding(s): 0 high, 1 medium, 0 low; 0 at or above high" in captured.err
    assert main(["check", "--register", ropa, "--as-of", "2026-11-25", "--language", "nl"]) == 0
    assert "1 bevinding(en): 0 hoog, 1 middel, 0 laag; 0 op of boven hoog" in capsys.readouterr().err


def test_cli_check_diagnosis_to_employer_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ropa = with_probe(tmp_path, probe(out="employer|diagnosis-complaints"))
    assert main(["check", "--register", str(ropa), "--as-of", "2026-11-25", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    hit = next(f for f in out if f["code"] == "medical-secrecy-breach")
    assert (hit["severity"], hit["activity"], hit["line"]) == ("high", "probe", 27)
    assert hit["path"].endswith("activities/probe.yaml")


def test_cli_check_bad_date_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--as-of", "25-11-2026"])
    assert exc.value.code == 2


# Finding lines come from Register.locate, which composes only the part of a file up to the end of the
# top-level key asked for. These texts all compose; each is built to trip a cut at a column-0 line.
_TRICKY = [
    # checked by hand: dpia is on line 4, its status value starts at column 16 (after "dpia: {status: ")
    "# comment\nid: x\nname: {nl: a, en: b}\ndpia: {status: required}\nflows:\n- id: f\n",
    # a double-quoted scalar continued on a column-0 line that looks like a key
    'id: x\ndescription: "first\ndpia: not a key"\ndpia: {status: required}\nlast: 1\n',
    # a flow mapping continued on column-0 lines
    "id: x\nname: {nl: a,\nen: b}\ndpia:\n  status: required\n",
    # an indentless sequence as the value, then comments and a block scalar
    "dpia:\n- status\n- x\n# dpia: in a comment\nnote: |\n  dpia: in a block\nid: x\n",
    # CRLF line ends, a quoted key, a document start marker
    "---\r\nid: x\r\n'dpia': {status: required}\r\nflows: []\r\n",
    "id: x\ndpia:\n  status: required\n  next_review: 2027-01-01\nid2: y\ndpia2: z\n",
]


@pytest.mark.parametrize("text", _TRICKY)
def test_partial_locator_gives_the_full_compose_answer(text: str) -> None:
    from dpia_lib.yamlio import Locator

    paths: list[tuple[str | int, ...]] = [(), ("dpia",), ("dpia", "status"), ("dpia", 1), ("dpia", "next_review"),
                                          ("id",), ("name", "en"), ("flows", 0, "id"), ("note",), ("missing",),
                                          ("description",), ("last",), ("dpia2",), ("id2",)]
    for loc in paths:
        for on_key in (False, True):
            assert Locator(text, parsed=True).position(loc, key=on_key) == Locator(text).position(loc, key=on_key)
    assert Locator(_TRICKY[0], parsed=True).position(("dpia", "status")) == (4, 16)
    assert Locator(_TRICKY[1], parsed=True).position(("dpia",), key=True) == (4, 1)


def test_partial_locator_on_a_synthetic_register(tmp_path: Path) -> None:
    import yaml

    from dpia_lib.synthetic import generate_register
    from dpia_lib.yamlio import Locator

    generate_register(tmp_path / "r", 8, seed=5)
    for path in sorted((tmp_path / "r").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        assert isinstance(root, yaml.MappingNode)
        for key_node, value_node in root.value:
            locs: list[tuple[str | int, ...]] = [(key_node.value,)]
            if isinstance(value_node, yaml.MappingNode):
                locs += [(key_node.value, k.value) for k, _ in value_node.value]
            if isinstance(value_node, yaml.SequenceNode):
                locs += [(key_node.value, i) for i in range(len(value_node.value))]
            for loc in locs:
                assert Locator(text, parsed=True).position(loc) == Locator(text).position(loc), (path, loc)
