"""Reading pydantic field annotations: the type under ``Optional`` and ``Annotated``.

>>> from typing import Annotated, Optional
>>> unwrap(Optional[Annotated[int, "meta"]])
(<class 'int'>, True)
>>> unwrap(int | str)
(int | str, False)
"""

from __future__ import annotations

import types
import typing
from typing import Any

__all__ = ["unwrap"]


def unwrap(tp: Any) -> tuple[Any, bool]:
    """The annotation without ``Optional``/``Annotated``, and whether None is allowed.

    A union of two or more types other than None is returned as it is.
    """
    optional = False
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(tp))
            if len(args) != 1:
                return tp, optional
            tp = args[0]
        else:
            return tp, optional
