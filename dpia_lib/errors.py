"""The exception tree of dpia_lib, rooted in :class:`DpiaError`.

The library never prints and never exits: it raises one of these, and the CLI maps
:class:`DpiaError` to a one-line message and a non-zero exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dpia_lib.diagnostics import Problem

__all__ = [
    "ConflictError",
    "DpiaError",
    "ParameterError",
    "RegisterError",
    "SaveError",
    "UnknownActivityError",
    "WarmKernelError",
]


class DpiaError(Exception):
    """Base class of every error raised by dpia_lib."""


class RegisterError(DpiaError):
    """A register or catalogue file is invalid; :attr:`problems` lists every problem found.

    The message is one ``path:line:col: CODE field: message`` line per problem.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems) or "invalid register")


class ParameterError(DpiaError, ValueError):
    """A parameter given by a caller (CLI option, notebook parameter) is not acceptable.

    In IPython and Jupyter it shows as its one-line message, without a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of the traceback: the message alone."""
        return [str(self)]


class UnknownActivityError(ParameterError, KeyError):
    """An activity id that the register does not hold."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown activity"


class SaveError(DpiaError):
    """A save was refused; nothing on disk was changed."""


class ConflictError(SaveError):
    """A file changed on disk since it was loaded; the save refuses to overwrite it."""


class WarmKernelError(DpiaError, RuntimeError):
    """A warm kernel of the batch could not be prepared (its preload or reset failed), or its pool is closed."""
