"""The route timeline: leg lengths and times, arrival times, waits, duration and feasibility.

A route leaves the depot at time 0, visits its stops in order and returns. With c_i the
travel time into stop i, s_i its service and e_i its window start, the departure from
stop i is dep_i = max(dep_(i-1) + c_i, e_i) + s_i. Written against the no-wait prefix sums
P_i = sum_(j<=i) (c_j + s_j), the accumulated wait u_i = dep_i - P_i obeys
u_i = max(u_(i-1), e_i + s_i - P_i), a running maximum -- so a whole schedule is a few
vectorised operations (``departures_h``), for one route or, along the last axis, a batch
of routes of equal length.

The public helpers (``route_distance_km``, ``route_arrival_times_h``, ``route_duration_h``,
``route_is_feasible``) are the reference formulas: the planners report and enforce
durations and distances with them.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

from sim.routing.problem import RoutingProblem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
FloatOrArray = TypeVar("FloatOrArray", float, FloatArray)


def leg_lengths_km(points: FloatArray, circuity: float) -> FloatArray:
    """Road km of every leg of the path through ``points`` (rows, in order)."""
    step = np.diff(points, axis=0)
    return np.asarray(circuity * np.hypot(step[:, 0], step[:, 1]))


def leg_hours(legs_km: FloatArray, area_speed_kmh: float, stem_speed_kmh: float) -> FloatArray:
    """Travel hours of the legs of depot -> stops -> depot (last axis): stems at stem speed."""
    travel = legs_km / area_speed_kmh
    travel[..., 0] = legs_km[..., 0] / stem_speed_kmh
    travel[..., -1] = legs_km[..., -1] / stem_speed_kmh
    return np.asarray(travel)


def departures_h(travel_h: FloatArray, service_h: FloatArray, window_start_h: FloatArray) -> FloatArray:
    """Departure time from every node but the final depot: [depot (0), *stops], on the last axis.

    ``travel_h`` has one more leg than there are stops (the return); waits for windows are
    the running maximum described in the module docstring.
    """
    prefix = np.cumsum(travel_h[..., :-1] + service_h, axis=-1)
    wait = np.maximum.accumulate(np.maximum(window_start_h + service_h - prefix, 0.0), axis=-1)
    start = np.zeros((*prefix.shape[:-1], 1))
    return np.asarray(np.concatenate((start, wait + prefix), axis=-1))


def timeline_h(
    travel_h: FloatArray, service_h: FloatArray, window_start_h: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Arrival time at each stop (before waiting) and the time back at the depot (last axis)."""
    departure = departures_h(travel_h, service_h, window_start_h)
    arrival = departure[..., :-1] + travel_h[..., :-1]
    back = departure[..., -1] + travel_h[..., -1]
    return np.asarray(arrival), np.asarray(back)


def latest_arrivals_h(
    travel_h: FloatArray, service_h: FloatArray, window_end_h: FloatArray, max_route_hours: float
) -> FloatArray:
    """Latest feasible arrival at every node after the depot: [*stops, depot].

    The latest arrival at a node from which the rest of the route still meets every window
    end and is back by ``max_route_hours``. Waiting only ever absorbs delay, so
    latest_i = min(l_i, latest_(i+1) - s_i - c_(i+1)), a running minimum from the end,
    written as latest_i = G_i + min_(j>=i) (l_j - G_j) with G the cumulated (s + c).
    """
    cost = np.concatenate((service_h + travel_h[1:], [0.0]))
    g = np.concatenate(([0.0], np.cumsum(cost[:-1])))
    bound = np.concatenate((window_end_h, [max_route_hours])) - g
    return np.asarray(g + np.minimum.accumulate(bound[::-1])[::-1])


def no_wait_duration_h(
    stem_km: FloatOrArray, inner_km: FloatOrArray | float, service_h: FloatOrArray, stem_kmh: float, area_kmh: float
) -> FloatOrArray:
    """Duration of a route without windows: stems at stem speed, inner legs at area speed, plus service.

    The closed form the planner checks and reports durations of window-free routes with;
    its order of operations is part of what makes plans reproducible.
    """
    result: FloatOrArray = stem_km / stem_kmh + inner_km / area_kmh + service_h
    return result


def _route_points(problem: RoutingProblem, idx: IntArray) -> FloatArray:
    depot = np.asarray(problem.depot_xy, dtype=np.float64).reshape(1, 2)
    xy = np.asarray(problem.stop_xy, dtype=np.float64).reshape(-1, 2)
    return np.asarray(np.concatenate((depot, xy[idx], depot)))


def _matrix_legs(matrix: np.ndarray, idx: IntArray) -> FloatArray:
    """Entries of a travel matrix along depot -> stops -> depot (node 0 = depot, node i + 1 = stop i)."""
    nodes = np.concatenate(([0], idx + 1, [0]))
    return np.asarray(np.asarray(matrix, dtype=np.float64)[nodes[:-1], nodes[1:]])


def _route_legs_km(problem: RoutingProblem, idx: IntArray) -> FloatArray:
    if problem.travel_km is not None:
        return _matrix_legs(problem.travel_km, idx)
    return leg_lengths_km(_route_points(problem, idx), float(problem.circuity))


def _route_travel_h(problem: RoutingProblem, idx: IntArray) -> FloatArray:
    if problem.travel_h is not None:
        return _matrix_legs(problem.travel_h, idx)
    return leg_hours(_route_legs_km(problem, idx), float(problem.area_speed_kmh), float(problem.stem_speed_kmh))


def _route_timeline(problem: RoutingProblem, idx: IntArray) -> tuple[FloatArray, float]:
    travel = _route_travel_h(problem, idx)
    service = np.asarray(problem.stop_service_h, dtype=np.float64)[idx]
    if problem.stop_tw_start_h is None:
        early = np.zeros(idx.shape[0])
    else:
        early = np.asarray(problem.stop_tw_start_h, dtype=np.float64)[idx]
    arrival, back = timeline_h(travel, service, early)
    return arrival, float(back)


def _as_stops(stops: npt.ArrayLike) -> IntArray:
    return np.asarray(stops, dtype=np.intp).reshape(-1)


def route_distance_km(problem: RoutingProblem, stops: npt.ArrayLike) -> float:
    """Road km of the tour depot -> ``stops`` (in order) -> depot; 0 for no stops."""
    idx = _as_stops(stops)
    if idx.size == 0:
        return 0.0
    return float(_route_legs_km(problem, idx).sum())


def route_arrival_times_h(problem: RoutingProblem, stops: npt.ArrayLike) -> FloatArray:
    """Arrival time (hours after leaving the depot, before any waiting) at each stop, in order.

    The route leaves the depot at 0; at a stop whose window has not opened the courier
    waits for the window start before serving, which delays every later arrival.
    """
    idx = _as_stops(stops)
    if idx.size == 0:
        return np.zeros(0)
    return _route_timeline(problem, idx)[0]


def route_duration_h(problem: RoutingProblem, stops: npt.ArrayLike) -> float:
    """Planned hours of the tour: stem legs at stem speed, other legs at area speed, plus service.

    With travel matrices: the matrix hours of the legs plus service (plus waits).

    With time windows, waiting for a window to open is included (the route leaves the
    depot at 0 and the duration is the time it is back); without windows it is the closed
    form ``no_wait_duration_h``.
    """
    idx = _as_stops(stops)
    if idx.size == 0:
        return 0.0
    if problem.has_windows:
        return _route_timeline(problem, idx)[1]
    if problem.travel_h is not None:
        service = np.asarray(problem.stop_service_h, dtype=np.float64)[idx]
        return float(_route_travel_h(problem, idx).sum()) + float(service.sum())
    legs = _route_legs_km(problem, idx)
    return no_wait_duration_h(
        float(legs[0]) + float(legs[-1]),
        float(legs[1:-1].sum()),
        float(np.asarray(problem.stop_service_h, dtype=np.float64)[idx].sum()),
        float(problem.stem_speed_kmh),
        float(problem.area_speed_kmh),
    )


def route_is_feasible(problem: RoutingProblem, stops: npt.ArrayLike) -> bool:
    """Whether one route (stops in visiting order) meets every hard constraint of the problem.

    Checked with the reference formulas: volume, weight, stop count, ``route_distance_km``
    against the range, ``route_duration_h`` (waits included) against ``max_route_hours``
    and ``route_arrival_times_h`` against every window end. An empty route is feasible.
    """
    idx = _as_stops(stops)
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
