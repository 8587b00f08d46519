"""Courier route planning for one depot-day: sweep construction + vectorised local search.

Travel model (used by the planner and by the two public helpers alike)
---------------------------------------------------------------------
* road distance between two points = ``circuity`` x euclidean distance;
* a leg that starts or ends at the depot (a "stem") is driven at ``stem_speed_kmh``,
  every other leg at ``area_speed_kmh``;
* route duration = sum of leg times + sum of ``stop_service_h`` of its stops.

Optional constraints (every one defaults to "off", so older callers are unaffected)
---------------------------------------------------------------------------------
* a second capacity dimension: ``stop_weight_kg`` against ``vehicle_payload_kg``;
* vehicle range: planned road km of a route <= ``max_route_km`` (electric vans);
* ``max_stops_per_route`` (1 for drone sorties);
* time windows ``stop_tw_start_h`` / ``stop_tw_end_h``, in hours after the route leaves the
  depot (at time 0). A courier who arrives before a window opens waits for it, and that
  wait counts in the route duration; arriving after a window closes is infeasible (service
  may run past the end). ``route_arrival_times_h`` gives the arrival times (before any
  waiting) and ``route_duration_h`` includes the waits. ``route_is_feasible`` checks every
  hard constraint of one route with these formulas.

Algorithm
---------
1. **Filter.** A stop whose volume exceeds the vehicle capacity, or whose out-and-back
   trip alone exceeds ``max_route_hours``, is unassigned at once. (If stems were slower
   than area legs such a stop could in principle be reached mid-route; the rule is kept
   anyway because a stop that only fits when a cheaper stop carries it is not worth a van.)
2. **Urgency order.** The remaining stops are ranked by (priority, distance from the depot,
   index). Among equally urgent stops the near ones rank first because they cost less
   fleet time per stop, so more parcels get out when the fleet is short.
3. **Served set, by priority.** We start from the longest urgency prefix that passes two
   hard fleet bounds (total volume <= fleet capacity, total service time <= fleet hours),
   build routes for it (step 4) and try to insert whatever the sweep could not place into
   the built routes (cheapest feasible insertion, urgent stops first). If stops are still
   left over, that many of the *least urgent* stops are dropped from the set and the
   routes are rebuilt. So the routes are built for an urgency prefix, and a less urgent
   stop only gets in later (step 6) into room that no more urgent left-over stop could
   use. Each round drops at least one stop and a set of at most ``max_routes`` stops always
   fits (one stop per vehicle), so this terminates; from the fourth round on the drop count
   doubles each round to bound the work.
4. **Sweep construction.** Stops are sorted by polar angle around their centroid, starting
   just after the largest angular gap (so no natural cluster is cut in two). Each route
   takes the longest run of the next stops in angular order whose nearest-neighbour tour
   from the depot is feasible. Capacity and service-time bounds give an upper limit on the
   run length from cumulative sums; the run length itself is found by a galloping search
   followed by bisection on the NN-tour duration (about log2(k) NN tours per route instead
   of k), which stops at a length k where k stops are feasible and k + 1 are not -- the
   same stopping rule as adding stops one at a time, at a fraction of the cost.
5. **Local search per route.** Starting from the shorter of the current order and a fresh
   NN order, 2-opt and or-opt (move a run of 1-3 stops elsewhere, possibly reversed) are
   applied until no move gains more than 1e-9 km. 2-opt evaluates the whole delta matrix
   of all edge pairs at once with numpy fancy indexing on the route's distance matrix; each
   pass applies the best move plus every other improving move (best per row) that touches
   a disjoint stretch of the tour -- such moves do not change each other's deltas, so every
   applied move is exact and the tour length strictly decreases. Or-opt is vectorised the
   same way (all segment starts x all insertion edges). Because the objective is distance
   while the duration limit uses two speeds, the improved order is re-checked; if it breaks
   the duration limit, the search is rerun from a feasible start (the input order is
   feasible by construction) with the time delta of every move computed the same way, and
   only moves that keep the travel time within the limit are allowed. The result is
   feasible and never longer than the route's input order.
6. **Fill.** Vehicles not used by the served set get a sweep over the left-over stops;
   then left-over stops are inserted into any route with room (cheapest feasible insertion,
   urgent first), and the routes that changed are improved again.
7. **Repair.** Every route is re-checked with the public formulas (``route_is_feasible``);
   if floating-point drift of an incremental estimate ever made a route infeasible, its
   least urgent stops are pushed out until it is feasible. Internal incremental checks
   keep a 1e-9 h (and 1e-9 km) margin so this should not trigger in practice.

The optional constraints enter every step above. Weight, range and the stop limit are
hard bounds like volume: they shrink the fleet bounds of step 3 and the run length of
step 4, and every NN tour and insertion is checked against them; local search only ever
shortens a route, so it cannot break the range. **Time windows** are handled for
correctness, not for quality: a construction prefix is accepted if either its NN tour or
a time-oriented NN tour (next stop = the one whose service can start first) meets every
window; insertion uses the classic forward departure times / backward latest-arrival
times of each route, so each candidate position is checked exactly in O(1); and local
search keeps a pass only if the route still meets every window. Whatever the planner
returns is feasible; stops it cannot place are unassigned. Problems without windows run
exactly the code paths (and arithmetic) they ran before windows existed.

Everything is deterministic: ties are broken by position or stop index, there is no
randomness and no iteration over sets.

Performance
-----------
Measured with ``time.perf_counter`` around ``plan_routes`` (best of 5 runs after one
warm-up call) on one core of the 2-core AMD EPYC development container, Python 3.11.7,
numpy 2.4.6. Stops uniform in a square with the depot at the centre, volumes U(0.01, 0.05)
m3, service U(0.02, 0.05) h, circuity 1.3, area/stem speed 25/40 km/h:

* 1,500 stops in 30 x 30 km, capacity for ~125 stops, fleet 13 -> 12 routes: ~0.075 s.
* 300 stops in 15 x 15 km, capacity for ~100 stops, fleet 4 -> 3 routes: ~0.013 s.
* 1,500 stops, fleet of 6 by capacity (737 left out): ~0.075 s.
* 1,500 stops, 8 h routes and a fleet of 12 that cannot serve all (duration-bound, three
  construction rounds of the priority selection; 188 left out): ~0.23 s.
* 30 routes of ~50 stops (1,500 stops): ~0.065 s.
* With time windows (``benchmarks/bench_routing.py --slot-hours 2``: 2-hour slots, depot
  12 km from a 25 km2 disc, 11 vans): 300 stops ~0.04 s, 900 ~0.11 s, 1,500 ~0.9 s -- the
  time-oriented NN tours and the per-route schedules make the windowed path slower; the
  paths without windows are unchanged (identical plans and timings to the version before).
* Worst case, not a courier route: one vehicle taking all 1,500 stops, ~3.1 s -- each
  local-search pass is O(k^2) in the route length k (600 stops in one route: ~0.21 s).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# A move must gain more than this (km, or h on the time matrix) to be applied; it keeps
# the local search from chasing floating-point noise and guarantees termination.
_IMPROVE_EPS = 1e-9
# Incremental duration checks (NN tour sums, insertion deltas) add up legs in a different
# order than ``route_duration_h``; this margin (3.6 ms) keeps them on the safe side.
_SLACK_H = 1e-9
# The same margin for incremental range checks, in km.
_SLACK_KM = 1e-9
# Segment lengths tried by or-opt.
_OR_OPT_MAX_LEN = 3
# Routes up to this many edges reuse a cached 2-opt mask (at most ~1.3 MB each).
_MASK_CACHE_MAX_EDGES = 400


@dataclass(frozen=True)
class RoutingProblem:
    """One depot-day's stops and the fleet that serves them (coordinates in km)."""

    depot_xy: np.ndarray  # shape (2,), km
    stop_xy: np.ndarray  # shape (n, 2), km
    stop_volume_m3: np.ndarray  # shape (n,), load of each stop (sum of its parcels)
    stop_service_h: np.ndarray  # shape (n,), expected service time at each stop, hours
    stop_priority: np.ndarray  # shape (n,), int; lower = more urgent
    vehicle_capacity_m3: float
    max_route_hours: float  # planned route duration limit (drive + service), hours
    max_routes: int  # vehicles available
    circuity: float  # road distance = circuity * euclidean distance
    area_speed_kmh: float  # expected speed between two stops
    stem_speed_kmh: float  # expected speed on legs that start or end at the depot
    # Optional constraints; the defaults switch them off.
    stop_weight_kg: np.ndarray | None = None  # shape (n,); second capacity dimension
    vehicle_payload_kg: float = math.inf
    max_route_km: float = math.inf  # vehicle range: planned road km of one route
    max_stops_per_route: int | None = None  # e.g. 1 for drone sorties
    stop_tw_start_h: np.ndarray | None = None  # shape (n,); hours after departure
    stop_tw_end_h: np.ndarray | None = None  # shape (n,); latest arrival, hours after departure


@dataclass(frozen=True)
class PlannedRoute:
    """One courier route: stops in visiting order, depot excluded at both ends."""

    stops: np.ndarray  # int indices into the problem's stops, in visiting order
    distance_km: float  # road km depot -> stops -> depot
    duration_h: float  # planned drive time + service time
    load_m3: float


@dataclass(frozen=True)
class RoutePlan:
    """All routes of a depot-day plus the stops that could not be served."""

    routes: tuple[PlannedRoute, ...]
    unassigned: np.ndarray  # int indices of stops that did not fit, sorted ascending


# --------------------------------------------------------------------------- public helpers


def _route_legs_km(problem: RoutingProblem, stops: np.ndarray) -> FloatArray:
    """Road length of every leg of depot -> stops -> depot."""
    depot = np.asarray(problem.depot_xy, dtype=np.float64).reshape(1, 2)
    xy = np.asarray(problem.stop_xy, dtype=np.float64).reshape(-1, 2)
    pts = np.concatenate((depot, xy[stops], depot))
    step = np.diff(pts, axis=0)
    return np.asarray(float(problem.circuity) * np.hypot(step[:, 0], step[:, 1]))


def route_distance_km(problem: RoutingProblem, stops: np.ndarray) -> float:
    """Road km of the tour depot -> ``stops`` (in order) -> depot; 0 for no stops."""
    idx = np.asarray(stops, dtype=np.intp).reshape(-1)
    if idx.size == 0:
        return 0.0
    return float(_route_legs_km(problem, idx).sum())


def _has_windows(problem: RoutingProblem) -> bool:
    return problem.stop_tw_start_h is not None or problem.stop_tw_end_h is not None


def _timeline(problem: RoutingProblem, idx: IntArray) -> tuple[FloatArray, float]:
    """Arrival time at each stop (before waiting) and return time to the depot.

    With c_i the travel time into stop i, s_i its service and e_i its window start, the
    departure from stop i is dep_i = max(dep_(i-1) + c_i, e_i) + s_i. Written against the
    no-wait prefix sums P_i = sum_(j<=i) (c_j + s_j), the accumulated wait u_i = dep_i - P_i
    obeys u_i = max(u_(i-1), e_i + s_i - P_i), a running maximum -- so the whole schedule
    is a few vectorised operations instead of a Python loop per stop.
    """
    legs = _route_legs_km(problem, idx)
    travel = legs / float(problem.area_speed_kmh)
    stem = float(problem.stem_speed_kmh)
    travel[0] = float(legs[0]) / stem
    travel[-1] = float(legs[-1]) / stem
    service = np.asarray(problem.stop_service_h, dtype=np.float64)[idx]
    if problem.stop_tw_start_h is None:
        early = np.zeros(idx.shape[0])
    else:
        early = np.asarray(problem.stop_tw_start_h, dtype=np.float64)[idx]
    prefix = np.cumsum(travel[:-1] + service)
    wait = np.maximum.accumulate(np.maximum(early + service - prefix, 0.0))
    prev_dep = np.concatenate(([0.0], (wait + prefix)[:-1]))
    arrival = prev_dep + travel[:-1]
    return np.asarray(arrival), float(wait[-1] + prefix[-1] + travel[-1])


def route_arrival_times_h(problem: RoutingProblem, stops: np.ndarray) -> np.ndarray:
    """Arrival time (hours after leaving the depot, before any waiting) at each stop, in order.

    The route leaves the depot at 0; at a stop whose window has not opened the courier
    waits for the window start before serving, which delays every later arrival.
    """
    idx = np.asarray(stops, dtype=np.intp).reshape(-1)
    if idx.size == 0:
        return np.zeros(0)
    return _timeline(problem, idx)[0]


def route_is_feasible(problem: RoutingProblem, stops: np.ndarray) -> bool:
    """Whether one route (stops in visiting order) meets every hard constraint of the problem.

    Checked with the reference formulas: volume, weight, stop count, ``route_distance_km``
    against the range, ``route_duration_h`` (waits included) against ``max_route_hours``
    and ``route_arrival_times_h`` against every window end. An empty route is feasible.
    """
    idx = np.asarray(stops, dtype=np.intp).reshape(-1)
    if idx.size == 0:
        return True
    if problem.max_stops_per_route is not None and idx.size > int(problem.max_stops_per_route):
        return False
    if float(np.asarray(problem.stop_volume_m3, dtype=np.float64)[idx].sum()) > float(problem.vehicle_capacity_m3):
        return False
    if problem.stop_weight_kg is not None and (
        float(np.asarray(problem.stop_weight_kg, dtype=np.float64)[idx].sum()) > float(problem.vehicle_payload_kg)
    ):
        return False
    if route_distance_km(problem, idx) > float(problem.max_route_km):
        return False
    if route_duration_h(problem, idx) > float(problem.max_route_hours):
        return False
    if problem.stop_tw_end_h is not None:
        late = np.asarray(problem.stop_tw_end_h, dtype=np.float64)[idx]
        if bool((route_arrival_times_h(problem, idx) > late).any()):
            return False
    return True


def route_duration_h(problem: RoutingProblem, stops: np.ndarray) -> float:
    """Planned hours of the tour: stem legs at stem speed, other legs at area speed, plus service.

    With time windows, waiting for a window to open is included (the route leaves the
    depot at 0 and the duration is the time it is back). This is the reference formula:
    the planners report and enforce durations with it.
    """
    idx = np.asarray(stops, dtype=np.intp).reshape(-1)
    if idx.size == 0:
        return 0.0
    if _has_windows(problem):
        return _timeline(problem, idx)[1]
    # Without windows: the original closed form, kept bit-for-bit so plans made before
    # windows existed are reproduced exactly.
    legs = _route_legs_km(problem, idx)
    stem = (float(legs[0]) + float(legs[-1])) / float(problem.stem_speed_kmh)
    area = float(legs[1:-1].sum()) / float(problem.area_speed_kmh)
    service = float(np.asarray(problem.stop_service_h, dtype=np.float64)[idx].sum())
    return stem + area + service


# --------------------------------------------------------------------------- context


class _Ctx:
    """Validated, float-converted view of a problem plus precomputed per-stop values."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        stop_xy = np.asarray(problem.stop_xy, dtype=np.float64)
        if stop_xy.size == 0:
            stop_xy = stop_xy.reshape(0, 2)
        if stop_xy.ndim != 2 or stop_xy.shape[1] != 2:
            raise ValueError(f"stop_xy must have shape (n, 2), got {stop_xy.shape}")
        n = int(stop_xy.shape[0])
        depot = np.asarray(problem.depot_xy, dtype=np.float64).reshape(-1)
        if depot.shape != (2,):
            raise ValueError(f"depot_xy must have shape (2,), got {depot.shape}")
        self.n = n
        self.vol = self._vector(problem.stop_volume_m3, "stop_volume_m3", np.float64)
        self.serv = self._vector(problem.stop_service_h, "stop_service_h", np.float64)
        self.prio = self._vector(problem.stop_priority, "stop_priority", None)
        self.circ = float(problem.circuity)
        self.area = float(problem.area_speed_kmh)
        self.stem = float(problem.stem_speed_kmh)
        if not (self.area > 0.0 and self.stem > 0.0):
            raise ValueError("area_speed_kmh and stem_speed_kmh must be positive")
        if not self.circ >= 0.0:
            raise ValueError("circuity must be non-negative")
        self.cap = float(problem.vehicle_capacity_m3)
        self.max_h = float(problem.max_route_hours)
        self.max_routes = int(problem.max_routes)
        # Optional constraints. Each has a flag so that problems without it skip its checks
        # entirely and keep the speed (and the exact arithmetic) of the original planner.
        self.payload = float(problem.vehicle_payload_kg)
        self.use_wt = problem.stop_weight_kg is not None and self.payload < math.inf
        self.wt = (
            self._vector(problem.stop_weight_kg, "stop_weight_kg", np.float64)
            if problem.stop_weight_kg is not None
            else np.zeros(n)
        )
        self.max_km = float(problem.max_route_km)
        self.use_km = self.max_km < math.inf
        self.use_stops = problem.max_stops_per_route is not None
        self.max_stops = int(problem.max_stops_per_route) if problem.max_stops_per_route is not None else max(n, 1)
        self.use_tw = _has_windows(problem)
        self.tw_e = (
            self._vector(problem.stop_tw_start_h, "stop_tw_start_h", np.float64)
            if problem.stop_tw_start_h is not None
            else np.zeros(n)
        )
        self.tw_l = (
            self._vector(problem.stop_tw_end_h, "stop_tw_end_h", np.float64)
            if problem.stop_tw_end_h is not None
            else np.full(n, math.inf)
        )
        # The depot is appended as node n so insertion code can treat it as a point.
        self.depot = n
        self.xy = np.concatenate((stop_xy, depot.reshape(1, 2)))
        rel = stop_xy - depot
        self.d0 = self.circ * np.hypot(rel[:, 0], rel[:, 1])

    def _vector(self, values: np.ndarray, name: str, dtype: type | None) -> np.ndarray:
        arr = np.asarray(values, dtype=dtype).reshape(-1)
        if arr.shape != (self.n,):
            raise ValueError(f"{name} must have shape ({self.n},), got {arr.shape}")
        return arr

    def local_distance(self, stops: IntArray) -> FloatArray:
        """Road-distance matrix of [depot, *stops]: node 0 is the depot, node i is stops[i-1]."""
        pts = np.concatenate((self.xy[self.depot : self.depot + 1], self.xy[stops]))
        return self.pair_distance(pts)

    def pair_distance(self, pts: FloatArray) -> FloatArray:
        """Road-distance matrix between all rows of ``pts``."""
        dx = pts[:, 0][:, None] - pts[:, 0][None, :]
        dy = pts[:, 1][:, None] - pts[:, 1][None, :]
        return np.asarray(self.circ * np.hypot(dx, dy))

    def time_matrix(self, dist: FloatArray) -> FloatArray:
        """Travel hours for a local distance matrix (row/column 0 = depot, at stem speed)."""
        t = dist / self.area
        t[0, :] = dist[0, :] / self.stem
        t[:, 0] = dist[:, 0] / self.stem
        return np.asarray(t)

    def duration(self, stops: IntArray) -> float:
        """Exact route duration, by the public reference formula."""
        return route_duration_h(self.problem, stops)

    def load(self, stops: IntArray) -> float:
        """Total volume of a route's stops."""
        return float(self.vol[stops].sum())

    def weight(self, stops: IntArray) -> float:
        """Total weight of a route's stops."""
        return float(self.wt[stops].sum())

    def km(self, stops: IntArray) -> float:
        """Exact road km of a route, by the public reference formula."""
        return route_distance_km(self.problem, stops)

    def timing_ok(self, stops: IntArray) -> bool:
        """Exact check of the order-dependent limits (duration, windows, range) of a route."""
        if self.use_km and self.km(stops) > self.max_km:
            return False
        if not self.use_tw:
            return self.duration(stops) <= self.max_h
        arrival, back = _timeline(self.problem, stops)
        return back <= self.max_h and not bool((arrival > self.tw_l[stops]).any())

    def feasible(self, stops: IntArray) -> bool:
        """Exact check of every hard constraint of one route (the repair step's test)."""
        if self.load(stops) > self.cap:
            return False
        if self.use_wt and self.weight(stops) > self.payload:
            return False
        if self.use_stops and stops.shape[0] > self.max_stops:
            return False
        return self.timing_ok(stops)

    def schedule(self, stops: IntArray) -> tuple[FloatArray, FloatArray]:
        """Departure time from every node and latest feasible arrival at every node of a route.

        Nodes are [depot, *stops, depot]. ``dep`` covers nodes 0..k (the depot leaves at 0),
        ``latest`` covers nodes 1..k+1: the latest arrival at that node from which the rest
        of the route still meets every window and is back by ``max_route_hours``. Since
        waiting only ever absorbs delay, latest_i = min(l_i, latest_(i+1) - s_i - c_i), a
        running minimum from the end. Inserting stop x between nodes a and b is feasible
        iff x is reached by its window end and b by ``latest`` -- one test per position.
        """
        depot = self.xy[self.depot : self.depot + 1]
        pts = np.concatenate((depot, self.xy[stops], depot))
        step = np.diff(pts, axis=0)
        legs = self.circ * np.hypot(step[:, 0], step[:, 1])
        travel = legs / self.area
        travel[0] = legs[0] / self.stem
        travel[-1] = legs[-1] / self.stem
        serv = self.serv[stops]
        prefix = np.cumsum(travel[:-1] + serv)
        wait = np.maximum.accumulate(np.maximum(self.tw_e[stops] + serv - prefix, 0.0))
        dep = np.concatenate(([0.0], wait + prefix))
        # latest_i = G_i + min_(j>=i) (l_j - G_j), with G the cumulated (s + c) from node 1.
        cost = np.concatenate((serv + travel[1:], [0.0]))
        g = np.concatenate(([0.0], np.cumsum(cost[:-1])))
        bound = np.concatenate((self.tw_l[stops], [self.max_h])) - g
        latest = g + np.minimum.accumulate(bound[::-1])[::-1]
        return np.asarray(dep), np.asarray(latest)


# --------------------------------------------------------------------------- nearest neighbour


def _nn_core(d0: FloatArray, w: FloatArray) -> IntArray:
    """Nearest-neighbour order from the depot over k stops.

    ``d0`` holds depot->stop distances, ``w`` the k x k stop distances; ``w`` is consumed
    (visited columns are overwritten with inf so each step is one argmin on one row).
    Returns the visiting order as positions 0..k-1; ties go to the lowest position.
    """
    k = int(d0.shape[0])
    order = [0] * k
    j = int(d0.argmin())
    order[0] = j
    w[:, j] = np.inf
    # Plain method calls and a list: this loop is the construction's hot spot, and the
    # np.argmin wrapper and per-step float() conversions cost more than the work itself.
    for s in range(1, k):
        j = int(w[j].argmin())
        w[:, j] = np.inf
        order[s] = j
    return np.asarray(order, dtype=np.intp)


def _nn_local(dist: FloatArray) -> IntArray:
    """NN order (local node ids 1..k) on a local distance matrix with the depot at node 0."""
    return _nn_core(dist[0, 1:], dist[1:, 1:].copy()) + 1


def nearest_neighbour_order(depot_xy: np.ndarray, stop_xy: np.ndarray) -> IntArray:
    """Visiting order (indices into ``stop_xy``) of the nearest-neighbour tour from the depot.

    Straight-line distances suffice: a uniform circuity factor does not change
    which stop is nearest. Ties go to the lowest index.
    """
    xy = np.asarray(stop_xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) == 0:
        return np.zeros(0, dtype=np.intp)
    depot = np.asarray(depot_xy, dtype=np.float64).reshape(2)
    d0 = np.hypot(xy[:, 0] - depot[0], xy[:, 1] - depot[1])
    diff = xy[:, None, :] - xy[None, :, :]
    return _nn_core(d0, np.hypot(diff[..., 0], diff[..., 1]))


def _path_length(mat: FloatArray, order: IntArray) -> float:
    """Length of depot -> order -> depot on a local matrix (node 0 = depot)."""
    if order.size == 0:
        return 0.0
    inner = float(mat[order[:-1], order[1:]].sum())
    return float(mat[0, order[0]]) + inner + float(mat[order[-1], 0])


# --------------------------------------------------------------------------- local search


@functools.lru_cache(maxsize=16)
def _two_opt_mask(n_edges: int) -> FloatArray:
    """0 where edge pair (i, j) is a real 2-opt move (j >= i + 2), inf elsewhere.

    Adding it is cheaper than building a boolean mask every pass; cached because the
    search calls the same route size over and over. Read-only so the cache stays valid.
    """
    mask = np.where(np.tri(n_edges, n_edges, 1, dtype=bool), np.inf, 0.0)
    mask.setflags(write=False)
    return mask


def _two_opt_deltas(mat: FloatArray, tour: IntArray) -> FloatArray:
    """Length change of every 2-opt move (i, j) on a closed tour; inf where not a move.

    Edge i joins tour[i] and tour[i+1]. Replacing edges i < j by (tour[i], tour[j]) and
    (tour[i+1], tour[j+1]) and reversing tour[i+1..j] changes the length by
    m[a_i, a_j] + m[b_i, b_j] - m[a_i, b_i] - m[a_j, b_j]; all pairs come from one
    tour-ordered submatrix (numpy fancy indexing), so the whole matrix costs a few
    vectorised operations.
    """
    q = mat[np.ix_(tour, tour)]
    e = np.diagonal(q, 1)
    n_edges = int(e.shape[0])
    delta = q[:-1, :-1] + q[1:, 1:]
    delta -= e[:, None]
    delta -= e[None, :]
    # Only j >= i + 2 are real moves (adjacent edges share a node).
    if n_edges <= _MASK_CACHE_MAX_EDGES:
        delta += _two_opt_mask(n_edges)
    else:
        delta[np.tri(n_edges, n_edges, 1, dtype=bool)] = np.inf
    return np.asarray(delta)


def _two_opt_pass(mat: FloatArray, tour: IntArray, tmat: FloatArray | None, slack: float) -> float | None:
    """One vectorised 2-opt pass on a closed tour (depot at both ends), in place.

    Minimises length on ``mat``. With a time matrix ``tmat``, moves must also keep the
    summed travel-time increase within ``slack`` hours. Returns the remaining slack, or
    None if no move gains more than the tolerance.
    """
    delta = _two_opt_deltas(mat, tour)
    n_edges = int(delta.shape[0])
    dt: FloatArray | None = None
    if tmat is not None:
        dt = _two_opt_deltas(tmat, tour)
        delta[dt > slack] = np.inf
    best_j = np.argmin(delta, axis=1)
    best = delta[np.arange(n_edges), best_j]
    rows = np.flatnonzero(best < -_IMPROVE_EPS)
    if rows.size == 0:
        return None
    # Best move first, then any other row's best move on a disjoint stretch of edges: those
    # moves do not touch each other's edges or nodes, so their deltas stay exact and add up.
    used = np.zeros(n_edges, dtype=bool)
    applied = False
    for i in rows[np.argsort(best[rows], kind="stable")].tolist():
        j = int(best_j[i])
        if used[i : j + 1].any():
            continue
        if dt is not None:
            if float(dt[i, j]) > slack:
                continue
            slack -= float(dt[i, j])
        used[i : j + 1] = True
        tour[i + 1 : j + 1] = tour[i + 1 : j + 1][::-1].copy()
        applied = True
    return slack if applied else None


def _or_opt_costs(q: FloatArray, seg_len: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Or-opt costs for all runs of ``seg_len`` stops on a tour-ordered matrix ``q``.

    Returns (forward, reversed) insertion costs, shape (edges, runs), and the removal gain
    per run. Run c covers positions c + 1 .. c + seg_len; edge g joins positions g, g + 1.
    Runs and edges are contiguous index ranges, so every operand is a slice view and only
    the arithmetic allocates.
    """
    k = q.shape[0] - 2
    n_seg = k - seg_len + 1
    p = np.arange(1, n_seg + 1)
    last = p + seg_len - 1
    gain = q[p - 1, p] + q[last, last + 1] - q[p - 1, last + 1]
    e = np.diagonal(q, 1)[:, None]
    fwd = q[:-1, 1 : n_seg + 1] + q[seg_len : k + 1, 1:].T - e
    rev = q[:-1, seg_len : k + 1] + q[1 : n_seg + 1, 1:].T - e
    # Edges g = c .. c + seg_len touch the run itself: not real moves.
    cols = np.arange(n_seg)
    for t in range(seg_len + 1):
        fwd[cols + t, cols] = np.inf
        rev[cols + t, cols] = np.inf
    return np.asarray(fwd), np.asarray(rev), np.asarray(gain)


def _or_opt_pass(
    mat: FloatArray, tour: IntArray, tmat: FloatArray | None, slack: float
) -> tuple[IntArray, float] | None:
    """One vectorised or-opt pass: move runs of 1-3 stops to another edge, maybe reversed.

    Same objective and time-slack rule as ``_two_opt_pass``. Returns the new tour and the
    remaining slack, or None if no move gains more than the tolerance.
    """
    n_pos = int(tour.shape[0])
    k = n_pos - 2
    q = mat[np.ix_(tour, tour)]
    qt = tmat[np.ix_(tour, tour)] if tmat is not None else None
    moves: list[tuple[FloatArray, FloatArray, IntArray, IntArray, IntArray, npt.NDArray[np.bool_]]] = []
    for seg_len in range(1, min(_OR_OPT_MAX_LEN, k - 1) + 1):
        fwd, rev, gain = _or_opt_costs(q, seg_len)
        n_seg = gain.shape[0]
        cols = np.arange(n_seg)
        if qt is not None:
            fwd_t, rev_t, gain_t = _or_opt_costs(qt, seg_len)
            fwd[fwd_t - gain_t > slack] = np.inf
            rev[rev_t - gain_t > slack] = np.inf
        use_rev = rev < fwd
        ins = np.where(use_rev, rev, fwd)
        g_best = np.argmin(ins, axis=0)
        delta = ins[g_best, cols] - gain
        sel = np.flatnonzero(delta < -_IMPROVE_EPS)
        if sel.size == 0:
            continue
        g_sel = g_best[sel]
        rv = use_rev[g_sel, sel]
        if qt is not None:
            d_time = np.where(rv, rev_t[g_sel, sel], fwd_t[g_sel, sel]) - gain_t[sel]
        else:
            d_time = np.zeros(sel.size)
        moves.append((delta[sel], d_time, np.full(sel.size, seg_len, dtype=np.intp), sel + 1, g_sel, rv))
    if not moves:
        return None
    deltas, d_times, lens, starts, gaps, revs = (np.concatenate(parts) for parts in zip(*moves, strict=True))
    # Moves whose position hulls are disjoint commute and their gains add up; place each
    # moved run between its target positions via fractional sort keys.
    used = np.zeros(n_pos, dtype=bool)
    key = np.arange(n_pos, dtype=np.float64)
    applied = False
    for c in np.argsort(deltas, kind="stable").tolist():
        seg_len, p0, g, rv_c = int(lens[c]), int(starts[c]), int(gaps[c]), bool(revs[c])
        lo = min(p0 - 1, g)
        hi = max(p0 + seg_len, g + 1)
        if used[lo : hi + 1].any():
            continue
        if qt is not None:
            if float(d_times[c]) > slack:
                continue
            slack -= float(d_times[c])
        used[lo : hi + 1] = True
        offs = np.arange(1, seg_len + 1, dtype=np.float64) / (seg_len + 1)
        key[p0 : p0 + seg_len] = g + (offs[::-1] if rv_c else offs)
        applied = True
    if not applied:
        return None
    return tour[np.argsort(key, kind="stable")], slack


def _local_search(
    mat: FloatArray, order: IntArray, tmat: FloatArray | None = None, slack: float = math.inf
) -> IntArray:
    """2-opt to a local optimum, then or-opt, repeated until neither improves (local ids).

    With ``tmat``, only moves that keep the total travel-time increase within ``slack``
    are made, so a tour that meets a duration limit keeps meeting it.
    """
    if order.shape[0] < 3:
        # With two stops both directions cost the same on a symmetric matrix.
        return order.copy()
    tour = np.concatenate(([0], order, [0])).astype(np.intp)
    while True:
        while (left := _two_opt_pass(mat, tour, tmat, slack)) is not None:
            slack = left
        moved = _or_opt_pass(mat, tour, tmat, slack)
        if moved is None:
            break
        tour, slack = moved
    return tour[1:-1]


def _improve_route_tw(ctx: _Ctx, stops: IntArray, dist: FloatArray) -> IntArray:
    """``_improve_route`` under time windows: the input order is feasible, keep it so."""
    k = int(stops.shape[0])
    current = np.arange(1, k + 1, dtype=np.intp)
    nn = _nn_local(dist)
    start = nn if _path_length(dist, nn) < _path_length(dist, current) - _IMPROVE_EPS else current
    # Loose windows often allow the unconstrained optimum: try it first.
    free = _local_search(dist, start)
    if ctx.timing_ok(stops[free - 1]):
        return stops[free - 1]
    # Otherwise improve the input order pass by pass and keep a pass only if the route
    # still meets every window (a pass applies several moves, so one bad move costs the
    # whole pass; good enough for a planner that only has to be correct here). Every
    # kept pass shortens the tour by more than the tolerance, so this terminates.
    tour = np.concatenate(([0], current, [0])).astype(np.intp)
    while True:
        trial = tour.copy()
        if _two_opt_pass(dist, trial, None, math.inf) is not None and ctx.timing_ok(stops[trial[1:-1] - 1]):
            tour = trial
            continue
        moved = _or_opt_pass(dist, tour, None, math.inf)
        if moved is not None and ctx.timing_ok(stops[moved[0][1:-1] - 1]):
            tour = moved[0]
            continue
        return stops[tour[1:-1] - 1]


def _improve_route(ctx: _Ctx, stops: IntArray) -> IntArray:
    """Shortest feasible visiting order found for a route's stops (never longer than input).

    Weight, volume and the stop count do not depend on the order, and every move shortens
    the tour, so the range limit holds throughout; duration (and windows) are re-checked.
    """
    k = int(stops.shape[0])
    if k < 3:
        return stops
    dist = ctx.local_distance(stops)
    if ctx.use_tw:
        return _improve_route_tw(ctx, stops, dist)
    current = np.arange(1, k + 1, dtype=np.intp)
    nn = _nn_local(dist)
    start = nn if _path_length(dist, nn) < _path_length(dist, current) - _IMPROVE_EPS else current
    by_dist = _local_search(dist, start)
    if ctx.duration(stops[by_dist - 1]) <= ctx.max_h:
        return stops[by_dist - 1]
    # The shortest order broke the duration limit (it trades area km for slower stem km).
    # Search again for distance from a feasible start, but only with moves that keep the
    # travel time within the limit.
    feasible_start = start if ctx.duration(stops[start - 1]) <= ctx.max_h else current
    tmat = ctx.time_matrix(dist)
    budget = ctx.max_h - float(ctx.serv[stops].sum()) - _SLACK_H
    slack = budget - _path_length(tmat, feasible_start)
    if slack < 0.0:
        # Only reachable if the input itself drifted over the limit; the repair step
        # in plan_routes deals with that.
        return stops[feasible_start - 1]
    constrained = _local_search(dist, feasible_start, tmat, slack)
    if ctx.duration(stops[constrained - 1]) <= ctx.max_h:
        return stops[constrained - 1]
    return stops[feasible_start - 1]


# --------------------------------------------------------------------------- construction


class _PrefixTours:
    """NN tours of prefixes of a run of stops, with the distance matrix grown on demand."""

    def __init__(self, ctx: _Ctx, run: IntArray, k_max: int) -> None:
        self.ctx = ctx
        self.run = run
        self.k_max = k_max
        self.size = 0
        self.dist = np.zeros((0, 0))
        self.cum_serv = np.cumsum(ctx.serv[run[:k_max]])
        self.orders: dict[int, IntArray] = {1: np.zeros(1, dtype=np.intp)}

    def _ensure(self, k: int) -> None:
        if k > self.size:
            self.size = min(self.k_max, max(k, 2 * self.size, 32))
            self.dist = self.ctx.pair_distance(self.ctx.xy[self.run[: self.size]])

    def feasible(self, k: int) -> bool:
        """Whether the NN tour of the first k stops fits the duration limit (and range, windows).

        Under time windows a time-oriented NN tour is tried as well when the plain one
        misses a window; ``route(k)`` then returns whichever passed.
        """
        if k == 1:
            # Every stop that reaches construction passed the out-and-back check.
            return True
        self._ensure(k)
        ctx = self.ctx
        d0 = ctx.d0[self.run[:k]]
        order = _nn_core(d0, self.dist[:k, :k].copy())
        self.orders[k] = order
        if ctx.use_tw:
            if ctx.timing_ok(self.run[order]):
                return True
            timed = _time_nn(ctx, self.run[:k], d0, self.dist[:k, :k])
            if ctx.timing_ok(self.run[timed]):
                self.orders[k] = timed
                return True
            return False
        inner = float(self.dist[order[:-1], order[1:]].sum())
        dur = (
            (float(d0[order[0]]) + float(d0[order[-1]])) / ctx.stem
            + inner / ctx.area
            + float(self.cum_serv[k - 1])
        )
        if dur > ctx.max_h - _SLACK_H:
            return False
        return not ctx.use_km or float(d0[order[0]]) + inner + float(d0[order[-1]]) <= ctx.max_km - _SLACK_KM

    def route(self, k: int) -> IntArray:
        """The stops of the first-k prefix in NN order."""
        if k not in self.orders:
            self.feasible(k)
        return self.run[self.orders[k]]


def _time_nn(ctx: _Ctx, stops: IntArray, d0: FloatArray, dist: FloatArray) -> IntArray:
    """Time-oriented nearest neighbour over ``stops`` (returns positions into ``stops``).

    The next stop is the one whose service can start first (arrival, or window start if
    later); among equal starts, the nearest. With slot-shaped windows this serves the
    open slot's stops nearest-first before driving on to the next slot.
    """
    k = int(stops.shape[0])
    # A visited stop's window start is set to inf, so its start time is inf from then on.
    early = ctx.tw_e[stops].copy()
    serv = ctx.serv[stops].tolist()
    inv_area = 1.0 / ctx.area
    order = [0] * k
    now = 0.0
    travel = d0 / ctx.stem
    start = np.empty(k)
    # In-place ufuncs and bound methods: this loop runs k times per construction prefix
    # tried, and allocation and wrapper overhead would dominate the arithmetic.
    for step in range(k):
        np.add(travel, now, out=start)
        np.maximum(start, early, out=start)
        first = start.min()
        j = int(np.where(start <= first, travel, np.inf).argmin())
        order[step] = j
        now = float(start[j]) + serv[j]
        early[j] = np.inf
        travel = dist[j] * inv_area
    return np.asarray(order, dtype=np.intp)


def _largest_feasible(tours: _PrefixTours, k_max: int, guess: int) -> int:
    """A prefix length k with k feasible and k + 1 infeasible (or k = k_max).

    Gallops from the previous route's size (routes of a day tend to be alike), then bisects.
    """
    k0 = min(k_max, max(1, guess))
    step = max(1, k0 // 4)
    if tours.feasible(k0):
        lo = k0
        while lo < k_max:
            hi = min(k_max, lo + step)
            if not tours.feasible(hi):
                break
            lo = hi
            step *= 2
        else:
            return lo
    else:
        hi = k0
        while True:
            lo = max(1, hi - step)
            if tours.feasible(lo):
                break
            hi = lo
            step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if tours.feasible(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _sweep_start(ctx: _Ctx, stops: IntArray) -> IntArray:
    """Stops in polar-angle order around their centroid, starting after the largest gap."""
    xy = ctx.xy[stops]
    centre = xy.mean(axis=0)
    ang = np.arctan2(xy[:, 1] - centre[1], xy[:, 0] - centre[0])
    order = np.lexsort((stops, ang))
    start = 0
    if order.shape[0] > 1:
        a = ang[order]
        gaps = np.diff(a)
        wrap = float(a[0]) + 2.0 * math.pi - float(a[-1])
        g = int(np.argmax(gaps))
        if float(gaps[g]) > wrap:
            start = g + 1
    return stops[np.roll(order, -start)]


def _sweep_build(ctx: _Ctx, stops: IntArray, n_vehicles: int) -> tuple[list[IntArray], IntArray]:
    """Sweep clustering into at most ``n_vehicles`` NN-ordered routes; returns (routes, overflow)."""
    if n_vehicles <= 0 or stops.shape[0] == 0:
        return [], stops
    seq = _sweep_start(ctx, stops)
    routes: list[IntArray] = []
    pos = 0
    guess = 16
    while pos < seq.shape[0] and len(routes) < n_vehicles:
        run = seq[pos:]
        # Capacity and service time alone already bound the run length (hard limits).
        k_cap = int(np.searchsorted(np.cumsum(ctx.vol[run]), ctx.cap, side="right"))
        k_srv = int(np.searchsorted(np.cumsum(ctx.serv[run]), ctx.max_h, side="right"))
        k_max = max(1, min(k_cap, k_srv))
        if ctx.use_wt:
            k_max = max(1, min(k_max, int(np.searchsorted(np.cumsum(ctx.wt[run]), ctx.payload, side="right"))))
        if ctx.use_stops:
            k_max = min(k_max, ctx.max_stops)
        tours = _PrefixTours(ctx, run, k_max)
        k = _largest_feasible(tours, k_max, guess)
        routes.append(tours.route(k))
        pos += k
        guess = k
    return routes, seq[pos:]


# --------------------------------------------------------------------------- insertion


class _EdgeTable:
    """All edges of all routes, flattened, for vectorised insertion costs."""

    def __init__(
        self, ctx: _Ctx, routes: list[IntArray], schedules: list[tuple[FloatArray, FloatArray]] | None = None
    ) -> None:
        nodes = [np.concatenate(([ctx.depot], r, [ctx.depot])).astype(np.intp) for r in routes]
        a = np.concatenate([nd[:-1] for nd in nodes])
        b = np.concatenate([nd[1:] for nd in nodes])
        self.route = np.concatenate([np.full(nd.shape[0] - 1, i, dtype=np.intp) for i, nd in enumerate(nodes)])
        # Inserting into edge ``slot`` of a route puts the new stop at that list position.
        self.slot = np.concatenate([np.arange(nd.shape[0] - 1, dtype=np.intp) for nd in nodes])
        self.a_xy = ctx.xy[a]
        self.b_xy = ctx.xy[b]
        inv_area, inv_stem = 1.0 / ctx.area, 1.0 / ctx.stem
        self.inv_a = np.where(a == ctx.depot, inv_stem, inv_area)
        self.inv_b = np.where(b == ctx.depot, inv_stem, inv_area)
        step = self.a_xy - self.b_xy
        self.d_ab = ctx.circ * np.hypot(step[:, 0], step[:, 1])
        stem = (a == ctx.depot) | (b == ctx.depot)
        self.t_ab = self.d_ab * np.where(stem, inv_stem, inv_area)
        if ctx.use_tw:
            # Edge j of a route runs from node j to node j + 1: departure times of nodes
            # 0..k and latest arrivals of nodes 1..k+1 line up with the edges as they are.
            parts = schedules if schedules is not None else [ctx.schedule(r) for r in routes]
            self.dep_a = np.concatenate([dep for dep, _ in parts])
            self.late_b = np.concatenate([late for _, late in parts])


class _RouteState:
    """Per-route totals that insertion checks against (only those the problem constrains)."""

    def __init__(self, ctx: _Ctx, routes: list[IntArray]) -> None:
        self.ctx = ctx
        self.loads = np.array([ctx.load(r) for r in routes])
        self.durs = np.array([ctx.duration(r) for r in routes])
        self.weights = np.array([ctx.weight(r) for r in routes]) if ctx.use_wt else None
        self.kms = np.array([ctx.km(r) for r in routes]) if ctx.use_km else None
        self.sizes = np.array([r.shape[0] for r in routes]) if ctx.use_stops else None

    def update(self, r: int, stops: IntArray) -> None:
        """Recompute route ``r``'s totals exactly after it changed."""
        ctx = self.ctx
        self.loads[r] = ctx.load(stops)
        self.durs[r] = ctx.duration(stops)
        if self.weights is not None:
            self.weights[r] = ctx.weight(stops)
        if self.kms is not None:
            self.kms[r] = ctx.km(stops)
        if self.sizes is not None:
            self.sizes[r] = stops.shape[0]

    def room(self, x: int) -> npt.NDArray[np.bool_]:
        """Per route: whether stop ``x`` fits its remaining volume, payload and stop count."""
        ctx = self.ctx
        room = self.loads + ctx.vol[x] <= ctx.cap
        if self.weights is not None:
            room &= self.weights + ctx.wt[x] <= ctx.payload
        if self.sizes is not None:
            room &= self.sizes < ctx.max_stops
        return np.asarray(room)

    def possible(self, cands: IntArray) -> npt.NDArray[np.bool_]:
        """Per candidate: whether the emptiest route could take it by load and stop count."""
        ctx = self.ctx
        ok = ctx.vol[cands] + self.loads.min() <= ctx.cap
        if self.weights is not None:
            ok &= ctx.wt[cands] + self.weights.min() <= ctx.payload
        if self.sizes is not None:
            ok &= bool(self.sizes.min() < ctx.max_stops)
        return np.asarray(ok)


def _could_fit(ctx: _Ctx, table: _EdgeTable, state: _RouteState, cands: IntArray) -> npt.NDArray[np.bool_]:
    """For each candidate, whether some single insertion into the current routes is feasible.

    Used as a one-off filter: when stem legs are at least as fast as area legs, travel times
    obey the triangle inequality, so inserting other stops first can only make a stop
    harder to fit (loads grow, departures get later, latest arrivals earlier, routes
    longer) -- a candidate that fails now fails for good.
    """
    out = np.zeros(cands.shape[0], dtype=bool)
    chunk = max(1, 250_000 // max(1, table.route.shape[0]))
    load_e = state.loads[table.route]
    dur_e = state.durs[table.route] - table.t_ab
    for lo in range(0, cands.shape[0], chunk):
        c = cands[lo : lo + chunk]
        cx = ctx.xy[c, 0][:, None]
        cy = ctx.xy[c, 1][:, None]
        d_a = ctx.circ * np.hypot(table.a_xy[:, 0][None, :] - cx, table.a_xy[:, 1][None, :] - cy)
        d_b = ctx.circ * np.hypot(table.b_xy[:, 0][None, :] - cx, table.b_xy[:, 1][None, :] - cy)
        room = load_e[None, :] + ctx.vol[c][:, None] <= ctx.cap
        if state.weights is not None:
            room &= state.weights[table.route][None, :] + ctx.wt[c][:, None] <= ctx.payload
        if state.sizes is not None:
            room &= (state.sizes[table.route] < ctx.max_stops)[None, :]
        if ctx.use_tw:
            arrive = table.dep_a[None, :] + d_a * table.inv_a
            depart = np.maximum(arrive, ctx.tw_e[c][:, None]) + ctx.serv[c][:, None]
            fits = (arrive <= ctx.tw_l[c][:, None] - _SLACK_H) & (
                depart + d_b * table.inv_b <= table.late_b[None, :] - _SLACK_H
            )
        else:
            new_dur = dur_e[None, :] + d_a * table.inv_a + d_b * table.inv_b + ctx.serv[c][:, None]
            fits = new_dur <= ctx.max_h - _SLACK_H
        if state.kms is not None:
            fits &= (state.kms[table.route] - table.d_ab)[None, :] + d_a + d_b <= ctx.max_km - _SLACK_KM
        out[lo : lo + chunk] = (room & fits).any(axis=1)
    return out


def _insert_stops(ctx: _Ctx, routes: list[IntArray], cands: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Cheapest feasible insertion of ``cands`` (in the given order) into ``routes``, in place.

    Returns the stops that fit nowhere (in the given order) and a flag per route telling
    whether it changed.
    """
    modified = np.zeros(len(routes), dtype=bool)
    if not routes or cands.shape[0] == 0:
        return cands, modified
    state = _RouteState(ctx, routes)
    # Route schedules are kept between insertions: only the route that changed is redone.
    schedules = [ctx.schedule(r) for r in routes] if ctx.use_tw else None
    table = _EdgeTable(ctx, routes, schedules)
    # Stops too big for every route's remaining room are rejected by load alone.
    possible = state.possible(cands)
    if ctx.stem >= ctx.area and possible.any():
        possible[possible] = _could_fit(ctx, table, state, cands[possible])
    left: list[int] = []
    for x, maybe in zip(cands.tolist(), possible.tolist(), strict=True):
        room = state.room(x)
        if not (maybe and room.any()):
            left.append(x)
            continue
        x0, x1 = ctx.xy[x]
        d_a = ctx.circ * np.hypot(table.a_xy[:, 0] - x0, table.a_xy[:, 1] - x1)
        d_b = ctx.circ * np.hypot(table.b_xy[:, 0] - x0, table.b_xy[:, 1] - x1)
        if ctx.use_tw:
            # O(1) exact test per position: x reached by its window end, and the next
            # node reached no later than its latest feasible arrival (which already
            # accounts for every later window and the return by max_route_hours).
            arrive = table.dep_a + d_a * table.inv_a
            depart = np.maximum(arrive, ctx.tw_e[x]) + ctx.serv[x]
            ok = (
                room[table.route]
                & (arrive <= ctx.tw_l[x] - _SLACK_H)
                & (depart + d_b * table.inv_b <= table.late_b - _SLACK_H)
            )
        else:
            new_dur = state.durs[table.route] + d_a * table.inv_a + d_b * table.inv_b - table.t_ab
            ok = room[table.route] & (new_dur + ctx.serv[x] <= ctx.max_h - _SLACK_H)
        if state.kms is not None:
            ok &= state.kms[table.route] + d_a + d_b - table.d_ab <= ctx.max_km - _SLACK_KM
        if not ok.any():
            left.append(x)
            continue
        e = int(np.argmin(np.where(ok, d_a + d_b - table.d_ab, np.inf)))
        r = int(table.route[e])
        routes[r] = np.insert(routes[r], int(table.slot[e]), x)
        state.update(r, routes[r])
        modified[r] = True
        if schedules is not None:
            schedules[r] = ctx.schedule(routes[r])
        table = _EdgeTable(ctx, routes, schedules)
    return np.asarray(left, dtype=np.intp), modified


# --------------------------------------------------------------------------- planner


def _urgency_sorted(rank: IntArray, stops: IntArray) -> IntArray:
    return stops[np.argsort(rank[stops], kind="stable")]


def plan_routes(problem: RoutingProblem) -> RoutePlan:
    """Plan courier routes for one depot-day (see the module docstring for the method).

    Guarantees: every route passes ``route_is_feasible`` -- volume and weight capacity,
    range, stop count, ``max_route_hours`` (as computed by ``route_duration_h``) and every
    time window --, there are at most ``max_routes`` routes, and every stop is in exactly
    one route or in ``unassigned``. When the fleet is too small, the least urgent stops
    (largest priority) are the ones left out. Deterministic.
    """
    ctx = _Ctx(problem)
    n = ctx.n
    all_idx = np.arange(n, dtype=np.intp)
    if n == 0 or ctx.max_routes <= 0 or ctx.max_stops <= 0:
        return RoutePlan(routes=(), unassigned=all_idx)

    # Same arithmetic as route_duration_h for a one-stop route, so "passes here" means
    # "a one-stop route with it is feasible" exactly.
    servable = ctx.vol <= ctx.cap
    if ctx.use_tw:
        # The one-stop case of _timeline, operation for operation.
        reach = ctx.d0 / ctx.stem
        prefix = reach + ctx.serv
        back = np.maximum(ctx.tw_e + ctx.serv - prefix, 0.0) + prefix + reach
        servable &= (reach <= ctx.tw_l) & (back <= ctx.max_h)
    else:
        out_and_back = (ctx.d0 + ctx.d0) / ctx.stem + 0.0 + ctx.serv
        servable &= out_and_back <= ctx.max_h
    if ctx.use_wt:
        servable &= ctx.wt <= ctx.payload
    if ctx.use_km:
        servable &= ctx.d0 + ctx.d0 <= ctx.max_km

    urgency = np.lexsort((all_idx, ctx.d0, ctx.prio)).astype(np.intp)
    rank = np.empty(n, dtype=np.intp)
    rank[urgency] = all_idx
    cand = urgency[servable[urgency]]

    # Longest urgency prefix within the hard fleet bounds (volume, pure service time).
    fleet_cap = ctx.cap * ctx.max_routes
    fleet_h = ctx.max_h * ctx.max_routes
    m = min(
        int(np.searchsorted(np.cumsum(ctx.vol[cand]), fleet_cap, side="right")),
        int(np.searchsorted(np.cumsum(ctx.serv[cand]), fleet_h, side="right")),
    )
    if ctx.use_wt:
        m = min(m, int(np.searchsorted(np.cumsum(ctx.wt[cand]), ctx.payload * ctx.max_routes, side="right")))
    if ctx.use_stops:
        m = min(m, ctx.max_stops * ctx.max_routes)
    floor = min(int(cand.shape[0]), ctx.max_routes)  # one stop per vehicle always fits
    m = max(m, floor)

    rounds = 0
    while True:
        routes, overflow = _sweep_build(ctx, cand[:m], ctx.max_routes)
        leftover, _ = _insert_stops(ctx, routes, _urgency_sorted(rank, overflow))
        if leftover.shape[0] == 0 or m <= floor:
            break
        # Push the least urgent stops out and rebuild: the served set stays a prefix.
        drop = int(leftover.shape[0]) * (2 ** max(0, rounds - 2))
        m = max(floor, m - drop)
        rounds += 1

    pool = _urgency_sorted(rank, np.concatenate((leftover, cand[m:])).astype(np.intp))
    if pool.shape[0] and len(routes) < ctx.max_routes:
        extra, pool = _sweep_build(ctx, pool, ctx.max_routes - len(routes))
        routes.extend(extra)
    routes = [_improve_route(ctx, r) for r in routes]
    if pool.shape[0]:
        pool, modified = _insert_stops(ctx, routes, pool)
        for ri in np.flatnonzero(modified).tolist():
            routes[ri] = _improve_route(ctx, routes[ri])

    # Repair: exact re-check; push out least urgent stops of any route that drifted over.
    dropped: list[IntArray] = [pool, all_idx[~servable]]
    planned: list[PlannedRoute] = []
    for r in routes:
        stops = r
        while stops.shape[0] and not ctx.feasible(stops):
            worst = int(np.argmax(rank[stops]))
            dropped.append(stops[worst : worst + 1])
            stops = np.delete(stops, worst)
        if stops.shape[0] == 0:
            continue
        planned.append(
            PlannedRoute(
                stops=stops.astype(np.intp),
                distance_km=route_distance_km(problem, stops),
                duration_h=ctx.duration(stops),
                load_m3=ctx.load(stops),
            )
        )
    unassigned = np.sort(np.concatenate(dropped)).astype(np.intp)
    return RoutePlan(routes=tuple(planned), unassigned=unassigned)
