"""The shipped notebooks obey the house rules without running them: no logic in cells, a tagged
parameters cell with the four parameters, the first cell after it calls one dpia_lib function, the cells
nbval compares are tagged and hold their stored outputs, no volatile text in stored outputs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PARAMETERS = {"dpia.ipynb": ["activity", "language", "as_of", "register", "template"],
              "register.ipynb": ["language", "as_of", "register"]}


def _load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(str(NOTEBOOKS / name), as_version=4)


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_cells_hold_no_function_or_class_definitions(name: str) -> None:
    for cell in _load(name).cells:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            assert not [n for n in ast.walk(tree) if isinstance(
                n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)], cell.source


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_imports_are_dpia_lib_public_api_and_ipython_display(name: str) -> None:
    for cell in _load(name).cells:
        for node in ast.walk(ast.parse(cell.source)) if cell.cell_type == "code" else ():
            if isinstance(node, ast.ImportFrom):
                assert node.module in ("dpia_lib", "dpia_lib.report", "IPython.display"), node.module
            assert not isinstance(node, ast.Import)


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_parameters_cell_is_tagged_and_assigns_exactly_the_parameters(name: str) -> None:
    cells = [c for c in _load(name).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    assigned = [t.id for node in ast.parse(cells[0].source).body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)]
    assert assigned == PARAMETERS[name]
    assert 'as_of = "2026-11-01"' in cells[0].source and 'language = "nl"' in cells[0].source


@pytest.mark.parametrize(("name", "function"), [("dpia.ipynb", "prepare"), ("register.ipynb", "prepare_register")])
def test_first_cell_after_the_parameters_validates_them_with_one_call(name: str, function: str) -> None:
    cells = [c for c in _load(name).cells if c.cell_type == "code"]
    index = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    calls = [n.func for n in ast.walk(ast.parse(cells[index + 1].source)) if isinstance(n, ast.Call)]
    assert next(c.id for c in calls if isinstance(c, ast.Name)) == function


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_checked_cells_are_tagged_and_have_stored_deterministic_outputs(name: str) -> None:
    checked = [c for c in _load(name).cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert len(checked) >= (1 if name == "dpia.ipynb" else 6)  # the DPIA shows its sections in one call
    for cell in checked:
        assert cell.outputs, f"no stored output for {cell.source!r}: run python -m dpia_lib.report.refresh"
        text = nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))
        assert not re.search(r"0x[0-9a-f]{6,}", text), "memory address in a stored output"
        assert not re.search(r"\d{2}:\d{2}:\d{2}", text), "time of day in a stored output"
        assert "image/png" not in text


def test_the_outputs_that_matter_are_checked() -> None:
    dpia = " ".join(c.source for c in _load("dpia.ipynb").cells if "nbval-check-output" in c.metadata.get("tags", []))
    assert "display(*report.document())" in dpia  # every section, in the template's order
    register = " ".join(c.source for c in _load("register.ipynb").cells
                        if "nbval-check-output" in c.metadata.get("tags", []))
    for section in ("art30()", "verdicts()", "findings()"):
        assert section in register
