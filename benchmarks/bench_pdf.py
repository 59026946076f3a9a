"""PDF cost per report: what writing ``<activity>.pdf`` with WeasyPrint adds to ``dpia batch``.

    python -m benchmarks.bench_pdf [--register ropa] [--workers 2]

Measured side by side in one run: (a) the whole ``dpia batch`` command as a process (HTML and PDF for
every required or recommended activity and the register overview); (b) in a fresh process, each HTML
report written by (a) converted again to PDF, timed per report (first call, which loads fonts, shown
apart), with pages and size. The ratio is PDF time per report over the batch's wall time per report.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, table, work_dir

AS_OF = "2026-01-01"


def _convert(out: Path) -> dict[str, Any]:
    """Convert every HTML report in ``out`` to PDF again (run in a fresh interpreter)."""
    from pypdf import PdfReader

    from dpia_lib.report.document import write_pdf

    rows = []
    for html in sorted(out.glob("*.html")):
        if html.name == "index.html":
            continue
        target = out / "bench-pdf" / html.with_suffix(".pdf").name
        target.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        write_pdf(html.read_text(encoding="utf-8"), target)
        seconds = time.perf_counter() - started
        rows.append({"report": html.stem, "seconds": seconds, "pages": len(PdfReader(str(target)).pages),
                     "kib": target.stat().st_size / 1024, "html_kib": html.stat().st_size / 1024})
    return {"rows": rows}


def run(register: Path, workers: int) -> dict[str, Any]:
    out = work_dir() / "pdf-batch"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dpia_lib.cli", "batch", "--register", str(register), "--as-of", AS_OF,
                    "--out", str(out), "--workers", str(workers)], cwd=REPO, check=True, capture_output=True)
    batch = time.perf_counter() - started
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_pdf", "--convert", str(out)], cwd=REPO,
                          check=True, capture_output=True, text=True)
    rows = json.loads(done.stdout.strip().splitlines()[-1])["rows"]
    reports = len(rows)
    later = [r["seconds"] for r in rows[1:]] or [rows[0]["seconds"]]
    per_report = batch / reports
    print(table(["report", "PDF s", "pages", "PDF KiB", "HTML KiB"],
                [(r["report"], f"{r['seconds']:.2f}", r["pages"], f"{r['kib']:.0f}", f"{r['html_kib']:.0f}")
                 for r in rows]))
    print()
    print(table(["measure", "value"], [
        ("dpia batch wall time (HTML + PDF), s", f"{batch:.1f}"),
        ("reports", reports),
        ("batch wall time per report, s", f"{per_report:.2f}"),
        ("PDF first report (loads fonts), s", f"{rows[0]['seconds']:.2f}"),
        ("PDF median of the others, s", f"{statistics.median(later):.2f}"),
        ("PDF share of batch time per report (worker time / wall time)",
         f"{statistics.median(later) / per_report:.0%}"),
    ]))
    return {"batch": batch, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--register", type=Path, default=REPO / "ropa")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--convert", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.convert is not None:
        print(json.dumps(_convert(args.convert)))
        return
    run(args.register, args.workers)


if __name__ == "__main__":
    main()
