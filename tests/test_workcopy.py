"""Working in JupyterLab: a bad notebook parameter shows one line without a traceback, and ``dpia open``
works on a copy so the tracked template notebooks never change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dpia_lib.cli import main
from dpia_lib.editing.workcopy import TEMPLATE, working_copy

REPO = Path(__file__).resolve().parent.parent


def test_bad_parameter_in_ipython_shows_one_line_without_traceback(tmp_path: Path) -> None:
    cell = f"prepare('newslettre', 'nl', '2026-11-01', {str(REPO / 'ropa')!r})"
    code = (
        "from IPython.testing.globalipapp import start_ipython\n"
        "ip = start_ipython()\n"
        "ip.run_cell('from dpia_lib.report import prepare')\n"
        f"ip.run_cell({cell!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          check=False)
    shown = done.stdout + done.stderr
    assert "did you mean 'newsletter'" in shown
    assert "Traceback" not in shown and "File " not in shown, shown
    assert len([line for line in shown.splitlines() if line.strip()]) == 1, shown


def test_dpia_open_writes_a_filled_in_copy_and_leaves_the_template(tmp_path: Path, capsys: object) -> None:
    before = TEMPLATE.read_bytes()
    code = main(["open", "special-file", "--register", str(REPO / "ropa"), "--language", "en",
                 "--as-of", "2026-11-01", "--folder", str(tmp_path / "work"), "--no-lab"])
    assert code == 0
    copy = tmp_path / "work/dpia-special-file-en.ipynb"
    notebook = json.loads(copy.read_text(encoding="utf-8"))
    source = "".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                     for c in notebook["cells"] if c["cell_type"] == "code")
    assert 'activity = "special-file"' in source and 'language = "en"' in source
    assert str((REPO / "ropa").resolve()) in source
    assert TEMPLATE.read_bytes() == before
    (copy).write_text(copy.read_text(encoding="utf-8").replace("special-file", "special-file"), encoding="utf-8")
    notes = copy.read_text(encoding="utf-8") + " "
    copy.write_text(notes, encoding="utf-8")
    assert working_copy("special-file", folder=tmp_path / "work", language="en", register=REPO / "ropa") == copy
    assert copy.read_text(encoding="utf-8") == notes  # an existing copy (with the officer's notes) is kept


def test_dpia_open_refuses_an_unknown_activity_with_a_suggestion(tmp_path: Path, capsys: object) -> None:
    code = main(["open", "newslettre", "--register", str(REPO / "ropa"), "--folder", str(tmp_path), "--no-lab"])
    assert code == 2
    assert not list(tmp_path.iterdir())
