"""The editor served by Voilà, driven in headless Chromium (Playwright with the system's Chromium):
change one field, click Save, and find exactly that change in the YAML on disk.

A screenshot is kept in ``test-artifacts/editor.png``. Everything is time-bound: Voilà must answer within
60 s, each browser step within 60 s, and the server is stopped in a ``finally``.
"""

from __future__ import annotations

import difflib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.engine_fixtures import copy_register

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@pytest.mark.slow
def test_edit_and_save_in_the_browser(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "the browser test needs Debian's chromium (scripts/test installs it)"
    copy_register(tmp_path)
    target = tmp_path / "ropa/activities/assessments-and-tests.yaml"
    before = target.read_text(encoding="utf-8")
    port = _free_port()
    log = (tmp_path / "voila.log").open("wb")
    env = dict(os.environ, DPIA_REGISTER=str(tmp_path / "ropa"), JUPYTER_PLATFORM_DIRS="1")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "voila"), str(REPO / "notebooks/editor.ipynb"), f"--port={port}",
         "--no-browser", "--Voila.ip=127.0.0.1", "--ServerApp.open_browser=False"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/", 60)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=60_000)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1800})
                page.set_default_timeout(60_000)
                page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
                field = page.locator(".dpia-field-data_subjects_per_year input")
                field.wait_for(state="visible")
                assert field.input_value() == "700"
                field.fill("725")
                field.press("Enter")
                page.locator(".dpia-status", has_text="1 unsaved change(s).").wait_for()
                page.locator("button.dpia-save").click()
                page.locator(".dpia-saved", has_text="Saved: activities/assessments-and-tests.yaml").wait_for()
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "editor.png"), full_page=False)
            finally:
                browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()
    after = target.read_text(encoding="utf-8")
    assert after != before, (tmp_path / "voila.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("---", "+++"))]
    assert changed == ["-data_subjects_per_year: 700", "+data_subjects_per_year: 725"]
    assert (ARTIFACTS / "editor.png").stat().st_size > 10_000
