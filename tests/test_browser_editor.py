"""The editor served by Voilà (with the kernel culling of the README's command), driven in headless
Chromium (Playwright with the system's Chromium) on a copy of the register, as an officer would:

- ticks one category, saves, and the diff adds exactly that one;
- edits a retention period, saves, and the diff is one line;
- empties a Dutch name: a message names the field in Dutch and the save is refused;
- while a colleague changes the same file on disk, edits another field and saves: both changes are kept;
- asks to remove a referenced party: the question lists what refers to it, and cancelling keeps it;
- edits a DPIA record (the data subjects' views) and saves it;
- switches the editor to English: the legal basis drop-down reads "Performance of a contract (GDPR
  art. 6(1)(b))", not the id ``contract``;
- opens the advanced view (the record's YAML), edits one value there, applies and saves: a one-line diff.

Screenshots are kept in ``test-artifacts/``. Everything is time-bound: Voilà must answer within 60 s,
each browser step within 60 s, and the server is stopped in a ``finally``.
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


def _diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("---", "+++"))]


@pytest.mark.slow
def test_officer_edits_in_the_browser(tmp_path: Path) -> None:
    from playwright.sync_api import Page, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    assert Path(CHROMIUM).exists(), "the browser test needs Debian's chromium (scripts/test installs it)"
    copy_register(tmp_path)
    root = tmp_path / "ropa"
    target = root / "activities/assessments-and-tests.yaml"
    port = _free_port()
    log = (tmp_path / "voila.log").open("wb")
    env = dict(os.environ, DPIA_REGISTER=str(root), JUPYTER_PLATFORM_DIRS="1", DPIA_USER="privacy officer")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "voila"), str(REPO / "notebooks/editor.ipynb"), f"--port={port}",
         "--no-browser", "--Voila.ip=127.0.0.1", "--ServerApp.open_browser=False",
         "--MappingKernelManager.cull_interval=60", "--MappingKernelManager.cull_idle_timeout=300",
         "--MappingKernelManager.cull_connected=False"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ARTIFACTS.mkdir(exist_ok=True)

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"), full_page=False)

    def save(page: Page, expect: str) -> None:
        page.locator("button.dpia-save").click()
        page.locator(".dpia-status", has_text=expect).wait_for()

    def pick(page: Page, ident: str, marker: str = ".dpia-f-id input") -> None:
        """Pick record ``ident`` and wait until the form shows it (its field at ``marker`` reads ``ident``).

        Right after a click on a kind the picker may still list the kind shown before; an activity and its
        DPIA record share an id, so a pick there lands on the old list. The pick is repeated until the form
        shows the record."""
        for _ in range(6):
            label = page.locator(".dpia-picker select option").filter(has_text=f"({ident})").first.inner_text()
            page.locator(".dpia-picker select").select_option(label=label)
            try:
                page.wait_for_function(
                    "([css, ident]) => { const e = document.querySelector(css); if (!e) return false;"
                    " return e.tagName === 'SELECT' ? ((e.selectedOptions[0] || {}).text || '').trim()"
                    ".endsWith('(' + ident + ')') : e.value === ident; }", arg=[marker, ident], timeout=10_000)
                return
            except PlaywrightTimeout:
                continue
        raise AssertionError(f"the form did not show {ident} after six picks")

    def tab(page: Page, title: str) -> None:
        page.locator(".dpia-tabs .lm-TabBar-tab", has_text=title).first.click()

    def shows(page: Page, css: str, text: str) -> None:
        """Wait until the input or select at ``css`` shows ``text``: the form of the record picked has
        replaced the one shown before (a slow kernel renders it after the click returns)."""
        page.wait_for_function(
            "([css, text]) => { const e = document.querySelector(css); if (!e) return false;"
            " const v = e.tagName === 'SELECT' ? (e.selectedOptions[0] || {}).text || '' : e.value;"
            " return v.replace(/\\u00a0/g, ' ').includes(text); }", arg=[css, text])

    try:
        _wait_for(f"http://127.0.0.1:{port}/", 60)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=60_000)
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1300})
                page.set_default_timeout(60_000)
                page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
                page.locator(".dpia-picker select").wait_for(state="visible")
                assert page.locator(".dpia-picker select").input_value().endswith("(assessments-and-tests)")
                shot(page, "start")

                # 1. tick one category: the diff adds exactly that one
                before = target.read_text(encoding="utf-8")
                tab(page, "Gegevens en betrokkenen")
                page.locator(".dpia-field-categories .dpia-item-progress_reports input").check()
                page.locator(".dpia-status .dpia-unsaved").wait_for()
                shot(page, "category-ticked")
                save(page, "Opgeslagen: activities/assessments-and-tests.yaml")
                after = target.read_text(encoding="utf-8")
                assert _diff(before, after) == [
                    "-categories: [name-contact, assessment-results, coaching-notes, functional-limitations]",
                    "+categories: [name-contact, assessment-results, coaching-notes, functional-limitations, "
                    + "progress-reports]"]

                # 2. a retention period: a one-line diff
                before = after
                tab(page, "Bewaartermijnen")
                period = page.locator(".dpia-f-retention-coaching_notes-period input")
                assert period.input_value() == "1 year"
                period.fill("18 months")
                period.press("Enter")
                page.locator(".dpia-status .dpia-unsaved").wait_for()
                shot(page, "retention-edited")
                save(page, "Opgeslagen: activities")
                after = target.read_text(encoding="utf-8")
                assert _diff(before, after) == [
                    "-  coaching-notes: {period: 1 year, from: end of the trajectory, basis: analysis}",
                    "+  coaching-notes: {period: 18 months, from: end of the trajectory, basis: analysis}"]

                # 3. an empty Dutch name: a message naming the field in Dutch, and the save is refused
                tab(page, "Omschrijving")
                name = page.locator(".dpia-f-name-nl input")
                name.fill("")
                name.press("Enter")
                page.locator(".dpia-msg-name", has_text="De Nederlandse naam is leeg").wait_for()
                page.locator("button.dpia-save").click()
                page.locator(".dpia-status", has_text="Niet opgeslagen").wait_for()
                shot(page, "empty-dutch-name")
                assert target.read_text(encoding="utf-8") == after
                page.locator("button.dpia-undo").click()
                page.locator(".dpia-msg-name", has_text="De Nederlandse naam is leeg").wait_for(state="detached")

                # 4. the file changes on disk during the session: the officer's other edit is not lost
                on_disk = after.replace("last_review: 2026-09-15", "last_review: 2026-10-01", 1)
                target.write_text(on_disk, encoding="utf-8")
                tab(page, "Gegevens en betrokkenen")
                volume = page.locator(".dpia-f-data_subjects_per_year input")
                volume.fill("725")
                volume.press("Enter")
                page.locator(".dpia-status .dpia-unsaved").wait_for()
                save(page, "Opgeslagen: activities")
                page.locator(".dpia-merged").wait_for()
                shot(page, "merged")
                final = target.read_text(encoding="utf-8")
                assert "last_review: 2026-10-01" in final and "data_subjects_per_year: 725" in final
                assert _diff(on_disk, final) == ["-data_subjects_per_year: 700", "+data_subjects_per_year: 725"]

                # 5. removing a referenced party asks first and lists what refers to it
                page.locator(".dpia-kinds button", has_text="Partijen").click()
                pick(page, "labour-expert")
                page.locator(".dpia-f-kind select").wait_for()
                page.locator("button.dpia-remove").click()
                page.locator(".dpia-confirm", has_text="Hiernaar wordt verwezen door").wait_for()
                shot(page, "remove-asks")
                page.locator("button.dpia-confirm-no").click()
                assert "id: labour-expert" in (root / "parties.yaml").read_text(encoding="utf-8")

                # 6. a DPIA record: the data subjects' views
                page.locator(".dpia-kinds button", has_text="DPIA's").click()
                pick(page, "special-file", ".dpia-f-activity select")
                shows(page, ".dpia-f-data_subject_views-how-nl input", "(aanname:")  # special-file's own words
                views = page.locator(".dpia-f-data_subject_views-summary-en input")
                views.fill("Clients' council: agrees, asks for shorter retention.")
                views.press("Enter")
                page.locator(".dpia-status .dpia-unsaved").wait_for()
                save(page, "Opgeslagen: dpias/special-file.yaml")
                shot(page, "dpia-saved")

                # 7. in English, a legal basis reads as words with its article, not as its id
                page.locator(".dpia-language button", has_text="EN").click()
                page.locator(".dpia-kinds button", has_text="Activities").click()
                pick(page, "assessments-and-tests")
                tab(page, "Lawfulness")
                shows(page, ".dpia-f-purposes-0-basis select", "Performance of a contract")
                basis = page.locator(".dpia-f-purposes-0-basis select")
                shown = [o.replace("\xa0", " ").strip() for o in basis.locator("option").all_inner_texts()]  # nbsp
                assert basis.locator("option:checked").inner_text().replace("\xa0", " ") == \
                    "Performance of a contract (GDPR art. 6(1)(b))"
                assert "contract" not in shown and "Legitimate interests (GDPR art. 6(1)(f))" in shown
                shot(page, "english-basis")

                # 8. the advanced view: the record's YAML as in its file; one value edited there, applied, saved
                before = target.read_text(encoding="utf-8")
                yaml_box = page.locator(".dpia-advanced textarea")
                assert not yaml_box.is_visible()  # collapsed until opened
                page.locator(".dpia-advanced").get_by_text("Advanced (YAML)").click()
                yaml_box.wait_for(state="visible")
                page.wait_for_function("() => (document.querySelector('.dpia-advanced textarea') || {}).value"
                                       "?.includes('id: assessments')")
                assert yaml_box.input_value() == before
                yaml_box.fill(before.replace("data_subjects_per_year: 725", "data_subjects_per_year: 730"))
                page.locator("button.dpia-yaml-apply").click()
                page.locator(".dpia-yaml-applied", has_text="Applied: Data subjects per year (estimate).").wait_for()
                yaml_box.scroll_into_view_if_needed()
                shot(page, "advanced")
                save(page, "Saved: activities/assessments-and-tests.yaml")
                assert _diff(before, target.read_text(encoding="utf-8")) == [
                    "-data_subjects_per_year: 725", "+data_subjects_per_year: 730"]
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
    dpia = (root / "dpias/special-file.yaml").read_text(encoding="utf-8")
    assert "Clients' council: agrees, asks for shorter retention." in dpia
    for name in ("start", "category-ticked", "empty-dutch-name", "merged", "remove-asks", "dpia-saved", "english-basis",
                 "advanced"):
        assert (ARTIFACTS / f"editor-{name}.png").stat().st_size > 10_000
