"""Edit latency on a 1,000-activity register: from one field edit to updated problems, screenings and
findings, through the editor's :class:`~dpia_lib.editing.EditSession` (which checks its texts in memory
with the incremental checker, :mod:`dpia_lib.incremental`, and re-runs the rules only for what an edit
can affect), and the incremental checker alone on files edited on disk, against a full
``validate_register`` + ``screen`` + rule check.

    python -m benchmarks.bench_edit [--activities 1000] [--edits 20]

Target: median < 100 ms per edit at 1,000 activities. Each edit changes one field of one activity
(alternately its yearly number of data subjects and one flow's frequency), each time another activity,
opened first as the editor's form opens a record (reading its fields parses the file for editing; that
is timed apart); the session's result after the first and the last edit is checked to equal the full
check (the tests check every kind of edit). Edits of records not opened first are timed too: the
parse then falls inside the edit.
The load average is printed: the machine may be shared, and wall times then grow with its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import register_of, table, work_dir


def _edit(path: Path, step: int) -> None:
    text = path.read_text(encoding="utf-8")
    if step % 2 == 0:
        start = text.index("data_subjects_per_year: ")
        end = text.index("\n", start)
        text = text[:start] + f"data_subjects_per_year: {100 + step}" + text[end:]
    else:
        start = text.index("  frequency: ")
        end = text.index("\n", start)
        text = text[:start] + "  frequency: " + ("monthly" if step % 4 == 1 else "quarterly") + text[end:]
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000 * (step + 1)))


def run(activities: int = 1_000, edits: int = 20) -> dict[str, Any]:
    """Time ``edits`` single-field edits; print and return the figures."""
    import shutil

    from dpia_lib.incremental import IncrementalChecker
    from dpia_lib.screening import screen
    from dpia_lib.validation import validate_register

    root = work_dir() / f"edit-{activities}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(register_of(activities), root)
    load_at_start = os.getloadavg()[0]
    checker = IncrementalChecker(root)
    start = time.perf_counter()
    checker.refresh()
    initial = time.perf_counter() - start
    files = sorted((root / "activities").glob("*.yaml"))
    times, rescreened = [], []
    for step in range(edits):
        _edit(files[(step * 37) % len(files)], step)
        start = time.perf_counter()
        result = checker.refresh()
        times.append(time.perf_counter() - start)
        rescreened.append(len(result.rescreened))
        if step == 0:
            full = validate_register(root)
            assert full.register is not None
            assert result.problems == full.problems and result.screenings == screen(full.register), \
                "incremental result differs from a full re-check"
    start = time.perf_counter()
    full = validate_register(root)
    assert full.register is not None
    screen(full.register)
    full_s = time.perf_counter() - start
    median = statistics.median(times)
    load_before = os.getloadavg()[0]
    session_figures = _session_path(root, activities, edits)
    sf = session_figures
    print(f"\n## Edit latency ({activities:,} activities, {edits} single-field edits; target < 100 ms; load "
          f"average {load_at_start:.1f} at start, {load_before:.1f} before the EditSession part, "
          f"{os.getloadavg()[0]:.1f} at the end)\n")
    print(table(["measure", "value"], [
        ["first load (validate + screen, cache filled)", f"{initial:.2f} s"],
        ["incremental re-check of files on disk per edit, median", f"{median * 1000:.0f} ms"],
        ["incremental re-check of files on disk per edit, max", f"{max(times) * 1000:.0f} ms"],
        ["activities re-screened per edit, median", f"{statistics.median(rescreened):.0f}"],
        ["full validate_register + screen after an edit", f"{full_s:.2f} s"],
        ["speed-up", f"{full_s / median:.0f}x"],
        ["EditSession: load (read, check, screen, rules)", f"{sf['load_s']:.2f} s"],
        ["EditSession: opening a record (its file parsed for editing), median", f"{sf['open_ms']:.0f} ms"],
        ["EditSession: edit -> problems + screenings, median", f"{sf['check_ms']:.0f} ms"],
        ["**EditSession: edit -> problems + screenings + findings, median**", f"**{sf['median_ms']:.0f} ms**"],
        ["EditSession: edit -> problems + screenings + findings, max", f"{sf['max_ms']:.0f} ms"],
        ["EditSession: edit -> problems + screenings + findings, median CPU time", f"{sf['cpu_ms']:.0f} ms"],
        ["EditSession: edit of a record not opened before (parse included), median",
         f"{sf['unopened_ms']:.0f} ms"],
        ["rules.check over the whole register after an edit, median", f"{sf['whole_rules_ms']:.0f} ms"],
        ["full validate_register + screen + rules after an edit", f"{sf['full_s']:.2f} s"],
        ["EditSession speed-up over the full check", f"{sf['full_s'] * 1000 / sf['median_ms']:.0f}x"],
        ["EditSession equals a full check after the first and the last edit",
         f"yes ({sf['findings']:.0f} findings)"],
    ]))
    return {"edit": {"activities": activities, "median_ms": median * 1000, "max_ms": max(times) * 1000,
                     "full_s": full_s, "initial_s": initial, "session": session_figures}}


def _session_path(root: Path, activities: int, edits: int) -> dict[str, float]:
    """Edits through :class:`EditSession`: open a record (read its fields, as the form does), set one field,
    then read problems, screenings and findings; then edits of records not opened before.

    Wall and CPU time (``time.process_time``, less sensitive to other processes on a shared machine) of
    each edit; the result after the first and the last edit is compared with a full check of the
    session's texts saved to a folder of their own (problems, screenings and findings, with files and
    lines); and, beside each edit, the rule engine run over the whole register (what reading the findings
    cost when the rules were not re-run incrementally).
    """
    import datetime as dt
    import shutil

    from dpia_lib.editing import EditSession
    from dpia_lib.rules import check
    from dpia_lib.screening import screen
    from dpia_lib.validation import validate_register

    as_of = dt.date(2026, 11, 1)
    start = time.perf_counter()
    session = EditSession(root, as_of=as_of)
    _ = session.findings
    load_s = time.perf_counter() - start
    ids = session.records("activity")
    checks, totals, cpu, whole, opens, unopened = [], [], [], [], [], []

    def edit(record: str, step: int) -> None:
        if step % 2 == 0:
            session.set(record, "data_subjects_per_year", 200 + step)
        else:
            session.set(record, "flows[0].frequency", "monthly" if step % 4 == 1 else "quarterly")

    for step in range(edits):
        record = f"activity:{ids[(step * 53) % len(ids)]}"
        start = time.perf_counter()
        session.get(record)  # the form shows the record's fields
        opens.append(time.perf_counter() - start)
        start, cpu_start = time.perf_counter(), time.process_time()
        edit(record, step)
        _ = session.problems, session.screenings
        checks.append(time.perf_counter() - start)
        _ = session.findings
        totals.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        assert session.register is not None
        start = time.perf_counter()
        check(session.register, as_of, screenings=session.screenings)
        whole.append(time.perf_counter() - start)
        if step in (0, edits - 1):
            scratch = work_dir() / f"edit-session-{activities}"
            if scratch.exists():
                shutil.rmtree(scratch)
            for rel, text in session.texts().items():
                (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                (scratch / rel).write_text(text, encoding="utf-8")
            full = validate_register(scratch, session.data_dir)
            assert full.register is not None

            def rel(path: str, base: Path) -> str:
                return str(Path(path).relative_to(base))

            assert [(p.code, rel(p.path, scratch), p.line, p.column, p.field) for p in full.problems] == \
                [(p.code, rel(p.path, root), p.line, p.column, p.field) for p in session.problems], \
                "session problems differ from a full check"
            assert screen(full.register) == session.screenings, "session screenings differ from a full check"
            assert [f.model_copy(update={"path": rel(f.path, scratch)}) for f in check(full.register, as_of)] == \
                [f.model_copy(update={"path": rel(f.path, root)}) for f in session.findings], \
                "session findings differ from a full check"
    for step in range(edits):  # records not opened before: the edit parses the file
        record = f"activity:{ids[(step * 53 + 17) % len(ids)]}"
        start = time.perf_counter()
        edit(record, step)
        _ = session.problems, session.screenings, session.findings
        unopened.append(time.perf_counter() - start)
    start = time.perf_counter()
    full = validate_register(root)
    assert full.register is not None
    check(full.register, as_of)
    full_s = time.perf_counter() - start
    return {"load_s": load_s, "open_ms": statistics.median(opens) * 1000,
            "unopened_ms": statistics.median(unopened) * 1000, "check_ms": statistics.median(checks) * 1000,
            "median_ms": statistics.median(totals) * 1000, "max_ms": max(totals) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000, "whole_rules_ms": statistics.median(whole) * 1000,
            "findings": len(session.findings), "full_s": full_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_edit")
    parser.add_argument("--activities", type=int, default=1_000)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args(argv)
    run(args.activities, args.edits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
