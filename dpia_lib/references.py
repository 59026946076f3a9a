"""Checks across records: every id a record points to must exist, and ids must be unique.

Also the two completeness checks the register's own validation makes (``dpia validate``), because an
art. 30 record without them is incomplete: a purpose without an art. 6(1) basis (GDPR art. 6; CJEU
C-667/21) and special-category data without an art. 9(2) condition and Dutch exception (GDPR art. 9;
UAVG art. 30). The rule engine reports the same gaps as findings, from the same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import yaml

from dpia_lib.diagnostics import Problem, suggest
from dpia_lib.records import Activity
from dpia_lib.register import Register
from dpia_lib.yamlio import Locator, format_loc

__all__ = ["Gap", "art6_gaps", "art9_gaps", "check_catalogue_references", "check_completeness", "check_references"]


def _ref_problem(
    register: Register, key: str, loc: tuple[str | int, ...], what: str, ident: str, known: Iterable[str]
) -> Problem:
    path, line, col = register.locate(key, loc)
    field = format_loc((*register.sources[key].prefix, *loc)) if key in register.sources else format_loc(loc)
    return Problem("unknown-reference", path, line, col, field, f"unknown {what} {ident!r}{suggest(ident, known)}")


def check_references(register: Register) -> list[Problem]:
    """Every unknown reference and cross-file duplicate id in ``register``."""
    problems: list[Problem] = []
    cat = register.catalogue
    roles = register.roles
    nodes = {**register.parties, **register.activities}

    skip = register.unchecked

    def need(key: str, loc: tuple[str | int, ...], what: str, ident: str | None, known: Mapping[str, object]) -> None:
        if ident is None or ident in known or ident in skip or any(f"*{w}" in skip for w in what.split(" or ")):
            return
        problems.append(_ref_problem(register, key, loc, what, ident, known))

    need("organisation", ("privacy_officer_role",), "role", register.organisation.privacy_officer_role, roles)
    for system in register.systems.values():
        need(f"system:{system.id}", ("supplier",), "party", system.supplier, register.parties)

    flow_ids: dict[str, str] = {}
    cats, parties, systems, measures, subjects = (cat.categories, register.parties, register.systems, cat.measures,
                                                  cat.data_subjects)
    for aid, act in register.activities.items():
        key = f"activity:{aid}"
        # Fast path (a clean register): skip building field paths when every id of a kind is known.
        if not (act.owner in roles and all(i in parties for i in act.controllers)
                and all(i in subjects for i in act.data_subjects) and all(i in cats for i in act.categories)
                and all(i in cats for i in act.retention) and all(i in systems for i in act.systems)
                and all(i in roles for i in act.access) and all(i in measures for i in act.measures)
                and all(t.party in parties for t in act.transfers)
                and (act.screening_override is None or act.screening_override.by in roles)):
            _activity_references(act, key, need, roles, register)
        for i, flow in enumerate(act.flows):
            if (flow.id not in flow_ids and flow.source in nodes and flow.target in nodes
                    and aid in (flow.source, flow.target) and all(c in cats for c in flow.categories)):
                flow_ids[flow.id] = aid
                continue
            loc: tuple[str | int, ...] = ("flows", i)
            if flow.id in flow_ids:
                path, line, col = register.locate(key, (*loc, "id"))
                problems.append(Problem("duplicate-id", path, line, col, format_loc((*loc, "id")),
                                        f"flow id {flow.id!r} is already used in activity {flow_ids[flow.id]!r}"))
            flow_ids.setdefault(flow.id, aid)
            need(key, (*loc, "from"), "party or activity", flow.source, nodes)
            need(key, (*loc, "to"), "party or activity", flow.target, nodes)
            if aid not in (flow.source, flow.target):
                path, line, col = register.locate(key, loc)
                problems.append(Problem("bad-value", path, line, col, format_loc(loc),
                                        f"flow {flow.id!r} must start or end at activity {aid!r}"))
            for j, ident in enumerate(flow.categories):
                need(key, (*loc, "categories", j), "data category", ident, cat.categories)
    _dpia_references(register, need, roles)
    return problems + check_catalogue_references(register)


_Need = Callable[[str, tuple[str | int, ...], str, "str | None", Mapping[str, object]], None]


def _activity_references(act: Activity, key: str, need: _Need, roles: Mapping[str, object], register: Register) -> None:
    """The per-field reference checks of one activity outside its flows, in field order."""
    cat = register.catalogue
    need(key, ("owner",), "role", act.owner, roles)
    for i, ident in enumerate(act.controllers):
        need(key, ("controllers", i), "party", ident, register.parties)
    for i, ident in enumerate(act.data_subjects):
        need(key, ("data_subjects", i), "data-subject category", ident, cat.data_subjects)
    for i, ident in enumerate(act.categories):
        need(key, ("categories", i), "data category", ident, cat.categories)
    for ident in act.retention:
        need(key, ("retention", ident), "data category", ident, cat.categories)
    for i, ident in enumerate(act.systems):
        need(key, ("systems", i), "system", ident, register.systems)
    for i, ident in enumerate(act.access):
        need(key, ("access", i), "role", ident, roles)
    for i, ident in enumerate(act.measures):
        need(key, ("measures", i), "measure", ident, cat.measures)
    for i, transfer in enumerate(act.transfers):
        need(key, ("transfers", i, "party"), "party", transfer.party, register.parties)
    if act.screening_override is not None:
        need(key, ("screening_override", "by"), "role", act.screening_override.by, roles)
    for i, purpose in enumerate(act.purposes):
        if purpose.balancing_test is not None:
            need(key, ("purposes", i, "balancing_test", "by"), "role", purpose.balancing_test.by, roles)


def _dpia_references(register: Register, need: _Need, roles: Mapping[str, object]) -> None:
    """The reference checks of the DPIA records."""
    cat = register.catalogue
    for aid, record in register.dpias.items():
        key = f"dpia:{aid}"
        need(key, ("activity",), "activity", aid, register.activities)
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


def art6_gaps(register: Register) -> Iterator[Gap]:
    """Purposes without an art. 6(1) basis (GDPR art. 6; art. 6 is needed beside art. 9, C-667/21)."""
    for aid, act in register.activities.items():
        special = act.special_categories_basis is not None
        for i, purpose in enumerate(act.purposes):
            if purpose.basis is None:
                extra = " (an art. 9 condition does not replace it: CJEU C-667/21)" if special else ""
                yield Gap(aid, ("purposes", i, "basis"),
                          f"purpose {purpose.id!r} has no art. 6(1) basis{extra}")


def art9_gaps(register: Register) -> Iterator[Gap]:
    """Activities processing special categories without an art. 9(2) condition and UAVG exception."""
    for aid, act in register.activities.items():
        special = [c for c in act.categories if register.catalogue.is_special(c)]
        if not special:
            continue
        basis = act.special_categories_basis
        missing = [name for name, value in (("condition", basis.condition if basis else None),
                                            ("dutch_exception", basis.dutch_exception if basis else None))
                   if value is None]
        if missing:
            loc: tuple[str | int, ...] = ("special_categories_basis",) if basis else ("categories",)
            yield Gap(aid, loc, f"special categories {', '.join(special)} processed without "
                                f"{' and '.join(missing)} (GDPR art. 9(2); UAVG art. 30)")


def check_completeness(register: Register) -> list[Problem]:
    """The art. 6 and art. 9 gaps as problems with file and line."""
    problems = []
    for code, gaps in (("art6-basis-missing", art6_gaps(register)), ("art9-condition-missing", art9_gaps(register))):
        for gap in gaps:
            path, line, col = register.locate(f"activity:{gap.activity}", gap.loc)
            problems.append(Problem(code, path, line, col, format_loc(gap.loc), gap.message))
    return problems
