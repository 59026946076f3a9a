"""The register at a glance, as ``notebooks/register.ipynb`` shows it: the art. 30 table, the full flow
graph, the screening verdict of every activity, all findings grouped by severity, the retention overview,
processors with their data-processing agreements, and the actions due within 90 days of ``as_of``.

>>> overview = prepare_register("en", "2026-11-01", DEFAULT_DATA_DIR.parent / "ropa")
>>> overview.processors().title
'Processors and data-processing agreements (GDPR art. 28(3))'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dpia_lib.art30 import art30_processor_table, art30_table
from dpia_lib.diagnostics import Problem
from dpia_lib.drawing import draw_flow_graph
from dpia_lib.findings import Finding, Severity
from dpia_lib.flows import flow_graph
from dpia_lib.law import PartyRole
from dpia_lib.loading import DEFAULT_DATA_DIR, load_register_partial
from dpia_lib.register import Register
from dpia_lib.report.blocks import Block, Items, Paragraph, Plot, Section, Table
from dpia_lib.report.document import register_version
from dpia_lib.report.labels import check_language, load_labels
from dpia_lib.report.parameters import check_as_of, check_register_dir
from dpia_lib.report.summary import action_table, highest_residual_label
from dpia_lib.report.tables import findings_table, source_text
from dpia_lib.report.wording import basis_text, from_event_text, period
from dpia_lib.risk import assess_risks
from dpia_lib.rules import check
from dpia_lib.screening import Screening, screen

__all__ = ["ACTIONS_HORIZON_DAYS", "DEFAULT_DATA_DIR", "RegisterReport", "prepare_register"]

#: Actions due within this many days of ``as_of`` are listed (overdue ones too).
ACTIONS_HORIZON_DAYS = 90


def prepare_register(language: object, as_of: object, register: object) -> RegisterReport:
    """Check the parameters, load the register, screen and check it."""
    lang = check_language(language)
    date = check_as_of(as_of)
    partial = load_register_partial(check_register_dir(register))
    loaded = partial.register
    problems = tuple(p for found in partial.broken.values() for p in found)
    return RegisterReport(lang, date, loaded, screen(loaded), tuple(check(loaded, date)), problems)


@dataclass(frozen=True)
class RegisterReport:
    """The whole register, ready to display."""

    language: str
    as_of: dt.date
    register: Register
    screenings: dict[str, Screening]
    all_findings: tuple[Finding, ...]
    #: Problems of activities left out because their own files are broken.
    left_out: tuple[Problem, ...] = ()

    def t(self, key: str) -> str:
        """The label ``key`` in the report's language."""
        return load_labels().get(key, self.language)

    def title(self) -> Section:
        """Title: organisation, as-of date, number of activities."""
        title = f"{self.t('register-title')}: {self.register.organisation.name}"
        running = f"{title} · {self.t('register-version')}: {register_version(self.register.root)}"
        return Section(title, (
            Paragraph(self.as_of.isoformat(), self.t("as-of")),
            Paragraph(running, css="running"),
            Paragraph(str(len(self.register.activities)), self.t("activity-count")),
            *([Items(tuple(p.format() for p in self.left_out), self.t("left-out"))] if self.left_out else []),
        ), level=1)

    def art30(self) -> Section:
        """The art. 30(1) table, one row per activity done as controller, and, when the organisation acts
        as processor for some activity, the art. 30(2) table of those."""
        blocks: list[Block] = [Table(self.art30_table())]
        processing = self.art30_processor_table()
        if not processing.empty:
            blocks.append(Table(processing, self.t("art30-processor-table")))
        return Section(self.t("art30-table"), tuple(blocks), css="wide")

    def art30_table(self) -> pd.DataFrame:
        """The art. 30(1) table (:func:`dpia_lib.art30.art30_table`) with names rather than ids and its
        purposes, transfers and retention worded in the report's language."""
        table = art30_table(self.register, self.language).reset_index(drop=True)
        lang = self.language
        cat = self.register.catalogue
        columns = list(table.columns)
        purposes, transfers, retention = columns[2], columns[5], columns[6]
        acts = [self.register.activities[aid] for aid in art30_table(self.register, lang).index]
        table[purposes] = ["; ".join(f"{p.description.get(lang)} [{basis_text(p.basis, lang)}]" for p in a.purposes)
                           for a in acts]
        table[transfers] = ["; ".join(
            f"{self._party(t.party)} ({t.country}, {self.t('safeguard-' + t.safeguard.value)})"
            for t in a.transfers) or "—" for a in acts]
        table[retention] = ["; ".join(
            f"{cat.categories[c].label.get(lang) if c in cat.categories else c}: {period(r.period, lang)} "
            f"({self.t('from-event').lower()} {from_event_text(r.from_event, lang)})"
            for c, r in sorted(a.retention.items())) or "—" for a in acts]
        return table

    def art30_processor_table(self) -> pd.DataFrame:
        """The art. 30(2) table (:func:`dpia_lib.art30.art30_processor_table`) of the activities done as
        processor, with names rather than ids and transfers worded in the report's language; empty when
        the organisation is processor for none."""
        table = art30_processor_table(self.register, self.language)
        acts = [self.register.activities[aid] for aid in table.index]
        table = table.reset_index(drop=True)
        if acts:
            table[table.columns[3]] = ["; ".join(
                f"{self._party(t.party)} ({t.country}, {self.t('safeguard-' + t.safeguard.value)})"
                for t in a.transfers) or "—" for a in acts]
        return table

    def _party(self, pid: str) -> str:
        party = self.register.parties.get(pid)
        return party.name.get(self.language) if party is not None else pid

    def flow_graph(self) -> Plot:
        """Every flow of the register; special categories in red."""
        cat = self.register.catalogue
        special = frozenset(c for c in cat.categories if cat.is_special(c))
        title = self.t("full-flow-graph")
        legend = {k: self.t(f"legend-{k}") for k in ("activity", "focus", "party", "flow", "special", "hosting")}
        G = flow_graph(self.register)  # a flow from an unknown party (listed in left_out) has no node kind
        G = G.subgraph(node for node, kind in G.nodes(data="kind") if kind is not None)
        # portrait, at the printed page's width, so its 7.5 pt labels print at that size
        fig = draw_flow_graph(G, language=self.language, highlight=special, title=title, size=(7.0, 9.5),
                              legend=legend)
        alt = self.t("alt-full-flow-graph").format(activities=len(self.register.activities),
                                                   parties=G.number_of_nodes() - len(self.register.activities))
        return Plot(fig, alt)

    def verdict_table(self) -> pd.DataFrame:
        """Activity, verdict (with override), number of WP248 criteria, highest residual risk."""
        rows = []
        for aid, s in self.screenings.items():
            verdict = self.t(f"verdict-{s.verdict.value}")
            if s.overridden:
                verdict += f" ({self.t('overridden').lower()})"
            rows.append((self.register.activities[aid].name.get(self.language), verdict, s.wp248_count,
                         highest_residual_label(assess_risks(self.register, aid), self.language)))
        return pd.DataFrame(rows, columns=[self.t("activity"), self.t("verdict"), self.t("wp248-count"),
                                           self.t("highest-residual")])

    def verdicts(self) -> Section:
        """The screening verdict of every activity."""
        return Section(self.t("verdicts"), (Table(self.verdict_table()),))

    def findings_section(self, severity: Severity) -> Table | Paragraph:
        """The findings of one severity, or a 'none' paragraph."""
        found = [f for f in self.all_findings if f.severity == severity]
        caption = self.t(f"severity-{severity.value}")
        if not found:
            return Paragraph(self.t("no-findings"), caption)
        return Table(findings_table(self.register, found, self.language, with_activity=True), caption)

    def findings(self) -> Section:
        """All findings, grouped by severity (high first)."""
        blocks = tuple(self.findings_section(s) for s in (Severity.HIGH, Severity.MEDIUM, Severity.LOW))
        return Section(self.t("findings-by-severity"), blocks)

    def retention_table(self) -> pd.DataFrame:
        """One row per activity and data category with its retention period and source."""
        cat = self.register.catalogue.categories
        rows = []
        for act in self.register.activities.values():
            for category in act.categories:
                r = act.retention.get(category)
                rows.append((act.name.get(self.language),
                             cat[category].label.get(self.language) if category in cat else category,
                             period(r.period, self.language) if r else self.t("not-recorded"),
                             from_event_text(r.from_event, self.language) if r else "—",
                             source_text(r.citation, r.basis, self.language) if r else "—"))
        return pd.DataFrame(rows, columns=[self.t("activity"), self.t("category"), self.t("period"),
                                           self.t("from-event"), self.t("citation")])

    def retention(self) -> Section:
        """The retention overview."""
        return Section(self.t("retention-overview"), (Table(self.retention_table()),))

    def processor_table(self) -> pd.DataFrame:
        """Processors with their agreement's dates; expired or missing agreements said so."""
        rows = []
        for party in self.register.parties.values():
            if party.role != PartyRole.PROCESSOR:
                continue
            if party.dpa is None:
                signed, expires = self.t("no-dpa"), "—"
            else:
                signed = party.dpa.signed.isoformat()
                if party.dpa.expires is None:
                    expires = self.t("open-ended")
                else:
                    expires = party.dpa.expires.isoformat()
                    if party.dpa.expires < self.as_of:
                        expires += f" ({self.t('expired')})"
            rows.append((party.name.get(self.language), party.country, signed, expires))
        return pd.DataFrame(rows, columns=[self.t("party"), self.t("country"), self.t("signed"),
                                           self.t("expires")])

    def processors(self) -> Section:
        """Processors and their data-processing agreements (art. 28(3))."""
        return Section(self.t("processors"), (Table(self.processor_table()),))

    def actions_due(self) -> Section:
        """Open actions (planned or in progress) of every DPIA record due before ``as_of`` + 90 days."""
        horizon = self.as_of + dt.timedelta(days=ACTIONS_HORIZON_DAYS)
        blocks: list[Block] = []
        for aid, record in self.register.dpias.items():
            due = [a for a in record.actions if a.status in ("planned", "in-progress") and a.due <= horizon]
            if due:
                name = self.register.activities[aid].name.get(self.language) if aid in self.register.activities else aid
                blocks.append(Table(action_table(self.register, due, self.language), name))
        return Section(self.t("actions-due"), tuple(blocks) or (Paragraph(self.t("no-actions-due")),))
