"""Which widget fits which register field, derived from the pydantic records, so a field added to a
record appears in the editor without editor code.

:func:`field_specs` walks a record's fields and returns one :class:`FieldSpec` each: the kind of input
(``choice`` for enums and Literals, ``ref``/``refs`` for ids of roles, parties, systems and catalogue
entries, ``date``, ``bool``, ``int``, ``text`` for an nl/en pair, ``line``/``long`` for plain text,
``strings`` for a free list of words, ``model`` for a nested record, ``models`` for a list of records,
``mapping`` for records keyed by an id such as retention per category, and ``yaml`` only for a shape
none of these fits), the choices, the description as help, and the nested fields.

>>> from dpia_lib.records import Activity
>>> specs = {s.name: s for s in field_specs(Activity)}
>>> specs["dossier"].kind, specs["dossier"].source
('ref', 'dossiers')
>>> specs["categories"].kind, specs["categories"].source, specs["last_review"].kind
('refs', 'categories', 'date')
>>> specs["purposes"].kind, [c.name for c in specs["purposes"].children][:3]
('models', ['id', 'description', 'basis'])
>>> specs["retention"].kind, specs["retention"].key_source
('mapping', 'categories')
>>> specs["flows"].kind, {c.name: c.source for c in specs["flows"].children}["from"]
('models', 'nodes')
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from dpia_lib.annotations import unwrap
from dpia_lib.law import Art9Condition, DutchException
from dpia_lib.records import Activity, DpiaRecord, Organisation, Party, Role, System, Text

__all__ = ["ART9_PAIRS", "MODELS", "REFERENCES", "SECTIONS", "FieldSpec", "exceptions_for", "field_specs",
           "section_of"]

#: Where the ids of a reference field come from, by field name (None: not a reference). ``nodes`` are
#: parties and activities (the ends of a flow).
REFERENCES: dict[str, str] = {
    "owner": "roles",
    "access": "roles",
    "by": "roles",
    "privacy_officer_role": "roles",
    "systems": "systems",
    "measures": "measures",
    "measure": "measures",
    "categories": "categories",
    "data_subjects": "data_subjects",
    "controllers": "parties",
    "supplier": "parties",
    "party": "parties",
    "from": "nodes",
    "to": "nodes",
    "activity": "activities",
    "event": "risks",
    "kind": "party_kinds",
    "dossier": "dossiers",
    "channel": "channels",
}
#: Reference fields whose name means something else in some records (a party's ``role`` is a choice).
_ROLE_REFERENCE_MODELS = {"Signatory"}
#: Records whose ``from`` names a party or activity; elsewhere (a retention period's ``from``) it is the
#: event a period runs from, in the officer's words.
_NODE_REFERENCE_MODELS = {"Flow"}

#: The record model of each kind of record.
MODELS: dict[str, type[BaseModel]] = {
    "organisation": Organisation, "activity": Activity, "party": Party, "system": System, "role": Role,
    "dpia": DpiaRecord,
}

#: The tabs of an activity and the fields each holds; a field not named here goes to the last tab, so new
#: fields still appear.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("description", ("id", "name", "description", "owner", "role", "controllers", "last_review", "note")),
    ("lawfulness", ("purposes", "special_categories_basis", "electronic_marketing", "information")),
    ("data-subjects", ("data_subjects", "categories", "data_subjects_per_year", "dossier", "profiling",
                       "automated_decisions", "systematic_monitoring", "monitors_public_area",
                       "innovative_technology", "blocks_service", "anonymised_output")),
    ("flows", ("flows", "transfers")),
    ("security", ("systems", "access", "measures")),
    ("retention", ("retention",)),
    ("dpia", ("dpia", "screening_override")),
)

#: Which UAVG exception goes with which condition of GDPR art. 9(2): the UAVG opens each exception with
#: the art. 9(2) point it relies on (UAVG art. 22(2)(a)-(d) on art. 9(2)(a), (e), (f), (g); art. 24 on
#: (j); art. 30(1) and (2) on (b); art. 30(3) on (h)). Pairing of the paragraphs of art. 30 is the
#: organisation's own analysis of that text.
ART9_PAIRS: dict[Art9Condition, tuple[DutchException, ...]] = {
    Art9Condition.EXPLICIT_CONSENT: (DutchException.UAVG_22_2_A,),
    Art9Condition.MADE_PUBLIC: (DutchException.UAVG_22_2_B,),
    Art9Condition.LEGAL_CLAIMS: (DutchException.UAVG_22_2_C,),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: (DutchException.UAVG_22_2_D,),
    Art9Condition.ARCHIVING_RESEARCH: (DutchException.UAVG_24,),
    Art9Condition.EMPLOYMENT_SOCIAL_SECURITY: (DutchException.UAVG_30_1_A, DutchException.UAVG_30_1_B,
                                               DutchException.UAVG_30_2),
    Art9Condition.HEALTH_OR_SOCIAL_CARE: (DutchException.UAVG_30_3, DutchException.UAVG_30_3_B),
}


def exceptions_for(condition: str | None) -> tuple[str, ...]:
    """The UAVG exceptions that go with an art. 9(2) condition (all of them when none is chosen).

    >>> exceptions_for("legal-claims")
    ('uavg-22-2-c',)
    >>> exceptions_for("vital-interests")
    ()
    """
    if condition is None:
        return tuple(e.value for e in DutchException)
    try:
        return tuple(e.value for e in ART9_PAIRS.get(Art9Condition(condition), ()))
    except ValueError:
        return ()


def section_of(name: str) -> str:
    """The tab of an activity field (``'other'`` for a field no tab names)."""
    for section, names in SECTIONS:
        if name in names:
            return section
    return "other"


@dataclass(frozen=True)
class FieldSpec:
    """How to edit one field of a record."""

    name: str  # the YAML key (alias where the record uses one)
    kind: str
    help: str
    required: bool
    choices: tuple[str, ...] = ()
    source: str | None = None  # for ref/refs: roles, parties, systems, nodes, measures, categories, ...
    children: tuple[FieldSpec, ...] = ()  # for model, models and mapping: the fields of one entry
    key_source: str | None = None  # for mapping: where the keys come from
    model: str | None = None  # for model, models and mapping: the record class's name
    #: for choice: whose words name the values, the enum (``'LegalBasis'``) or, for a Literal, the record
    #: class that declares the field and the field (``'Flow.frequency'``); see :mod:`dpia_lib.editing.choices`
    vocabulary: str | None = None


def _choices(tp: Any) -> tuple[str, ...] | None:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tuple(str(m.value) for m in tp)
    if typing.get_origin(tp) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(tp))
    return None


def _max_length(info: FieldInfo) -> int | None:
    stack = [info.annotation, *info.metadata]
    while stack:
        item = stack.pop()
        value = getattr(item, "max_length", None)
        if isinstance(value, int):
            return value
        stack += list(getattr(item, "__metadata__", ()))
        stack += [a for a in typing.get_args(item) if a is not type(None)]
    return None


def _vocabulary(tp: Any, model: type[BaseModel], name: str) -> str:
    """The enum's name, or ``Declaring.field`` for a Literal (an inherited field names the class declaring it).

    >>> from dpia_lib.records import Retention
    >>> _vocabulary(str, Retention, "basis")
    'Sourced.basis'
    """
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp.__name__
    declaring = next((c for c in model.__mro__ if name in vars(c).get("__annotations__", {})), model)
    return f"{declaring.__name__}.{name}"


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _spec(name: str, info: FieldInfo, model: type[BaseModel], depth: int) -> FieldSpec:
    owner = model.__name__
    key = info.alias or name
    help_text = info.description or ""
    required = info.is_required()
    tp, _ = unwrap(info.annotation)
    choices = _choices(tp)
    if choices is not None:
        return FieldSpec(key, "choice", help_text, required, choices, vocabulary=_vocabulary(tp, model, name))
    if tp is bool:
        return FieldSpec(key, "bool", help_text, required)
    if tp is int:
        return FieldSpec(key, "int", help_text, required)
    if tp is dt.date:
        return FieldSpec(key, "date", help_text, required)
    if tp is Text:
        return FieldSpec(key, "text", help_text, required)
    source = REFERENCES.get(key)
    if key == "role" and owner in _ROLE_REFERENCE_MODELS:
        source = "roles"
    if key == "from" and owner not in _NODE_REFERENCE_MODELS:
        source = None
    if _is_model(tp) and depth < 4:
        return FieldSpec(key, "model", help_text, required, children=_children(tp, depth + 1), model=tp.__name__)
    origin = typing.get_origin(tp)
    if origin is tuple:
        item, _ = unwrap(typing.get_args(tp)[0])
        if item is str:
            return FieldSpec(key, "refs" if source else "strings", help_text, required, source=source)
        if _is_model(item) and depth < 4:
            return FieldSpec(key, "models", help_text, required, children=_children(item, depth + 1),
                             model=item.__name__)
        return FieldSpec(key, "yaml", help_text, required)
    if origin is dict:
        value, _ = unwrap(typing.get_args(tp)[1])
        if _is_model(value) and depth < 4:
            return FieldSpec(key, "mapping", help_text, required, children=_children(value, depth + 1),
                             key_source="categories" if key == "retention" else None, model=value.__name__)
        return FieldSpec(key, "yaml", help_text, required)
    if tp is str:
        if source:
            return FieldSpec(key, "ref", help_text, required, source=source)
        return FieldSpec(key, "long" if (_max_length(info) or 0) > 2000 else "line", help_text, required)
    return FieldSpec(key, "yaml", help_text, required)


def _children(model: type[BaseModel], depth: int) -> tuple[FieldSpec, ...]:
    return tuple(_spec(name, info, model, depth) for name, info in model.model_fields.items())


def field_specs(model: type[BaseModel]) -> list[FieldSpec]:
    """One :class:`FieldSpec` per field of ``model`` in declaration order.

    >>> from dpia_lib.records import Party
    >>> [s.kind for s in field_specs(Party)]
    ['line', 'text', 'ref', 'choice', 'line', 'model', 'choice', 'long', 'models']
    """
    return list(_children(model, 0))
