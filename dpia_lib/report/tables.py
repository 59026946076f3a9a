"""The DPIA's tables as pandas DataFrames, one function per part of GDPR art. 35(7) and per topic.

Each function takes the register, the activity (or the DPIA object) and a language, and returns a
DataFrame with headings from ``data/labels.yaml``. Rows are in a fixed order (register order or sorted),
so the same register always gives the same tables. Locations of findings are shown relative to the
register folder, so a report does not depend on where the register lives.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import pandas as pd

from dpia_lib.findings import Finding
from dpia_lib.flows import flow_graph, sources_of
from dpia_lib.legal import rights_for
from dpia_lib.records import Activity
from dpia_lib.register import Register
from dpia_lib.report.labels import load_labels
from dpia_lib.report.wording import (
    basis_text,
    cite,
    cite_inline,
    condition_text,
    exception_text,
    fact_text,
    finding_text,
    from_event_text,
    period,
)
from dpia_lib.screening import OVERRIDE_CODE, Screening

__all__ = [
    "assumption_text",
    "description_table",
    "findings_table",
    "legal_bases_table",
    "measures_table",
    "principles_table",
    "rights_table",
    "screening_table",
    "source_text",
    "where",
]


def _t(key: str, language: str) -> str:
    return load_labels().get(key, language)


def _names(ids: Sequence[str], lookup: dict[str, str]) -> str:
    return ", ".join(lookup.get(i, i) for i in ids) or "—"


def where(register: Register, path: str, line: int) -> str:
    """``path:line`` with ``path`` relative to the register's parent folder where possible.

    >>> from dpia_lib import load_register
    >>> r = load_register()
    >>> where(r, str(r.root / "activities" / "newsletter.yaml"), 3)
    'ropa/activities/newsletter.yaml:3'
    """
    base = Path(register.root).resolve().parent
    try:
        shown = Path(path).resolve().relative_to(base).as_posix()
    except ValueError:
        shown = Path(path).name
    return f"{shown}:{line}" if line else shown


def description_table(register: Register, activity: Activity, language: str,
                      graph: nx.MultiDiGraph | None = None) -> pd.DataFrame:
    """Part (a): the systematic description, one row per aspect; ``graph``: the register's flow graph when
    the caller has it (otherwise it is built here)."""
    cat = register.catalogue
    G = graph if graph is not None else flow_graph(register)
    node_name = {**{p: party.name.get(language) for p, party in register.parties.items()},
                 **{a: act.name.get(language) for a, act in register.activities.items()}}
    recipients = sorted({v for _, v in G.out_edges(activity.id)})
    retention = "; ".join(
        f"{cat.categories[c].label.get(language) if c in cat.categories else c}: {period(r.period, language)} "
        f"({_t('from-event', language).lower()} {from_event_text(r.from_event, language)})"
        for c, r in sorted(activity.retention.items())) or "—"
    rows = [
        ("description", activity.description.get(language) if activity.description else "—"),
        ("purposes", "; ".join(p.description.get(language) for p in activity.purposes)),
        ("data-categories", _names(activity.categories, {k: v.label.get(language) for k, v in cat.categories.items()})),
        ("data-subjects", _names(activity.data_subjects,
                                 {k: v.label.get(language) for k, v in cat.data_subjects.items()})),
        ("volume", str(activity.data_subjects_per_year)),
        ("sources", _names(sources_of(G, activity.id), node_name)),
        ("recipients", _names(recipients, node_name)),
        ("retention", retention),
        ("systems", _names(activity.systems, {k: v.name.get(language) for k, v in register.systems.items()})),
        ("access", _names(activity.access, {k: v.name.get(language) for k, v in register.roles.items()})),
    ]
    if activity.assumptions:
        rows.append(("assumptions", "; ".join(assumption_text(activity, a.field, a.note, language)
                                              for a in activity.assumptions)))
    return pd.DataFrame([(_t(k, language), v) for k, v in rows], columns=["", _t("description", language)])


#: Label of each field an activity's assumption can name (the first part of its path).
_ASSUMED_FIELDS = {"data_subjects_per_year": "volume", "agreement": "assumed-agreement", "dpia": "assumed-dpia",
                   "transfers": "assumed-transfers", "retention": "retention", "purposes": "purposes"}


def assumption_text(activity: Activity, field: str, note: str, language: str) -> str:
    """An assumed fact of ``activity``: the field by its label (a purpose's balancing test by the purpose's
    description) and the register's note on what is assumed, shown as written.

    >>> from dpia_lib import load_register
    >>> act = load_register().activities["special-file"]
    >>> assumption_text(act, "data_subjects_per_year", "estimated", "en")
    'Data subjects per year (estimate) (estimated)'
    >>> assumption_text(act, "purposes.0.balancing_test", "drafted", "en").startswith("Balancing test: Find work")
    True
    """
    head, *rest = field.split(".")
    if head == "purposes" and rest and rest[0].isdigit() and int(rest[0]) < len(activity.purposes):
        purpose = activity.purposes[int(rest[0])].description.get(language)
        what = f"{_t('assumed-balancing-test', language)}: {purpose}" if rest[1:] == ["balancing_test"] else purpose
    else:
        what = _t(_ASSUMED_FIELDS.get(head, "assumed-other"), language)
    return f"{what} ({note})"


def legal_bases_table(register: Register, activity: Activity, language: str) -> pd.DataFrame:
    """Part (b): each purpose with its art. 6(1) basis, and a last row for art. 9(2) with the UAVG exception."""
    rows = []
    for purpose in activity.purposes:
        rows.append((purpose.description.get(language), basis_text(purpose.basis, language),
                     cite_inline(purpose.basis_source, language) or "—"))
    special = [c for c in activity.categories if register.catalogue.is_special(c)]
    if special:
        art9 = activity.special_categories_basis
        parts = []
        if art9 is not None and art9.condition is not None:
            parts.append(condition_text(art9.condition, language))
        if art9 is not None and art9.dutch_exception is not None:
            parts.append(exception_text(art9.dutch_exception, language))
        names = ", ".join(register.catalogue.categories[c].label.get(language) for c in special)
        rows.append((f"{_t('art9', language)}: {names}",
                     " + ".join(parts) or _t("not-recorded", language),
                     cite_inline(art9.note if art9 is not None else None, language) or "—"))
    return pd.DataFrame(rows, columns=[_t("purpose", language), _t("basis", language), _t("basis-source", language)])


def _register_says(register: Register, activity: Activity, principle: str, language: str) -> str:
    def t(key: str) -> str:
        return _t(key, language)

    cat = register.catalogue
    if principle == "lawfulness":
        with_basis = sum(1 for p in activity.purposes if p.basis is not None)
        info = t("answer-yes") if activity.information is not None else t("answer-no")
        return f"{with_basis}/{len(activity.purposes)} {t('says-purposes')}; {t('says-information')}: {info}"
    if principle == "purpose-limitation":
        return "; ".join(f"{p.description.get(language)}: {basis_text(p.basis, language)}" for p in activity.purposes)
    if principle == "minimisation":
        special = sum(1 for c in activity.categories if cat.is_special(c))
        return f"{len(activity.categories)} {t('says-categories')} ({t('says-special')}: {special})"
    if principle == "accuracy":
        return t("says-accuracy")
    if principle == "storage-limitation":
        covered = sum(1 for c in activity.categories if c in activity.retention)
        return f"{covered}/{len(activity.categories)} {t('says-retention')}"
    if principle == "integrity-confidentiality":
        return f"{len(activity.measures)} {t('says-measures')}; {len(activity.access)} {t('says-access')}"
    if principle == "accountability":
        return (f"{t('says-dpia')}: {t('dpia-status-' + activity.dpia.status.value)}; "
                f"{t('says-last-review')}: {activity.last_review.isoformat()}")
    return "—"


def principles_table(register: Register, activity: Activity, findings: Sequence[Finding], language: str) -> pd.DataFrame:
    """Part (b): the principles of art. 5 one by one, what the register says and the findings against each."""
    rows = []
    for principle in load_labels().principles:
        against = sorted({finding_text(f, language, register) for f in findings if f.code in principle.codes})
        rows.append((principle.label.get(language), cite(principle.citation, language),
                     _register_says(register, activity, principle.id, language),
                     "; ".join(against) or "—"))
    return pd.DataFrame(rows, columns=[_t("principle", language), _t("citation", language),
                                       _t("register-says", language), _t("findings-against", language)])


def source_text(citation_text: str | None, basis: str | None, language: str) -> str:
    """A catalogue entry's source: its citation, and "own analysis" or "assumption" where it says so."""
    parts = [cite(citation_text, language)] if citation_text else []
    if basis is not None or not parts:
        parts.append(_t(f"source-{basis or 'analysis'}", language))
    return "; ".join(parts)


def measures_table(register: Register, measures: Sequence[str], language: str) -> pd.DataFrame:
    """Part (d): measures (catalogue ids) with kind, the risks each lowers and its source, in the given order."""
    cat = register.catalogue.measures
    risks = register.catalogue.risks
    rows = []
    for m in measures:
        if m not in cat:
            rows.append((m, "", "", ""))
            continue
        lowers = ", ".join(risks[e].label.get(language) for e in cat[m].events if e in risks) or "—"
        rows.append((cat[m].label.get(language), _t(f"kind-{cat[m].kind}", language), lowers,
                     source_text(cat[m].citation, cat[m].basis, language)))
    return pd.DataFrame(rows, columns=[_t("measure", language), _t("kind", language), _t("lowers", language),
                                       _t("citation", language)])


def _reason_label(register: Register, code: str, language: str) -> str:
    cat = register.catalogue
    if code in cat.ap_list:
        return f"{_t('reason-ap-list', language)}: {cat.ap_list[code].name.get(language)}"
    if code in cat.art35_3:
        return f"{_t('reason-art35-3', language)}: {cat.art35_3[code].label.get(language)}"
    if code in cat.wp248:
        criterion = cat.wp248[code]
        return f"{_t('reason-wp248', language)} {criterion.number}: {criterion.label.get(language)}"
    if code == OVERRIDE_CODE:
        return _t("reason-override", language)
    return code


def screening_table(register: Register, screening: Screening, language: str) -> pd.DataFrame:
    """The screening's reasons: what applies, its source and the register facts that triggered it."""
    rows = [(_reason_label(register, r.code, language),
             cite(r.source, language) if r.code != OVERRIDE_CODE else _t("reason-override", language),
             "; ".join(fact_text(register, f, language) for f in r.facts))
            for r in screening.reasons]
    return pd.DataFrame(rows, columns=[_t("reason", language), _t("citation", language), _t("facts", language)])


def findings_table(register: Register, findings: Sequence[Finding], language: str, *,
                   with_activity: bool = False) -> pd.DataFrame:
    """Findings, highest severity first, then by location; each with its citation and location."""
    ordered = sorted(findings, key=lambda f: (-f.severity.rank, f.activity or "", f.code, f.path, f.line, f.message))
    columns = [_t("severity", language)]
    columns += [_t("activity", language)] if with_activity else []
    columns += [_t("message", language), _t("citation", language), _t("location", language)]
    rows = []
    for f in ordered:
        row = [_t(f"severity-{f.severity.value}", language)]
        if with_activity:
            act = register.activities.get(f.activity or "")
            row += [act.name.get(language) if act is not None else (f.activity or "—")]
        row += [finding_text(f, language, register), cite(f.citation, language), where(register, f.path, f.line)]
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def rights_table(register: Register, language: str, activity: Activity | None = None) -> pd.DataFrame:
    """How data-subject rights are handled: the rights that apply (for ``activity``: those its legal bases
    give, :func:`~dpia_lib.legal.rights_for`), the art. 12 deadlines, identity, complaint, contact."""
    def t(key: str) -> str:
        return _t(key, language)

    if activity is not None:
        listed = "; ".join(f"{t('right-' + r.id)} ({cite(r.citation, language)})" for r in rights_for(activity))
    else:
        listed = t("rights-list")

    requests = sorted(a.name.get(language) for a in register.activities.values() if a.id == "data-subject-requests")
    rows = [
        (t("topic-rights") if activity is None else t("rights-applying"), listed),
        (t("topic-deadline"), t("rights-deadline")),
        (t("topic-extension"), t("rights-extension")),
        (t("topic-identity"), t("rights-identity")),
        (t("topic-complaint"), t("rights-complaint")),
        (t("rights-contact"), register.organisation.contact),
        (t("rights-procedure"), "; ".join(requests) or "—"),
    ]
    return pd.DataFrame(rows, columns=[t("right"), t("how-handled")])
