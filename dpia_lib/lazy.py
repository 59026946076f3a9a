"""Names a package exports, imported on first use (PEP 562), so that importing one module of a package
does not import all the others.

``dpia batch`` starts its kernels before it imports the report code (matplotlib, pandas), and the warm
engine, which papermill loads as a plugin, imports only its own layer; both rely on ``dpia_lib`` and its
packages importing nothing on their own. Type checkers see the names through the package's
``if TYPE_CHECKING:`` imports.

>>> getattr_ = lazy_exports("dpia_lib", {"Register": "dpia_lib.register"})
>>> getattr_("Register").__name__
'Register'
>>> getattr_("register_of")
Traceback (most recent call last):
AttributeError: module 'dpia_lib' has no attribute 'register_of'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports each name of ``homes`` (name -> module) on
    first use."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(home), name)

    return __getattr__
