"""Reference catalogues read from ``data/``: data categories, data-subject categories, measures and
countries, and the DPIA engine's catalogues: the WP248 criteria, the AP's mandatory-DPIA list, the cases
of GDPR art. 35(3), large-scale thresholds, the rule table and the feared events. Each entry carries its
legal source (``citation``) or ``basis: analysis``.

Catalogue files go through the same loader as the register, so a typo in a catalogue is reported with
its file and line. The DPIA engine's catalogues (screening criteria, rules, feared events) extend
:class:`Catalogue` in the same way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field

from dpia_lib.findings import Severity
from dpia_lib.records import CountryCode, Id, Record, Retention, ShortText, Sourced, Text

__all__ = [
    "ActivityFlag",
    "ApListCategory",
    "Art35Case",
    "Catalogue",
    "Country",
    "DataCategory",
    "DataSubjectCategory",
    "FearedEvent",
    "IdentifierStatute",
    "LargeScaleThreshold",
    "Measure",
    "MeasureEffect",
    "RiskDriver",
    "RuleEntry",
    "SpecialKind",
    "TriggerMatch",
    "VocabularyEntry",
    "Wp248Criterion",
]

SpecialKind = Literal["health", "race-ethnicity", "political", "religion", "union", "genetic",
                      "biometric", "sex-life", "criminal"]
#: Boolean facts of an activity that screening triggers can require.
ActivityFlag = Literal["profiling", "automated_decisions", "systematic_monitoring", "innovative_technology",
                       "blocks_service", "monitors_public_area"]


class DataCategory(Sourced):
    """A category of personal data and how sensitive it is."""

    id: Id = Field(description="Category id")
    label: Text = Field(description="Label in Dutch and English")
    description: Text | None = Field(None, description="What the category holds")
    special: SpecialKind | None = Field(
        None, description="Which special category of GDPR art. 9(1) (or art. 10) it is, if any"
    )
    identifier: bool = Field(False, description="A number prescribed by law to identify a person (UAVG art. 46)")
    medical_secrecy: bool = Field(
        False, description="Covered by medical secrecy: never to the employer (Wet BIG art. 88, BW 7:457)"
    )
    employer_may_receive: bool = Field(
        True, description="Whether the company doctor may pass it on to the employer (AP 'De zieke werknemer')"
    )
    evaluative: bool = Field(False, description="An evaluation or score of the person (WP248 criterion 1)")
    identifying: bool = Field(
        False, description="Names the person (name, contact details): records about someone are kept with it"
    )
    retention_default: Retention | None = Field(None, description="Default maximum retention for the category")


class DataSubjectCategory(Sourced):
    """A category of data subjects."""

    id: Id = Field(description="Data-subject category id")
    label: Text = Field(description="Label in Dutch and English")
    vulnerable: bool = Field(False, description="Vulnerable data subjects (WP248 criterion 7)")
    children: bool = Field(False, description="Children")
    reveals: SpecialKind | None = Field(
        None, description="A special category that belonging to this group reveals (sick employees: health; "
        "CJEU C-184/20, C-101/01)"
    )


class MeasureEffect(Record):
    """How much a measure lowers likelihood or severity of the feared events it addresses."""

    likelihood: int = Field(0, ge=0, le=3, description="Levels the likelihood drops")
    severity: int = Field(0, ge=0, le=3, description="Levels the severity drops")


class Measure(Sourced):
    """A technical or organisational measure (GDPR arts. 24, 25, 32)."""

    id: Id = Field(description="Measure id")
    label: Text = Field(description="Label in Dutch and English")
    kind: Literal["technical", "organisational", "legal"] = Field(description="Kind of measure")
    description: Text | None = Field(None, description="What the measure is")
    events: tuple[Id, ...] = Field((), description="Feared events the measure addresses")
    effect: MeasureEffect = Field(default_factory=MeasureEffect, description="Effect on those events")


class Country(Sourced):
    """A country's transfer status (GDPR arts. 44–45)."""

    code: CountryCode = Field(description="ISO 3166-1 alpha-2 code")
    name: ShortText = Field(description="Country name")
    eea: bool = Field(description="Member of the EEA")
    adequacy: bool = Field(False, description="Covered by an adequacy decision (art. 45)")
    adequacy_scope: Literal["country", "certified-organisations"] = Field(
        "country", description="Whether the decision covers the whole country or only certified organisations"
    )
    adequacy_until: dt.date | None = Field(None, description="Last day the adequacy decision applies, if limited")
    note: ShortText | None = Field(None, description="Remarks")


class VocabularyEntry(Sourced):
    """A term of an organisation's own vocabulary (party kinds, dossiers, channels): extendable as data."""

    id: Id = Field(description="Term id, used in the register")
    label: Text = Field(description="Label in Dutch and English")
    description: Text | None = Field(None, description="What the term means")


class IdentifierStatute(Sourced):
    """A statutory provision that prescribes the use of a national identifier (UAVG art. 46(1))."""

    id: Id = Field(description="Entry id")
    provision: ShortText = Field(description="The provision as a register cites it, e.g. 'BW 7:658a(5)'")
    aliases: tuple[ShortText, ...] = Field((), description="Other ways the register may cite the same provision")
    permits: Text = Field(description="The use of the identifier the provision prescribes, and by whom")


class Wp248Criterion(Sourced):
    """One of the nine criteria of WP248 rev.01 (section III.B.a) and how the engine derives it."""

    id: Id = Field(description="Criterion id, also the screening reason code")
    number: int = Field(ge=1, le=9, description="Number of the criterion in WP248 rev.01")
    label: Text = Field(description="Name of the criterion")
    derivation: Text = Field(description="Which register facts meet the criterion")


class TriggerMatch(Record):
    """Register facts that together meet a mandatory-DPIA case (all given conditions must hold)."""

    special: tuple[SpecialKind, ...] = Field((), description="Any of these special categories is processed")
    flags: tuple[ActivityFlag, ...] = Field((), description="All of these activity flags are set")
    vulnerable_subjects: bool = Field(False, description="Vulnerable data subjects (employees, children)")
    large_scale: bool = Field(False, description="The processing is large-scale (thresholds or named sector)")
    example_sectors: tuple[Id, ...] = Field(
        (), description="Sectors the source names as examples of large-scale processing of this kind"
    )


class ApListCategory(Sourced):
    """A category of the AP's list of processing that always needs a DPIA (Stcrt. 2019, 64418)."""

    id: Id = Field(description="Category id, also the screening reason code")
    name: Text = Field(description="The category's name as the AP list gives it")
    description: Text = Field(description="What the category covers")
    match: TriggerMatch | None = Field(
        None, description="Register facts that meet it; empty where the register holds no such facts"
    )


class Art35Case(Sourced):
    """One of the cases of GDPR art. 35(3) in which a DPIA is always required."""

    id: Id = Field(description="Case id, also the screening reason code")
    label: Text = Field(description="The case")
    match: TriggerMatch = Field(description="Register facts that meet it")


class LargeScaleThreshold(Sourced):
    """A number of data subjects a year from which processing counts as large-scale (or voluminous)."""

    id: Id = Field(description="Threshold id")
    applies_to: Literal["special", "ordinary", "volume"] = Field(
        description="'special': special categories or identifiers; 'ordinary': other data; "
                    "'volume': the risk driver for likelihood"
    )
    data_subjects_per_year: int = Field(ge=1, description="Data subjects a year at or above which it applies")
    note: ShortText | None = Field(None, description="Remarks")


class RuleEntry(Sourced):
    """A rule of the rule engine: its stable code, severity (adjustable by the officer) and title."""

    code: Id = Field(description="Stable finding code")
    severity: Severity = Field(description="low, medium or high")
    title: Text = Field(description="What the rule checks")


#: When a feared event applies to an activity.
EventCondition = Literal["always", "health", "special", "evaluative", "profiling", "anonymised-output",
                         "employer-recipient"]


#: Register facts that raise a feared event's severity (the first three) or likelihood (the others).
RiskDriver = Literal["sensitive", "medical-secrecy", "vulnerable", "access-roles", "recipients", "volume",
                     "employer-reach", "reuse", "profiling"]


class FearedEvent(Sourced):
    """A feared event of the CNIL PIA method, with the threats and risk sources that drive it."""

    id: Id = Field(description="Event id")
    label: Text = Field(description="Name of the feared event")
    description: Text = Field(description="What happens to the data subjects")
    impacts: tuple[Text, ...] = Field((), description="What the event does to the data subjects (CNIL: impacts)")
    threats: tuple[Text, ...] = Field(min_length=1, description="Threats that can lead to the event")
    risk_sources: tuple[Text, ...] = Field(min_length=1, description="Who or what can cause them")
    applies: tuple[EventCondition, ...] = Field(min_length=1, description="When the event applies (any of)")
    drivers: tuple[RiskDriver, ...] = Field(description="Register facts that raise this event's levels")
    likelihood_base: int = Field(ge=1, le=4, description="Likelihood level before the register's drivers")
    severity_base: int = Field(ge=1, le=4, description="Severity level before the register's drivers")
    max_reduction: MeasureEffect = Field(
        default_factory=lambda: MeasureEffect(likelihood=2, severity=1),
        description="Most levels that measures together can lower likelihood and severity",
    )


class Catalogue(Record):
    """All reference catalogues, keyed by entry id (the rule table by code)."""

    categories: dict[str, DataCategory]
    data_subjects: dict[str, DataSubjectCategory]
    measures: dict[str, Measure]
    countries: dict[str, Country]
    wp248: dict[str, Wp248Criterion] = Field(default_factory=dict)
    ap_list: dict[str, ApListCategory] = Field(default_factory=dict)
    art35_3: dict[str, Art35Case] = Field(default_factory=dict)
    thresholds: dict[str, LargeScaleThreshold] = Field(default_factory=dict)
    rules: dict[str, RuleEntry] = Field(default_factory=dict)
    risks: dict[str, FearedEvent] = Field(default_factory=dict)
    party_kinds: dict[str, VocabularyEntry] = Field(default_factory=dict)
    dossiers: dict[str, VocabularyEntry] = Field(default_factory=dict)
    channels: dict[str, VocabularyEntry] = Field(default_factory=dict)
    identifier_statutes: dict[str, IdentifierStatute] = Field(default_factory=dict)
    source_dir: Path | None = Field(None, description="Directory the catalogues were read from")

    def threshold(self, applies_to: str) -> LargeScaleThreshold | None:
        """The threshold for ``applies_to`` ('special', 'ordinary' or 'volume'), if catalogued."""
        return next((t for t in self.thresholds.values() if t.applies_to == applies_to), None)

    def is_special(self, category: str) -> bool:
        """Whether ``category`` is a special category of personal data (art. 9)."""
        entry = self.categories.get(category)
        return entry is not None and entry.special is not None

    def in_eea_or_adequate(self, country: str, as_of: dt.date | None = None, certified: bool = False) -> bool:
        """Whether data may go to ``country`` without an art. 46 safeguard: in the EEA, or covered on ``as_of``
        by an adequacy decision (one limited to certified organisations only when ``certified``)."""
        entry = self.countries.get(country)
        if entry is None:
            return False
        if entry.eea:
            return True
        if not entry.adequacy or (as_of is not None and entry.adequacy_until is not None
                                  and as_of > entry.adequacy_until):
            return False
        return entry.adequacy_scope == "country" or certified
