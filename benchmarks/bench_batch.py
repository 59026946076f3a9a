"""Batch throughput end to end, as a user waits for it: whole commands timed as processes, side by side.

For the same DPIA notebook and activities, each measured as one process from start to exit:

(a) sequential ``papermill.execute_notebook`` of ``notebooks/dpia.ipynb`` (papermill's own engine, a fresh
    kernel per report, no HTML export), one activity after the other;
(b) ``dpia batch --all --format html`` (its default engine; it also writes the HTML reports, the register
    overview and the index; the PDFs are left out, their cost per report is ``bench_pdf``'s);
(c) optionally ``dpia batch --all --format html --engine nbclient`` (papermill's own engine in worker
    processes).

on the shipped register (13 activities) and on a synthetic register of 200 activities
(:mod:`dpia_lib.synthetic`). With ``--sample N`` the sequential run on the synthetic register covers
every k-th activity (N of them) and its time for all activities is extrapolated: the measured process
time plus the mean time per report for the activities left out (a fresh kernel per report makes that
time steady). The executed notebooks of (a) and (b) are compared cell by cell (sources and outputs).

    python -m benchmarks.bench_batch [--sizes 13 200] [--sample 20] [--workers 2] [--plain]

Targets on a 2-core machine: (b) >= 6x (a) on the shipped register, >= 10x on 200 activities.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, register_of, table, work_dir

AS_OF = "2026-11-01"

#: The sequential baseline, run as its own process: papermill's own engine, one report after the other.
_SEQUENTIAL = """\
import json, sys, time
import papermill
jobs = json.loads(sys.argv[1])
times = []
for notebook, output, parameters, cwd in jobs:
    started = time.perf_counter()
    papermill.execute_notebook(notebook, output, parameters=parameters, progress_bar=False, cwd=cwd,
                               kernel_name="python3")
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def _outputs(path: Path) -> list[Any]:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    return [(c.source, c.get("outputs")) for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


def _cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and their reaped descendants
    (a batch's kernels, a papermill run's kernels)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` run as a process (its kernels included)."""
    cpu, started = _cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, _cpu() - cpu


def measure(register: Path, label: str, *, workers: int, sample: int | None, plain: bool) -> dict[str, Any]:
    """Run (a), (b) and optionally (c) on ``register``; return the figures."""
    from dpia_lib.batch.runner import BatchOptions, plan_jobs
    from dpia_lib.loading import load_register

    reg = load_register(register)
    activities = sorted(reg.activities)
    every = activities if not sample or sample >= len(activities) else None
    chosen = every if every is not None else activities[:: len(activities) // sample][:sample]
    seq_out = register.parent / f"sequential-{label}"
    if seq_out.exists():
        shutil.rmtree(seq_out)
    seq_out.mkdir()
    jobs = plan_jobs(BatchOptions(register=register, out=seq_out, include_register=False), reg, chosen, AS_OF)
    spec = json.dumps([[str(j.notebook), str(j.output), j.parameters, str(j.cwd)] for j in jobs])

    cpu, started = _cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _SEQUENTIAL, spec], cwd=REPO, capture_output=True, text=True,
                          check=False)
    sequential = time.perf_counter() - started
    sequential_cpu = _cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"sequential papermill failed:\n{done.stderr[-3000:]}")
    per_report = json.loads(done.stdout.strip().splitlines()[-1])
    mean = sum(per_report) / len(per_report)
    estimated = sequential + mean * (len(activities) - len(chosen))

    dpia = str(Path(sys.executable).parent / "dpia")
    batch_out = register.parent / f"batch-{label}"
    def command(out: Path, *extra: str) -> list[str]:
        return [dpia, "batch", "--all", "--format", "html", "--register", str(register), "--out", str(out),
                "--as-of", AS_OF, "--no-progress", *(["--workers", str(workers)] if workers else []), *extra]

    batch, batch_cpu = _timed(command(batch_out), register.parent)
    figures = {"activities": len(activities), "sequential_measured": sequential, "sequential_reports": len(chosen),
               "sequential_per_report": mean, "sequential": estimated, "batch": batch,
               "sequential_cpu_per_report": sequential_cpu / len(chosen),
               "batch_cpu_per_report": batch_cpu / (len(activities) + 1),  # + the register overview
               "load": os.getloadavg()[0]}
    print(f"{label}: (a) {sequential:.1f} s for {len(chosen)} reports, (b) {batch:.1f} s for {len(activities)}; "
          f"load average now {figures['load']:.1f}", file=sys.stderr)
    if plain:
        figures["plain"] = _timed(command(register.parent / f"plain-{label}", "--engine", "nbclient"),
                                  register.parent)[0]
    for aid in chosen:
        assert _outputs(seq_out / f"{aid}.ipynb") == _outputs(batch_out / f"{aid}.ipynb"), aid
    return figures


def run(sizes: tuple[int, ...] = (13, 200), workers: int = 2, sample: int | None = 20,
        plain: bool = False) -> dict[str, Any]:
    """Measure every size; print and return the figures."""
    results: dict[str, Any] = {}
    rows = []
    load = os.getloadavg()[0]
    for size in sizes:
        if size == 13:
            root = work_dir() / "shipped"
            if root.exists():
                shutil.rmtree(root)
            shutil.copytree(REPO / "ropa", root / "ropa", ignore=shutil.ignore_patterns("audit.log*", ".*"))
            register, label = root / "ropa", "shipped register"
        else:
            register, label = register_of(size), f"{size} synthetic activities"
        f = measure(register, str(size), workers=workers, sample=sample if size != 13 else None, plain=plain)
        results[label] = f
        seq = f"{f['sequential']:.1f}" + ("" if f["sequential_reports"] == f["activities"] else
                                           f" (est.; {f['sequential_reports']} run in {f['sequential_measured']:.1f})")
        rows.append([label, str(f["activities"]), seq, f"{f['sequential_per_report']:.2f}", f"{f['batch']:.1f}",
                     f"{f['sequential'] / f['batch']:.2f}x",
                     f"{f['sequential_cpu_per_report']:.2f} / {f['batch_cpu_per_report']:.2f}"]
                    + ([f"{f['plain']:.1f} ({f['sequential'] / f['plain']:.2f}x)"] if plain else []))
    after = ", ".join(f"{f['load']:.1f}" for f in results.values())
    print(f"\n## Batch end to end (processes; load average at start {load:.1f}, after each size {after}; "
          "targets 6x shipped, 10x at 200)\n")
    print(table(["register", "reports", "(a) sequential papermill s", "(a) s per report", "(b) dpia batch --all s",
                 "(b) vs (a)", "CPU s per report (a) / (b)"] + (["(c) --engine nbclient s"] if plain else []), rows))
    print("\n(a): one process, papermill.execute_notebook per activity (fresh kernel each, no HTML); "
          "(b): `dpia batch --all --format html` as a process (default engine, HTML reports, register overview "
          "and index included; PDF cost per report: bench_pdf); notebook cell outputs of (a) and (b) compared "
          "equal; CPU: user + system seconds of the process and its kernels, per report written")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_batch")
    parser.add_argument("--sizes", type=int, nargs="+", default=[13, 200],
                        help="13: the shipped register; any other number: a synthetic register of that size")
    parser.add_argument("--sample", type=int, default=20,
                        help="sequential baseline on this many activities of a synthetic register (0: all)")
    parser.add_argument("--workers", type=int, default=0, help="--workers for dpia batch (0: its default)")
    parser.add_argument("--plain", action="store_true", help="also run dpia batch --engine nbclient")
    args = parser.parse_args(argv)
    run(tuple(args.sizes), args.workers, args.sample or None, args.plain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
