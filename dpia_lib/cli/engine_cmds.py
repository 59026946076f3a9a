"""``dpia screen``, ``dpia check`` and ``dpia risks``: the DPIA engine on the command line.

``dpia check`` exits 1 when a finding at or above ``--fail-on`` (default ``high``) exists, so it can gate
CI; the other two exit 0 unless the register cannot be loaded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

from dpia_lib.cli.common import add_register_option, load_analysis, print_json
from dpia_lib.findings import Severity, at_or_above

if TYPE_CHECKING:
    from dpia_lib.screening import Screening

# The engine and the report wording are imported by the commands that use them, so that building the
# parser (which every `dpia` command does) stays cheap.

__all__ = ["add_parsers", "screening_table"]


def add_parsers(sub: Any) -> None:
    """Add ``screen``, ``check`` and ``risks`` to the ``dpia`` parser."""
    p = sub.add_parser("screen", help="does each activity need a DPIA (WP248, AP list, art. 35(3))")
    add_register_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--language", choices=("nl", "en"), default="nl", help="language of the text output")
    p.add_argument("--activity", metavar="ID", help="screen only this activity")
    p.set_defaults(func=_screen)

    p = sub.add_parser("check", help="run every rule; exit 1 on a finding at or above --fail-on")
    add_register_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--language", choices=("nl", "en"), default="nl", help="language of the text output")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], default="high",
                   help="lowest severity that makes the command exit 1 (default: high)")
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                   help="date for expiry and review checks (default: today)")
    p.set_defaults(func=_check)

    p = sub.add_parser("risks", help="feared events of one activity: inherent, residual and planned risk")
    add_register_option(p)
    p.add_argument("--activity", metavar="ID", required=True, help="the activity to assess")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--language", choices=("nl", "en"), default="nl", help="language of the text output")
    p.set_defaults(func=_risks)


def screening_table(screenings: list[Screening]) -> str:
    """The screenings as a fixed-width text table: activity, verdict, reasons."""
    rows = [("activity", "verdict", "reasons")]
    for s in screenings:
        verdict = s.verdict.value + (f" (overridden; computed {s.computed.value})" if s.overridden else "")
        rows.append((s.activity, verdict, ", ".join(s.codes) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {v:<{widths[1]}}  {r}".rstrip() for a, v, r in rows)


def _screen(args: argparse.Namespace) -> int:
    from dpia_lib.report.cli_text import screening_text
    from dpia_lib.screening import screen, screen_activity

    register = load_analysis(args)  # the register with its flow graph
    if args.activity:
        screenings = [screen_activity(register, args.activity)]
    else:
        screenings = list(screen(register).values())
    if args.format == "json":
        print_json([s.as_dict() for s in screenings])
    else:
        print(screening_text(register.register, screenings, args.language))
    return 0


def _check(args: argparse.Namespace) -> int:
    from dpia_lib.report.cli_text import finding_line, findings_summary
    from dpia_lib.rules import check

    register = load_analysis(args)  # the register with its flow graph
    findings = check(register, args.as_of or dt.date.today())
    failing = at_or_above(findings, args.fail_on)
    if args.format == "json":
        print_json([f.as_dict() for f in findings])
    else:
        for finding in findings:
            print(finding_line(register.register, finding, args.language))
        print(findings_summary(findings, len(failing), args.fail_on, args.language), file=sys.stderr)
    return 1 if failing else 0


def _risks(args: argparse.Namespace) -> int:
    from dpia_lib.report.cli_text import risks_text
    from dpia_lib.risk import assess_risks

    register = load_analysis(args)  # the register with its flow graph
    assessment = assess_risks(register, args.activity)
    if args.format == "json":
        print_json(assessment.as_dict())
        return 0
    print(risks_text(register.register, assessment, args.language))
    return 0
