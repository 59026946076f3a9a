"""Locating many problems in one file: ``dpia validate`` on a register whose one activity file holds N
unknown data-category references (``categories:`` then ``- u0``, ``- u1`` ... one per line).

Every unknown reference is a problem with its own line and column, so the run locates N fields in one
file. The time per problem must not grow with N (one index of the file, then a lookup per problem): the
table shows the whole command's wall time as a process at each N and the ratio of time per problem
between the largest and the smallest N (at most 1 when linear; about N_max / N_min if each lookup
scanned the whole text).

    python -m benchmarks.bench_locate [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import REPO, table, work_dir

__all__ = ["SIZES", "make_register", "run"]

SIZES = (1_000, 10_000, 100_000)


def make_register(references: int) -> Path:
    """A copy of the shipped register whose ``newsletter`` activity lists ``references`` unknown categories."""
    root = work_dir() / f"locate-{references}" / "ropa"
    if root.exists():
        shutil.rmtree(root.parent)
    shutil.copytree(REPO / "ropa", root)
    shutil.copytree(REPO / "data", root.parent / "data")
    path = root / "activities" / "newsletter.yaml"
    text = path.read_text(encoding="utf-8")
    block = "".join(f"  - u{i}\n" for i in range(references))  # short ids: 100,000 stay under the size limit
    text = text.replace("categories: [name-contact, marketing-preferences]\nretention:",
                        f"categories:\n{block}retention:", 1)
    path.write_text(text, encoding="utf-8")
    return root


def _validate(root: Path) -> tuple[float, int, int]:
    """Wall seconds of ``dpia validate --format json`` as a process, its exit code and problems printed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dpia_lib.cli", "validate", "--register", str(root),
                           "--format", "json"], cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    return wall, done.returncode, done.stdout.count('"code": "unknown-reference"')


def run(sizes: Sequence[int] = SIZES) -> list[tuple[int, float]]:
    """Print the table of wall times; return (references, seconds) per size."""
    print("\n## Locating problems (one activity file with N unknown category references; `dpia validate`)\n")
    rows, results = [], []
    for n in sizes:
        wall, code, found = _validate(make_register(n))
        if code != 1 or found != n:
            raise RuntimeError(f"expected exit 1 and {n} unknown-reference problems, got exit {code} and {found}")
        results.append((n, wall))
        rows.append((f"{n:,}", f"{wall:.2f}", f"{wall / n * 1e6:.0f}"))
    print(table(["unknown references", "dpia validate, wall s", "µs per problem"], rows))
    if len(results) > 1:
        (small, t_small), (large, t_large) = results[0], results[-1]
        print(f"\ntime per problem, {large:,} vs {small:,} references: "
              f"{(t_large / large) / (t_small / small):.2f}x")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_locate")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    run(parser.parse_args(argv).sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
