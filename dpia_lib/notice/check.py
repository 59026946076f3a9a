"""The gap check of a published privacy statement against the register (GDPR arts. 13 and 14).

The statement is read as lines (plain text or Markdown as is; HTML through BeautifulSoup, with the source
line of each text; PDF through pypdf, as ``page:line``). Two kinds of verdict follow, each with its
evidence (the statement's lines and the register's files and lines):

- per article item (arts. 13(1)(a)-(f), 13(2)(a)-(f), 14(1)(d), 14(2)(f)): *covered* when one line, or
  lines within a small window, name every term set the item needs (``data/notice_vocabulary.yaml``);
  *missing* otherwise; *not applicable* when the register has nothing the item would describe;
- per register fact: each recipient, source, data category, legal basis, the BSN's statutory basis and
  each category's retention period must be named (*missing* if not); a statement that lists the bases it
  relies on without one the register uses, or promises consent for disclosures the register grounds
  otherwise, *contradicts* the register.

Matching is plain word matching, case- and accent-insensitive, with the Dutch and English labels of our
catalogues, the register's names and the vocabulary's synonyms: simple enough to explain every verdict.

>>> normalise("Cliënt-portaal, BSN!")
' client portaal bsn '
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dpia_lib.errors import DpiaError
from dpia_lib.flows import flow_graph
from dpia_lib.law import LegalBasis, citation
from dpia_lib.legal import national_identifiers
from dpia_lib.notice.citations import article, identifier_statutes
from dpia_lib.notice.statement import is_recipient, notice_labels, period_text
from dpia_lib.register import Register
from dpia_lib.rules.lawfulness import statute_cited

__all__ = ["CheckReport", "CheckVerdict", "check_statement", "normalise", "read_statement"]

_VOCABULARY = Path(__file__).resolve().parent.parent.parent / "data" / "notice_vocabulary.yaml"
_PERIOD = (r"(?<![a-z0-9])\d+ (dag|dagen|week|weken|maand|maanden|jaar|jaren|day|days|weeks|month|months|"
           r"year|years)(?![a-z0-9])")
ITEM_ORDER = ("13-1-a", "13-1-b", "13-1-c", "13-1-d", "13-1-e", "13-1-f", "13-2-a", "13-2-b", "13-2-c",
              "13-2-d", "13-2-e", "13-2-f", "14-1-d", "14-2-f")


@cache
def _vocabulary(path: Path = _VOCABULARY) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation as spaces, padded with one space each side."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split()) + " "


@cache
def _pattern(term: str) -> re.Pattern[str]:
    words = normalise(term).strip()
    tail = r"(?![a-z0-9])" if len(words) <= 4 else ""
    return re.compile(r"(?<![a-z0-9])" + re.escape(words) + tail)


@dataclass(frozen=True)
class Line:
    """One line of the statement: its label (a number, or ``page:line`` in a PDF) and text."""

    label: str
    text: str
    norm: str


def read_statement(path: Path | str) -> list[Line]:
    """The statement at ``path`` as lines (``.html``/``.htm``, ``.pdf`` or text)."""
    source = Path(path)
    suffix = source.suffix.lower()
    try:
        if suffix in (".html", ".htm"):
            from bs4 import BeautifulSoup

            soup = BeautifulSoup(source.read_text(encoding="utf-8"), "html.parser")
            for tag in soup(["script", "style", "head"]):
                tag.decompose()
            pairs: list[tuple[str, str]] = []
            for block in soup.find_all(["h1", "h2", "h3", "h4", "h5", "p", "li", "summary", "td", "th", "dt", "dd"]):
                if block.find(["p", "li", "ul", "ol", "table"]):
                    continue  # the inner blocks carry the text
                text = " ".join(block.get_text(" ").split())
                if text:
                    pairs.append((str(block.sourceline or 0), text))
        elif suffix == ".pdf":
            from pypdf import PdfReader

            pairs = []
            for page_no, page in enumerate(PdfReader(str(source)).pages, start=1):
                for line_no, text in enumerate((page.extract_text() or "").splitlines(), start=1):
                    if text.strip():
                        pairs.append((f"{page_no}:{line_no}", text.strip()))
        else:
            pairs = [(str(i), text) for i, text in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DpiaError(f"{source}: cannot read the statement ({exc})") from None
    return [Line(label, text, normalise(text)) for label, text in pairs]


@dataclass(frozen=True)
class CheckVerdict:
    """One verdict with its evidence."""

    key: str
    item: str
    title: str
    verdict: str
    reason: str
    statement: tuple[tuple[str, str], ...] = ()
    register: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"key": self.key, "item": self.item, "title": self.title, "verdict": self.verdict,
                "reason": self.reason,
                "statement": [{"line": line, "text": text} for line, text in self.statement],
                "register": list(self.register)}


@dataclass(frozen=True)
class CheckReport:
    """Every verdict on one statement."""

    statement: str
    language: str
    verdicts: tuple[CheckVerdict, ...]

    @property
    def failed(self) -> bool:
        """True when something is missing or contradicts the register."""
        return any(v.verdict in ("missing", "contradicts") for v in self.verdicts)

    def counts(self) -> dict[str, int]:
        """How many verdicts of each kind."""
        out = {"covered": 0, "missing": 0, "contradicts": 0, "not-applicable": 0}
        for v in self.verdicts:
            out[v.verdict] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"statement": self.statement, "failed": self.failed, "counts": self.counts(),
                "verdicts": [v.as_dict() for v in self.verdicts]}

    def format(self) -> str:
        """The report as text: one line per verdict, its evidence indented below."""
        words = notice_labels()["check"]
        lang = self.language
        out = []
        for v in self.verdicts:
            head = f"{words[v.verdict][lang].upper():<20} {v.item + ' ' if v.item else ''}{v.title}"
            out.append(head)
            out.append(f"{'':<21}{v.reason}")
            for line, text in v.statement:
                out.append(f"{'':<21}{words['statement'][lang]} {self.statement}:{line}: {_excerpt(text)}")
            for ref in v.register:
                out.append(f"{'':<21}{words['register'][lang]} {ref}")
        c = self.counts()
        out.append(words["summary"][lang].format(covered=c["covered"], missing=c["missing"],
                                                 contradicts=c["contradicts"], na=c["not-applicable"]))
        return "\n".join(out)


def _excerpt(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class _Check:
    register: Register
    lines: list[Line]
    lang: str
    verdicts: list[CheckVerdict] = field(default_factory=list)

    def w(self, key: str, **values: Any) -> str:
        text = str(notice_labels()["check"][key][self.lang])
        return text.format(**values) if values else text

    def find(self, terms: Iterable[str]) -> list[int]:
        patterns = [_PERIOD_RE if t == "{period}" else _pattern(t) for t in terms if normalise(t).strip()]
        return [i for i, line in enumerate(self.lines) if any(p.search(line.norm) for p in patterns)]

    def near(self, index: int, terms: Iterable[str], window: int) -> int | None:
        hits = set(self.find(terms))
        for j in sorted(range(max(0, index - window), min(len(self.lines), index + window + 1)),
                        key=lambda j: abs(j - index)):
            if j in hits:
                return j
        return None

    def ev(self, *indexes: int | None) -> tuple[tuple[str, str], ...]:
        seen = dict.fromkeys(i for i in indexes if i is not None)
        return tuple((self.lines[i].label, self.lines[i].text) for i in seen)

    def loc(self, key: str, *path: str | int) -> str:
        file, line, _ = self.register.locate(key, path)
        return f"{file}:{line}"

    def add(self, key: str, item: str, title: str, verdict: str, reason: str,
            statement: tuple[tuple[str, str], ...] = (), register: Sequence[str] = ()) -> None:
        self.verdicts.append(CheckVerdict(key, article(item, self.lang) if item else "", title, verdict, reason,
                                          statement, tuple(dict.fromkeys(register))))


_PERIOD_RE = re.compile(_PERIOD)


def _sets_match(c: _Check, sets: list[list[str]], window: int) -> tuple[int, ...] | None:
    for i in c.find(sets[0]):
        found = [i]
        for terms in sets[1:]:
            j = c.near(i, terms, window)
            if j is None:
                break
            found.append(j)
        else:
            return tuple(found)
    return None


def _code(text: str) -> str:
    """'GDPR art. 6(1)(c)' as the article code '6-1-c'."""
    m = re.search(r"art\. (\d+)((?:\(\w+\))*)", text)
    return "-".join([m.group(1), *re.findall(r"\((\w+)\)", m.group(2))]) if m else text


def _names(name: str) -> list[str]:
    """A party's name and its parts around parentheses: 'Opdrachtgever (werkgever)' gives three terms."""
    parts = [name] + [p.strip() for p in re.split(r"[()]", name) if len(p.strip()) > 2]
    return list(dict.fromkeys(parts))


def check_statement(register: Register, path: Path | str, language: str = "nl") -> CheckReport:
    """Check the statement at ``path`` against ``register``; report text in ``language``."""
    lines = read_statement(path)
    c = _Check(register, lines, language)
    vocab = _vocabulary()
    window = int(vocab["window"])
    org = register.organisation
    acts = [a for a in register.activities.values() if str(a.role) != "processor"]
    G = flow_graph(register)
    items = notice_labels()["items"]
    cat = register.catalogue

    bases_used: dict[str, list[str]] = {}
    for a in acts:
        for i, p in enumerate(a.purposes):
            if p.basis is not None:
                bases_used.setdefault(p.basis.value, []).append(c.loc(f"activity:{a.id}", "purposes", i, "basis"))
    sources: dict[str, list[str]] = {}
    recipients: dict[str, list[str]] = {}
    for a in acts:
        for i, flow in enumerate(a.flows):
            if flow.target == a.id and flow.source in register.parties and flow.source != "data-subject":
                sources.setdefault(flow.source, []).append(c.loc(f"activity:{a.id}", "flows", i))
        for _, v in G.out_edges(a.id):
            if is_recipient(register, v):
                idx = next((i for i, f in enumerate(a.flows) if f.target == v), None)
                spot = c.loc(f"activity:{a.id}", "flows", idx) if idx is not None else \
                    c.loc(f"activity:{a.id}", "systems")
                recipients.setdefault(v, []).append(spot)
    na_reasons = {
        "13-1-b": None if org.dpo_appointed else (c.w("dpo-none"), c.loc("organisation", "dpo_appointed")),
        "13-1-d": None if "legitimate-interests" in bases_used else (c.w("no-f"), ""),
        "13-1-f": None if any(a.transfers for a in acts) else (c.w("no-transfers"), ""),
        "13-2-c": None if "consent" in bases_used else (c.w("no-consent"), ""),
        "13-2-f": None if any(a.automated_decisions or a.profiling for a in acts) else (c.w("no-automated"), ""),
        "14-1-d": None if sources else (c.w("no-sources"), ""),
        "14-2-f": None if sources else (c.w("no-sources"), ""),
    }
    # -- article items ---------------------------------------------------------------------------------
    for item in ITEM_ORDER:
        spec = vocab["items"][item]
        title = items[item][language]
        na = na_reasons.get(item)
        if na is not None:
            c.add(f"item:{item}", item, title, "not-applicable", c.w("item-na", why=na[0]),
                  register=[na[1]] if na[1] else [])
            continue
        sets = [[org.name if t == "{org}" else t for t in terms] for terms in spec["sets"]]
        hit = _sets_match(c, sets, int(spec.get("window", window)))
        looked = " + ".join("/".join(c.w("a-period") if t == "{period}" else t for t in group[:3]) for group in sets)
        if hit is not None:
            c.add(f"item:{item}", item, title, "covered", c.w("item-covered", terms=looked), c.ev(*hit))
        else:
            c.add(f"item:{item}", item, title, "missing", c.w("item-missing", terms=looked))
    # -- legal bases -----------------------------------------------------------------------------------
    enumerations = [i for i in c.find(vocab["bases_word"])
                    if sum(1 for terms in vocab["bases"].values() if c.near(i, terms, 0) is not None) >= 2]
    for basis, where in sorted(bases_used.items()):
        terms = vocab["bases"][basis]
        name = notice_labels()["bases"][basis][language]
        title = c.w("basis", name=name, citation=article(_code(citation(LegalBasis(basis))), language))
        hits = c.find(terms)
        omitted = [i for i in enumerations if c.near(i, terms, 0) is None]
        if omitted:
            c.add(f"basis:{basis}", "13-1-c", title, "contradicts",
                  c.w("bases-enumerated", line=lines[omitted[0]].label),
                  c.ev(omitted[0], *(hits[:1])), where)
        elif hits:
            c.add(f"basis:{basis}", "13-1-c", title, "covered", name, c.ev(hits[0]), where[:1])
        else:
            c.add(f"basis:{basis}", "13-1-c", title, "missing", c.w("not-named", terms=", ".join(terms[:3])),
                  register=where)
    # -- BSN -------------------------------------------------------------------------------------------
    for a in acts:
        ids = national_identifiers(register, a)
        if not ids:
            continue
        statutes = identifier_statutes(register, a)
        where = [c.loc(f"activity:{a.id}", "categories", a.categories.index(ids[0]))] + [
            c.loc(f"activity:{a.id}", "purposes", i, "basis_source") for i, p in enumerate(a.purposes)
            if statute_cited(register, p.basis_source)]
        title = c.w("bsn", sources="; ".join(statutes) or "—")
        terms = vocab["categories"].get(ids[0], []) + [cat.categories[ids[0]].label.nl, cat.categories[ids[0]].label.en]
        hits = c.find(terms)
        statutory = next(((i, j) for i in hits if (j := c.near(i, vocab["statutory"], window)) is not None), None)
        if statutory:
            c.add(f"bsn:{a.id}", "13-1-c", title, "covered", a.name.get(language), c.ev(*statutory), where)
        elif hits:
            c.add(f"bsn:{a.id}", "13-1-c", title, "missing", c.w("no-statute"), c.ev(hits[0]), where)
        else:
            c.add(f"bsn:{a.id}", "13-1-c", title, "missing", c.w("not-named", terms=", ".join(terms[:3])),
                  register=where)
    # -- parties ---------------------------------------------------------------------------------------
    for kind, table, words, what in (("recipient", recipients, vocab["disclosure"], c.w("as-recipient")),
                                     ("source", sources, vocab["source_words"], c.w("as-source"))):
        for pid, where in sorted(table.items()):
            party = register.parties[pid]
            name = party.name.get(language)
            terms = _names(party.name.nl) + _names(party.name.en) + vocab["party_kinds"].get(str(party.kind), [])
            hits = c.find(terms)
            context = next(((i, j) for i in hits if (j := c.near(i, words, 0)) is not None), None)
            item = "13-1-e" if kind == "recipient" else "14-2-f"
            title = c.w(kind, name=name)
            refs = [c.loc(f"party:{pid}"), *where]
            if context:
                c.add(f"{kind}:{pid}", item, title, "covered", name, c.ev(*context), refs[:2])
            elif hits:
                c.add(f"{kind}:{pid}", item, title, "missing",
                      c.w("not-named-context", what=what, line=", ".join(lines[h].label for h in hits[:3])),
                      c.ev(*hits[:3]), refs)
            else:
                c.add(f"{kind}:{pid}", item, title, "missing", c.w("not-named", terms=", ".join(terms[:4])),
                      register=refs)
    # -- categories and retention ---------------------------------------------------------------------
    processed: dict[str, list[str]] = {}
    periods: dict[str, dict[str, list[str]]] = {}
    for a in acts:
        for i, x in enumerate(a.categories):
            processed.setdefault(x, []).append(c.loc(f"activity:{a.id}", "categories", i))
        for x, r in a.retention.items():
            periods.setdefault(x, {}).setdefault(r.period, []).append(c.loc(f"activity:{a.id}", "retention", x))
    from_others = {x for a in acts for f in a.flows if f.target == a.id and f.source in sources for x in f.categories}
    for x, where in sorted(processed.items()):
        label = cat.categories[x].label if x in cat.categories else None
        terms = ([label.nl, label.en] if label else [x]) + vocab["categories"].get(x, [])
        name = label.get(language) if label else x
        hits = c.find(terms)
        item = "14-1-d" if x in from_others else ""
        if hits:
            c.add(f"category:{x}", item, c.w("category", name=name), "covered", name, c.ev(hits[0]), where[:1])
        else:
            c.add(f"category:{x}", item, c.w("category", name=name), "missing",
                  c.w("not-named", terms=", ".join(terms[:3])), register=where)
        if x not in periods:
            continue
        texts = sorted({period_text(p, lang) for p in periods[x] for lang in ("nl", "en")})
        shown = ", ".join(period_text(p, language) for p in sorted(periods[x]))
        refs = [ref for refs in periods[x].values() for ref in refs]
        pair = next(((i, j) for i in hits if (j := c.near(i, texts, window)) is not None), None)
        title = c.w("retention", name=name, periods=shown)
        if pair:
            c.add(f"retention:{x}", "13-2-a", title, "covered", shown, c.ev(*pair), refs[:1])
        else:
            c.add(f"retention:{x}", "13-2-a", title, "missing", c.w("no-period"), c.ev(*hits[:1]), refs)
    # -- promises of consent ---------------------------------------------------------------------------
    for i in c.find(vocab["consent_promise"]):
        named = {pid for pid in recipients if c.near(i, _names(register.parties[pid].name.nl) +
                 _names(register.parties[pid].name.en) +
                 vocab["party_kinds"].get(str(register.parties[pid].kind), []), 0) is not None}
        for pid in sorted(named or recipients):
            if str(register.parties[pid].role) == "processor":
                continue
            grounds: dict[str, list[str]] = {}
            for a in acts:
                for k, f in enumerate(a.flows):
                    if f.target == pid and f.ground is not None and f.ground.basis.value != "consent":
                        grounds.setdefault(f.ground.basis.value, []).append(c.loc(f"activity:{a.id}", "flows", k))
            if grounds:
                names = ", ".join(notice_labels()["bases"][b][language] for b in sorted(grounds))
                c.add(f"promise:{pid}:{lines[i].label}", "13-1-e",
                      c.w("consent-promise", name=register.parties[pid].name.get(language), bases=names),
                      "contradicts", c.w("promise"), c.ev(i), [r for refs in grounds.values() for r in refs])
    return CheckReport(str(path), language, tuple(c.verdicts))

