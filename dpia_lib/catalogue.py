"""Reference catalogues read from ``data/``: data categories, data-subject categories, measures and
countries. Each entry carries its legal source (``citation``) or ``basis: analysis``.

Catalogue files go through the same loader as the register, so a typo in a catalogue is reported with
its file and line. The DPIA engine's catalogues (screening criteria, rules, feared events) extend
:class:`Catalogue` in the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dpia_lib.records import CountryCode, Id, Record, Retention, ShortText, Sourced, Text

__all__ = [
    "Catalogue",
    "Country",
    "DataCategory",
    "DataSubjectCategory",
    "Measure",
    "MeasureEffect",
]


class DataCategory(Sourced):
    """A category of personal data and how sensitive it is."""

    id: Id = Field(description="Category id")
    label: Text = Field(description="Label in Dutch and English")
    description: Text | None = Field(None, description="What the category holds")
    special: Literal["health", "race-ethnicity", "political", "religion", "union", "genetic",
                     "biometric", "sex-life", "criminal"] | None = Field(
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
    retention_default: Retention | None = Field(None, description="Default maximum retention for the category")


class DataSubjectCategory(Sourced):
    """A category of data subjects."""

    id: Id = Field(description="Data-subject category id")
    label: Text = Field(description="Label in Dutch and English")
    vulnerable: bool = Field(False, description="Vulnerable data subjects (WP248 criterion 7)")
    children: bool = Field(False, description="Children")


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


class Catalogue(Record):
    """All reference catalogues, keyed by entry id."""

    categories: dict[str, DataCategory]
    data_subjects: dict[str, DataSubjectCategory]
    measures: dict[str, Measure]
    countries: dict[str, Country]

    def is_special(self, category: str) -> bool:
        """Whether ``category`` is a special category of personal data (art. 9)."""
        entry = self.categories.get(category)
        return entry is not None and entry.special is not None

    def in_eea_or_adequate(self, country: str) -> bool:
        """Whether data may go to ``country`` without an art. 46 safeguard."""
        entry = self.countries.get(country)
        return entry is not None and (entry.eea or entry.adequacy)
