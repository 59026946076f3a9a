"""Working copies of the template notebooks, so that working in JupyterLab never changes the templates.

The notebooks in ``notebooks/`` are templates: tracked, and their stored outputs are compared by the
tests. JupyterLab saves (and autosaves) a notebook over the file it opened, so an officer runs a copy:
:func:`working_copy` writes ``<folder>/dpia-<activity>-<language>.ipynb`` with the parameters filled in
(the same parameter injection papermill uses for the batch) and returns its path; ``dpia open ACTIVITY``
does this and starts JupyterLab on it. An existing copy is kept (it may hold the officer's notes) unless
``replace`` is given.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = working_copy("newsletter", folder=pathlib.Path(tmp), language="en", as_of="2026-11-01")
...     text = path.read_text(encoding="utf-8")
...     path.name, 'activity = \\\\"newsletter\\\\"' in text
('dpia-newsletter-en.ipynb', True)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dpia_lib.errors import ParameterError, UnknownActivityError
from dpia_lib.loading import DEFAULT_DATA_DIR
from dpia_lib.report.parameters import check_parameters

__all__ = ["TEMPLATE", "working_copy"]

#: The DPIA notebook template.
TEMPLATE = DEFAULT_DATA_DIR.parent / "notebooks" / "dpia.ipynb"


def working_copy(activity: str, *, folder: Path | str = "work", language: str = "nl", as_of: str | None = None,
                 register: Path | str | None = None, template: Path = TEMPLATE, replace: bool = False) -> Path:
    """Write (or find) the working copy of the DPIA notebook for ``activity``; its path.

    Raises :class:`~dpia_lib.errors.ParameterError` for a bad parameter or an activity the register does
    not hold (with a suggestion for a typo), before anything is written.
    """
    import nbformat
    from papermill.parameterize import parameterize_notebook

    from dpia_lib.loading import load_register

    register_dir = Path(register) if register is not None else DEFAULT_DATA_DIR.parent / "ropa"
    as_of = as_of or dt.date.today().isoformat()
    params = check_parameters(activity, language, as_of, register_dir)
    try:
        load_register(params.register).activity(params.activity)
    except UnknownActivityError as exc:
        raise ParameterError(str(exc)) from None
    target = Path(folder) / f"dpia-{params.activity}-{params.language}.ipynb"
    if target.exists() and not replace:
        return target
    if target.resolve().parent == template.resolve().parent:
        raise ParameterError(f"the working folder must not be the templates' folder {template.parent}")
    notebook = nbformat.read(template, as_version=4)  # type: ignore[no-untyped-call]
    notebook.metadata.setdefault("papermill", {})
    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])
    notebook = parameterize_notebook(notebook, {
        "activity": params.activity, "language": params.language, "as_of": params.as_of.isoformat(),
        "register": str(params.register.resolve()),
    })
    for cell in notebook.cells:
        if not cell.metadata.get("tags"):
            cell.metadata.pop("tags", None)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)  # type: ignore[no-untyped-call]
    return target
