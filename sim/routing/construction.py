"""Route construction: nearest-neighbour tours, the time-oriented variant, and the sweep.

The sweep sorts stops by polar angle around their centroid, starting just after the
largest angular gap (so no natural cluster is cut in two). Each route takes the longest
run of the next stops in angular order whose nearest-neighbour tour from the depot is
feasible. Capacity and service-time bounds give an upper limit on the run length from
cumulative sums; the run length itself is found by a galloping search followed by
bisection on the NN-tour feasibility (about log2(k) NN tours per route instead of k), which
stops at a length k where k stops are feasible and k + 1 are not -- the same stopping rule
as adding stops one at a time, at a fraction of the cost. The tours are computed by the
compiled kernels of ``sim.routing.tour_kernels``. Without time windows no distance matrix
is built: each NN step screens the unvisited stops by squared straight-line distance and
measures road km only for the few that can win (``nearest_neighbour_xy``, the same tour
bit for bit), and a prefix shorter than one already toured resumes that tour after the
start they share (``nearest_neighbour_xy_resumed``). Under windows the time-oriented
tour needs the matrix: a prefix's matrix grows from the shorter prefix's (only pairs with
a new stop are measured), and what a route measured beyond its own stops starts the next
route's matrix.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim.routing.arrays import ProblemArrays
from sim.routing.schedule import FloatArray, IntArray, no_wait_duration_h
from sim.routing.tolerances import SLACK_H, SLACK_KM
from sim.routing.tour_kernels import (
    grown_distance_matrix,
    nearest_neighbour_tour,
    nearest_neighbour_xy_resumed,
    road_distance_matrix,
    time_oriented_tour,
)

_NO_ORDER = np.zeros(0, dtype=np.intp)
_NO_LEGS = np.zeros(0)


def nearest_neighbour_local(dist: FloatArray) -> IntArray:
    """NN order (local node ids 1..k) on a local distance matrix with the depot at node 0."""
    k = int(dist.shape[0]) - 1
    return np.asarray(nearest_neighbour_tour(dist[0, 1:], dist, k, 1)) + 1


def nearest_neighbour_order(depot_xy: np.ndarray, stop_xy: np.ndarray) -> IntArray:
    """Visiting order (indices into ``stop_xy``) of the nearest-neighbour tour from the depot.

    Straight-line distances suffice: a uniform circuity factor does not change
    which stop is nearest. Ties go to the lowest index.
    """
    xy = np.ascontiguousarray(np.asarray(stop_xy, dtype=np.float64).reshape(-1, 2))
    if len(xy) == 0:
        return np.zeros(0, dtype=np.intp)
    depot = np.asarray(depot_xy, dtype=np.float64).reshape(2)
    d0 = np.hypot(xy[:, 0] - depot[0], xy[:, 1] - depot[1])
    return np.asarray(nearest_neighbour_tour(d0, road_distance_matrix(xy, 1.0), len(xy), 0))


class PrefixTours:
    """NN tours of prefixes of a run of stops.

    Without windows the tours are found from the coordinates (``nearest_neighbour_xy``: no
    distance matrix). Under windows the time-oriented tour needs the matrix, grown on demand.
    """

    def __init__(self, arrays: ProblemArrays, run: IntArray, k_max: int, known: FloatArray, offset: int) -> None:
        self.arrays = arrays
        self.run = run
        self.k_max = k_max
        # Road km between the run's first ``size`` stops: ``dist[offset:, offset:]``, first
        # filled with what the previous route of the sweep measured of this run (windows only).
        self.dist = known
        self.offset = offset
        self.size = max(0, min(k_max, int(known.shape[0]) - offset))
        self.cum_serv = np.cumsum(arrays.serv[run[:k_max]])
        self.orders: dict[int, IntArray] = {1: np.zeros(1, dtype=np.intp)}
        # The legs of each tour found without windows (for resuming longer tours' shorter prefixes).
        self.legs: dict[int, FloatArray] = {}
        head = run[:k_max]
        self.d0 = np.ascontiguousarray(arrays.d0[head])
        self.xs = np.ascontiguousarray(arrays.xy[head, 0])
        self.ys = np.ascontiguousarray(arrays.xy[head, 1])

    def _ensure(self, k: int) -> None:
        if k > self.size or self.offset:
            # Grown to exactly k: the pairs already measured are copied, not recomputed.
            points = np.ascontiguousarray(self.arrays.xy[self.run[:k]])
            self.dist = grown_distance_matrix(points, self.arrays.circ, self.dist, self.offset)
            self.offset = 0
            self.size = k

    def distances(self) -> tuple[FloatArray, int]:
        """The distance matrix measured so far and the offset of the run's first stop in it."""
        return self.dist, self.offset

    def feasible(self, k: int) -> bool:
        """Whether the NN tour of the first k stops fits the duration limit (and range, windows).

        Under time windows a time-oriented NN tour is tried as well when the plain one
        misses a window; ``route(k)`` then returns whichever passed.
        """
        if k == 1:
            # Every stop that reaches construction passed the out-and-back check.
            return True
        arrays = self.arrays
        d0 = self.d0[:k]
        if not arrays.use_tw:
            # Resumed from the tour of the next longer prefix tried, if any (they share a start).
            longer = [m for m in self.legs if m > k]
            m = min(longer) if longer else 0
            known, known_legs = (self.orders[m], self.legs[m]) if m else (_NO_ORDER, _NO_LEGS)
            order, legs = nearest_neighbour_xy_resumed(self.d0, self.xs, self.ys, arrays.circ, k, known, known_legs)
            self.orders[k] = order
            self.legs[k] = legs
            # The legs are the matrix entries dist[order[:-1], order[1:]], summed by numpy alike.
            return self._fits(d0, order, float(legs.sum()))
        self._ensure(k)
        order = np.asarray(nearest_neighbour_tour(d0, self.dist, k, 0))
        self.orders[k] = order
        if arrays.timing_ok(self.run[order]):
            return True
        timed = time_oriented_nearest_neighbour(arrays, self.run[:k], d0, self.dist)
        if arrays.timing_ok(self.run[timed]):
            self.orders[k] = timed
            return True
        return False

    def _fits(self, d0: FloatArray, order: IntArray, inner: float) -> bool:
        """Whether the no-wait tour ``order`` with ``inner`` km between its stops fits the duration and range."""
        arrays = self.arrays
        dur = no_wait_duration_h(
            float(d0[order[0]]) + float(d0[order[-1]]),
            inner,
            float(self.cum_serv[order.shape[0] - 1]),
            arrays.stem,
            arrays.area,
        )
        if dur > arrays.max_h - SLACK_H:
            return False
        return not arrays.use_km or float(d0[order[0]]) + inner + float(d0[order[-1]]) <= arrays.max_km - SLACK_KM

    def route(self, k: int) -> IntArray:
        """The stops of the first-k prefix in NN order."""
        if k not in self.orders:
            self.feasible(k)
        return self.run[self.orders[k]]


def time_oriented_nearest_neighbour(
    arrays: ProblemArrays, stops: IntArray, d0: FloatArray, dist: FloatArray
) -> IntArray:
    """Time-oriented nearest neighbour over ``stops`` (returns positions into ``stops``).

    The next stop is the one whose service can start first (arrival, or window start if
    later); among equal starts, the nearest. With slot-shaped windows this serves the
    open slot's stops nearest-first before driving on to the next slot. ``d0`` holds the
    depot->stop km and the top-left block of ``dist`` the km between ``stops``.
    """
    return np.asarray(
        time_oriented_tour(
            d0 / arrays.stem,
            np.ascontiguousarray(dist, dtype=np.float64),
            1.0 / arrays.area,
            arrays.tw_e[stops],
            arrays.serv[stops],
        )
    )


def largest_feasible_prefix(feasible: Callable[[int], bool], k_max: int, guess: int) -> int:
    """A prefix length k with k feasible and k + 1 infeasible (or k = k_max).

    Gallops from the previous route's size (routes of a day tend to be alike), then bisects.
    """
    k0 = min(k_max, max(1, guess))
    step = max(1, k0 // 4)
    if feasible(k0):
        lo = k0
        while lo < k_max:
            hi = min(k_max, lo + step)
            if not feasible(hi):
                break
            lo = hi
            step *= 2
        else:
            return lo
    else:
        hi = k0
        while True:
            lo = max(1, hi - step)
            if feasible(lo):
                break
            hi = lo
            step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if feasible(mid):
            lo = mid
        else:
            hi = mid
    return lo


def sweep_order(arrays: ProblemArrays, stops: IntArray) -> IntArray:
    """Stops in polar-angle order around their centroid, starting after the largest gap."""
    xy = arrays.xy[stops]
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


def _longest_within(values: FloatArray, run: IntArray, limit: float, window: int) -> int:
    """How many of ``run``'s first stops fit in ``limit`` by cumulated ``values``.

    Summed over a window of the run, doubled until the bound falls inside it: a cumsum's
    prefix is the cumsum of the prefix, so the count is the one of the whole run.
    """
    while True:
        count = int(np.searchsorted(np.cumsum(values[run[:window]]), limit, side="right"))
        if count < window or window >= run.shape[0]:
            return count
        window *= 2


def _hard_run_bound(arrays: ProblemArrays, run: IntArray, window: int) -> int:
    """Capacity and service time (and weight, the stop count) alone bound a route's run length."""
    k_max = max(
        1,
        min(
            _longest_within(arrays.vol, run, arrays.cap, window),
            _longest_within(arrays.serv, run, arrays.max_h, window),
        ),
    )
    if arrays.use_wt:
        k_max = max(1, min(k_max, _longest_within(arrays.wt, run, arrays.payload, window)))
    if arrays.use_stops:
        k_max = min(k_max, arrays.max_stops)
    return k_max


def sweep_build(arrays: ProblemArrays, stops: IntArray, n_vehicles: int) -> tuple[list[IntArray], IntArray]:
    """Sweep clustering into at most ``n_vehicles`` NN-ordered routes; returns (routes, overflow)."""
    if n_vehicles <= 0 or stops.shape[0] == 0:
        return [], stops
    seq = sweep_order(arrays, stops)
    routes: list[IntArray] = []
    pos = 0
    guess = 16
    known, offset = np.zeros((0, 0)), 0
    window = 64
    while pos < seq.shape[0] and len(routes) < n_vehicles:
        run = seq[pos:]
        k_max = _hard_run_bound(arrays, run, window)
        window = max(window, 2 * k_max)
        tours = PrefixTours(arrays, run, k_max, known, offset)
        k = largest_feasible_prefix(tours.feasible, k_max, guess)
        routes.append(tours.route(k))
        # The next run starts k stops further on: what was measured beyond them is reused.
        known, offset = tours.distances()
        offset += k
        pos += k
        guess = k
    return routes, seq[pos:]
