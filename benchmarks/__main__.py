"""Run every benchmark: ``python -m benchmarks [--quick] [--update-readme]``.

Prints each figure and ratio (register at 100 / 1,000 / 10,000 activities, edit latency, batch engines);
``--update-readme`` also writes the printed tables into ``benchmarks/README.md`` between its
``<!-- results -->`` markers. ``--quick`` stops the register benchmark at 1,000 activities and skips dask.
About 6-8 minutes on 2 idle cores.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import platform
import sys
import time

from benchmarks import bench_batch, bench_edit, bench_register
from benchmarks.common import REPO


class _Tee(io.StringIO):
    def __init__(self, out: io.TextIOBase | None = None) -> None:
        super().__init__()
        self._out = sys.stdout

    def write(self, text: str) -> int:
        self._out.write(text)
        self._out.flush()
        return super().write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 1,000 only; no dask")
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tee = _Tee()
    load = os.getloadavg()
    with contextlib.redirect_stdout(tee):
        print(f"dpia-workbook benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
              f"{os.cpu_count()} cores, Python {platform.python_version()}, "
              f"load average at start {load[0]:.1f}")
        bench_register.run((100, 1_000) if args.quick else bench_register.SIZES)
        bench_edit.run()
        bench_batch.run((13,) if args.quick else (13, 200))
        print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")
    if args.update_readme:
        readme = REPO / "benchmarks" / "README.md"
        text = readme.read_text(encoding="utf-8")
        start, end = "<!-- results -->", "<!-- /results -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        readme.write_text(f"{head}{start}\n\n```text\n{tee.getvalue().strip()}\n```\n\n{end}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
