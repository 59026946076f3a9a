"""Refresh the outputs stored in ``notebooks/*.ipynb`` that nbval compares, after an intended change.

Usage (from the repository root)::

    .venv/bin/python -m dpia_lib.report.refresh            # both notebooks
    .venv/bin/python -m dpia_lib.report.refresh notebooks/dpia.ipynb

Each notebook runs top to bottom in a fresh kernel with its own parameters cell (the shipped register,
``as_of`` 2026-11-01, language ``nl``, activity ``reintegration-second-track``), exactly as
``pytest --nbval-lax notebooks/`` runs it. Outputs are kept only for cells tagged ``nbval-check-output``
(the ones nbval compares), figures as SVG; other outputs and all timing metadata are stripped, so a
refresh changes the files only where a report or a figure really changed. Review the diff (``git diff notebooks/``) before
committing it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from dpia_lib.loading import DEFAULT_DATA_DIR

__all__ = ["CHECK_TAG", "NOTEBOOKS", "refresh_notebook", "strip_unchecked"]

CHECK_TAG = "nbval-check-output"
#: The notebooks whose outputs are stored.
NOTEBOOKS: tuple[Path, ...] = (DEFAULT_DATA_DIR.parent / "notebooks" / "dpia.ipynb",
                               DEFAULT_DATA_DIR.parent / "notebooks" / "register.ipynb")


def strip_unchecked(nb: object) -> None:
    """Drop outputs of cells nbval does not compare and every cell's execution metadata (in place)."""
    for cell in nb.cells:  # type: ignore[attr-defined]
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK_TAG not in cell.metadata.get("tags", []):
            cell.outputs = []
            cell.execution_count = None
        else:
            for output in cell.outputs:
                output.get("metadata", {}).clear()
                # a figure is stored as SVG (shown when the notebook is opened); nbval compares it as a
                # placeholder (notebooks/sanitize.cfg), so a matplotlib upgrade does not fail the check
                output.get("data", {}).pop("image/png", None)


def refresh_notebook(path: Path, timeout: int = 600) -> None:
    """Execute ``path`` in its folder and store the compared outputs."""
    import nbformat
    from nbclient import NotebookClient

    from dpia_lib.report.kernel import IpcKernelManager

    nb = nbformat.read(str(path), as_version=4)  # type: ignore[no-untyped-call]
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   kernel_manager_class=IpcKernelManager,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    strip_unchecked(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = {"name": "python"}  # no interpreter version: a refresh diff shows reports only
    nbformat.write(nb, str(path))  # type: ignore[no-untyped-call]


def main(argv: Sequence[str] | None = None) -> int:
    """Refresh the given notebooks (default: all of :data:`NOTEBOOKS`)."""
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or list(NOTEBOOKS)
    for path in paths:
        refresh_notebook(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
