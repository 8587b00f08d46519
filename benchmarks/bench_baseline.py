"""Benchmark: how fast and how large is a run of the baseline scenario as demand grows?

Run it from the repository root (the package must be installed, ``python -m pip install -e .``)::

    python benchmarks/bench_baseline.py                    # sizes x0.5, x1, x2, full horizon
    python benchmarks/bench_baseline.py --sizes 1 4        # other demand factors
    python benchmarks/bench_baseline.py --quick            # 1 + 2 days: a smoke test of the script
    python benchmarks/bench_baseline.py --profile          # also cProfile one run at size x1

A size is a factor applied to every regional warehouse's demand
(``area.orders_per_household_per_day``) together with its capacity to serve it
(``fleet.vehicles``, rounded up, and ``picking_capacity_orders_per_day``) and to the
factories' ``capacity_units_per_day``, so that the scaled chain is the same network
with more of everything and not a congested one (the factories are sized at about
1.7x baseline demand, so without scaling them a x2 run turns into a backlog).

Each size is run ``--repeats`` times (default 3) with the same seed for time (without
tracemalloc, which slows a run several-fold), the median counting, and once more with
``measure_memory=True`` for the peak of traced Python/numpy memory. Wall time is
``RunResult.wall_seconds``: building the model, the event loop, and turning the records
into tables and the summary; the CPU column is the process's CPU time for that run
(the planning threads' included, so it can exceed the wall time). Kernel events are the
SimPy events the environment processed. ``--threads N`` sets the planning threads
(``sim.routing.set_planning_threads``); the JSON records the count used.

The table is printed as Markdown and written, with the machine and versions, to
``benchmarks/output/bench_baseline.{json,md}`` (``bench_baseline_quick.*`` with
``--quick``); that folder is git-ignored. Nothing here asserts on timings: they
depend on the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sim import RunResult, Scenario, load_scenario, run
from sim.routing import planning_threads, set_planning_threads

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
OUTPUT = ROOT / "benchmarks" / "output"
DEFAULT_SIZES = (0.5, 1.0, 2.0)
# --quick: long enough for a delivery day and a replenishment, short enough for seconds.
QUICK_HORIZON = ("horizon.warmup_days=1", "horizon.days=2")
MIB = 1024 * 1024


@dataclass
class Row:
    """One line of the benchmark table (and of the JSON file)."""

    size: float
    parcels: int
    wall_s: float  # median of the timed runs
    wall_s_all: list[float]
    cpu_s: float  # process CPU time of the median run (planning threads add theirs)
    parcels_per_s: float
    events: int
    events_per_parcel: float
    events_per_s: float
    peak_mib: float
    memory_run_wall_s: float
    # Sanity checks that the scaled chain kept up with its demand (not timings).
    fill_rate: float
    carried_over_share: float


def scale_overrides(base: Scenario, factor: float) -> list[str]:
    """``--set`` overrides that multiply demand and the capacity serving it by ``factor``."""
    overrides = []
    for regional in base.regional_warehouses:
        prefix = f"regional_warehouses.{regional.name}"
        overrides += [
            f"{prefix}.area.orders_per_household_per_day={regional.area.orders_per_household_per_day * factor!r}",
            f"{prefix}.picking_capacity_orders_per_day={regional.picking_capacity_orders_per_day * factor!r}",
            *fleet_overrides(f"{prefix}.fleet", regional.fleet, factor),
        ]
    for factory in base.factories:
        overrides.append(f"factories.{factory.name}.capacity_units_per_day={factory.capacity_units_per_day * factor!r}")
    return overrides


def fleet_overrides(prefix: str, fleet: Any, factor: float) -> list[str]:
    """Scale a fleet's vehicle counts, rounding up: vehicles are whole, and a scaled fleet
    should never have less capacity per order than the original.

    Two fleet shapes are accepted because the schema is moving from one ``vehicles`` count
    to a list of ``units`` (vehicle type and count); the benchmark must run on both.
    """
    if hasattr(fleet, "units"):
        return [
            f"{prefix}.units.{i}.count={math.ceil(unit.count * factor)}"
            for i, unit in enumerate(fleet.units)
            if unit.count > 0
        ]
    return [f"{prefix}.vehicles={max(1, math.ceil(fleet.vehicles * factor))}"]


def sized_scenario(path: Path, factor: float, quick: bool) -> Scenario:
    """The scenario at ``path`` scaled by ``factor`` (with the tiny horizon if ``quick``)."""
    horizon = list(QUICK_HORIZON) if quick else []
    return load_scenario(path, [*horizon, *scale_overrides(load_scenario(path), factor)])


def measure(scenario: Scenario, factor: float, seed: int, repeats: int) -> Row:
    """Time ``repeats`` runs (the median counts), then one more under tracemalloc for the memory peak."""
    timings = []
    for _ in range(repeats):
        cpu = time.process_time()
        timed = run(scenario, seed=seed)
        timings.append((timed.wall_seconds, time.process_time() - cpu))
    wall_s, cpu_s = sorted(timings)[len(timings) // 2]
    traced = run(scenario, seed=seed, measure_memory=True)
    # Same scenario and seed: the two runs must be the same simulation, or the
    # memory column would describe a different run from the timing columns.
    if (len(traced.parcels), traced.events) != (len(timed.parcels), timed.events):
        raise RuntimeError(f"size x{factor}: the timed and the traced run differ; is the model deterministic?")
    assert traced.peak_memory_bytes is not None  # guaranteed by measure_memory=True
    return Row(
        size=factor,
        parcels=len(timed.parcels),
        wall_s=wall_s,
        wall_s_all=[w for w, _ in timings],
        cpu_s=cpu_s,
        parcels_per_s=len(timed.parcels) / wall_s,
        events=timed.events,
        events_per_parcel=timed.events / len(timed.parcels),
        events_per_s=timed.events / wall_s,
        peak_mib=traced.peak_memory_bytes / MIB,
        memory_run_wall_s=traced.wall_seconds,
        fill_rate=timed.summary["stock"]["fill_rate"],
        carried_over_share=timed.summary["capacity"]["carried_over_share"],
    )


def markdown_table(rows: list[Row]) -> str:
    """The README's table: one line per size."""
    lines = [
        "| demand | parcels | wall s (median) | CPU s | parcels/s | kernel events | events/parcel "
        "| peak memory MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| x{r.size:g} | {r.parcels:,} | {r.wall_s:.2f} | {r.cpu_s:.2f} | {r.parcels_per_s:,.0f} "
            f"| {r.events:,} | {r.events_per_parcel:.2f} | {r.peak_mib:,.0f} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """Where the numbers were measured: CPU, cores, Python and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass  # not Linux: platform's answer will do
    versions = {}
    for package in ("sim-supply-chain", "simpy", "numpy", "pandas"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "cores_used": 1,  # a run is one single-threaded SimPy process
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "git": git_state(),
    }


def git_state() -> dict[str, Any] | None:
    """Commit and whether the working tree had local changes (read-only git calls)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    # Porcelain lines are "XY path": the benchmark measured these local edits too.
    return {"commit": commit.stdout.strip(), "modified_files": [line[3:] for line in status.stdout.splitlines()]}


def profile(scenario: Scenario, seed: int, path: Path, top: int = 25) -> str:
    """cProfile one run; save the raw stats to ``path`` and return the top functions as text."""
    profiler = cProfile.Profile()
    result: RunResult = profiler.runcall(run, scenario, seed=seed)
    profiler.dump_stats(path)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    text.write(f"{result.events:,} events, {len(result.parcels):,} parcels\n")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return text.getvalue()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=float, nargs="+", default=list(DEFAULT_SIZES), metavar="FACTOR",
                        help="demand factors to run (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help=f"tiny horizon ({', '.join(QUICK_HORIZON)})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per size, the median counts (default: 3)")
    parser.add_argument("--threads", type=int, default=None,
                        help="planning threads (default: sim's, the usable cores up to 4)")
    parser.add_argument("--scenario", type=Path, default=BASELINE, help="scenario file (default: the baseline)")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="output folder (default: benchmarks/output)")
    parser.add_argument("--profile", type=float, nargs="?", const=1.0, default=None, metavar="FACTOR",
                        help="also cProfile one run at this size (default when given without a value: 1)")
    args = parser.parse_args(argv)
    if any(s <= 0 for s in args.sizes):
        parser.error("--sizes: every factor must be greater than 0")
    if args.repeats < 1 or (args.threads is not None and args.threads < 1):
        parser.error("--repeats and --threads must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every size, print the table and write it to the output folder; optionally profile one run."""
    args = parse_args(argv)
    # Before the runs: the code measured is the code imported now, whatever changes later.
    where = machine()
    if args.threads is not None:
        set_planning_threads(args.threads)
    where["planning_threads"] = planning_threads()
    scenarios = {s: sized_scenario(args.scenario, s, args.quick) for s in args.sizes}
    # One untimed day first, so imports and first-call costs are not charged to the first size.
    run(load_scenario(args.scenario, ["horizon.warmup_days=0", "horizon.days=1"]), seed=args.seed)

    rows = []
    started = time.perf_counter()
    for size, scenario in scenarios.items():
        print(f"size x{size:g}: {scenario.horizon.warmup_days} + {scenario.horizon.days} days ...", flush=True)
        rows.append(measure(scenario, size, args.seed, args.repeats))
    table = markdown_table(rows)
    print()
    print(table)
    # A congested size would time a backlog, not a bigger chain: say so rather than hide it.
    congested = [r.size for r in rows if r.fill_rate < 0.99 or r.carried_over_share > 0.2]
    if congested:
        print(f"\nwarning: sizes {congested} did not keep up with demand (fill rate or van capacity); see the JSON")

    args.out.mkdir(parents=True, exist_ok=True)
    stem = "bench_baseline_quick" if args.quick else "bench_baseline"
    report = {
        "scenario": str(args.scenario),
        "seed": args.seed,
        "repeats": args.repeats,
        "quick": args.quick,
        "horizon_days": {"warmup": scenarios[args.sizes[0]].horizon.warmup_days,
                         "window": scenarios[args.sizes[0]].horizon.days},
        "machine": where,
        "benchmark_seconds": time.perf_counter() - started,
        "rows": [asdict(r) for r in rows],
    }
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(table + "\n")
    print(f"\nwritten: {args.out / stem}.json, {args.out / stem}.md")

    if args.profile is not None:
        size = args.profile
        scenario = scenarios.get(size) or sized_scenario(args.scenario, size, args.quick)
        text = profile(scenario, args.seed, args.out / f"{stem}_x{size:g}.prof")
        (args.out / f"{stem}_x{size:g}_profile.txt").write_text(text)
        print(f"\nprofile of size x{size:g}:\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
