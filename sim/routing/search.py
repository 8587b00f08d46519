"""Local search on one route: 2-opt and or-opt passes, and the route improver built on them.

2-opt evaluates every pair of edges; each pass applies the best move plus every other
improving move (best per row) that touches a disjoint stretch of the tour -- such moves do
not change each other's deltas, so every applied move is exact and the tour length
strictly decreases. Or-opt (move a run of 1-3 stops elsewhere, possibly reversed) is
applied the same way (all segment starts x all insertion edges). The passes run compiled
(``sim.routing.search_kernels``); this module gives them their planner-facing signatures.

Tours here are in local node ids of a route's distance matrix: node 0 is the depot and
node i is the route's i-th stop (``ProblemArrays.local_distance``).
"""

from __future__ import annotations

import math

import numpy as np

from sim.routing.arrays import ProblemArrays
from sim.routing.construction import nearest_neighbour_local
from sim.routing.schedule import FloatArray, IntArray
from sim.routing.search_kernels import local_search_tour, or_opt_step, two_opt_step
from sim.routing.tolerances import IMPROVE_EPS, SLACK_H


def tour_length(mat: FloatArray, order: IntArray) -> float:
    """Length of depot -> order -> depot on a local matrix (node 0 = depot)."""
    if order.size == 0:
        return 0.0
    inner = float(mat[order[:-1], order[1:]].sum())
    return float(mat[0, order[0]]) + inner + float(mat[order[-1], 0])


# "No coordinates": the kernels then scan every move (any symmetric matrix is allowed).
_NO_POINTS = np.zeros((0, 2))


def _time_or(tmat: FloatArray | None, mat: FloatArray) -> FloatArray:
    """The time matrix for the kernels; without one they are told not to read it."""
    return mat if tmat is None else tmat


def _points(pts: FloatArray | None) -> FloatArray:
    """The node coordinates for the kernels' pruning, or none."""
    return _NO_POINTS if pts is None else np.ascontiguousarray(pts, dtype=np.float64)


def two_opt_pass(mat: FloatArray, tour: IntArray, tmat: FloatArray | None, slack: float) -> float | None:
    """One 2-opt pass on a closed tour (depot at both ends), in place.

    Minimises length on ``mat``. With a time matrix ``tmat``, moves must also keep the
    summed travel-time increase within ``slack`` hours. Returns the remaining slack, or
    None if no move gains more than the tolerance.
    """
    applied, left = two_opt_step(mat, tour, _time_or(tmat, mat), tmat is not None, slack, IMPROVE_EPS)
    return float(left) if applied else None


def or_opt_pass(
    mat: FloatArray,
    tour: IntArray,
    tmat: FloatArray | None,
    slack: float,
    pts: FloatArray | None = None,
    circuity: float = 0.0,
) -> tuple[IntArray, float] | None:
    """One or-opt pass: move runs of 1-3 stops to another edge, maybe reversed.

    Same objective and time-slack rule as ``two_opt_pass``. Returns the new tour and the
    remaining slack, or None if no move gains more than the tolerance. ``pts`` (one row
    per node) may be given when ``mat`` is ``road_distance_matrix(pts, circuity)``: the
    same moves are then found faster, by skipping edges too far away to matter.
    """
    applied, new_tour, left = or_opt_step(
        mat, tour, _time_or(tmat, mat), tmat is not None, slack, IMPROVE_EPS, _points(pts), circuity
    )
    return (new_tour, float(left)) if applied else None


def local_search(
    mat: FloatArray,
    order: IntArray,
    tmat: FloatArray | None = None,
    slack: float = math.inf,
    pts: FloatArray | None = None,
    circuity: float = 0.0,
) -> IntArray:
    """2-opt to a local optimum, then or-opt, repeated until neither improves (local ids).

    With ``tmat``, only moves that keep the total travel-time increase within ``slack``
    are made, so a tour that meets a duration limit keeps meeting it. ``pts`` as in
    ``or_opt_pass``. The pass loop runs compiled (``local_search_tour``).
    """
    if order.shape[0] < 3:
        # With two stops both directions cost the same on a symmetric matrix.
        return order.copy()
    tour = np.concatenate(([0], order, [0])).astype(np.intp)
    tour = local_search_tour(
        mat, tour, _time_or(tmat, mat), tmat is not None, slack, IMPROVE_EPS, _points(pts), circuity
    )
    return tour[1:-1]


def _starting_orders(dist: FloatArray, k: int) -> tuple[IntArray, IntArray]:
    """The route's input order and the shorter of it and a fresh NN order (local ids)."""
    current = np.arange(1, k + 1, dtype=np.intp)
    nn = nearest_neighbour_local(dist)
    start = nn if tour_length(dist, nn) < tour_length(dist, current) - IMPROVE_EPS else current
    return current, start


def improve_route_windowed(arrays: ProblemArrays, stops: IntArray, pts: FloatArray, dist: FloatArray) -> IntArray:
    """``improve_route`` under time windows: the input order is feasible, keep it so."""
    k = int(stops.shape[0])
    current, start = _starting_orders(dist, k)
    # Loose windows often allow the unconstrained optimum: try it first.
    free = local_search(dist, start, pts=pts, circuity=arrays.circ)
    if arrays.timing_ok(stops[free - 1]):
        return stops[free - 1]
    # Otherwise improve the input order pass by pass and keep a pass only if the route
    # still meets every window (a pass applies several moves, so one bad move costs the
    # whole pass; good enough for a planner that only has to be correct here). Every
    # kept pass shortens the tour by more than the tolerance, so this terminates.
    tour = np.concatenate(([0], current, [0])).astype(np.intp)
    while True:
        trial = tour.copy()
        if two_opt_pass(dist, trial, None, math.inf) is not None and arrays.timing_ok(stops[trial[1:-1] - 1]):
            tour = trial
            continue
        moved = or_opt_pass(dist, tour, None, math.inf, pts, arrays.circ)
        if moved is not None and arrays.timing_ok(stops[moved[0][1:-1] - 1]):
            tour = moved[0]
            continue
        return stops[tour[1:-1] - 1]


def improve_route(arrays: ProblemArrays, stops: IntArray) -> IntArray:
    """Shortest feasible visiting order found for a route's stops (never longer than input).

    Weight, volume and the stop count do not depend on the order, and every move shortens
    the tour, so the range limit holds throughout; duration (and windows) are re-checked.
    """
    k = int(stops.shape[0])
    if k < 3:
        return stops
    pts = arrays.local_points(stops)
    dist = arrays.pair_distance(pts)
    if arrays.use_tw:
        return improve_route_windowed(arrays, stops, pts, dist)
    current, start = _starting_orders(dist, k)
    by_dist = local_search(dist, start, pts=pts, circuity=arrays.circ)
    if arrays.duration(stops[by_dist - 1]) <= arrays.max_h:
        return stops[by_dist - 1]
    # The shortest order broke the duration limit (it trades area km for slower stem km).
    # Search again for distance from a feasible start, but only with moves that keep the
    # travel time within the limit.
    feasible_start = start if arrays.duration(stops[start - 1]) <= arrays.max_h else current
    tmat = arrays.time_matrix(dist)
    budget = arrays.max_h - float(arrays.serv[stops].sum()) - SLACK_H
    slack = budget - tour_length(tmat, feasible_start)
    if slack < 0.0:
        # Only reachable if the input itself drifted over the limit; the repair step
        # in plan_heuristic deals with that.
        return stops[feasible_start - 1]
    constrained = local_search(dist, feasible_start, tmat, slack)
    if arrays.duration(stops[constrained - 1]) <= arrays.max_h:
        return stops[constrained - 1]
    return stops[feasible_start - 1]


