"""The planner's kernels written with numpy operations: the references the compiled kernels must equal.

These are the vectorised formulations the planner used before its hot loops were compiled
(``sim.routing.tour_kernels``, ``sim.routing.search_kernels``,
``sim.routing.insertion_kernels``); the kernel tests require bit-for-bit equal results.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

IMPROVE_EPS = 1e-9
SLACK_H = 1e-9
SLACK_KM = 1e-9
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def pair_distance(pts: FloatArray, circ: float) -> FloatArray:
    """Road-distance matrix between all rows of ``pts``."""
    dx = pts[:, 0][:, None] - pts[:, 0][None, :]
    dy = pts[:, 1][:, None] - pts[:, 1][None, :]
    return np.asarray(circ * np.hypot(dx, dy))


def nearest_neighbour_positions(d0: FloatArray, w: FloatArray) -> IntArray:
    """NN order from the depot over k stops; ``w`` (k x k) is consumed."""
    k = int(d0.shape[0])
    order = [0] * k
    j = int(d0.argmin())
    order[0] = j
    w[:, j] = np.inf
    for s in range(1, k):
        j = int(w[j].argmin())
        w[:, j] = np.inf
        order[s] = j
    return np.asarray(order, dtype=np.intp)


def time_oriented_positions(
    travel0_h: FloatArray, dist: FloatArray, inv_area: float, early_h: FloatArray, service_h: FloatArray
) -> IntArray:
    """Time-oriented NN order: the next stop is the one whose service starts first, then the nearest."""
    k = int(early_h.shape[0])
    early = early_h.copy()
    serv = service_h.tolist()
    order = [0] * k
    now = 0.0
    travel = travel0_h
    start = np.empty(k)
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


def tour_length(mat: FloatArray, order: IntArray) -> float:
    """Length of depot -> order -> depot on a local matrix (node 0 = depot)."""
    if order.size == 0:
        return 0.0
    inner = float(mat[order[:-1], order[1:]].sum())
    return float(mat[0, order[0]]) + inner + float(mat[order[-1], 0])


def _two_opt_deltas(mat: FloatArray, tour: IntArray) -> FloatArray:
    q = mat[np.ix_(tour, tour)]
    e = np.diagonal(q, 1)
    n_edges = int(e.shape[0])
    delta = q[:-1, :-1] + q[1:, 1:]
    delta -= e[:, None]
    delta -= e[None, :]
    delta += np.where(np.tri(n_edges, n_edges, 1, dtype=bool), np.inf, 0.0)
    return np.asarray(delta)


def two_opt_pass(mat: FloatArray, tour: IntArray, tmat: FloatArray | None, slack: float) -> float | None:
    """One vectorised 2-opt pass in place; the remaining slack, or None if nothing improved."""
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
    k = q.shape[0] - 2
    n_seg = k - seg_len + 1
    p = np.arange(1, n_seg + 1)
    last = p + seg_len - 1
    gain = q[p - 1, p] + q[last, last + 1] - q[p - 1, last + 1]
    e = np.diagonal(q, 1)[:, None]
    fwd = q[:-1, 1 : n_seg + 1] + q[seg_len : k + 1, 1:].T - e
    rev = q[:-1, seg_len : k + 1] + q[1 : n_seg + 1, 1:].T - e
    cols = np.arange(n_seg)
    for t in range(seg_len + 1):
        fwd[cols + t, cols] = np.inf
        rev[cols + t, cols] = np.inf
    return np.asarray(fwd), np.asarray(rev), np.asarray(gain)


def or_opt_pass(
    mat: FloatArray, tour: IntArray, tmat: FloatArray | None, slack: float
) -> tuple[IntArray, float] | None:
    """One vectorised or-opt pass; the new tour and remaining slack, or None if nothing improved."""
    n_pos = int(tour.shape[0])
    k = n_pos - 2
    q = mat[np.ix_(tour, tour)]
    qt = tmat[np.ix_(tour, tour)] if tmat is not None else None
    moves = []
    for seg_len in range(1, min(3, k - 1) + 1):
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
    """2-opt to a local optimum, then or-opt, repeated until neither improves (local ids)."""
    if order.shape[0] < 3:
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
