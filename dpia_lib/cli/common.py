"""Options shared by several subcommands."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["add_register_option", "print_json"]


def add_register_option(parser: argparse.ArgumentParser) -> None:
    """``--register DIR`` (default ``ropa``) and ``--data DIR`` (default: the shipped catalogues)."""
    parser.add_argument("--register", default="ropa", metavar="DIR",
                        help="register directory (default: ropa/ in the current directory)")
    parser.add_argument("--data", default=None, metavar="DIR",
                        help="catalogue directory (default: data/ beside the register, else the shipped one)")


def print_json(value: Any) -> None:
    """Print ``value`` as indented, key-sorted JSON (stable for diffs)."""
    print(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str))
