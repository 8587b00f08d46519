"""What a worker process loads before its first run, so that no run of a sweep pays for it.

Importing this module is the warm-up. A fork server's preload list names
modules, not functions, so the work is done at import: once in the fork server,
and every worker forked from it starts with the simulator imported and the route
planner's kernels compiled (or loaded from numba's cache). Where there is no fork
server, the pool's initializer imports it in each worker.
"""

from __future__ import annotations

import contextlib
import gc
import math

import numpy as np

import sim.runner
from sim.routing import RoutingProblem, plan_heuristic, set_planning_threads

# A worker shares the cores with the other workers: it plans on its own thread. Set before
# the warm-up plans, so that the fork server starts no thread pool (threads do not survive a fork).
set_planning_threads(1)

# Big enough to take every step of the planner (construction, the searches,
# insertion of what does not fit), small enough to cost milliseconds.
_STOPS = 30


def plan_small_depot_days() -> None:
    """Plan two small depot-days, without and with time windows, as the model builds them.

    The arrays have the model's dtypes (float64 coordinates and loads, int64
    priorities), so the kernels compiled here are the ones the runs call. Every
    third stop may only be served late and the others only early: windows that a
    nearest-neighbour tour misses, so that the time-oriented construction runs too.
    """
    rng = np.random.default_rng(0)
    xy = rng.uniform(-3.0, 3.0, (_STOPS, 2))
    late = np.arange(_STOPS) % 3 == 0
    for windows in (None, (np.where(late, 1.5, 0.0), np.where(late, 2.5, 1.0))):
        plan_heuristic(RoutingProblem(
            depot_xy=np.array([0.0, -8.0]), stop_xy=xy, stop_volume_m3=np.full(_STOPS, 0.02),
            stop_service_h=np.full(_STOPS, 0.05), stop_priority=np.arange(_STOPS), vehicle_capacity_m3=0.2,
            max_route_hours=3.0, max_routes=3, circuity=1.3, area_speed_kmh=25.0, stem_speed_kmh=45.0,
            stop_weight_kg=np.full(_STOPS, 1.5), vehicle_payload_kg=1200.0, max_route_km=math.inf,
            stop_tw_start_h=None if windows is None else windows[0],
            stop_tw_end_h=None if windows is None else windows[1],
        ))


def run_two_days() -> None:
    """Run the shipped baseline for two days, so that what a run loads on first use is loaded here.

    The model's own kernels (the courier's round, leg noise, stock, the lifecycle sums) and
    every lazily imported module then come with the fork, instead of costing each new
    worker's first run about a quarter of a second.
    """
    from sim.scenario import load_scenario
    from sim.scenario.shipped import shipped_root

    scenario = load_scenario(shipped_root() / "scenarios" / "baseline.toml",
                             ["horizon.warmup_days=1", "horizon.days=1"])
    sim.runner.run(scenario, seed=0)


# Warming is only a head start: a planner or a run that fails here fails in the run
# that needs it, where the sweep records the error against that run. Raising here
# would instead kill the fork server, and with it the whole pool.
with contextlib.suppress(Exception):
    plan_small_depot_days()
with contextlib.suppress(Exception):
    run_two_days()

# What is loaded by now lives as long as the worker. Frozen out of the collector's
# generations, it is never traversed again: a forked worker would otherwise touch, and
# so copy, every page of the server's heap at its first full collection.
gc.collect()  # the warm-up run's garbage first: frozen, it would never be freed
gc.freeze()
