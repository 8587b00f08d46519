"""Compiled local-search kernels: one 2-opt pass, one or-opt pass, and the search that alternates them.

Each pass evaluates every move of its kind on the current tour, then applies the best
move and every other improving move that touches a disjoint stretch of the tour (see
``sim.routing.search`` for why that is exact). The arithmetic of every move delta is
written in the order of the matrix formulas it replaces, argmins keep the first index
on ties and moves are ranked with a stable sort, so plans are bit-for-bit those of the
vectorised formulation (``tests/routing/test_routing_search_kernels.py``).

Tours are closed, in local node ids (depot 0 at both ends). With ``timed`` true, moves
must also keep the summed increase of travel time on ``tmat`` within ``slack`` hours;
with ``timed`` false ``tmat`` is not read and ``slack`` is returned unchanged.
Compiled with ``cache=True`` and without ``fastmath`` (see ``sim.routing.tour_kernels``).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.routing.schedule import FloatArray, IntArray

# Segment lengths tried by or-opt.
OR_OPT_MAX_LEN = 3


@numba.njit(cache=True)
def two_opt_step(
    mat: FloatArray, tour: IntArray, tmat: FloatArray, timed: bool, slack: float, eps: float
) -> tuple[bool, float]:
    """One 2-opt pass on ``tour``, in place; returns (whether a move was applied, remaining slack).

    Move (i, j), j >= i + 2, replaces edges i and j by (tour[i], tour[j]) and
    (tour[i+1], tour[j+1]) and reverses tour[i+1..j].
    """
    n_edges = tour.shape[0] - 1
    best = np.full(n_edges, np.inf)
    best_j = np.zeros(n_edges, dtype=np.intp)
    best_dt = np.zeros(n_edges)
    for i in range(n_edges):
        a = tour[i]
        b = tour[i + 1]
        edge_i = mat[a, b]
        edge_t = tmat[a, b] if timed else 0.0
        for j in range(i + 2, n_edges):
            c = tour[j]
            d = tour[j + 1]
            delta = ((mat[a, c] + mat[b, d]) - edge_i) - mat[c, d]
            dt = 0.0
            if timed:
                dt = ((tmat[a, c] + tmat[b, d]) - edge_t) - tmat[c, d]
                if dt > slack:
                    continue
            if delta < best[i]:
                best[i] = delta
                best_j[i] = j
                best_dt[i] = dt
    rows = np.flatnonzero(best < -eps)
    if rows.shape[0] == 0:
        return False, slack
    used = np.zeros(n_edges, dtype=np.bool_)
    applied = False
    for i in rows[np.argsort(best[rows], kind="mergesort")]:
        j = best_j[i]
        if used[i : j + 1].any():
            continue
        if timed:
            if best_dt[i] > slack:
                continue
            slack -= best_dt[i]
        used[i : j + 1] = True
        tour[i + 1 : j + 1] = tour[i + 1 : j + 1][::-1].copy()
        applied = True
    return applied, slack


@numba.njit(cache=True)
def or_opt_step(
    mat: FloatArray, tour: IntArray, tmat: FloatArray, timed: bool, slack: float, eps: float
) -> tuple[bool, IntArray, float]:
    """One or-opt pass: move runs of 1-3 stops to another edge, maybe reversed.

    Returns (whether a move was applied, the new tour, remaining slack). Run c of length
    L covers positions c + 1 .. c + L; edge g joins positions g and g + 1.
    """
    n_pos = tour.shape[0]
    k = n_pos - 2
    cap = OR_OPT_MAX_LEN * max(k, 1)
    m_delta = np.empty(cap)
    m_time = np.empty(cap)
    m_len = np.empty(cap, dtype=np.intp)
    m_start = np.empty(cap, dtype=np.intp)
    m_gap = np.empty(cap, dtype=np.intp)
    m_rev = np.empty(cap, dtype=np.bool_)
    count = 0
    for seg_len in range(1, min(OR_OPT_MAX_LEN, k - 1) + 1):
        for c in range(k - seg_len + 1):
            first = tour[c + 1]
            last = tour[c + seg_len]
            before = tour[c]
            after = tour[c + seg_len + 1]
            gain = (mat[before, first] + mat[last, after]) - mat[before, after]
            gain_t = (tmat[before, first] + tmat[last, after]) - tmat[before, after] if timed else 0.0
            best = np.inf
            best_g = 0
            best_rev = False
            best_t = 0.0
            for g in range(k + 1):
                if c <= g <= c + seg_len:
                    continue  # the edge touches the run itself: not a move
                u = tour[g]
                v = tour[g + 1]
                edge = mat[u, v]
                fwd = (mat[u, first] + mat[last, v]) - edge
                rev = (mat[u, last] + mat[first, v]) - edge
                fwd_t = 0.0
                rev_t = 0.0
                if timed:
                    edge_t = tmat[u, v]
                    fwd_t = (tmat[u, first] + tmat[last, v]) - edge_t
                    rev_t = (tmat[u, last] + tmat[first, v]) - edge_t
                    if fwd_t - gain_t > slack:
                        fwd = np.inf
                    if rev_t - gain_t > slack:
                        rev = np.inf
                use_rev = rev < fwd
                ins = rev if use_rev else fwd
                if ins < best:
                    best = ins
                    best_g = g
                    best_rev = use_rev
                    best_t = rev_t if use_rev else fwd_t
            delta = best - gain
            if delta < -eps:
                m_delta[count] = delta
                m_time[count] = best_t - gain_t if timed else 0.0
                m_len[count] = seg_len
                m_start[count] = c + 1
                m_gap[count] = best_g
                m_rev[count] = best_rev
                count += 1
    if count == 0:
        return False, tour, slack
    # Moves whose position hulls are disjoint commute and their gains add up; place each
    # moved run between its target positions via fractional sort keys.
    used = np.zeros(n_pos, dtype=np.bool_)
    key = np.arange(n_pos).astype(np.float64)
    applied = False
    for m in np.argsort(m_delta[:count], kind="mergesort"):
        seg_len = m_len[m]
        p0 = m_start[m]
        g = m_gap[m]
        lo = min(p0 - 1, g)
        hi = max(p0 + seg_len, g + 1)
        if used[lo : hi + 1].any():
            continue
        if timed:
            if m_time[m] > slack:
                continue
            slack -= m_time[m]
        used[lo : hi + 1] = True
        for t in range(seg_len):
            rank = seg_len - t if m_rev[m] else t + 1
            key[p0 + t] = g + float(rank) / (seg_len + 1)
        applied = True
    if not applied:
        return False, tour, slack
    return True, tour[np.argsort(key, kind="mergesort")], slack


@numba.njit(cache=True)
def local_search_tour(
    mat: FloatArray, order: IntArray, tmat: FloatArray, timed: bool, slack: float, eps: float
) -> IntArray:
    """2-opt to a local optimum, then or-opt, repeated until neither improves; returns the stops' order."""
    k = order.shape[0]
    tour = np.zeros(k + 2, dtype=np.intp)
    tour[1 : k + 1] = order
    while True:
        while True:
            applied, left = two_opt_step(mat, tour, tmat, timed, slack, eps)
            if not applied:
                break
            slack = left
        moved, new_tour, left = or_opt_step(mat, tour, tmat, timed, slack, eps)
        if not moved:
            break
        tour = new_tour
        slack = left
    return tour[1 : k + 1].copy()
