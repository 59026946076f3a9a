"""nbval guards the reports: the stored outputs match a fresh run on the shipped register, and a change
to a risk-relevant value in the register (a measure removed from an activity) makes nbval fail.

The notebook and a copy of ropa/ and data/ go to a temporary folder with the same layout as the
repository (``notebooks/`` beside ``ropa/``), so the notebook's own parameter ``register = "../ropa"``
points at the copy. nbval runs in a subprocess (about 10 s each).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine_fixtures import copy_register

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _layout(root: Path) -> Path:
    copy_register(root)
    (root / "notebooks").mkdir()
    shutil.copy(REPO / "notebooks" / "dpia.ipynb", root / "notebooks" / "dpia.ipynb")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return root / "notebooks" / "dpia.ipynb"


def _nbval(notebook: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
         "--nbval-sanitize-with", str(REPO / "notebooks" / "sanitize.cfg"), "-c",
         str(notebook.parent.parent / "pytest.ini"), str(notebook)],
        cwd=notebook.parent.parent, capture_output=True, text=True, timeout=300, check=False)


def test_nbval_passes_on_the_unchanged_register_copy(tmp_path: Path) -> None:
    result = _nbval(_layout(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:]


def test_removing_access_measures_raises_the_residual_risk_and_nbval_fails(tmp_path: Path) -> None:
    # Without role-based access, confidentiality agreements, encryption, MFA and access logging the
    # residual likelihood of illegitimate access and health data reaching the employer goes up.
    notebook = _layout(tmp_path)
    activity = tmp_path / "ropa" / "activities" / "reintegration-second-track.yaml"
    text = activity.read_text(encoding="utf-8")
    removed = ("measures: [role-based-access, confidentiality-agreements, encryption-at-rest, encryption-in-transit,"
               "\n           multi-factor-auth, access-logging, ")
    assert removed in text
    activity.write_text(text.replace(removed, "measures: ["), encoding="utf-8")
    result = _nbval(notebook)
    assert result.returncode == 1, result.stdout[-3000:]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    # code cells: 0 parameters, 1 prepare and display every section (the risk table and the art. 5(1)(f)
    # row, which counts the measures, change)
    assert [line.split("::")[1].split(" ")[1] for line in failed] == ["1"], failed
    assert "Cell 1: Cell outputs differ" in result.stdout and "display(*report.document())" in result.stdout
