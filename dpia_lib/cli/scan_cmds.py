"""``dpia scan``: look for personal data (BSN, a person's e-mail, phone number, IBAN, date of birth)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dpia_lib.cli.common import print_json
from dpia_lib.errors import ParameterError
from dpia_lib.scan import scan_register

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    """Add ``scan`` to the ``dpia`` parser."""
    p = sub.add_parser("scan", help="flag personal data in the register files; exit 0 none, 1 found")
    p.add_argument("--register", default="ropa", metavar="DIR",
                   help="register directory (default: ropa/ in the current directory)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=_scan)


def _scan(args: argparse.Namespace) -> int:
    root = Path(args.register)
    if not root.is_dir():
        raise ParameterError(f"register directory not found: {args.register}")
    problems = scan_register(root)
    if args.format == "json":
        print_json([p.as_dict() for p in problems])
    else:
        for problem in problems:
            print(problem.format())
        print(f"{len(problems)} possible item(s) of personal data found in {root}")
    return 1 if problems else 0
