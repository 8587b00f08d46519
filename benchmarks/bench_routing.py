"""Benchmark: the heuristic route planner against PyVRP on simulator-shaped depot-days.

Run it from the repository root (the package must be installed, ``python -m pip install -e .``)::

    python benchmarks/bench_routing.py                       # 300, 900, 1,500 stops; PyVRP at 0.5 s and 2 s
    python benchmarks/bench_routing.py --sizes 600 --budgets 1
    python benchmarks/bench_routing.py --slot-hours 2        # every stop gets a 2-hour delivery slot
    python benchmarks/bench_routing.py --quick               # 150 stops, 0.1 s: a smoke test of the script

A depot-day is shaped like the baseline scenario's urban area: stops uniform in a disc of
25 km2 whose centre is 12 km from the depot, circuity 1.4, 25 km/h between stops and
45 km/h on the stems, 11 large vans (12 m3, 1,200 kg) with 8.5 working hours, parcels of
0.01-0.04 m3 and 0.5-8 kg, and an expected 3.1 minutes at the door (the mean of the
scenario's log-logistic service time, median 2.6 min, shape 3), x1.2 or x2 for bulky
products. Stops are ranked by urgency in index order, as the simulator ranks them by age.

For every size the heuristic (``solve(problem)``) and PyVRP (``solve(problem, seed=...,
budget=..., planner="pyvrp")``) at each budget plan the same stops. Reported: total planned
km, routes, stops served and the wall time of the whole planning call (for PyVRP that
includes the heuristic it starts from and compares against, building the data and PyVRP's
neighbourhood computation). PyVRP's
budget is turned into a fixed iteration count (see ``sim.routing.pyvrp_adapter``), so the
plans are reproducible and the wall time tracks the budget only roughly. Every plan is
checked with ``route_is_feasible`` before it is reported.

The table is printed as Markdown and written, with the machine and versions, to
``benchmarks/output/bench_routing.{json,md}`` (``bench_routing_quick.*`` with ``--quick``);
that folder is git-ignored. Nothing here asserts on timings: they depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from sim.routing import RoutingProblem, Solution, route_is_feasible, solve

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "output"
DEFAULT_SIZES = (300, 900, 1500)
DEFAULT_BUDGETS = (0.5, 2.0)
SEED = 2024


@dataclass
class Row:
    """One line of the table (and of the JSON file)."""

    stops: int
    planner: str
    planned_km: float
    km_vs_heuristic_pct: float
    routes: int
    served: int
    wall_s: float


def depot_day(n: int, seed: int, slot_hours: float | None = None, vans: int = 11) -> RoutingProblem:
    """A synthetic depot-day shaped like the baseline scenario's urban area (see the module docstring)."""
    rng = np.random.default_rng(seed)
    radius = math.sqrt(25.0 / math.pi)
    # Uniform in the disc: the radius of a uniform point grows with the square root.
    r = radius * np.sqrt(rng.uniform(0.0, 1.0, n))
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    xy = np.column_stack((r * np.cos(angle), r * np.sin(angle)))
    bulky = rng.choice([1.0, 1.2, 2.0], size=n, p=[0.8, 0.15, 0.05])
    working_h = 8.5
    tw_start: np.ndarray | None = None
    tw_end: np.ndarray | None = None
    if slot_hours is not None:
        tw_start = rng.choice(np.arange(0.0, working_h - slot_hours + 1e-9, slot_hours), size=n)
        tw_end = tw_start + slot_hours
    return RoutingProblem(
        depot_xy=np.array([12.0, 0.0]),
        stop_xy=xy,
        stop_volume_m3=rng.uniform(0.01, 0.04, n),
        stop_service_h=3.1 / 60.0 * bulky,
        stop_priority=np.arange(n),
        vehicle_capacity_m3=12.0,
        max_route_hours=working_h,
        max_routes=vans,
        circuity=1.4,
        area_speed_kmh=25.0,
        stem_speed_kmh=45.0,
        stop_weight_kg=rng.uniform(0.5, 8.0, n),
        vehicle_payload_kg=1200.0,
        stop_tw_start_h=tw_start,
        stop_tw_end_h=tw_end,
    )


def _timed(problem: RoutingProblem, budget: float | None) -> tuple[Solution, float]:
    start = time.perf_counter()
    plan = solve(problem) if budget is None else solve(problem, seed=SEED, budget=budget, planner="pyvrp")
    wall = time.perf_counter() - start
    if not all(route_is_feasible(problem, r.stops) for r in plan.routes):
        raise AssertionError("a planner returned an infeasible route")
    return plan, wall


def bench(sizes: list[int], budgets: list[float], slot_hours: float | None) -> list[Row]:
    """Plan every size with the heuristic and with PyVRP at every budget."""
    rows: list[Row] = []
    for n in sizes:
        problem = depot_day(n, SEED + n, slot_hours)
        solve(problem)  # warm-up: imports and numpy's first calls
        base_km = 0.0
        for budget in (None, *budgets):
            plan, wall = _timed(problem, budget)
            km = plan.distance_km
            if budget is None:
                base_km = km
            rows.append(
                Row(
                    stops=n,
                    planner="heuristic" if budget is None else f"pyvrp {budget:g} s",
                    planned_km=round(km, 1),
                    km_vs_heuristic_pct=round(100.0 * (km / base_km - 1.0), 1) if base_km else 0.0,
                    routes=plan.num_routes,
                    served=plan.num_served,
                    wall_s=round(wall, 3),
                )
            )
            print(f"  {n} stops, {rows[-1].planner}: {rows[-1].planned_km} km, {wall:.2f} s", file=sys.stderr)
    return rows


def markdown(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| stops | planner | planned km | km vs heuristic | routes | stops served | wall time (s) |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        delta = "" if r.planner == "heuristic" else f"{r.km_vs_heuristic_pct:+.1f} %"
        cells = [f"{r.stops:,}", r.planner, f"{r.planned_km:,.1f}", delta, str(r.routes), f"{r.served:,}"]
        lines.append("| " + " | ".join([*cells, f"{r.wall_s:.2f}"]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--budgets", type=float, nargs="+", default=list(DEFAULT_BUDGETS))
    parser.add_argument("--slot-hours", type=float, default=None, help="give every stop a delivery slot this long")
    parser.add_argument("--quick", action="store_true", help="150 stops at 0.1 s: checks that the script runs")
    args = parser.parse_args(argv)
    sizes, budgets = (([150], [0.1]) if args.quick else (args.sizes, args.budgets))
    rows = bench(sizes, budgets, args.slot_hours)
    table = markdown(rows)
    print(table)
    meta = {
        "machine": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "pyvrp": version("pyvrp"),
        "slot_hours": args.slot_hours,
        "seed": SEED,
    }
    OUTPUT.mkdir(parents=True, exist_ok=True)
    stem = "bench_routing_quick" if args.quick else "bench_routing"
    (OUTPUT / f"{stem}.json").write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2))
    (OUTPUT / f"{stem}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
