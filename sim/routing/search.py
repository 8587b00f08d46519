"""Local search on one route: vectorised 2-opt and or-opt, and the route improver built on them.

2-opt evaluates the whole delta matrix of all edge pairs at once with numpy fancy
indexing on the route's distance matrix; each pass applies the best move plus every other
improving move (best per row) that touches a disjoint stretch of the tour -- such moves do
not change each other's deltas, so every applied move is exact and the tour length
strictly decreases. Or-opt (move a run of 1-3 stops elsewhere, possibly reversed) is
vectorised the same way (all segment starts x all insertion edges).

Tours here are in local node ids of a route's distance matrix: node 0 is the depot and
node i is the route's i-th stop (``ProblemArrays.local_distance``).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

from sim.routing.arrays import ProblemArrays
from sim.routing.construction import nearest_neighbour_local
from sim.routing.schedule import FloatArray, IntArray
from sim.routing.tolerances import IMPROVE_EPS, SLACK_H

# Segment lengths tried by or-opt.
_OR_OPT_MAX_LEN = 3
# Routes up to this many edges reuse a cached 2-opt mask (at most ~1.3 MB each).
_MASK_CACHE_MAX_EDGES = 400


def tour_length(mat: FloatArray, order: IntArray) -> float:
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


def two_opt_pass(mat: FloatArray, tour: IntArray, tmat: FloatArray | None, slack: float) -> float | None:
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
    rows = np.flatnonzero(best < -IMPROVE_EPS)
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


def or_opt_pass(
    mat: FloatArray, tour: IntArray, tmat: FloatArray | None, slack: float
) -> tuple[IntArray, float] | None:
    """One vectorised or-opt pass: move runs of 1-3 stops to another edge, maybe reversed.

    Same objective and time-slack rule as ``two_opt_pass``. Returns the new tour and the
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
        sel = np.flatnonzero(delta < -IMPROVE_EPS)
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


def local_search(
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
        while (left := two_opt_pass(mat, tour, tmat, slack)) is not None:
            slack = left
        moved = or_opt_pass(mat, tour, tmat, slack)
        if moved is None:
            break
        tour, slack = moved
    return tour[1:-1]


def _starting_orders(dist: FloatArray, k: int) -> tuple[IntArray, IntArray]:
    """The route's input order and the shorter of it and a fresh NN order (local ids)."""
    current = np.arange(1, k + 1, dtype=np.intp)
    nn = nearest_neighbour_local(dist)
    start = nn if tour_length(dist, nn) < tour_length(dist, current) - IMPROVE_EPS else current
    return current, start


def improve_route_windowed(arrays: ProblemArrays, stops: IntArray, dist: FloatArray) -> IntArray:
    """``improve_route`` under time windows: the input order is feasible, keep it so."""
    k = int(stops.shape[0])
    current, start = _starting_orders(dist, k)
    # Loose windows often allow the unconstrained optimum: try it first.
    free = local_search(dist, start)
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
        moved = or_opt_pass(dist, tour, None, math.inf)
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
    dist = arrays.local_distance(stops)
    if arrays.use_tw:
        return improve_route_windowed(arrays, stops, dist)
    current, start = _starting_orders(dist, k)
    by_dist = local_search(dist, start)
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


