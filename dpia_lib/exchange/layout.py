"""The layout of the register workbook: which sheets it has, which columns each holds, and which columns
``dpia import xlsx`` reads back (editable) or ignores (derived from other cells or the register).

Export (:mod:`dpia_lib.exchange.xlsx`) and import (:mod:`dpia_lib.exchange.xlsx_import`) both follow
these tables, so a column cannot be written without being read or the other way round.

>>> [c.key for c in SHEETS["parties"]][:3]
['id', 'name-nl', 'name-en']
>>> column_index("art30-1", "dpia-status") > column_index("art30-1", "id")
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIVITY_COVERED",
    "FLAG_FIELDS",
    "MACHINE_SHEET",
    "ORGANISATION_FIELDS",
    "PURPOSE_COVERED",
    "SHEETS",
    "SHEET_ORDER",
    "Column",
    "column_index",
]


@dataclass(frozen=True)
class Column:
    """One column: its key (a heading in ``data/exchange_labels.yaml``), width and whether import reads it."""

    key: str
    width: int = 18
    editable: bool = True


def _c(key: str, width: int = 18) -> Column:
    return Column(key, width, True)


def _d(key: str, width: int = 30) -> Column:
    return Column(key, width, False)


_FLAGS = ("profiling", "evaluation", "automated-decisions", "systematic-monitoring", "monitors-public-area",
          "innovative-technology", "blocks-service", "anonymised-output")

_ACTIVITY_HEAD = (_c("id", 26), _c("name-nl", 32), _c("name-en", 32), _c("description-nl", 40),
                  _c("description-en", 40))
_ACTIVITY_BODY = (
    _c("owner", 24), _d("purposes", 48), _d("bases", 36), _c("data-subjects", 36), _c("categories", 40),
    _c("art9-condition", 24), _c("uavg-exception", 18), _c("art9-note", 36), _d("bsn-basis", 36),
    _d("sources", 36), _d("recipients", 36), _c("transfers", 30), _d("retention", 44), _c("measures", 40),
    _c("systems", 30), _c("access", 30), _c("dossier", 14), _c("volume", 12),
    *(_c(flag, 12) for flag in _FLAGS),
    _c("info-how-nl", 36), _c("info-how-en", 36), _c("info-when", 26),
    _d("dpia-verdict", 16), _c("dpia-status", 14), _c("dpia-date", 12), _c("next-review", 12),
    _c("last-review", 12),
)

#: Sheets by key, each a tuple of columns in order.
SHEETS: dict[str, tuple[Column, ...]] = {
    "art30-1": (*_ACTIVITY_HEAD, _c("role", 16), _d("controller", 36), *_ACTIVITY_BODY),
    "art30-2": (*_ACTIVITY_HEAD, _c("controllers", 36), _c("agreement-signed", 14), _c("agreement-expires", 14),
                *_ACTIVITY_BODY),
    "purposes": (_c("activity", 36), _c("purpose-id", 26), _c("description-nl", 44), _c("description-en", 44),
                 _c("basis", 22), _d("basis-article", 18), _c("basis-source", 44)),
    "retention": (_d("months", 9), _c("activity", 36), _c("category", 36), _c("period", 12), _c("from", 30),
                  _c("citation", 36), _c("source-basis", 14), _c("note", 36), _d("special", 12)),
    "parties": (_c("id", 28), _c("name-nl", 36), _c("name-en", 36), _c("kind", 24), _c("party-role", 20),
                _c("country", 9), _c("dpa-signed", 14), _c("dpa-expires", 14), _c("confidentiality", 14),
                _c("note", 44)),
    "systems": (_c("id", 26), _c("name-nl", 40), _c("name-en", 40), _c("supplier", 34), _c("hosting-country", 10)),
    "flows": (_c("activity", 34), _c("flow-id", 26), _c("flow-from", 34), _c("flow-to", 34), _c("categories", 40),
              _c("channel", 18), _c("ground-basis", 20), _c("ground-source", 34), _c("frequency", 14),
              _c("note", 30)),
    "processors": (_d("processor", 36), _d("country", 9), _d("dpa-signed", 14), _d("dpa-expires", 16),
                   _d("supplies", 36), _d("used-by", 44)),
    "organisation": (_c("field", 26), _c("value", 70)),
    "roles": (_c("id", 26), _c("name-nl", 36), _c("name-en", 36), _c("confidentiality", 14),
              _c("medically-trained", 12)),
}

#: Order of the visible sheets after the read-me sheet.
SHEET_ORDER: tuple[str, ...] = ("art30-1", "art30-2", "purposes", "retention", "parties", "systems", "flows",
                                "processors", "organisation", "roles")

#: The hidden sheet holding, per record, the fields that have no column (JSON).
MACHINE_SHEET = "_machine"

#: Activity fields the visible sheets hold; every other field goes to the machine sheet.
ACTIVITY_COVERED: frozenset[str] = frozenset({
    "id", "name", "description", "role", "controllers", "agreement", "owner", "purposes", "data_subjects", "categories",
    "special_categories_basis", "retention", "dossier", "systems", "access", "measures", "transfers",
    "data_subjects_per_year", "profiling", "evaluation", "automated_decisions", "systematic_monitoring",
    "monitors_public_area", "innovative_technology", "blocks_service", "anonymised_output", "information",
    "dpia", "last_review", "flows",
})
#: Purpose fields the purposes sheet holds (a balancing test goes to the machine sheet).
PURPOSE_COVERED: frozenset[str] = frozenset({"id", "description", "basis", "basis_source"})
#: Scalar organisation fields, one row each on the organisation sheet.
ORGANISATION_FIELDS: tuple[str, ...] = ("name", "legal_form", "sector", "address", "contact", "representative",
                                        "dpo_appointed", "dpo_contact", "dpo_reason", "privacy_officer_role")
FLAG_FIELDS: dict[str, str] = {flag: flag.replace("-", "_") for flag in _FLAGS}


def column_index(sheet: str, key: str) -> int:
    """1-based column number of ``key`` on ``sheet``."""
    for i, column in enumerate(SHEETS[sheet], start=1):
        if column.key == key:
            return i
    raise KeyError(f"{sheet!r} has no column {key!r}")
