"""The built-in planner: priority-aware sweep construction, vectorised local search, insertion.

Algorithm
---------
1. **Filter.** A stop whose one-stop route is infeasible (volume or weight over the
   vehicle's, out-and-back trip over ``max_route_hours`` or the range, or its window end
   missed even when driven to directly) is unassigned at once. (If stems were slower than
   area legs such a stop could in principle be reached mid-route; the rule is kept anyway
   because a stop that only fits when a cheaper stop carries it is not worth a van.)
2. **Urgency order.** The remaining stops are ranked by (priority, distance from the depot,
   index). Among equally urgent stops the near ones rank first because they cost less
   fleet time per stop, so more parcels get out when the fleet is short.
3. **Served set, by priority.** We start from the longest urgency prefix that passes the
   hard fleet bounds (total volume <= fleet capacity, total service time <= fleet hours,
   and likewise weight and stop count when limited), build routes for it (step 4) and try
   to insert whatever the sweep could not place into the built routes (cheapest feasible
   insertion, urgent stops first). If stops are still left over, that many of the *least
   urgent* stops are dropped from the set and the routes are rebuilt. So the routes are
   built for an urgency prefix, and a less urgent stop only gets in later (step 6) into
   room that no more urgent left-over stop could use. Each round drops at least one stop
   and a set of at most ``max_routes`` stops always fits (one stop per vehicle), so this
   terminates; from the fourth round on the drop count doubles each round to bound the work.
4. **Sweep construction** (``sim.routing.construction``): stops in polar-angle order, each
   route the longest run of next stops whose nearest-neighbour tour is feasible.
5. **Local search per route** (``sim.routing.search``). Starting from the shorter of the
   current order and a fresh NN order, 2-opt and or-opt are applied until no move gains
   more than 1e-9 km. Because the objective is distance while the duration limit uses two
   speeds, the improved order is re-checked; if it breaks the duration limit, the search is
   rerun from a feasible start (the input order is feasible by construction) with the time
   delta of every move computed the same way, and only moves that keep the travel time
   within the limit are allowed. The result is feasible and never longer than the route's
   input order.
6. **Fill.** Vehicles not used by the served set get a sweep over the left-over stops;
   then left-over stops are inserted into any route with room (``sim.routing.insertion``:
   cheapest feasible insertion, urgent first), and the routes that changed are improved again.
6b. **Windows only: re-plan for distance** (``sim.routing.tw_search``; see below).
7. **Repair.** Every route is re-checked exactly (``ProblemArrays.feasible``, the formulas
   of ``sim.routing.schedule``); if floating-point drift of an incremental estimate ever
   made a route infeasible, its least urgent stops are pushed out until it is feasible.
   Internal incremental checks keep a 1e-9 h (and 1e-9 km) margin so this should not
   trigger in practice.

The optional constraints enter every step above. Weight, range and the stop limit are
hard bounds like volume: they shrink the fleet bounds of step 3 and the run length of
step 4, and every NN tour and insertion is checked against them; local search only ever
shortens a route, so it cannot break the range. **Time windows** enter construction
(a prefix is accepted if either its NN tour or a time-oriented NN tour -- next stop = the
one whose service can start first -- meets every window), insertion (forward departure
times / backward latest arrivals per route: each position checked exactly in O(1)) and
the per-route search (a pass is kept only if the route still meets every window). The
served set is then re-planned for distance (**step 6b**, ``sim.routing.tw_search``): the
sweep's routes and two time-window-aware cheapest-insertion constructions are each
improved by a compiled local search over all routes (relocate, swap, 2-opt*, 2-opt,
or-opt; O(1) feasibility from forward/backward time slack), the shortest is kept,
left-over stops are inserted where they now fit (urgent first, idle vans included), and
a fixed number of ruin-and-recreate rounds follows -- on the 56 Solomon instances ~2.6 %
above the best-known distances on average (``benchmarks/bench_vrp_instances.py``).
Whatever the planner returns is feasible; stops it cannot place are unassigned. Problems without windows run
code paths (and arithmetic) of their own, without any window bookkeeping.

Everything is deterministic: ties are broken by position or stop index, there is no
iteration over sets, and the only randomness (step 6b's perturbation) comes from a
generator with a fixed seed.

Performance
-----------
The hot loops (nearest-neighbour tours, distance matrices, the 2-opt and or-opt passes,
the insertion scan) run compiled with numba (``sim.routing.tour_kernels``,
``search_kernels``, ``insertion_kernels``), with the arithmetic of the vectorised numpy
formulation they replace, so plans are bit-for-bit the same. Work that cannot change a
plan is skipped: without windows the sweep's NN tours need no distance matrix (each step
screens the unvisited stops by squared distance and measures road km only for near-ties),
or-opt skips blocks of edges whose bounding-box bound shows that no insertion into them
can win, a route's passes run in one compiled call, a 2-opt pass rescans only the edges
that changed since the previous pass in rows whose own and best edges did not change, and
a sweep NN tour of a shorter prefix resumes a longer prefix's tour after their shared start.
On the 72 depot-days captured
from ``scenarios/examples/scale/city_20k_year.toml`` (``benchmarks/bench_plans.py``: ~3,000
to 21,000 candidate stops, routes of ~120 stops) planning takes ~5.0 s of CPU for all 72
against ~6.6 s before these skips (median of 3, run side by side on the shared 2-core
machine under load); the 2-opt row cache and the resumed NN tours then took it from
~5.1 s to ~4.6 s (least CPU of 3 passes, side by side, two rounds). By cProfile the
2-opt/or-opt passes remain ~38 % of planning, the sweep's NN tours ~10 %.

Measured with ``time.perf_counter`` around one call (best of 5 runs after one warm-up
call, numba cache warm) on one core of the 2-core AMD EPYC development container, Python
3.11.7, numpy 2.4.6, numba 0.68, with the machine shared (other jobs running). Stops
uniform in a square with the depot at the centre, volumes U(0.01, 0.05) m3, service
U(0.02, 0.05) h, circuity 1.3, area/stem speed 25/40 km/h, 100-hour routes unless stated,
"capacity for c stops" = 0.03 c m3:

* 1,500 stops in 30 x 30 km, capacity for 125 stops, fleet 13 -> 13 routes: ~0.012 s.
* 300 stops in 15 x 15 km, capacity for 100 stops, fleet 4 -> 4 routes: ~0.0015 s.
* 1,500 stops, fleet of 6 by capacity (750 left out): ~0.015 s.
* 1,500 stops, 8 h routes and a fleet of 12 that cannot serve all (duration-bound, several
  construction rounds of the priority selection; 151 left out): ~0.03 s.
* 30 routes of ~50 stops (1,500 stops): ~0.02 s.
* With time windows (``benchmarks/bench_routing.py --slot-hours 2``: 2-hour slots, depot
  12 km from a 25 km2 disc, 11 vans; wall time on a quiet machine): 300 stops ~0.15 s,
  900 ~0.28 s, 1,500 ~0.9 s, nearly all of it step 6b (without it: 0.004 / 0.012 / 0.14 s,
  for 11-12 % more km). A Solomon instance (100 stops) takes 0.1-0.4 s of CPU.
* Worst case, not a courier route: one vehicle taking all 1,500 stops, ~0.55 s -- each
  2-opt pass is O(k^2) in the route length k (600 stops in one route: ~0.03 s).

A cold numba cache compiles the kernels on first use, once per machine: about 14 s on the
loaded development machine (7 s before the pruned or-opt and the compiled pass loop were
added; both pay for it on every later run); the row cache and resumed tours add ~2 s
(first plan on a cold cache 6.4 s -> 8.2 s, measured side by side). Numba writes its cache next to the modules, or
to its user cache directory when the package directory is read-only.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import numpy.typing as npt

from sim.routing.arrays import ProblemArrays
from sim.routing.construction import sweep_build
from sim.routing.insertion import insert_stops
from sim.routing.problem import RoutingProblem
from sim.routing.schedule import IntArray, leg_hours, no_wait_duration_h, route_distance_km, timeline_h
from sim.routing.search import improve_route
from sim.routing.solution import Route, Solution
from sim.routing.threads import map_routes
from sim.routing.tw_search import improve_windowed


def servable_alone(arrays: ProblemArrays) -> npt.NDArray[np.bool_]:
    """Per stop: whether the one-stop route depot -> stop -> depot is feasible (step 1).

    All stops at once, with the arithmetic of ``route_duration_h`` for a one-stop route,
    so "passes here" means "a one-stop route with it is feasible" exactly.
    """
    servable = arrays.vol <= arrays.cap
    if arrays.use_tw:
        travel = leg_hours(np.stack((arrays.d0, arrays.d0), axis=1), arrays.area, arrays.stem)
        arrival, back = timeline_h(travel, arrays.serv[:, None], arrays.tw_e[:, None])
        servable &= (arrival[:, 0] <= arrays.tw_l) & (back <= arrays.max_h)
    else:
        out_and_back = no_wait_duration_h(arrays.d0 + arrays.d0, 0.0, arrays.serv, arrays.stem, arrays.area)
        servable &= out_and_back <= arrays.max_h
    if arrays.use_wt:
        servable &= arrays.wt <= arrays.payload
    if arrays.use_km:
        servable &= arrays.d0 + arrays.d0 <= arrays.max_km
    return np.asarray(servable)


def urgency_order(arrays: ProblemArrays) -> IntArray:
    """All stops from most to least urgent: by (priority, distance from the depot, index) (step 2)."""
    return np.lexsort((np.arange(arrays.n, dtype=np.intp), arrays.d0, arrays.prio)).astype(np.intp)


def _by_urgency(rank: IntArray, stops: IntArray) -> IntArray:
    return stops[np.argsort(rank[stops], kind="stable")]


def _fleet_prefix_bound(arrays: ProblemArrays, cand: IntArray) -> int:
    """Length of the longest urgency prefix of ``cand`` within the hard fleet bounds."""
    m = min(
        int(np.searchsorted(np.cumsum(arrays.vol[cand]), arrays.cap * arrays.max_routes, side="right")),
        int(np.searchsorted(np.cumsum(arrays.serv[cand]), arrays.max_h * arrays.max_routes, side="right")),
    )
    if arrays.use_wt:
        m = min(m, int(np.searchsorted(np.cumsum(arrays.wt[cand]), arrays.payload * arrays.max_routes, side="right")))
    if arrays.use_stops:
        m = min(m, arrays.max_stops * arrays.max_routes)
    return m


def _select_by_priority(arrays: ProblemArrays, rank: IntArray, cand: IntArray) -> tuple[list[IntArray], IntArray]:
    """Routes for the longest servable urgency prefix of ``cand`` (step 3) and the stops left over."""
    floor = min(int(cand.shape[0]), arrays.max_routes)  # one stop per vehicle always fits
    m = max(_fleet_prefix_bound(arrays, cand), floor)
    rounds = 0
    while True:
        routes, overflow = sweep_build(arrays, cand[:m], arrays.max_routes)
        leftover, _ = insert_stops(arrays, routes, _by_urgency(rank, overflow))
        if leftover.shape[0] == 0 or m <= floor:
            break
        # Push the least urgent stops out and rebuild: the served set stays a prefix.
        drop = int(leftover.shape[0]) * (2 ** max(0, rounds - 2))
        m = max(floor, m - drop)
        rounds += 1
    return routes, _by_urgency(rank, np.concatenate((leftover, cand[m:])).astype(np.intp))


def _fill(arrays: ProblemArrays, routes: list[IntArray], pool: IntArray) -> tuple[list[IntArray], IntArray]:
    """Idle vehicles sweep the pool, every route is improved, then the pool is inserted (steps 5-6)."""
    if pool.shape[0] and len(routes) < arrays.max_routes:
        extra, pool = sweep_build(arrays, pool, arrays.max_routes - len(routes))
        routes.extend(extra)
    routes = map_routes(partial(improve_route, arrays), routes, sum(r.shape[0] for r in routes))
    if pool.shape[0]:
        pool, modified = insert_stops(arrays, routes, pool)
        changed = [routes[ri] for ri in np.flatnonzero(modified).tolist()]
        improved = iter(map_routes(partial(improve_route, arrays), changed, sum(r.shape[0] for r in changed)))
        routes = [next(improved) if flag else route for route, flag in zip(routes, modified, strict=True)]
    return routes, pool


def _improve_windowed(
    arrays: ProblemArrays, routes: list[IntArray], pool: IntArray
) -> tuple[list[IntArray], IntArray]:
    """Under windows: shorter routes for the served stops, then the pool into the room that frees (step 6b)."""
    routes, pool = improve_windowed(arrays, routes, pool)
    if pool.shape[0] and routes:
        pool, modified = insert_stops(arrays, routes, pool)
        for ri in np.flatnonzero(modified).tolist():
            routes[ri] = improve_route(arrays, routes[ri])
    return routes, pool


def _repair(arrays: ProblemArrays, rank: IntArray, stops: IntArray, dropped: list[IntArray]) -> IntArray:
    """Push the least urgent stops out of a route until it passes the exact check (step 7)."""
    while stops.shape[0] and not arrays.feasible(stops):
        worst = int(np.argmax(rank[stops]))
        dropped.append(stops[worst : worst + 1])
        stops = np.delete(stops, worst)
    return stops


def plan_heuristic(problem: RoutingProblem) -> Solution:
    """Plan the routes of one depot-day (see the module docstring for the method).

    Guarantees: every route passes ``route_is_feasible`` -- volume and weight capacity,
    range, stop count, ``max_route_hours`` (as computed by ``route_duration_h``) and every
    time window --, there are at most ``max_routes`` routes, and every stop is in exactly
    one route or in ``unassigned``. When the fleet is too small, the least urgent stops
    (largest priority) are the ones left out. Deterministic.
    """
    if problem.has_matrix:  # the coordinates would not measure what the matrices say
        raise ValueError("plan_heuristic plans on coordinates; a problem with travel matrices is planned by "
                         "sim.routing.builtin.plan_builtin (what solve() and the 'heuristic' planner call)")
    arrays = ProblemArrays(problem)
    all_idx = np.arange(arrays.n, dtype=np.intp)
    if arrays.n == 0 or arrays.max_routes <= 0 or arrays.max_stops <= 0:
        return Solution(routes=(), unassigned=all_idx, pricing=problem.pricing)
    servable = servable_alone(arrays)
    urgency = urgency_order(arrays)
    rank = np.empty(arrays.n, dtype=np.intp)
    rank[urgency] = all_idx
    cand = urgency[servable[urgency]]
    routes, pool = _select_by_priority(arrays, rank, cand)
    routes, pool = _fill(arrays, routes, pool)
    if arrays.use_tw:
        routes, pool = _improve_windowed(arrays, routes, pool)

    dropped: list[IntArray] = [pool, all_idx[~servable]]
    planned: list[Route] = []
    for r in routes:
        stops = _repair(arrays, rank, r, dropped)
        if stops.shape[0] == 0:
            continue
        planned.append(
            Route(
                stops=stops.astype(np.intp),
                distance_km=route_distance_km(problem, stops),
                duration_h=arrays.duration(stops),
                load_m3=arrays.load(stops),
            )
        )
    unassigned = np.sort(np.concatenate(dropped)).astype(np.intp)
    return Solution(routes=tuple(planned), unassigned=unassigned, pricing=problem.pricing)
