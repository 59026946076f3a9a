"""The personal-data scanner: the register describes processing and must never hold client data.

:func:`scan_text` flags strings that look like personal data of a person, with file, line and column:

- ``personal-data-bsn``: nine digits (plain or grouped ``123.456.782``, ``123 456 782``, ``123-456-782``)
  that pass the BSN "11-proef" (``python-stdnum``; UAVG art. 46 restricts the BSN; it has no place in a
  register). Not an amount (``111.222.333 euro``, ``€ 111.222.333``, ``111.222.333,00``) nor a number
  right after a legal or article reference (``art.``, ``artikelnummer``, ``Stcrt.``, ``Stb.``,
  ``Kamerstukken``, ``ECLI``), unless a word for BSN precedes it;
- ``personal-data-email``: an e-mail address whose local part is not a role mailbox. Role mailboxes
  (``privacy@``, ``info@``, ``dpo@`` …, see :data:`ROLE_MAILBOXES`) name a function, not a person, and
  are allowed: the register must give the controller's contact (GDPR art. 30(1)(a)). Anything else
  (``j.jansen@``) is treated as a person's address, also on example domains, so the rule is simple;
- ``personal-data-phone``: a Dutch phone number of ten digits in the usual notations (``06-12345678``,
  ``06.12.34.56.78``, ``(020) 123 4567``, ``020-1234567``, ``+31 (0)20 123 4567``, ``0031 6 …``). The
  scanner cannot tell a switchboard from a person's direct line, so an office number is flagged too;
  a number that may stay (the organisation's switchboard) is listed in the allow-list below;
- ``personal-data-iban``: an IBAN, in capitals or not, that passes its country's format and the ISO
  13616 mod-97 check (``python-stdnum``);
- ``personal-data-birth-date``: a date right after a word for birth (``geboren``, ``geb.``,
  ``geboortedatum``, ``born``, ``date of birth``, ``birth_date``, ``dob`` …, in lower case, Capitalised
  or UPPER CASE), with at most a few words
  and no other number, comma or semicolon between: ``geb. 3 mrt 1980``, ``geboren 03-03-80``, ``born
  March 3, 1980``. Compounds that are not a birth date (``geboorteverlof 01-07-2020``, birth leave) and
  dates elsewhere on the line are not flagged.

Recourse for a false positive: the organisation's own RSIN and KvK number, declared as ``rsin`` and
``kvk`` in ``organisation.yaml``, are allowed, and so is every value listed in ``scan-allow.yaml`` in the
register folder (see :class:`AllowEntry`: the value, why it may stay, the role who decided, the date).

The matched value is masked in the message, so the scanner never spreads what it found; :func:`mask_text`
masks every hit in a text (the audit log is written masked).

>>> [p.code for p in scan_text("bsn: 111222333\\nmail: privacy@example.nl\\nx: j.jansen@example.nl\\n", "f")]
['personal-data-bsn', 'personal-data-email']
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import Field, StringConstraints
from stdnum import iban as _stdnum_iban
from stdnum.nl import bsn as _stdnum_bsn

from dpia_lib.diagnostics import PROBLEM_CODES, Problem
from dpia_lib.records import Id, Record, ShortText
from dpia_lib.yamlio import Locator, format_loc, parse_yaml, read_text

__all__ = [
    "ALLOW_FILE",
    "ROLE_MAILBOXES",
    "SCAN_CODES",
    "AllowEntry",
    "Allowance",
    "iban_valid",
    "is_bsn",
    "load_allowance",
    "mask_text",
    "scan_audit_log",
    "scan_register",
    "scan_text",
]

#: Every code the scanner reports, with what it means.
SCAN_CODES: dict[str, str] = {code: text for code, text in PROBLEM_CODES.items() if code.startswith("personal-data-")}

#: The register's allow-list of values the scanner may flag but that are not personal data.
ALLOW_FILE = "scan-allow.yaml"

#: Local parts of role mailboxes: they name a function, not a person, and may appear in the register.
ROLE_MAILBOXES: frozenset[str] = frozenset({
    "abuse", "admin", "administratie", "avg", "contact", "dpo", "fg", "finance", "gdpr", "helpdesk",
    "hr", "info", "klachten", "klantenservice", "marketing", "no-reply", "noreply", "office",
    "postmaster", "privacy", "sales", "secretariaat", "security", "service", "servicedesk", "support",
    "webmaster",
})

_BSN = re.compile(r"(?<![\w.,-])(\d{3})([. -]?)(\d{3})\2(\d{3})(?![\w-]|[.,]\d)")
#: Before a nine-digit number: it is an amount (the currency is right before it).
_AMOUNT_BEFORE = re.compile(r"(?:€|\beur|\beuro)\s*$", re.IGNORECASE)
#: After a nine-digit number: it is an amount (currency, or Dutch cents ``,00`` / ``,-``).
_AMOUNT_AFTER = re.compile(r"^(?:\s*(?:€|eur\b|euro)|,(?:\d|-))", re.IGNORECASE)
#: Before a nine-digit number: it is a legal or product reference, not a person's number.
_REFERENCE_BEFORE = re.compile(
    r"(?:\bart(?:ikel)?(?:nummer|nr)?\.?|\bart\.\s?nr\.?|\bstcrt\.?|\bstaatscourant|\bstb\.?|\bstaatsblad"
    r"|\btrb\.?|\bkamerstukken(?:\s+I{1,2})?|\bbwbr|\becli:[a-z:]*)[\s\d,/.:()-]*$",
    re.IGNORECASE,
)
#: A word for the BSN, which makes any valid nine digits after it a BSN whatever else precedes.
_BSN_WORD = re.compile(r"\b(?:bsn|burgerservicenummer|sofinummer|sofi-nummer)\b", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_PHONE = re.compile(
    r"(?<![\w+(])(?:"
    r"(?:\+31|0031)[ .-]?(?:\(0\)[ .-]?)?(?P<intl>[1-9](?:[ .-]?\d){8})"   # +31 6 12345678, +31 (0)20 ...
    r"|\((?P<area>0[1-9]\d{1,2})\)[ .-]?(?P<local>\d(?:[ .-]?\d){4,6})"    # (020) 123 4567
    r"|(?P<national>0[1-9](?:[ .-]?\d){8})"                                # 06-12345678, 06.12.34.56.78
    r")(?!\w|[.,-]?\d)"
)
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")
_IBAN_RUN = re.compile(r"[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,36}")
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october|"
    "jan|feb|febr|mrt|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_YEAR = r"(?:19|20)\d\d"
_DATE = (
    rf"(?:{_DAY}[-/.](?:0?[1-9]|1[0-2])[-/.](?:{_YEAR}|\d\d)"              # 03-03-1980, 3/3/80
    rf"|{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"                   # 1980-03-03
    rf"|{_DAY}\s+(?:{_MONTHS})\b\.?\s+{_YEAR}"                               # 3 mrt 1980, 3 March 1980
    rf"|(?:{_MONTHS})\b\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR})"           # March 3, 1980
)
#: A word for birth, then a few words without a number, comma or semicolon, then a date (group ``date``).
_BIRTH_DATE = re.compile(
    r"(?<![\w.])(?P<word>geboren|geb\.|geboortedatum|geboorte[ _-]datum|geboortedag|geboorte|verjaardag"
    r"|date[ _-]of[ _-]birth|birth[ _-]?date|birthday|birth|born|dob|d\.o\.b\.)(?![\w-])"
    rf"[^\d;,!?]{{0,30}}?(?<![\w.-])(?P<date>{_DATE})(?![\w]|[-/.]\d)",
    re.IGNORECASE,
)


class Hit(NamedTuple):
    """One flagged value on one line: its code, span (0-based columns), text and canonical form."""

    code: str
    start: int
    end: int
    value: str
    key: str


def is_bsn(digits: str) -> bool:
    """Whether nine digits pass the BSN 11-proef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11.

    >>> is_bsn("111222333"), is_bsn("123456789"), is_bsn("000000000")
    (True, False, False)
    """
    return len(digits) == 9 and digits.isdigit() and int(digits) != 0 and _stdnum_bsn.is_valid(digits)


def iban_valid(text: str) -> bool:
    """Whether ``text`` (spaces allowed, any case) is an IBAN with its country's format and mod-97 check.

    >>> iban_valid("NL91 ABNA 0417 1643 00"), iban_valid("nl91abna0417164300"), iban_valid("NL91ABNA0417164301")
    (True, True, False)
    """
    compact = text.replace(" ", "")
    return bool(re.fullmatch(r"[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}", compact)) and _stdnum_iban.is_valid(compact)


def _mask(value: str) -> str:
    keep = 2 if len(value) > 6 else 1
    return value[:keep] + "*" * max(len(value) - keep, 1)


def _ibans(line: str) -> Iterator[Hit]:
    """Valid IBANs on ``line``: the longest valid one from each start, ending where a word ends."""
    for start in _IBAN_START.finditer(line):
        run = _IBAN_RUN.match(line, start.start())
        if run is None:
            continue
        text = run.group(0)
        ends = [len(text)] if not line[run.end():run.end() + 1].isalnum() else []
        ends += [i for i in range(len(text) - 1, 14, -1) if text[i] == " "]
        for end in ends:
            if iban_valid(text[:end]):
                value = text[:end]
                yield Hit("personal-data-iban", run.start(), run.start() + end, value,
                          value.replace(" ", "").lower())
                break


def _phone_key(m: re.Match[str]) -> str | None:
    """The national ten-digit form of a phone match, or None when it has not ten digits."""
    if m.group("intl"):
        digits = "0" + re.sub(r"\D", "", m.group("intl"))
    elif m.group("area"):
        digits = m.group("area") + re.sub(r"\D", "", m.group("local"))
    else:
        digits = re.sub(r"\D", "", m.group("national"))
    return digits if len(digits) == 10 else None


def _hits(line: str) -> Iterator[Hit]:
    """Every hit on one line; digits inside an IBAN count only once."""
    ibans = list(_ibans(line))
    yield from ibans

    def free(m: re.Match[str]) -> bool:
        return not any(i.start <= m.start() < i.end for i in ibans)

    for m in _BSN.finditer(line):
        digits = m.group(1) + m.group(3) + m.group(4)
        if not free(m) or not is_bsn(digits):
            continue
        before, after = line[max(0, m.start() - 60):m.start()], line[m.end():m.end() + 8]
        if not _BSN_WORD.search(before) and (
                _AMOUNT_BEFORE.search(before) or _AMOUNT_AFTER.match(after) or _REFERENCE_BEFORE.search(before)):
            continue
        yield Hit("personal-data-bsn", m.start(), m.end(), m.group(0), digits)
    for m in _EMAIL.finditer(line):
        if m.group(1).lower() not in ROLE_MAILBOXES:
            yield Hit("personal-data-email", m.start(), m.end(), m.group(0), m.group(0).lower())
    for m in _PHONE.finditer(line):
        key = _phone_key(m)
        if free(m) and key is not None:
            yield Hit("personal-data-phone", m.start(), m.end(), m.group(0), key)
    for m in _BIRTH_DATE.finditer(line):
        if not any(form in m.group("word") for form in _BIRTH_FORMS):
            continue  # e.g. "DoB": only lower case, Capitalised and UPPER CASE words count (see _BIRTH_FORMS)
        date = m.group("date")
        yield Hit("personal-data-birth-date", m.start("date"), m.end("date"), date, re.sub(r"\s+", " ", date.lower()))


def _message(hit: Hit) -> str:
    masked = _mask(hit.value)
    if hit.code == "personal-data-iban":
        return f"looks like an IBAN (valid check digits): {masked!r}"
    if hit.code == "personal-data-bsn":
        return f"looks like a BSN (passes the 11-proef): {masked!r}"
    if hit.code == "personal-data-email":
        local, _, domain = hit.value.partition("@")
        return f"looks like a person's e-mail address: {_mask(local)}@{domain}; use a role mailbox such as privacy@"
    if hit.code == "personal-data-phone":
        return f"looks like a Dutch phone number: {masked!r}"
    return f"looks like a date of birth: {masked!r}"


def _normal(value: str) -> str:
    """A value as the allow-list compares it: lower case, without spaces, dots, hyphens, brackets, slashes."""
    return re.sub(r"[\s.\-()/]", "", value.lower())


class AllowEntry(Record):
    """One value the scanner may flag but that may stay in the register (a file ``scan-allow.yaml``).

    ``value`` is compared without case, spaces, dots, hyphens, brackets and slashes, so ``020-1234567``
    also allows ``(020) 123 4567``; ``*`` stands for any text (``*@example.nl``). A phone number may be
    written in its international form too (``+31 20 1234567``).
    """

    value: Annotated[str, StringConstraints(min_length=3, max_length=200)] = Field(
        description="The value as written, or a pattern with * (e.g. 020-1234567)")
    reason: ShortText = Field(description="Why it is not personal data (e.g. the office switchboard number)")
    who: Id = Field(description="The role that decided (a role in organisation.yaml)")
    date: dt.date = Field(description="When it was decided")


@dataclass(frozen=True)
class Allowance:
    """What the scanner lets pass: the organisation's own numbers and the allow-list's patterns.

    >>> allow = Allowance(numbers=frozenset({"111222333"}), patterns=(_normal("020-1234567"),))
    >>> [p.code for p in scan_text("rsin 111222333; tel (020) 123 4567; 06-12345678", "f", allow)]
    ['personal-data-phone']
    """

    numbers: frozenset[str] = frozenset()
    patterns: tuple[str, ...] = ()

    def allows(self, hit: Hit) -> bool:
        """Whether ``hit`` is one of the organisation's own numbers or matches an allow-list entry."""
        if hit.key in self.numbers:
            return True
        forms = {_normal(hit.value), _normal(hit.key)}
        if hit.code == "personal-data-phone":
            forms.add("+31" + hit.key[1:])
            forms.add("0031" + hit.key[1:])
        return any(fnmatch.fnmatchcase(form, pattern) for pattern in self.patterns for form in forms)


def _line_hits(line: str, allowance: Allowance | None = None) -> Iterator[tuple[str, int, str]]:
    """(code, 0-based column, message) for each hit on one line that ``allowance`` does not allow."""
    for hit in _hits(line):
        if allowance is None or not allowance.allows(hit):
            yield hit.code, hit.start, _message(hit)


# Cheap necessary conditions, one pass each over the whole text (each has a literal or a small character
# class first, which the regex engine scans for quickly): every hit of a pattern contains a match of its
# prefilter, and no pattern (nor prefilter) matches a line break, so only the lines these touch can
# hold a hit and the expensive patterns run on those lines alone.
_PREFILTERS = (
    # seven of a BSN's or phone number's digits, or the two digits after an IBAN's two letters
    re.compile(r"\d(?:(?<=[A-Za-z]{2}\d)\d|(?:[ .()-]{0,2}\d){6})"),
    re.compile("@"),                                   # an e-mail address
)
#: Every birth-date hit's word holds one of these (found with str.find, much faster than a regex ignoring case).
_BIRTH_FORMS = tuple(sorted({form for word in ("geb", "born", "birth", "dob", "d.o.b", "verjaardag")
                             for form in (word, word.capitalize(), word.upper())}))


def _offsets(text: str) -> list[int]:
    """Where in ``text`` a prefilter matches: every hit contains one of these positions' matches."""
    offsets = [m.start() for pattern in _PREFILTERS for m in pattern.finditer(text)]
    for form in _BIRTH_FORMS:
        found = text.find(form)
        while found != -1:
            offsets.append(found)
            found = text.find(form, found + 1)
    return offsets


def _candidate_lines(text: str) -> list[int]:
    """0-based numbers (in ``text.splitlines()``) of the lines that may hold a hit, ascending."""
    offsets = _offsets(text)
    if not offsets:
        return []
    starts = [0]  # where each line of text.splitlines() starts (it also splits on \r, \x85, \u2028 ...)
    position = 0
    for length in map(len, text.splitlines(keepends=True)):
        position += length
        starts.append(position)
    return sorted({bisect_right(starts, offset) - 1 for offset in offsets})


def scan_text(text: str, shown: str, allowance: Allowance | None = None) -> list[Problem]:
    """Every personal-data hit in ``text`` (the file ``shown``) that ``allowance`` does not allow, in line order.

    Only the lines a cheap prefilter flags are scanned with the full patterns; the result is the same
    as scanning every line.

    >>> [p.format() for p in scan_text("a: ok\\nb: bel 06-12345678\\n", "x.yaml")]
    ["x.yaml:2:8: personal-data-phone: looks like a Dutch phone number: '06*********'"]
    """
    problems: list[Problem] = []
    numbers = _candidate_lines(text)
    if not numbers:
        return problems
    lines = text.splitlines()
    for index in numbers:
        for code, column, message in sorted(_line_hits(lines[index], allowance), key=lambda h: (h[1], h[0])):
            problems.append(Problem(code, shown, index + 1, column + 1, "", message))
    return problems


def _scan_text_reference(text: str, shown: str) -> list[Problem]:
    """:func:`scan_text` the straightforward way (every line, every pattern), kept to test it against."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for code, column, message in sorted(_line_hits(line), key=lambda h: (h[1], h[0])):
            problems.append(Problem(code, shown, number, column + 1, "", message))
    return problems


def mask_text(text: str) -> str:
    """``text`` with every value the scanner flags masked (no allowance: the audit log keeps none).

    >>> mask_text('{"old": "bsn 111222333", "new": "bel 06.12.34.56.78"}')
    '{"old": "bsn 11*******", "new": "bel 06************"}'
    """
    if not _candidate_lines(text):
        return text
    out = []
    for line in text.splitlines(keepends=True):
        spans = sorted({(hit.start, hit.end) for hit in _hits(line)}, reverse=True)
        for start, end in spans:
            line = line[:start] + _mask(line[start:end]) + line[end:]
        out.append(line)
    return "".join(out)


def load_allowance(register_dir: Path | str, texts: Mapping[str, str] | None = None) -> tuple[Allowance, list[Problem]]:
    """The register's allowance: ``rsin`` and ``kvk`` of ``organisation.yaml`` and the entries of
    ``scan-allow.yaml`` (if present), with every problem of that file (file, line, field).

    An entry's ``who`` must be a role of ``organisation.yaml``. Problems of ``organisation.yaml`` itself
    are the loader's to report. ``texts``: the register's files in memory, by path relative to
    ``register_dir`` (see :func:`dpia_lib.loading.read_register`), read instead of the disk's.
    """
    from dpia_lib.loading import _Reader, given_texts

    root = Path(register_dir)
    numbers: set[str] = set()
    roles: set[str] | None = None
    if texts is not None:
        text = texts.get("organisation.yaml")
    else:
        text, _ = read_text(root / "organisation.yaml", str(root / "organisation.yaml"), root=root)
    org: Any = parse_yaml(text, "organisation.yaml")[0] if text is not None else None
    if isinstance(org, dict):
        for key, width in (("rsin", 9), ("kvk", 8)):
            value = org.get(key)
            if type(value) is int:
                numbers.add(f"{value:0{width}d}")
            elif isinstance(value, str):
                numbers.add(re.sub(r"\D", "", value))
        if isinstance(org.get("roles"), list):
            roles = {str(r["id"]) for r in org["roles"] if isinstance(r, dict) and "id" in r}
    path = root / ALLOW_FILE
    if (ALLOW_FILE not in texts) if texts is not None else (not path.exists() and not path.is_symlink()):
        return Allowance(frozenset(numbers)), []
    reader = _Reader(root=root, given=given_texts(root, texts))
    entries = reader.entries(path, "allow", AllowEntry, "scan allow-list entry")
    problems = list(reader.problems)
    patterns = []
    for i, entry in entries:
        if roles is not None and entry.who not in roles:
            loc: tuple[str | int, ...] = ("allow", i, "who")
            line, column = Locator(reader.texts[str(path)]).position(loc)
            problems.append(Problem("unknown-reference", str(path), line, column, format_loc(loc),
                                    f"unknown role {entry.who!r}; the roles are in organisation.yaml"))
        patterns.append(_normal(entry.value))
    return Allowance(frozenset(numbers), tuple(patterns)), problems


def _audit_lines(path: Path) -> Iterable[str]:
    """The lines of the audit log, read a line at a time (the log only grows; it is never read whole)."""
    with open(path, "rb") as handle:
        for raw in handle:
            yield raw.decode("utf-8", "replace").rstrip("\r\n")


def scan_audit_log(register_dir: Path | str, allowance: Allowance | None = None) -> list[Problem]:
    """Personal data in the register's audit log (``audit.log.jsonl``), by line.

    New entries are written masked (:mod:`dpia_lib.editing.audit`); this finds what older entries hold.
    """
    from dpia_lib.editing.audit import AUDIT_FILE

    path = Path(register_dir) / AUDIT_FILE
    shown = str(path)
    problems: list[Problem] = []
    try:
        if not path.is_file():
            return problems
        for number, line in enumerate(_audit_lines(path), start=1):
            if _offsets(line):
                for code, column, message in sorted(_line_hits(line, allowance), key=lambda h: (h[1], h[0])):
                    problems.append(Problem(code, shown, number, column + 1, "",
                                            message + "; the audit log keeps it: remove it from that line"))
    except OSError:
        return problems
    return problems


def scan_register(register_dir: Path | str = "ropa") -> list[Problem]:
    """Scan every ``*.yaml`` file under the register directory (comments included) and the audit log.

    The organisation's own RSIN and KvK number and the values in ``scan-allow.yaml`` are let pass
    (:func:`load_allowance`); problems of the allow-list file are reported too. Files that cannot be
    read as UTF-8, and anything but regular files inside the register, are skipped here; the loader
    reports them.

    >>> from dpia_lib.loading import DEFAULT_DATA_DIR
    >>> scan_register(DEFAULT_DATA_DIR.parent / "ropa")
    []
    """
    root = Path(register_dir)
    problems: list[Problem] = []
    if not root.is_dir():
        return problems
    allowance, problems = load_allowance(root)
    for path in sorted(root.rglob("*.yaml")):
        text, _ = read_text(path, str(path), root=root)
        if text is not None:
            problems += scan_text(text, str(path), allowance)
    return problems + scan_audit_log(root, allowance)
