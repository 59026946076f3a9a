"""``dpia init``: start a new register for another organisation from the commented starter."""

from __future__ import annotations

import argparse
from typing import Any

from dpia_lib.starter import write_starter

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    """Add ``init`` to the ``dpia`` parser."""
    p = sub.add_parser("init", help="write a new, commented starter register into an empty folder",
                       description="Write a small starter register (organisation, roles, two parties, one "
                                   "system, one example activity) into DIR, a new or empty folder. Every "
                                   "value to replace is marked REPLACE; it validates as written.")
    p.add_argument("dir", metavar="DIR", help="the new register folder (e.g. ropa)")
    p.set_defaults(func=_init)


def _init(args: argparse.Namespace) -> int:
    root = write_starter(args.dir)
    print(f"starter register written to {root}: replace the values marked REPLACE, then run "
          f"'dpia validate --register {root}'")
    return 0
