"""Register facts that made a screening source apply, as data: a code, the records they name, parameters.

A :class:`Fact` is what the screening (:mod:`dpia_lib.screening`) and the legal predicates
(:mod:`dpia_lib.legal`) state about an activity: "special category 'diagnosis-complaints'", "450 data
subjects a year, at or above the threshold ...". It keeps the code and the ids apart from the sentence,
so a report words it in its own language with names (``fact-<code>`` in ``data/labels.yaml``, through
:func:`dpia_lib.report.wording.fact_text`) while the JSON output and the command line keep the English
sentence (:attr:`Fact.text`). An officer's own words (the reason for an override) are a fact with code
``officer`` and are shown as written.

>>> f = special("diagnosis-complaints")
>>> f.code, f.ids, f.text
('special', ('diagnosis-complaints',), "special category 'diagnosis-complaints'")
>>> volume(450, "large-scale-special", 5000).text
'450 data subjects a year, at or above the large-scale-special threshold of 5000'
>>> flag("evaluation").text, officer("covered by the DPIA of the process file").code
('evaluation by people declared', 'officer')
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "FLAG_WORDS",
    "Fact",
    "FactCode",
    "blocks_service",
    "evaluative",
    "flag",
    "from_activities",
    "from_party",
    "identifier",
    "inferred_special",
    "officer",
    "override",
    "processor",
    "sector",
    "special",
    "volume",
    "vulnerable",
]

FactCode = Literal[
    "special", "identifier", "evaluative", "vulnerable", "from-party", "from-activities", "volume", "sector",
    "inferred-special", "processor", "override", "flag", "blocks", "officer",
]

#: The activity flags (fields of :class:`~dpia_lib.records.Activity`) in the words of the English sentence.
FLAG_WORDS: dict[str, str] = {
    "profiling": "profiling",
    "evaluation": "evaluation by people",
    "automated_decisions": "automated decisions",
    "systematic_monitoring": "systematic monitoring",
    "innovative_technology": "new technology",
    "monitors_public_area": "monitoring of a public area",
    "blocks_service": "can block a service",
}


class Fact(BaseModel):
    """One register fact: its code, the ids of the records it names, other parameters, the English sentence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: FactCode
    #: Ids the fact names: categories, data-subject groups, parties, activities (worded as names).
    ids: tuple[str, ...] = ()
    #: Other parameters by name (a count, a threshold id, a flag, a verdict, a special-category kind).
    params: tuple[tuple[str, str], ...] = ()
    #: The fact as an English sentence (JSON output, command line, an officer's own words).
    text: str

    def param(self, name: str) -> str:
        """The parameter ``name`` ('' when the fact has none)."""
        return dict(self.params).get(name, "")

    def __str__(self) -> str:
        return self.text


def special(category: str) -> Fact:
    """The activity holds the special category ``category`` (GDPR art. 9(1))."""
    return Fact(code="special", ids=(category,), text=f"special category {category!r}")


def identifier(category: str) -> Fact:
    """The activity holds the national identifier ``category`` (UAVG art. 46)."""
    return Fact(code="identifier", ids=(category,), text=f"national identifier {category!r}")


def evaluative(category: str) -> Fact:
    """The activity holds the evaluative category ``category`` (WP248 rev.01, criterion 1)."""
    return Fact(code="evaluative", ids=(category,), text=f"evaluative category {category!r}")


def vulnerable(group: str) -> Fact:
    """The data subjects ``group`` are vulnerable (WP248 rev.01, criterion 7)."""
    return Fact(code="vulnerable", ids=(group,), text=f"vulnerable data subjects {group!r}")


def from_party(party: str) -> Fact:
    """The activity receives data from the party ``party``."""
    return Fact(code="from-party", ids=(party,), text=f"data from party {party!r}")


def from_activities(activities: list[str]) -> Fact:
    """The activity receives data from the organisation's own ``activities``."""
    return Fact(code="from-activities", ids=tuple(activities), text=f"data from own activities {', '.join(activities)}")


def volume(count: int, threshold: str, limit: int) -> Fact:
    """``count`` data subjects a year reach the threshold ``threshold`` of ``limit``."""
    return Fact(code="volume", params=(("count", str(count)), ("threshold", threshold), ("limit", str(limit))),
                text=f"{count} data subjects a year, at or above the {threshold} threshold of {limit}")


def sector(name: str) -> Fact:
    """The organisation's sector ``name`` is among the source's examples of large-scale processing."""
    return Fact(code="sector", params=(("sector", name),),
                text=f"organisation sector {name!r} is named among the source's examples")


def inferred_special(groups: list[str], kind: str) -> Fact:
    """Data about the data-subject ``groups`` reveals the special category ``kind`` (CJEU C-184/20)."""
    return Fact(code="inferred-special", ids=tuple(groups), params=(("kind", kind),),
                text=f"data about {', '.join(groups)} reveals {kind} (CJEU C-184/20)")


def processor(controllers: list[str]) -> Fact:
    """The activity is done as processor for ``controllers``: they decide on a DPIA (GDPR art. 35(1), 28(3)(f))."""
    return Fact(code="processor", ids=tuple(controllers),
                text=(f"done as processor for {', '.join(controllers) or 'the controllers'}: whether a DPIA is "
                      f"needed is the controller's decision; this verdict is advice to them, and we assist"))


def override(computed: str, verdict: str) -> Fact:
    """The officer set the computed verdict ``computed`` to ``verdict``."""
    return Fact(code="override", params=(("computed", computed), ("verdict", verdict)),
                text=f"computed verdict {computed!r} overridden to {verdict!r}")


def flag(name: str) -> Fact:
    """The activity's flag ``name`` (a field of the activity, e.g. ``profiling``) is set."""
    return Fact(code="flag", params=(("flag", name),), text=f"{FLAG_WORDS.get(name, name)} declared")


def blocks_service() -> Fact:
    """The activity's outcome can block a right, service or contract (WP248 rev.01, criterion 9)."""
    return Fact(code="blocks", text="outcome can block a right, service or contract")


def officer(text: str) -> Fact:
    """The officer's own words, shown as written."""
    return Fact(code="officer", text=text)
