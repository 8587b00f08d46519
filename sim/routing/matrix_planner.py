"""The built-in planner on travel matrices: real roads, one-way streets, a user's distance/time table.

When a ``RoutingProblem`` carries ``travel_km`` / ``travel_h``, the built-in planner
(``sim.routing.builtin.plan_builtin``, behind ``solve`` and the "heuristic" planner) plans it
here. The coordinates still place the stops, so construction reuses the coordinate planner;
everything that decides or reports a route reads the matrices:

1. **Construction on a coordinate twin.** The same problem without matrices, its
   circuity and speeds fitted to the matrices (circuity = matrix km / straight km over all
   pairs; speeds = km / hours over the depot legs and the other legs), is planned by the
   coordinate heuristic (sweep, local search, insertion). This gives a good grouping of
   stops into routes at the cost of one ordinary plan.
2. **Exact check on the matrices.** Each route is checked with the matrices (duration,
   windows, range, capacities); if the twin's approximation made it infeasible, its least
   urgent stops are pushed out until it passes.
3. **Local search on the matrices** (``sim.routing.matrix_kernels``): 2-opt with
   direction-aware gains and or-opt (segments of 1-3 stops), only moves that keep the
   route feasible.
4. **Insertion** of every stop left out (urgent first): the cheapest feasible position in
   the matrix km over every route, or a new route while vehicles are idle; routes that
   took stops are improved again.
5. **Repair and report** with the reference formulas (``sim.routing.schedule``, which read
   the matrices): the reported km is the sum of the matrix entries along each route in
   order, the duration the matrix hours plus service and waits.

Deterministic: no randomness, ties broken by position and index. When the matrices equal
circuity x straight line and the two speeds, step 1 plans what the coordinate planner
plans and steps 3-4 only shorten it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from sim.routing.heuristic import plan_heuristic
from sim.routing.matrix_kernels import improve_matrix_route, insertion_gains, timing_ok
from sim.routing.problem import RoutingProblem
from sim.routing.schedule import IntArray, route_distance_km, route_duration_h, route_is_feasible
from sim.routing.solution import Route, Solution


class _Matrices:
    """The problem's matrices and per-stop arrays in the forms the kernels take."""

    def __init__(self, problem: RoutingProblem) -> None:
        n = problem.num_stops
        self.km = np.ascontiguousarray(problem.travel_km, dtype=np.float64)
        self.hours = np.ascontiguousarray(problem.travel_h, dtype=np.float64)
        if self.km.shape != (n + 1, n + 1) or self.hours.shape != (n + 1, n + 1):
            raise ValueError(f"travel_km and travel_h must have shape ({n + 1}, {n + 1}) (depot + stops), "
                             f"got {self.km.shape} and {self.hours.shape}")
        if not (np.isfinite(self.km).all() and np.isfinite(self.hours).all()) or (self.km < 0).any() or (
                self.hours < 0).any():
            raise ValueError("travel_km and travel_h must be finite and non-negative")
        self.service = np.asarray(problem.stop_service_h, dtype=np.float64).reshape(-1)
        early, late = problem.stop_tw_start_h, problem.stop_tw_end_h
        self.early = np.zeros(n) if early is None else np.asarray(early, dtype=np.float64).reshape(-1)
        self.late = np.full(n, math.inf) if late is None else np.asarray(late, dtype=np.float64).reshape(-1)
        self.vol = np.asarray(problem.stop_volume_m3, dtype=np.float64).reshape(-1)
        self.wt = (np.zeros(n) if problem.stop_weight_kg is None
                   else np.asarray(problem.stop_weight_kg, dtype=np.float64).reshape(-1))
        self.max_h = float(problem.max_route_hours)
        self.max_km = float(problem.max_route_km)
        self.cap = float(problem.vehicle_capacity_m3)
        self.payload = float(problem.vehicle_payload_kg)
        self.max_stops = n if problem.max_stops_per_route is None else int(problem.max_stops_per_route)

    def timing_ok(self, route: IntArray) -> bool:
        """Duration, windows and range of one route, on the matrices (with the kernels' margin)."""
        return bool(timing_ok(route.astype(np.int64), self.km, self.hours, self.service, self.early, self.late,
                              self.max_h, self.max_km))

    def loads_ok(self, route: IntArray) -> bool:
        """Volume, weight and stop count of one route."""
        return (route.shape[0] <= self.max_stops and float(self.vol[route].sum()) <= self.cap
                and float(self.wt[route].sum()) <= self.payload)

    def improve(self, route: IntArray) -> IntArray:
        """The route after the matrix local search (never longer, still feasible if it was)."""
        out = improve_matrix_route(route.astype(np.int64), self.km, self.hours, self.service, self.early,
                                   self.late, self.max_h, self.max_km)
        return np.asarray(out, dtype=np.intp)


def coordinate_twin(problem: RoutingProblem) -> RoutingProblem:
    """The problem without matrices, its circuity and speeds fitted to them (construction's input)."""
    km = np.asarray(problem.travel_km, dtype=np.float64)
    hours = np.asarray(problem.travel_h, dtype=np.float64)
    pts = np.concatenate((np.asarray(problem.depot_xy, dtype=np.float64).reshape(1, 2),
                          np.asarray(problem.stop_xy, dtype=np.float64).reshape(-1, 2)))
    straight = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    circuity = float(km.sum() / straight.sum()) if straight.sum() > 0 else float(problem.circuity)
    stem = _speed(np.concatenate((km[0, 1:], km[1:, 0])), np.concatenate((hours[0, 1:], hours[1:, 0])),
                  problem.stem_speed_kmh)
    area = _speed(km[1:, 1:].ravel(), hours[1:, 1:].ravel(), problem.area_speed_kmh)
    return replace(problem, travel_km=None, travel_h=None, circuity=max(circuity, 0.0), stem_speed_kmh=stem,
                   area_speed_kmh=area)


def _speed(km: np.ndarray, hours: np.ndarray, fallback: float) -> float:
    total_h = float(hours.sum())
    speed = float(km.sum()) / total_h if total_h > 0 else 0.0
    return speed if speed > 0 and math.isfinite(speed) else float(fallback)


def _push_out(mats: _Matrices, route: IntArray, priority: np.ndarray, out: list[int]) -> IntArray:
    """Drop the least urgent stops (highest priority value, then latest in the route) until the route passes."""
    while route.shape[0] and not (mats.loads_ok(route) and mats.timing_ok(route)):
        worst = int(np.lexsort((np.arange(route.shape[0]), priority[route]))[-1])
        out.append(int(route[worst]))
        route = np.delete(route, worst)
    return route


def _insert(mats: _Matrices, routes: list[IntArray], stop: int, max_routes: int) -> int:
    """Put ``stop`` at its cheapest feasible place (or on a new route); the route's index, or -1."""
    options: list[tuple[float, int, int]] = []
    for ri, route in enumerate(routes):
        gains = insertion_gains(route.astype(np.int64), stop, mats.km)
        options.extend((float(g), ri, p) for p, g in enumerate(gains.tolist()))
    if len(routes) < max_routes:
        options.append((float(mats.km[0, stop + 1] + mats.km[stop + 1, 0]), len(routes), 0))
    options.sort()
    for _, ri, p in options:
        base = routes[ri] if ri < len(routes) else np.zeros(0, dtype=np.intp)
        candidate = np.insert(base, p, stop).astype(np.intp)
        if mats.loads_ok(candidate) and mats.timing_ok(candidate):
            if ri < len(routes):
                routes[ri] = candidate
            else:
                routes.append(candidate)
            return ri
    return -1


def plan_matrix(problem: RoutingProblem) -> Solution:
    """Plan the routes of a problem with travel matrices (see the module docstring for the method)."""
    mats = _Matrices(problem)
    n = problem.num_stops
    priority = np.asarray(problem.stop_priority).reshape(-1)
    if n == 0 or problem.max_routes <= 0:
        return Solution(routes=(), unassigned=np.arange(n, dtype=np.intp), pricing=problem.pricing)
    twin = plan_heuristic(coordinate_twin(problem))
    left: list[int] = [int(s) for s in twin.unassigned.tolist()]
    routes = [mats.improve(_push_out(mats, r.stops.astype(np.intp), priority, left)) for r in twin.routes]
    routes = [r for r in routes if r.shape[0]]
    changed = set()
    for stop in sorted(left, key=lambda s: (int(priority[s]), s)):
        ri = _insert(mats, routes, stop, problem.max_routes)
        if ri >= 0:
            changed.add(ri)
    routes = [mats.improve(r) if i in changed else r for i, r in enumerate(routes)]
    served: list[Route] = []
    dropped: list[int] = []
    for route in routes:
        # The exact reference check (no margin); the kernels' margin means it should never drop a stop.
        while route.shape[0] and not route_is_feasible(problem, route):
            worst = int(np.lexsort((np.arange(route.shape[0]), priority[route]))[-1])
            dropped.append(int(route[worst]))
            route = np.delete(route, worst)
        if route.shape[0]:
            served.append(Route(stops=route.astype(np.intp), distance_km=route_distance_km(problem, route),
                                duration_h=route_duration_h(problem, route), load_m3=float(mats.vol[route].sum())))
    in_routes = np.concatenate([r.stops for r in served]) if served else np.zeros(0, dtype=np.intp)
    unassigned = np.setdiff1d(np.arange(n, dtype=np.intp), in_routes).astype(np.intp)
    return Solution(routes=tuple(served), unassigned=unassigned, pricing=problem.pricing)
