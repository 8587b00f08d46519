"""Benchmark: the heuristic planner on real depot-days captured from the scale scenario.

Run it from the repository root (the package must be installed, ``python -m pip install -e .``)::

    python benchmarks/bench_plans.py                  # time the captured problems (capture them first if absent)
    python benchmarks/bench_plans.py --each           # and print every problem's time
    python benchmarks/bench_plans.py --capture        # re-capture: run the scale scenario, 7 + 21 days
    python benchmarks/bench_plans.py --problems PATH  # another pickle of RoutingProblems

The problems are every ``RoutingProblem`` the simulator hands to the ``"heuristic"``
planner in a run of ``scenarios/examples/scale/city_20k_year.toml`` (seed 1) over a short
horizon -- by default 7 warm-up + 21 days, which gives 72 depot-days of about 3,000 to
21,000 candidate stops (three depots; the post-weekend days are overloaded, so the
priority selection and insertion are exercised too). They are captured by registering a
recording planner under the name ``"heuristic"`` for the run (it plans with
``plan_heuristic`` as usual) and pickled to ``benchmarks/output/city20k_problems.pkl``
(git-ignored); capturing takes a few minutes. A pickle from another version of ``sim``
may not load: capture again.

Timing: one warm-up plan (which also compiles the numba kernels on a cold cache), then
``--repeats`` passes over all problems, each timed by wall clock and by process CPU time
(the CPU time is the steadier number on a shared machine). Reported: per pass both
times, their medians, and a hash of every plan (each route's stops, km and hours, and the
unassigned stops; SHA-256, first 16 hex digits) so that an exact speed-up can be checked
to leave the plans bit for bit unchanged; also the total planned km, routes and unassigned
stops. Nothing here asserts on timings: they depend on the machine and its load. To
compare two versions, run each right after the other (same load), e.g. from two checkouts.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.routing import RoutingProblem, Solution, plan_heuristic, register_planner
from sim.routing.planners import PLANNERS

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "output"
DEFAULT_PICKLE = OUTPUT / "city20k_problems.pkl"
SCENARIO = ROOT / "scenarios" / "examples" / "scale" / "city_20k_year.toml"


@dataclass
class RecordingPlanner:
    """The heuristic planner, keeping a copy of every problem it is given."""

    problems: list[RoutingProblem] = field(default_factory=list)

    def solve(self, problem: RoutingProblem, *, seed: int, budget: float | None) -> Solution:
        """Record ``problem`` and plan it with ``plan_heuristic``."""
        self.problems.append(problem)
        return plan_heuristic(problem)


def capture(path: Path, warmup_days: int, days: int) -> list[RoutingProblem]:
    """Run the scale scenario over ``warmup_days + days`` and pickle every heuristic problem to ``path``."""
    from sim.runner import run
    from sim.scenario import load_scenario

    scenario = load_scenario(
        SCENARIO, [f"horizon.warmup_days={warmup_days}", f"horizon.days={days}", "outputs.parcels=none"]
    )
    original = PLANNERS["heuristic"]
    recorder = RecordingPlanner()
    register_planner("heuristic", recorder, replace=True)
    try:
        started = time.perf_counter()
        run(scenario, seed=1)
        print(f"captured {len(recorder.problems)} problems in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        register_planner("heuristic", original, replace=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(recorder.problems, fh)
    tmp.replace(path)
    return recorder.problems


def plan_hash(problem_plans: list[Solution]) -> str:
    """SHA-256 (16 hex digits) of every route's stops, km and hours and the unassigned stops."""
    h = hashlib.sha256()
    for plan in problem_plans:
        for r in plan.routes:
            h.update(r.stops.tobytes())
            h.update(np.float64(r.distance_km).tobytes())
            h.update(np.float64(r.duration_h).tobytes())
        h.update(plan.unassigned.tobytes())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, capture the problems if needed, time the planner and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", type=Path, default=DEFAULT_PICKLE, help="pickle of RoutingProblems")
    parser.add_argument("--capture", action="store_true", help="capture the problems again (runs the scenario)")
    parser.add_argument("--warmup-days", type=int, default=7, help="warm-up days of the capture run")
    parser.add_argument("--days", type=int, default=21, help="measured days of the capture run")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over all problems")
    parser.add_argument("--each", action="store_true", help="print every problem's time (first pass)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    if args.capture or not args.problems.exists():
        problems = capture(args.problems, args.warmup_days, args.days)
    else:
        with args.problems.open("rb") as fh:
            problems = pickle.load(fh)
    if not problems:
        sys.exit(f"{args.problems}: no problems to plan")
    started = time.perf_counter()
    plan_heuristic(problems[0])
    print(f"warm-up plan (and any compilation): {time.perf_counter() - started:.2f} s")
    walls: list[float] = []
    cpus: list[float] = []
    plans: list[Solution] = []
    for rep in range(args.repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        for i, problem in enumerate(problems):
            t = time.perf_counter()
            plan = plan_heuristic(problem)
            if rep == 0:
                plans.append(plan)
                if args.each:
                    served = sum(len(r.stops) for r in plan.routes)
                    print(
                        f"{i:3d} {1000 * (time.perf_counter() - t):8.1f} ms  stops {served + len(plan.unassigned):6d}"
                        f"  routes {len(plan.routes):4d}  unassigned {len(plan.unassigned):6d}"
                    )
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    km = sum(r.distance_km for plan in plans for r in plan.routes)
    print(f"plans {len(problems)}  wall s {[round(x, 2) for x in walls]}  cpu s {[round(x, 2) for x in cpus]}")
    print(f"median wall {statistics.median(walls):.2f} s  median cpu {statistics.median(cpus):.2f} s")
    print(
        f"hash {plan_hash(plans)}  planned km {km:.1f}  routes {sum(len(p.routes) for p in plans)}"
        f"  unassigned {sum(len(p.unassigned) for p in plans)}"
    )


if __name__ == "__main__":
    main()
