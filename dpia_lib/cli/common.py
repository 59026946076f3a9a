"""Options shared by several subcommands."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dpia_lib.analysis import Analysis

__all__ = ["add_register_option", "load_analysis", "loading_gc", "print_json"]


@contextlib.contextmanager
def loading_gc() -> Iterator[None]:
    """For one ``dpia`` command: pause the cyclic garbage collector while the register loads, then move
    what was loaded out of its reach (``gc.freeze``).

    Loading allocates millions of long-lived objects and no garbage cycles, so the collector's passes over
    them only cost time (at 10,000 activities, ``dpia check`` used 29 s of CPU without this and 21 s with
    it). This changes the whole process, so only the command line does it, never the library.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.freeze()


def load_analysis(args: argparse.Namespace) -> Analysis:
    """The register of ``--register`` and ``--data`` with its flow graph, loaded under :func:`loading_gc`."""
    from dpia_lib.analysis import analyse
    from dpia_lib.loading import load_register

    with loading_gc():
        return analyse(load_register(args.register, args.data))


def add_register_option(parser: argparse.ArgumentParser) -> None:
    """``--register DIR`` (default ``ropa``) and ``--data DIR`` (default: the shipped catalogues)."""
    parser.add_argument("--register", default="ropa", metavar="DIR",
                        help="register directory (default: ropa/ in the current directory)")
    parser.add_argument("--data", default=None, metavar="DIR",
                        help="catalogue directory (default: data/ beside the register, else the shipped one)")


def print_json(value: Any) -> None:
    """Print ``value`` as indented, key-sorted JSON (stable for diffs)."""
    print(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str))
