"""Closed legal vocabularies fixed by law, as enums whose members cite their article. An organisation's own
vocabularies (party kinds, dossiers, channels, data subjects, categories) are cited catalogues in data/.

Each enum value is the kebab-case word used in the register YAML; :func:`citation` gives the source.

>>> LegalBasis.CONTRACT.value, citation(LegalBasis.CONTRACT)
('contract', 'GDPR art. 6(1)(b)')
>>> citation(DutchException.UAVG_30_1_B)
'UAVG art. 30(1)(b)'
>>> citation(Confidentiality.CONTRACT)
'UAVG art. 30(4)'
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ART9_EXCEPTIONS",
    "Art9Condition",
    "Confidentiality",
    "DpiaStatus",
    "DutchException",
    "LegalBasis",
    "PartyRole",
    "ProcessingRole",
    "Safeguard",
    "Verdict",
    "citation",
]


class LegalBasis(StrEnum):
    """The lawful bases of GDPR art. 6(1)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal-obligation"
    VITAL_INTERESTS = "vital-interests"
    PUBLIC_TASK = "public-task"
    LEGITIMATE_INTERESTS = "legitimate-interests"


class Art9Condition(StrEnum):
    """The exceptions of GDPR art. 9(2) to the ban on special categories of data."""

    EXPLICIT_CONSENT = "explicit-consent"
    EMPLOYMENT_SOCIAL_SECURITY = "employment-social-security"
    VITAL_INTERESTS = "vital-interests"
    NOT_FOR_PROFIT_BODY = "not-for-profit-body"
    MADE_PUBLIC = "made-public"
    LEGAL_CLAIMS = "legal-claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial-public-interest"
    HEALTH_OR_SOCIAL_CARE = "health-or-social-care"
    PUBLIC_HEALTH = "public-health"
    ARCHIVING_RESEARCH = "archiving-research"


class DutchException(StrEnum):
    """The Dutch implementing exceptions (UAVG) that accompany an art. 9(2) condition."""

    UAVG_22_2_A = "uavg-22-2-a"  # explicit consent
    UAVG_22_2_B = "uavg-22-2-b"  # made public by the data subject
    UAVG_22_2_C = "uavg-22-2-c"  # legal claims
    UAVG_22_2_D = "uavg-22-2-d"  # substantial public interest (international law)
    UAVG_24 = "uavg-24"  # scientific research and statistics
    UAVG_30_1_A = "uavg-30-1-a"  # laws, pension schemes, collective agreements
    UAVG_30_1_B = "uavg-30-1-b"  # reintegration or support of employees
    UAVG_30_2 = "uavg-30-2"  # pension funds
    UAVG_30_3 = "uavg-30-3"  # insurers and intermediaries
    UAVG_30_3_B = "uavg-30-3-b"  # care providers and institutions


class ProcessingRole(StrEnum):
    """In which capacity the organisation performs an activity (GDPR art. 30(1) or 30(2))."""

    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint-controller"
    PROCESSOR = "processor"


class PartyRole(StrEnum):
    """A party's role towards the organisation keeping the register."""

    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint-controller"
    PROCESSOR = "processor"
    RECIPIENT = "recipient"
    DATA_SUBJECT = "data-subject"
    SUPERVISORY_AUTHORITY = "supervisory-authority"


class Confidentiality(StrEnum):
    """Why someone is bound to secrecy, as UAVG art. 30(4) requires for health data."""

    PROFESSION = "profession"  # professional secrecy (e.g. Wet BIG art. 88)
    STATUTE = "statute"  # a statutory duty (e.g. Wet SUWI art. 74)
    OFFICE = "office"
    CONTRACT = "contract"  # a confidentiality agreement or clause
    NONE = "none"


class DpiaStatus(StrEnum):
    """Where the DPIA of an activity stands."""

    NOT_NEEDED = "not-needed"
    NEEDED = "needed"
    IN_PROGRESS = "in-progress"
    DONE = "done"


class Verdict(StrEnum):
    """The screening outcome for one activity."""

    REQUIRED = "required"
    RECOMMENDED = "recommended"
    NOT_REQUIRED = "not-required"


class Safeguard(StrEnum):
    """The ground for a transfer outside the EEA (GDPR arts. 45–46, 49)."""

    ADEQUACY = "adequacy"
    STANDARD_CONTRACTUAL_CLAUSES = "standard-contractual-clauses"
    BINDING_CORPORATE_RULES = "binding-corporate-rules"
    CODE_OR_CERTIFICATION = "code-or-certification"
    DEROGATION = "derogation"
    NONE = "none"


_CITATION_LIST: list[tuple[StrEnum, str]] = [
    (LegalBasis.CONSENT, "GDPR art. 6(1)(a)"),
    (LegalBasis.CONTRACT, "GDPR art. 6(1)(b)"),
    (LegalBasis.LEGAL_OBLIGATION, "GDPR art. 6(1)(c)"),
    (LegalBasis.VITAL_INTERESTS, "GDPR art. 6(1)(d)"),
    (LegalBasis.PUBLIC_TASK, "GDPR art. 6(1)(e)"),
    (LegalBasis.LEGITIMATE_INTERESTS, "GDPR art. 6(1)(f)"),
    (Art9Condition.EXPLICIT_CONSENT, "GDPR art. 9(2)(a)"),
    (Art9Condition.EMPLOYMENT_SOCIAL_SECURITY, "GDPR art. 9(2)(b)"),
    (Art9Condition.VITAL_INTERESTS, "GDPR art. 9(2)(c)"),
    (Art9Condition.NOT_FOR_PROFIT_BODY, "GDPR art. 9(2)(d)"),
    (Art9Condition.MADE_PUBLIC, "GDPR art. 9(2)(e)"),
    (Art9Condition.LEGAL_CLAIMS, "GDPR art. 9(2)(f)"),
    (Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST, "GDPR art. 9(2)(g)"),
    (Art9Condition.HEALTH_OR_SOCIAL_CARE, "GDPR art. 9(2)(h)"),
    (Art9Condition.PUBLIC_HEALTH, "GDPR art. 9(2)(i)"),
    (Art9Condition.ARCHIVING_RESEARCH, "GDPR art. 9(2)(j)"),
    (DutchException.UAVG_22_2_A, "UAVG art. 22(2)(a)"),
    (DutchException.UAVG_22_2_B, "UAVG art. 22(2)(b)"),
    (DutchException.UAVG_22_2_C, "UAVG art. 22(2)(c)"),
    (DutchException.UAVG_22_2_D, "UAVG art. 22(2)(d)"),
    (DutchException.UAVG_24, "UAVG art. 24"),
    (DutchException.UAVG_30_1_A, "UAVG art. 30(1)(a)"),
    (DutchException.UAVG_30_1_B, "UAVG art. 30(1)(b)"),
    (DutchException.UAVG_30_2, "UAVG art. 30(2)"),
    (DutchException.UAVG_30_3, "UAVG art. 30(3)"),
    (DutchException.UAVG_30_3_B, "UAVG art. 30(3)(b)"),
    (ProcessingRole.CONTROLLER, "GDPR art. 30(1)"),
    (ProcessingRole.JOINT_CONTROLLER, "GDPR arts. 26, 30(1)"),
    (ProcessingRole.PROCESSOR, "GDPR art. 30(2)"),
    (Confidentiality.PROFESSION, "UAVG art. 30(4); for care professionals Wet BIG art. 88"),
    (Confidentiality.STATUTE, "UAVG art. 30(4)"),
    (Confidentiality.OFFICE, "UAVG art. 30(4)"),
    (Confidentiality.CONTRACT, "UAVG art. 30(4)"),
    (Safeguard.ADEQUACY, "GDPR art. 45"),
    (Safeguard.STANDARD_CONTRACTUAL_CLAUSES, "GDPR art. 46(2)(c)"),
    (Safeguard.BINDING_CORPORATE_RULES, "GDPR arts. 46(2)(b), 47"),
    (Safeguard.CODE_OR_CERTIFICATION, "GDPR art. 46(2)(e)-(f)"),
    (Safeguard.DEROGATION, "GDPR art. 49"),
]
# Keyed by (enum class, value): members of different enums may share a value ("contract").
_CITATIONS: dict[tuple[type[StrEnum], str], str] = {(type(m), m.value): text for m, text in _CITATION_LIST}


def citation(member: StrEnum) -> str:
    """The legal source of a vocabulary member, or ``""`` where the member is not itself a legal ground."""
    return _CITATIONS.get((type(member), member.value), "")


#: The UAVG exceptions that rest on each art. 9(2) condition (the UAVG names the condition it relies on):
#: UAVG art. 22(2) on art. 9(2)(a), (e), (f) and (g); art. 24 on (j); art. 30(1)-(2) on (b); art. 30(3) on
#: (h). An empty tuple: the condition applies without a Dutch exception (art. 9(2)(c), (d), (i)).
ART9_EXCEPTIONS: dict[Art9Condition, tuple[DutchException, ...]] = {
    Art9Condition.EXPLICIT_CONSENT: (DutchException.UAVG_22_2_A,),
    Art9Condition.EMPLOYMENT_SOCIAL_SECURITY: (DutchException.UAVG_30_1_A, DutchException.UAVG_30_1_B,
                                              DutchException.UAVG_30_2),
    Art9Condition.VITAL_INTERESTS: (),
    Art9Condition.NOT_FOR_PROFIT_BODY: (),
    Art9Condition.MADE_PUBLIC: (DutchException.UAVG_22_2_B,),
    Art9Condition.LEGAL_CLAIMS: (DutchException.UAVG_22_2_C,),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: (DutchException.UAVG_22_2_D,),
    Art9Condition.HEALTH_OR_SOCIAL_CARE: (DutchException.UAVG_30_3, DutchException.UAVG_30_3_B),
    Art9Condition.PUBLIC_HEALTH: (),
    Art9Condition.ARCHIVING_RESEARCH: (DutchException.UAVG_24,),
}
