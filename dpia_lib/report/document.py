"""Reports as documents: the HTML page (one small stylesheet for screen and print, no JupyterLab CSS, no
scripts), the PDF written from it with WeasyPrint (A4, page numbers, running header with the document's
title and the register version), and the register version itself.

The stylesheet ``static/report.css`` is the whole look of a report: tables keep every column (the
register overview's wide tables print on landscape pages), table rows and figures are not split across
pages, headings stay with what follows them.

>>> page = report_page("<h1>T</h1>", title="T <x>", language="nl")
>>> page.startswith("<!DOCTYPE html>") and "<title>T &lt;x&gt;</title>" in page and "<script" not in page
True
"""

from __future__ import annotations

import hashlib
import html
import subprocess
from functools import lru_cache
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["html_exporter", "register_version", "report_page", "stylesheet", "tool_version", "write_pdf"]


def stylesheet() -> str:
    """The report stylesheet (screen and print)."""
    return files("dpia_lib.report").joinpath("static/report.css").read_text(encoding="utf-8")


def tool_version() -> str:
    """The installed dpia-workbook version."""
    try:
        return metadata.version("dpia-workbook")
    except metadata.PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=16)
def _register_version(root: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    folder = Path(root)
    commit: subprocess.CompletedProcess[str] | None
    dirty: subprocess.CompletedProcess[str] | None
    try:
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=10, check=False)
        dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--", "."],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        commit = dirty = None
    if commit is not None and commit.returncode == 0 and commit.stdout.strip():
        suffix = "+" if dirty is not None and dirty.stdout.strip() else ""
        return f"git {commit.stdout.strip()}{suffix}"
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.yaml")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"sha256 {digest.hexdigest()[:12]}"


def register_version(root: Path | str) -> str:
    """The register's version: ``git <commit>`` when the register folder is in a git repository (``+`` when
    it has uncommitted changes), otherwise ``sha256 <hash>`` of its YAML files' names and contents."""
    folder = Path(root).resolve()
    stamp = tuple((p.as_posix(), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*.yaml")))
    return _register_version(str(folder), stamp)


def report_page(body: str, *, title: str, language: str) -> str:
    """A standalone HTML page around ``body`` with the report stylesheet. The printed pages' header is the
    text of the body's element of class ``running`` (the title block's document name and register version)."""
    e = html.escape
    return (f'<!DOCTYPE html>\n<html lang="{e(language)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title><style>{stylesheet()}</style></head><body>"
            f"<main>{body}</main></body></html>\n")


def html_exporter() -> Any:
    """An nbconvert exporter for report bodies: outputs only (no code, no prompts), the ``dpia`` template
    (``templates/dpia``: nbconvert's ``basic`` without JupyterLab CSS or scripts, figures with their alt
    text), images embedded. Build one per thread and reuse it.

    The notebook is validated once, after its preprocessors (``optimistic_validation``), not after each
    of them: it comes valid from papermill, and the preprocessors that run only remove cells."""
    from nbconvert import HTMLExporter

    templates = str(files("dpia_lib.report").joinpath("templates"))
    return HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="dpia", extra_template_basedirs=[templates], exclude_input=True,
        exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True, optimistic_validation=True)


def write_pdf(page: str, path: Path, base_url: Path | None = None) -> Path:
    """Write the HTML ``page`` (from :func:`report_page`) to ``path`` as a PDF with WeasyPrint.

    Raises :class:`~dpia_lib.errors.DpiaError` when WeasyPrint cannot load the system's Pango library.
    """
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except OSError as exc:  # WeasyPrint loads Pango through cffi when imported
        from dpia_lib.errors import DpiaError

        raise DpiaError(f"cannot write {path.name}: WeasyPrint needs the Pango library (Debian: apt-get install "
                        f"libpango-1.0-0 libpangoft2-1.0-0) ({exc})") from exc

    HTML(string=page, base_url=str(base_url or path.parent)).write_pdf(str(path))
    return path
