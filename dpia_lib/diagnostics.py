"""Problems found while loading a register: where (file, line, column, field) and why (code, message).

Codes are stable kebab-case strings; see :data:`PROBLEM_CODES`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["PROBLEM_CODES", "Problem", "printable", "suggest"]

#: Every code a :class:`Problem` can carry, with what it means.
PROBLEM_CODES: dict[str, str] = {
    "yaml-syntax": "the file is not well-formed YAML (or uses a YAML feature the register forbids)",
    "bad-encoding": "the file is not UTF-8 text",
    "file-too-large": "the file exceeds the size limit for a register file",
    "duplicate-key": "a mapping holds the same key twice",
    "unknown-key": "a key the schema does not know (never silently dropped)",
    "missing-field": "a required field is absent",
    "bad-value": "a value of the wrong type or outside its vocabulary",
    "unknown-reference": "an id that points to no party, activity, category, measure or other entry",
    "duplicate-id": "two entries share one id",
    "id-mismatch": "a file's name does not match the id it holds",
    "missing-file": "a file the register needs is absent",
    "art9-condition-missing": "special-category data without an art. 9(2) condition and Dutch exception",
    "art6-basis-missing": "a purpose without an art. 6(1) basis",
    "art9-exception-mismatch": "a Dutch (UAVG) exception that does not rest on the art. 9(2) condition recorded",
    "processor-record-incomplete": "an activity done as processor without its controllers or processing agreement",
    # dpia_lib.scan: the register describes processing and must hold no one's personal data
    "personal-data-bsn": "a number that passes the BSN 11-proef",
    "personal-data-email": "an e-mail address of a person (not a role mailbox)",
    "personal-data-phone": "a Dutch phone number",
    "personal-data-iban": "an IBAN that passes the mod-97 check",
    "personal-data-birth-date": "a date next to a word for birth",
    # reading: only regular files inside the register are read
    "not-a-regular-file": "a device, named pipe, socket or folder where a register file was expected",
    "outside-register": "a symbolic link to a file outside the register or catalogue folder",
    "unreadable-folder": "a register folder that cannot be listed (e.g. no permission)",
    "audit-line-unreadable": "a line of the audit log that is not a whole entry (cut short by a crash)",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a register or catalogue file.

    >>> Problem("unknown-key", "ropa/parties.yaml", 12, 5, "parties[3].contry",
    ...         "unknown key 'contry'; did you mean 'country'?").format()
    "ropa/parties.yaml:12:5: unknown-key parties[3].contry: unknown key 'contry'; did you mean 'country'?"
    """

    code: str
    path: str
    line: int
    column: int
    field: str
    message: str

    def format(self) -> str:
        """The problem as one ``path:line:col: CODE field: message`` line."""
        field = f" {printable(self.field)}" if self.field else ""
        return f"{printable(self.path)}:{self.line}:{self.column}: {self.code}{field}: {printable(self.message)}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready mapping with keys code, path, line, column, field, message."""
        return {
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


#: C0 and C1 control characters and DEL (ESC starts terminal escape sequences), and the Unicode line and
#: paragraph separators, which would break a one-line message.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    r"""``text`` with control characters written as escapes, safe to print to a terminal on one line.

    >>> printable("evil\x1b[2J\ttab\nnext\u2028")
    'evil\\x1b[2J\\ttab\\nnext\\u2028'
    """
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def suggest(word: str, candidates: Iterable[str]) -> str:
    """A ``"; did you mean 'x'?"`` suffix for the closest candidate, or ``""``.

    >>> suggest("retension", ["retention", "purposes"])
    "; did you mean 'retention'?"
    >>> suggest("zzz", ["retention"])
    ''
    """
    close = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
