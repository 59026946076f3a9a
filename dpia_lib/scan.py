"""The personal-data scanner: the register describes processing and must never hold client data.

:func:`scan_text` flags strings that look like personal data of a person, with file, line and column:

- ``personal-data-bsn``: nine digits (optionally grouped ``123.456.782`` or ``123 456 782``) that pass the
  BSN "11-proef" (UAVG art. 46 restricts the BSN; it has no place in a register);
- ``personal-data-email``: an e-mail address whose local part is not a role mailbox. Role mailboxes
  (``privacy@``, ``info@``, ``dpo@`` …, see :data:`ROLE_MAILBOXES`) name a function, not a person, and
  are allowed: the register must give the controller's contact (GDPR art. 30(1)(a)). Anything else
  (``j.jansen@``) is treated as a person's address, also on example domains, so the rule is simple;
- ``personal-data-phone``: a Dutch phone number (``06-12345678``, ``+31 20 123 4567``, ``0031…``);
  service numbers (0800/0900 with 4 or 7 digits) are flagged only when they have ten digits;
- ``personal-data-iban``: an IBAN that passes the ISO 13616 mod-97 check;
- ``personal-data-birth-date``: a date on a line that speaks of birth (``geboren``, ``geboortedatum``,
  ``born``, ``date of birth``, ``dob``, ``birth_date``).

The matched value is masked in the message, so the scanner never spreads what it found.

>>> [p.code for p in scan_text("bsn: 111222333\\nmail: privacy@example.nl\\nx: j.jansen@example.nl\\n", "f")]
['personal-data-bsn', 'personal-data-email']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path

from dpia_lib.diagnostics import PROBLEM_CODES, Problem
from dpia_lib.yamlio import read_text

__all__ = [
    "ROLE_MAILBOXES",
    "SCAN_CODES",
    "iban_valid",
    "is_bsn",
    "scan_register",
    "scan_text",
]

#: Every code the scanner reports, with what it means.
SCAN_CODES: dict[str, str] = {code: text for code, text in PROBLEM_CODES.items() if code.startswith("personal-data-")}

#: Local parts of role mailboxes: they name a function, not a person, and may appear in the register.
ROLE_MAILBOXES: frozenset[str] = frozenset({
    "abuse", "admin", "administratie", "avg", "contact", "dpo", "fg", "finance", "gdpr", "helpdesk",
    "hr", "info", "klachten", "klantenservice", "marketing", "no-reply", "noreply", "office",
    "postmaster", "privacy", "sales", "secretariaat", "security", "service", "servicedesk", "support",
    "webmaster",
})

_BSN = re.compile(r"(?<![\w.,-])(\d{3})([. ]?)(\d{3})\2(\d{3})(?![\w,-]|\.\d)")
_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_PHONE = re.compile(r"(?<![\w+])(?:\+31|0031|0)(?:[ -]?\(0\))?((?:[ -]?\d){9})(?![\d])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})(?![A-Za-z0-9])")
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october"
)
_DATE = re.compile(
    rf"(?<!\d)(?:\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:19|20)\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}} (?:{_MONTHS}) (?:19|20)\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_BIRTH = re.compile(r"geboren|geboorte|\bgeb\.|born|birth|\bdob\b", re.IGNORECASE)


def is_bsn(digits: str) -> bool:
    """Whether nine digits pass the BSN 11-proef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11.

    >>> is_bsn("111222333"), is_bsn("123456789"), is_bsn("000000000")
    (True, False, False)
    """
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1)))
    return total % 11 == 0


def iban_valid(text: str) -> bool:
    """Whether ``text`` (spaces allowed) is an IBAN passing the mod-97 check of ISO 13616.

    >>> iban_valid("NL91 ABNA 0417 1643 00"), iban_valid("NL91ABNA0417164301")
    (True, False)
    """
    compact = text.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def _mask(value: str) -> str:
    keep = 2 if len(value) > 6 else 1
    return value[:keep] + "*" * max(len(value) - keep, 1)


def _line_hits(line: str) -> Iterator[tuple[str, int, str]]:
    """(code, 0-based column, what) for each hit on one line; digits inside an IBAN count only once."""
    ibans = [m for m in _IBAN.finditer(line) if iban_valid(m.group(1))]
    for m in ibans:
        yield "personal-data-iban", m.start(), f"looks like an IBAN (valid check digits): {_mask(m.group(1))!r}"

    def free(m: re.Match[str]) -> bool:
        return not any(i.start() <= m.start() < i.end() for i in ibans)

    for m in _BSN.finditer(line):
        if free(m) and is_bsn(m.group(1) + m.group(3) + m.group(4)):
            yield "personal-data-bsn", m.start(), f"looks like a BSN (passes the 11-proef): {_mask(m.group(0))!r}"
    for m in _EMAIL.finditer(line):
        if m.group(1).lower() not in ROLE_MAILBOXES:
            yield ("personal-data-email", m.start(),
                   (f"looks like a person's e-mail address: {_mask(m.group(1))}@{m.group(2)!s}; "
                   "use a role mailbox such as privacy@"))
    for m in _PHONE.finditer(line):
        if free(m):
            yield "personal-data-phone", m.start(), f"looks like a Dutch phone number: {_mask(m.group(0))!r}"
    if _BIRTH.search(line):
        for m in _DATE.finditer(line):
            yield "personal-data-birth-date", m.start(), f"looks like a date of birth: {_mask(m.group(0))!r}"


# Cheap necessary conditions, one pass each over the whole text (each has a literal or a small character
# class first, which the regex engine scans for quickly): every hit of a pattern contains a match of its
# prefilter, and no pattern (nor prefilter) matches a line break, so only the lines these touch can
# hold a hit and the expensive patterns run on those lines alone.
_PREFILTERS = (
    re.compile(r"[A-Z][A-Z]\d\d"),            # an IBAN starts with two capitals and two digits
    re.compile(r"\d(?:[ .-]?\d){8}"),         # a BSN's or phone number's nine digits, separators allowed
    re.compile(r"(?:19|20)\d\d"),             # the year in every date form of _DATE
    re.compile("@"),                          # an e-mail address
)


def _candidate_lines(text: str) -> list[int]:
    """0-based numbers (in ``text.splitlines()``) of the lines that may hold a hit, ascending."""
    offsets = [m.start() for pattern in _PREFILTERS for m in pattern.finditer(text)]
    if not offsets:
        return []
    starts = [0]  # where each line of text.splitlines() starts (it also splits on \r, \x85, \u2028 ...)
    position = 0
    for length in map(len, text.splitlines(keepends=True)):
        position += length
        starts.append(position)
    return sorted({bisect_right(starts, offset) - 1 for offset in offsets})


def scan_text(text: str, shown: str) -> list[Problem]:
    """Every personal-data hit in ``text`` (the file ``shown``), in line order.

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
        for code, column, message in sorted(_line_hits(lines[index]), key=lambda h: (h[1], h[0])):
            problems.append(Problem(code, shown, index + 1, column + 1, "", message))
    return problems


def _scan_text_reference(text: str, shown: str) -> list[Problem]:
    """:func:`scan_text` the straightforward way (every line, every pattern), kept to test it against."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for code, column, message in sorted(_line_hits(line), key=lambda h: (h[1], h[0])):
            problems.append(Problem(code, shown, number, column + 1, "", message))
    return problems


def scan_register(register_dir: Path | str = "ropa") -> list[Problem]:
    """Scan every ``*.yaml`` file under the register directory (comments included), sorted by file.

    Files that cannot be read as UTF-8 are skipped here; the loader reports them.

    >>> from dpia_lib.loading import DEFAULT_DATA_DIR
    >>> scan_register(DEFAULT_DATA_DIR.parent / "ropa")
    []
    """
    root = Path(register_dir)
    problems: list[Problem] = []
    if not root.is_dir():
        return problems
    for path in sorted(root.rglob("*.yaml")):
        if not path.is_file():
            continue
        text, _ = read_text(path, str(path))
        if text is not None:
            problems += scan_text(text, str(path))
    return problems
