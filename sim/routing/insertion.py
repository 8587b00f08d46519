"""Cheapest feasible insertion of left-over stops into built routes.

Every edge of every route is a candidate position (``EdgeTable``); per-route totals are in
``RouteState``; ``insertion_fits`` is the one feasibility test of inserting a stop into an
edge. Under time windows it uses the classic forward departure times / backward latest
arrival times of each route (``ProblemArrays.schedule``), so each position is checked
exactly in O(1).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.routing.arrays import ProblemArrays
from sim.routing.schedule import FloatArray, IntArray
from sim.routing.tolerances import SLACK_H, SLACK_KM


class EdgeTable:
    """All edges of all routes, flattened, for vectorised insertion costs."""

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


class RouteState:
    """Per-route totals that insertion checks against (only those the problem constrains)."""

    def __init__(self, arrays: ProblemArrays, routes: list[IntArray]) -> None:
        self.arrays = arrays
        self.loads = np.array([arrays.load(r) for r in routes])
        self.durs = np.array([arrays.duration(r) for r in routes])
        self.weights = np.array([arrays.weight(r) for r in routes]) if arrays.use_wt else None
        self.kms = np.array([arrays.km(r) for r in routes]) if arrays.use_km else None
        self.sizes = np.array([r.shape[0] for r in routes]) if arrays.use_stops else None

    def update(self, r: int, stops: IntArray) -> None:
        """Recompute route ``r``'s totals exactly after it changed."""
        arrays = self.arrays
        self.loads[r] = arrays.load(stops)
        self.durs[r] = arrays.duration(stops)
        if self.weights is not None:
            self.weights[r] = arrays.weight(stops)
        if self.kms is not None:
            self.kms[r] = arrays.km(stops)
        if self.sizes is not None:
            self.sizes[r] = stops.shape[0]

    def room(self, stops: int | IntArray) -> npt.NDArray[np.bool_]:
        """Per route: whether a stop fits its remaining volume, payload and stop count.

        ``stops`` is one stop (result: per route) or an (m, 1) column (result: m x routes).
        """
        arrays = self.arrays
        room = self.loads + arrays.vol[stops] <= arrays.cap
        if self.weights is not None:
            room &= self.weights + arrays.wt[stops] <= arrays.payload
        if self.sizes is not None:
            room &= self.sizes < arrays.max_stops
        return np.asarray(room)

    def possible(self, cands: IntArray) -> npt.NDArray[np.bool_]:
        """Per candidate: whether the emptiest route could take it by load and stop count."""
        arrays = self.arrays
        ok = arrays.vol[cands] + self.loads.min() <= arrays.cap
        if self.weights is not None:
            ok &= arrays.wt[cands] + self.weights.min() <= arrays.payload
        if self.sizes is not None:
            ok &= bool(self.sizes.min() < arrays.max_stops)
        return np.asarray(ok)


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
