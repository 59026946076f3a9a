"""Helper of test_fault_injection.py (run as a script, never collected): kill saving processes at random.

Usage: ``python tests/fault_saver.py REGISTER_DIR MODE KILLS SEED`` with MODE ``commit`` or ``session``.

The parent imports dpia_lib once and makes two versions of an edit that touches two files (an activity
file and parties.yaml) with :class:`EditSession`. Then, for each round, it forks a child that saves in a
loop, alternating the versions:

- ``commit``: the child fingerprints the files on disk and calls :func:`commit_save` (audit log, temporary
  files, fsync, ``os.replace``): the I/O of every save, with nothing else in the loop;
- ``session``: the child opens an :class:`EditSession`, edits and calls ``save()``: the whole path.

The child writes a byte to a pipe as it starts a save; the parent sends SIGKILL after a random delay
(0-8 ms in ``commit`` mode; 0-150 ms in ``session`` mode, which spans the whole save). After each kill
it checks that each of the two files is byte-identical to one of its versions, that no other file
changed, that the register still loads without problems and that every audit-log line is whole JSON
but the one a kill cut short.
It prints one JSON line with the number of kills and the states seen; exit 1 on the first failure.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sys
import time
from pathlib import Path

from dpia_lib.editing import EditSession
from dpia_lib.editing.audit import AUDIT_FILE, read_audit_log
from dpia_lib.editing.save import commit_save, fingerprint
from dpia_lib.loading import read_register

FILES = ("activities/special-file.yaml", "parties.yaml")
EDITS = ((450, "Engaged by the employer or the health service."), (451, "Engaged by the employer."))


def _edit(session: EditSession, version: int) -> None:
    with session.batch():
        session.set("activity:special-file", "data_subjects_per_year", EDITS[version][0])
        session.set("party:labour-expert", "note", EDITS[version][1])


def _child_commit(root: Path, ready: int, versions: list[dict[str, str]]) -> None:
    version = 0
    while True:
        contents = {root / f: versions[version][f] for f in FILES}
        expected = {path: fingerprint(path) for path in contents}
        os.write(ready, b"s")
        commit_save(root, contents, (), expected, who="fault-injection",
                    changes=[{"record": "activity:special-file", "field": "data_subjects_per_year"}])
        version = 1 - version


def _child_session(root: Path, ready: int) -> None:
    session = EditSession(root, user="fault-injection")
    version = 1
    while True:
        _edit(session, version)
        os.write(ready, b"s")
        session.save()
        version = 1 - version


def _last_line(path: Path) -> int:
    """Number of the last line of ``path`` as :func:`read_audit_log` counts them (a final ``\\n`` ends it)."""
    return path.read_bytes().rstrip(b"\n").count(b"\n") + 1


def main() -> int:
    root, mode, kills, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    versions: list[dict[str, str]] = []
    for version in (1, 0):
        session = EditSession(root, user="fault-injection")
        _edit(session, version)
        session.save()
        versions.insert(0, {f: (root / f).read_text(encoding="utf-8") for f in FILES})
    known = {f: {v[f].encode("utf-8") for v in versions} for f in FILES}
    others = {p: p.read_bytes() for p in root.rglob("*.yaml") if str(p.relative_to(root)) not in FILES}
    states: dict[str, int] = {}
    torn: set[int] = set()
    longest = 0.008 if mode == "commit" else 0.15
    for _ in range(kills):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            try:
                os.close(read_end)
                if mode == "commit":
                    _child_commit(root, write_end, versions)
                else:
                    _child_session(root, write_end)
            finally:
                os._exit(3)
        os.close(write_end)
        if select.select([read_end], [], [], 20.0)[0]:
            os.read(read_end, 1)
        time.sleep(rng.uniform(0.0, longest))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        state = []
        for f in FILES:
            data = (root / f).read_bytes() if (root / f).exists() else b"<missing>"
            if data not in known[f]:
                print(json.dumps({"error": f"{f} is neither the old nor the new version", "size": len(data)}))
                return 1
            state.append(str(sorted(known[f]).index(data)))
        for path, data in others.items():
            if path.read_bytes() != data:
                print(json.dumps({"error": f"{path} changed"}))
                return 1
        register, problems = read_register(root)
        if register is None or problems:
            print(json.dumps({"error": "register no longer loads", "problems": [p.format() for p in problems]}))
            return 1
        # SIGKILL may cut the audit line being written (the kernel stops a write between pages): such a
        # line may only be the one this kill struck, and every later entry starts on a line of its own
        for problem in read_audit_log(root)[1]:
            if problem.line not in torn:
                if problem.line != _last_line(root / AUDIT_FILE):
                    print(json.dumps({"error": f"audit line {problem.line} is not whole and no kill cut it"}))
                    return 1
                torn.add(problem.line)
        key = "/".join(state)
        states[key] = states.get(key, 0) + 1
    events = read_audit_log(root)[0]
    started = {e["save_id"] for e in events if e["event"] == "save-started"}
    completed = {e["save_id"] for e in events if e["event"] == "save-completed"}
    print(json.dumps({"kills": kills, "states": states, "saves_completed": len(completed),
                      "saves_interrupted": len(started - completed), "audit_lines_cut": len(torn),
                      "leftover_temp_files": len(list(root.rglob("*.tmp")))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
