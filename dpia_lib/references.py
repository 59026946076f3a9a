"""Checks across records: every id a record points to must exist, and ids must be unique.

Also the two completeness checks the register's own validation makes (``dpia validate``), because an
art. 30 record without them is incomplete: a purpose without an art. 6(1) basis (GDPR art. 6; CJEU
C-667/21) and special-category data without an art. 9(2) condition and Dutch exception (GDPR art. 9;
UAVG art. 30). The rule engine reports the same gaps as findings, from the same functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from dpia_lib.diagnostics import Problem, suggest
from dpia_lib.law import ART9_EXCEPTIONS, ProcessingRole, citation
from dpia_lib.records import Activity, DpiaRecord, Organisation, Party, System
from dpia_lib.register import Register
from dpia_lib.sources import Sources
from dpia_lib.yamlio import Locator, format_loc

Loc = tuple[str | int, ...]

__all__ = [
    "CrossChecks",
    "Gap",
    "art6_gaps",
    "art9_exception_gaps",
    "art9_gaps",
    "check_catalogue_references",
    "check_completeness",
    "check_references",
    "processor_gaps",
]


def _ref_problem(
    register: Register, sources: Sources, key: str, loc: Loc, what: str, ident: str, known: Iterable[str]
) -> Problem:
    path, line, col = sources.locate(key, loc)
    field = format_loc((*register.sources[key].prefix, *loc)) if key in register.sources else format_loc(loc)
    return Problem("unknown-reference", path, line, col, field, f"unknown {what} {ident!r}{suggest(ident, known)}")


def check_references(register: Register, sources: Sources | None = None,
                     cross: CrossChecks | None = None) -> list[Problem]:
    """Every unknown reference and cross-file duplicate id in ``register``.

    ``sources``: the register's line lookups, when the caller keeps them (e.g. an
    :class:`~dpia_lib.analysis.Analysis`'s). ``cross``: the per-record results of an earlier run, kept
    to check only the records that changed (:class:`CrossChecks`); the result is the same without it.
    """
    return (cross if cross is not None else CrossChecks()).references(register, sources)


class CrossChecks:
    """The checks across records (:func:`check_references`, :func:`check_completeness`), one record at a
    time, with each record's problems kept for the next run.

    A record's references depend on the record itself and on which ids exist (roles, parties, systems,
    activities, catalogue entries, records that failed validation); its completeness gaps on the record
    and the catalogue. A record object of an unchanged file is the same object from one run to the next
    (the incremental checker keeps validated records per file content, :mod:`dpia_lib.incremental`), so
    while those ids stay the same only records that are new objects are checked again: after one edit,
    one record instead of every record. Whether a flow id is used twice is a question about all flows
    and is answered over all of them each time (a dictionary pass). A fresh instance checks everything,
    which is what the full check does: one implementation for both.

    >>> from dpia_lib.loading import DEFAULT_DATA_DIR, load_register
    >>> register = load_register(DEFAULT_DATA_DIR.parent / "ropa")
    >>> cross = CrossChecks()
    >>> cross.references(register), cross.completeness(register)
    ([], [])
    >>> cross.checked  # the organisation, 5 systems, 14 parties, 13 activities, 4 DPIA records; 13 activities
    (37, 13)
    >>> _ = cross.references(register), cross.completeness(register)
    >>> cross.checked
    (0, 0)
    """

    def __init__(self) -> None:
        self._context: tuple[Any, ...] | None = None
        self._catalogue: object = None
        self._kept: dict[str, tuple[object, list[Problem]]] = {}
        self._gaps_catalogue: object = None
        self._gaps: dict[str, tuple[Activity, list[tuple[str, Gap]]]] = {}
        #: How many records the last :meth:`references` and :meth:`completeness` checked anew.
        self.checked = (0, 0)

    def references(self, register: Register, sources: Sources | None = None) -> list[Problem]:
        """Every unknown reference and duplicate id (see :func:`check_references`)."""
        sources = sources if sources is not None else Sources(register)
        context = (tuple(register.roles), tuple(register.parties), tuple(register.systems),
                   tuple(register.activities), register.unchecked)
        if self._context != context or not _same(self._catalogue, register.catalogue):
            self._kept = {}
        self._context, self._catalogue = context, register.catalogue
        kept, fresh = self._kept, {}
        checker = _ReferenceChecker(register, sources)
        checked = 0

        def of(key: str, record: Any, check: Callable[[Any], None]) -> list[Problem]:
            nonlocal checked
            hit = kept.get(key)
            if hit is None or hit[0] is not record:
                checker.problems = []
                check(record)
                checked += 1
                hit = (record, checker.problems)
            fresh[key] = hit
            return hit[1]

        problems: list[Problem] = []
        problems += of("organisation", register.organisation, checker.organisation)
        for sid, system in register.systems.items():
            problems += of(f"system:{sid}", system, checker.system)
        for pid, party in register.parties.items():
            problems += of(f"party:{pid}", party, checker.party)
        for aid, act in register.activities.items():
            problems += of(f"activity:{aid}", act, checker.activity)
        for aid, record in register.dpias.items():
            problems += of(f"dpia:{aid}", record, checker.dpia)
        self._kept, self.checked = fresh, (checked, self.checked[1])
        return problems + _duplicate_flow_ids(register, sources) + check_catalogue_references(register)

    def completeness(self, register: Register, sources: Sources | None = None) -> list[Problem]:
        """The art. 6, art. 9 and processor-record gaps as problems (see :func:`check_completeness`)."""
        sources = sources if sources is not None else Sources(register)
        if not _same(self._gaps_catalogue, register.catalogue):
            self._gaps = {}
        self._gaps_catalogue = register.catalogue
        kept, fresh = self._gaps, {}
        checked = 0
        by_code: dict[str, list[Gap]] = {code: [] for code in _GAP_CODES}
        for aid, act in register.activities.items():
            hit = kept.get(aid)
            if hit is None or hit[0] is not act:
                hit = (act, list(_activity_gaps(register, aid)))
                checked += 1
            fresh[aid] = hit
            for code, gap in hit[1]:
                by_code[code].append(gap)
        self._gaps, self.checked = fresh, (self.checked[0], checked)
        problems = []
        for code, gaps in by_code.items():
            for gap in gaps:
                path, line, col = sources.locate(f"activity:{gap.activity}", gap.loc)
                problems.append(Problem(code, path, line, col, format_loc(gap.loc), gap.message))
        return problems


def _same(kept: object, catalogue: object) -> bool:
    """Whether ``catalogue`` holds what ``kept`` held (it is rebuilt per run from the same cached entries)."""
    return kept is catalogue or kept == catalogue


class _ReferenceChecker:
    """The reference checks of one record at a time; problems gather in :attr:`problems`."""

    def __init__(self, register: Register, sources: Sources) -> None:
        self.register, self.sources = register, sources
        self.problems: list[Problem] = []
        cat = register.catalogue
        self.nodes: Mapping[str, object] = {**register.parties, **register.activities}
        self.channels = cat.channels

    def need(self, key: str, loc: Loc, what: str, ident: str | None, known: Mapping[str, object]) -> None:
        skip = self.register.unchecked
        if ident is None or ident in known or ident in skip or any(f"*{w}" in skip for w in what.split(" or ")):
            return
        self.problems.append(_ref_problem(self.register, self.sources, key, loc, what, ident, known))

    def organisation(self, organisation: Organisation) -> None:
        self.need("organisation", ("privacy_officer_role",), "role", organisation.privacy_officer_role,
                  self.register.roles)
        self.problems += _assumption_problems(self.sources, "organisation", (), organisation)
        for j, role in enumerate(organisation.roles):
            self.problems += _assumption_problems(self.sources, "organisation", ("roles", j), role)

    def system(self, system: System) -> None:
        key = f"system:{system.id}"
        self.need(key, ("supplier",), "party", system.supplier, self.register.parties)
        self.problems += _assumption_problems(self.sources, key, (), system)

    def party(self, party: Party) -> None:
        key = f"party:{party.id}"
        kinds = self.register.catalogue.party_kinds
        if kinds:  # a bare catalogue built in code has no vocabularies to check against
            self.need(key, ("kind",), "party kind", party.kind, kinds)
        self.problems += _assumption_problems(self.sources, key, (), party)

    def activity(self, act: Activity) -> None:
        register, aid = self.register, act.id
        key = f"activity:{aid}"
        cats = register.catalogue.categories
        _activity_references(act, key, self.need, register.roles, register)
        for i, flow in enumerate(act.flows):
            if (flow.source in self.nodes and flow.target in self.nodes and aid in (flow.source, flow.target)
                    and all(c in cats for c in flow.categories)
                    and (not self.channels or flow.channel in self.channels)):
                continue
            loc: Loc = ("flows", i)
            self.need(key, (*loc, "from"), "party or activity", flow.source, self.nodes)
            self.need(key, (*loc, "to"), "party or activity", flow.target, self.nodes)
            if aid not in (flow.source, flow.target):
                path, line, col = self.sources.locate(key, loc)
                self.problems.append(Problem("bad-value", path, line, col, format_loc(loc),
                                             f"flow {flow.id!r} must start or end at activity {aid!r}"))
            for j, ident in enumerate(flow.categories):
                self.need(key, (*loc, "categories", j), "data category", ident, cats)
            if self.channels:
                self.need(key, (*loc, "channel"), "channel", flow.channel, self.channels)
        self.problems += _assumption_problems(self.sources, key, (), act)

    def dpia(self, record: DpiaRecord) -> None:
        _dpia_references(self.register, record, self.need, self.register.roles)


def _duplicate_flow_ids(register: Register, sources: Sources) -> list[Problem]:
    """A flow id used a second time, in the same activity or another (a flow is named by its id)."""
    ids = [flow.id for act in register.activities.values() for flow in act.flows]
    if len(set(ids)) == len(ids):
        return []
    owner: dict[str, str] = {}
    problems = []
    for aid, act in register.activities.items():
        for i, flow in enumerate(act.flows):
            first = owner.get(flow.id)
            if first is None:
                owner[flow.id] = aid
                continue
            loc: Loc = ("flows", i, "id")
            path, line, col = sources.locate(f"activity:{aid}", loc)
            problems.append(Problem("duplicate-id", path, line, col, format_loc(loc),
                                    f"flow id {flow.id!r} is already used in activity {first!r}"))
    return problems


@functools.cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """The field names and aliases of a record type."""
    return frozenset(n for name, info in model.model_fields.items() for n in (name, info.alias) if n)


def _assumption_problems(sources: Sources, key: str, prefix: Loc, record: BaseModel) -> list[Problem]:
    """An assumption must name a field of its record (its first dotted part: 'dpa.signed' names 'dpa')."""
    assumptions = getattr(record, "assumptions", ())
    if not assumptions:
        return []
    names = _field_names(type(record))
    out = []
    for i, assumption in enumerate(assumptions):
        head = assumption.field.split(".")[0]
        if head not in names:
            loc = (*prefix, "assumptions", i, "field")
            path, line, col = sources.locate(key, loc)
            out.append(Problem("bad-value", path, line, col, format_loc(loc),
                               f"assumption names no field {head!r} of this record{suggest(head, names)}"))
    return out


_Need = Callable[[str, Loc, str, "str | None", Mapping[str, object]], None]

#: One field of an activity that holds references: what they name, the known ids, the ids, and the field
#: path of the n-th id (built only when a reference is unknown).
_Field = tuple[str, Mapping[str, object], Sequence["str | None"], Callable[[int, str | None], Loc]]


def _activity_fields(act: Activity, roles: Mapping[str, object], register: Register) -> Iterator[_Field]:
    """The reference fields of one activity outside its flows, in field order."""
    cat = register.catalogue
    yield "role", roles, (act.owner,), lambda n, i: ("owner",)
    tested = [(j, p.balancing_test.by) for j, p in enumerate(act.purposes) if p.balancing_test is not None]
    yield ("role", roles, tuple(by for _, by in tested),
           lambda n, i: ("purposes", tested[n][0], "balancing_test", "by"))
    yield "party", register.parties, act.controllers, lambda n, i: ("controllers", n)
    yield "data-subject category", cat.data_subjects, act.data_subjects, lambda n, i: ("data_subjects", n)
    yield "data category", cat.categories, act.categories, lambda n, i: ("categories", n)
    yield "data category", cat.categories, tuple(act.retention), lambda n, i: ("retention", str(i))
    if cat.dossiers:  # a bare catalogue built in code has no vocabularies to check against
        yield "dossier", cat.dossiers, (act.dossier,), lambda n, i: ("dossier",)
    yield "system", register.systems, act.systems, lambda n, i: ("systems", n)
    yield "role", roles, act.access, lambda n, i: ("access", n)
    yield "measure", cat.measures, act.measures, lambda n, i: ("measures", n)
    yield "party", register.parties, tuple(t.party for t in act.transfers), lambda n, i: ("transfers", n, "party")
    if act.screening_override is not None:
        yield "role", roles, (act.screening_override.by,), lambda n, i: ("screening_override", "by")


def _activity_references(act: Activity, key: str, need: _Need, roles: Mapping[str, object], register: Register) -> None:
    """The per-field reference checks of one activity outside its flows, in field order.

    A field whose ids are all known is passed over without building a field path per id (the common case).
    """
    for what, known, idents, loc_of in _activity_fields(act, roles, register):
        if all(i in known for i in idents):
            continue
        for n, ident in enumerate(idents):
            need(key, loc_of(n, ident), what, ident, known)


def _dpia_references(register: Register, record: DpiaRecord, need: _Need, roles: Mapping[str, object]) -> None:
    """The reference checks of one DPIA record."""
    cat = register.catalogue
    key = f"dpia:{record.activity}"
    need(key, ("activity",), "activity", record.activity, register.activities)
    for i, action in enumerate(record.actions):
        need(key, ("actions", i, "measure"), "measure", action.measure, cat.measures)
        need(key, ("actions", i, "owner"), "role", action.owner, roles)
    if record.dpo_advice is not None:
        need(key, ("dpo_advice", "by"), "role", record.dpo_advice.by, roles)
    if record.sign_off is not None:
        need(key, ("sign_off", "by"), "role", record.sign_off.by, roles)
    for i, adjustment in enumerate(record.risk_adjustments):
        need(key, ("risk_adjustments", i, "event"), "feared event", adjustment.event, cat.risks)
    for part in ("residual_risk_acceptance", "prior_consultation"):
        if (decision := getattr(record, part)) is not None:
            need(key, (part, "by"), "role", decision.by, roles)
    for i, signatory in enumerate(record.signatories):
        need(key, ("signatories", i, "role"), "role", signatory.role, roles)
    for i, entry in enumerate(record.versions):
        need(key, ("versions", i, "by"), "role", entry.by, roles)


def check_catalogue_references(register: Register) -> list[Problem]:
    """Ids between catalogues: a measure's feared events must exist in ``data/risks.yaml``.

    Skipped when the catalogue holds no feared events (a bare catalogue built in code).
    """
    cat = register.catalogue
    if not cat.risks or cat.source_dir is None:
        return []
    unknown = [(m.id, j, e) for m in cat.measures.values() for j, e in enumerate(m.events) if e not in cat.risks]
    if not unknown:
        return []
    path = cat.source_dir / "measures.yaml"
    try:
        text = path.read_text(encoding="utf-8")
        entries = yaml.safe_load(text).get("measures", [])
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        text, entries = "", []
    order = {e.get("id"): i for i, e in enumerate(entries) if isinstance(e, dict)}
    locator = Locator(text)
    problems = []
    for mid, j, event in unknown:
        loc: tuple[str | int, ...] = ("measures", order.get(mid, 0), "events", j)
        line, col = locator.position(loc)
        problems.append(Problem("unknown-reference", str(path), line, col, format_loc(loc),
                                f"unknown feared event {event!r}{suggest(event, cat.risks)}"))
    return problems


@dataclass(frozen=True, slots=True)
class Gap:
    """A completeness gap in one activity: which field is missing and why it matters."""

    activity: str
    loc: tuple[str | int, ...]
    message: str


def _chosen(register: Register, activities: Collection[str] | None) -> Iterator[tuple[str, Activity]]:
    """The register's activities in order, or only those named in ``activities``."""
    if activities is None:
        yield from register.activities.items()
    else:
        yield from ((aid, register.activities[aid]) for aid in sorted(activities) if aid in register.activities)


def art6_gaps(register: Register, activities: Collection[str] | None = None) -> Iterator[Gap]:
    """Purposes without an art. 6(1) basis (GDPR art. 6; art. 6 is needed beside art. 9, C-667/21).

    Not for an activity done as processor: the basis is the controller's to record (GDPR art. 28, 30(2)).
    ``activities``: only these (the rule engine's re-check after an edit).
    """
    for aid, act in _chosen(register, activities):
        if act.role == ProcessingRole.PROCESSOR:
            continue
        special = act.special_categories_basis is not None
        for i, purpose in enumerate(act.purposes):
            if purpose.basis is None:
                extra = " (an art. 9 condition does not replace it: CJEU C-667/21)" if special else ""
                yield Gap(aid, ("purposes", i, "basis"),
                          f"purpose {purpose.id!r} has no art. 6(1) basis{extra}")


def art9_gaps(register: Register, activities: Collection[str] | None = None) -> Iterator[Gap]:
    """Activities processing special categories without an art. 9(2) condition and UAVG exception.

    Special categories include data revealing health by whom it is about (:func:`dpia_lib.legal.special_categories`).
    Not for an activity done as processor (the condition is the controller's), and no Dutch exception is
    asked for a condition that applies without one (:data:`dpia_lib.law.ART9_EXCEPTIONS`). ``activities``:
    only these.
    """
    from dpia_lib.legal import inferred_special, special_categories

    for aid, act in _chosen(register, activities):
        if act.role == ProcessingRole.PROCESSOR:
            continue
        special = special_categories(register, act)
        if not special:
            continue
        inferred = inferred_special(register, act)
        if inferred and not any(register.catalogue.is_special(c) for c in act.categories):
            groups = ", ".join(s for group in inferred.values() for s in group)
            special = [f"data about {groups} (reveals {', '.join(inferred)}: CJEU C-184/20)"]
        basis = act.special_categories_basis
        condition = basis.condition if basis else None
        missing = [] if condition is not None else ["condition"]
        needs_exception = condition is None or bool(ART9_EXCEPTIONS.get(condition, ()))
        if needs_exception and (basis is None or basis.dutch_exception is None):
            missing.append("dutch_exception")
        if missing:
            loc: tuple[str | int, ...] = ("special_categories_basis",) if basis else ("categories",)
            yield Gap(aid, loc, f"special categories {', '.join(special)} processed without "
                                f"{' and '.join(missing)} (GDPR art. 9(2); UAVG art. 30)")


def art9_exception_gaps(register: Register, activities: Collection[str] | None = None) -> Iterator[Gap]:
    """Dutch exceptions that do not rest on the art. 9(2) condition recorded beside them (UAVG arts. 22-30
    each name the condition they rely on; :data:`dpia_lib.law.ART9_EXCEPTIONS`). ``activities``: only these."""
    for aid, act in _chosen(register, activities):
        basis = act.special_categories_basis
        if basis is None or basis.condition is None or basis.dutch_exception is None:
            continue
        allowed = ART9_EXCEPTIONS.get(basis.condition, ())
        if basis.dutch_exception not in allowed:
            fits = ", ".join(citation(e) for e in allowed) or "none: the condition applies without a Dutch exception"
            yield Gap(aid, ("special_categories_basis", "dutch_exception"),
                      f"{citation(basis.dutch_exception)} does not rest on {citation(basis.condition)} "
                      f"({basis.condition.value}); exceptions that do: {fits}")


#: The catalogued measure by which a processor notifies its controllers of a breach (GDPR art. 33(2)).
BREACH_MEASURE = "incident-procedure"


def processor_gaps(register: Register, activities: Collection[str] | None = None) -> Iterator[Gap]:
    """The processor's own duties for an activity done as processor: name the controllers it acts for
    (GDPR art. 30(2)(a)) and the agreement that binds it (art. 28(3)), record its security measures
    (art. 32, 30(2)(d)) and a procedure to tell the controllers of a breach without undue delay (art. 33(2)).
    ``activities``: only these."""
    for aid, act in _chosen(register, activities):
        if act.role != ProcessingRole.PROCESSOR:
            continue
        if not act.measures:
            yield Gap(aid, ("role",), "an activity done as processor must record its security measures "
                                      "(`measures`, GDPR art. 32, 30(2)(d))")
        elif BREACH_MEASURE in register.catalogue.measures and BREACH_MEASURE not in act.measures:
            yield Gap(aid, ("measures",), f"an activity done as processor must record how it tells the controllers "
                                          f"of a breach without undue delay (measure {BREACH_MEASURE!r}, "
                                          f"GDPR art. 33(2))")
        if not act.controllers:
            yield Gap(aid, ("role",), "an activity done as processor must name the controllers it is done for "
                                      "(`controllers`, GDPR art. 30(2)(a))")
        if act.agreement is None:
            yield Gap(aid, ("role",), "an activity done as processor must record the processing agreement with "
                                      "the controllers (`agreement`, GDPR art. 28(3))")


#: The completeness checks by problem code, in the order they are reported.
_GAP_CODES: dict[str, Callable[[Register, Collection[str] | None], Iterator[Gap]]] = {
    "art6-basis-missing": art6_gaps,
    "art9-condition-missing": art9_gaps,
    "art9-exception-mismatch": art9_exception_gaps,
    "processor-record-incomplete": processor_gaps,
}


def _activity_gaps(register: Register, aid: str) -> Iterator[tuple[str, Gap]]:
    """The completeness gaps of one activity, with their problem code."""
    for code, gaps in _GAP_CODES.items():
        for gap in gaps(register, (aid,)):
            yield code, gap


def check_completeness(register: Register, sources: Sources | None = None,
                       cross: CrossChecks | None = None) -> list[Problem]:
    """The art. 6, art. 9 and processor-record gaps as problems with file and line, by code then activity.

    ``cross``: the per-record results of an earlier run (:class:`CrossChecks`); the result is the same
    without it.
    """
    return (cross if cross is not None else CrossChecks()).completeness(register, sources)
