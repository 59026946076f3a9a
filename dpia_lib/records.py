"""The register's records: frozen pydantic models for the organisation, parties, systems, activities,
flows and DPIA records, each field described (the descriptions are the editor's help text).

The model imports nothing from the other stages of dpia_lib. Unknown keys are errors (``extra="forbid"``).

>>> Retention.model_validate({"period": "2 years", "from": "end of trajectory", "basis": "analysis"}).months
24
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from dpia_lib.law import (
    Art9Condition,
    Confidentiality,
    DpiaStatus,
    DutchException,
    LegalBasis,
    PartyRole,
    ProcessingRole,
    Safeguard,
    Verdict,
)

__all__ = [
    "Action",
    "Activity",
    "Art9Basis",
    "Assumption",
    "BalancingTest",
    "DataSubjectViews",
    "DpaRecord",
    "DpiaRecord",
    "DpiaState",
    "DpoAdvice",
    "ElectronicMarketing",
    "Flow",
    "FlowGround",
    "ID_PATTERN",
    "Id",
    "InformationStep",
    "Organisation",
    "Party",
    "PriorConsultation",
    "Purpose",
    "Record",
    "ResidualRiskAcceptance",
    "Retention",
    "RiskAdjustment",
    "Role",
    "ScreeningOverride",
    "SignOff",
    "Signatory",
    "Sourced",
    "System",
    "Text",
    "Transfer",
    "VersionEntry",
]

#: The pattern of every id (a slug: lower-case letters, digits and single hyphens; never a path).
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: A slug: lower-case letters, digits and single hyphens; never a path.
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
PERIOD_PATTERN = r"^([1-9][0-9]{0,3}) (day|days|week|weeks|month|months|year|years)$"
_UNIT_MONTHS = {"day": 1 / 30.4375, "week": 7 / 30.4375, "month": 1.0, "year": 12.0}


class Record(BaseModel):
    """Base of every register and catalogue record: frozen, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class Text(Record):
    """A text in Dutch and English."""

    nl: ShortText = Field(description="Dutch text")
    en: ShortText = Field(description="English text")

    def get(self, language: str) -> str:
        """The text in ``language`` ('nl' or 'en')."""
        return self.en if language == "en" else self.nl


class Sourced(Record):
    """A rule, default or catalogue entry with its legal source, or marked as our own analysis."""

    citation: ShortText | None = Field(None, description="Article, decision or guidance this rests on")
    basis: Literal["analysis", "assumption"] | None = Field(
        None,
        description="'analysis' where this is the organisation's own reasoning, 'assumption' where it is a fact "
        "not yet confirmed (e.g. an estimated volume or date), rather than a cited source",
    )

    @model_validator(mode="after")
    def _cited(self) -> Sourced:
        if self.citation is None and self.basis is None:
            raise ValueError("needs a 'citation' or a 'basis' ('analysis' or 'assumption')")
        return self


class Assumption(Record):
    """A fact of a record that is assumed rather than known (an estimate, an invented date), so that
    reports show it as such until it is confirmed."""

    field: Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z0-9_-]+)*$", max_length=200)] = Field(
        description="The field that holds the assumed fact, e.g. 'data_subjects_per_year' or 'dpa.signed'"
    )
    basis: Literal["assumption"] = Field("assumption", description="Always 'assumption'")
    note: ShortText = Field(description="What is assumed and how to confirm it")


class Retention(Sourced):
    """How long one data category is kept (GDPR art. 5(1)(e), art. 30(1)(f))."""

    period: Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)] = Field(
        description="Retention period, e.g. '2 years', '4 weeks'"
    )
    from_event: ShortText = Field(alias="from", description="The event the period runs from")
    note: ShortText | None = Field(None, description="Why this period")

    @property
    def months(self) -> float:
        """The period in months (a day is 1/30.4375 month)."""
        m = re.match(PERIOD_PATTERN, self.period)
        assert m is not None  # guaranteed by the field's pattern
        value = int(m.group(1)) * _UNIT_MONTHS[m.group(2).rstrip("s")]
        return int(value) if value == int(value) else value


class Role(Record):
    """A job role inside the organisation (never a person's name)."""

    id: Id = Field(description="Role id, e.g. 'reintegration-consultant'")
    name: Text = Field(description="Role name in Dutch and English")
    confidentiality: Confidentiality = Field(
        description="Why holders of this role are bound to secrecy (UAVG art. 30(4)); 'none' if not"
    )
    medically_trained: bool = Field(False, description="Whether the role requires medical training")
    assumptions: tuple[Assumption, ...] = Field((), description="Facts of this role that are assumed")


class Organisation(Record):
    """The controller keeping the register (GDPR art. 30(1)(a))."""

    name: ShortText = Field(description="Name of the controller")
    legal_form: ShortText | None = Field(None, description="Legal form")
    sector: Id = Field(description="Sector, as the AP's mandatory-DPIA list names it, e.g. 'reintegration-company'")
    address: ShortText | None = Field(None, description="Business address")
    rsin: Annotated[str, BeforeValidator(lambda v: f"{v:09d}" if type(v) is int else v),
                    StringConstraints(pattern=r"^[0-9]{9}$")] | None = Field(
        None, description="The organisation's own RSIN (nine digits); the personal-data scan allows it")
    kvk: Annotated[str, BeforeValidator(lambda v: f"{v:08d}" if type(v) is int else v),
                   StringConstraints(pattern=r"^[0-9]{8}$")] | None = Field(
        None, description="Its KvK (Chamber of Commerce) number (eight digits); the personal-data scan allows it")
    contact: ShortText = Field(description="How to reach the controller about privacy (a role mailbox or form)")
    representative: ShortText | None = Field(
        None, description="Representative in the EU (GDPR art. 27), only for controllers outside the EU"
    )
    dpo_appointed: bool = Field(description="Whether a data protection officer is appointed (GDPR art. 37)")
    dpo_contact: ShortText | None = Field(None, description="Contact of the DPO, if appointed")
    dpo_reason: ShortText | None = Field(None, description="Why a DPO is or is not mandatory (GDPR art. 37(1))")
    privacy_officer_role: Id = Field(description="The role acting as privacy officer")
    roles: tuple[Role, ...] = Field(description="Roles in the organisation that handle personal data")
    assumptions: tuple[Assumption, ...] = Field((), description="Facts of this record that are assumed")


class DpaRecord(Record):
    """A data-processing agreement with a processor (GDPR art. 28(3))."""

    signed: dt.date = Field(description="Date the agreement was signed")
    expires: dt.date | None = Field(None, description="Date the agreement ends; empty if open-ended")


class Party(Record):
    """Someone personal data comes from or goes to."""

    id: Id = Field(description="Party id")
    name: Text = Field(description="Name or description of the party (an organisation type, never a person)")
    kind: Id = Field(description="What kind of party this is (data/party_kinds.yaml)")
    role: PartyRole = Field(description="Its role towards us")
    country: CountryCode = Field("NL", description="ISO 3166-1 country where it processes the data")
    dpa: DpaRecord | None = Field(None, description="Data-processing agreement, for processors (art. 28)")
    confidentiality: Confidentiality | None = Field(
        None, description="Duty of secrecy of the party, where it handles special-category data (UAVG 30(4))"
    )
    note: LongText | None = Field(None, description="Remarks")
    assumptions: tuple[Assumption, ...] = Field((), description="Facts of this party that are assumed")


class System(Record):
    """An information system used for processing (e.g. the client-tracking system)."""

    id: Id = Field(description="System id")
    name: Text = Field(description="System name or description")
    supplier: Id | None = Field(None, description="Party supplying or hosting it (usually a processor)")
    hosting_country: CountryCode = Field("NL", description="Where its data is stored")
    assumptions: tuple[Assumption, ...] = Field((), description="Facts of this system that are assumed")


class BalancingTest(Record):
    """The three-step test for a legitimate interest (GDPR art. 6(1)(f); CJEU C-621/22, KNLTB, para. 37-38):
    a legitimate interest pursued, necessity of the processing for it, and a balancing against the data
    subjects' interests, rights and reasonable expectations."""

    interest: Text = Field(description="The legitimate interest pursued (purpose test)")
    necessity: Text = Field(description="Why the processing is necessary for that interest (necessity test)")
    balancing: Text = Field(
        description="The data subjects' interests and reasonable expectations weighed against it (balancing test)"
    )
    safeguards: Text | None = Field(None, description="Measures that tip the balance (e.g. opt-out, minimisation)")
    outcome: Literal["interest-prevails", "subject-prevails"] = Field(description="Outcome of the balancing")
    by: Id = Field(description="Role that made the assessment")
    date: dt.date = Field(description="Date of the assessment")


class Purpose(Record):
    """One purpose of an activity with its own art. 6(1) basis (GDPR arts. 5(1)(b), 6, 30(1)(b))."""

    id: Id = Field(description="Purpose id, unique within the activity")
    description: Text = Field(description="The purpose, specific and explicit")
    basis: LegalBasis | None = Field(None, description="Lawful basis of GDPR art. 6(1) for this purpose")
    basis_source: ShortText | None = Field(
        None, description="The statute (for c/e) or the interest weighed (for f) behind the basis"
    )
    balancing_test: BalancingTest | None = Field(
        None, description="The legitimate-interest test, for a purpose resting on art. 6(1)(f)"
    )


class Art9Basis(Record):
    """Why special-category data may be processed: an art. 9(2) condition and its Dutch exception."""

    condition: Art9Condition | None = Field(None, description="Condition of GDPR art. 9(2)")
    dutch_exception: DutchException | None = Field(None, description="Exception of the UAVG that applies")
    note: LongText | None = Field(None, description="Necessity test and remarks")


class FlowGround(Record):
    """The legal ground for a disclosure."""

    basis: LegalBasis = Field(description="Lawful basis of GDPR art. 6(1)")
    source: ShortText | None = Field(None, description="Statute or interest, e.g. 'BW 7:658a(5)'")


Frequency = Literal[
    "once", "per-trajectory", "per-event", "daily", "weekly", "monthly", "quarterly", "yearly",
    "continuous", "on-request",
]


class Flow(Record):
    """Personal data moving from one party or activity to another: an edge of the flow graph."""

    id: Id = Field(description="Flow id, unique in the register")
    source: Id = Field(alias="from", description="Party or activity the data comes from")
    target: Id = Field(alias="to", description="Party or activity the data goes to")
    categories: tuple[Id, ...] = Field(min_length=1, description="Data categories carried")
    channel: Id = Field(description="How the data travels (data/channels.yaml)")
    ground: FlowGround | None = Field(None, description="Legal ground for the disclosure")
    frequency: Frequency = Field(description="How often")
    note: ShortText | None = Field(None, description="Remarks")


class Transfer(Record):
    """A transfer to a recipient outside the EEA (GDPR arts. 44–49, 30(1)(e))."""

    party: Id = Field(description="Recipient party")
    country: CountryCode = Field(description="Destination country")
    safeguard: Safeguard = Field(description="Adequacy decision or art. 46 safeguard")
    certified: bool = Field(
        False, description="Whether the recipient is certified under a framework an adequacy decision is limited to "
        "(e.g. the EU-US Data Privacy Framework)"
    )
    note: ShortText | None = Field(None, description="Documentation of the safeguard")


class InformationStep(Record):
    """How data subjects are informed when data is not obtained from them (GDPR art. 14)."""

    how: Text = Field(description="How and by whom the data subject is informed")
    when: ShortText = Field(description="When, e.g. 'at intake, within one month of receipt'")


class ElectronicMarketing(Record):
    """Electronic messages for marketing (Telecommunicatiewet art. 11.7)."""

    audience: Literal["individuals", "business-addresses"] = Field(description="Who receives the messages")
    ground: Literal["consent", "soft-opt-in", "none"] = Field(description="Consent or the customer exception")
    opt_out_in_every_message: bool = Field(description="Whether each message offers an opt-out")
    own_customers: bool | None = Field(
        None, description="For the customer exception: whether the addresses were obtained from our own customers "
        "in the sale of our own products or services, and the messages are about similar ones (art. 11.7(3))"
    )
    double_opt_in: bool = Field(False, description="Whether sign-up is confirmed from the address itself")


class ScreeningOverride(Record):
    """The officer's recorded override of the computed screening verdict."""

    verdict: Verdict = Field(description="The verdict the officer sets")
    reason: LongText = Field(description="Why the computed verdict is overridden")
    by: Id = Field(description="Role that decided")
    date: dt.date = Field(description="Date of the decision")


class DpiaState(Record):
    """Where the DPIA of an activity stands (GDPR art. 35(1), 35(11))."""

    status: DpiaStatus = Field(description="not-needed, needed, in-progress or done")
    date: dt.date | None = Field(None, description="Date the DPIA was completed")
    next_review: dt.date | None = Field(None, description="When the DPIA must be reviewed")


class Activity(Record):
    """One processing activity: a row of the register (GDPR art. 30(1)(a–g), 30(2)(a–d))."""

    id: Id = Field(description="Activity id (also the file name)")
    name: Text = Field(description="Name in Dutch and English")
    description: Text | None = Field(None, description="What happens in this activity")
    owner: Id = Field(description="Role responsible for the activity")
    role: ProcessingRole = Field(ProcessingRole.CONTROLLER, description="Our role: art. 30(1) or 30(2)")
    controllers: tuple[Id, ...] = Field(
        (), description="For processing as processor: the controllers we act for (art. 30(2)(a))"
    )
    agreement: DpaRecord | None = Field(
        None, description="For processing as processor: the agreement with the controllers (art. 28(3))"
    )
    purposes: tuple[Purpose, ...] = Field(min_length=1, description="Purposes, each with its basis")
    data_subjects: tuple[Id, ...] = Field(min_length=1, description="Categories of data subjects")
    categories: tuple[Id, ...] = Field(min_length=1, description="Categories of personal data")
    special_categories_basis: Art9Basis | None = Field(
        None, description="Art. 9(2) condition and Dutch exception, required when special categories are processed"
    )
    retention: dict[Id, Retention] = Field(default_factory=dict, description="Retention per data category")
    dossier: Id = Field("none", description="Which part of the file the data belongs to (data/dossiers.yaml)")
    systems: tuple[Id, ...] = Field((), description="Systems used")
    access: tuple[Id, ...] = Field((), description="Roles with access to the data")
    measures: tuple[Id, ...] = Field((), description="Implemented security measures (catalogue ids)")
    transfers: tuple[Transfer, ...] = Field((), description="Transfers outside the EEA")
    data_subjects_per_year: StrictInt = Field(ge=0, le=1_000_000_000, description="Estimated data subjects a year")
    profiling: bool = Field(
        False, description="Whether personal aspects are evaluated or predicted by automated processing (art. 4(4))"
    )
    evaluation: bool = Field(
        False, description="Whether people evaluate or score personal aspects without automated profiling (WP248 1)"
    )
    automated_decisions: bool = Field(
        False, description="Decisions with legal or similar effect made without human involvement (art. 22)"
    )
    systematic_monitoring: bool = Field(False, description="Systematic observation or monitoring")
    monitors_public_area: bool = Field(
        False, description="Whether the monitoring covers a publicly accessible area (GDPR art. 35(3)(c))"
    )
    innovative_technology: bool = Field(False, description="New technology or organisational solution")
    blocks_service: bool = Field(
        False, description="Whether the outcome can keep data subjects from a right, service or contract"
    )
    anonymised_output: bool = Field(False, description="Whether the activity's output is anonymised")
    information: InformationStep | None = Field(
        None, description="Art. 14 information step, for data not obtained from the data subject"
    )
    electronic_marketing: ElectronicMarketing | None = Field(
        None, description="Electronic marketing messages, if the activity sends them"
    )
    dpia: DpiaState = Field(description="DPIA status")
    screening_override: ScreeningOverride | None = Field(None, description="Override of the screening verdict")
    last_review: dt.date = Field(description="When this record was last reviewed")
    flows: tuple[Flow, ...] = Field((), description="Flows into or out of this activity")
    assumptions: tuple[Assumption, ...] = Field((), description="Facts of this activity that are assumed")


class RiskAdjustment(Record):
    """The officer's adjustment of a derived risk level, with the reason."""

    event: Id = Field(description="Feared event id")
    likelihood: int | None = Field(None, ge=1, le=4, description="Likelihood level 1-4")
    severity: int | None = Field(None, ge=1, le=4, description="Severity level 1-4")
    reason: LongText = Field(description="Why the derived level is adjusted")


class Action(Record):
    """One line of the action plan."""

    measure: Id = Field(description="Measure to implement (catalogue id)")
    owner: Id = Field(description="Responsible role")
    due: dt.date = Field(description="Due date")
    status: Literal["planned", "in-progress", "done", "cancelled"] = Field(description="Status")
    note: ShortText | None = Field(None, description="Remarks")


class DpoAdvice(Record):
    """The DPO's (or privacy officer's) advice (GDPR art. 35(2))."""

    date: dt.date = Field(description="Date of the advice")
    by: Id = Field(description="Role that advised")
    advice: Text = Field(description="The advice")
    followed: bool = Field(description="Whether the advice is followed")
    reason_not_followed: Text | None = Field(None, description="Why not, if not followed")


class DataSubjectViews(Record):
    """Views of data subjects or their representatives (GDPR art. 35(9))."""

    consulted: bool = Field(description="Whether views were sought")
    how: Text = Field(description="How they were sought, or why not")
    summary: Text | None = Field(None, description="What they said")


class SignOff(Record):
    """The controller's decision on the DPIA."""

    by: Id = Field(description="Role that signed off")
    date: dt.date = Field(description="Date")
    decision: Literal["accepted", "accepted-with-actions", "rejected", "prior-consultation"] = Field(
        description="Decision (prior consultation: GDPR art. 36)"
    )


class ResidualRiskAcceptance(Record):
    """The controller's reasoned acceptance of the residual risk (GDPR art. 35(7)(d), 36(1))."""

    accepted: bool = Field(description="Whether the residual risk is accepted")
    by: Id = Field(description="Role that accepted (or refused) the residual risk")
    date: dt.date = Field(description="Date of the decision")
    reason: Text = Field(description="Why the remaining risk is acceptable (or not)")


class PriorConsultation(Record):
    """The controller's decision on prior consultation of the supervisory authority (GDPR art. 36(1))."""

    consult: bool = Field(description="Whether the Autoriteit Persoonsgegevens is consulted before processing")
    reason: Text = Field(description="Why (not): which residual risks remain high and why they are (not) mitigated")
    by: Id = Field(description="Role that decided")
    date: dt.date = Field(description="Date of the decision")
    submitted: dt.date | None = Field(None, description="Date the request was sent to the AP, if consulted")


class Signatory(Record):
    """One signature under the DPIA: the role, and the person's name once signed."""

    role: Id = Field(description="Role that signs (e.g. the director as controller, the privacy officer)")
    name: ShortText | None = Field(None, description="Name of the person signing; empty until signed")
    date: dt.date | None = Field(None, description="Date of signature; empty until signed")


class VersionEntry(Record):
    """One line of the DPIA's version history."""

    version: Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,2}$")] = Field(
        description="Version number, e.g. '1.0'"
    )
    date: dt.date = Field(description="Date of this version")
    by: Id = Field(description="Role that wrote it")
    change: Text = Field(description="What changed")


class DpiaRecord(Record):
    """The officer's answers for the DPIA parts that cannot be derived from the register."""

    activity: Id = Field(description="Activity this DPIA is about")
    necessity: Text = Field(description="Why the processing is necessary for the purposes (art. 35(7)(b))")
    proportionality: Text = Field(description="Why it is proportionate (art. 35(7)(b))")
    subsidiarity: Text = Field(description="Why no less intrusive means suffice")
    data_subject_views: DataSubjectViews = Field(description="Art. 35(9)")
    dpo_advice: DpoAdvice | None = Field(None, description="Art. 35(2)")
    sign_off: SignOff | None = Field(None, description="Decision of the controller")
    review_date: dt.date = Field(description="Next review of the DPIA (art. 35(11))")
    actions: tuple[Action, ...] = Field((), description="Action plan")
    risk_adjustments: tuple[RiskAdjustment, ...] = Field((), description="Adjusted risk levels")
    residual_risk_acceptance: ResidualRiskAcceptance | None = Field(
        None, description="Reasoned acceptance of the residual risk (art. 35(7)(d))"
    )
    prior_consultation: PriorConsultation | None = Field(
        None, description="Decision on prior consultation of the AP (art. 36(1))"
    )
    signatories: tuple[Signatory, ...] = Field((), description="Who signs the DPIA")
    versions: tuple[VersionEntry, ...] = Field((), description="Version history of the DPIA")
