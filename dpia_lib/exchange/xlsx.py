"""The register as an Excel workbook (openpyxl) or as CSV files, one per sheet.

Sheets: a read-me, the art. 30(1) register (one row per activity we control, every column (a)-(g) plus the
art. 6 basis per purpose, art. 9 condition and UAVG exception, BSN basis, sources, DPIA verdict and status,
next review), the art. 30(2) register (activities performed as processor), purposes, retention (a
deletion calendar, shortest period first), parties, systems, flows, processors with the expiry of their
agreement, the organisation and its roles, and a hidden machine sheet with what has no column. Headings
are Dutch or English; derived columns have grey headings and are ignored by ``dpia import xlsx``.

>>> import tempfile, openpyxl
>>> from dpia_lib import load_register
>>> path = Path(tempfile.mkdtemp()) / "register.xlsx"
>>> _ = write_workbook(load_register(), path, language="en")
>>> openpyxl.load_workbook(path).sheetnames[:3]
['Read me', 'Art. 30(1)', 'Art. 30(2)']
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter

from dpia_lib.exchange.cells import load_exchange_labels, ref_cell
from dpia_lib.exchange.layout import (
    ACTIVITY_COVERED,
    FLAG_FIELDS,
    MACHINE_SHEET,
    ORGANISATION_FIELDS,
    PURPOSE_COVERED,
    SHEET_ORDER,
    SHEETS,
)
from dpia_lib.flows import flow_graph
from dpia_lib.law import ProcessingRole, citation
from dpia_lib.legal import national_identifiers
from dpia_lib.notice.citations import identifier_statutes
from dpia_lib.records import Activity
from dpia_lib.register import Register
from dpia_lib.screening import screen

__all__ = ["sheet_rows", "write_csv", "write_workbook"]

Row = list[Any]
_EDITABLE_FILL = PatternFill("solid", fgColor="1F4E79")
_DERIVED_FILL = PatternFill("solid", fgColor="D9D9D9")


class _Names:
    """Names of the register's entries in one language, for ``Name [id]`` cells."""

    def __init__(self, register: Register, language: str) -> None:
        self.r = register
        self.lang = language

    def node(self, ident: str) -> str:
        if ident in self.r.activities:
            return ref_cell(self.r.activities[ident].name.get(self.lang), ident)
        if ident in self.r.parties:
            return ref_cell(self.r.parties[ident].name.get(self.lang), ident)
        return ident

    def many(self, kind: str, ids: Iterable[str]) -> str:
        return "\n".join(self.one(kind, i) for i in ids)

    def one(self, kind: str, ident: str) -> str:
        cat = self.r.catalogue
        table: Any = {"category": cat.categories, "subject": cat.data_subjects, "measure": cat.measures}.get(kind)
        if table is not None:
            return ref_cell(table[ident].label.get(self.lang), ident) if ident in table else ident
        if kind == "role":
            role = self.r.roles.get(ident)
            return ref_cell(role.name.get(self.lang), ident) if role else ident
        if kind == "system":
            system = self.r.systems.get(ident)
            return ref_cell(system.name.get(self.lang), ident) if system else ident
        return self.node(ident)


def _json(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _extras(data: dict[str, Any], covered: Iterable[str]) -> dict[str, Any]:
    """The fields of a dumped record that no column holds."""
    aliases = {"from_event": "from", "source": "from", "target": "to"}
    keys = set(covered) | {aliases.get(k, k) for k in covered}
    return {k: v for k, v in data.items() if k not in keys}


def _bsn_basis(register: Register, act: Activity) -> str:
    """The catalogued statutes the activity cites for its national identifiers (UAVG art. 46); "—" if it
    uses one but cites none."""
    if not national_identifiers(register, act):
        return ""
    return "\n".join(identifier_statutes(register, act)) or "—"


def _activity_row(register: Register, names: _Names, G: Any, verdicts: dict[str, str], act: Activity,
                  sheet: str) -> Row:
    lang = names.lang
    cat = register.catalogue
    org = register.organisation
    art9 = act.special_categories_basis
    sources = sorted({u for u, _ in G.in_edges(act.id)})
    recipients = sorted({v for _, v in G.out_edges(act.id) if G.nodes[v]["kind"] == "party"})
    retention = "\n".join(
        f"{cat.categories[c].label.get(lang) if c in cat.categories else c}: {r.period} ({r.from_event})"
        for c, r in act.retention.items())
    yes, no = (load_exchange_labels().words[w].get(lang) for w in ("yes", "no"))
    values: dict[str, Any] = {
        "id": act.id, "name-nl": act.name.nl, "name-en": act.name.en,
        "description-nl": act.description.nl if act.description else None,
        "description-en": act.description.en if act.description else None,
        "role": act.role.value,
        "controllers": names.many("party", act.controllers),
        "agreement-signed": act.agreement.signed if act.agreement else None,
        "agreement-expires": act.agreement.expires if act.agreement else None,
        "controller": f"{org.name} — {org.contact}" + (f"; DPO: {org.dpo_contact}" if org.dpo_contact else ""),
        "owner": names.one("role", act.owner),
        "purposes": "\n".join(p.description.get(lang) for p in act.purposes),
        "bases": "\n".join(f"{p.description.get(lang)}: {citation(p.basis) if p.basis else '—'}"
                           for p in act.purposes),
        "data-subjects": names.many("subject", act.data_subjects),
        "categories": names.many("category", act.categories),
        "art9-condition": art9.condition.value if art9 and art9.condition else None,
        "uavg-exception": art9.dutch_exception.value if art9 and art9.dutch_exception else None,
        "art9-note": art9.note if art9 else None,
        "bsn-basis": _bsn_basis(register, act),
        "sources": "\n".join(names.node(s) for s in sources),
        "recipients": "\n".join(names.node(r) for r in recipients),
        "transfers": "\n".join(" | ".join(x for x in (names.node(t.party), t.country, t.safeguard.value, t.note)
                                          if x) for t in act.transfers),
        "retention": retention,
        "measures": names.many("measure", act.measures),
        "systems": names.many("system", act.systems),
        "access": names.many("role", act.access),
        "dossier": str(act.dossier.value if hasattr(act.dossier, "value") else act.dossier),
        "volume": act.data_subjects_per_year,
        **{flag: yes if getattr(act, field) else no for flag, field in FLAG_FIELDS.items()},
        "info-how-nl": act.information.how.nl if act.information else None,
        "info-how-en": act.information.how.en if act.information else None,
        "info-when": act.information.when if act.information else None,
        "dpia-verdict": verdicts.get(act.id, ""),
        "dpia-status": act.dpia.status.value,
        "dpia-date": act.dpia.date, "next-review": act.dpia.next_review, "last-review": act.last_review,
    }
    return [values[c.key] for c in SHEETS[sheet]]


def sheet_rows(register: Register, language: str = "nl") -> dict[str, list[Row]]:
    """The body rows of every sheet (no headings), by sheet key, plus the machine rows under ``_machine``."""
    names = _Names(register, language)
    G = flow_graph(register)
    verdicts = {aid: s.verdict.value for aid, s in screen(register).items()}
    cat = register.catalogue
    out: dict[str, list[Row]] = {key: [] for key in SHEET_ORDER}
    machine: list[Row] = []
    for act in register.activities.values():
        sheet = "art30-2" if act.role == ProcessingRole.PROCESSOR else "art30-1"
        out[sheet].append(_activity_row(register, names, G, verdicts, act, sheet))
        data = _json(act)
        extras = _extras(data, ACTIVITY_COVERED)
        purpose_extras = {p["id"]: e for p in data["purposes"] if (e := _extras(p, PURPOSE_COVERED))}
        if purpose_extras:
            extras["purposes"] = purpose_extras
        if extras:
            machine.append([f"activity:{act.id}", json.dumps(extras, ensure_ascii=False, sort_keys=True)])
        activity = names.node(act.id)
        for p in act.purposes:
            out["purposes"].append([activity, p.id, p.description.nl, p.description.en,
                                    p.basis.value if p.basis else None, citation(p.basis) if p.basis else None,
                                    p.basis_source])
        for c, r in act.retention.items():
            special = cat.categories[c].special if c in cat.categories else None
            out["retention"].append([round(r.months, 2), activity, names.one("category", c), r.period,
                                     r.from_event, r.citation, r.basis, r.note, special])
        for f in act.flows:
            out["flows"].append([activity, f.id, names.node(f.source), names.node(f.target),
                                 names.many("category", f.categories), f.channel,
                                 f.ground.basis.value if f.ground else None, f.ground.source if f.ground else None,
                                 f.frequency, f.note])
    out["retention"].sort(key=lambda row: (row[0], row[1], row[2]))
    open_ended = load_exchange_labels().columns["open-ended"].get(language)
    for party in register.parties.values():
        out["parties"].append([party.id, party.name.nl, party.name.en, str(party.kind), str(party.role),
                               party.country, party.dpa.signed if party.dpa else None,
                               party.dpa.expires if party.dpa else None,
                               party.confidentiality.value if party.confidentiality else None, party.note])
        if str(party.role) == "processor":
            supplied = [s for s in register.systems.values() if s.supplier == party.id]
            users = sorted({a.id for a in register.activities.values() for s in supplied if s.id in a.systems})
            out["processors"].append([
                names.node(party.id), party.country, party.dpa.signed if party.dpa else None,
                (party.dpa.expires or open_ended) if party.dpa else None,
                names.many("system", (s.id for s in supplied)), "\n".join(names.node(a) for a in users)])
        if extras := _extras(_json(party), ("id", "name", "kind", "role", "country", "dpa", "confidentiality",
                                             "note")):
            machine.append([f"party:{party.id}", json.dumps(extras, ensure_ascii=False, sort_keys=True)])
    out["processors"].sort(key=lambda row: (row[3] is None, str(row[3]), row[0]))
    for system in register.systems.values():
        out["systems"].append([system.id, system.name.nl, system.name.en,
                               names.node(system.supplier) if system.supplier else None, system.hosting_country])
        if extras := _extras(_json(system), ("id", "name", "supplier", "hosting_country")):
            machine.append([f"system:{system.id}", json.dumps(extras, ensure_ascii=False, sort_keys=True)])
    org = register.organisation
    org_data = _json(org)
    for field in ORGANISATION_FIELDS:
        out["organisation"].append([field, org_data.get(field)])
    for role in org.roles:
        out["roles"].append([role.id, role.name.nl, role.name.en, role.confidentiality.value,
                             load_exchange_labels().words["yes" if role.medically_trained else "no"].get(language)])
        if extras := _extras(_json(role), ("id", "name", "confidentiality", "medically_trained")):
            machine.append([f"role:{role.id}", json.dumps(extras, ensure_ascii=False, sort_keys=True)])
    if extras := _extras(org_data, (*ORGANISATION_FIELDS, "roles")):
        machine.append(["organisation", json.dumps(extras, ensure_ascii=False, sort_keys=True)])
    for aid, record in register.dpias.items():
        machine.append([f"dpia:{aid}", json.dumps(_json(record), ensure_ascii=False, sort_keys=True)])
    out[MACHINE_SHEET] = machine
    return out


def _heading(key: str, language: str) -> str:
    return load_exchange_labels().columns[key].get(language)


def _sheet_name(key: str, language: str) -> str:
    return load_exchange_labels().sheets[key].get(language)


def write_workbook(register: Register, path: Path | str, language: str = "nl") -> Path:
    """Write the register as an ``.xlsx`` workbook at ``path`` (written beside, then renamed); return the path."""
    labels = load_exchange_labels()
    rows = sheet_rows(register, language)
    wb = openpyxl.Workbook()
    # one named style per kind of body cell: styling cell by cell costs openpyxl a style lookup each time
    wb.add_named_style(NamedStyle("dpia-body", alignment=Alignment(wrap_text=True, vertical="top")))
    wb.add_named_style(NamedStyle("dpia-date", alignment=Alignment(wrap_text=True, vertical="top"),
                                  number_format="yyyy-mm-dd"))
    readme = wb.active
    assert readme is not None
    readme.title = _sheet_name("readme", language)
    readme.column_dimensions["A"].width = 120
    for i, paragraph in enumerate(labels.readme, start=1):
        readme.cell(row=i, column=1, value=paragraph.get(language)).alignment = Alignment(wrap_text=True)
    line = len(labels.readme) + 2
    for cell, text in ((1, _heading("sheet", language)),):
        readme.cell(row=line, column=cell, value=text).font = Font(bold=True)
    for key in SHEET_ORDER:
        line += 1
        editable = [_heading(c.key, language) for c in SHEETS[key] if c.editable]
        readme.cell(row=line, column=1, value=f"{_sheet_name(key, language)}: {_heading('read-on-import', language)}: "
                    f"{', '.join(editable) if editable else '—'}").alignment = Alignment(wrap_text=True)
    for key in SHEET_ORDER:
        ws = wb.create_sheet(_sheet_name(key, language))
        columns = SHEETS[key]
        for j, column in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=j, value=_heading(column.key, language))
            cell.font = Font(bold=True, color="FFFFFF" if column.editable else "404040",
                             italic=not column.editable)
            cell.fill = _EDITABLE_FILL if column.editable else _DERIVED_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if not column.editable:
                cell.comment = Comment(_heading("derived", language), "dpia-workbook")
            ws.column_dimensions[get_column_letter(j)].width = column.width
        for i, row in enumerate(rows[key], start=2):
            for j, value in enumerate(row, start=1):
                cell = ws.cell(row=i, column=j, value=value)
                cell.style = "dpia-date" if isinstance(value, dt.date) else "dpia-body"
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows[key]) + 1)}"
    machine = wb.create_sheet(MACHINE_SHEET)
    machine.append(["key", "json"])
    for row in rows[MACHINE_SHEET]:
        machine.append(row)
    machine.sheet_state = "hidden"
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    wb.save(partial)
    partial.replace(target)
    return target


def write_csv(register: Register, directory: Path | str, language: str = "nl") -> list[Path]:
    """Write each visible sheet as ``<sheet>.csv`` (UTF-8, comma-separated) into ``directory``."""
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = sheet_rows(register, language)
    written = []
    for key in SHEET_ORDER:
        path = out_dir / f"{key}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([_heading(c.key, language) for c in SHEETS[key]])
            writer.writerows([["" if v is None else v for v in row] for row in rows[key]])
        written.append(path)
    return written
