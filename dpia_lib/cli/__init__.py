"""The ``dpia`` command: a thin layer that parses arguments, calls dpia_lib and formats the result.

Each group of subcommands lives in its own module with ``add_parsers(subparsers)``; every subcommand sets
``func(args) -> int``. A :class:`~dpia_lib.errors.DpiaError` becomes a one-line message: exit 2 for a bad
parameter, 1 otherwise.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from dpia_lib.errors import DpiaError, ParameterError

__all__ = ["build_parser", "main", "run"]

#: Modules of dpia_lib.cli that contribute subcommands, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "init_cmds", "register_cmds", "engine_cmds", "scan_cmds", "batch_cmds", "exchange_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="dpia", description="Register of processing activities (GDPR art. 30) and DPIAs (art. 35)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"dpia_lib.cli.{name}").add_parsers(sub)
    return parser


#: Optional modules that the ``dpia`` process never imports. jsonschema (imported by nbformat, which every
#: batch and notebook command reads notebooks with) imports ``rfc3987_syntax`` when it is installed, only to
#: check the ``iri`` and ``iri-reference`` string formats, which no notebook schema uses; its import builds
#: some 35 Earley parsers and takes over a second of every command's start-up, whether or not a format is checked.
#: Marked absent, jsonschema leaves those two formats unchecked and imports in a tenth of the time.
SKIPPED_IMPORTS: tuple[str, ...] = ("rfc3987_syntax",)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dpia``; returns the exit code (0 ok, 1 findings or invalid input, 2 usage)."""
    for name in SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None marks a module as absent
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except ParameterError as exc:
        print(f"dpia {args.command}: {exc}", file=sys.stderr)
        return 2
    except DpiaError as exc:
        print(f"dpia {args.command}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `dpia register | head`
        return 0
    return code


def run() -> NoReturn:
    """The ``dpia`` program: :func:`main`, then exit with its code.

    Before exiting, every object is moved out of the garbage collector's reach (``gc.freeze``): the
    interpreter's final collections would otherwise walk everything the command loaded, 0.3 s of the
    exit of a batch run, for memory the process returns as it ends.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
