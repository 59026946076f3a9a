"""Batch throughput: DPIA reports per second for the same notebook and activities through
(a) sequential ``papermill.execute_notebook`` (a fresh kernel per report, no HTML export),
(b) ``dpia batch`` with papermill's default engine, (c) ``dpia batch`` with the warm-kernel engine
``dpia-warm``, and ``dpia batch --executor dask`` (warm engine) on a LocalCluster of 1 and of 2 workers.

    python -m benchmarks.bench_batch [--register ropa] [--workers 2] [--repeat 1]

The report contents are compared across engines: the exported HTML reports of (b), (c) and the dask runs
must be byte-identical, and the cell outputs of (a)'s notebooks must equal (b)'s.
Target (issue 7): (c) ≥ 6× the throughput of (a) on a 2-core machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, table, work_dir

AS_OF = "2026-11-01"


def _outputs(path: Path) -> list[Any]:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    return [(c.source, c.get("outputs")) for c in nb.cells]


def run(register: Path | None = None, workers: int = 2, dask: bool = True) -> dict[str, Any]:
    """Run every variant on the same activities; print and return the figures."""
    import papermill

    from dpia_lib.batch.execute import ExecutionOptions
    from dpia_lib.batch.runner import BatchOptions, plan_jobs, run_batch
    from dpia_lib.loading import load_register

    base = work_dir() / "batch"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    source = register or REPO / "ropa"
    shutil.copytree(source, base / "ropa", ignore=shutil.ignore_patterns("audit.log*"))
    if (source.parent / "data").is_dir():
        shutil.copytree(source.parent / "data", base / "data")
    root = base / "ropa"
    reg = load_register(root)
    activities = sorted(reg.activities)
    n = len(activities)

    def options(name: str, **kw: Any) -> BatchOptions:
        return BatchOptions(register=root, out=base / name, all_activities=True, include_register=False,
                            as_of=AS_OF, **kw)

    rows: list[list[str]] = []
    figures: dict[str, float] = {}
    per_job: dict[str, float] = {}

    # (a) sequential papermill.execute_notebook, one fresh kernel per report
    seq = options("sequential")
    seq.out.mkdir()
    jobs = plan_jobs(seq, reg, activities, AS_OF)
    start = time.perf_counter()
    for job in jobs:
        papermill.execute_notebook(str(job.notebook), str(job.output), parameters=dict(job.parameters),
                                   progress_bar=False, cwd=str(job.cwd), kernel_name="python3")
    figures["sequential"] = time.perf_counter() - start
    per_job["sequential"] = figures["sequential"] / n

    runs = {
        "default": options("default", workers=workers),
        "warm": options("warm", workers=workers, execution=ExecutionOptions(engine="dpia-warm")),
    }
    if dask:
        for count in (1, 2):
            runs[f"dask-{count}"] = options(f"dask-{count}", workers=count, executor="dask",
                                            execution=ExecutionOptions(engine="dpia-warm"))
    for name, opts in runs.items():
        start = time.perf_counter()
        result = run_batch(opts)
        figures[name] = time.perf_counter() - start
        assert result.exit_code == 0, [r.failure for r in result.results if r.failure]
        per_job[name] = statistics.median(r.seconds for r in result.results)

    # identical report content
    for name in runs:
        if name == "default":
            continue
        for aid in activities:
            a = (base / "default" / f"{aid}.html").read_bytes()
            b = (base / name / f"{aid}.html").read_bytes()
            assert a == b, f"{aid}.html differs between the default engine and {name}"
    for aid in activities:
        assert _outputs(base / "sequential" / f"{aid}.ipynb") == _outputs(base / "default" / f"{aid}.ipynb"), aid

    labels = {
        "sequential": "(a) sequential papermill.execute_notebook",
        "default": f"(b) dpia batch, default engine, {workers} workers",
        "warm": f"(c) dpia batch, warm-kernel engine, {workers} workers",
        "dask-1": "dask executor (LocalCluster), warm engine, 1 worker",
        "dask-2": "dask executor (LocalCluster), warm engine, 2 workers",
    }
    for name, seconds in figures.items():
        rows.append([labels[name], f"{seconds:.1f}", f"{n / seconds:.2f}", f"{figures['sequential'] / seconds:.2f}x",
                     f"{per_job[name]:.2f}"])
    print(f"\n## Batch throughput ({n} DPIA reports of the register at {source}; target (c) >= 6x (a))\n")
    print(table(["variant", "wall s", "reports/s", "vs (a)", "median s per report (one worker)"], rows))
    print("\nmedian s per report: for (a) wall / reports; for the batch runs the median job time in a worker "
          "(execute + HTML export), i.e. the steady state once kernels are warm")
    if dask:
        print(f"\ndask speed-up from 1 to 2 workers: {figures['dask-1'] / figures['dask-2']:.2f}x")
    print("report contents: HTML byte-identical across (b), (c)" + (" and dask" if dask else "")
          + "; (a) and (b) notebook cell outputs equal")
    return {"batch": {"reports": n, **{k: v for k, v in figures.items()}}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_batch")
    parser.add_argument("--register", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args(argv)
    run(args.register, args.workers, dask=not args.no_dask)
    return 0


if __name__ == "__main__":
    sys.exit(main())
