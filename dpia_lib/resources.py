"""Where the shipped reference catalogues and notebook templates are, and which catalogues a register uses.

The catalogues (``data/*.yaml``) and notebooks (``notebooks/*.ipynb``) are package data: an installed
wheel holds them inside the package (``dpia_lib/data``, ``dpia_lib/notebooks``), found with
:mod:`importlib.resources`; a source checkout (and an editable install) keeps them at the top of the
repository, beside the package, and they are found there.

A register uses the catalogues of a ``data/`` folder beside it (``<register>/../data``, holding at least
``categories.yaml``) when there is one, else the shipped ones (:func:`data_dir_for`).

>>> (shipped_data_dir() / "categories.yaml").is_file(), notebook("dpia").name
(True, 'dpia.ipynb')
>>> data_dir_for("/nowhere/ropa") == shipped_data_dir()
True
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from dpia_lib.errors import DpiaError, ParameterError

__all__ = ["CATALOGUE_MARKER", "data_dir_for", "notebook", "shipped_data_dir", "shipped_notebook_dir",
           "starter_register_dir"]

#: The catalogue file whose presence makes a folder beside a register its catalogue folder.
CATALOGUE_MARKER = "categories.yaml"


@cache
def _shipped(name: str) -> Path:
    """The shipped folder ``name``: inside the installed package, else beside it in a source checkout."""
    inside = files("dpia_lib").joinpath(name)
    if isinstance(inside, Path) and inside.is_dir():
        return inside
    beside = Path(__file__).resolve().parent.parent / name
    if beside.is_dir():
        return beside
    raise DpiaError(f"dpia-workbook's {name}/ folder is missing from {inside} and {beside}: "
                            "reinstall the package")


def shipped_data_dir() -> Path:
    """The folder of the reference catalogues shipped with dpia-workbook."""
    return _shipped("data")


def shipped_notebook_dir() -> Path:
    """The folder of the notebook templates shipped with dpia-workbook (``dpia``, ``register``, ``editor``)."""
    return _shipped("notebooks")


def starter_register_dir() -> Path:
    """The commented starter register that ``dpia init`` copies (``dpia_lib/templates/register``)."""
    path = files("dpia_lib").joinpath("templates", "register")
    if not isinstance(path, Path) or not path.is_dir():
        raise DpiaError(f"dpia-workbook's starter register is missing from {path}: reinstall the package")
    return path


def notebook(name: str) -> Path:
    """The shipped notebook template ``name`` (with or without ``.ipynb``).

    >>> notebook("nope")
    Traceback (most recent call last):
    ...
    dpia_lib.errors.ParameterError: no notebook template 'nope.ipynb'; the templates are dpia, editor, register
    """
    filename = name if name.endswith(".ipynb") else f"{name}.ipynb"
    path = shipped_notebook_dir() / filename
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in shipped_notebook_dir().glob("*.ipynb")))
        raise ParameterError(f"no notebook template {filename!r}; the templates are {known}")
    return path


def data_dir_for(register_dir: Path | str, data_dir: Path | str | None = None) -> Path:
    """The catalogue folder of the register in ``register_dir``: ``data_dir`` when given, else a ``data/``
    folder beside the register holding ``categories.yaml``, else the shipped catalogues."""
    if data_dir is not None:
        return Path(data_dir)
    beside = Path(register_dir).parent / "data"
    return beside if (beside / CATALOGUE_MARKER).is_file() else shipped_data_dir()
