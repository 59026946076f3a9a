"""Which widget fits which register field, derived from the pydantic records and their descriptions.

:func:`field_specs` walks a record's fields and returns one :class:`FieldSpec` each: the kind of input
(``choice`` for enums and Literals, ``ref``/``refs`` for ids of roles, parties, systems and catalogue
entries, ``date``, ``bool``, ``int``, ``text`` for an nl/en pair, ``line``/``long`` for plain text, and
``yaml`` for nested structures edited as a small YAML block), the choices, and the description as help.

>>> from dpia_lib.records import Activity
>>> specs = {s.name: s for s in field_specs(Activity)}
>>> specs["dossier"].kind, specs["dossier"].source
('ref', 'dossiers')
>>> specs["categories"].kind, specs["categories"].source, specs["last_review"].kind
('refs', 'categories', 'date')
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from dpia_lib.records import Text

__all__ = ["REFERENCES", "FieldSpec", "field_specs"]

#: Where the ids of a reference field come from, by field name (None: not a reference).
REFERENCES: dict[str, str] = {
    "owner": "roles",
    "access": "roles",
    "systems": "systems",
    "measures": "measures",
    "categories": "categories",
    "data_subjects": "data_subjects",
    "controllers": "parties",
    "supplier": "parties",
    "kind": "party_kinds",
    "dossier": "dossiers",
    "channel": "channels",
}

#: Fields edited elsewhere in the app (flows have their own panel; ids are fixed once created).
_SKIPPED = {"flows"}


@dataclass(frozen=True)
class FieldSpec:
    """How to edit one field of a record."""

    name: str  # the YAML key (alias where the record uses one)
    kind: str
    help: str
    required: bool
    choices: tuple[str, ...] = ()
    source: str | None = None  # for ref/refs: roles, parties, systems, measures, categories, data_subjects


def _unwrap(tp: Any) -> tuple[Any, bool]:
    """The annotation without ``Optional``/``Annotated``, and whether None is allowed."""
    optional = False
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(tp))
            if len(args) != 1:
                return tp, optional
            tp = args[0]
        else:
            return tp, optional


def _choices(tp: Any) -> tuple[str, ...] | None:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tuple(str(m.value) for m in tp)
    if typing.get_origin(tp) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(tp))
    return None


def _max_length(info: FieldInfo, tp: Any) -> int | None:
    for meta in [*info.metadata, *getattr(tp, "__metadata__", ())]:
        value = getattr(meta, "max_length", None)
        if isinstance(value, int):
            return value
    return None


def _spec(name: str, info: FieldInfo) -> FieldSpec:
    key = info.alias or name
    help_text = info.description or ""
    required = info.is_required()
    tp, _ = _unwrap(info.annotation)
    choices = _choices(tp)
    if choices is not None:
        return FieldSpec(key, "choice", help_text, required, choices)
    if tp is bool:
        return FieldSpec(key, "bool", help_text, required)
    if tp is int:
        return FieldSpec(key, "int", help_text, required)
    if tp is dt.date:
        return FieldSpec(key, "date", help_text, required)
    if tp is Text:
        return FieldSpec(key, "text", help_text, required)
    source = REFERENCES.get(key)
    if typing.get_origin(tp) is tuple:
        item, _ = _unwrap(typing.get_args(tp)[0])
        if item is str and source:
            return FieldSpec(key, "refs", help_text, required, source=source)
        return FieldSpec(key, "yaml", help_text, required)
    if tp is str:
        if source:
            return FieldSpec(key, "ref", help_text, required, source=source)
        raw = info.annotation
        limit = _max_length(info, _unwrap_annotated(raw))
        return FieldSpec(key, "long" if (limit or 0) > 2000 else "line", help_text, required)
    return FieldSpec(key, "yaml", help_text, required)


def _unwrap_annotated(tp: Any) -> Any:
    for arg in typing.get_args(tp) or (tp,):
        if typing.get_origin(arg) is typing.Annotated:
            return arg
    return tp


def field_specs(model: type[BaseModel]) -> list[FieldSpec]:
    """One :class:`FieldSpec` per field of ``model`` in declaration order (flows excluded).

    >>> from dpia_lib.records import Party
    >>> [s.kind for s in field_specs(Party)][:5]
    ['line', 'text', 'ref', 'choice', 'line']
    """
    return [_spec(name, info) for name, info in model.model_fields.items() if (info.alias or name) not in _SKIPPED]
