"""``dpia scan``: look for personal data (BSN, a person's e-mail, phone number, IBAN, date of birth);
``dpia open``: a working copy of the DPIA notebook for one activity, opened in JupyterLab."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dpia_lib.cli.common import print_json
from dpia_lib.errors import ParameterError

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    """Add ``scan`` to the ``dpia`` parser."""
    p = sub.add_parser("scan", help="flag personal data in the register files; exit 0 none, 1 found")
    p.add_argument("--register", default="ropa", metavar="DIR",
                   help="register directory (default: ropa/ in the current directory)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=_scan)
    o = sub.add_parser("open", help="copy the DPIA notebook of one activity to a working folder, parameters "
                       "filled in, and open it in JupyterLab (the template is never changed)")
    o.add_argument("activity", help="activity id")
    o.add_argument("--register", default="ropa", metavar="DIR", help="register directory (default: ropa/)")
    o.add_argument("--language", default="nl", choices=("nl", "en"))
    o.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", help="reference date (default: today)")
    o.add_argument("--folder", default="work", metavar="DIR", help="working folder (default: work/)")
    o.add_argument("--replace", action="store_true", help="replace an existing working copy")
    o.add_argument("--no-lab", action="store_true", help="only write the copy and print its path")
    o.set_defaults(func=_open)


def _open(args: argparse.Namespace) -> int:
    import subprocess
    import sys

    from dpia_lib.editing.workcopy import working_copy

    path = working_copy(args.activity, folder=args.folder, language=args.language, as_of=args.as_of,
                        register=args.register, replace=args.replace)
    print(path)
    if args.no_lab:
        return 0
    return subprocess.call([sys.executable, "-m", "jupyterlab", str(path)])


def _scan(args: argparse.Namespace) -> int:
    root = Path(args.register)
    if not root.is_dir():
        raise ParameterError(f"register directory not found: {args.register}")
    from dpia_lib.scan import scan_register

    problems = scan_register(root)
    if args.format == "json":
        print_json([p.as_dict() for p in problems])
    else:
        for problem in problems:
            print(problem.format())
        print(f"{len(problems)} possible item(s) of personal data found in {root}")
    return 1 if problems else 0
