"""Reading a register workbook (as ``dpia export xlsx`` writes it, or edited by hand) back into a register
directory of YAML files.

Sheets and columns are found by their Dutch or English names, so columns may be moved. Only editable
columns (blue headings) are read; derived ones (grey) are ignored. Every cell is checked twice: first its
form (a date, a yes/no, an id or ``Name [id]``), then the register built from all cells goes through the
same loader and validation as ``dpia validate``, and each problem is traced back to its cell. Problems are
reported as ``FILE:sheet!cell: code field: message``. The register is written into a temporary directory
beside the target and renamed into place only when the whole workbook is valid: a refused import writes
nothing.

>>> WorkbookProblem("bad-value", "r.xlsx", "Parties", "D5", "parties[3].kind", "not a kind").format()
'r.xlsx:Parties!D5: bad-value parties[3].kind: not a kind'
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from openpyxl.utils import get_column_letter

from dpia_lib.diagnostics import printable
from dpia_lib.errors import DpiaError
from dpia_lib.exchange.cells import (
    CellError,
    load_exchange_labels,
    parse_bool,
    parse_date,
    parse_int,
    parse_ref,
    parse_refs,
    parse_text,
)
from dpia_lib.exchange.layout import FLAG_FIELDS, MACHINE_SHEET, ORGANISATION_FIELDS, SHEETS
from dpia_lib.validation import validate_register
from dpia_lib.yamlio import format_loc

__all__ = ["ImportResult", "WorkbookError", "WorkbookProblem", "import_workbook"]

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: libyaml's emitter where available: the pure-Python one takes most of an import's time.
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class WorkbookProblem:
    """A problem in one cell of a workbook."""

    code: str
    file: str
    sheet: str
    cell: str
    field: str
    message: str

    def format(self) -> str:
        r"""``FILE:sheet!cell: code field: message``, control characters escaped as in every problem line.

        >>> WorkbookProblem("bad-value", "r.xlsx", "Parties", "B2", "name", "got '[2J'").format()
        "r.xlsx:Parties!B2: bad-value name: got '\\x1b[2J'"
        """
        where = f" {printable(self.field)}" if self.field else ""
        return (f"{printable(self.file)}:{printable(self.sheet)}!{self.cell}: {self.code}{where}: "
                f"{printable(self.message)}")

    def as_dict(self) -> dict[str, str]:
        """JSON-ready mapping."""
        return {"code": self.code, "file": self.file, "sheet": self.sheet, "cell": self.cell,
                "field": self.field, "message": self.message}


class WorkbookError(DpiaError):
    """The workbook cannot be imported; :attr:`problems` lists every problem. Nothing was written."""

    def __init__(self, problems: list[WorkbookProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems) or "invalid workbook")


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    directory: Path
    activities: int
    parties: int
    systems: int
    dpias: int
    notes: tuple[str, ...] = ()


@dataclass
class _Cell:
    sheet: str
    ref: str


@dataclass
class _State:
    file: str
    problems: list[WorkbookProblem] = field(default_factory=list)
    #: (file relative to the register, field path) -> cell
    cells: dict[tuple[str, str], _Cell] = field(default_factory=dict)

    def problem(self, code: str, cell: _Cell, loc: Loc | str, message: str) -> None:
        where = loc if isinstance(loc, str) else format_loc(loc)
        self.problems.append(WorkbookProblem(code, self.file, cell.sheet, cell.ref, where, message))

    def mark(self, rel: str, loc: Loc, cell: _Cell) -> None:
        self.cells.setdefault((rel, format_loc(loc)), cell)


class _Row:
    """One sheet row with cells by column key."""

    def __init__(self, sheet: str, number: int, values: dict[str, Any], letters: dict[str, str]) -> None:
        self.sheet, self.number, self.values, self.letters = sheet, number, values, letters

    def cell(self, key: str) -> _Cell:
        return _Cell(self.sheet, f"{self.letters.get(key, 'A')}{self.number}")

    def get(self, key: str) -> Any:
        return self.values.get(key)


def _sheet_keys(wb: Any) -> dict[str, Any]:
    labels = load_exchange_labels()
    by_name = {text.lower(): key for key, t in labels.sheets.items() for text in (t.nl, t.en)}
    found: dict[str, Any] = {}
    for ws in wb.worksheets:
        ws.reset_dimensions()  # a hand-edited file may state wrong dimensions: read to the last row
        if ws.title == MACHINE_SHEET:
            found[MACHINE_SHEET] = ws
        elif ws.title.strip().lower() in by_name:
            found.setdefault(by_name[ws.title.strip().lower()], ws)
    return found


def _rows(state: _State, key: str, ws: Any) -> Iterator[_Row]:
    labels = load_exchange_labels()
    wanted = {c.key for c in SHEETS[key] if c.editable}
    by_heading = {}
    for k in wanted:
        t = labels.columns[k]
        by_heading[t.nl.strip().lower()] = k
        by_heading[t.en.strip().lower()] = k
    letters: dict[str, str] = {}
    index: dict[int, str] = {}
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    for position, value in enumerate(header):
        heading = parse_text(value)
        if heading and heading.lower() in by_heading and by_heading[heading.lower()] not in letters:
            letters[by_heading[heading.lower()]] = get_column_letter(position + 1)
            index[position] = by_heading[heading.lower()]
    if "id" in wanted and "id" not in letters or "activity" in wanted and "activity" not in letters:
        need = "id" if "id" in wanted else "activity"
        state.problem("missing-field", _Cell(ws.title, "A1"), "",
                      f"no column headed {labels.columns[need].nl!r} or {labels.columns[need].en!r}")
        return
    for number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        values = {index[i]: v for i, v in enumerate(row) if i in index}
        if all(parse_text(v) is None for v in values.values()):
            continue
        yield _Row(ws.title, number, values, letters)


def _read(state: _State, row: _Row, key: str, parse: Callable[[Any], Any], rel: str, loc: Loc) -> Any:
    state.mark(rel, loc, row.cell(key))
    try:
        return parse(row.get(key))
    except CellError as exc:
        state.problem(exc.code, row.cell(key), loc, str(exc))
        return None


def _put(data: dict[str, Any], loc: Loc, value: Any) -> None:
    """Set ``value`` at ``loc``; ``None`` or an empty list removes the key."""
    target = data
    for part in loc[:-1]:
        target = target.setdefault(str(part), {})
    last = str(loc[-1])
    if value is None or value == []:
        target.pop(last, None)
    else:
        target[last] = value


def _text_pair(state: _State, row: _Row, rel: str, loc: Loc, prefix: str, data: dict[str, Any],
               optional: bool) -> None:
    nl = _read(state, row, f"{prefix}-nl", parse_text, rel, (*loc, "nl"))
    en = _read(state, row, f"{prefix}-en", parse_text, rel, (*loc, "en"))
    state.mark(rel, loc, row.cell(f"{prefix}-nl"))
    if optional and nl is None and en is None:
        _put(data, (loc[-1],), None)
    else:
        _put(data, (loc[-1],), {k: v for k, v in (("nl", nl), ("en", en)) if v is not None})


def _checked_id(state: _State, row: _Row, key: str, loc: Loc, rel: str) -> str | None:
    ident = _read(state, row, key, parse_text, rel, loc)
    if ident is None:
        state.problem("missing-field", row.cell(key), loc, "an id is required")
        return None
    if not _ID.match(ident):
        state.problem("bad-value", row.cell(key), loc,
                      f"{ident!r} is not an id (lower-case letters, digits and single hyphens)")
        return None
    return str(ident)


def _parse_transfers(value: Any) -> list[dict[str, Any]]:
    text = parse_text(value)
    out: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 3:
            raise CellError("bad-value", f"{line!r}: expected 'Recipient [id] | country | safeguard | note'")
        transfer = {"party": parse_ref(parts[0]), "country": parts[1], "safeguard": parts[2]}
        if len(parts) > 3 and parts[3]:
            transfer["note"] = " | ".join(parts[3:])
        out.append(transfer)
    return out


def _activity(state: _State, row: _Row, sheet: str, machine: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    aid = _checked_id(state, row, "id", ("id",), "?")
    if aid is None:
        return None
    rel = f"activities/{aid}.yaml"
    state.mark(rel, (), row.cell("id"))
    state.mark(rel, ("id",), row.cell("id"))
    data: dict[str, Any] = copy.deepcopy(machine.get(f"activity:{aid}", {}))
    purpose_extras = data.pop("purposes", {})
    data["id"] = aid
    _text_pair(state, row, rel, ("name",), "name", data, optional=False)
    _text_pair(state, row, rel, ("description",), "description", data, optional=True)
    if sheet == "art30-2":
        data["role"] = "processor"
        _put(data, ("controllers",), _read(state, row, "controllers", parse_refs, rel, ("controllers",)))
        agreement: dict[str, Any] = {}
        _put(agreement, ("signed",), _read(state, row, "agreement-signed", parse_date, rel, ("agreement", "signed")))
        _put(agreement, ("expires",), _read(state, row, "agreement-expires", parse_date, rel,
                                            ("agreement", "expires")))
        state.mark(rel, ("agreement",), row.cell("agreement-signed"))
        _put(data, ("agreement",), agreement or None)
    else:
        _put(data, ("role",), _read(state, row, "role", parse_text, rel, ("role",)))
    _put(data, ("owner",), _read(state, row, "owner", parse_ref, rel, ("owner",)))
    data["purposes"] = []
    for key, loc in (("data-subjects", "data_subjects"), ("categories", "categories")):
        data[loc] = _read(state, row, key, parse_refs, rel, (loc,)) or []
    art9: dict[str, Any] = {}
    for key, name in (("art9-condition", "condition"), ("uavg-exception", "dutch_exception"), ("art9-note", "note")):
        _put(art9, (name,), _read(state, row, key, parse_text, rel, ("special_categories_basis", name)))
    state.mark(rel, ("special_categories_basis",), row.cell("art9-condition"))
    _put(data, ("special_categories_basis",), art9 or None)
    for key, name in (("measures", "measures"), ("systems", "systems"), ("access", "access")):
        _put(data, (name,), _read(state, row, key, parse_refs, rel, (name,)))
    _put(data, ("transfers",), _read(state, row, "transfers", _parse_transfers, rel, ("transfers",)))
    _put(data, ("dossier",), _read(state, row, "dossier", parse_text, rel, ("dossier",)))
    _put(data, ("data_subjects_per_year",), _read(state, row, "volume", parse_int, rel, ("data_subjects_per_year",)))
    for flag, name in FLAG_FIELDS.items():
        _put(data, (name,), _read(state, row, flag, parse_bool, rel, (name,)) or None)
    info: dict[str, Any] = {}
    how: dict[str, Any] = {}
    _put(how, ("nl",), _read(state, row, "info-how-nl", parse_text, rel, ("information", "how", "nl")))
    _put(how, ("en",), _read(state, row, "info-how-en", parse_text, rel, ("information", "how", "en")))
    _put(info, ("how",), how or None)
    _put(info, ("when",), _read(state, row, "info-when", parse_text, rel, ("information", "when")))
    state.mark(rel, ("information",), row.cell("info-how-nl"))
    _put(data, ("information",), info or None)
    dpia: dict[str, Any] = {}
    _put(dpia, ("status",), _read(state, row, "dpia-status", parse_text, rel, ("dpia", "status")))
    _put(dpia, ("date",), _read(state, row, "dpia-date", parse_date, rel, ("dpia", "date")))
    _put(dpia, ("next_review",), _read(state, row, "next-review", parse_date, rel, ("dpia", "next_review")))
    state.mark(rel, ("dpia",), row.cell("dpia-status"))
    data["dpia"] = dpia
    _put(data, ("last_review",), _read(state, row, "last-review", parse_date, rel, ("last_review",)))
    data["_purpose_extras"] = purpose_extras
    return aid, data


def _owner(state: _State, row: _Row, activities: dict[str, dict[str, Any]]) -> str | None:
    try:
        aid = parse_ref(row.get("activity"))
    except CellError as exc:
        state.problem(exc.code, row.cell("activity"), "", str(exc))
        return None
    if aid is None or aid not in activities:
        state.problem("unknown-reference", row.cell("activity"), "",
                      f"{row.get('activity')!r} is no activity on the art. 30 sheets")
        return None
    return aid


def _purpose(state: _State, row: _Row, activities: dict[str, dict[str, Any]]) -> None:
    aid = _owner(state, row, activities)
    if aid is None:
        return
    act = activities[aid]
    rel, i = f"activities/{aid}.yaml", len(act["purposes"])
    pid = _checked_id(state, row, "purpose-id", ("purposes", i, "id"), rel)
    purpose: dict[str, Any] = copy.deepcopy(act["_purpose_extras"].get(pid, {})) if pid else {}
    purpose["id"] = pid
    state.mark(rel, ("purposes", i), row.cell("purpose-id"))
    _text_pair(state, row, rel, ("purposes", i, "description"), "description", purpose, optional=False)
    _put(purpose, ("basis",), _read(state, row, "basis", parse_text, rel, ("purposes", i, "basis")))
    _put(purpose, ("basis_source",), _read(state, row, "basis-source", parse_text, rel,
                                           ("purposes", i, "basis_source")))
    act["purposes"].append(purpose)


def _retention(state: _State, row: _Row, activities: dict[str, dict[str, Any]]) -> None:
    aid = _owner(state, row, activities)
    if aid is None:
        return
    rel = f"activities/{aid}.yaml"
    try:
        cid = parse_ref(row.get("category"))
    except CellError as exc:
        state.problem(exc.code, row.cell("category"), "retention", str(exc))
        return
    if cid is None:
        state.problem("missing-field", row.cell("category"), "retention", "a data category is required")
        return
    table = activities[aid].setdefault("retention", {})
    if cid in table:
        state.problem("duplicate-id", row.cell("category"), ("retention", cid),
                      f"a second retention period for {cid!r} in this activity")
        return
    entry: dict[str, Any] = {}
    state.mark(rel, ("retention", cid), row.cell("period"))
    for key, name in (("period", "period"), ("from", "from"), ("citation", "citation"),
                      ("source-basis", "basis"), ("note", "note")):
        _put(entry, (name,), _read(state, row, key, parse_text, rel, ("retention", cid, name)))
    table[cid] = entry


def _flow(state: _State, row: _Row, activities: dict[str, dict[str, Any]]) -> None:
    aid = _owner(state, row, activities)
    if aid is None:
        return
    act = activities[aid]
    flows = act.setdefault("flows", [])
    rel, i = f"activities/{aid}.yaml", len(flows)
    flow: dict[str, Any] = {"id": _checked_id(state, row, "flow-id", ("flows", i, "id"), rel)}
    state.mark(rel, ("flows", i), row.cell("flow-id"))
    _put(flow, ("from",), _read(state, row, "flow-from", parse_ref, rel, ("flows", i, "from")))
    _put(flow, ("to",), _read(state, row, "flow-to", parse_ref, rel, ("flows", i, "to")))
    flow["categories"] = _read(state, row, "categories", parse_refs, rel, ("flows", i, "categories")) or []
    _put(flow, ("channel",), _read(state, row, "channel", parse_text, rel, ("flows", i, "channel")))
    ground: dict[str, Any] = {}
    _put(ground, ("basis",), _read(state, row, "ground-basis", parse_text, rel, ("flows", i, "ground", "basis")))
    _put(ground, ("source",), _read(state, row, "ground-source", parse_text, rel, ("flows", i, "ground", "source")))
    state.mark(rel, ("flows", i, "ground"), row.cell("ground-basis"))
    _put(flow, ("ground",), ground or None)
    _put(flow, ("frequency",), _read(state, row, "frequency", parse_text, rel, ("flows", i, "frequency")))
    _put(flow, ("note",), _read(state, row, "note", parse_text, rel, ("flows", i, "note")))
    flows.append(flow)


def _party(state: _State, row: _Row, i: int, machine: dict[str, Any]) -> dict[str, Any]:
    rel, loc = "parties.yaml", ("parties", i)
    pid = _checked_id(state, row, "id", (*loc, "id"), rel)
    party: dict[str, Any] = copy.deepcopy(machine.get(f"party:{pid}", {}))
    party["id"] = pid
    state.mark(rel, loc, row.cell("id"))
    _text_pair(state, row, rel, (*loc, "name"), "name", party, optional=False)
    for key, name in (("kind", "kind"), ("party-role", "role"), ("country", "country"),
                      ("confidentiality", "confidentiality"), ("note", "note")):
        _put(party, (name,), _read(state, row, key, parse_text, rel, (*loc, name)))
    dpa: dict[str, Any] = {}
    _put(dpa, ("signed",), _read(state, row, "dpa-signed", parse_date, rel, (*loc, "dpa", "signed")))
    _put(dpa, ("expires",), _read(state, row, "dpa-expires", parse_date, rel, (*loc, "dpa", "expires")))
    state.mark(rel, (*loc, "dpa"), row.cell("dpa-signed"))
    _put(party, ("dpa",), dpa or None)
    return party


def _system(state: _State, row: _Row, i: int, machine: dict[str, Any]) -> dict[str, Any]:
    rel, loc = "systems.yaml", ("systems", i)
    sid = _checked_id(state, row, "id", (*loc, "id"), rel)
    system: dict[str, Any] = copy.deepcopy(machine.get(f"system:{sid}", {}))
    system["id"] = sid
    state.mark(rel, loc, row.cell("id"))
    _text_pair(state, row, rel, (*loc, "name"), "name", system, optional=False)
    _put(system, ("supplier",), _read(state, row, "supplier", parse_ref, rel, (*loc, "supplier")))
    _put(system, ("hosting_country",), _read(state, row, "hosting-country", parse_text, rel,
                                             (*loc, "hosting_country")))
    return system


def _organisation(state: _State, sheets: dict[str, Any], machine: dict[str, Any]) -> dict[str, Any]:
    org: dict[str, Any] = copy.deepcopy(machine.get("organisation", {}))
    rel = "organisation.yaml"
    if "organisation" in sheets:
        for row in _rows(state, "organisation", sheets["organisation"]):
            name = parse_text(row.get("field"))
            if name not in ORGANISATION_FIELDS:
                state.problem("unknown-key", row.cell("field"), str(name),
                              f"unknown organisation field; expected one of {', '.join(ORGANISATION_FIELDS)}")
                continue
            parse = parse_bool if name == "dpo_appointed" else parse_text
            _put(org, (name,), _read(state, row, "value", parse, rel, (name,)))
            state.mark(rel, (), row.cell("value"))
    roles = []
    if "roles" in sheets:
        for i, row in enumerate(_rows(state, "roles", sheets["roles"])):
            loc: Loc = ("roles", i)
            rid = _checked_id(state, row, "id", (*loc, "id"), rel)
            role: dict[str, Any] = {**copy.deepcopy(machine.get(f"role:{rid}", {})), "id": rid}
            state.mark(rel, loc, row.cell("id"))
            _text_pair(state, row, rel, (*loc, "name"), "name", role, optional=False)
            _put(role, ("confidentiality",), _read(state, row, "confidentiality", parse_text, rel,
                                                   (*loc, "confidentiality")))
            _put(role, ("medically_trained",), _read(state, row, "medically-trained", parse_bool, rel,
                                                     (*loc, "medically_trained")) or None)
            roles.append(role)
    org["roles"] = roles
    return org


def _machine(state: _State, sheets: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ws = sheets.get(MACHINE_SHEET)
    if ws is None:
        return out
    for number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        key, text = (row[0], row[1]) if len(row) > 1 else ((row[0] if row else None), None)
        if key is None:
            continue
        try:
            value = json.loads(str(text))
        except ValueError as exc:
            state.problem("bad-value", _Cell(ws.title, f"B{number}"), str(key), f"not a JSON object ({exc})")
            continue
        if not isinstance(value, dict):
            state.problem("bad-value", _Cell(ws.title, f"B{number}"), str(key), "not a JSON object")
            continue
        out[str(key)] = value
    return out


def _dump(data: Any, path: Path, source: str) -> None:
    body = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    path.write_text(f"# Imported from {source} by dpia import xlsx.\n{body}", encoding="utf-8")


def _locate(state: _State, rel: str, field_path: str) -> _Cell | None:
    best: tuple[int, _Cell] | None = None
    for (file, loc), cell in state.cells.items():
        if file != rel:
            continue
        matches = loc == field_path or not loc or field_path.startswith((loc + ".", loc + "["))
        if matches and (best is None or len(loc) > best[0]):
            best = (len(loc), cell)
    return best[1] if best else None


def import_workbook(path: Path | str, into: Path | str, data_dir: Path | str | None = None) -> ImportResult:
    """Read the workbook at ``path`` into the register directory ``into`` (absent or empty).

    Raises :class:`WorkbookError` with every problem, naming sheet and cell, and writes nothing then.
    """
    source = Path(path)
    target = Path(into)
    state = _State(str(path))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise DpiaError(f"{target}: the target directory exists and is not empty; import into a new directory")
    try:
        wb = openpyxl.load_workbook(source, data_only=True, read_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise DpiaError(f"{source}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheets = _sheet_keys(wb)
        for key in ("art30-1", "parties", "systems", "organisation"):
            if key not in sheets:
                labels = load_exchange_labels().sheets[key]
                state.problem("missing-file", _Cell(labels.en, "A1"), "", f"the workbook has no sheet {labels.nl!r} "
                              f"or {labels.en!r}")
        machine = _machine(state, sheets)
        activities: dict[str, dict[str, Any]] = {}
        for sheet in ("art30-1", "art30-2"):
            if sheet not in sheets:
                continue
            for row in _rows(state, sheet, sheets[sheet]):
                built = _activity(state, row, sheet, machine)
                if built is None:
                    continue
                aid, data = built
                if aid in activities:
                    state.problem("duplicate-id", row.cell("id"), "id", f"activity {aid!r} appears twice")
                    continue
                activities[aid] = data
        for key, reader in (("purposes", _purpose), ("retention", _retention), ("flows", _flow)):
            if key in sheets:
                for row in _rows(state, key, sheets[key]):
                    reader(state, row, activities)
        parties = [_party(state, row, i, machine)
                   for i, row in enumerate(_rows(state, "parties", sheets["parties"]))] if "parties" in sheets else []
        systems = [_system(state, row, i, machine)
                   for i, row in enumerate(_rows(state, "systems", sheets["systems"]))] if "systems" in sheets else []
        organisation = _organisation(state, sheets, machine)
    finally:
        wb.close()  # a read-only workbook keeps its file open until closed
    if state.problems:
        raise WorkbookError(state.problems)

    notes = []
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f".{target.name}.import-tmp"
    if temp.exists():
        shutil.rmtree(temp)
    (temp / "activities").mkdir(parents=True)
    (temp / "dpias").mkdir()
    try:
        _dump(organisation, temp / "organisation.yaml", source.name)
        _dump({"parties": parties}, temp / "parties.yaml", source.name)
        _dump({"systems": systems}, temp / "systems.yaml", source.name)
        for aid, data in activities.items():
            data.pop("_purpose_extras", None)
            order = {c: i for i, c in enumerate(data.get("categories", []))}
            if "retention" in data:
                data["retention"] = dict(sorted(data["retention"].items(), key=lambda kv: order.get(kv[0], 10**6)))
            _dump(data, temp / "activities" / f"{aid}.yaml", source.name)
        dpias = 0
        for key, record in sorted(machine.items()):
            if not key.startswith("dpia:"):
                continue
            aid = key.removeprefix("dpia:")
            if aid not in activities or not _ID.match(aid):
                notes.append(f"DPIA record of {aid!r} left out: its activity is not in the workbook")
                continue
            _dump(record, temp / "dpias" / f"{aid}.yaml", source.name)
            dpias += 1
        result = validate_register(temp, data_dir)
        for p in result.problems:
            try:
                rel = Path(p.path).resolve().relative_to(temp.resolve()).as_posix()
            except ValueError:
                rel = p.path
            cell = _locate(state, rel, p.field)
            if cell is None and rel.startswith("dpias/"):
                cell = _Cell(MACHINE_SHEET, "B1")
            cell = cell or _Cell("?", "A1")
            state.problem(p.code, cell, p.field, p.message)
        if state.problems:
            raise WorkbookError(state.problems)
        if target.exists():
            target.rmdir()
        temp.rename(target)
    finally:
        if temp.exists():
            shutil.rmtree(temp)
    return ImportResult(target, len(activities), len(parties), len(systems), dpias, tuple(notes))
