"""The editor's one check path gives, after every kind of edit, exactly what a full check of the saved
register gives: the same problems, screenings and findings (same list, order, files, lines and fields),
while the rules run again only for the activities an edit can affect. Budget: about 60 s.

The full check is ``validate_register`` + ``screen`` + ``rules.check`` on the session's texts written to
a folder of their own, read from disk: it shares nothing with the session's in-memory, incremental path
but the validation and rule functions themselves.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dpia_lib.editing import EditSession
from dpia_lib.errors import ParameterError
from dpia_lib.findings import Finding
from dpia_lib.rules import check
from dpia_lib.screening import screen
from dpia_lib.validation import validate_register
from tests.engine_fixtures import copy_register

AS_OF = dt.date(2026, 11, 25)

Edit = Callable[[EditSession], Any]

#: One edit of each kind the editor makes, each chosen to change problems or findings (checked below).
EDITS: dict[str, Edit] = {
    # an activity's own field: 250,000 a year is large-scale, so the screening and the DPIA rule change
    "activity field": lambda s: s.set("activity:newsletter", "data_subjects_per_year", 250_000),
    # a new flow into another activity brings it a category it does not declare: minimisation-excess
    # about newsletter, found by editing legal-claims
    "flow added (minimisation on its target)": lambda s: s.add_flow("legal-claims", {
        "id": "claims-to-newsletter", "from": "legal-claims", "to": "newsletter",
        "categories": ["legal-claim-file"], "channel": "email", "frequency": "once"}),
    "flow removed": lambda s: s.remove_flow("special-file", "limitations-to-assessments"),
    # medical data to a second activity, which reports to the employer: the finding is about
    # progress-reporting (the last flow of the path), found by editing special-file and progress-reporting
    "flow with medical data into an employer path": lambda s: s.add_flow("special-file", {
        "id": "complaints-to-report", "from": "special-file", "to": "progress-reporting",
        "categories": ["diagnosis-complaints"], "channel": "client-tracking-system", "frequency": "per-event"}),
    "flow categories widened towards the employer": lambda s: s.set(
        "activity:progress-reporting", "flows[2].categories", ["name-contact", "progress-reports",
                                                                "diagnosis-complaints"]),
    # the flow now brings management-reporting a name it does not declare
    "flow target changed": lambda s: s.set("activity:reintegration-second-track", "flows[5].to",
                                           "management-reporting"),
    # the legal adviser becomes an employer (what it receives, it may receive: changes nothing alone)
    "party kind changed": lambda s: s.set("party:legal-adviser", "kind", "employer"),
    "party becomes a processor without agreement": lambda s: s.set("party:survey-organisation", "role", "processor"),
    "party moved outside the EEA": lambda s: s.set("party:survey-organisation", "country", "US"),
    "processor agreement expired": lambda s: s.set("party:cts-supplier", "dpa.expires", "2025-01-31"),
    # a new processor, without agreement, hosts the office suite of six activities
    "party added and hosting a system": lambda s: _batch(s, lambda: s.add_record("party", {
        "id": "new-host", "name": {"nl": "Nieuwe hoster", "en": "New host"}, "kind": "processor",
        "role": "processor"}), lambda: s.set("system:office-suite", "supplier", "new-host")),
    # the same, the other way round: a supplier named first (a problem), then added as a party
    "supplier named before it is added": lambda s: (s.set("system:office-suite", "supplier", "new-host"),
                                                    s.add_record("party", {
                                                        "id": "new-host", "name": {"nl": "Hoster", "en": "Host"},
                                                        "kind": "processor", "role": "processor"})),
    "party removed (dangling flows)": lambda s: s.remove_record("party:labour-expert"),
    "system supplier changed": lambda s: s.set("system:office-suite", "supplier", "email-service"),
    "system hosted outside the EEA": lambda s: s.set("system:mailing-platform", "hosting_country", "US"),
    "DPIA review date passed": lambda s: s.set("dpia:special-file", "review_date", "2025-01-01"),
    # a measure in place in the activity, still open in the action plan
    "DPIA action still open": lambda s: s.set("dpia:special-file", "actions[0].measure", "access-logging"),
    "organisation role without secrecy": lambda s: s.set("role:medical-case-manager", "confidentiality", "none"),
    "organisation name": lambda s: s.set("organisation", "name", "Ros Loopbaan B.V."),  # changes nothing
    # a line more for the first party: the lines of every party after it in parties.yaml move
    "party note added": lambda s: s.set("party:data-subject", "note", "Clients and candidates."),
    "activity removed": lambda s: s.remove_record("activity:newsletter"),
    "activity added": lambda s: s.duplicate_record("activity:special-file", "special-file-copy"),
    "broken reference": lambda s: s.set("activity:newsletter", "owner", "nobody"),
    "retention shortened": lambda s: s.set("activity:special-file", "retention", None),
}
#: Edits that change nothing the checks report on their own (they matter in the sequences below).
NEUTRAL = {"party kind changed", "organisation name", "party note added"}


def _batch(session: EditSession, *edits: Callable[[], Any]) -> None:
    with session.batch():
        for edit in edits:
            edit()


def _relative(finding: Finding, root: Path) -> Finding:
    return finding.model_copy(update={"path": str(Path(finding.path).relative_to(root))})


def _session_result(session: EditSession) -> tuple[list[tuple[Any, ...]], dict[str, Any], list[Finding]]:
    root = session.root
    problems = [(p.code, str(Path(p.path).relative_to(root)), p.line, p.column, p.field, p.message)
                for p in session.problems]
    return problems, dict(session.screenings), [_relative(f, root) for f in session.findings]


def _full_result(session: EditSession, where: Path) -> tuple[list[tuple[Any, ...]], dict[str, Any], list[Finding]]:
    """validate + screen + check of the session's texts saved to a folder of their own."""
    if where.exists():
        shutil.rmtree(where)
    for rel, text in session.texts().items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_text(text, encoding="utf-8")
    for folder in ("activities", "dpias"):
        (where / folder).mkdir(exist_ok=True)
    result = validate_register(where, session.data_dir)
    problems = [(p.code, str(Path(p.path).relative_to(where)), p.line, p.column, p.field, p.message)
                for p in result.problems]
    if result.register is None:
        return problems, {}, []
    return (problems, screen(result.register),
            [_relative(f, where) for f in check(result.register, AS_OF)])


def _assert_same(session: EditSession, where: Path) -> None:
    problems, screenings, findings = _full_result(session, where)
    got_problems, got_screenings, got_findings = _session_result(session)
    assert got_problems == problems
    assert got_screenings == screenings
    assert got_findings == findings


@pytest.mark.parametrize("what", list(EDITS))
def test_each_kind_of_edit_gives_what_a_full_check_gives(ropa_copy: Path, tmp_path: Path, what: str) -> None:
    session = EditSession(ropa_copy, as_of=AS_OF)
    before = _session_result(session)
    EDITS[what](session)
    _assert_same(session, tmp_path / "full")
    assert (_session_result(session) != before) is (what not in NEUTRAL)
    while session.undo():
        pass
    _assert_same(session, tmp_path / "full")
    assert _session_result(session) == before


def test_findings_about_other_activities_follow_an_edit(ropa_copy: Path) -> None:
    """The edit of one activity changes findings about others, which are found again: a flow from
    legal-claims makes newsletter receive data it does not declare (minimisation-excess about
    newsletter), and medical data passed on by special-file reaches the employer through
    progress-reporting (medical-secrecy-breach about progress-reporting, whose flow delivers it)."""
    session = EditSession(ropa_copy, as_of=AS_OF)
    assert not [f for f in session.findings if f.activity in ("newsletter", "progress-reporting")]
    EDITS["flow added (minimisation on its target)"](session)
    assert [(f.code, f.activity) for f in session.findings if f.activity == "newsletter"] == [
        ("minimisation-excess", "newsletter")]
    EDITS["flow categories widened towards the employer"](session)
    EDITS["flow with medical data into an employer path"](session)
    breach = [f for f in session.findings if f.code == "medical-secrecy-breach"]
    assert [(f.activity, f.field) for f in breach] == [("progress-reporting", "flows[2].categories[2]")]
    assert breach[0].path == str(ropa_copy / "activities" / "progress-reporting.yaml")
    assert "complaints-to-report -> report-to-employer" in breach[0].message
    session.remove_flow("special-file", "complaints-to-report")  # the path now starts at progress-reporting
    breach = [f for f in session.findings if f.code == "medical-secrecy-breach"]
    assert [f.activity for f in breach] == ["progress-reporting"]
    assert "by flow report-to-employer " in breach[0].message


def test_findings_located_in_an_edited_file_move_with_their_lines(ropa_copy: Path, tmp_path: Path) -> None:
    """A processor's expired agreement is reported (about each activity it hosts) at its line in
    parties.yaml; a line added above it for another party moves those findings, although the
    activities they are about did not change."""
    session = EditSession(ropa_copy, as_of=AS_OF)
    EDITS["processor agreement expired"](session)
    lines = {f.line for f in session.findings if f.code == "processor-without-dpa"}
    assert len(lines) == 1
    EDITS["party note added"](session)
    assert {f.line for f in session.findings if f.code == "processor-without-dpa"} == {lines.pop() + 1}
    _assert_same(session, tmp_path / "full")


def test_the_editor_writes_nothing_to_check_and_its_problems_name_the_register(ropa_copy: Path) -> None:
    before = {p: p.read_bytes() for p in ropa_copy.rglob("*") if p.is_file()}
    session = EditSession(ropa_copy, as_of=AS_OF)
    problems = session.set("activity:newsletter", "owner", "nobody")
    assert [p.path for p in problems["owner"]] == [str(ropa_copy / "activities" / "newsletter.yaml")]
    assert {p: p.read_bytes() for p in ropa_copy.rglob("*") if p.is_file()} == before


def test_an_edit_runs_the_rules_for_few_activities(ropa_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a field edit of newsletter, the per-activity rules look at newsletter only."""
    import dpia_lib.rules as rules

    session = EditSession(ropa_copy, as_of=AS_OF)
    _ = session.findings
    scopes: list[object] = []
    real = rules._run

    def spy(*args: Any) -> list[Finding]:
        scopes.append(args[-1])
        return real(*args)

    monkeypatch.setattr(rules, "_run", spy)
    EDITS["activity field"](session)
    _ = session.findings
    assert scopes == [frozenset({"newsletter"})]  # the employer paths are not followed again: no flow changed


STEPS = st.lists(st.tuples(st.sampled_from([*EDITS, "undo"]), st.booleans()), min_size=1, max_size=5)


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_edit_sequences_give_what_a_full_check_gives(tmp_path: Path, steps: list[tuple[str, bool]]) -> None:
    """Any sequence of edits (and undos), with the findings read after some steps only (the session then
    brings them up to date over several edits at once), ends where a full check of the texts ends."""
    root = copy_register(tmp_path / f"run-{next(_RUNS)}")
    session = EditSession(root, as_of=AS_OF)
    for what, look in steps:
        if what == "undo":
            session.undo()
        else:
            try:
                EDITS[what](session)
            except ParameterError:
                continue  # e.g. a flow removed twice, or a record added twice
        if look:
            _ = session.findings
    _assert_same(session, root.parent / "full")


_RUNS = itertools.count()


def _synthetic_edit(session: EditSession, kind: str, i: int, j: int) -> None:
    """One edit of a synthetic register, on the ``i``-th record of its kind (``j`` picks a second one)."""
    acts = session.records("activity")
    aid, other = acts[i % len(acts)], acts[j % len(acts)]
    flows = session.get(f"activity:{aid}", "flows") or []
    if kind == "field":
        session.set(f"activity:{aid}", "data_subjects_per_year", 100 + j)
    elif kind == "categories":  # drop a declared category: flows into it may now bring it undeclared data
        categories = session.get(f"activity:{aid}", "categories")
        session.set(f"activity:{aid}", "categories", categories[:-1] or categories)
    elif kind == "retarget" and flows:  # a flow now ends at another activity
        k = j % len(flows)
        end = "to" if flows[k]["from"] == aid else "from"
        session.set(f"activity:{aid}", f"flows[{k}].{end}", other)
    elif kind == "remove-flow" and flows:
        session.remove_item(f"activity:{aid}", "flows", j % len(flows))
    elif kind == "party":
        parties = session.records("party")
        pid = parties[j % len(parties)]
        field, value = [("kind", "employer"), ("role", "processor"), ("country", "US"),
                        ("confidentiality", "none")][i % 4]
        session.set(f"party:{pid}", field, value)
    elif kind == "system":
        systems, parties = session.records("system"), session.records("party")
        sid = systems[i % len(systems)]
        if j % 2:
            session.set(f"system:{sid}", "hosting_country", "US")
        else:
            session.set(f"system:{sid}", "supplier", parties[j % len(parties)])
    elif kind == "dpia" and session.records("dpia"):
        dpias = session.records("dpia")
        session.set(f"dpia:{dpias[i % len(dpias)]}", "review_date", "2025-01-01")


SYNTHETIC_STEPS = st.lists(st.tuples(st.sampled_from(["field", "categories", "retarget", "remove-flow", "party",
                                                      "system", "dpia"]),
                                     st.integers(0, 999), st.integers(0, 999), st.booleans()),
                           min_size=1, max_size=4)


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=SYNTHETIC_STEPS)
def test_synthetic_register_edits_give_what_a_full_check_gives(synthetic: Path, tmp_path: Path,
                                                               steps: list[tuple[str, int, int, bool]]) -> None:
    """On a synthetic register (flows between activities, many findings), random edits of activities,
    flows, parties, systems and DPIA records end where a full check ends."""
    root = tmp_path / f"synthetic-{next(_RUNS)}"
    shutil.copytree(synthetic, root)
    session = EditSession(root, as_of=AS_OF)
    assert len(session.findings) > 40
    for kind, i, j, look in steps:
        try:
            _synthetic_edit(session, kind, i, j)
        except ParameterError:
            continue
        if look:
            _ = session.findings
    _assert_same(session, tmp_path / f"full-{next(_RUNS)}")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dpia_lib.synthetic import generate_register

    return generate_register(tmp_path_factory.mktemp("synthetic") / "ropa", 40, seed=5)
