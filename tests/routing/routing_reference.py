"""The planner's kernels written with numpy operations: the references the compiled kernels must equal.

These are the vectorised formulations the planner used before its hot loops were compiled
(``sim.routing.tour_kernels``, ``sim.routing.search_kernels``,
``sim.routing.insertion_kernels``); the kernel tests require bit-for-bit equal results.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from sim.routing.arrays import ProblemArrays
from sim.routing.insertion import RouteState

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


# --------------------------------------------------------------------------- insertion


class EdgeTable:
    """All edges of all routes, flattened and rebuilt after every insertion."""

    def __init__(
        self,
        arrays: ProblemArrays,
        routes: list[IntArray],
        schedules: list[tuple[FloatArray, FloatArray]] | None = None,
    ) -> None:
        nodes = [np.concatenate(([arrays.depot], r, [arrays.depot])).astype(np.intp) for r in routes]
        a = np.concatenate([nd[:-1] for nd in nodes])
        b = np.concatenate([nd[1:] for nd in nodes])
        self.route = np.concatenate([np.full(nd.shape[0] - 1, i, dtype=np.intp) for i, nd in enumerate(nodes)])
        # Inserting into edge ``slot`` of a route puts the new stop at that list position.
        self.slot = np.concatenate([np.arange(nd.shape[0] - 1, dtype=np.intp) for nd in nodes])
        self.a_xy = arrays.xy[a]
        self.b_xy = arrays.xy[b]
        inv_area, inv_stem = 1.0 / arrays.area, 1.0 / arrays.stem
        self.inv_a = np.where(a == arrays.depot, inv_stem, inv_area)
        self.inv_b = np.where(b == arrays.depot, inv_stem, inv_area)
        step = self.a_xy - self.b_xy
        self.d_ab = arrays.circ * np.hypot(step[:, 0], step[:, 1])
        stem = (a == arrays.depot) | (b == arrays.depot)
        self.t_ab = self.d_ab * np.where(stem, inv_stem, inv_area)
        self.circ = arrays.circ
        if arrays.use_tw:
            # Edge j of a route runs from node j to node j + 1: departure times of nodes
            # 0..k and latest arrivals of nodes 1..k+1 line up with the edges as they are.
            parts = schedules if schedules is not None else [arrays.schedule(r) for r in routes]
            self.dep_a = np.concatenate([dep for dep, _ in parts])
            self.late_b = np.concatenate([late for _, late in parts])

    def legs_via(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Road km from every edge's start to the point (x, y) and from there to the edge's end.

        ``x`` and ``y`` are scalars or (m, 1) columns; the result is (edges,) or (m, edges).
        """
        d_a = self.circ * np.hypot(self.a_xy[:, 0] - x, self.a_xy[:, 1] - y)
        d_b = self.circ * np.hypot(self.b_xy[:, 0] - x, self.b_xy[:, 1] - y)
        return np.asarray(d_a), np.asarray(d_b)


def insertion_fits(
    arrays: ProblemArrays,
    table: EdgeTable,
    state: RouteState,
    stops: int | IntArray,
    d_a: FloatArray,
    d_b: FloatArray,
) -> npt.NDArray[np.bool_]:
    """Per edge: whether inserting the stop there keeps its route feasible (the one fit test).

    ``stops`` is one stop or an (m, 1) column of stops, ``d_a`` / ``d_b`` its legs from
    ``EdgeTable.legs_via``. Incremental estimates keep a ``SLACK_H`` / ``SLACK_KM`` margin.
    """
    ok = state.room(stops)[..., table.route]
    if arrays.use_tw:
        # The stop reached by its window end, and the next node reached no later than
        # its latest feasible arrival (which already accounts for every later window
        # and the return by max_route_hours).
        arrive = table.dep_a + d_a * table.inv_a
        depart = np.maximum(arrive, arrays.tw_e[stops]) + arrays.serv[stops]
        ok &= (arrive <= arrays.tw_l[stops] - SLACK_H) & (depart + d_b * table.inv_b <= table.late_b - SLACK_H)
    else:
        new_dur = state.durs[table.route] + d_a * table.inv_a + d_b * table.inv_b - table.t_ab
        ok &= new_dur + arrays.serv[stops] <= arrays.max_h - SLACK_H
    if state.kms is not None:
        ok &= state.kms[table.route] + d_a + d_b - table.d_ab <= arrays.max_km - SLACK_KM
    return np.asarray(ok)


def could_fit(arrays: ProblemArrays, table: EdgeTable, state: RouteState, cands: IntArray) -> npt.NDArray[np.bool_]:
    """For each candidate, whether some single insertion into the current routes is feasible.

    Used as a one-off filter: when stem legs are at least as fast as area legs, travel times
    obey the triangle inequality, so inserting other stops first can only make a stop
    harder to fit (loads grow, departures get later, latest arrivals earlier, routes
    longer) -- a candidate that fails now fails for good.
    """
    out = np.zeros(cands.shape[0], dtype=bool)
    chunk = max(1, 250_000 // max(1, table.route.shape[0]))
    for lo in range(0, cands.shape[0], chunk):
        c = cands[lo : lo + chunk, None]
        d_a, d_b = table.legs_via(arrays.xy[c, 0], arrays.xy[c, 1])
        out[lo : lo + chunk] = insertion_fits(arrays, table, state, c, d_a, d_b).any(axis=1)
    return out


def insert_stops(
    arrays: ProblemArrays, routes: list[IntArray], cands: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Cheapest feasible insertion of ``cands`` (in the given order) into ``routes``, in place.

    Returns the stops that fit nowhere (in the given order) and a flag per route telling
    whether it changed.
    """
    modified = np.zeros(len(routes), dtype=bool)
    if not routes or cands.shape[0] == 0:
        return cands, modified
    state = RouteState(arrays, routes)
    # Route schedules are kept between insertions: only the route that changed is redone.
    schedules = [arrays.schedule(r) for r in routes] if arrays.use_tw else None
    table = EdgeTable(arrays, routes, schedules)
    # Stops too big for every route's remaining room are rejected by load alone.
    possible = state.possible(cands)
    if arrays.stem >= arrays.area and possible.any():
        possible[possible] = could_fit(arrays, table, state, cands[possible])
    left: list[int] = []
    for x, maybe in zip(cands.tolist(), possible.tolist(), strict=True):
        room = state.room(x)
        if not (maybe and room.any()):
            left.append(x)
            continue
        d_a, d_b = table.legs_via(arrays.xy[x, 0], arrays.xy[x, 1])
        ok = insertion_fits(arrays, table, state, x, d_a, d_b)
        if not ok.any():
            left.append(x)
            continue
        e = int(np.argmin(np.where(ok, d_a + d_b - table.d_ab, np.inf)))
        r = int(table.route[e])
        routes[r] = np.insert(routes[r], int(table.slot[e]), x)
        state.update(r, routes[r])
        modified[r] = True
        if schedules is not None:
            schedules[r] = arrays.schedule(routes[r])
        table = EdgeTable(arrays, routes, schedules)
    return np.asarray(left, dtype=np.intp), modified


def sweep_from_scratch(arrays: ProblemArrays, stops: IntArray, n_vehicles: int) -> tuple[list[IntArray], IntArray]:
    """The sweep with every NN tour on a distance matrix computed from nothing (no windows).

    Run bounds are cumulated over the whole remaining sequence and each prefix length is
    tested on its own matrix: the plain statement of what ``sweep_build`` computes.
    """
    from sim.routing.construction import largest_feasible_prefix, sweep_order
    from sim.routing.schedule import no_wait_duration_h

    seq = sweep_order(arrays, stops)
    routes: list[IntArray] = []
    pos, guess = 0, 16
    while pos < seq.shape[0] and len(routes) < n_vehicles:
        run = seq[pos:]
        k_cap = int(np.searchsorted(np.cumsum(arrays.vol[run]), arrays.cap, side="right"))
        k_srv = int(np.searchsorted(np.cumsum(arrays.serv[run]), arrays.max_h, side="right"))
        k_max = max(1, min(k_cap, k_srv))

        def order_of(k: int, run: IntArray = run) -> IntArray:
            d0 = arrays.d0[run[:k]]
            return nearest_neighbour_positions(d0, pair_distance(arrays.xy[run[:k]], arrays.circ))

        def feasible(k: int, run: IntArray = run) -> bool:
            if k == 1:
                return True
            order = order_of(k)
            d0 = arrays.d0[run[:k]]
            dist = pair_distance(arrays.xy[run[:k]], arrays.circ)
            inner = float(dist[order[:-1], order[1:]].sum())
            serv = float(np.cumsum(arrays.serv[run[:k]])[k - 1])
            stem = float(d0[order[0]]) + float(d0[order[-1]])
            return bool(no_wait_duration_h(stem, inner, serv, arrays.stem, arrays.area) <= arrays.max_h - SLACK_H)

        k = largest_feasible_prefix(feasible, k_max, guess)
        routes.append(run[order_of(k)] if k > 1 else run[:1])
        pos += k
        guess = k
    return routes, seq[pos:]
