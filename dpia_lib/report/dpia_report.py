"""The DPIA report of one activity, section by section, as the DPIA notebook shows it.

:func:`prepare` is the one call of the notebook's first cell: it checks the parameters, loads the
register and builds the DPIA (:func:`dpia_lib.dpia.build_dpia`); a bad parameter raises a
:class:`~dpia_lib.errors.ParameterError` there. Each method of :class:`DpiaReport` returns a
:class:`~dpia_lib.report.blocks.Section` or :class:`~dpia_lib.report.blocks.Plot` that the notebook
displays. :meth:`DpiaReport.document` gives them in the order of a template: ``model`` (default) follows the
Model DPIA Rijksdienst (management summary, parts A-D with the points of GDPR art. 35(7)(a)-(d) marked,
then screening, findings, rights, DPO advice, data subjects' views, balancing tests, residual-risk
acceptance, the art. 36 decision, signatures and version); ``cnil`` gives the same sections in the CNIL
PIA order (context, fundamental principles, risks, validation).

>>> report = prepare("reintegration-second-track", "en", "2026-11-01", DEFAULT_DATA_DIR.parent / "ropa")
>>> report.screening().title
'Screening: is a DPIA required?'
>>> [s.title for s in report.document() if isinstance(s, Section)][:2]
['Data protection impact assessment (DPIA): 2nd-track reintegration (process file)', 'Management summary']
>>> prepare("reintegration-second-trak", "en", "2026-11-01", DEFAULT_DATA_DIR.parent / "ropa")
Traceback (most recent call last):
...
dpia_lib.errors.UnknownActivityError: unknown activity 'reintegration-second-trak'; did you mean 'reintegration-second-track'?
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import pandas as pd

from dpia_lib.analysis import Analysis
from dpia_lib.dpia import Dpia, build_dpia
from dpia_lib.drawing import draw_flow_graph
from dpia_lib.errors import ParameterError, RegisterError
from dpia_lib.flows import flow_graph, neighbourhood
from dpia_lib.law import LegalBasis
from dpia_lib.loading import DEFAULT_DATA_DIR
from dpia_lib.register import Register
from dpia_lib.report.blocks import Block, Paragraph, Plot, Section, Table
from dpia_lib.report.cache import RegisterSnapshot, ReportCache, installed_cache
from dpia_lib.report.document import register_version, tool_version
from dpia_lib.report.labels import load_labels
from dpia_lib.report.parameters import ReportParameters, check_parameters
from dpia_lib.report.riskmap import risk_map
from dpia_lib.report.summary import (
    action_table,
    event_table,
    level_label,
    matrix_table,
    risk_points,
    risk_table,
)
from dpia_lib.report.tables import (
    description_table,
    findings_table,
    legal_bases_table,
    measures_table,
    principles_table,
    rights_table,
    screening_table,
)
from dpia_lib.report.wording import cite
from dpia_lib.riskmatrix import load_risk_matrix

__all__ = ["DEFAULT_DATA_DIR", "TEMPLATES", "DpiaReport", "prepare"]


#: The report templates: the Model DPIA Rijksdienst (default) and the CNIL PIA.
TEMPLATES: tuple[str, ...] = ("model", "cnil")


def prepare(activity: object, language: object, as_of: object, register: object,
            template: object = "model", *, cache: ReportCache | None = None) -> DpiaReport:
    """Check the notebook parameters, load the register and build the DPIA of ``activity``.

    The register's load, analysis and rule findings come from ``cache`` (default: the cache installed with
    :func:`~dpia_lib.report.cache.install_cache`, if any), which serves them again while the register's
    files are unchanged; without a cache they are computed here. Only this activity's screening and risks
    are computed for the report.
    """
    if template not in TEMPLATES:
        raise ParameterError(f"template must be 'model' or 'cnil', not {template!r}")
    params = check_parameters(activity, language, as_of, register)
    cache = cache if cache is not None else installed_cache()
    snapshot = (cache.snapshot(params.register, params.as_of) if cache is not None
                else RegisterSnapshot.load(params.register, params.as_of))
    if params.activity in snapshot.broken:  # this activity's own files are broken: say where, stop here
        raise RegisterError(snapshot.broken[params.activity])
    snapshot.register.activity(params.activity)  # UnknownActivityError with a suggestion
    dpia = build_dpia(snapshot.analysis, params.activity, params.as_of, findings=snapshot.findings)
    return DpiaReport(params, snapshot.register, dpia, tuple(snapshot.broken), str(template),
                      analysis=snapshot.analysis)


@dataclass(frozen=True)
class DpiaReport:
    """One activity's DPIA, ready to display."""

    params: ReportParameters
    register: Register
    dpia: Dpia
    #: Activities left out because their own files have problems (flows from them are missing here).
    left_out: tuple[str, ...] = ()
    #: ``model`` (Model DPIA Rijksdienst) or ``cnil`` (CNIL PIA): the order of :meth:`document`.
    template: str = "model"
    #: The register's analysis (its flow graph), when the caller has it; otherwise it is built when needed.
    analysis: Analysis | None = None

    @cached_property
    def _graph(self) -> nx.MultiDiGraph:
        """The register's flow graph: the analysis's when given, otherwise built once for this report."""
        return self.analysis.graph if self.analysis is not None else flow_graph(self.register)

    @cached_property
    def _register_version(self) -> str:
        """The register's version (git commit or content hash), read once for this report."""
        return register_version(self.register.root)

    @property
    def language(self) -> str:
        """The report's language."""
        return self.params.language

    @property
    def name(self) -> str:
        """The activity's name in the report's language."""
        return self.dpia.activity.name.get(self.language)

    def t(self, key: str) -> str:
        """The label ``key`` in the report's language."""
        return load_labels().get(key, self.language)

    def _mark(self, *points: str) -> Paragraph:
        """Which points of art. 35(7) a part answers, e.g. ``Beantwoordt art. 35 lid 7 sub a AVG``."""
        article = "arts." if len(points) > 1 else "art."
        cited = cite(f"GDPR {article} " + ", ".join(f"35(7)({p})" for p in points), self.language)
        return Paragraph(f"{self.t('answers-35-7')}: {cited}", css="marker")

    # --- the document as a whole ------------------------------------------------------------------------

    def document(self) -> tuple[Section | Plot, ...]:
        """Every section and figure, in the order of the report's template."""
        if self.template == "cnil":
            return (
                self.title(),
                self.summary(),
                Section(self.t("cnil-context"), level=2),
                self.description(), self.flow_graph(),
                Section(self.t("cnil-principles"), level=2),
                self.necessity(), self.balancing_tests(), self.rights(),
                Section(self.t("cnil-risks"), level=2),
                self.measures(), self.risks(), self.risk_map(),
                Section(self.t("cnil-validation"), level=2),
                self.screening(), self.findings(), self.dpo_advice(), self.data_subject_views(),
                self.residual_acceptance(), self.prior_consultation(), self.sign_off(), self.signatories(),
                self.version(),
            )
        return (
            self.title(), self.summary(),
            self.description(), self.flow_graph(),
            self.necessity(), self.balancing_tests(), self.rights(),
            self.risks(), self.risk_map(),
            self.measures(),
            self.screening(), self.findings(), self.dpo_advice(), self.data_subject_views(),
            self.residual_acceptance(), self.prior_consultation(), self.sign_off(), self.signatories(),
            self.version(),
        )

    def title(self) -> Section:
        """Title block: organisation, activity, as-of date, verdict, structure and register version."""
        verdict = self.t(f"verdict-{self.dpia.screening.verdict.value}")
        version = self._register_version
        running = f"{self.t('dpia-title')}: {self.name} · {self.t('register-version')}: {version}"
        return Section(f"{self.t('dpia-title')}: {self.name}", (
            Paragraph(self.register.organisation.name, self.t("controller")),
            Paragraph(self.name, self.t("activity")),
            Paragraph(self.params.as_of.isoformat(), self.t("as-of")),
            Paragraph(verdict, self.t("verdict")),
            Paragraph(self.t(f"template-{self.template}"), css="note"),
            Paragraph(running, css="running"),
            *([Paragraph(", ".join(self.left_out), self.t("left-out"))] if self.left_out else []),
        ), level=1)

    def summary(self) -> Section:
        """Management summary: verdict, highest residual risk, open actions, decision, art. 36 outcome."""
        record = self.dpia.record
        open_actions = tuple(a for a in self.dpia.risks.actions if a.status in ("planned", "in-progress"))
        decision = (self.t(f"decision-{record.sign_off.decision}") if record is not None and record.sign_off
                    else self.t("no-sign-off"))
        blocks: list[Block] = [
            Paragraph(self.t(f"verdict-{self.dpia.screening.verdict.value}"), self.t("summary-verdict")),
            Paragraph(level_label(self.dpia.risks.highest_residual, self.language), self.t("highest-residual")),
            Paragraph(decision, self.t("decision")),
            Paragraph(self._art36_line(), self.t("art36")),
        ]
        if open_actions:
            blocks.append(Table(action_table(self.register, open_actions, self.language), self.t("open-actions")))
        else:
            blocks.append(Paragraph(self.t("no-actions"), self.t("open-actions")))
        return Section(self.t("management-summary"), tuple(blocks))

    # --- part A: description (art. 35(7)(a)) ---------------------------------------------------------------

    def description(self) -> Section:
        """Part A: systematic description of the processing and its purposes."""
        return Section(self.t("part-a"), (
            self._mark("a"),
            Table(description_table(self.register, self.dpia.activity, self.language, self._graph)),))

    def flow_graph(self) -> Plot:
        """Part A: the activity's neighbourhood in the flow graph, the activity highlighted."""
        G = self._graph
        special = frozenset(c for c in self.register.catalogue.categories if self.register.catalogue.is_special(c))
        aid = self.dpia.activity.id
        near = neighbourhood(G, aid)
        title = f"{self.t('flow-graph')}: {self.name}"
        fig = draw_flow_graph(near, language=self.language, highlight=special, title=title, focus=aid,
                              size=(7.0, 6.0), legend=self.legend(),
                              categories={c: e.label.get(self.language)
                                          for c, e in self.register.catalogue.categories.items()})
        alt = self.t("alt-flow-graph").format(name=self.name, sources=len(set(near.predecessors(aid))),
                                              targets=len(set(near.successors(aid))))
        return Plot(fig, alt)

    # --- part B: lawfulness, necessity, proportionality (art. 35(7)(a)-(b)) --------------------------------

    def necessity(self) -> Section:
        """Part B: legal bases, the art. 5 principles with findings, and the officer's recorded answers."""
        blocks: list[Block] = [
            self._mark("a", "b"),
            Table(legal_bases_table(self.register, self.dpia.activity, self.language), self.t("legal-bases")),
            Table(principles_table(self.register, self.dpia.activity, self.dpia.findings, self.language),
                  self.t("principles")),
        ]
        record = self.dpia.record
        if record is None:
            blocks.append(Paragraph(self.t("no-dpia-record")))
        else:
            blocks += [
                Paragraph(record.necessity.get(self.language), self.t("necessity")),
                Paragraph(record.proportionality.get(self.language), self.t("proportionality")),
                Paragraph(record.subsidiarity.get(self.language), self.t("subsidiarity")),
            ]
        return Section(self.t("part-b"), tuple(blocks))

    def balancing_tests(self) -> Section:
        """Part B: the balancing test of every legitimate-interest purpose (art. 6(1)(f); CJEU C-621/22)."""
        purposes = [p for p in self.dpia.activity.purposes if p.basis == LegalBasis.LEGITIMATE_INTERESTS]
        if not purposes:
            return Section(self.t("balancing-tests"), (Paragraph(self.t("no-balancing-tests")),), level=3)
        blocks: list[Block] = []
        for purpose in purposes:
            test = purpose.balancing_test
            if test is None:
                blocks.append(Paragraph(self.t("balancing-test-missing"), purpose.description.get(self.language)))
                continue
            rows = [(self.t("interest"), test.interest.get(self.language)),
                    (self.t("necessity-test"), test.necessity.get(self.language)),
                    (self.t("balancing"), test.balancing.get(self.language))]
            if test.safeguards is not None:
                rows.append((self.t("safeguards"), test.safeguards.get(self.language)))
            rows += [(self.t("outcome"), self.t(f"outcome-{test.outcome}")),
                     (self.t("by"), self._role(test.by)), (self.t("date"), test.date.isoformat())]
            blocks.append(Table(pd.DataFrame(rows, columns=["", self.t("balancing")]),
                                purpose.description.get(self.language)))
        return Section(self.t("balancing-tests"), tuple(blocks), level=3)

    def rights(self) -> Section:
        """Part B: data-subject rights that this activity's legal bases give, and how they are handled."""
        return Section(self.t("rights"), (Table(rights_table(self.register, self.language, self.dpia.activity)),),
                       level=3)

    # --- part C: risks (art. 35(7)(c)) ---------------------------------------------------------------------

    def risks(self) -> Section:
        """Part C: the method and matrix, the feared events, the risk table and the highest residual risk."""
        assessment = self.dpia.risks
        matrix = load_risk_matrix()
        return Section(self.t("part-c"), (
            self._mark("c"),
            Paragraph(self.t("risk-method-text"), self.t("risk-method")),
            Table(matrix_table(self.language), self.t("risk-matrix"), css="keep"),
            Paragraph(f"{self.t('citation')}: {cite(matrix.citation, self.language)}; "
                      f"{self.t('source-analysis')}. {self.t('lw-short')}.", css="note"),
            Table(event_table(self.register, assessment, self.language), self.t("feared-events")),
            Table(risk_table(self.register, assessment, self.language), self.t("risk")),
            Paragraph(level_label(assessment.highest_residual, self.language), self.t("highest-residual")),
        ))

    def risk_map(self) -> Plot:
        """Part C: the 4×4 risk map."""
        points = risk_points(self.dpia.risks, self.language)
        title = f"{self.t('risk-map')}: {self.name}"
        alt = self.t("alt-risk-map").format(name=self.name, count=len(points),
                                            highest=level_label(self.dpia.risks.highest_residual, self.language))
        return Plot(risk_map(points, language=self.language, title=title), alt)

    # --- part D: measures (art. 35(7)(d)) ------------------------------------------------------------------

    def measures(self) -> Section:
        """Part D: measures in place (with the risks each lowers) and the action plan."""
        actions = self.dpia.risks.actions
        plan: Block = (Table(action_table(self.register, actions, self.language), self.t("action-plan"))
                       if actions else Paragraph(self.t("no-actions"), self.t("action-plan")))
        return Section(self.t("part-d"), (
            self._mark("d"),
            Table(measures_table(self.register, self.dpia.activity.measures, self.language),
                  self.t("measures-applied")),
            plan,
        ))

    # --- screening, findings, advice, decisions --------------------------------------------------------------

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

    def dpo_advice(self) -> Section:
        """The DPO's (privacy officer's) advice and whether and why it is followed (art. 35(2))."""
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

    def data_subject_views(self) -> Section:
        """How the views of data subjects were sought, or why not, and what they said (art. 35(9))."""
        record = self.dpia.record
        if record is None:
            return Section(self.t("data-subject-views"), (Paragraph(self.t("no-dpia-record")),))
        views = record.data_subject_views
        rows = [(self.t("views-consulted"), self.t("answer-yes" if views.consulted else "answer-no")),
                (self.t("views-how"), views.how.get(self.language))]
        if views.summary is not None:
            rows.append((self.t("views-summary"), views.summary.get(self.language)))
        return Section(self.t("data-subject-views"), (Table(pd.DataFrame(rows, columns=["", self.t("views-how")])),))

    def _art36_needed(self) -> bool:
        highest = self.dpia.risks.highest_residual
        return highest is not None and highest.level == 4

    def _art36_line(self) -> str:
        computed = self.t("art36-needed" if self._art36_needed() else "art36-not-needed")
        record = self.dpia.record
        decision = record.prior_consultation if record is not None else None
        if decision is None:
            return f"{computed}; {self.t('no-decision').lower()}"
        return f"{computed}; {self.t('art36-consult' if decision.consult else 'art36-no-consult')}"

    def prior_consultation(self) -> Section:
        """The art. 36(1) decision: computed need (a residual risk at the top level) and the officer's decision."""
        rows = [(self.t("art36-computed"), self.t("art36-needed" if self._art36_needed() else "art36-not-needed")),
                (self.t("highest-residual"), level_label(self.dpia.risks.highest_residual, self.language))]
        record = self.dpia.record
        decision = record.prior_consultation if record is not None else None
        if decision is None:
            rows.append((self.t("art36-decision"), self.t("no-decision")))
        else:
            rows += [(self.t("art36-decision"), self.t("art36-consult" if decision.consult else "art36-no-consult")),
                     (self.t("reason-why"), decision.reason.get(self.language)),
                     (self.t("by"), self._role(decision.by)), (self.t("date"), decision.date.isoformat())]
            if decision.submitted is not None:
                rows.append((self.t("art36-submitted"), decision.submitted.isoformat()))
        return Section(self.t("art36"), (Table(pd.DataFrame(rows, columns=["", self.t("decision")])),))

    def residual_acceptance(self) -> Section:
        """The reasoned acceptance (or refusal) of the residual risk: who, when, why (Model DPIA 17.3)."""
        record = self.dpia.record
        acceptance = record.residual_risk_acceptance if record is not None else None
        if acceptance is None:
            return Section(self.t("residual-acceptance"), (Paragraph(self.t("no-decision")),))
        rows = [(self.t("accepted"), self.t("answer-yes" if acceptance.accepted else "answer-no")),
                (self.t("highest-residual"), level_label(self.dpia.risks.highest_residual, self.language)),
                (self.t("reason-why"), acceptance.reason.get(self.language)),
                (self.t("by"), self._role(acceptance.by)), (self.t("date"), acceptance.date.isoformat())]
        return Section(self.t("residual-acceptance"), (Table(pd.DataFrame(rows, columns=["", self.t("decision")])),))

    def sign_off(self) -> Section:
        """The controller's decision, the DPIA status and the next review date (art. 35(11))."""
        record = self.dpia.record
        state = self.dpia.activity.dpia
        rows = [(self.t("dpia-status"), self.t(f"dpia-status-{state.status.value}"))]
        if record is not None and record.sign_off is not None:
            rows += [(self.t("decision"), self.t(f"decision-{record.sign_off.decision}")),
                     (self.t("by"), self._role(record.sign_off.by)),
                     (self.t("date"), record.sign_off.date.isoformat())]
        else:
            rows.append((self.t("decision"), self.t("no-sign-off")))
        review = record.review_date if record is not None else state.next_review
        if review is not None:
            overdue = f" ({self.t('review-overdue')})" if review < self.params.as_of else ""
            rows.append((self.t("review-date"), review.isoformat() + overdue))
        return Section(self.t("sign-off"), (Table(pd.DataFrame(rows, columns=["", self.t("status")])),))

    def signatories(self) -> Section:
        """Who signs, by role; name and date stay empty until signed (the register holds no names)."""
        record = self.dpia.record
        people = record.signatories if record is not None else ()
        rows = [(self._role(s.role), s.name or self.t("not-signed"), s.date.isoformat() if s.date else "", "")
                for s in people]
        if not rows:
            return Section(self.t("signatories"), (Paragraph(self.t("no-sign-off")),))
        frame = pd.DataFrame(rows, columns=[self.t("role"), self.t("name"), self.t("date"), self.t("signature")])
        return Section(self.t("signatories"), (Table(frame, css="signatures keep"),))

    def version(self) -> Section:
        """Tool version, register version (git commit or content hash), as-of date and version history."""
        blocks: list[Block] = [
            Paragraph(tool_version(), self.t("tool-version")),
            Paragraph(self._register_version, self.t("register-version")),
            Paragraph(self.params.as_of.isoformat(), self.t("as-of")),
        ]
        record = self.dpia.record
        if record is not None and record.versions:
            rows = [(v.version, v.date.isoformat(), self._role(v.by), v.change.get(self.language))
                    for v in record.versions]
            blocks.append(Table(pd.DataFrame(rows, columns=[self.t("version"), self.t("date"), self.t("by"),
                                                            self.t("change")]), self.t("version-history")))
        return Section(self.t("version-block"), tuple(blocks))

    def legend(self) -> dict[str, str]:
        """The flow graph's legend words in the report's language."""
        return {k: self.t(f"legend-{k}") for k in ("activity", "focus", "party", "flow", "special", "hosting")}

    def _role(self, role: str) -> str:
        found = self.register.roles.get(role)
        return found.name.get(self.language) if found is not None else role


