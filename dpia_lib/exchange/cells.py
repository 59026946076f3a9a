"""How register values are written into and read back from workbook cells, and the sheet labels.

A reference is written ``Name [id]`` (one per line) so an auditor reads the name and the import reads the
id; typing the bare id is enough. Yes/no cells accept ``ja``/``nee``/``yes``/``no``/``true``/``false``.

>>> ref_cell("Arbodienst", "occupational-health-service")
'Arbodienst [occupational-health-service]'
>>> parse_refs("Arbodienst [occupational-health-service]\\nuwv")
['occupational-health-service', 'uwv']
>>> parse_bool("Ja")
True
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from dpia_lib.records import Record, Text

__all__ = [
    "CellError",
    "ExchangeLabels",
    "load_exchange_labels",
    "parse_bool",
    "parse_date",
    "parse_int",
    "parse_refs",
    "parse_text",
    "ref_cell",
]

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_REF = re.compile(r"\[([^\[\]]+)\]\s*$")
_LABELS = Path(__file__).resolve().parent.parent.parent / "data" / "exchange_labels.yaml"


class CellError(ValueError):
    """A cell value that cannot be read; ``code`` is a problem code of :mod:`dpia_lib.diagnostics`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ExchangeLabels(Record):
    """Sheet names, column headings, words and the read-me text of the workbook, in nl and en."""

    sheets: dict[str, Text] = Field(description="Sheet names by key")
    columns: dict[str, Text] = Field(description="Column headings by key")
    words: dict[str, Text] = Field(description="Single words (yes, no)")
    readme: tuple[Text, ...] = Field(description="Paragraphs of the read-me sheet")


@cache
def load_exchange_labels(path: Path = _LABELS) -> ExchangeLabels:
    """The workbook labels from ``data/exchange_labels.yaml``."""
    with path.open(encoding="utf-8") as fh:
        return ExchangeLabels.model_validate(yaml.safe_load(fh))


def ref_cell(name: str, ident: str) -> str:
    """A reference as ``Name [id]``."""
    return f"{name} [{ident}]"


def parse_text(value: Any) -> str | None:
    """A text cell: stripped, ``None`` when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_refs(value: Any) -> list[str]:
    """The ids in a reference cell: one per line (or separated by ``;``), ``Name [id]`` or ``id``."""
    text = parse_text(value)
    if text is None:
        return []
    out = []
    for part in re.split(r"[\n;]", text):
        part = part.strip().rstrip(",").strip()
        if not part:
            continue
        m = _REF.search(part)
        ident = m.group(1).strip() if m else part
        if not _ID.match(ident):
            raise CellError("bad-value", f"{part!r} is not an id nor 'Name [id]'")
        out.append(ident)
    return out


def parse_ref(value: Any) -> str | None:
    """One reference (``Name [id]`` or ``id``), or ``None`` when empty."""
    ids = parse_refs(value)
    if len(ids) > 1:
        raise CellError("bad-value", "expected one reference, found several")
    return ids[0] if ids else None


_TRUE = {"ja", "yes", "true", "1", "waar", "j", "y"}
_FALSE = {"nee", "no", "false", "0", "onwaar", "n"}


def parse_bool(value: Any) -> bool | None:
    """A yes/no cell; ``None`` when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError("bad-value", f"{value!r} is not yes/no (ja/nee)")


def parse_int(value: Any) -> int | None:
    """A whole number cell; ``None`` when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("bad-value", f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(".", "").replace(",", "") if isinstance(value, str) else ""
    if text.isdigit():
        return int(text)
    raise CellError("bad-value", f"{value!r} is not a whole number")


def parse_date(value: Any) -> str | None:
    """A date cell as ISO text; ``None`` when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise CellError("bad-value", f"{value!r} is not a date (yyyy-mm-dd)") from None
