"""The privacy statement (GDPR arts. 12-14) built from the register: a short first layer, then per group
of data subjects every item of arts. 13(1)-(2) and 14(1)-(2), worded from the register's facts.

Items that arts. 13 and 14 share (identity, purposes and bases, recipients, transfers, retention, rights,
consent, complaint, automated decisions) are written once; art. 14 adds the categories received from others
(14(1)(d)), their source (14(2)(f)) and when the data subject is told (14(3)). Where the register lacks a
fact an item needs, the statement carries a visible gap marker and :attr:`Statement.gaps` names the file,
line and field to fill: no text is invented.

>>> import datetime as dt
>>> from dpia_lib import load_register
>>> s = build_statement(load_register(), "en", as_of=dt.date(2026, 10, 1))
>>> sorted(s.items_for("employees-sick")) == sorted(ALL_ITEMS)
True
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dpia_lib.flows import flow_graph
from dpia_lib.law import citation
from dpia_lib.legal import national_identifiers, rights_for, rights_that_reach
from dpia_lib.notice.citations import article, gdpr_citation, identifier_statutes
from dpia_lib.records import PERIOD_PATTERN, Activity
from dpia_lib.register import Register

__all__ = [
    "ALL_ITEMS",
    "ART14_SAME_AS",
    "GENERAL_ITEMS",
    "GROUP_ITEMS",
    "Gap",
    "Paragraph",
    "Section",
    "Statement",
    "build_statement",
    "is_recipient",
    "notice_labels",
    "period_text",
]

#: Items stated once for everyone (art. 13(1)(a)-(b), 13(2)(d)).
GENERAL_ITEMS: tuple[str, ...] = ("13-1-a", "13-1-b", "13-2-d")
#: Items stated per group of data subjects.
GROUP_ITEMS: tuple[str, ...] = ("13-1-c", "13-1-d", "13-1-e", "13-1-f", "13-2-a", "13-2-b", "13-2-c", "13-2-e",
                                "13-2-f", "14-1-d", "14-2-f", "14-3")
ALL_ITEMS: tuple[str, ...] = GENERAL_ITEMS + GROUP_ITEMS
#: Items of art. 14 that ask for the same fact as an item of art. 13.
ART14_SAME_AS: dict[str, str] = {
    "14-1-a": "13-1-a", "14-1-b": "13-1-b", "14-1-c": "13-1-c", "14-1-e": "13-1-e", "14-1-f": "13-1-f",
    "14-2-a": "13-2-a", "14-2-b": "13-1-d", "14-2-c": "13-2-b", "14-2-d": "13-2-c", "14-2-e": "13-2-d",
    "14-2-g": "13-2-f",
}
_LABELS = Path(__file__).resolve().parent.parent.parent / "data" / "notice_labels.yaml"
_STATUTORY = ("legal-obligation", "public-task")


@cache
def notice_labels(path: Path = _LABELS) -> dict[str, Any]:
    """The statement's wording from ``data/notice_labels.yaml`` (every entry in nl and en)."""
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    for group, entries in data.items():
        for key, entry in entries.items():
            if not isinstance(entry, dict) or set(entry) != {"nl", "en"}:
                raise ValueError(f"{path}: {group}.{key} needs exactly 'nl' and 'en'")
    return data


def _t(table: str, key: str, language: str, **values: Any) -> str:
    text = str(notice_labels()[table][key][language])
    return text.format(**values) if values else text


def period_text(period: str, language: str) -> str:
    """A register period ('2 years') in ``language``.

    >>> period_text("2 years", "nl"), period_text("1 month", "nl"), period_text("4 weeks", "en")
    ('2 jaar', '1 maand', '4 weeks')
    """
    m = re.match(PERIOD_PATTERN, period)
    if m is None:
        return period
    number, unit = int(m.group(1)), m.group(2).rstrip("s")
    one, many = notice_labels()["units"][unit][language]
    return f"{number} {one if number == 1 else many}"


def is_recipient(register: Register, node: str) -> bool:
    """Whether a flow target counts as a recipient (GDPR art. 4(9)): a party other than the data subject;
    a public authority receiving data in a particular inquiry, such as the supervisory authority, is not."""
    party = register.parties.get(node)
    return party is not None and str(party.role) not in ("data-subject", "supervisory-authority")


def _sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "!", "?")) else text.rstrip() + "."


@dataclass(frozen=True)
class Gap:
    """A fact an item needs that the register lacks: where to fill it in."""

    item: str
    group: str
    path: str
    line: int
    field: str
    message: str

    def format(self) -> str:
        """``path:line: item field: message``."""
        return f"{self.path}:{self.line}: {self.item} {self.field}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"item": self.item, "group": self.group, "path": self.path, "line": self.line,
                "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Paragraph:
    """One item of the statement: its article, heading and lines."""

    item: str
    heading: str
    citation: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """The general part or one group of data subjects."""

    key: str
    title: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Statement:
    """The whole statement in one language."""

    language: str
    title: str
    intro: str
    first_layer_title: str
    first_layer: tuple[str, ...]
    details_title: str
    general: Section
    groups: tuple[Section, ...]
    gaps: tuple[Gap, ...]
    closing: str

    def items_for(self, group: str) -> set[str]:
        """The article items the statement covers for data-subject group ``group``."""
        section = next((g for g in self.groups if g.key == group), None)
        if section is None:
            return set()
        return {p.item for p in self.general.paragraphs} | {p.item for p in section.paragraphs}


class _Builder:
    def __init__(self, register: Register, language: str) -> None:
        self.r = register
        self.lang = language
        self.G = flow_graph(register)
        self.gaps: list[Gap] = []
        self.cat = register.catalogue

    def gap(self, item: str, group: str, key: str, loc: tuple[str | int, ...], field: str, message: str) -> str:
        path, line, _ = self.r.locate(key, loc)
        if line == 0 and loc:
            path, line, _ = self.r.locate(key, ())
        self.gaps.append(Gap(item, group, path, line, field, message))
        return _t("text", "gap", self.lang, field=field)

    def name(self, act: Activity) -> str:
        return act.name.get(self.lang)

    def lower(self, act: Activity) -> str:
        text = self.name(act)
        return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text

    def category(self, cid: str) -> str:
        c = self.cat.categories.get(cid)
        return c.label.get(self.lang) if c else cid

    def party(self, pid: str) -> str:
        p = self.r.parties.get(pid)
        return p.name.get(self.lang) if p else pid

    def para(self, item: str, lines: Iterable[str]) -> Paragraph:
        cite = article(item, self.lang)
        if item.startswith("13"):
            twin = next((k for k, v in ART14_SAME_AS.items() if v == item), None)
            if twin:
                cite += "; " + article(twin, self.lang).replace(" AVG", "").replace("GDPR ", "")
        return Paragraph(item, _t("items", item, self.lang), cite, tuple(lines))

    # -- items -------------------------------------------------------------------------------------------
    def purposes(self, group: str, acts: list[Activity]) -> list[str]:
        lines = []
        for act in acts:
            for i, p in enumerate(act.purposes):
                if p.basis is None:
                    basis = self.gap("13-1-c", group, f"activity:{act.id}", ("purposes", i, "basis"),
                                     f"activities/{act.id}.yaml purposes[{i}].basis", "no art. 6(1) basis")
                    lines.append(f"{self.name(act)}: {p.description.get(self.lang)}. {basis}")
                    continue
                source = ""
                if p.basis.value in _STATUTORY:
                    if p.basis_source:
                        source = _t("text", "purpose-source", self.lang, source=p.basis_source)
                    else:
                        source = " " + self.gap("13-1-c", group, f"activity:{act.id}", ("purposes", i, "basis"),
                                                f"activities/{act.id}.yaml purposes[{i}].basis_source",
                                                "a legal obligation needs the statute it rests on")
                lines.append(_t("text", "purpose", self.lang, activity=self.name(act),
                                purpose=p.description.get(self.lang), basis=_t("bases", p.basis.value, self.lang),
                                citation=self.cite(citation(p.basis)), source=source))
            special = [c for c in act.categories if self.cat.is_special(c)]
            art9 = act.special_categories_basis
            if special:
                if art9 and art9.condition and art9.dutch_exception:
                    lines.append(_t("text", "special", self.lang, activity=self.name(act),
                                    categories=", ".join(self.category(c) for c in special),
                                    condition=self.cite(citation(art9.condition)),
                                    exception=self.cite(citation(art9.dutch_exception))))
                else:
                    lines.append(f"{self.name(act)}: " + self.gap(
                        "13-1-c", group, f"activity:{act.id}", ("special_categories_basis",),
                        f"activities/{act.id}.yaml special_categories_basis",
                        "special-category data without an art. 9(2) condition and UAVG exception"))
            ids = national_identifiers(self.r, act)
            if ids:
                if statutory := identifier_statutes(self.r, act):
                    lines.append(_t("text", "bsn", self.lang, sources="; ".join(statutory)))
                else:
                    loc = ("categories", act.categories.index(ids[0]))
                    lines.append(self.gap("13-1-c", group, f"activity:{act.id}", loc,
                                          f"activities/{act.id}.yaml purposes[].basis_source",
                                          "the BSN is processed but no purpose cites a statute that prescribes it"))
        return lines

    def cite(self, text: str) -> str:
        """A citation from dpia_lib.law ('GDPR art. 6(1)(c)') in the statement's language."""
        if self.lang != "nl":
            return text
        m = re.match(r"^(GDPR|UAVG) art\. (\d+)((?:\(\w+\))*)$", text)
        if not m:
            return text.replace("GDPR", "AVG")
        parts = re.findall(r"\((\w+)\)", m.group(3))
        out = (f"art. {m.group(2)}" + (f" lid {parts[0]}" if parts else "")
               + (f" sub {parts[1]}" if len(parts) > 1 else ""))
        return f"{out} {'AVG' if m.group(1) == 'GDPR' else 'UAVG'}"

    def interests(self, group: str, acts: list[Activity]) -> list[str]:
        lines = []
        for act in acts:
            for i, p in enumerate(act.purposes):
                if p.basis is None or p.basis.value != "legitimate-interests":
                    continue
                if p.balancing_test is not None:
                    interest = p.balancing_test.interest.get(self.lang)
                elif p.basis_source:
                    interest = p.basis_source
                else:
                    interest = self.gap("13-1-d", group, f"activity:{act.id}", ("purposes", i, "basis"),
                                        f"activities/{act.id}.yaml purposes[{i}].balancing_test",
                                        "a legitimate interest must be named (art. 13(1)(d))")
                lines.append(_t("text", "interest", self.lang, activity=self.name(act),
                                interest=interest[:1].lower() + interest[1:]))
        return lines or [_t("text", "no-interest", self.lang)]

    def recipients(self, acts: list[Activity]) -> list[str]:
        ids = sorted({v for a in acts for _, v in self.G.out_edges(a.id) if is_recipient(self.r, v)},
                     key=lambda pid: self.party(pid))
        if not ids:
            return [_t("text", "no-recipients", self.lang)]
        processor = {"nl": "verwerker", "en": "processor"}[self.lang]
        names = [self.party(p) + (f" ({processor})" if str(self.r.parties[p].role) == "processor" else "")
                 for p in ids]
        lines = [_t("text", "recipients", self.lang, recipients="; ".join(names))]
        if any(str(self.r.parties[p].role) == "processor" for p in ids):
            lines.append(_t("text", "processors-note", self.lang))
        return lines

    def transfers(self, group: str, acts: list[Activity]) -> list[str]:
        lines = []
        for act in acts:
            for i, t in enumerate(act.transfers):
                if t.safeguard.value == "none":
                    lines.append(self.gap("13-1-f", group, f"activity:{act.id}", ("transfers", i, "safeguard"),
                                          f"activities/{act.id}.yaml transfers[{i}].safeguard",
                                          "a transfer outside the EEA needs its safeguard"))
                    continue
                lines.append(_t("text", "transfer", self.lang, party=self.party(t.party), country=t.country,
                                safeguard=t.safeguard.value, citation=self.cite(citation(t.safeguard))))
        return lines or [_t("text", "no-transfer", self.lang)]

    def retention(self, group: str, acts: list[Activity]) -> list[str]:
        lines = [_t("text", "retention", self.lang)]
        for act in acts:
            for i, c in enumerate(act.categories):
                r = act.retention.get(c)
                if r is None:
                    lines.append(f"{self.category(c)}: " + self.gap(
                        "13-2-a", group, f"activity:{act.id}", ("categories", i),
                        f"activities/{act.id}.yaml retention.{c}", "no retention period for this category"))
                    continue
                events = notice_labels()["events"]
                event = events[r.from_event][self.lang] if r.from_event in events else r.from_event
                lines.append(_t("text", "retention-line", self.lang, category=self.category(c),
                                period=period_text(r.period, self.lang), event=event, activity=self.name(act)))
        return lines

    def rights(self, acts: list[Activity]) -> list[str]:
        lines = [_t("text", "rights-intro", self.lang)]
        # Art. 13(2)(b) rights; withdrawing consent (art. 7(3)) is item 13(2)(c), its own paragraph.
        reach = {a.id: {r.id: r for r in rights_that_reach(a)} for a in acts}
        found = {r.id: r for a in acts for r in rights_for(a)}
        for rid, right in sorted(found.items(), key=lambda kv: int(re.findall(r"\d+", kv[1].citation)[0])):
            applies = [a for a in acts if rid in reach[a.id]]
            if rid == "withdraw-consent" or not applies:
                continue
            where = _t("rights", "all", self.lang) if len(applies) == len(acts) else \
                "; ".join(self.name(a) for a in applies)
            line = _t("text", "rights-line", self.lang, right=_t("rights", rid, self.lang),
                      citation=gdpr_citation(right.citation, self.lang), activities=where)
            # a right that reaches an activity only in part: not what a statute makes us keep (art. 17(3)(b))
            limited = [(a, reach[a.id][rid]) for a in applies if reach[a.id][rid].not_reached]
            if limited:
                line += ". " + _t("text", "rights-exception", self.lang,
                                  citation=gdpr_citation(limited[0][1].exception, self.lang),
                                  activities="; ".join(self.name(a) for a, _ in limited))
            lines.append(line)
        lines.append(_t("text", "rights-how", self.lang, contact=self.r.organisation.contact))
        return lines

    def consent(self, acts: list[Activity]) -> list[str]:
        lines = [_t("text", "consent", self.lang, activity=self.name(a), contact=self.r.organisation.contact)
                 for a in acts if any(p.basis is not None and p.basis.value == "consent" for p in a.purposes)
                 or (a.special_categories_basis and a.special_categories_basis.condition
                     and a.special_categories_basis.condition.value == "explicit-consent")]
        return lines or [_t("text", "no-consent", self.lang)]

    def required(self, acts: list[Activity]) -> list[str]:
        lines = []
        for act in acts:
            bases = [p.basis.value for p in act.purposes if p.basis is not None]
            values = {"activity": self.name(act), "activity_lower": self.lower(act)}
            if "legal-obligation" in bases:
                source = "; ".join(dict.fromkeys(p.basis_source for p in act.purposes if p.basis is not None
                                                 and p.basis.value == "legal-obligation" and p.basis_source))
                lines.append(_t("text", "required-legal", self.lang, source=source or "—", **values))
            elif "contract" in bases:
                lines.append(_t("text", "required-contract", self.lang, **values))
            elif bases and all(b == "consent" for b in bases):
                lines.append(_t("text", "required-consent", self.lang, **values))
            else:
                lines.append(_t("text", "required-other", self.lang, **values))
        return lines

    def automated(self, group: str, acts: list[Activity]) -> list[str]:
        lines = []
        for act in acts:
            if act.automated_decisions:
                lines.append(_t("text", "automated", self.lang, activity=self.name(act)) + " " + self.gap(
                    "13-2-f", group, f"activity:{act.id}", ("automated_decisions",),
                    f"activities/{act.id}.yaml automated_decisions",
                    "the register does not describe the logic involved and its consequences (art. 13(2)(f)); "
                    "write them into the statement by hand"))
            elif act.profiling:
                lines.append(_t("text", "profiling", self.lang, activity=self.name(act)))
        return lines or [_t("text", "no-automated", self.lang)]

    def sources(self, acts: list[Activity]) -> tuple[list[str], list[str], list[tuple[Activity, list[str]]]]:
        cats: dict[str, None] = {}
        parties: dict[str, None] = {}
        per_act = []
        for act in acts:
            own = []
            for flow in act.flows:
                if flow.target == act.id and flow.source in self.r.parties and flow.source != "data-subject":
                    parties.setdefault(flow.source)
                    own.append(flow.source)
                    for c in flow.categories:
                        cats.setdefault(c)
            if own:
                per_act.append((act, own))
        return list(cats), sorted(parties, key=self.party), per_act

    def group(self, sid: str, acts: list[Activity]) -> Section:
        label = self.cat.data_subjects[sid].label.get(self.lang) if sid in self.cat.data_subjects else sid
        cats, parties, per_act = self.sources(acts)
        paragraphs = [
            self.para("13-1-c", self.purposes(sid, acts)),
            self.para("13-1-d", self.interests(sid, acts)),
            self.para("13-1-e", self.recipients(acts)),
            self.para("13-1-f", self.transfers(sid, acts)),
            self.para("13-2-a", self.retention(sid, acts)),
            self.para("13-2-b", self.rights(acts)),
            self.para("13-2-c", self.consent(acts)),
            self.para("13-2-e", self.required(acts)),
            self.para("13-2-f", self.automated(sid, acts)),
        ]
        if cats:
            paragraphs.append(self.para("14-1-d", [_t("text", "from-others", self.lang,
                                                      categories="; ".join(self.category(c) for c in cats))]))
            paragraphs.append(self.para("14-2-f", [_t("text", "sources", self.lang,
                                                      sources="; ".join(self.party(p) for p in parties))]))
            when = []
            for act, _ in per_act:
                if act.information is None:
                    when.append(f"{self.name(act)}: " + self.gap(
                        "14-3", sid, f"activity:{act.id}", (), f"activities/{act.id}.yaml information",
                        "data come from others but the register does not say how and when the data subject is told"))
                else:
                    when.append(_t("text", "inform-when", self.lang, activity=self.name(act),
                                   how=_sentence(act.information.how.get(self.lang)), when=act.information.when))
            paragraphs.append(self.para("14-3", when))
        else:
            paragraphs.append(self.para("14-1-d", [_t("text", "all-from-you", self.lang)]))
            paragraphs.append(self.para("14-2-f", [_t("text", "all-from-you", self.lang)]))
            paragraphs.append(self.para("14-3", [_t("text", "all-from-you", self.lang)]))
        return Section(sid, label, tuple(paragraphs))


def build_statement(register: Register, language: str = "nl", as_of: dt.date | None = None) -> Statement:
    """The privacy statement of ``register`` in ``language`` ('nl' or 'en'), with the gaps to fill."""
    b = _Builder(register, language)
    org = register.organisation
    when = as_of or dt.date.today()
    if org.address:
        address = f", {org.address}"
    else:
        address = " " + b.gap("13-1-a", "", "organisation", ("address",), "organisation.yaml address",
                              "the controller's contact details need its address (GDPR art. 13(1)(a))")
    general = [b.para("13-1-a", [_t("text", "controller", language, org=org.name, contact=org.contact,
                                    address=address)])]
    if org.dpo_appointed:
        contact = org.dpo_contact or b.gap("13-1-b", "", "organisation", ("dpo_appointed",),
                                           "organisation.yaml dpo_contact",
                                           "a DPO is appointed but has no contact details")
        general.append(b.para("13-1-b", [_t("text", "dpo", language, contact=contact)]))
    else:
        general.append(b.para("13-1-b", [_t("text", "no-dpo", language, contact=org.contact)]))
    general.append(b.para("13-2-d", [_t("text", "complaint", language)]))
    order = list(register.catalogue.data_subjects)
    subjects = sorted({s for a in register.activities.values() for s in a.data_subjects},
                      key=lambda s: (order.index(s) if s in order else len(order), s))
    groups = []
    short = [_t("text", "short-who", language, org=org.name, contact=org.contact)]
    for sid in subjects:
        acts = [a for a in register.activities.values() if sid in a.data_subjects and str(a.role) != "processor"]
        if not acts:
            continue
        section = b.group(sid, acts)
        groups.append(section)
        purposes = "; ".join(dict.fromkeys(p.description.get(language)[:1].lower() + p.description.get(language)[1:]
                                           for a in acts for p in a.purposes))
        short.append(_t("text", "short-group", language, group=section.title, purposes=purposes))
    short.append(_t("text", "short-rights", language))
    return Statement(
        language=language, title=_t("text", "title", language, org=org.name),
        intro=_t("text", "generated", language, date=when.isoformat()),
        first_layer_title=_t("text", "layer-1", language), first_layer=tuple(short),
        details_title=_t("text", "layer-2", language),
        general=Section("general", _t("text", "general", language), tuple(general)),
        groups=tuple(groups), gaps=tuple(b.gaps), closing=_t("text", "changed", language))
