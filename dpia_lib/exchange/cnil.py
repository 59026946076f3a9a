"""One activity as a file the CNIL PIA application (github.com/LINCnil/pia) imports: its export format
``{"pia": ..., "answers": [...], "measures": [...], "evaluations": [...], "comments": [...]}``.

Mapping onto the app's structure (section.item.question ids of its ``pia_architecture.json``):

==========  ==========================================================================================
question    from the register
==========  ==========================================================================================
111         the activity: name, description, our role, volume; feared events the app has no item for
112         responsibilities: controller and contact, owner role, controllers we act for, processors
121         data: categories (special ones marked) with retention and recipients
122         life cycle: the flows (from, to, categories, channel, frequency, ground)
123         supporting assets: systems with supplier and hosting country
211         purposes
212         legal basis per purpose (art. 6(1)), art. 9(2) condition and UAVG exception
213         necessity, proportionality and subsidiarity from the DPIA record
215         retention per category
221         art. 14 information step
222         consent: purposes on consent and how it is asked (flow grounds)
223-225     the rights per basis (arts. 15-21), the same list in each answer
226         processors with the dates of their agreements (art. 28)
227         transfers outside the EEA and their safeguards
32x/33x/34x the three feared events (illegitimate access, unwanted modification, disappearance):
            impacts (our description), threats, risk sources, controls (measures applied), severity and
            likelihood gauges (residual levels 1-4)
==========  ==========================================================================================

Measures become the app's measures (title = label, content = description); each feared event gets an
evaluation with gauges ``x`` = residual severity and ``y`` = residual likelihood, left for the app's
evaluator to judge (status 0). The ``pia`` object carries the names of roles (never of people), the DPO's
(or privacy officer's) advice and the data subjects' views from the DPIA record.

Cannot be mapped: question 113 (applicable standards) and 214 (accuracy), which the register does not
hold; our additional feared events (they are listed in answer 111); the computed screening verdict and the
rule findings; the action plan's due dates (they are named in the evaluation's action plan comment).

>>> import datetime as dt
>>> from dpia_lib import load_register
>>> data = cnil_pia(load_register(), "special-file", as_of=dt.date(2026, 10, 1))
>>> sorted(data)
['answers', 'comments', 'evaluations', 'measures', 'pia']
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

from dpia_lib.flows import flow_graph
from dpia_lib.law import citation
from dpia_lib.legal import rights_that_reach
from dpia_lib.records import Activity, Text
from dpia_lib.register import Register
from dpia_lib.risk import assess_risks

__all__ = ["CNIL_EVENTS", "cnil_pia", "write_cnil"]

#: Our feared-event ids for the app's three risk items and their question ids (impacts, threats,
#: sources, controls, severity gauge, likelihood gauge).
CNIL_EVENTS: dict[str, tuple[str, int]] = {
    "illegitimate-access": ("3.2", 320),
    "unwanted-modification": ("3.3", 330),
    "data-disappearance": ("3.4", 340),
}


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>" if items else ""


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


class _Export:
    def __init__(self, register: Register, act: Activity, lang: str, stamp: str) -> None:
        self.r, self.act, self.lang, self.stamp = register, act, lang, stamp
        self.answers: list[dict[str, Any]] = []

    def t(self, text: Text | None) -> str:
        return text.get(self.lang) if text else ""

    def name(self, node: str) -> str:
        if node in self.r.parties:
            return self.t(self.r.parties[node].name)
        if node in self.r.activities:
            return self.t(self.r.activities[node].name)
        return node

    def category(self, cid: str) -> str:
        c = self.r.catalogue.categories.get(cid)
        return self.t(c.label) if c else cid

    def role(self, rid: str) -> str:
        role = self.r.roles.get(rid)
        return self.t(role.name) if role else rid

    def answer(self, ref: int, text: str = "", gauge: int | None = None, items: list[str] | None = None) -> None:
        if not text and gauge is None and not items:
            return
        self.answers.append({"id": len(self.answers) + 1, "pia_id": 1, "reference_to": ref,
                             "data": {"text": text or None, "gauge": gauge, "list": items or []},
                             "created_at": self.stamp, "updated_at": self.stamp})


def cnil_pia(register: Register, activity_id: str, language: str = "en",
             as_of: dt.date | None = None) -> dict[str, Any]:
    """The activity ``activity_id`` as a CNIL PIA export (a JSON-ready mapping).

    The answers' own words are English; ``language`` only chooses the register's texts, so the command
    line offers English alone (one language per output).
    """
    act = register.activity(activity_id)
    stamp = f"{(as_of or dt.date.today()).isoformat()}T00:00:00.000Z"
    e = _Export(register, act, language, stamp)
    record = register.dpias.get(act.id)
    G = flow_graph(register)
    cat = register.catalogue
    org = register.organisation
    risks = assess_risks(register, act.id)
    other_events = [r for r in risks.risks if r.event not in CNIL_EVENTS]

    e.answer(111, _p(e.t(act.name) + (f": {e.t(act.description)}" if act.description else ""))
             + _p(f"{act.role.value} ({citation(act.role)}); "
             f"{act.data_subjects_per_year} data subjects a year")
             + (_p("Further feared events:") + _ul([f"{e.t(r.label)}: {r.residual.name}" for r in other_events])
                if other_events else ""))
    processors = sorted({s.supplier for s in register.systems.values() if s.id in act.systems and s.supplier})
    e.answer(112, _ul([f"{org.name} — {org.contact}", f"Owner: {e.role(act.owner)}",
                       *(f"Controller: {e.name(c)}" for c in act.controllers),
                       *(f"Processor: {e.name(p)}" for p in processors)]))
    recipients = sorted({v for _, v in G.out_edges(act.id) if G.nodes[v]["kind"] == "party"})
    lines = []
    for c in act.categories:
        special = " (special category, GDPR art. 9)" if cat.is_special(c) else ""
        r = act.retention.get(c)
        lines.append(f"{e.category(c)}{special}" + (f"; retention {r.period} from {r.from_event}" if r else ""))
    e.answer(121, _ul(lines) + (_p("Recipients: " + "; ".join(e.name(r) for r in recipients)) if recipients else ""))
    e.answer(122, _ul([f"{e.name(f.source)} → {e.name(f.target)}: {', '.join(e.category(c) for c in f.categories)}"
                       f" ({f.channel}, {f.frequency}"
                       + (f"; {citation(f.ground.basis)}{', ' + f.ground.source if f.ground.source else ''}"
                          if f.ground else "") + ")" for f in act.flows]))
    e.answer(123, _ul([f"{e.t(register.systems[s].name)}" + (
        f" — {e.name(register.systems[s].supplier or '')}, {register.systems[s].hosting_country}"
        if register.systems[s].supplier else f" — {register.systems[s].hosting_country}")
        for s in act.systems if s in register.systems]))
    e.answer(211, _ul([e.t(p.description) for p in act.purposes]))
    art9 = act.special_categories_basis
    e.answer(212, _ul([f"{e.t(p.description)}: {citation(p.basis) if p.basis else '—'}"
                       + (f" ({p.basis_source})" if p.basis_source else "") for p in act.purposes]
                      + ([f"{citation(art9.condition) if art9.condition else '—'}; "
                          f"{citation(art9.dutch_exception) if art9.dutch_exception else '—'}"
                          + (f": {art9.note}" if art9.note else "")] if art9 else [])))
    if record is not None:
        e.answer(213, _p(e.t(record.necessity)) + _p(e.t(record.proportionality)) + _p(e.t(record.subsidiarity)))
    e.answer(215, _ul([f"{e.category(c)}: {r.period} from {r.from_event}" for c, r in act.retention.items()]))
    if act.information is not None:
        e.answer(221, _p(f"{e.t(act.information.how)} ({act.information.when})"))
    consent = [e.t(p.description) for p in act.purposes if p.basis is not None and p.basis.value == "consent"]
    consent += [f.ground.source for f in act.flows
                if f.ground and f.ground.basis.value == "consent" and f.ground.source]
    e.answer(222, _ul(consent))
    rights = _ul([f"{r.label.en} ({r.citation})" for r in rights_that_reach(act)])
    for ref in (223, 224, 225):
        e.answer(ref, rights)
    agreements = []
    for pid in processors:
        dpa = register.parties[pid].dpa if pid in register.parties else None
        if dpa is None:
            agreements.append(f"{e.name(pid)}: no agreement recorded (GDPR art. 28(3))")
        else:
            agreements.append(f"{e.name(pid)}: agreement signed {dpa.signed}"
                              + (f", expires {dpa.expires}" if dpa.expires else ""))
    e.answer(226, _ul(agreements))
    e.answer(227, _ul([f"{e.name(t.party)} ({t.country}): {t.safeguard.value} ({citation(t.safeguard)})"
                       for t in act.transfers]) or _p("No transfers outside the EEA."))

    measures: list[dict[str, Any]] = []
    for i, mid in enumerate(act.measures, start=1):
        m = cat.measures.get(mid)
        measures.append({"id": i, "pia_id": 1, "title": e.t(m.label) if m else mid,
                         "content": e.t(m.description) if m and m.description else "",
                         "placeholder": "", "created_at": stamp, "updated_at": stamp})
    evaluations: list[dict[str, Any]] = []
    events = cat.risks
    for entry in risks.risks:
        if entry.event not in CNIL_EVENTS:
            continue
        item, base = CNIL_EVENTS[entry.event]
        event = events.get(entry.event)
        e.answer(base + 1, items=[e.t(event.description)] if event else [])
        e.answer(base + 2, items=[e.t(t) for t in event.threats] if event else [])
        e.answer(base + 3, items=[e.t(s) for s in event.risk_sources] if event else [])
        e.answer(base + 4, items=[e.t(cat.measures[m].label) if m in cat.measures else m
                                  for m in entry.measures_applied])
        e.answer(base + 5, _p(f"{entry.residual.severity_name}; drivers: {', '.join(entry.drivers) or '—'}"),
                 gauge=entry.residual.severity)
        e.answer(base + 6, _p(entry.residual.likelihood_name), gauge=entry.residual.likelihood)
        planned = [cat.measures[m].label.get(language) if m in cat.measures else m for m in entry.measures_planned]
        evaluations.append({
            "id": len(evaluations) + 1, "pia_id": 1, "reference_to": item, "status": 0, "global_status": 0,
            "gauges": {"x": entry.residual.severity, "y": entry.residual.likelihood},
            "evaluation_comment": f"Residual risk {entry.residual.name} (inherent {entry.inherent.name}); "
                                  f"after planned measures {entry.planned.name}.",
            "action_plan_comment": ("Planned: " + "; ".join(planned)) if planned else "",
            "estimated_implementation_date": None, "person_in_charge": None,
            "created_at": stamp, "updated_at": stamp})

    views = record.data_subject_views if record else None
    advice = record.dpo_advice if record else None
    pia = {
        "id": 1, "name": e.t(act.name), "category": "", "status": 0,
        "author_name": e.role(act.owner), "evaluator_name": e.role(org.privacy_officer_role),
        "validator_name": e.role(record.sign_off.by) if record and record.sign_off else "",
        "dpo_status": (1 if advice.followed else 0) if advice else None,
        "dpo_opinion": e.t(advice.advice) if advice else "",
        "dpos_names": e.role(advice.by) if advice else "",
        "concerned_people_searched_opinion": views.consulted if views else None,
        "concerned_people_searched_content": e.t(views.how) if views else "",
        "concerned_people_opinion": e.t(views.summary) if views and views.summary else "",
        "concerned_people_status": (1 if views.consulted else 0) if views else None,
        "people_names": "; ".join(e.t(cat.data_subjects[s].label) if s in cat.data_subjects else s
                                  for s in act.data_subjects),
        "rejection_reason": "", "applied_adjustments": "",
        "created_at": stamp, "updated_at": stamp,
    }
    return {"pia": pia, "answers": e.answers, "measures": measures, "evaluations": evaluations, "comments": []}


def write_cnil(register: Register, activity_id: str, path: Path | str, language: str = "en",
               as_of: dt.date | None = None) -> Path:
    """Write the CNIL PIA file of one activity as JSON; return the path."""
    target = Path(path)
    data = cnil_pia(register, activity_id, language, as_of)
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
