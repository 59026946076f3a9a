"""Two processes, each with a long-lived editing session on the same register, save at the same moment
for 100 rounds: no saved edit is lost and the register on disk is valid after every round.

Each round has two steps, both sessions saving at once (released together by a barrier):

1. overlapping edits: both change the same activity file, session a its English name, session b
   its yearly number of data subjects; the save lock serialises them and the second merges the first's
   edit in, so after the round both values are on disk;
2. dependent edits: session a makes a flow come from the party ``spare-<round>``, session b removes that
   party. Each is valid alone, together they are not: the save that comes second re-validates the
   register as it will be on disk and is refused, so exactly one of the two is on disk.

After every round the parent process checks the register on disk: valid, and holding every saved edit.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path
from typing import Any

import pytest

from dpia_lib.editing import EditSession, InvalidSaveError
from dpia_lib.loading import load_register
from dpia_lib.validation import validate_register
from tests.engine_fixtures import copy_register

ROUNDS = 100
WAIT = 120.0


def _worker(name: str, root: str, start: Any, saved: Any, checked: Any, results: Any) -> None:
    session = EditSession(Path(root), user=f"session-{name}")
    try:
        for r in range(ROUNDS):
            if name == "a":
                session.set("activity:newsletter", "name.en", f"Edited by a in round {r}")
            else:
                session.set("activity:newsletter", "data_subjects_per_year", 1000 + r)
            start.wait(WAIT)
            session.save()  # must succeed: the other session's edit of the same file is merged in
            results.put((name, r, "overlap", True))
            if name == "a":
                session.set("activity:newsletter", "flows[0].from", f"spare-{r}")
            else:
                session.remove_party(f"spare-{r}")
            saved.wait(WAIT)
            try:
                session.save()
                results.put((name, r, "dependent", True))
            except InvalidSaveError as exc:
                assert {p.code for p in exc.problems} == {"unknown-reference"}, exc.problems
                session.discard()
                results.put((name, r, "dependent", False))
            checked.wait(WAIT)  # the parent checks the register on disk
            checked.wait(WAIT)
    except BaseException as exc:  # report, and break the barriers so nobody waits forever
        results.put((name, -1, f"{type(exc).__name__}: {exc}", False))
        for barrier in (start, saved, checked):
            barrier.abort()
        raise


@pytest.mark.slow
def test_two_processes_saving_at_once_lose_nothing_and_keep_the_register_valid(tmp_path: Path) -> None:
    root = copy_register(tmp_path)
    setup = EditSession(root, user="setup")
    with setup.batch():
        for r in range(ROUNDS):
            setup.add_party({"id": f"spare-{r}", "name": {"nl": f"Reserve {r}", "en": f"Spare {r}"},
                             "kind": "data-subject", "role": "data-subject"})
    setup.save()
    ctx = mp.get_context("spawn")
    start, saved, checked = ctx.Barrier(2), ctx.Barrier(2), ctx.Barrier(3)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(n, str(root), start, saved, checked, results)) for n in "ab"]
    for proc in procs:
        proc.start()
    wrong: list[Any] = []
    outcomes: list[Any] = []
    try:
        for r in range(ROUNDS):
            checked.wait(WAIT * 2)
            while len([o for o in outcomes if o[1] == r]) < 4 and not any(o[1] == -1 for o in outcomes):
                outcomes.append(results.get(timeout=WAIT))
            problems = validate_register(root).problems
            register = load_register(root) if not problems else None
            checked.wait(WAIT)
            if register is None:
                wrong.append((r, "invalid", problems[:3]))
                continue
            news = register.activities["newsletter"]
            dependent = {n: ok for n, rr, step, ok in outcomes if rr == r and step == "dependent"}
            seen = (news.name.en, news.data_subjects_per_year,
                    dependent.get("a") != dependent.get("b"), news.flows[0].source == f"spare-{r}",
                    f"spare-{r}" in register.parties)
            expected = (f"Edited by a in round {r}", 1000 + r, True, dependent.get("a"), not dependent.get("b"))
            if seen != expected:
                wrong.append((r, seen, expected))
    finally:
        for proc in procs:
            proc.join(WAIT)
            if proc.is_alive():  # pragma: no cover - a hang is a failure below
                proc.kill()
    errors = [o for o in outcomes if o[1] == -1]
    assert not errors, errors
    assert [p.exitcode for p in procs] == [0, 0]
    assert not wrong, wrong[:5]
    assert all(ok for _, _, step, ok in outcomes if step == "overlap")
    assert len([o for o in outcomes if o[2] == "overlap"]) == 2 * ROUNDS
