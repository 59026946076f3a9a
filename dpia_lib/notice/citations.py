"""GDPR articles in the citation style of the statement's language, and the statutes the register cites
for a national identifier such as the BSN.

Which rights apply to which activity is :func:`dpia_lib.legal.rights_for`'s question; this module only
writes its articles (and the statement's own item codes such as ``13-2-e``) as Dutch or English citations.

>>> article("20-1-a", "nl"), article("20-1-a", "en")
('art. 20 lid 1 sub a AVG', 'GDPR art. 20(1)(a)')
>>> gdpr_citation("GDPR art. 17(3)(b)", "nl")
'art. 17 lid 3 sub b AVG'
"""

from __future__ import annotations

import re

from dpia_lib.legal import national_identifiers
from dpia_lib.records import Activity
from dpia_lib.register import Register
from dpia_lib.rules.lawfulness import statute_cited

__all__ = ["article", "gdpr_citation", "identifier_statutes"]

_GDPR = re.compile(r"GDPR art\. (\d+)((?:\(\w+\))*)")


def article(code: str, language: str) -> str:
    """A GDPR article code such as ``13-2-e`` in the citation style of ``language``."""
    parts = code.split("-")
    if language == "nl":
        text = f"art. {parts[0]}"
        if len(parts) > 1:
            text += f" lid {parts[1]}"
        if len(parts) > 2:
            text += f" sub {parts[2]}"
        return f"{text} AVG"
    return f"GDPR art. {parts[0]}" + "".join(f"({p})" for p in parts[1:])


def gdpr_citation(text: str, language: str) -> str:
    """A citation written as ``GDPR art. 21(1)`` (the style of :mod:`dpia_lib.legal`) in the style of
    ``language``; other text is returned as it is."""
    m = _GDPR.fullmatch(text)
    if m is None:
        return text
    return article("-".join([m.group(1), *re.findall(r"\((\w+)\)", m.group(2))]), language)


def identifier_statutes(register: Register, act: Activity) -> list[str]:
    """The catalogued provisions (``data/identifier_statutes.yaml``) that prescribe the national identifiers
    ``act`` uses (UAVG art. 46(1)), as its purposes' sources and the grounds of its flows that carry an
    identifier cite them; [] if it uses none or cites none.

    >>> from dpia_lib import load_register
    >>> identifier_statutes(load_register(), load_register().activities["reintegration-second-track"])
    ['BW 7:658a(5)', 'Wet SUWI art. 73']
    """
    ids = national_identifiers(register, act)
    if not ids:
        return []
    texts = [p.basis_source for p in act.purposes]
    texts += [f.ground.source for f in act.flows if f.ground is not None and set(f.categories) & set(ids)]
    found = [statute_cited(register, piece) for text in texts if text for piece in re.split(r"[;,]", text)]
    return list(dict.fromkeys(s for s in found if s is not None))
