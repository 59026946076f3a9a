"""``dpia validate`` and ``dpia register``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dpia_lib.cli.common import add_register_option, load_analysis, loading_gc, print_json

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    """Add ``validate`` and ``register`` to the ``dpia`` parser."""
    p = sub.add_parser("validate", help="check the register files; exit 0 valid, 1 invalid")
    add_register_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=_validate)

    p = sub.add_parser("register", help="print the art. 30 table")
    add_register_option(p)
    p.add_argument("--format", choices=("csv", "markdown"), default="markdown")
    p.add_argument("--language", choices=("nl", "en"), default="nl")
    p.set_defaults(func=_register)


def _validate(args: argparse.Namespace) -> int:
    from dpia_lib.validation import validate_register

    with loading_gc():
        result = validate_register(args.register, args.data)
    if args.format == "json":
        print_json([p.as_dict() for p in result.problems])
    else:
        for problem in result.problems:
            print(problem.format())
        if result.register is not None:
            print(result.summary(), file=sys.stderr if result.problems else sys.stdout)
        if result.problems:
            print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
    return 1 if result.problems else 0


def _register(args: argparse.Namespace) -> int:
    from dpia_lib.art30 import art30_table

    table = art30_table(load_analysis(args).register, language=args.language)
    if args.format == "csv":
        table.to_csv(sys.stdout)
    else:
        print(table.to_markdown())
    return 0
