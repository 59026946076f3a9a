"""``dpia export xlsx|cnil|fides``, ``dpia import xlsx``, ``dpia notice`` and ``dpia notice-check``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from dpia_lib.cli.common import add_register_option, print_json
from dpia_lib.errors import ParameterError

__all__ = ["add_parsers"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (yyyy-mm-dd): {text!r}") from None


def add_parsers(sub: Any) -> None:
    """Add ``export``, ``import``, ``notice`` and ``notice-check`` to the ``dpia`` parser."""
    export = sub.add_parser("export", help="write the register for Excel, the CNIL PIA app or Fides")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="KIND")
    p = kinds.add_parser("xlsx", help="the register as an Excel workbook (art. 30(1) and (2), retention, ...)")
    add_register_option(p)
    p.add_argument("--language", choices=("nl", "en"), default="nl")
    p.add_argument("--csv", metavar="DIR", help="also write each sheet as CSV into DIR")
    p.add_argument("--out", required=True, metavar="FILE", help="the .xlsx file to write")
    p.set_defaults(func=_export_xlsx)
    p = kinds.add_parser("cnil", help="one activity as a file the CNIL PIA app imports (JSON, English)")
    add_register_option(p)
    p.add_argument("--activity", required=True, metavar="ID")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="date stamped on the records")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=_export_cnil)
    p = kinds.add_parser("fides", help="the systems and their privacy declarations as a fideslang manifest")
    add_register_option(p)
    p.add_argument("--out", required=True, metavar="FILE", help=".yaml (default) or .json")
    p.set_defaults(func=_export_fides)

    imp = sub.add_parser("import", help="read a register workbook back into YAML files")
    kinds = imp.add_subparsers(dest="kind", required=True, metavar="KIND")
    p = kinds.add_parser("xlsx", help="a workbook written by 'dpia export xlsx' (or edited by hand)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--into", required=True, metavar="DIR", help="new or empty register directory")
    p.add_argument("--data", default=None, metavar="DIR", help="catalogue directory used to validate")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=_import_xlsx)

    p = sub.add_parser("notice", help="the privacy statement (GDPR arts. 13 and 14) written from the register")
    add_register_option(p)
    p.add_argument("--language", choices=("nl", "en"), default="nl")
    p.add_argument("--format", choices=("html", "md"), default="md")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="date named in the statement")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=_notice)

    p = sub.add_parser("notice-check", help="check a published statement against the register; exit 1 on a gap")
    add_register_option(p)
    p.add_argument("statement", metavar="STATEMENT", help="the statement: .txt, .md, .html or .pdf")
    p.add_argument("--language", choices=("nl", "en"), default="nl", help="language of the report")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=_notice_check)


def _load(args: argparse.Namespace) -> Any:
    from dpia_lib.loading import load_register

    return load_register(args.register, args.data)


def _export_xlsx(args: argparse.Namespace) -> int:
    from dpia_lib.exchange.xlsx import write_csv, write_workbook

    register = _load(args)
    path = write_workbook(register, args.out, args.language)
    print(f"wrote {path}")
    if args.csv:
        for written in write_csv(register, args.csv, args.language):
            print(f"wrote {written}")
    return 0


def _export_cnil(args: argparse.Namespace) -> int:
    from dpia_lib.exchange.cnil import write_cnil

    print(f"wrote {write_cnil(_load(args), args.activity, args.out, as_of=args.as_of)}")
    return 0


def _export_fides(args: argparse.Namespace) -> int:
    from dpia_lib.exchange.fides import write_fides

    print(f"wrote {write_fides(_load(args), args.out)}")
    return 0


def _import_xlsx(args: argparse.Namespace) -> int:
    from dpia_lib.exchange.xlsx_import import WorkbookError, import_workbook

    try:
        result = import_workbook(args.file, args.into, args.data)
    except WorkbookError as exc:
        if args.format == "json":
            print_json([p.as_dict() for p in exc.problems])
        else:
            for problem in exc.problems:
                print(problem.format(), file=sys.stderr)
            print(f"{len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return 1
    for note in result.notes:
        print(note, file=sys.stderr)
    print(f"wrote {result.directory}: {result.activities} activities, {result.parties} parties, "
          f"{result.systems} systems, {result.dpias} DPIA records")
    return 0


def _notice(args: argparse.Namespace) -> int:
    from dpia_lib.notice.render import render_statement
    from dpia_lib.notice.statement import build_statement

    statement = build_statement(_load(args), args.language, args.as_of)
    out = Path(args.out)
    out.write_text(render_statement(statement, args.format), encoding="utf-8")
    print(f"wrote {out}")
    for gap in statement.gaps:
        print(gap.format(), file=sys.stderr)
    if statement.gaps:
        print(f"{len(statement.gaps)} fact(s) missing from the register; the statement marks them", file=sys.stderr)
        return 1
    return 0


def _notice_check(args: argparse.Namespace) -> int:
    from dpia_lib.notice.check import check_statement

    if not Path(args.statement).is_file():
        raise ParameterError(f"{args.statement}: no such file")
    report = check_statement(_load(args), args.statement, args.language)
    if args.format == "json":
        print_json(report.as_dict())
    else:
        print(report.format())
    return 1 if report.failed else 0
