"""The DPIA report of one activity, section by section, as the DPIA notebook shows it.

:func:`prepare` is the one call of the notebook's first cell: it checks the parameters, loads the
register and builds the DPIA (:func:`dpia_lib.dpia.build_dpia`); a bad parameter raises a
:class:`~dpia_lib.errors.ParameterError` there. Each method of :class:`DpiaReport` returns a
:class:`~dpia_lib.report.blocks.Section` or :class:`~dpia_lib.report.blocks.Plot` that the notebook
displays; the structure follows GDPR art. 35(7)(a)-(d), then screening, findings, data-subject rights,
the DPO's advice and the sign-off.

>>> report = prepare("reintegration-second-track", "en", "2026-11-01", DEFAULT_DATA_DIR.parent / "ropa")
>>> report.screening().title
'Screening: is a DPIA required?'
>>> prepare("reintegration-second-trak", "en", "2026-11-01", DEFAULT_DATA_DIR.parent / "ropa")
Traceback (most recent call last):
...
dpia_lib.errors.UnknownActivityError: unknown activity 'reintegration-second-trak'; did you mean 'reintegration-second-track'?
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dpia_lib.dpia import Dpia, build_dpia
from dpia_lib.drawing import draw_flow_graph
from dpia_lib.errors import RegisterError
from dpia_lib.flows import flow_graph, neighbourhood
from dpia_lib.loading import DEFAULT_DATA_DIR, load_register_partial
from dpia_lib.register import Register
from dpia_lib.report.blocks import Items, Paragraph, Plot, Section, Table
from dpia_lib.report.labels import load_labels
from dpia_lib.report.parameters import ReportParameters, check_parameters
from dpia_lib.report.riskmap import risk_map
from dpia_lib.report.summary import action_table, level_label, risk_points, risk_table
from dpia_lib.report.tables import (
    description_table,
    findings_table,
    legal_bases_table,
    measures_table,
    principles_table,
    rights_table,
    screening_table,
)

__all__ = ["DEFAULT_DATA_DIR", "DpiaReport", "prepare"]


def prepare(activity: object, language: object, as_of: object, register: object) -> DpiaReport:
    """Check the notebook parameters, load the register and build the DPIA of ``activity``."""
    params = check_parameters(activity, language, as_of, register)
    partial = load_register_partial(params.register)
    if params.activity in partial.broken:  # this activity's own files are broken: say where, stop here
        raise RegisterError(partial.broken[params.activity])
    loaded = partial.register
    loaded.activity(params.activity)  # UnknownActivityError with a suggestion
    return DpiaReport(params, loaded, build_dpia(loaded, params.activity, params.as_of),
                      tuple(partial.broken))


@dataclass(frozen=True)
class DpiaReport:
    """One activity's DPIA, ready to display."""

    params: ReportParameters
    register: Register
    dpia: Dpia
    #: Activities left out because their own files have problems (flows from them are missing here).
    left_out: tuple[str, ...] = ()

    @property
    def language(self) -> str:
        """The report's language."""
        return self.params.language

    def t(self, key: str) -> str:
        """The label ``key`` in the report's language."""
        return load_labels().get(key, self.language)

    def title(self) -> Section:
        """Title block: organisation, activity, as-of date, verdict."""
        act = self.dpia.activity
        verdict = self.t(f"verdict-{self.dpia.screening.verdict.value}")
        return Section(f"{self.t('dpia-title')}: {act.name.get(self.language)}", (
            Paragraph(self.register.organisation.name, self.t("controller")),
            Paragraph(act.id, self.t("activity")),
            Paragraph(self.params.as_of.isoformat(), self.t("as-of")),
            Paragraph(verdict, self.t("verdict")),
            *([Paragraph(", ".join(self.left_out), self.t("left-out"))] if self.left_out else []),
        ), level=1)

    def description(self) -> Section:
        """Part (a): systematic description."""
        return Section(self.t("section-a"), (
            Table(description_table(self.register, self.dpia.activity, self.language)),))

    def flow_graph(self) -> Plot:
        """Part (a): the activity's neighbourhood in the flow graph, special categories in red."""
        G = flow_graph(self.register)
        special = frozenset(c for c in self.register.catalogue.categories if self.register.catalogue.is_special(c))
        title = f"{self.t('flow-graph')}: {self.dpia.activity.name.get(self.language)}"
        fig = draw_flow_graph(neighbourhood(G, self.dpia.activity.id), language=self.language,
                              highlight=special, title=title, size=(12.0, 7.0))
        return Plot(fig, title)

    def necessity(self) -> Section:
        """Part (b): legal bases, the art. 5 principles with findings, and the officer's recorded answers."""
        blocks: list[Paragraph | Items | Table] = [
            Table(legal_bases_table(self.register, self.dpia.activity, self.language), self.t("legal-bases")),
            Table(principles_table(self.register, self.dpia.activity, self.dpia.findings, self.language),
                  self.t("principles")),
        ]
        record = self.dpia.record
        if record is None:
            blocks.append(Paragraph(self.t("no-dpia-record")))
        else:
            views = record.data_subject_views
            blocks += [
                Paragraph(record.necessity.get(self.language), self.t("necessity")),
                Paragraph(record.proportionality.get(self.language), self.t("proportionality")),
                Paragraph(record.subsidiarity.get(self.language), self.t("subsidiarity")),
                Paragraph(" ".join(x.get(self.language) for x in (views.how, views.summary) if x is not None),
                          self.t("data-subject-views")),
            ]
        return Section(self.t("section-b"), tuple(blocks))

    def risks(self) -> Section:
        """Part (c): the risk table (inherent, residual, planned) and the highest residual risk."""
        assessment = self.dpia.risks
        return Section(self.t("section-c"), (
            Table(risk_table(assessment, self.language)),
            Paragraph(level_label(assessment.highest_residual, self.language), self.t("highest-residual")),
        ))

    def risk_map(self) -> Plot:
        """Part (c): the 4×4 risk map."""
        points = risk_points(self.dpia.risks, self.language)
        title = f"{self.t('risk-map')}: {self.dpia.activity.name.get(self.language)}"
        return Plot(risk_map(points, language=self.language, title=title), title)

    def measures(self) -> Section:
        """Part (d): measures in place and the action plan."""
        return Section(self.t("section-d"), (
            Table(measures_table(self.register, self.dpia.activity.measures, self.language),
                  self.t("measures-applied")),
            Table(action_table(self.register, self.dpia.risks.actions, self.language), self.t("action-plan")),
        ))

    def screening(self) -> Section:
        """The screening verdict with its reasons (and the override, if any)."""
        s = self.dpia.screening
        verdict = self.t(f"verdict-{s.verdict.value}")
        if s.overridden:
            verdict += f" ({self.t('overridden').lower()}; {self.t('computed')}: {self.t(f'verdict-{s.computed.value}')})"
        return Section(self.t("screening"), (
            Paragraph(verdict, self.t("verdict")),
            Paragraph(str(s.wp248_count), self.t("wp248-count")),
            Table(screening_table(self.register, s, self.language), self.t("reasons")),
        ))

    def findings(self) -> Section:
        """The rule findings for this activity, with citations and locations."""
        if not self.dpia.findings:
            return Section(self.t("findings"), (Paragraph(self.t("no-findings")),))
        return Section(self.t("findings"), (Table(findings_table(self.register, self.dpia.findings, self.language)),))

    def rights(self) -> Section:
        """Data-subject rights and how they are handled (GDPR arts. 12, 15-22, 77)."""
        return Section(self.t("rights"), (Table(rights_table(self.register, self.language)),))

    def dpo_advice(self) -> Section:
        """The DPO's (privacy officer's) advice (art. 35(2))."""
        record = self.dpia.record
        advice = record.dpo_advice if record is not None else None
        if advice is None:
            return Section(self.t("dpo-advice"), (Paragraph(self.t("no-dpo-advice")),))
        rows = [(self.t("date"), advice.date.isoformat()), (self.t("by"), self._role(advice.by)),
                (self.t("advice"), advice.advice.get(self.language)),
                (self.t("followed"), self.t("answer-yes" if advice.followed else "answer-no"))]
        if advice.reason_not_followed is not None:
            rows.append((self.t("reason-not-followed"), advice.reason_not_followed.get(self.language)))
        return Section(self.t("dpo-advice"), (Table(pd.DataFrame(rows, columns=["", self.t("advice")])),))

    def sign_off(self) -> Section:
        """The controller's sign-off, the DPIA status and the next review date (art. 35(11))."""
        record = self.dpia.record
        state = self.dpia.activity.dpia
        rows = [(self.t("dpia-status"), state.status.value)]
        if record is not None and record.sign_off is not None:
            rows += [(self.t("decision"), record.sign_off.decision), (self.t("by"), self._role(record.sign_off.by)),
                     (self.t("date"), record.sign_off.date.isoformat())]
        else:
            rows.append((self.t("decision"), self.t("no-sign-off")))
        review = record.review_date if record is not None else state.next_review
        if review is not None:
            overdue = f" ({self.t('review-overdue')})" if review < self.params.as_of else ""
            rows.append((self.t("review-date"), review.isoformat() + overdue))
        return Section(self.t("sign-off"), (Table(pd.DataFrame(rows, columns=["", self.t("status")])),))

    def _role(self, role: str) -> str:
        found = self.register.roles.get(role)
        return found.name.get(self.language) if found is not None else role
