"""The built wheel works on its own: installed (not editable) into a fresh virtual environment, the ``dpia``
command validates, screens, checks and reports on the shipped register from an unrelated folder, with the
catalogues and notebook templates the wheel carries; ``dpia init`` writes a register that validates.

The wheel is built with the hatchling of the test environment (no download) and installed without its
dependencies; the new environment reaches those through a ``.pth`` file naming this environment's
site-packages (and ``JUPYTER_PATH`` its share/jupyter), added after the install so pip never sees this
environment's editable install.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh venv holding the wheel built from this checkout."""
    base = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                  "-w", base / "dist", REPO], cwd=base)
    assert built.returncode == 0, built.stderr
    wheel = next((base / "dist").glob("dpia_workbook-*.whl"))
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
                 "--quiet", wheel], cwd=base)
    assert done.returncode == 0, done.stderr
    target = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       cwd=base).stdout.strip())
    (target / "zz_test_dependencies.pth").write_text(
        "\n".join(p for p in site.getsitepackages() if Path(p).is_dir()) + "\n", encoding="utf-8")
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An unrelated working folder holding only a copy of the shipped register (no data/ beside it)."""
    work = tmp_path / "elsewhere"
    shutil.copytree(REPO / "ropa", work / "ropa")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # the dependencies' data files (nbconvert's HTML templates) live in this environment's prefix
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return work, env


def test_the_wheel_carries_catalogues_and_notebooks(installed: Path, elsewhere: tuple[Path, dict[str, str]]) -> None:
    work, env = elsewhere
    found = _run([installed / "python", "-c", "import dpia_lib, dpia_lib.resources as r; "
                  "print(dpia_lib.__file__); print(r.shipped_data_dir()); print(r.notebook('dpia'))"], work, env)
    assert found.returncode == 0, found.stderr
    package, data, notebook = (Path(line) for line in found.stdout.split("\n")[:3])
    venv = installed.parent
    assert package.is_relative_to(venv) and data.is_relative_to(venv) and notebook.is_relative_to(venv)
    assert data == package.parent / "data" and (data / "categories.yaml").is_file()
    assert notebook == package.parent / "notebooks" / "dpia.ipynb"


def test_the_installed_command_works_on_the_shipped_register(
    installed: Path, elsewhere: tuple[Path, dict[str, str]]
) -> None:
    work, env = elsewhere
    dpia = installed / "dpia"
    validated = _run([dpia, "validate"], work, env)
    assert validated.returncode == 0, validated.stderr
    assert "valid — 13 activities" in validated.stdout
    screened = _run([dpia, "screen", "--format", "json"], work, env)
    assert screened.returncode == 0, screened.stderr
    assert '"verdict": "required"' in screened.stdout
    checked = _run([dpia, "check", "--as-of", "2026-11-25"], work, env)
    assert checked.returncode == 0, checked.stderr
    assert "0 op of boven hoog" in checked.stderr  # Dutch by default
    batch = _run([dpia, "batch", "--activity", "special-file", "--language", "en", "--as-of", "2026-11-25",
                  "--workers", "2", "--no-progress"], work, env)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    assert "2 of 2 reports written" in batch.stdout
    html = (work / "reports" / "special-file.html").read_text(encoding="utf-8")
    assert "Special file" in html or "special file" in html.lower()
    assert (work / "reports" / "index.html").is_file()


def test_init_writes_a_starter_that_validates(installed: Path, elsewhere: tuple[Path, dict[str, str]]) -> None:
    work, env = elsewhere
    dpia = installed / "dpia"
    made = _run([dpia, "init", "my-register"], work, env)
    assert made.returncode == 0, made.stderr
    root = work / "my-register"
    texts = "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.yaml"))
    assert "REPLACE" in texts and "Ros Loopbaan" not in texts
    validated = _run([dpia, "validate", "--register", "my-register"], work, env)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "valid — 1 activities, 2 parties, 1 flows" in validated.stdout
    checked = _run([dpia, "check", "--register", "my-register", "--fail-on", "low"], work, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = _run([dpia, "init", "my-register"], work, env)
    assert again.returncode == 2 and "already exists" in again.stderr  # a usage error: nothing overwritten
