"""The register as the art. 30 tables: pandas DataFrames, one row per activity, with Dutch or English
headings. :func:`art30_table` holds the activities done as controller, columns named after GDPR art.
30(1)(a–g); :func:`art30_processor_table` those done as processor, columns after art. 30(2)(a–d).

>>> from dpia_lib import load_register
>>> table = art30_table(load_register(), language="en")
>>> list(table.columns)[:4]
['Activity', '(a) Controller and contact', '(b) Purposes', '(c) Data subjects and data categories']
"""

from __future__ import annotations

import pandas as pd

from dpia_lib.flows import flow_graph
from dpia_lib.law import ProcessingRole, citation
from dpia_lib.register import Register

__all__ = ["ART30_2_COLUMNS", "ART30_COLUMNS", "art30_processor_table", "art30_table"]

#: Column headings per language, in the order of art. 30(1)(a)-(g).
ART30_COLUMNS: dict[str, tuple[str, ...]] = {
    "en": (
        "(a) Controller and contact",
        "(b) Purposes",
        "(c) Data subjects and data categories",
        "(d) Recipients",
        "(e) Transfers outside the EEA",
        "(f) Retention",
        "(g) Security measures",
    ),
    "nl": (
        "(a) Verwerkingsverantwoordelijke en contact",
        "(b) Doeleinden",
        "(c) Betrokkenen en categorieën persoonsgegevens",
        "(d) Ontvangers",
        "(e) Doorgifte buiten de EER",
        "(f) Bewaartermijnen",
        "(g) Beveiligingsmaatregelen",
    ),
}


#: Column headings of the processor's record (art. 30(2)(a)-(d)) per language.
ART30_2_COLUMNS: dict[str, tuple[str, ...]] = {
    "en": (
        "(a) Processor and the controllers it acts for",
        "(b) Categories of processing",
        "(c) Transfers outside the EEA",
        "(d) Security measures",
    ),
    "nl": (
        "(a) Verwerker en de verwerkingsverantwoordelijken namens wie",
        "(b) Categorieën van verwerkingen",
        "(c) Doorgifte buiten de EER",
        "(d) Beveiligingsmaatregelen",
    ),
}


def art30_processor_table(register: Register, language: str = "nl") -> pd.DataFrame:
    """One row per activity done as processor (index: activity id), columns (a)–(d) of art. 30(2).

    >>> from dpia_lib import load_register
    >>> art30_processor_table(load_register(), language="en").empty  # the shipped company is no processor
    True
    """
    cat = register.catalogue
    org = register.organisation
    rows = []
    for aid, act in register.activities.items():
        if act.role != ProcessingRole.PROCESSOR:
            continue
        controllers = ", ".join(register.parties[c].name.get(language) if c in register.parties else c
                                for c in act.controllers) or "—"
        agreement = f" ({act.agreement.signed.isoformat()})" if act.agreement is not None else ""
        what = "; ".join(p.description.get(language) for p in act.purposes)
        categories = ", ".join(cat.categories[c].label.get(language) for c in act.categories if c in cat.categories)
        transfers = "; ".join(f"{t.party} ({t.country}, {t.safeguard.value})" for t in act.transfers) or "—"
        measures = ", ".join(cat.measures[m].label.get(language) for m in act.measures if m in cat.measures) or "—"
        rows.append((aid, act.name.get(language), f"{org.name} — {org.contact}; {controllers}{agreement}",
                     f"{what} | {categories}", transfers, measures))
    name = "Activity" if language == "en" else "Verwerking"
    columns = ["id", name, *ART30_2_COLUMNS["en" if language == "en" else "nl"]]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def art30_table(register: Register, language: str = "nl") -> pd.DataFrame:
    """One row per activity done as controller (index: activity id), columns (a)–(g) of art. 30(1), plus
    the activity name. Activities done as processor are in :func:`art30_processor_table`.

    Recipients are the parties that receive data from the activity by a flow or as system supplier.
    """
    cat = register.catalogue
    G = flow_graph(register)
    org = register.organisation
    controller = f"{org.name} — {org.contact}"
    if org.dpo_appointed and org.dpo_contact:
        controller += f"; DPO: {org.dpo_contact}"
    rows = []
    for aid, act in register.activities.items():
        if act.role == ProcessingRole.PROCESSOR:
            continue
        purposes = "; ".join(
            f"{p.description.get(language)} [{citation(p.basis) if p.basis else '—'}]" for p in act.purposes
        )
        subjects = ", ".join(cat.data_subjects[s].label.get(language)
                             for s in act.data_subjects if s in cat.data_subjects)
        categories = ", ".join(cat.categories[c].label.get(language) for c in act.categories if c in cat.categories)
        recipients = sorted({v for _, v in G.out_edges(aid) if G.nodes[v]["kind"] == "party"})
        transfers = "; ".join(f"{t.party} ({t.country}, {t.safeguard.value})" for t in act.transfers) or "—"
        retention = "; ".join(
            f"{cat.categories[c].label.get(language) if c in cat.categories else c}: {r.period} ({r.from_event})"
            for c, r in sorted(act.retention.items())
        ) or "—"
        measures = ", ".join(cat.measures[m].label.get(language) for m in act.measures if m in cat.measures) or "—"
        rows.append((aid, act.name.get(language), controller, purposes, f"{subjects} | {categories}",
                     ", ".join(register.parties[r].name.get(language) for r in recipients) or "—",
                     transfers, retention, measures))
    name = "Activity" if language == "en" else "Verwerking"
    columns = ["id", name, *ART30_COLUMNS["en" if language == "en" else "nl"]]
    return pd.DataFrame(rows, columns=columns).set_index("id")
