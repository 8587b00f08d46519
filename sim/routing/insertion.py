"""Cheapest feasible insertion of left-over stops into built routes.

Every edge of every route is a candidate position (``EdgeTable``); per-route totals are in
``RouteState``. Inserting a stop splits one edge in two and changes one route's totals, so
both are updated in place for that neighbourhood rather than rebuilt; the per-candidate
scan over all edges runs compiled (``sim.routing.insertion_kernels``). Under time windows
the fit test uses the classic forward departure times / backward latest arrival times of
each route (``ProblemArrays.schedule``, redone for the route that changed), so each
position is checked exactly in O(1).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.routing import insertion_kernels as kern
from sim.routing.arrays import ProblemArrays
from sim.routing.schedule import FloatArray, IntArray
from sim.routing.tolerances import SLACK_H, SLACK_KM

# Rounding of a detour's hours / km that is >= 0 in exact arithmetic: far above the
# few ulps it can really be, far below any margin that matters to a plan.
ROUNDING_H = 1e-9
ROUNDING_KM = 1e-9


class EdgeTable:
    """All edges of all routes as rows (``insertion_kernels`` columns), grouped by route.

    ``spare`` rows are reserved so that that many insertions split edges in place.
    """

    def __init__(
        self,
        arrays: ProblemArrays,
        routes: list[IntArray],
        schedules: list[tuple[FloatArray, FloatArray]] | None,
        spare: int,
    ) -> None:
        self.arrays = arrays
        nodes = [np.concatenate(([arrays.depot], r, [arrays.depot])).astype(np.intp) for r in routes]
        a = np.concatenate([nd[:-1] for nd in nodes])
        b = np.concatenate([nd[1:] for nd in nodes])
        self.size = int(a.shape[0])
        rows = self.size + spare
        self.route = np.zeros(rows, dtype=np.intp)
        self.route[: self.size] = np.concatenate(
            [np.full(nd.shape[0] - 1, i, dtype=np.intp) for i, nd in enumerate(nodes)]
        )
        # Inserting into edge ``slot`` of a route puts the new stop at that list position.
        self.slot = np.zeros(rows, dtype=np.intp)
        self.slot[: self.size] = np.concatenate([np.arange(nd.shape[0] - 1, dtype=np.intp) for nd in nodes])
        self.rows = np.zeros((rows, kern.N_COLUMNS))
        edges = self.rows[: self.size]
        a_xy, b_xy = arrays.xy[a], arrays.xy[b]
        edges[:, kern.AX : kern.AY + 1] = a_xy
        edges[:, kern.BX : kern.BY + 1] = b_xy
        self.inv_area, inv_stem = 1.0 / arrays.area, 1.0 / arrays.stem
        edges[:, kern.INV_A] = np.where(a == arrays.depot, inv_stem, self.inv_area)
        edges[:, kern.INV_B] = np.where(b == arrays.depot, inv_stem, self.inv_area)
        step = a_xy - b_xy
        d_ab = arrays.circ * np.hypot(step[:, 0], step[:, 1])
        edges[:, kern.D_AB] = d_ab
        stem = (a == arrays.depot) | (b == arrays.depot)
        edges[:, kern.T_AB] = d_ab * np.where(stem, inv_stem, self.inv_area)
        if schedules is not None:
            # Edge j of a route runs from node j to node j + 1: departure times of nodes
            # 0..k and latest arrivals of nodes 1..k+1 line up with the edges as they are.
            edges[:, kern.DEP_A] = np.concatenate([dep for dep, _ in schedules])
            edges[:, kern.LATE_B] = np.concatenate([late for _, late in schedules])

    def split(self, e: int, x: int, d_a: float, d_b: float) -> None:
        """Insert stop ``x`` into edge ``e`` (whose new legs are ``d_a`` and ``d_b`` km)."""
        self.size = kern.split_edge(
            self.rows, self.route, self.slot, self.size, e, self.arrays.xy[x], d_a, d_b, self.inv_area
        )

    def set_schedule(self, r: int, schedule: tuple[FloatArray, FloatArray]) -> None:
        """Store route ``r``'s departure times and latest arrivals on its edges."""
        first = int(np.searchsorted(self.route[: self.size], r, side="left"))
        dep, late = schedule
        self.rows[first : first + dep.shape[0], kern.DEP_A] = dep
        self.rows[first : first + late.shape[0], kern.LATE_B] = late


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

    def open_routes(self, room: npt.NDArray[np.bool_], service_h: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """``room`` narrowed to the routes whose hours (and km) leave space for a stop's service.

        Only exact when detours cannot be negative, i.e. without time windows and with stem
        legs at least as fast as area legs (then every detour's hours and km are >= 0 up to
        rounding): a route whose duration plus the service alone already passes the limit
        fails every edge's test in ``cheapest_edge``, so its edges need no distances. The
        ``ROUNDING_H`` / ``ROUNDING_KM`` margins keep a route whenever rounding could matter.
        ``service_h`` is one stop's service (result: per route) or an (m, 1) column.
        """
        arrays = self.arrays
        if arrays.use_tw or arrays.stem < arrays.area:
            return room
        room = room & (self.durs + service_h - ROUNDING_H <= arrays.max_h - SLACK_H)
        if self.kms is not None:
            room &= self.kms - ROUNDING_KM <= arrays.max_km - SLACK_KM
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


def _limits(arrays: ProblemArrays) -> FloatArray:
    """The limits vector of ``insertion_kernels``: margins applied, flags as 0/1."""
    return np.array(
        [arrays.max_h - SLACK_H, arrays.max_km - SLACK_KM, float(arrays.use_tw), float(arrays.use_km), SLACK_H]
    )


def _stop_terms(arrays: ProblemArrays, stops: IntArray) -> FloatArray:
    """Per stop: (service h, window start h, window end h - margin), the stop vector of the kernels."""
    terms = (arrays.serv[stops], arrays.tw_e[stops], arrays.tw_l[stops] - SLACK_H)
    return np.ascontiguousarray(np.stack(terms, axis=-1))


def _route_km(state: RouteState) -> FloatArray:
    """The routes' km for the kernels (never read when the range is not limited)."""
    return state.kms if state.kms is not None else np.zeros_like(state.durs)


def could_fit(arrays: ProblemArrays, table: EdgeTable, state: RouteState, cands: IntArray) -> npt.NDArray[np.bool_]:
    """For each candidate, whether some single insertion into the current routes is feasible.

    Used as a one-off filter: when stem legs are at least as fast as area legs, travel times
    obey the triangle inequality, so inserting other stops first can only make a stop
    harder to fit (loads grow, departures get later, latest arrivals earlier, routes
    longer) -- a candidate that fails now fails for good.
    """
    room = state.open_routes(state.room(cands[:, None]), arrays.serv[cands][:, None])
    terms = _stop_terms(arrays, cands)
    limits = _limits(arrays)
    kms = _route_km(state)
    fits = [
        bool(room[i].any())
        and kern.cheapest_edge(
            table.rows, table.route, table.size, arrays.xy[x], arrays.circ, room[i], state.durs, kms, terms[i],
            limits, True,
        )[0]
        >= 0
        for i, x in enumerate(cands.tolist())
    ]
    return np.asarray(fits, dtype=bool)


def insert_stops(
    arrays: ProblemArrays, routes: list[IntArray], cands: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Cheapest feasible insertion of ``cands`` (in the given order) into ``routes``, in place.

    Returns the stops that fit nowhere (in the given order) and a flag per route telling
    whether it changed. Ties between equally cheap edges go to the first route, then the
    first position.
    """
    modified = np.zeros(len(routes), dtype=bool)
    if not routes or cands.shape[0] == 0:
        return cands, modified
    state = RouteState(arrays, routes)
    # Route schedules are kept between insertions: only the route that changed is redone.
    schedules = [arrays.schedule(r) for r in routes] if arrays.use_tw else None
    table = EdgeTable(arrays, routes, schedules, spare=int(cands.shape[0]))
    # Stops too big for every route's remaining room are rejected by load alone.
    possible = state.possible(cands)
    if arrays.stem >= arrays.area and possible.any():
        possible[possible] = could_fit(arrays, table, state, cands[possible])
    limits = _limits(arrays)
    terms = _stop_terms(arrays, cands)
    left: list[int] = []
    for i, (x, maybe) in enumerate(zip(cands.tolist(), possible.tolist(), strict=True)):
        room = state.open_routes(state.room(x), arrays.serv[x])
        if not (maybe and room.any()):
            left.append(x)
            continue
        e, d_a, d_b = kern.cheapest_edge(
            table.rows, table.route, table.size, arrays.xy[x], arrays.circ, room, state.durs, _route_km(state),
            terms[i], limits, False,
        )
        if e < 0:
            left.append(x)
            continue
        r = int(table.route[e])
        routes[r] = np.insert(routes[r], int(table.slot[e]), x)
        state.update(r, routes[r])
        modified[r] = True
        table.split(e, x, d_a, d_b)
        if schedules is not None:
            schedules[r] = arrays.schedule(routes[r])
            table.set_schedule(r, schedules[r])
    return np.asarray(left, dtype=np.intp), modified
