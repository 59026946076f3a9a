"""Words for the values of the editor's drop-downs, in the editor's language.

A choice field's values are the register's ids (``legitimate-interests``, ``uavg-30-1-b``); the officer
picks from their words, worded as the reports word them (:mod:`dpia_lib.report.wording` and the label
catalogue ``data/labels.yaml``), with the citation where the value is a legal ground. Which words fit a
field follows its :attr:`~dpia_lib.editing.fields.FieldSpec.vocabulary`: the enum of :mod:`dpia_lib.law`,
or the record class and field of a Literal (``Flow.frequency``).

>>> choice_label("LegalBasis", "legitimate-interests", "nl")
'Gerechtvaardigd belang (art. 6 lid 1 sub f AVG)'
>>> choice_label("Art9Condition", "employment-social-security", "en")
'Employment and social security law (GDPR art. 9(2)(b))'
>>> choice_label("Flow.frequency", "per-trajectory", "nl")
'Per traject'
>>> choice_label("Flow.frequency", "fortnightly", "nl")  # not a value of the vocabulary: shown as written
'fortnightly'
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

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
    citation,
)
from dpia_lib.report.labels import load_labels
from dpia_lib.report.wording import basis_text, cite, condition_text, exception_text, word

__all__ = ["VOCABULARIES", "choice_label"]


def _cited(words: str, member: StrEnum, language: str) -> str:
    """``words`` with the member's citation in the language's style, unless the words cite it already."""
    cited = cite(citation(member), language)
    return f"{words} ({cited})" if cited and cited not in words else words


def _labelled(prefix: str) -> Callable[[str, str], str]:
    return lambda value, language: word(f"{prefix}{value}", language)


def _enum_words(kind: type[StrEnum], prefix: str) -> Callable[[str, str], str]:
    return lambda value, language: _cited(word(f"{prefix}{value}", language), kind(value), language)


def _verdict(value: str, language: str) -> str:
    return load_labels().editor[f"verdict.{Verdict(value).value}"].get(language)


#: The words of each vocabulary: (value, language) -> words; the values each holds are the field's choices.
VOCABULARIES: dict[str, Callable[[str, str], str]] = {
    "LegalBasis": lambda value, language: basis_text(LegalBasis(value), language),
    "Art9Condition": lambda value, language: condition_text(Art9Condition(value), language),
    "DutchException": lambda value, language: exception_text(DutchException(value), language),
    "ProcessingRole": _enum_words(ProcessingRole, "processing-role-"),
    "PartyRole": _enum_words(PartyRole, "party-role-"),
    "Safeguard": _enum_words(Safeguard, "safeguard-"),
    # every duty of confidentiality rests on UAVG art. 30(4): the words name which one, not the article
    "Confidentiality": lambda value, language: word(f"confidentiality-{Confidentiality(value).value}", language),
    "DpiaStatus": lambda value, language: word(f"dpia-status-{DpiaStatus(value).value}", language),
    "Verdict": _verdict,
    "Sourced.basis": _labelled("source-"),
    "Assumption.basis": _labelled("source-"),
    "BalancingTest.outcome": _labelled("outcome-"),
    "Action.status": _labelled("status-"),
    "SignOff.decision": _labelled("decision-"),
    "Flow.frequency": _labelled("frequency-"),
    "ElectronicMarketing.audience": _labelled("audience-"),
    "ElectronicMarketing.ground": _labelled("marketing-ground-"),
}


def choice_label(vocabulary: str | None, value: str, language: str) -> str:
    """The words for ``value`` of ``vocabulary`` in ``language`` (nl or en), starting with a capital; the
    value itself when the vocabulary does not know it (a value the register has but the field does not
    allow is shown as written, so the officer sees what to correct)."""
    words = VOCABULARIES.get(vocabulary or "")
    if words is None:
        return value
    try:
        text = words(value, language)
    except (KeyError, ValueError):
        return value
    return text[:1].upper() + text[1:]
