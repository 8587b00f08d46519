"""Benchmark: both planners on standard instances -- Solomon VRPTW and CVRPLIB X -- read with vrplib.

Run it from the repository root (needs ``vrplib``, in the ``test`` extra)::

    python benchmarks/bench_vrp_instances.py                 # the heuristic on every shipped instance
    python benchmarks/bench_vrp_instances.py --pyvrp 5       # and the PyVRP planner, 5 s budget each
    python benchmarks/bench_vrp_instances.py --only C1 RC2   # instances whose names start so

The instances and best-known solutions (BKS) are in ``benchmarks/data`` (see its
README for where they come from). Each instance becomes a ``RoutingProblem`` with speed 1
and circuity 1, so km = hours = the instance's euclidean units: stops with their demand
(volume), service time and window (arrive by the due date, wait for the ready time), the
depot's due date as ``max_route_hours``, the instance's fleet (Solomon: 25 vehicles; X:
one per customer, i.e. unlimited) as ``max_routes``. The objective is total distance,
as in the BKS files (which minimise distance alone, not vehicles first).

Planners plan with exact euclidean distances; their routes are then priced the way the
BKS are: Solomon with every distance truncated to one decimal (the DIMACS convention), X
with every distance rounded to the nearest integer. A route feasible with exact distances
stays feasible with truncated ones (they are never longer). Every plan is checked with
``route_is_feasible`` and must serve every customer; the table prints the gap to the BKS
and the CPU time of one call (process time, steadier than wall time on a shared machine;
after a warm-up call that compiles the numba kernels).
Targets checked at the end: heuristic within 10 % of the BKS on average over the Solomon
instances and within 15 % on each, PyVRP (when run) within 2 % on average. Nothing here
is a test: the numbers depend on the machine only through the times.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from sim.routing import RoutingProblem, Solution, route_is_feasible, solve

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Instance:
    """A benchmark instance as a routing problem, with its BKS and pricing convention."""

    name: str
    family: str  # "solomon" or "x"
    problem: RoutingProblem
    bks: float
    bks_routes: int


def _problem(data: dict, max_routes: int, windows: bool) -> RoutingProblem:
    xy = np.asarray(data["node_coord"], dtype=np.float64)
    n = xy.shape[0] - 1
    demand = np.asarray(data["demand"], dtype=np.float64)[1:]
    service = np.broadcast_to(np.asarray(data.get("service_time", 0.0), dtype=np.float64), (n + 1,))[1:]
    tw = np.asarray(data["time_window"], dtype=np.float64) if windows else None
    return RoutingProblem(
        depot_xy=xy[0],
        stop_xy=xy[1:],
        stop_volume_m3=demand,
        stop_service_h=np.array(service),
        stop_priority=np.zeros(n, dtype=np.int64),
        vehicle_capacity_m3=float(data["capacity"]),
        max_route_hours=float(tw[0, 1]) if tw is not None else float("inf"),
        max_routes=max_routes,
        circuity=1.0,
        area_speed_kmh=1.0,
        stem_speed_kmh=1.0,
        stop_tw_start_h=None if tw is None else tw[1:, 0],
        stop_tw_end_h=None if tw is None else tw[1:, 1],
    )


def load(path: Path) -> Instance:
    """Read one shipped instance and its ``.sol`` (BKS) with vrplib."""
    data = vrplib.read_instance(str(path))
    sol = vrplib.read_solution(str(path.with_suffix(".sol")))
    solomon = "time_window" in data
    n = int(data["dimension"]) - 1
    problem = _problem(data, int(data["vehicles"]) if solomon else n, solomon)
    return Instance(path.stem, "solomon" if solomon else "x", problem, float(sol["cost"]), len(sol["routes"]))


def priced(instance: Instance, plan: Solution) -> float:
    """The plan's distance under the BKS convention (DIMACS truncation or integer rounding)."""
    p = instance.problem
    total = 0.0
    for route in plan.routes:
        pts = np.concatenate((p.depot_xy[None, :], p.stop_xy[route.stops], p.depot_xy[None, :]))
        legs = np.hypot(*np.diff(pts, axis=0).T)
        solomon = instance.family == "solomon"
        total += float(np.floor(legs * 10.0).sum() / 10.0) if solomon else float(np.rint(legs).sum())
    return total


def run(instance: Instance, planner: str, budget: float | None) -> tuple[float, int, float]:
    """Plan once; return (priced distance, routes, CPU seconds). Fails loudly on a bad plan."""
    start = time.process_time()
    plan = solve(instance.problem, seed=1, budget=budget, planner=planner)
    cpu = time.process_time() - start
    assert plan.unassigned.shape[0] == 0, f"{instance.name}: {planner} left {plan.unassigned.shape[0]} stops out"
    for route in plan.routes:
        assert route_is_feasible(instance.problem, route.stops), f"{instance.name}: {planner} route infeasible"
    return priced(instance, plan), plan.num_routes, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyvrp", type=float, default=None, metavar="SECONDS", help="also run PyVRP with this budget")
    parser.add_argument("--only", nargs="*", default=None, help="instance name prefixes")
    args = parser.parse_args(argv)
    paths = sorted((DATA / "solomon").glob("*.vrp")) + sorted((DATA / "cvrplib").glob("*.vrp"))
    if args.only:
        paths = [p for p in paths if any(p.stem.startswith(o) for o in args.only)]
    instances = [load(p) for p in paths]
    if not instances:
        print("no instance matches")
        return 2
    solve(instances[0].problem)  # warm-up: compiles (or loads) the numba kernels
    planners = [("heuristic", None)] + ([("pyvrp", args.pyvrp)] if args.pyvrp else [])
    head = f"{'instance':<12}{'n':>5}{'BKS':>10}{'(r)':>5}"
    for name, _ in planners:
        head += f" | {name + ' km':>14}{'r':>4}{'gap %':>8}{'cpu s':>7}"
    print(head)
    print("-" * len(head))
    gaps: dict[str, dict[str, list[float]]] = {name: {} for name, _ in planners}
    for inst in instances:
        line = f"{inst.name:<12}{inst.problem.num_stops:>5}{inst.bks:>10.1f}{inst.bks_routes:>5}"
        for name, budget in planners:
            km, routes, wall = run(inst, name, budget)
            gap = 100.0 * (km - inst.bks) / inst.bks
            group = inst.name.rstrip("0123456789") if inst.family == "solomon" else "X"
            gaps[name].setdefault(group, []).append(gap)
            line += f" | {km:>14.1f}{routes:>4}{gap:>8.2f}{wall:>7.2f}"
        print(line, flush=True)
    print()
    for name, _ in planners:
        groups = gaps[name]
        summary = "  ".join(f"{g} {statistics.mean(v):.2f}" for g, v in groups.items())
        print(f"{name}: mean gap % by class: {summary}")
        solomon = [g for k, v in groups.items() if k != "X" for g in v]
        if solomon:
            mean, worst = statistics.mean(solomon), max(solomon)
            print(f"{name}: Solomon ({len(solomon)} instances) mean gap {mean:.2f} %, worst {worst:.2f} %")
            if name == "heuristic":
                print(f"  target mean <= 10 %: {'met' if mean <= 10 else 'MISSED'}; "
                      f"every one <= 15 %: {'met' if worst <= 15 else 'MISSED'}")
            else:
                print(f"  target mean <= 2 %: {'met' if mean <= 2 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
