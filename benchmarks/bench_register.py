"""Register at scale: load + validate + screen + check on synthetic registers of 100, 1,000 and 10,000
activities (about ten flows each), against the floor: the raw C-accelerated YAML parse of the same files.

Each size is measured in fresh interpreters (one for the floor, one for load alone, one for the whole
pipeline) so that peak RSS and caches belong to that measurement only.

    python -m benchmarks.bench_register [--sizes 100 1000 10000]

Targets, at 10,000 activities: pipeline ≤ 3× the floor, peak RSS < 1 GiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import peak_rss_mib, register_of, run_worker, table

AS_OF = dt.date(2026, 11, 1)
SIZES = (100, 1_000, 10_000)


def _files(root: Path) -> list[Path]:
    from dpia_lib.loading import DEFAULT_DATA_DIR

    return sorted(root.rglob("*.yaml")) + sorted(DEFAULT_DATA_DIR.glob("*.yaml"))


def floor(root: Path) -> dict[str, Any]:
    """Read every file of the register and its catalogues and parse it with ``yaml.CSafeLoader``."""
    import yaml

    start = time.perf_counter()
    count = 0
    for path in _files(root):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        count += 1
    return {"seconds": time.perf_counter() - start, "files": count,
            "bytes": sum(p.stat().st_size for p in _files(root)), "rss_mib": peak_rss_mib()}


def load_only(root: Path) -> dict[str, Any]:
    """``read_register`` alone (parse, schema validation, references)."""
    from dpia_lib.loading import read_register

    start = time.perf_counter()
    register, problems = read_register(root)
    seconds = time.perf_counter() - start
    assert register is not None and not problems, problems[:5]
    return {"seconds": seconds, "rss_mib": peak_rss_mib()}


def pipeline(root: Path) -> dict[str, Any]:
    """``validate_register`` (load + validate), the flow graph, ``screen`` and ``check`` when present."""
    from dpia_lib.flows import flow_graph
    from dpia_lib.validation import validate_register

    stages: dict[str, float | None] = {}
    start = time.perf_counter()
    result = validate_register(root)
    stages["load+validate"] = time.perf_counter() - start
    register = result.register
    assert register is not None and result.valid, result.problems[:5]
    start = time.perf_counter()
    graph = flow_graph(register)
    stages["graph"] = time.perf_counter() - start
    try:
        from dpia_lib.screening import screen  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        stages["screen"] = None
    else:
        start = time.perf_counter()
        verdicts = screen(register)
        stages["screen"] = time.perf_counter() - start
        assert len(verdicts) == len(register.activities)
    try:
        from dpia_lib.rules import check  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        stages["check"] = None
    else:
        start = time.perf_counter()
        check(register, AS_OF)
        stages["check"] = time.perf_counter() - start
    return {"stages": stages, "activities": len(register.activities), "flows": len(register.flows),
            "edges": graph.number_of_edges(), "rss_mib": peak_rss_mib()}


def run(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """Measure every size; print a table; return the figures."""
    results = []
    for size in sizes:
        start = time.perf_counter()
        root = register_of(size)
        generated = time.perf_counter() - start
        base = run_worker("benchmarks.bench_register", "--worker", "floor", str(root))
        load = run_worker("benchmarks.bench_register", "--worker", "load", str(root))
        full = run_worker("benchmarks.bench_register", "--worker", "pipeline", str(root))
        stages = full["stages"]
        total = sum(v for v in stages.values() if v is not None)
        results.append({"activities": size, "flows": full["flows"], "bytes": base["bytes"],
                        "generate_s": generated, "floor_s": base["seconds"], "load_s": load["seconds"],
                        "stages": stages, "total_s": total, "ratio": total / base["seconds"],
                        "load_ratio": load["seconds"] / base["seconds"], "rss_mib": full["rss_mib"],
                        "floor_rss_mib": base["rss_mib"]})
    def fmt(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.2f}"

    rows = []
    for r in results:
        s = r["stages"]
        rows.append([f"{r['activities']:,}", f"{r['flows']:,}", f"{r['bytes'] / 2**20:.1f}", f"{r['floor_s']:.2f}",
                     f"{r['load_s']:.2f} ({r['load_ratio']:.2f}x)", fmt(s["load+validate"]), fmt(s["graph"]),
                     fmt(s["screen"]), fmt(s["check"]), f"{r['total_s']:.2f}", f"{r['ratio']:.2f}x",
                     f"{r['rss_mib']:.0f}"])
    print("\n## Register at scale (seconds; ratio = pipeline / raw CSafeLoader parse; target <= 3x, RSS < 1024 MiB)\n")
    print(table(["activities", "flows", "MiB YAML", "floor: raw parse", "load only", "load+validate", "graph",
                 "screen", "check", "pipeline", "ratio", "peak RSS MiB"], rows))
    return {"register": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_register")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--worker", choices=("floor", "load", "pipeline"))
    parser.add_argument("root", nargs="?")
    args = parser.parse_args(argv)
    if args.worker:
        fn = {"floor": floor, "load": load_only, "pipeline": pipeline}[args.worker]
        print(json.dumps(fn(Path(args.root))))
        return 0
    run(tuple(args.sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
