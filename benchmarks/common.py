"""Shared helpers of the benchmarks: synthetic registers cached per size, fresh-process measurements,
peak memory and plain-text tables."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dpia_lib.synthetic import generate_register

__all__ = ["REPO", "peak_rss_mib", "register_of", "run_worker", "table", "work_dir"]

REPO = Path(__file__).resolve().parent.parent
_WORK: Path | None = None


def work_dir() -> Path:
    """A scratch directory for this run (``$DPIA_BENCH_DIR`` or a fresh temporary directory)."""
    global _WORK
    if _WORK is None:
        chosen = os.environ.get("DPIA_BENCH_DIR")
        _WORK = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="dpia-bench-"))
        _WORK.mkdir(parents=True, exist_ok=True)
    return _WORK


def register_of(activities: int, seed: int = 0) -> Path:
    """A synthetic register of ``activities`` activities (generated once per run and size)."""
    root = work_dir() / f"register-{activities}-{seed}"
    if not (root / "organisation.yaml").is_file():
        generate_register(root, activities, seed=seed)
    return root


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(module: str, *args: str, timeout: float = 600) -> dict[str, Any]:
    """Run ``python -m module args`` in a fresh interpreter; it prints one JSON object as its last line."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table (also readable as plain text)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
