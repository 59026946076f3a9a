"""One predicate per legal notion, shared by screening, rules, risk scoring and reports.

Each predicate answers one legal question about the register and says which facts made it so, so that
screening, the rule engine, risk scoring and the reports can never disagree:

- :func:`special_categories`: special-category data of an activity (GDPR art. 9(1)), including data
  that reveals health only indirectly because of whom it is about (CJEU C-184/20, OT v Vyriausioji,
  para. 117-128; C-101/01, Lindqvist, para. 50: the mere fact of sickness is health data);
- :func:`national_identifiers`: numbers prescribed by law to identify a person (UAVG art. 46);
- :func:`medical_secrecy_categories`: categories under medical secrecy (BW 7:457; Wet BIG art. 88);
- :func:`vulnerable_subjects`: vulnerable data subjects, children included (WP248 rev.01, criterion 7;
  GDPR recital 75);
- :func:`large_scale_facts`: large-scale processing, by the thresholds of ``data/thresholds.yaml``
  (GDPR art. 35(3)(b), art. 37(1)(c); WP243 rev.01 section 2.1.3); a sector the source names as an
  example is shown as context, never decisive by itself;
- :func:`dpo_required`: whether the core activities need a DPO (GDPR art. 37(1)(c)), from the same
  large-scale predicate;
- :func:`is_employer`, :func:`is_data_subject_party`, :func:`is_our_processor`: what a party is;
- :func:`acts_as_processor`: whether an activity is done on a controller's behalf (GDPR art. 28, 30(2));
- :func:`medically_qualified`: whether a role may handle medical-secrecy data (NVAB guidance on
  information to reintegration companies; UAVG art. 30(4));
- :func:`rights_for`: the data-subject rights that apply to an activity, per lawful basis;
  :func:`rights_that_reach` leaves out those whose exception covers all its bases (art. 17(3)(b)).

>>> from dpia_lib import load_register
>>> register = load_register()
>>> special_categories(register, register.activities["special-file"])[:2]
['functional-limitations', 'labour-expert-report']
>>> [r.id for r in rights_for(register.activities["newsletter"])]
['access', 'rectification', 'erasure', 'restriction', 'portability', 'withdraw-consent']
"""

from __future__ import annotations

from dataclasses import dataclass

from dpia_lib.facts import Fact, sector, volume
from dpia_lib.law import LegalBasis, ProcessingRole
from dpia_lib.records import Activity, Party, Role, Text
from dpia_lib.register import Register

__all__ = [
    "Right",
    "acts_as_processor",
    "dpo_required",
    "inferred_special",
    "is_data_subject_party",
    "is_employer",
    "is_our_processor",
    "large_scale_facts",
    "medical_secrecy_categories",
    "medically_qualified",
    "national_identifiers",
    "rights_for",
    "rights_that_reach",
    "special_categories",
    "vulnerable_subjects",
]


def special_categories(register: Register, activity: Activity, kinds: tuple[str, ...] | None = None) -> list[str]:
    """The activity's categories that are special (GDPR art. 9(1)), optionally of the given kinds.

    With no kinds given, data that reveals a special category by whom it concerns (see
    :func:`inferred_special`) makes the list non-empty too: its categories are listed after the others.
    """
    cats = register.catalogue.categories
    out = [c for c in activity.categories
           if c in cats and cats[c].special is not None and (kinds is None or cats[c].special in kinds)]
    for kind in inferred_special(register, activity):
        if kinds is None or kind in kinds:
            out += [c for c in activity.categories if c not in out]
            break
    return out


def inferred_special(register: Register, activity: Activity) -> dict[str, list[str]]:
    """Special kinds revealed by the data subjects the activity is about, e.g. ``{'health': ['employees-sick']}``.

    Data about a group whose membership reveals health (sick employees) is health data, whatever the
    category (CJEU C-184/20, para. 117-128; C-101/01, para. 50).
    """
    subjects = register.catalogue.data_subjects
    found: dict[str, list[str]] = {}
    for s in activity.data_subjects:
        entry = subjects.get(s)
        if entry is not None and entry.reveals is not None:
            found.setdefault(entry.reveals, []).append(s)
    return found


def national_identifiers(register: Register, activity: Activity) -> list[str]:
    """The activity's categories that are national identifiers (UAVG art. 46)."""
    cats = register.catalogue.categories
    return [c for c in activity.categories if c in cats and cats[c].identifier]


def medical_secrecy_categories(register: Register, categories: tuple[str, ...] | list[str]) -> list[str]:
    """Those of ``categories`` under medical secrecy (BW 7:457; Wet BIG art. 88)."""
    cats = register.catalogue.categories
    return [c for c in categories if c in cats and cats[c].medical_secrecy]


def vulnerable_subjects(register: Register, activity: Activity) -> list[str]:
    """The activity's data-subject categories that are vulnerable or children (WP248 rev.01, criterion 7)."""
    subjects = register.catalogue.data_subjects
    return [s for s in activity.data_subjects if s in subjects and (subjects[s].vulnerable or subjects[s].children)]


def large_scale_facts(register: Register, activity: Activity, sectors: tuple[str, ...] = ()) -> list[Fact]:
    """Why ``activity`` is large-scale: the threshold of ``data/thresholds.yaml`` reached; [] if it is not.

    The threshold for special data applies when the activity holds special categories or identifiers. A
    sector in ``sectors`` (those the source names as examples) is added as context only when the
    threshold is reached: naming a sector does not make a small organisation's processing large-scale
    (GDPR recital 91; WP243 rev.01 section 2.1.3).
    """
    cat = register.catalogue
    sensitive = bool(special_categories(register, activity) or national_identifiers(register, activity))
    threshold = cat.threshold("special" if sensitive else "ordinary")
    if threshold is None or activity.data_subjects_per_year < threshold.data_subjects_per_year:
        return []
    facts = [volume(activity.data_subjects_per_year, threshold.id, threshold.data_subjects_per_year)]
    if register.organisation.sector in sectors:
        facts.append(sector(register.organisation.sector))
    return facts


def dpo_required(register: Register) -> tuple[bool, list[str]]:
    """Whether a DPO is mandatory under GDPR art. 37(1)(c), and the activities that make it so.

    Core activities consisting of large-scale processing of special categories: the same large-scale
    predicate as screening. (Art. 37(1)(a), public bodies, and (b), large-scale monitoring, are not
    derived here.)
    """
    why = [f"{aid}: {'; '.join(f.text for f in facts)}" for aid, act in sorted(register.activities.items())
           if special_categories(register, act) and (facts := large_scale_facts(register, act))]
    return bool(why), why


def is_employer(party: Party | None) -> bool:
    """Whether ``party`` is an employer (a client organisation employing the data subjects)."""
    return party is not None and party.kind == "employer"


def is_data_subject_party(party: Party | None) -> bool:
    """Whether ``party`` stands for the data subjects themselves."""
    return party is not None and party.kind == "data-subject"


def is_our_processor(party: Party | None) -> bool:
    """Whether ``party`` processes data on our behalf (GDPR art. 28): our duty to bind it to secrecy."""
    from dpia_lib.law import PartyRole

    return party is not None and party.role == PartyRole.PROCESSOR


def acts_as_processor(activity: Activity) -> bool:
    """Whether we perform ``activity`` on a controller's behalf (GDPR art. 28, 30(2)): the lawful basis,
    the art. 9 condition, informing data subjects and the DPIA are then the controller's duties, which we
    assist with (art. 28(3)(e)-(f))."""
    return activity.role == ProcessingRole.PROCESSOR


def medically_qualified(role: Role | None) -> bool:
    """Whether ``role`` may see data under medical secrecy: medically trained (NVAB guidance on
    information to reintegration companies: health data handled by a medically trained person)."""
    return role is not None and role.medically_trained


@dataclass(frozen=True, slots=True)
class Right:
    """A data-subject right that applies to an activity, with its article and why it applies."""

    id: str
    label: Text
    citation: str
    bases: tuple[LegalBasis, ...]  # the purposes' bases that give rise to it (empty: any basis)
    #: the purposes' bases whose processing the right does not reach, and the article that says so
    #: (erasure: processing necessary for a legal obligation or a public task, GDPR art. 17(3)(b))
    not_reached: tuple[LegalBasis, ...] = ()
    exception: str = ""


_RIGHTS: tuple[tuple[str, Text, str, tuple[LegalBasis, ...] | None], ...] = (
    ("access", Text(nl="Inzage", en="Access"), "GDPR art. 15", None),
    ("rectification", Text(nl="Rectificatie", en="Rectification"), "GDPR art. 16", None),
    ("erasure", Text(nl="Wissing", en="Erasure"), "GDPR art. 17", None),
    ("restriction", Text(nl="Beperking", en="Restriction"), "GDPR art. 18", None),
    ("portability", Text(nl="Overdraagbaarheid", en="Portability"), "GDPR art. 20(1)",
     (LegalBasis.CONSENT, LegalBasis.CONTRACT)),
    ("objection", Text(nl="Bezwaar", en="Objection"), "GDPR art. 21(1)",
     (LegalBasis.PUBLIC_TASK, LegalBasis.LEGITIMATE_INTERESTS)),
    ("withdraw-consent", Text(nl="Toestemming intrekken", en="Withdraw consent"), "GDPR art. 7(3)",
     (LegalBasis.CONSENT,)),
)


#: Rights with an exception for processing on some bases: (right, the bases it does not reach, article).
_EXCEPTIONS: dict[str, tuple[tuple[LegalBasis, ...], str]] = {
    "erasure": ((LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK), "GDPR art. 17(3)(b)"),
}


def rights_for(activity: Activity) -> tuple[Right, ...]:
    """The data-subject rights that apply to ``activity``, each with its article.

    Access, rectification, erasure and restriction apply whatever the basis (their own exceptions aside:
    erasure records in ``not_reached`` the bases of art. 17(3)(b)); portability only to processing based
    on consent or contract (GDPR art. 20(1)(a)); objection only to processing based on art. 6(1)(e) or (f)
    (art. 21(1)); withdrawal only of consent (art. 7(3)). An activity done as processor has the
    controller's rights: it lists those of the recorded bases.
    """
    bases = [b for b in dict.fromkeys(p.basis for p in activity.purposes) if b is not None]
    out = []
    for rid, label, cite, needs in _RIGHTS:
        excluded, exception = _EXCEPTIONS.get(rid, ((), ""))
        not_reached = tuple(b for b in bases if b in excluded)
        if needs is None:
            out.append(Right(rid, label, cite, (), not_reached, exception if not_reached else ""))
        elif hits := tuple(b for b in needs if b in bases):
            out.append(Right(rid, label, cite, hits, not_reached, exception if not_reached else ""))
    return tuple(out)


def rights_that_reach(activity: Activity) -> tuple[Right, ...]:
    """The rights of :func:`rights_for` less those whose exception covers every basis of ``activity``:
    erasure does not reach an activity whose purposes all rest on a legal obligation or a public task
    (GDPR art. 17(3)(b)).

    >>> from dpia_lib import load_register
    >>> register = load_register()
    >>> [r.id for r in rights_that_reach(register.activities["data-subject-requests"])]
    ['access', 'rectification', 'restriction']
    """
    bases = {p.basis for p in activity.purposes if p.basis is not None}
    return tuple(r for r in rights_for(activity) if not (bases and bases <= set(r.not_reached)))
