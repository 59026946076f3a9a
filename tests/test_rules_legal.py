"""Legal rules that decide whose duty a fact is: processor activities, balancing tests, the art. 9
exception, medical access, retention against its own citation, BSN statutes, hosting abroad, and the
DPIA's action plan against the activity's measures.

Each rule has a firing and a silent case on a copy of the shipped register with ``activities/probe.yaml``
(tests/engine_fixtures). Lines were counted by hand: PROBE's lines are listed in its docstring; a line
added by a replacement is named beside the assertion; lines in shipped files are quoted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dpia_lib import Finding, check, load_register, screen_activity
from dpia_lib.validation import validate_register
from tests.engine_fixtures import copy_register, edit, probe, with_probe

AS_OF = dt.date(2026, 12, 2)

LEGITIMATE = ("    basis: contract\n", "    basis: legitimate-interests\n")
TEST = ("    balancing_test: {interest: {nl: belang, en: interest}, necessity: {nl: nodig, en: needed}, "
        "balancing: {nl: afweging, en: balance}, outcome: %s, by: %s, date: 2026-09-01}\n")


def _run(ropa: Path, as_of: dt.date = AS_OF) -> list[Finding]:
    return check(load_register(ropa), as_of)


def _only(findings: list[Finding], code: str) -> list[tuple[str | None, str, int]]:
    return [(f.activity, "/".join(Path(f.path).parts[-2:]), f.line) for f in findings if f.code == code]


# --- balancing-test-missing ----------------------------------------------------------------------------

def test_legitimate_interest_without_balancing_test(tmp_path: Path) -> None:
    # probe.yaml line 7: "    basis: legitimate-interests"
    found = _run(with_probe(tmp_path, probe(LEGITIMATE)))
    assert _only(found, "balancing-test-missing") == [("probe", "activities/probe.yaml", 7)]


def test_recorded_balancing_test_is_silent(tmp_path: Path) -> None:
    text = probe((LEGITIMATE[0], LEGITIMATE[1] + TEST % ("interest-prevails", "privacy-officer")))
    assert _only(_run(with_probe(tmp_path, text)), "balancing-test-missing") == []


def test_balancing_test_where_the_subject_prevails(tmp_path: Path) -> None:
    # The test (one flow mapping) is on line 8, so its outcome is too.
    text = probe((LEGITIMATE[0], LEGITIMATE[1] + TEST % ("subject-prevails", "privacy-officer")))
    assert _only(_run(with_probe(tmp_path, text)), "balancing-test-missing") == [("probe", "activities/probe.yaml", 8)]


def test_balancing_test_by_an_unknown_role(tmp_path: Path) -> None:
    text = probe((LEGITIMATE[0], LEGITIMATE[1] + TEST % ("interest-prevails", "privacy-oficer")))
    problems = validate_register(with_probe(tmp_path, text)).problems
    assert [(p.code, Path(p.path).name, p.line, p.field) for p in problems] == [
        ("unknown-reference", "probe.yaml", 8, "purposes[0].balancing_test.by")]
    assert "did you mean 'privacy-officer'" in problems[0].message


def test_every_legitimate_interest_of_the_shipped_register_has_a_test() -> None:
    register = load_register(Path(__file__).resolve().parent.parent / "ropa")
    purposes = [(aid, p) for aid, act in register.activities.items() for p in act.purposes
                if p.basis is not None and p.basis.value == "legitimate-interests"]
    # customer-contact, legal-claims, management-reporting, progress-reporting, special-file, and the two
    # purposes of reintegration-second-track.
    assert len(purposes) == 7
    assert all(p.balancing_test is not None and p.balancing_test.outcome == "interest-prevails" for _, p in purposes)


# --- art9-exception-mismatch ---------------------------------------------------------------------------

def _art9(condition: str, exception: str) -> str:
    # Line 10 (added after the categories on line 9): the special_categories_basis mapping.
    return probe(("\ncategories: [name-contact]\n",
                  ("\ncategories: [name-contact, sickness-absence]\n"
                   f"special_categories_basis: {{condition: {condition}, dutch_exception: {exception}}}\n")))


def test_art9_exception_mismatch(tmp_path: Path) -> None:
    ropa = with_probe(tmp_path, _art9("made-public", "uavg-30-1-b"))
    assert _only(_run(ropa), "art9-exception-mismatch") == [("probe", "activities/probe.yaml", 10)]
    # dpia validate reports the same gap.
    assert [(p.code, p.line) for p in validate_register(ropa).problems] == [("art9-exception-mismatch", 10)]


def test_art9_exception_that_fits(tmp_path: Path) -> None:
    ropa = with_probe(tmp_path, _art9("employment-social-security", "uavg-30-1-b"))
    assert _only(_run(ropa), "art9-exception-mismatch") == []
    assert validate_register(ropa).problems == ()


# --- medical-access-unqualified ------------------------------------------------------------------------

def test_unqualified_role_reaches_medical_secrecy(tmp_path: Path) -> None:
    text = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, diagnosis-complaints]\n"))
    # probe.yaml line 12: "access: [office-staff]"; office staff are not medically trained.
    assert _only(_run(with_probe(tmp_path, text)), "medical-access-unqualified") == [
        ("probe", "activities/probe.yaml", 12)]


def test_medically_trained_role_is_silent(tmp_path: Path) -> None:
    text = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, diagnosis-complaints]\n"),
                 ("access: [office-staff]\n", "access: [medical-case-manager]\n"))
    assert _only(_run(with_probe(tmp_path, text)), "medical-access-unqualified") == []


# --- retention-exceeds-default and retention-conflict --------------------------------------------------

def _invoice(name_retention: str) -> str:
    # Line 11: name-contact's retention; line 12 (added): payment's, 7 years citing AWR art. 52(4).
    return probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, payment]\n"),
                 ("  name-contact: {period: 1 year, from: last contact, basis: analysis}\n",
                  (f"  name-contact: {name_retention}\n"
                  "  payment: {period: 7 years, from: end of the financial year, citation: AWR art. 52(4)}\n")))


def test_seven_year_invoice_retention_citing_the_awr_is_not_excessive(tmp_path: Path) -> None:
    cited = _invoice("{period: 7 years, from: end of the financial year, citation: AWR art. 52(4)}")
    found = _run(with_probe(tmp_path / "a", cited))
    assert _only(found, "retention-exceeds-default") == [] and _only(found, "retention-conflict") == []
    # The same 7 years for the name without a source exceeds the 2-year default (line 11).
    uncited = _invoice("{period: 7 years, from: end of the financial year, basis: analysis}")
    assert _only(_run(with_probe(tmp_path / "b", uncited)), "retention-exceeds-default") == [
        ("probe", "activities/probe.yaml", 11)]


def test_name_deleted_before_the_invoices_that_name_the_client(tmp_path: Path) -> None:
    text = _invoice("{period: 2 years, from: end of the trajectory, basis: analysis}")
    assert _only(_run(with_probe(tmp_path, text)), "retention-conflict") == [("probe", "activities/probe.yaml", 11)]


# --- bsn-without-statute -------------------------------------------------------------------------------

def test_bsn_whose_source_is_not_a_catalogued_statute(tmp_path: Path) -> None:
    text = probe(("\ncategories: [name-contact]\n", "\ncategories: [name-contact, bsn]\n"),
                 ("    basis: contract\n", "    basis: legal-obligation\n    basis_source: our own policy\n"))
    # Line 10: the categories (one line down, after basis_source on line 8).
    assert _only(_run(with_probe(tmp_path, text)), "bsn-without-statute") == [("probe", "activities/probe.yaml", 10)]


def test_bsn_in_payments_citing_the_tax_statute_is_not_enough(tmp_path: Path) -> None:
    # The AWR prescribes keeping records, not using the BSN: adding it to the payments activity fires on
    # self-paying-payments.yaml line 15: "categories: [name-contact, payment, bsn]".
    ropa = copy_register(tmp_path)
    edit(ropa / "activities/self-paying-payments.yaml", "\ncategories: [name-contact, payment]\n",
         "\ncategories: [name-contact, payment, bsn]\n")
    assert _only(_run(ropa), "bsn-without-statute") == [
        ("self-paying-payments", "activities/self-paying-payments.yaml", 15)]


# --- transfer-without-safeguard ------------------------------------------------------------------------

def test_system_hosted_in_the_united_states_without_safeguard(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    edit(ropa / "systems.yaml", "    hosting_country: IE\n", "    hosting_country: US\n")
    # newsletter.yaml line 20: "systems: [mailing-platform]"
    assert _only(_run(ropa), "transfer-without-safeguard") == [("newsletter", "activities/newsletter.yaml", 20)]
    edit(ropa / "activities/newsletter.yaml", "systems: [mailing-platform]\n",
         "systems: [mailing-platform]\n"
         "transfers: [{party: email-service, country: US, safeguard: standard-contractual-clauses}]\n")
    assert _only(_run(ropa), "transfer-without-safeguard") == []


def test_data_privacy_framework_covers_certified_organisations_only(tmp_path: Path) -> None:
    transfer = "transfers: [{party: training-institute, country: US, safeguard: adequacy%s}]\n"
    # Line 12: the transfers line, put in place of the access line.
    uncertified = probe(("access: [office-staff]\n", transfer % ""))
    assert _only(_run(with_probe(tmp_path / "a", uncertified)), "transfer-without-safeguard") == [
        ("probe", "activities/probe.yaml", 12)]
    certified = probe(("access: [office-staff]\n", transfer % ", certified: true"))
    assert _only(_run(with_probe(tmp_path / "b", certified)), "transfer-without-safeguard") == []


def test_adequacy_must_be_in_force_on_the_date(tmp_path: Path) -> None:
    # The renewed UK decision applies until 27 December 2031 (data/countries.yaml).
    ropa = copy_register(tmp_path)
    edit(ropa / "parties.yaml", "    kind: payment-provider\n", "    kind: payment-provider\n    country: GB\n")
    assert _only(_run(ropa, dt.date(2031, 12, 27)), "transfer-without-safeguard") == []
    # self-paying-payments.yaml line 44: the flow payment-order to the payment provider.
    assert _only(_run(ropa, dt.date(2031, 12, 28)), "transfer-without-safeguard") == [
        ("self-paying-payments", "activities/self-paying-payments.yaml", 44)]


# --- measure-status-conflict ---------------------------------------------------------------------------

def test_measure_in_place_but_open_in_the_action_plan(tmp_path: Path) -> None:
    ropa = copy_register(tmp_path)
    assert _only(_run(ropa), "measure-status-conflict") == []
    edit(ropa / "activities/progress-reporting.yaml", "measures: [report-review,",
         "measures: [access-logging, report-review,")
    # dpias/progress-reporting.yaml line 42: the access-logging action's "    status: planned".
    assert _only(_run(ropa), "measure-status-conflict") == [
        ("progress-reporting", "dpias/progress-reporting.yaml", 42)]


# --- processor activities ------------------------------------------------------------------------------

PROCESSOR = (
    ("owner: office-staff\n", ("owner: office-staff\nrole: processor\ncontrollers: [employer]\n"
                               "agreement: {signed: 2025-01-01}\n")),
    ("    basis: contract\n", ""),
    ("data_subjects: [client-contacts]\n", "data_subjects: [employees-sick]\n"),
    ("\ncategories: [name-contact]\n", "\ncategories: [name-contact, sickness-absence]\n"),
    ("    from: data-subject\n", "    from: employer\n"),
    ("    categories: [name-contact]\n", "    categories: [name-contact, sickness-absence]\n"),
    ("    ground: {basis: contract}\n", ""),
    ("access: [office-staff]\n", "access: [office-staff]\nmeasures: [role-based-access, incident-procedure]\n"),
)


def test_processor_activity_leaves_the_controllers_duties_to_them(tmp_path: Path) -> None:
    # Health data of sick employees from the employer, no art. 6 basis, no art. 9 condition, no art. 14
    # step, no DPIA: all the controller's (GDPR art. 28(3)(e)-(f), 30(2)).
    ropa = with_probe(tmp_path, probe(*PROCESSOR))
    assert validate_register(ropa).problems == ()
    codes = {f.code for f in _run(ropa) if f.activity == "probe"}
    assert codes.isdisjoint({"dpia-missing", "art6-basis-missing", "art9-condition-missing", "source-not-informed"})
    assert codes == set()
    s = screen_activity(load_register(ropa), "probe")
    assert s.controller_decides and s.controllers == ("employer",)
    assert s.codes[-1] == "processor-activity" and s.reasons[-1].source == "GDPR art. 35(1), 28(3)(f)"


def test_the_same_activity_as_controller_raises_its_duties(tmp_path: Path) -> None:
    controller = [r for r in PROCESSOR if not r[0].startswith("owner")]
    ropa = with_probe(tmp_path, probe(*controller))
    codes = {f.code for f in _run(ropa) if f.activity == "probe"}
    assert {"dpia-missing", "art6-basis-missing", "art9-condition-missing", "source-not-informed"} <= codes


def test_processor_record_needs_controllers_and_agreement(tmp_path: Path) -> None:
    text = probe(("owner: office-staff\n", "owner: office-staff\nrole: processor\n"),
                 ("    basis: contract\n", ""))
    problems = validate_register(with_probe(tmp_path, text)).problems
    # Line 4: "role: processor"; no controllers, no agreement, no measures.
    assert [(p.code, p.line) for p in problems] == [("processor-record-incomplete", 4)] * 3
    messages = " ".join(p.message for p in problems)
    assert "`controllers`, GDPR art. 30(2)(a)" in messages and "`agreement`, GDPR art. 28(3)" in messages
    assert "`measures`, GDPR art. 32, 30(2)(d)" in messages


def test_processor_must_tell_the_controller_of_a_breach(tmp_path: Path) -> None:
    without = [r for r in PROCESSOR if not r[0].startswith("access")]
    text = probe(*without, ("access: [office-staff]\n", "access: [office-staff]\nmeasures: [role-based-access]\n"))
    problems = validate_register(with_probe(tmp_path, text)).problems
    # probe.yaml line 15: "measures: [role-based-access]" (three lines added at the owner, one purpose line gone).
    assert [(p.code, p.line) for p in problems] == [("processor-record-incomplete", 15)]
    assert "GDPR art. 33(2)" in problems[0].message


def test_assumption_must_name_a_field(tmp_path: Path) -> None:
    # Line 15 (added before last_review): the assumption; its field is misspelt.
    text = probe(("last_review: 2026-09-15\n", ("assumptions: [{field: data_subject_per_year, note: estimated}]\n"
                                                "last_review: 2026-09-15\n")))
    problems = validate_register(with_probe(tmp_path, text)).problems
    assert [(p.code, p.line, p.field) for p in problems] == [("bad-value", 15, "assumptions[0].field")]
    assert "did you mean 'data_subjects_per_year'" in problems[0].message
    good = probe(("last_review: 2026-09-15\n", ("assumptions: [{field: data_subjects_per_year, note: estimated}]\n"
                                               "last_review: 2026-09-15\n")))
    assert validate_register(with_probe(tmp_path / "b", good)).problems == ()
