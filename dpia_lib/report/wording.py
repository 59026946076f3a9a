"""Words for codes: what the engine says as codes with parameters, worded in nl or en through the label
catalogue (``data/labels.yaml``), with Dutch citation style in Dutch.

The engine (screening, rules, risk) emits stable codes; this module turns each into a sentence in one
language: legal bases, art. 9(2) conditions and UAVG exceptions, statuses, measure kinds, retention
periods, risk drivers, screening facts and finding messages.

>>> cite("GDPR art. 9(2)(b); UAVG art. 30(1)(b)", "nl")
'art. 9 lid 2 sub b AVG; art. 30 lid 1 sub b UAVG'
>>> cite("GDPR arts. 46(2)(b), 47", "nl")
'artt. 46 lid 2 sub b en 47 AVG'
>>> cite("GDPR art. 6(1)(f)", "en")
'GDPR art. 6(1)(f)'
>>> period("6 months", "nl"), period("1 year", "en")
('6 maanden', '1 year')
>>> level_label(RiskLevel(likelihood=2, severity=3), "nl"), level_label(None, "en")
('aanzienlijk (W2/E3)', '—')
"""

from __future__ import annotations

import re

from dpia_lib.facts import Fact
from dpia_lib.findings import Finding
from dpia_lib.law import Art9Condition, DutchException, LegalBasis, citation
from dpia_lib.register import Register
from dpia_lib.report.labels import load_labels
from dpia_lib.risk import RiskAssessment, RiskLevel

__all__ = [
    "basis_text",
    "cite",
    "cite_inline",
    "condition_text",
    "driver_text",
    "exception_text",
    "fact_text",
    "finding_text",
    "from_event_text",
    "highest_residual_label",
    "level_label",
    "period",
    "word",
]

_ARTICLE = re.compile(r"^(?P<law>GDPR|AVG|UAVG|Wet [A-Z][A-Za-z]+|[A-Z][A-Za-z]{1,6})\s+(?P<arts>arts?)\.\s+"
                      r"(?P<rest>[0-9].*)$")
_ITEM = re.compile(r"^(?P<num>\d+[a-z]?)(?P<parts>(\([0-9a-z]+\))*)(?P<tail>.*)$")


def word(key: str, language: str) -> str:
    """The label ``key`` in ``language``."""
    return load_labels().get(key, language)


def _dutch_item(item: str) -> str:
    m = _ITEM.match(item.strip())
    if m is None:
        return item.strip()
    out = m.group("num")
    for n, part in enumerate(re.findall(r"\(([0-9a-z]+)\)", m.group("parts"))):
        out += f" lid {part}" if n == 0 and part.isdigit() else f" sub {part}"
    tail = m.group("tail")
    if tail.startswith("-(") and tail.endswith(")"):  # a range of points: 46(2)(e)-(f)
        out += f" tot en met {tail[2:-1]}"
    elif tail:
        out += tail
    return out


def _dutch_citation(part: str) -> str:
    m = _ARTICLE.match(part.strip())
    if m is None:
        return part.strip().replace("GDPR", "AVG").replace("recital", "overweging")
    law = "AVG" if m.group("law") in ("GDPR", "AVG") else m.group("law")
    parts = [re.sub(r"^arts?\.\s*", "", i.strip()) for i in re.split(r",\s*|\s+and\s+", m.group("rest")) if i.strip()]
    items = [f"overweging {i[8:]}" if i.startswith("recital ") else _dutch_item(i) for i in parts]
    articles = sum(1 for i in parts if not i.startswith("recital "))
    prefix = "artt." if articles > 1 or (m.group("arts") == "arts" and "-" in m.group("rest")) else "art."
    joined = ", ".join(items[:-1]) + " en " + items[-1] if len(items) > 1 else items[0]
    return f"{prefix} {joined} {law}"


def cite(text: str | None, language: str) -> str:
    """A citation in the report's style: unchanged in English; ``art. 9 lid 2 sub b AVG`` in Dutch."""
    if not text:
        return ""
    if language != "nl":
        return text
    return "; ".join(_dutch_citation(p) for p in text.split(";"))


_INLINE = re.compile(r"\b(?:GDPR|UAVG) arts?\. [0-9][0-9a-z()-]*(?:(?:, | and )(?:art\. )?[0-9][0-9a-z()-]*)*")


def cite_inline(text: str | None, language: str) -> str:
    """Free text (the officer's own words) with each embedded English-style citation in the report's style.

    >>> cite_inline("Covered (GDPR art. 35(1), last sentence).", "nl")
    'Covered (art. 35 lid 1 AVG, last sentence).'
    """
    if not text:
        return ""
    if language != "nl":
        return text
    return _INLINE.sub(lambda m: _dutch_citation(m.group(0)), text)


def period(text: str, language: str) -> str:
    """A retention period (``'6 months'``) in the report's language."""
    count, unit = text.split()
    return f"{count} {word(f'unit-{unit}', language)}"


def from_event_text(text: str, language: str) -> str:
    """The event a retention period runs from, in the report's language where the catalogue knows it."""
    events = load_labels().events
    return events[text].get(language) if text in events else text


def basis_text(basis: LegalBasis | None, language: str) -> str:
    """An art. 6(1) basis as words with its citation, e.g. ``gerechtvaardigd belang (art. 6 lid 1 sub f AVG)``."""
    if basis is None:
        return word("not-recorded", language)
    return f"{word(f'basis-{basis.value}', language)} ({cite(citation(basis), language)})"


def condition_text(condition: Art9Condition, language: str) -> str:
    """An art. 9(2) condition as words with its citation."""
    return f"{word(f'condition-{condition.value}', language)} ({cite(citation(condition), language)})"


def exception_text(exception: DutchException, language: str) -> str:
    """A UAVG exception as words with its citation."""
    return f"{word(f'exception-{exception.value}', language)} ({cite(citation(exception), language)})"


def _names(register: Register, ids: str, language: str) -> str:
    """Comma-separated ids as names: categories, data subjects, parties, activities, roles, measures."""
    cat = register.catalogue
    out = []
    for i in (x for x in ids.split(",") if x):
        if i in cat.categories:
            out.append(cat.categories[i].label.get(language))
        elif i in cat.data_subjects:
            out.append(cat.data_subjects[i].label.get(language))
        elif i in register.parties:
            out.append(register.parties[i].name.get(language))
        elif i in register.activities:
            out.append(register.activities[i].name.get(language))
        elif i in register.roles:
            out.append(register.roles[i].name.get(language))
        elif i in register.systems:
            out.append(register.systems[i].name.get(language))
        elif i in cat.measures:
            out.append(cat.measures[i].label.get(language))
        else:
            out.append(i)
    return ", ".join(out)


def driver_text(register: Register, driver: str, language: str) -> str:
    """A risk driver code (``driver|axis|ids``, ``base|L|S``, ``adjustment|L|S``) as a sentence."""
    code, *params = driver.split("|")
    if code in ("base", "adjustment"):
        return word(f"driver-{code}", language).format(likelihood=params[0], severity=params[1])
    axis, fact = (params + ["", ""])[:2]
    if code == "volume":
        count, threshold = fact.split(",")
        detail = word("driver-volume", language).format(count=count, threshold=threshold)
    else:
        detail = word(f"driver-{code}", language) + (f" ({_names(register, fact, language)})" if fact else "")
    return f"{word(axis, language)} +1: {detail}"


def fact_text(register: Register, fact: Fact, language: str) -> str:
    """A screening fact in the report's language, the records it names by name (label ``fact-<code>``);
    the officer's own words as written, with citations in the language's style.

    >>> from dpia_lib import load_register
    >>> from dpia_lib import facts
    >>> fact_text(load_register(), facts.flag("evaluation"), "nl")
    'vastgelegd: beoordeling door mensen'
    """
    if fact.code == "officer":
        return cite_inline(fact.text, language)
    params = dict(fact.params)
    params["ids"] = _names(register, ",".join(fact.ids), language)
    if "flag" in params:
        params["flag"] = word(f"flag-{params['flag']}", language)
    for verdict in ("computed", "verdict"):
        if verdict in params:
            params[verdict] = word(f"verdict-{params[verdict]}", language)
    if "kind" in params:
        params["kind"] = word(f"special-{params['kind']}", language)
    if "threshold" in params:
        params["threshold"] = word(f"threshold-{params['threshold']}", language)
    key = "fact-processor-unnamed" if fact.code == "processor" and not fact.ids else f"fact-{fact.code}"
    return word(key, language).format(**params)


_FIELD = re.compile(r"^(?P<list>categories|data_subjects|access|systems|measures|purposes|flows|actions)"
                    r"\[(?P<index>\d+)\]")


def _field_subject(register: Register | None, finding: Finding, language: str) -> str:
    """What a finding's field points at, by name (``categories[1]`` of an activity: that category's name)."""
    m = _FIELD.match(finding.field)
    act = register.activities.get(finding.activity or "") if register is not None else None
    if m is None or act is None or register is None:
        return ""
    index = int(m.group("index"))
    if m.group("list") == "purposes":
        return act.purposes[index].description.get(language) if index < len(act.purposes) else ""
    if m.group("list") == "flows":
        if index >= len(act.flows):
            return ""
        flow = act.flows[index]
        return f"{_names(register, flow.source, language)} → {_names(register, flow.target, language)}"
    if m.group("list") == "actions":
        return ""
    values = getattr(act, m.group("list"))
    return _names(register, values[index], language) if index < len(values) else ""


def finding_text(finding: Finding, language: str, register: Register | None = None) -> str:
    """A finding's message in the report's language: the rule's sentence for its code, and, with
    ``register``, what in the activity it is about (a category, role, purpose or flow, by name)."""
    text = word(f"finding-{finding.code}", language)
    subject = _field_subject(register, finding, language)
    return f"{text} ({subject})" if subject else text


#: The CNIL scale's level names (1-4) as the risk engine names them.
LEVEL_NAMES: tuple[str, ...] = ("negligible", "limited", "significant", "maximum")


def level_label(level: RiskLevel | None, language: str) -> str:
    """A risk level as words and numbers, or ``—`` for none."""
    if level is None:
        return "—"
    name = level.name
    term = word(f"level-{LEVEL_NAMES.index(name) + 1}", language) if name in LEVEL_NAMES else name
    l_key, s_key = ("L", "S") if language == "en" else ("W", "E")
    return f"{term} ({l_key}{level.likelihood}/{s_key}{level.severity})"


def highest_residual_label(assessment: RiskAssessment, language: str) -> str:
    """The highest residual risk of an assessment, as :func:`level_label` shows it."""
    return level_label(assessment.highest_residual, language)
